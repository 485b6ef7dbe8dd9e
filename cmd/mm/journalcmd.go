package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
)

// NewCmdJournal builds `mm journal` and its subcommands.
func NewCmdJournal(global *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "journal",
		Short: "Inspect and maintain the SQLite trade journal",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("mm journal needs a subcommand: %s", strings.Join(subcommandNames(cmd), ", "))
		},
	}
	cmd.AddCommand(NewCmdJournalCheck(global, nil), NewCmdJournalImport(global, nil), NewCmdJournalExport(global, nil),
		NewCmdJournalMigrate(global, nil))
	return cmd
}

func subcommandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
	}
	return names
}

// JournalCheckOptions are the inputs of mm journal check.
type JournalCheckOptions struct {
	*GlobalOptions
}

// NewCmdJournalCheck builds `mm journal check`; runF replaces the run function in tests.
func NewCmdJournalCheck(global *GlobalOptions, runF func(context.Context, *JournalCheckOptions) error) *cobra.Command {
	opts := &JournalCheckOptions{GlobalOptions: global}
	return &cobra.Command{
		Use:   "check",
		Short: "Check the journal's integrity, foreign keys and schema version",
		Long: `Check the journal: SQLite's integrity check, the foreign-key check, the schema version against the one this
mm writes, the journal mode, and the number of rows in every table. The journal is opened read-only; nothing is
changed. A journal that fails any check exits 1 with every problem listed.

` + exitStatusHelp,
		Example: `  mm journal check
  mm journal check --journal /var/lib/mm/btc.db -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return journalCheckRun(cmd.Context(), opts)
		},
	}
}

func journalCheckRun(ctx context.Context, opts *JournalCheckOptions) error {
	j, err := journal.OpenReadOnly(ctx, opts.JournalPath)
	if err != nil {
		return err
	}
	defer j.Close(ctx)
	report, err := j.Check(ctx)
	if err != nil {
		return err
	}
	out := opts.IO.Out
	switch opts.Output {
	case outputJSON:
		if err := writeJSON(out, checkJSON{CheckReport: report, OK: report.OK()}); err != nil {
			return err
		}
	case outputCSV:
		if err := checkTable(report).WriteCSV(out); err != nil {
			return err
		}
	default:
		if err := checkTable(report).Render(out); err != nil {
			return err
		}
		fmt.Fprintf(out, "result: %s\n", map[bool]string{true: "OK", false: "FAILED"}[report.OK()])
	}
	if !report.OK() {
		return &ExitError{Code: exitFailure, Err: errors.New("journal " + opts.JournalPath + " failed its check: " +
			strings.Join(report.Problems, "; "))}
	}
	return nil
}

type checkJSON struct {
	journal.CheckReport
	OK bool `json:"ok"`
}

// checkTable lays the report out as check/result rows, one per check and one per table.
func checkTable(r journal.CheckReport) Table {
	status := func(ok bool) string { return map[bool]string{true: "ok", false: "FAILED"}[ok] }
	integrity := "ok"
	if len(r.IntegrityErrors) > 0 {
		integrity = strings.Join(r.IntegrityErrors, "; ")
	}
	fk := "ok"
	if n := len(r.ForeignKeyViolations); n > 0 {
		first := r.ForeignKeyViolations[0]
		fk = fmt.Sprintf("%d violation(s), first: %s row %d has no %s", n, first.Table, first.RowID, first.Parent)
	}
	t := Table{
		Header: []string{"check", "status", "detail"},
		Rows: [][]string{
			{"journal", "", r.Path},
			{"integrity", status(len(r.IntegrityErrors) == 0), integrity},
			{"foreign keys", status(len(r.ForeignKeyViolations) == 0), fk},
			{"schema version", status(r.SchemaVersion == r.LatestSchemaVersion),
				fmt.Sprintf("%d (this mm writes %d)", r.SchemaVersion, r.LatestSchemaVersion)},
			{"journal mode", status(r.JournalMode == "wal"), r.JournalMode},
		},
	}
	for _, c := range r.RowCounts {
		t.Rows = append(t.Rows, []string{"rows in " + c.Table, "", strconv.FormatInt(c.Rows, 10)})
	}
	return t
}
