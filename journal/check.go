package journal

import (
	"context"
	"database/sql"
	"fmt"
)

// CheckReport is the result of Check, shaped for `mm journal check` to print as a table or JSON.
type CheckReport struct {
	Path                 string        `json:"path"`
	SchemaVersion        int           `json:"schema_version"`
	LatestSchemaVersion  int           `json:"latest_schema_version"`
	ApplicationID        int64         `json:"application_id"`
	JournalMode          string        `json:"journal_mode"`
	IntegrityErrors      []string      `json:"integrity_errors"`       // empty when PRAGMA integrity_check says "ok"
	ForeignKeyViolations []FKViolation `json:"foreign_key_violations"` // rows whose parent row is missing
	RowCounts            []TableCount  `json:"row_counts"`             // in schema order
	Problems             []string      `json:"problems"`               // every reason OK is false, in words
}

// FKViolation is one row of PRAGMA foreign_key_check.
type FKViolation struct {
	Table  string `json:"table"`
	RowID  int64  `json:"rowid"`
	Parent string `json:"parent"`
}

// TableCount is the number of rows in one table.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// OK reports whether the journal passed every check.
func (r CheckReport) OK() bool { return len(r.Problems) == 0 }

// Count returns the row count of table, or -1 if the journal has no such table.
func (r CheckReport) Count(table string) int64 {
	for _, c := range r.RowCounts {
		if c.Table == table {
			return c.Rows
		}
	}
	return -1
}

// checkedTables are the tables Check counts, in the order a report lists them.
var checkedTables = []string{"runs", "orders", "order_events", "fills", "marks", "balances", "risk_events",
	"hedge_instruments", "hedge_fills", "hedge_marks", "funding"}

// Check verifies the journal: SQLite's full integrity check, foreign keys, schema version and identity, and WAL
// mode (DESIGN.md §7). It reads only, so it runs beside a writing `mm run`. The error is for failures to run the
// checks; what the checks find is in the report.
func (j *Journal) Check(ctx context.Context) (CheckReport, error) {
	report := CheckReport{Path: j.path, LatestSchemaVersion: LatestSchemaVersion(),
		// Empty rather than nil, so that JSON shows [] for "checked, nothing found".
		IntegrityErrors: []string{}, ForeignKeyViolations: []FKViolation{}, Problems: []string{}}
	err := j.readerDB.QueryRowContext(ctx, `SELECT
		(SELECT user_version FROM pragma_user_version),
		(SELECT application_id FROM pragma_application_id),
		(SELECT journal_mode FROM pragma_journal_mode)`).Scan(&report.SchemaVersion, &report.ApplicationID,
		&report.JournalMode)
	if err != nil {
		return report, classify(j.path, fmt.Errorf("check: %w", err))
	}
	err = j.query(ctx, "integrity check", "PRAGMA integrity_check", nil, func(rows *sql.Rows) error {
		var line string
		err := rows.Scan(&line)
		if line != "ok" {
			report.IntegrityErrors = append(report.IntegrityErrors, line)
		}
		return err
	})
	if err != nil {
		return report, err
	}
	err = j.query(ctx, "foreign key check", "PRAGMA foreign_key_check", nil, func(rows *sql.Rows) error {
		var (
			v     FKViolation
			rowID sql.NullInt64
			index int64
		)
		err := rows.Scan(&v.Table, &rowID, &v.Parent, &index)
		v.RowID = rowID.Int64
		report.ForeignKeyViolations = append(report.ForeignKeyViolations, v)
		return err
	})
	if err != nil {
		return report, err
	}
	for _, table := range checkedTables {
		count := TableCount{Table: table, Rows: -1}
		var exists bool
		err := j.readerDB.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_schema
			WHERE type = 'table' AND name = ?`, table).Scan(&exists)
		if err == nil && exists {
			// The table name comes from checkedTables, not from input.
			err = j.readerDB.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&count.Rows)
		}
		if err != nil {
			return report, classify(j.path, fmt.Errorf("check: count %s: %w", table, err))
		}
		report.RowCounts = append(report.RowCounts, count)
	}
	report.Problems = append(report.Problems, report.problems()...)
	return report, nil
}

func (r CheckReport) problems() []string {
	var problems []string
	if r.ApplicationID != mmApplicationID {
		problems = append(problems, fmt.Sprintf("application_id is 0x%x, want 0x%x", r.ApplicationID, mmApplicationID))
	}
	if r.SchemaVersion != r.LatestSchemaVersion {
		problems = append(problems, fmt.Sprintf("schema v%d, this mm writes v%d", r.SchemaVersion,
			r.LatestSchemaVersion))
	}
	if r.JournalMode != "wal" {
		problems = append(problems, fmt.Sprintf("journal_mode is %s, want wal", r.JournalMode))
	}
	for _, line := range r.IntegrityErrors {
		problems = append(problems, "integrity: "+line)
	}
	for _, v := range r.ForeignKeyViolations {
		problems = append(problems, fmt.Sprintf("foreign key: %s row %d has no %s parent", v.Table, v.RowID, v.Parent))
	}
	for _, c := range r.RowCounts {
		if c.Rows < 0 {
			problems = append(problems, "missing table "+c.Table)
		}
	}
	return problems
}
