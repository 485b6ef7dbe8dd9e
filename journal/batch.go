package journal

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// A batch is written with multi-row statements: one statement per table per chunkSizes rows instead of one per
// record, because with modernc.org/sqlite most of a one-row INSERT's cost is database/sql and the driver, not SQLite
// (docs/BENCHMARKS.md). Grouping a batch by table must not change what the batch writes, so the grouping keeps every
// order that matters:
//
//   - Rows of one table are inserted in the order they were queued, so their ids (and the orders table's rowids)
//     are what one statement per record gives. Tables that nothing else in a batch depends on (fills, marks,
//     balances, risk events, hedge fills, funding) are written at the end of the batch, each in its own order.
//   - What touches the orders table is written segment by segment: the segment's upserts, then its order events
//     (whose foreign key needs the order), then the status updates the events imply. Status updates run in rounds,
//     the first update of each order in the first statement, its second update in the second one, and so on, so
//     that no statement updates an order twice (see multiRowSQL). Updates of different orders commute.
//   - An order upserted twice in a segment, with nothing else of it in between (its events' status updates come
//     after all its upserts, see the next point), is upserted once, with the two rows merged as the upsert's
//     conflict clause would merge them (mergeUpserts): `mm run` journals every order twice, placed and then
//     acknowledged, and the second upsert costs as much as the first.
//   - The status update of an event that follows the order's upsert in the same segment and sets the status the
//     upsert set, no later than its updated_at, is skipped: it would change nothing (unchanged).
//   - An order upserted again after an event of it was queued in the same batch (an order acknowledged after its
//     "unknown" event, say) closes a segment: everything queued for the orders table so far is written before the
//     upsert is, so the upsert sees the status the event set, as it would have.
//
// A statement that fails fails the batch; the batch is then replayed one record per statement in a transaction that
// is always rolled back, so that the error names the record that failed, as it did before (see writer.execBatch).

// chunkSizes are the row counts of the prepared multi-row statements, largest first; a table's rows are written
// greedily, largest chunk that fits first, and no statement has more than maxParams parameters (maxRows).
var chunkSizes = [...]int{256, 128, 64, 16, 4, 1}

// maxParams bounds the parameters of one statement, so that database/sql's per-execution []driver.NamedValue
// (40 bytes a parameter) stays a small allocation. Measured with BenchmarkWriter*, 512, 1024 and 4096 give the
// same rates within noise; what matters is leaving one statement per row.
const maxParams = 1024

// maxRows is the largest chunk size of each statement within maxParams: 64 fills or orders, 128 marks or
// balances, 256 order events or status updates.
var maxRows = func() (n [numStmts]int) {
	for id := range numStmts {
		for _, size := range chunkSizes {
			if size*columnsOf(id) <= maxParams || size == 1 {
				n[id] = size
				break
			}
		}
	}
	return n
}()

// batchWriter is the state of one batch being written. It lives as long as the writer and is reset per batch, so
// that its slices are reused.
type batchWriter struct {
	w       *writer
	ctx     context.Context
	tx      *sql.Tx
	txStmts [numStmts][len(chunkSizes)]*sql.Stmt

	rows   [numStmts][][]any // pending rows per INSERT, in queue order (an order event's row has the status too)
	rounds [][][]any         // pending status updates: rounds[r] holds the (r+1)-th update of each order
	seen   map[string]int    // pending status updates per client order id, in the current segment
	upsert map[string]int    // index in rows[stmtOrder] of an order's pending upsert, in the current segment
	args   []any             // the arguments of one statement

	inserted, duplicate int64 // fills
}

// rowCounts reports how many rows of each statement batch holds, so that the statements it needs can be prepared
// before its transaction begins (the writer has one connection, which the transaction holds).
func rowCounts(batch []writeOp) (n [numStmts]int) {
	for _, op := range batch {
		n[op.stmt]++
		if op.stmt == stmtOrderEvent {
			n[stmtOrderStatus]++
		}
	}
	return n
}

