package journal

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The writer is the journal's single writer goroutine (DESIGN.md §3 and §7, STYLE.md house rule 3). Records arrive
// on a buffered channel, already validated and converted to statement arguments, and are committed in batches:
// one IMMEDIATE transaction per batch, which is what makes inserting fast (reference/go.md §2.3) and what makes a
// crash lose a whole batch or nothing, never part of one.
//
// Error policy: the first failed commit is sticky. Its batch is rolled back, the error is sent on Err(), and every
// later Add*, Flush and Close returns it; the writer accepts nothing more, because silently continuing after a
// lost batch would leave gaps in money records (STYLE.md house rule 4: never log-and-continue).

type writeOp struct {
	stmt  stmtID
	args  []any
	flush chan error // non-nil for a Flush request: answered once everything queued before it is committed
}

type writer struct {
	path          string
	db            *sql.DB
	stmts         [numStmts]*sql.Stmt                  // one row each
	multi         [numStmts][len(chunkSizes)]*sql.Stmt // multi-row, prepared when a batch first needs them
	batch         batchWriter
	ops           chan writeOp
	batchSize     int
	flushInterval time.Duration

	// sendMu guards closed: senders hold it shared while they send, Close takes it exclusively to close ops, so a
	// send never hits a closed channel.
	sendMu sync.RWMutex
	closed bool
	done   chan struct{}

	failure   atomic.Pointer[error]
	errNotify chan error

	fillsInserted  atomic.Int64
	fillsDuplicate atomic.Int64
	batches        atomic.Int64
	records        atomic.Int64
}

// WriterStats counts what the writer has committed since Open.
type WriterStats struct {
	Batches        int64 // committed transactions
	Records        int64 // committed records of all kinds, duplicates included
	FillsInserted  int64 // fills stored
	FillsDuplicate int64 // fills ignored because (connector, market, exchange_trade_id) was already journaled
}

func startWriter(ctx context.Context, path string, db *sql.DB, o options) (*writer, error) {
	w := &writer{
		path:          path,
		db:            db,
		ops:           make(chan writeOp, o.queueSize),
		batchSize:     o.batchSize,
		flushInterval: o.flushInterval,
		done:          make(chan struct{}),
		errNotify:     make(chan error, 1),
	}
	w.batch.w = w
	for id, query := range writerSQL {
		stmt, err := db.PrepareContext(ctx, query)
		if err != nil {
			w.closeStmts()
			return nil, fmt.Errorf("journal %s: prepare: %w", path, err)
		}
		w.stmts[id] = stmt
	}
	go w.loop()
	return w, nil
}

