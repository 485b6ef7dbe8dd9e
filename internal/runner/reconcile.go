package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// reconcile makes the journal and the runner agree with the exchange, which is the source of truth (users.md
// Synthesis (a)1), before the first quote and again after a plugin restart or a stream gap:
//   - fills: every page of TradesSince is journaled (the journal keeps each trade once) and fills of tracked
//     orders the stream did not deliver reach the strategy;
//   - open orders: an order with mm's client id prefix that the runner does not track is adopted (journaled as
//     "adopted" and handed to the strategy with OnOrderCreated, which makes it a hanging order when hanging
//     orders are enabled and otherwise an ordinary order the first refresh cancels and replaces, so it is never
//     left unmanaged). Orders without the prefix belong to someone else and are left alone (HB #3225);
//   - journaled orders still open that the exchange no longer has are closed: filled if their fills cover them,
//     otherwise cancelled (they were cancelled or expired while mm was not watching);
//   - balances are fetched (the start snapshot is journaled at the first event, on the event clock).
func (r *run) reconcile(ctx context.Context, atStart bool) error {
	conn := r.src.Connector()
	filledByID, err := r.syncFills(ctx)
	if err != nil {
		return err
	}
	open, err := conn.OpenOrders(ctx, r.pair)
	if err != nil {
		return unreachable("open orders", err)
	}
	openIDs := map[string]bool{}
	foreign := 0
	for _, o := range open {
		openIDs[o.ClientOrderID] = true
		if !ownClientID(o.ClientOrderID) {
			foreign++
			continue
		}
		if err := r.adopt(ctx, o); err != nil {
			return err
		}
	}
	if foreign > 0 {
		r.log.Info("open orders without mm's client id prefix left alone", "count", foreign)
	}
	if err := r.closeVanished(ctx, openIDs, filledByID, atStart); err != nil {
		return err
	}
	return r.fetchBalances(ctx)
}

// syncFills journals every fill TradesSince returns after the run's cursor (all pages; at start from the
// oldest the exchange keeps) and applies those of tracked orders that this run has not seen. It returns the
// amounts filled per client order id, for closing vanished orders.
func (r *run) syncFills(ctx context.Context) (map[string]decimal.Decimal, error) {
	conn := r.src.Connector()
	filled := map[string]decimal.Decimal{}
	cursor := r.tradeCursor
	for {
		page, err := conn.TradesSince(ctx, r.pair, cursor, 0)
		if err != nil {
			return nil, unreachable("trades since "+cursor, err)
		}
		for _, f := range page.Fills {
			filled[f.ClientOrderID] = filled[f.ClientOrderID].Add(f.Amount)
			mid, err := r.midForReconciledFill(ctx, f.Time)
			if err != nil {
				return nil, err
			}
			if err := r.onFill(ctx, f, mid); err != nil {
				return nil, err
			}
		}
		if page.NextCursor != "" {
			cursor = page.NextCursor
		}
		if !page.More || len(page.Fills) == 0 {
			break
		}
	}
	r.tradeCursor = cursor
	return filled, nil
}

// midForReconciledFill is the mid of a fill that happened while mm was not watching: the live mid once the
// run has one; before that the journal's latest mark at or before the fill, if it is at most two ticks older
// (a mark is journaled every tick, so an older one does not describe the market at the fill). Otherwise the
// mid stays unknown rather than guessed.
func (r *run) midForReconciledFill(ctx context.Context, at time.Time) (decimal.NullDecimal, error) {
	if mid := r.mid(); mid.Sign() > 0 {
		return decimal.NewNullDecimal(mid), nil
	}
	mark, ok, err := r.j.LatestMark(ctx, r.marketName, at)
	if err != nil || !ok || at.Sub(mark.Time) > 2*r.tickInterval {
		return decimal.NullDecimal{}, err
	}
	return decimal.NewNullDecimal(mark.Mid), nil
}