// prepareFor prepares, once per writer, the multi-row statements a batch with counts rows per statement can use.
func (w *writer) prepareFor(ctx context.Context, counts [numStmts]int) error {
	for id := range numStmts {
		for k, size := range chunkSizes {
			if size == 1 || size > counts[id] || size > maxRows[id] || w.multi[id][k] != nil {
				continue
			}
			stmt, err := w.db.PrepareContext(ctx, multiRowSQL(id, size))
			if err != nil {
				return fmt.Errorf("prepare: %w", err)
			}
			w.multi[id][k] = stmt
		}
	}
	return nil
}

// release empties rows for reuse, dropping its references to the records' arguments.
func release(rows [][]any) [][]any {
	clear(rows[:cap(rows)])
	return rows[:0]
}

func (b *batchWriter) reset() {
	for id := range b.rows {
		b.rows[id] = release(b.rows[id])
	}
	rounds := b.rounds[:cap(b.rounds)]
	for r := range rounds {
		rounds[r] = release(rounds[r])
	}
	b.rounds = rounds[:0]
	clear(b.seen)
	clear(b.upsert)
	clear(b.args[:cap(b.args)])
	b.args = b.args[:0]
	b.txStmts = [numStmts][len(chunkSizes)]*sql.Stmt{}
	b.tx, b.ctx = nil, nil
	b.inserted, b.duplicate = 0, 0
}

// write queues batch's records into statements and executes them in tx.
func (b *batchWriter) write(ctx context.Context, tx *sql.Tx, batch []writeOp) error {
	b.ctx, b.tx = ctx, tx
	if b.seen == nil {
		b.seen, b.upsert = make(map[string]int), make(map[string]int)
	}
	for _, op := range batch {
		switch op.stmt {
		case stmtOrder:
			id := op.args[0].(string)
			if b.seen[id] > 0 {
				if err := b.flushOrders(); err != nil {
					return err
				}
			}
			if i, ok := b.upsert[id]; ok {
				b.rows[stmtOrder][i] = mergeUpserts(b.rows[stmtOrder][i], op.args)
				continue
			}
			b.upsert[id] = len(b.rows[stmtOrder])
		case stmtOrderEvent:
			id := op.args[0].(string)
			r := b.seen[id]
			b.seen[id] = r + 1
			if r == 0 && b.unchanged(id, op.args) {
				break // the event is still inserted; a later upsert of the order still closes the segment
			}
			for len(b.rounds) <= r {
				b.rounds = append(b.rounds, nil)
			}
			b.rounds[r] = append(b.rounds[r], op.args)
		}
		b.rows[op.stmt] = append(b.rows[op.stmt], op.args)
	}
	if err := b.flushOrders(); err != nil {
		return err
	}
	for _, id := range [...]stmtID{stmtFill, stmtMark, stmtBalance, stmtRiskEvent, stmtHedgeFill, stmtFunding} {
		if err := b.flush(id, b.rows[id]); err != nil {
			return err
		}
		b.rows[id] = release(b.rows[id])
	}
	return nil
}

// flushOrders writes the current segment of the orders table: upserts, then events, then status updates by round.
func (b *batchWriter) flushOrders() error {
	for _, id := range [...]stmtID{stmtOrder, stmtOrderEvent} {
		if err := b.flush(id, b.rows[id]); err != nil {
			return err
		}
		b.rows[id] = release(b.rows[id])
	}
	for r := range b.rounds {
		if err := b.flush(stmtOrderStatus, b.rounds[r]); err != nil {
			return err
		}
		b.rounds[r] = release(b.rounds[r])
	}
	b.rounds = b.rounds[:0]
	clear(b.seen)
	clear(b.upsert)
	return nil
}

