package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ImportBatch is everything one `mm journal import` stores. Import writes all of it in one transaction or none of
// it (DESIGN.md §1: bad input exits 2 with nothing written).
type ImportBatch struct {
	Fills    []Fill
	Marks    []Mark
	Balances []Balance
	// Hedge instruments' contract terms, and the hedge fills, hedge marks and funding payments that need them
	// (hedge.go).
	HedgeInstruments []HedgeInstrument
	HedgeFills       []HedgeFill
	HedgeMarks       []HedgeMark
	Funding          []Funding
}

// ImportCounts says how many records of one kind were stored and how many were already in the journal (or earlier
// in the same batch) and so were skipped.
type ImportCounts struct {
	New       int `json:"new"`
	Duplicate int `json:"duplicate"`
}

// ImportResult counts what Import stored, per kind.
type ImportResult struct {
	Fills            ImportCounts `json:"fills"`
	Marks            ImportCounts `json:"marks"`
	Balances         ImportCounts `json:"balances"`
	HedgeInstruments ImportCounts `json:"hedge_instruments"`
	HedgeFills       ImportCounts `json:"hedge_fills"`
	HedgeMarks       ImportCounts `json:"hedge_marks"`
	Funding          ImportCounts `json:"funding"`
}

// Import stores a batch synchronously in one IMMEDIATE transaction, idempotently: a fill already journaled (same
// connector, market and exchange trade id) is skipped, as is a mark identical in (connector, market, time, mid) or a
// balance identical in (connector, account, asset, time, total). Hedge records follow the same rules (importHedges):
// hedge fills unique on (venue, instrument, trade id), funding on (venue, instrument, time, asset), identical hedge
// marks and contract terms skipped. Importing the same files twice therefore stores them once.
//
// An invalid record (ErrInvalidRecord, naming its kind and 1-based position) leaves the journal unchanged: marks and
// balances are validated before the transaction begins, fills while it runs (see validateBatch), and any failure
// rolls the transaction back whole. The records' RunID must be 0 or an existing run.
func (j *Journal) Import(ctx context.Context, batch ImportBatch) (ImportResult, error) {
	if j.writerDB == nil {
		return ImportResult{}, ErrReadOnly
	}
	if err := validateBatch(batch); err != nil {
		return ImportResult{}, err
	}
	conn, err := j.writerDB.Conn(ctx)
	if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	defer conn.Close()
	restore, err := tuneForImport(ctx, conn)
	if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	defer restore()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var result ImportResult
	if result.Fills, err = importFills(ctx, tx, batch.Fills); errors.Is(err, ErrInvalidRecord) {
		return ImportResult{}, err
	} else if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	result.Marks, err = importGuarded(ctx, tx, "mark", importMarkSQL, len(batch.Marks), func(i int) []any {
		args, _ := markArgs(&batch.Marks[i]) // validated above
		return args
	})
	if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	result.Balances, err = importGuarded(ctx, tx, "balance", importBalanceSQL, len(batch.Balances), func(i int) []any {
		args, _ := balanceArgs(&batch.Balances[i])
		return args
	})
	if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	if err := importHedges(ctx, tx, batch, &result); errors.Is(err, ErrInvalidRecord) {
		return ImportResult{}, err
	} else if err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return ImportResult{}, classify(j.path, fmt.Errorf("import: commit: %w", err))
	}
	return result, nil
}

// importPragmas tune the writer connection for the length of an import, and are restored afterwards. Trade ids that
// are not ascending (UUID-like exchange ids, files not in time order) land all over the unique index, so each
// multi-row INSERT touches many pages: with SQLite's defaults (a 2 MB page cache, statement journals in temporary
// files) a million fills with hash ids took 23 s on the reference machine, 17.5 s with these settings. The cache is
// allocated only as pages are touched.
var importPragmas = []struct{ name, value string }{
	{"cache_size", "-262144"},
	{"temp_store", "2"}, // MEMORY
}

// tuneForImport applies importPragmas to conn and returns the function that restores the previous values.
func tuneForImport(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	var previous []string
	restore = func() {
		// Best effort: these pragmas only affect speed, and the connection stays correct either way.
		for i, value := range previous {
			conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA "+importPragmas[i].name+" = "+value) //nolint:errcheck
		}
	}
	for _, p := range importPragmas {
		var value string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&value); err != nil {
			restore()
			return nil, err
		}
		// PRAGMA values cannot be bound parameters; ours are constants and the previous values integers.
		if _, err := conn.ExecContext(ctx, "PRAGMA "+p.name+" = "+p.value); err != nil {
			restore()
			return nil, err
		}
		previous = append(previous, value)
	}
	return restore, nil
}

// validateBatch validates the marks and balances before the transaction begins. Fills, the bulk of a large import,
// are validated as their statements are formatted (formatFillChunks): a million fills would otherwise be validated
// and formatted twice, and an invalid one still writes nothing, because it aborts the transaction before the commit.
func validateBatch(batch ImportBatch) error {
	for i := range batch.Marks {
		if _, err := markArgs(&batch.Marks[i]); err != nil {
			return fmt.Errorf("import mark %d: %w", i+1, err)
		}
	}
	for i := range batch.Balances {
		if _, err := balanceArgs(&batch.Balances[i]); err != nil {
			return fmt.Errorf("import balance %d: %w", i+1, err)
		}
	}
	return validateHedgeBatch(batch)
}

