package journal

import (
	"context"
	"database/sql"
)

// Runs returns every run, oldest first.
func (j *Journal) Runs(ctx context.Context) ([]Run, error) {
	var runs []Run
	err := j.query(ctx, "runs", `SELECT id, account, connector, market, config_hash, config, started_at, ended_at,
		exit_reason, exit_code, mm_version FROM runs ORDER BY id`, nil, func(rows *sql.Rows) error {
		var (
			r         Run
			startedAt int64
			endedAt   sql.NullInt64
			reason    sql.NullString
			exitCode  sql.NullInt64
		)
		if err := rows.Scan(&r.ID, &r.Account, &r.Connector, &r.Market, &r.ConfigHash, &r.Config, &startedAt,
			&endedAt, &reason, &exitCode, &r.MMVersion); err != nil {
			return err
		}
		r.StartedAt = fromMillis(startedAt)
		if endedAt.Valid {
			r.EndedAt = fromMillis(endedAt.Int64)
		}
		r.ExitReason = reason.String
		if exitCode.Valid {
			code := int(exitCode.Int64)
			r.ExitCode = &code
		}
		runs = append(runs, r)
		return nil
	})
	return runs, err
}

// Orders returns every order matching the filter, ordered by creation time.
func (j *Journal) Orders(ctx context.Context, filter OrderFilter) ([]Order, error) {
	return collect(func(fn func(*Order) error) error { return j.ScanOrders(ctx, filter, fn) })
}

// ScanOrders calls fn with every order matching the filter, in the order of Orders. The record is reused.
func (j *Journal) ScanOrders(ctx context.Context, filter OrderFilter, fn func(*Order) error) error {
	var w where
	w.text("connector", filter.Connector)
	w.text("market", filter.Market)
	w.text("status", filter.Status)
	w.runID(filter.RunID)
	w.window("created_at", filter.Since, filter.Until)
	var o Order
	return j.scan(ctx, "orders", `SELECT client_order_id, coalesce(run_id, 0), connector, market, side, order_type,
		price, amount, level, is_hanging, coalesce(exchange_order_id, ''), created_at, status, updated_at
		FROM orders`+w.String()+" ORDER BY created_at, client_order_id", w.args, func(rows *sql.Rows) error {
		var (
			price, amount        string
			level                sql.NullInt64
			hanging              int64
			createdAt, updatedAt int64
			errPrice, errAmount  error
		)
		if err := rows.Scan(&o.ClientOrderID, &o.RunID, &o.Connector, &o.Market, &o.Side, &o.OrderType, &price,
			&amount, &level, &hanging, &o.ExchangeOrderID, &createdAt, &o.Status, &updatedAt); err != nil {
			return err
		}
		o.Price, errPrice = parseDecimal("orders.price", price)
		o.Amount, errAmount = parseDecimal("orders.amount", amount)
		o.Level = nil
		if level.Valid {
			l := int(level.Int64)
			o.Level = &l
		}
		o.IsHanging = hanging == 1
		o.CreatedAt, o.UpdatedAt = fromMillis(createdAt), fromMillis(updatedAt)
		return firstErr(errPrice, errAmount)
	}, func() error { return fn(&o) })
}

// OrderEvents returns the lifecycle of one order, oldest first.
func (j *Journal) OrderEvents(ctx context.Context, clientOrderID string) ([]OrderEvent, error) {
	var events []OrderEvent
	err := j.query(ctx, "order events", `SELECT id, client_order_id, ts, event, coalesce(detail, '')
		FROM order_events WHERE client_order_id = ? ORDER BY ts, id`, []any{clientOrderID},
		func(rows *sql.Rows) error {
			var (
				e  OrderEvent
				ts int64
			)
			err := rows.Scan(&e.ID, &e.ClientOrderID, &ts, &e.Event, &e.Detail)
			e.Time = fromMillis(ts)
			events = append(events, e)
			return err
		})
	return events, err
}

// TrippedGuards returns, per guard, the latest risk event of account and market if it is a trip: the guards that
// are still tripped. DESIGN.md §6: a tripped guard stays tripped across restarts until cleared.
func (j *Journal) TrippedGuards(ctx context.Context, account, market string) ([]RiskEvent, error) {
	var tripped []RiskEvent
	err := j.query(ctx, "risk events", "SELECT "+riskEventColumns+` FROM risk_events AS r
		WHERE account = ?1 AND market = ?2 AND action = 'trip'
		  AND NOT EXISTS (SELECT 1 FROM risk_events AS later
		                  WHERE later.account = ?1 AND later.market = ?2 AND later.guard = r.guard
		                    AND (later.ts > r.ts OR (later.ts = r.ts AND later.id > r.id)))
		ORDER BY ts, id`, []any{account, market}, func(rows *sql.Rows) error {
		r, err := scanRiskEvent(rows)
		tripped = append(tripped, r)
		return err
	})
	return tripped, err
}