// flush executes statement id for rows, in chunks.
func (b *batchWriter) flush(id stmtID, rows [][]any) error {
	for len(rows) > 0 {
		k := 0
		for chunkSizes[k] > len(rows) || chunkSizes[k] > maxRows[id] {
			k++
		}
		n := chunkSizes[k]
		if err := b.exec(id, k, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func (b *batchWriter) exec(id stmtID, k int, rows [][]any) error {
	stmt := b.txStmts[id][k]
	if stmt == nil {
		prepared := b.w.multi[id][k]
		if chunkSizes[k] == 1 {
			prepared = b.w.stmts[id]
		}
		stmt = b.tx.StmtContext(b.ctx, prepared) // reuses the statement prepared on this connection
		b.txStmts[id][k] = stmt
	}
	args := b.args[:0]
	if id == stmtOrderStatus {
		for _, row := range rows { // an order event's row: client order id, time, event, detail, status
			args = append(args, row[4], row[1], row[0])
		}
	} else {
		columns := inserts[id].columns
		for _, row := range rows {
			args = append(args, row[:columns]...)
		}
	}
	b.args = args
	result, err := stmt.ExecContext(b.ctx, args...)
	if err != nil {
		return fmt.Errorf("%d %s rows: %w", len(rows), tableOf[id], err)
	}
	if id == stmtFill {
		n, err := result.RowsAffected()
		if err != nil {
			return err
		}
		b.inserted += n
		b.duplicate += int64(len(rows)) - n
	}
	return nil
}

// tableOf names the table a statement writes, for errors.
var tableOf = [numStmts]string{
	stmtFill: "fills", stmtOrder: "orders", stmtOrderEvent: "order_events", stmtOrderStatus: "orders (status)",
	stmtMark: "marks", stmtBalance: "balances", stmtRiskEvent: "risk_events", stmtHedgeFill: "hedge_fills",
	stmtFunding: "funding",
}

// unchanged reports whether the status update of an order event (orderEventArgs) would change nothing, because it
// comes right after an upsert of the order in this segment (nothing of the order in between) that sets the same
// status at the same time or later. Then, whether the order existed or not and whatever its status was, the
// update either is not applied (a terminal status stays) or sets the status and updated_at the upsert left:
// `mm run` journals every order's "created" event right after journaling the order open. A "filled" update is
// never skipped, because it can replace a terminal status the upsert kept.
func (b *batchWriter) unchanged(id string, event []any) bool {
	i, ok := b.upsert[id]
	if !ok {
		return false
	}
	order := b.rows[stmtOrder][i]
	status := event[4].(string)
	return status != StatusFilled && status == order[orderStatus].(string) &&
		event[1].(int64) <= order[orderUpdatedAt].(int64)
}

// Columns of orderArgs that an upsert of an existing order changes (inserts[stmtOrder].tail).
const (
	orderIsHanging       = 9
	orderExchangeOrderID = 10
	orderStatus          = 12
	orderUpdatedAt       = 13
)

// mergeUpserts returns the row whose upsert has the effect of upserting first and then second, for two rows of
// the same order (orderArgs): whether or not the order exists, the identity and terms come from first, and the
// columns the conflict clause updates are combined as it combines them. TestBatchedWriterMatchesOneRecordPerBatch
// checks this against SQLite, with every status. It returns a new slice: first and second stay as queued, for a replay.
func mergeUpserts(first, second []any) []any {
	m := slices.Clone(first)
	m[orderIsHanging] = second[orderIsHanging]
	if second[orderExchangeOrderID] != nil { // coalesce(excluded.exchange_order_id, orders.exchange_order_id)
		m[orderExchangeOrderID] = second[orderExchangeOrderID]
	}
	if !terminalStatus(first[orderStatus].(string)) {
		m[orderStatus] = second[orderStatus]
	}
	m[orderUpdatedAt] = max(first[orderUpdatedAt].(int64), second[orderUpdatedAt].(int64))
	return m
}

// terminalStatus reports the statuses the orders statements never overwrite ('filled', 'cancelled', 'rejected',
// 'expired' in inserts[stmtOrder].tail), except as orderStatusSQL allows.
func terminalStatus(status string) bool {
	switch status {
	case StatusFilled, StatusCancelled, StatusRejected, StatusExpired:
		return true
	}
	return false
}

// columnsOf is the number of arguments of one row of statement id.
func columnsOf(id stmtID) int {
	if id == stmtOrderStatus {
		return orderStatusColumns
	}
	return inserts[id].columns
}
