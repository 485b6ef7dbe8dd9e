package journal

import (
	"context"
	"fmt"
	"time"
)

// Synchronous writes, for what must be durable (or needs its id) before the caller goes on. They use the writer's
// connection, so they are serialised with the writer goroutine's batches: still one writer (reference/go.md §2.2).

// StartRun journals the start of a run and returns its id, which the run's records carry as RunID.
func (j *Journal) StartRun(ctx context.Context, r Run) (int64, error) {
	if j.writerDB == nil {
		return 0, ErrReadOnly
	}
	args, err := runArgs(&r)
	if err != nil {
		return 0, err
	}
	var id int64
	err = j.writerDB.QueryRowContext(ctx, `INSERT INTO runs (account, connector, market, config_hash, config,
		started_at, mm_version) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
	if err != nil {
		return 0, classify(j.path, fmt.Errorf("start run: %w", err))
	}
	return id, nil
}

// EndRun records how a run ended. It flushes the writer first, so that the run's records are committed before the
// run is marked as ended.
func (j *Journal) EndRun(ctx context.Context, id int64, endedAt time.Time, reason string, exitCode int) error {
	if j.writerDB == nil {
		return ErrReadOnly
	}
	if endedAt.IsZero() {
		return invalid("run", "ended at is zero")
	}
	if err := j.Flush(ctx); err != nil {
		return err
	}
	result, err := j.writerDB.ExecContext(ctx, `UPDATE runs SET ended_at = ?, exit_reason = ?, exit_code = ?
		WHERE id = ?`, toMillis(endedAt), reason, exitCode, id)
	if err != nil {
		return classify(j.path, fmt.Errorf("end run %d: %w", id, err))
	}
	if n, err := result.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("journal %s: end run %d: no such run", j.path, id)
	}
	return nil
}

// InsertFills stores fills in one transaction and reports how many were new; fills already journaled (same
// connector, market and exchange trade id) are skipped. Every fill is validated before anything is written, so an
// invalid one (ErrInvalidRecord) leaves the journal unchanged: `mm journal import` exits 2 with nothing written
// (DESIGN.md §1).
func (j *Journal) InsertFills(ctx context.Context, fills []Fill) (inserted int, err error) {
	if j.writerDB == nil {
		return 0, ErrReadOnly
	}
	rows := make([][]any, len(fills))
	for i := range fills {
		if rows[i], err = fillArgs(&fills[i]); err != nil {
			return 0, fmt.Errorf("fill %d: %w", i+1, err)
		}
	}
	tx, err := j.writerDB.BeginTx(ctx, nil)
	if err != nil {
		return 0, classify(j.path, fmt.Errorf("insert fills: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	stmt := tx.StmtContext(ctx, j.writer.stmts[stmtFill])
	for i, args := range rows {
		result, err := stmt.ExecContext(ctx, args...)
		if err != nil {
			return 0, classify(j.path, fmt.Errorf("insert fill %d (%s): %w", i+1, fills[i].ExchangeTradeID, err))
		}
		n, err := result.RowsAffected()
		if err != nil {
			return 0, classify(j.path, err)
		}
		inserted += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, classify(j.path, fmt.Errorf("insert fills: %w", err))
	}
	return inserted, nil
}
