package journal

// The writer's statements, prepared once on the writer connection and reused by every batch.

// stmtID indexes writerStmts; the queue carries it instead of the SQL text.
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

var writerSQL = [numStmts]string{
	// DESIGN.md §3: a fill seen twice (reconcile, replayed websocket message, re-import) is stored once.
	stmtFill: `INSERT INTO fills (run_id, connector, market, base_asset, quote_asset, exchange_trade_id,
		client_order_id, side, price, amount, fee, fee_asset, is_maker, mid, ts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (connector, market, exchange_trade_id) DO NOTHING`,

	// Journaling an order again (acknowledged, became hanging) updates what may change; its identity and terms stay,
	// and a terminal status is not overwritten (see stmtOrderStatus).
	stmtOrder: `INSERT INTO orders (client_order_id, run_id, connector, market, side, order_type, price, amount,
		level, is_hanging, exchange_order_id, created_at, status, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (client_order_id) DO UPDATE SET
			is_hanging = excluded.is_hanging,
			exchange_order_id = coalesce(excluded.exchange_order_id, orders.exchange_order_id),
			status = CASE WHEN orders.status IN ('filled', 'cancelled', 'rejected', 'expired')
			              THEN orders.status ELSE excluded.status END,
			updated_at = max(orders.updated_at, excluded.updated_at)`,

	stmtOrderEvent: `INSERT INTO order_events (client_order_id, ts, event, detail) VALUES (?, ?, ?, ?)`,

	// Terminal statuses are sticky, because exchanges deliver events out of order (a late "partially_filled" after
	// "cancelled" must not reopen the order), with one exception: a fill that raced a cancel or an expiry wins.
	stmtOrderStatus: `UPDATE orders SET status = ?1, updated_at = max(updated_at, ?2)
		WHERE client_order_id = ?3
		  AND (status NOT IN ('filled', 'cancelled', 'rejected', 'expired')
		       OR (?1 = 'filled' AND status IN ('cancelled', 'expired')))`,

	stmtMark: `INSERT INTO marks (run_id, connector, market, ts, mid, best_bid, best_ask) VALUES (?, ?, ?, ?, ?, ?, ?)`,

	stmtBalance: `INSERT INTO balances (run_id, connector, account, asset, ts, total, available, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,

	stmtRiskEvent: `INSERT INTO risk_events (run_id, account, market, ts, guard, action, value, limit_value, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,

	stmtHedgeFill: `INSERT INTO hedge_fills (run_id, venue, instrument, trade_id, side, price, amount, fee, fee_asset, ts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (venue, instrument, trade_id) DO NOTHING`,

	stmtFunding: `INSERT INTO funding (run_id, venue, instrument, ts, amount, asset) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (venue, instrument, ts, asset) DO NOTHING`,
}
