package journal

import "strings"

// The writer's statements, prepared once on the writer connection and reused by every batch.

// stmtID indexes writerSQL; the queue carries it instead of the SQL text.
type stmtID uint8

const (
	stmtFill stmtID = iota
	stmtOrder
	stmtOrderEvent
	stmtOrderStatus
	stmtMark
	stmtBalance
	stmtRiskEvent
	stmtHedgeFill
	stmtFunding
	numStmts
)

// insertSQL is an INSERT split around its VALUES tuples, so that the same statement can be written for one row
// (writerSQL) or for many (multiRowSQL): columns is the number of arguments of one row.
type insertSQL struct {
	head    string // up to and including VALUES
	columns int
	tail    string // the conflict clause, if any
}

// inserts are the writer's INSERT statements; stmtOrderStatus, an UPDATE, is not one of them.
var inserts = [numStmts]insertSQL{
	// DESIGN.md §3: a fill seen twice (reconcile, replayed websocket message, re-import) is stored once.
	stmtFill: {`INSERT INTO fills (run_id, connector, market, base_asset, quote_asset, exchange_trade_id,
		client_order_id, side, price, amount, fee, fee_asset, is_maker, mid, ts) VALUES`, 15,
		`ON CONFLICT (connector, market, exchange_trade_id) DO NOTHING`},

	// Journaling an order again (acknowledged, became hanging) updates what may change; its identity and terms stay,
	// and a terminal status is not overwritten (see stmtOrderStatus). In a multi-row INSERT, SQLite inserts the rows
	// one after the other, so an order twice in one statement is upserted twice, in order, as by two statements.
	stmtOrder: {`INSERT INTO orders (client_order_id, run_id, connector, market, side, order_type, price, amount,
		level, is_hanging, exchange_order_id, created_at, status, updated_at) VALUES`, 14,
		`ON CONFLICT (client_order_id) DO UPDATE SET
			is_hanging = excluded.is_hanging,
			exchange_order_id = coalesce(excluded.exchange_order_id, orders.exchange_order_id),
			status = CASE WHEN orders.status IN ('filled', 'cancelled', 'rejected', 'expired')
			              THEN orders.status ELSE excluded.status END,
			updated_at = max(orders.updated_at, excluded.updated_at)`},

	stmtOrderEvent: {`INSERT INTO order_events (client_order_id, ts, event, detail) VALUES`, 4, ``},

	stmtMark: {`INSERT INTO marks (run_id, connector, market, ts, mid, best_bid, best_ask) VALUES`, 7, ``},

	stmtBalance: {`INSERT INTO balances (run_id, connector, account, asset, ts, total, available, kind) VALUES`, 8,
		``},

	stmtRiskEvent: {`INSERT INTO risk_events (run_id, account, market, ts, guard, action, value, limit_value, detail)
		VALUES`, 9, ``},

	stmtHedgeFill: {`INSERT INTO hedge_fills (run_id, venue, instrument, trade_id, side, price, amount, fee, fee_asset,
		ts) VALUES`, 10, `ON CONFLICT (venue, instrument, trade_id) DO NOTHING`},

	stmtFunding: {`INSERT INTO funding (run_id, venue, instrument, ts, amount, asset) VALUES`, 6,
		`ON CONFLICT (venue, instrument, ts, asset) DO NOTHING`},
}

// orderStatusSQL moves an order's status after an event. Terminal statuses are sticky, because exchanges deliver
// events out of order (a late "partially_filled" after "cancelled" must not reopen the order), with one exception: a
// fill that raced a cancel or an expiry wins.
const orderStatusSQL = `UPDATE orders SET status = ?1, updated_at = max(updated_at, ?2)
		WHERE client_order_id = ?3
		  AND (status NOT IN ('filled', 'cancelled', 'rejected', 'expired')
		       OR (?1 = 'filled' AND status IN ('cancelled', 'expired')))`

// orderStatusColumns is the number of arguments of one status update: status, time, client order id.
const orderStatusColumns = 3

// writerSQL is the one-row form of every writer statement: InsertFills uses it, and a failed batch is replayed with
// it to report the record that failed (see writer.execBatch).
var writerSQL = func() [numStmts]string {
	var s [numStmts]string
	for id := range numStmts {
		if id == stmtOrderStatus {
			s[id] = orderStatusSQL
		} else {
			s[id] = multiRowSQL(id, 1)
		}
	}
	return s
}()

// multiRowSQL is statement id for n rows. For stmtOrderStatus it is one UPDATE … FROM a VALUES list with the same
// rule as orderStatusSQL; it is only correct when the n rows name n different orders (an UPDATE … FROM updates a
// row at most once, with an arbitrary one of its matches), which the writer guarantees (see statusRounds).
func multiRowSQL(id stmtID, n int) string {
	if id == stmtOrderStatus {
		return `UPDATE orders SET status = v.column1, updated_at = max(orders.updated_at, v.column2)
		FROM (VALUES ` + tuples(orderStatusColumns, n) + `) AS v
		WHERE orders.client_order_id = v.column3
		  AND (orders.status NOT IN ('filled', 'cancelled', 'rejected', 'expired')
		       OR (v.column1 = 'filled' AND orders.status IN ('cancelled', 'expired')))`
	}
	s := inserts[id]
	q := s.head + " " + tuples(s.columns, n)
	if s.tail != "" {
		q += "\n\t\t" + s.tail
	}
	return q
}

// tuples is n parenthesised lists of columns placeholders.
func tuples(columns, n int) string {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", columns), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
}