// fillsPerInsert is how many fills one multi-row INSERT carries. One statement per fill spends most of its time in
// database/sql and the driver rather than in SQLite; 64 rows (960 parameters, far below SQLite's limit of 32766)
// amortises that overhead.
const fillsPerInsert = 64

// importFills inserts fills in multi-row statements; a statement's RowsAffected counts the fills that were new.
// A second goroutine formats the arguments of the next statements while SQLite executes the current one.
func importFills(ctx context.Context, tx *sql.Tx, fills []Fill) (ImportCounts, error) {
	var counts ImportCounts
	if len(fills) == 0 {
		return counts, nil
	}
	statements := map[int]*sql.Stmt{}
	defer func() {
		for _, stmt := range statements {
			stmt.Close()
		}
	}()
	chunks, free, stop := make(chan fillChunk, 4), make(chan []any, 6), make(chan struct{})
	defer close(stop)
	for range cap(free) {
		free <- make([]any, 0, fillsPerInsert*inserts[stmtFill].columns)
	}
	go formatFillChunks(fills, chunks, free, stop)
	for chunk := range chunks {
		if chunk.err != nil {
			return counts, chunk.err
		}
		stmt, ok := statements[chunk.n]
		if !ok {
			var err error
			if stmt, err = tx.PrepareContext(ctx, multiRowSQL(stmtFill, chunk.n)); err != nil {
				return counts, fmt.Errorf("prepare fill insert: %w", err)
			}
			statements[chunk.n] = stmt
		}
		result, err := stmt.ExecContext(ctx, chunk.args...)
		if err != nil {
			return counts, fmt.Errorf("fills %d-%d: %w", chunk.start+1, chunk.start+chunk.n, err)
		}
		n, err := result.RowsAffected()
		if err != nil {
			return counts, err
		}
		counts.New += int(n)
		counts.Duplicate += chunk.n - int(n)
		free <- chunk.args
	}
	return counts, nil
}

// fillChunk is the arguments of one multi-row INSERT: n fills from index start.
type fillChunk struct {
	start, n int
	args     []any
	err      error // the first invalid fill of the chunk (ErrInvalidRecord); the chunk is not to be executed
}

// formatFillChunks sends the arguments of fills, fillsPerInsert at a time, reusing the argument slices the
// inserting goroutine hands back on free; it stops early when stop closes.
func formatFillChunks(fills []Fill, chunks chan<- fillChunk, free chan []any, stop <-chan struct{}) {
	defer close(chunks)
	for start := 0; start < len(fills); start += fillsPerInsert {
		var args []any
		select {
		case args = <-free:
		case <-stop:
			return
		}
		args = args[:0]
		end := min(start+fillsPerInsert, len(fills))
		var invalid error
		for i := start; i < end && invalid == nil; i++ {
			row, err := fillArgs(&fills[i])
			if err != nil {
				invalid = fmt.Errorf("import fill %d: %w", i+1, err)
			}
			args = append(args, row...)
		}
		select {
		case chunks <- fillChunk{start: start, n: end - start, args: args, err: invalid}:
		case <-stop:
			return
		}
	}
}

// Marks and balances have no natural unique key (a run may journal two marks in one millisecond), so a unique
// index would make the run's writer fail; the import statements skip an identical row with NOT EXISTS instead,
// which the (market, ts) and (asset, ts) indexes answer. Positional parameters follow markArgs and balanceArgs.
const (
	importMarkSQL = `INSERT INTO marks (run_id, connector, market, ts, mid, best_bid, best_ask)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
		WHERE NOT EXISTS (SELECT 1 FROM marks WHERE market = ?3 AND ts = ?4 AND connector = ?2 AND mid = ?5)`

	importBalanceSQL = `INSERT INTO balances (run_id, connector, account, asset, ts, total, available, kind)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
		WHERE NOT EXISTS (SELECT 1 FROM balances WHERE asset = ?4 AND ts = ?5 AND connector = ?2 AND account = ?3
		                  AND total = ?6)`
)

// importGuarded runs one guarded single-row INSERT per record; a row the guard skipped is a duplicate.
func importGuarded(ctx context.Context, tx *sql.Tx, what, query string, n int, args func(int) []any) (ImportCounts,
	error) {
	var counts ImportCounts
	if n == 0 {
		return counts, nil
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return counts, fmt.Errorf("prepare %s insert: %w", what, err)
	}
	defer stmt.Close()
	for i := range n {
		result, err := stmt.ExecContext(ctx, args(i)...)
		if err != nil {
			return counts, fmt.Errorf("%s %d: %w", what, i+1, err)
		}
		inserted, err := result.RowsAffected()
		if err != nil {
			return counts, err
		}
		counts.New += int(inserted)
		counts.Duplicate += 1 - int(inserted)
	}
	return counts, nil
}