// adopt takes over an own order found open on the exchange that this run does not track.
func (r *run) adopt(ctx context.Context, o sdk.Order) error {
	if own, ok := r.orders[o.ClientOrderID]; ok {
		own.filled = o.FilledAmount
		return nil
	}
	status := journal.StatusOpen
	if o.FilledAmount.Sign() > 0 {
		status = journal.StatusPartiallyFilled
	}
	jo := journal.Order{ClientOrderID: o.ClientOrderID, Connector: r.connName, Market: r.marketName,
		Side: string(o.Side), OrderType: string(o.Type), Price: o.Price, Amount: o.Amount,
		ExchangeOrderID: o.ExchangeOrderID, CreatedAt: orderTime(o.Created, r.now), Status: status,
		UpdatedAt: orderTime(o.Updated, r.now), IsHanging: r.params.HangingOrdersEnabled}
	if err := r.j.AddOrder(ctx, jo); err != nil {
		return err
	}
	if err := r.orderEvent(ctx, o.ClientOrderID, orderTime(o.Updated, r.now), journal.EventAdopted,
		fmt.Sprintf("found open at reconcile, run %d adopts it", r.runID)); err != nil {
		return err
	}
	r.track(o.ClientOrderID, &ownOrder{side: o.Side, price: o.Price, amount: o.Amount, filled: o.FilledAmount,
		status: status, level: -1, hanging: r.params.HangingOrdersEnabled, journaled: true})
	r.state = strategy.OnOrderCreated(r.params, r.state, strategy.OrderCreated{ClientID: o.ClientOrderID,
		Side: o.Side, Price: o.Price, Amount: o.Amount.Sub(o.FilledAmount), Time: r.clock()})
	r.log.Info("adopted own open order", "client_order_id", o.ClientOrderID, "side", o.Side, "price", o.Price,
		"amount", o.Amount)
	return nil
}

// closeVanished closes orders the journal (at start) or the runner believes open but the exchange does not list.
func (r *run) closeVanished(ctx context.Context, openIDs map[string]bool, filled map[string]decimal.Decimal,
	atStart bool) error {
	if atStart {
		for _, status := range []string{journal.StatusOpen, journal.StatusPartiallyFilled, journal.StatusUnknown} {
			stale, err := r.j.Orders(ctx, journal.OrderFilter{Connector: r.connName, Market: r.marketName,
				Status: status})
			if err != nil {
				return err
			}
			for _, o := range stale {
				if openIDs[o.ClientOrderID] {
					continue
				}
				if err := r.closeGone(ctx, o.ClientOrderID, o.Amount, filled[o.ClientOrderID]); err != nil {
					return err
				}
			}
		}
	}
	for _, id := range r.openOrderIDs() {
		own := r.orders[id]
		if openIDs[id] {
			continue
		}
		if err := r.closeGone(ctx, id, own.amount, own.filled); err != nil {
			return err
		}
	}
	return nil
}

// closeGone journals the end of an order that is no longer open on the exchange.
func (r *run) closeGone(ctx context.Context, id string, amount, filled decimal.Decimal) error {
	event, detail := journal.EventCancelled, "not open on the exchange at reconcile"
	if filled.GreaterThanOrEqual(amount) {
		event, detail = journal.EventFilled, "filled while mm was not watching"
	}
	if err := r.orderEvent(ctx, id, r.clock(), event, detail); err != nil {
		return err
	}
	if own, ok := r.orders[id]; ok {
		own.status = event
		delete(r.unknown, id)
		if event == journal.EventCancelled {
			r.state = strategy.OnOrderCancelled(r.params, r.state, strategy.OrderCancelled{ClientID: id,
				Time: r.clock()})
		}
	}
	return nil
}

// fetchBalances replaces the runner's balances with the exchange's.
func (r *run) fetchBalances(ctx context.Context) error {
	balances, err := r.src.Connector().Balances(ctx)
	if err != nil {
		return unreachable("balances", err)
	}
	for _, b := range balances {
		r.balances[b.Asset] = b
	}
	return nil
}

// journalBalances snapshots the market's two assets (kind start, refresh or end). A refresh snapshot is written
// only when a total changed since the last snapshot: between fills only the available amounts move (locked by
// each new order), and a year-long replay would otherwise journal two identical totals every minute. Start and
// end snapshots are always written.
func (r *run) journalBalances(ctx context.Context, kind string) error {
	if kind == journal.BalanceRefresh && r.snapshotUnchanged() {
		return nil
	}
	r.snapTotalsValid = true
	r.snapBase, r.snapQuote = r.balances[r.pair.Base].Total, r.balances[r.pair.Quote].Total
	for _, asset := range []string{r.pair.Base, r.pair.Quote} {
		b := r.balances[asset]
		err := r.j.AddBalance(ctx, journal.Balance{RunID: r.runID, Connector: r.connName, Account: r.account,
			Asset: asset, Time: r.clock(), Total: b.Total, Available: decimal.NewNullDecimal(b.Available),
			Kind: kind})
		if err != nil {
			return err
		}
	}
	return nil
}

// snapshotUnchanged says the totals are those of the last balance snapshot journaled.
func (r *run) snapshotUnchanged() bool {
	return r.snapTotalsValid && r.balances[r.pair.Base].Total.Equal(r.snapBase) &&
		r.balances[r.pair.Quote].Total.Equal(r.snapQuote)
}

// orderTime is the exchange's time for an order, or the event clock when the exchange gave none.
func orderTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}