func (w *writer) loop() {
	defer close(w.done)
	defer w.closeStmts()
	batch := make([]writeOp, 0, w.batchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	commit := func() {
		timer.Stop()
		if len(batch) > 0 {
			w.commit(batch)
			clear(batch) // drop references to the committed args
			batch = batch[:0]
		}
	}
	for {
		select {
		case op, ok := <-w.ops:
			switch {
			case !ok:
				commit()
				return
			case op.flush != nil:
				commit()
				op.flush <- w.err()
			default:
				batch = append(batch, op)
				if len(batch) >= w.batchSize {
					commit()
				} else if len(batch) == 1 {
					timer.Reset(w.flushInterval)
				}
			}
		case <-timer.C:
			commit()
		}
	}
}

// commit writes one batch in one transaction. It uses a background context: a caller's cancellation must not
// abort a batch that other callers' records are in; busy_timeout bounds the wait for the lock.
func (w *writer) commit(batch []writeOp) {
	if w.err() != nil {
		return // after a failure nothing more is written (see the error policy above)
	}
	inserted, duplicate, err := w.execBatch(context.Background(), batch)
	if err != nil {
		err = classify(w.path, fmt.Errorf("write batch of %d records: %w", len(batch), err))
		w.failure.Store(&err)
		w.errNotify <- err // capacity 1 and stored only once, so this never blocks
		return
	}
	w.batches.Add(1)
	w.records.Add(int64(len(batch)))
	w.fillsInserted.Add(inserted)
	w.fillsDuplicate.Add(duplicate)
}

// execBatch writes batch with multi-row statements (batch.go). If a statement fails, the transaction is rolled back
// and the batch is replayed one record per statement, in queue order, in a second transaction that is rolled back
// too, to find the record that failed: the error then names it ("order event for ghost (was the order journaled
// first?)") instead of a chunk of rows. Nothing of a failed batch is ever committed.
func (w *writer) execBatch(ctx context.Context, batch []writeOp) (inserted, duplicate int64, err error) {
	if err := w.prepareFor(ctx, rowCounts(batch)); err != nil {
		return 0, 0, err
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer w.batch.reset()
	if err := w.batch.write(ctx, tx, batch); err != nil {
		tx.Rollback() //nolint:errcheck // the batch has failed already
		if recordErr := w.failingRecord(ctx, batch); recordErr != nil {
			return 0, 0, recordErr
		}
		return 0, 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	return w.batch.inserted, w.batch.duplicate, nil
}

// failingRecord writes batch one record per statement, in queue order, in a transaction it always rolls back, and
// returns the error of the first record that fails; nil if none does (or if the transaction cannot begin).
func (w *writer) failingRecord(ctx context.Context, batch []writeOp) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil
	}
	defer tx.Rollback() //nolint:errcheck // always: this transaction only finds the failing record
	var txStmts [numStmts]*sql.Stmt
	stmt := func(id stmtID) *sql.Stmt {
		if txStmts[id] == nil {
			txStmts[id] = tx.StmtContext(ctx, w.stmts[id]) // reuses the statement prepared on this connection
		}
		return txStmts[id]
	}
	for _, op := range batch {
		switch op.stmt {
		case stmtFill:
			if _, err := stmt(stmtFill).ExecContext(ctx, op.args...); err != nil {
				return fmt.Errorf("fill %v: %w", op.args[5], err)
			}
		case stmtOrderEvent:
			if _, err := stmt(stmtOrderEvent).ExecContext(ctx, op.args[:4]...); err != nil {
				return fmt.Errorf("order event for %v (was the order journaled first?): %w", op.args[0], err)
			}
			status, ts, clientOrderID := op.args[4], op.args[1], op.args[0]
			if _, err := stmt(stmtOrderStatus).ExecContext(ctx, status, ts, clientOrderID); err != nil {
				return fmt.Errorf("order %v status: %w", clientOrderID, err)
			}
		default:
			if _, err := stmt(op.stmt).ExecContext(ctx, op.args...); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) err() error {
	if p := w.failure.Load(); p != nil {
		return *p
	}
	return nil
}

func (w *writer) closeStmts() {
	for _, stmt := range w.stmts {
		if stmt != nil {
			stmt.Close()
		}
	}
	for _, sizes := range w.multi {
		for _, stmt := range sizes {
			if stmt != nil {
				stmt.Close()
			}
		}
	}
}

// send queues op, blocking while the queue is full (back-pressure on a producer that outruns the disk).
func (w *writer) send(ctx context.Context, op writeOp) error {
	if err := w.err(); err != nil {
		return err
	}
	w.sendMu.RLock()
	defer w.sendMu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.ops <- op:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) flush(ctx context.Context) error {
	reply := make(chan error, 1)
	if err := w.send(ctx, writeOp{flush: reply}); err != nil {
		return err
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) close(ctx context.Context) error {
	w.sendMu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ops)
	}
	w.sendMu.Unlock()
	select {
	case <-w.done:
		return w.err()
	case <-ctx.Done():
		return fmt.Errorf("journal %s: close: %w", w.path, ctx.Err())
	}
}

// Flush waits until every record queued before it is committed, and returns the writer's error if a commit has
// failed (then and ever after).
func (j *Journal) Flush(ctx context.Context) error {
	if j.writer == nil {
		return ErrReadOnly
	}
	return j.writer.flush(ctx)
}

// Err delivers the writer's first commit failure, for a run loop that wants to stop as soon as journaling fails
// instead of at its next Flush. It never delivers more than one error; for a read-only journal it never delivers.
func (j *Journal) Err() <-chan error {
	if j.writer == nil {
		return nil
	}
	return j.writer.errNotify
}

// WriterStats reports what the writer has committed so far.
func (j *Journal) WriterStats() WriterStats {
	if j.writer == nil {
		return WriterStats{}
	}
	return WriterStats{
		Batches:        j.writer.batches.Load(),
		Records:        j.writer.records.Load(),
		FillsInserted:  j.writer.fillsInserted.Load(),
		FillsDuplicate: j.writer.fillsDuplicate.Load(),
	}
}

// queue sends a validator's arguments to the writer, or returns the validator's error.
func (j *Journal) queue(ctx context.Context, stmt stmtID, args []any, invalid error) error {
	if j.writer == nil {
		return ErrReadOnly
	}
	if invalid != nil {
		return invalid
	}
	return j.writer.send(ctx, writeOp{stmt: stmt, args: args})
}

// AddFill queues a fill. A fill already journaled (same connector, market and exchange trade id) is ignored when the
// batch commits, and counted in WriterStats.FillsDuplicate.
func (j *Journal) AddFill(ctx context.Context, f Fill) error {
	args, err := fillArgs(&f)
	return j.queue(ctx, stmtFill, args, err)
}

// AddOrder queues an order. Journaling the same client order id again updates its exchange order id, hanging flag,
// status and updated_at (a terminal status is kept).
func (j *Journal) AddOrder(ctx context.Context, o Order) error {
	args, err := orderArgs(&o)
	return j.queue(ctx, stmtOrder, args, err)
}

// AddOrderEvent queues an order event; when it commits, the order's status moves accordingly in the same
// transaction. The order must have been queued (AddOrder) before: the event references it, and a missing order
// fails the batch (ErrInvalidRecord can't catch it without a query).
func (j *Journal) AddOrderEvent(ctx context.Context, e OrderEvent) error {
	args, err := orderEventArgs(&e)
	return j.queue(ctx, stmtOrderEvent, args, err)
}

// AddMark queues a top-of-book mark.
func (j *Journal) AddMark(ctx context.Context, m Mark) error {
	args, err := markArgs(&m)
	return j.queue(ctx, stmtMark, args, err)
}

// AddBalance queues a balance snapshot.
func (j *Journal) AddBalance(ctx context.Context, b Balance) error {
	args, err := balanceArgs(&b)
	return j.queue(ctx, stmtBalance, args, err)
}

// AddRiskEvent queues a risk guard trip or clear. Callers that must not act before a trip is durable (a kill switch)
// call Flush after it.
func (j *Journal) AddRiskEvent(ctx context.Context, r RiskEvent) error {
	args, err := riskEventArgs(&r)
	return j.queue(ctx, stmtRiskEvent, args, err)
}

// AddHedgeFill queues a hedge venue trade; a duplicate (same venue, instrument, trade id) is ignored.
func (j *Journal) AddHedgeFill(ctx context.Context, h HedgeFill) error {
	args, err := hedgeFillArgs(&h)
	return j.queue(ctx, stmtHedgeFill, args, err)
}

// AddFunding queues a funding payment; a duplicate (same venue, instrument, time, asset) is ignored.
func (j *Journal) AddFunding(ctx context.Context, f Funding) error {
	args, err := fundingArgs(&f)
	return j.queue(ctx, stmtFunding, args, err)
}
