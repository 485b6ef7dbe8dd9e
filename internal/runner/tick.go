package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// tick is one strategy tick on the event clock: resolve unknown places, evaluate the risk guards, journal a
// mark, run strategy.Tick, send its cancels then its places.
func (r *run) tick(ctx context.Context) error {
	if err := r.resolveUnknown(ctx); err != nil {
		return err
	}
	if err := r.evaluateRisk(ctx); err != nil {
		return err
	}
	if mid := r.mid(); mid.Sign() > 0 {
		err := r.j.AddMark(ctx, journal.Mark{RunID: r.runID, Connector: r.connName, Market: r.marketName,
			Time: r.now, Mid: mid, BestBid: decimal.NewNullDecimal(r.bid), BestAsk: decimal.NewNullDecimal(r.ask)})
		if err != nil {
			return err
		}
	}
	paused, err := r.updateSizing(ctx) // sizing.go: volatility sizing and blackout windows, for every strategy kind
	if err != nil {
		return err
	}
	if err := r.modelObserve(); err != nil { // model.go: every tick, paused or not
		return err
	}
	if paused {
		return r.pauseQuoting(ctx)
	}
	r.refreshDepth()
	if r.model != nil {
		return r.modelTick(ctx) // model.go: avellaneda, glft
	}
	result := strategy.Tick(r.params, r.state, r.snapshot())
	r.state = result.State
	if r.opts.Explain {
		fmt.Fprintf(r.opts.Stderr, "%s\n", result.Explain)
	}
	r.warnDropped(result.Explain)
	return r.act(ctx, result.Actions)
}

func (r *run) snapshot() strategy.MarketSnapshot {
	base, quote := r.balances[r.pair.Base], r.balances[r.pair.Quote]
	snap := strategy.MarketSnapshot{Now: r.now, BestBid: r.bid, BestAsk: r.ask, Mid: r.mid(), LastTrade: r.lastTrade,
		Balances: strategy.Balances{BaseTotal: base.Total, BaseAvailable: base.Available,
			QuoteTotal: quote.Total, QuoteAvailable: quote.Available},
		Rules: r.rules, NewClientID: r.ids.next, ExplainStages: r.opts.Explain, InventoryCost: r.inventoryCost(),
		AmountFactor: r.amountFactor()}
	// The strategy reads the book sides during the tick only, so their backing arrays are reused tick after tick.
	r.bidLevels = bookSide(r.bidLevels, market.Buy, r.bid, r.bidSize, r.depthBids)
	r.askLevels = bookSide(r.askLevels, market.Sell, r.ask, r.askSize, r.depthAsks)
	snap.Bids, snap.Asks = r.bidLevels, r.askLevels
	return snap
}

// cancel sends the strategy's cancels. Each result is applied like an order update, so a cancel that found
// the order already filled or gone is not looped on (users.md HB #2501).
func (r *run) cancel(ctx context.Context, cancels []strategy.CancelRequest) error {
	if len(cancels) == 0 {
		return nil
	}
	ids := cancelIDs(cancels)
	results, err := r.src.Connector().CancelOrders(ctx, r.pair, ids)
	if err != nil {
		return unreachable("cancel orders", err)
	}
	for _, res := range results {
		if res.Err != nil {
			if own, ok := r.orders[res.ClientOrderID]; ok && res.Err.Code == sdk.CodeUnknownOrder {
				if err := r.closeGone(ctx, res.ClientOrderID, own.amount, own.filled); err != nil {
					return err
				}
				continue
			}
			r.log.Warn("cancel refused", "client_order_id", res.ClientOrderID, "err", res.Err)
			continue
		}
		if err := r.onOrderUpdate(ctx, res.Order, orderTime(res.Order.Updated, r.now)); err != nil {
			return err
		}
	}
	return nil
}

// place sends the strategy's places that the risk guards allow, journals each order and its outcome, and
// snapshots balances after a refresh. A place whose outcome is not known (the call failed in transport) is
// journaled as unknown and resolved by client id on the next tick, never sent again (users.md HB #8457).
func (r *run) place(ctx context.Context, places []strategy.PlaceRequest) error {
	reqs := make([]sdk.OrderRequest, 0, len(places))
	for _, p := range places {
		req, ok := r.orderRequest(p)
		if !ok {
			r.state = strategy.OnOrderRejected(r.params, r.state, strategy.OrderRejected{ClientID: p.ClientID,
				Reason: "blocked by a tripped risk guard", Time: r.now})
			continue
		}
		reqs = append(reqs, req)
		level := p.Level
		r.track(p.ClientID, &ownOrder{side: p.Side, price: p.Price, amount: req.Amount, level: level,
			hanging: p.Hanging, status: journal.StatusUnknown})
		err := r.addOrder(ctx, journal.Order{ClientOrderID: p.ClientID, RunID: r.runID, Connector: r.connName,
			Market: r.marketName, Side: string(p.Side), OrderType: string(req.Type), Price: p.Price,
			Amount: req.Amount, Level: &level, IsHanging: p.Hanging, CreatedAt: r.now, Status: journal.StatusUnknown,
			UpdatedAt: r.now})
		if err != nil {
			return err
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	results, err := r.src.Connector().PlaceOrders(ctx, reqs)
	if err != nil {
		return r.placeUnknown(ctx, reqs, err)
	}
	for _, res := range results {
		if err := r.onPlaced(ctx, res); err != nil {
			return err
		}
	}
	if r.stepped() && r.snapshotUnchanged() {
		// A stepped replay has applied every balance event before this tick and a place moves no total, so the
		// snapshot would be skipped anyway (journalBalances): no need to ask the exchange.
		return nil
	}
	if err := r.fetchBalances(ctx); err != nil {
		return err
	}
	return r.journalBalances(ctx, journal.BalanceRefresh)
}

// stepped says the run drives its connector's clock (in-process or lockstep through a plugin), so every event
// up to now has been applied before a tick.
func (r *run) stepped() bool {
	switch r.src.(type) {
	case *stepSource, *pluginStepSource:
		return true
	}
	return false
}

// cancelIDs are the client order ids cancel sends.
func cancelIDs(cancels []strategy.CancelRequest) []string {
	ids := make([]string, 0, len(cancels))
	for _, c := range cancels {
		ids = append(ids, c.ClientID)
	}
	return ids
}

// orderRequest is what place sends for p; false when a tripped risk guard blocks it.
func (r *run) orderRequest(p strategy.PlaceRequest) (sdk.OrderRequest, bool) {
	amount, ok := r.riskFilter(p)
	if !ok {
		return sdk.OrderRequest{}, false
	}
	typ := sdk.Limit
	if p.PostOnly {
		typ = sdk.LimitMaker
	}
	return sdk.OrderRequest{ClientOrderID: p.ClientID, Market: r.pair, Side: p.Side, Type: typ, Price: p.Price,
		Amount: amount}, true
}

// riskFilter applies strategy.AllowOrder; a reducing order let through a tripped guard is capped at |base| so
// it cannot flip the position.
func (r *run) riskFilter(p strategy.PlaceRequest) (decimal.Decimal, bool) {
	if !strategy.AllowOrder(r.risk.Tripped, p.Side, r.riskParams, r.risk) {
		return decimal.Zero, false
	}
	amount := p.Amount
	if len(r.risk.Tripped) > 0 && r.risk.HasBase {
		capped := market.FloorToStep(r.risk.Base.Abs(), r.rules.Step)
		if capped.LessThan(amount) {
			amount = capped
		}
		if amount.Sign() <= 0 {
			return decimal.Zero, false
		}
	}
	return amount, true
}

func (r *run) onPlaced(ctx context.Context, res sdk.PlaceResult) error {
	own := r.orders[res.ClientOrderID]
	if own == nil {
		return fmt.Errorf("place orders: the connector answered for client order id %q that was not sent: %w",
			res.ClientOrderID, sdk.ErrProtocol)
	}
	if res.Err != nil {
		own.status = journal.StatusRejected
		if err := r.orderEvent(ctx, res.ClientOrderID, r.now, journal.EventRejected, res.Err.Error()); err != nil {
			return err
		}
		r.state = strategy.OnOrderRejected(r.params, r.state, strategy.OrderRejected{ClientID: res.ClientOrderID,
			Reason: res.Err.Error(), Time: r.now})
		return nil
	}
	return r.accepted(ctx, res.Order)
}

// accepted journals an order the exchange has (a fresh place, a duplicate, or an unknown place found open).
func (r *run) accepted(ctx context.Context, o sdk.Order) error {
	own := r.orders[o.ClientOrderID]
	err := r.addOrder(ctx, journal.Order{ClientOrderID: o.ClientOrderID, RunID: r.runID, Connector: r.connName,
		Market: r.marketName, Side: string(o.Side), OrderType: string(o.Type), Price: o.Price, Amount: o.Amount,
		Level: &own.level, IsHanging: own.hanging, ExchangeOrderID: o.ExchangeOrderID, CreatedAt: r.now,
		Status: journal.StatusOpen, UpdatedAt: r.now})
	if err != nil {
		return err
	}
	if err := r.orderEvent(ctx, o.ClientOrderID, r.now, journal.EventCreated, ""); err != nil {
		return err
	}
	own.status = journal.StatusOpen
	delete(r.unknown, o.ClientOrderID)
	r.state = strategy.OnOrderCreated(r.params, r.state, strategy.OrderCreated{ClientID: o.ClientOrderID,
		Side: o.Side, Price: o.Price, Amount: o.Amount, Time: r.now})
	// An order the exchange already moved on (filled, cancelled) reports it through its own events.
	return r.onOrderUpdate(ctx, o, orderTime(o.Updated, r.now))
}

func (r *run) placeUnknown(ctx context.Context, reqs []sdk.OrderRequest, cause error) error {
	for _, req := range reqs {
		r.unknown[req.ClientOrderID] = true
		detail := fmt.Sprintf("place outcome unknown (%v); resolved by client id, never re-sent", cause)
		if err := r.orderEvent(ctx, req.ClientOrderID, r.now, journal.EventUnknown, detail); err != nil {
			return err
		}
	}
	r.log.Warn("place outcome unknown", "orders", len(reqs), "err", cause)
	return nil
}

// resolveUnknown looks for each unknown place among the open orders: found, it is accepted; not found, it never
// reached the book or has already ended, which the fills reconcile (TradesSince) shows.
func (r *run) resolveUnknown(ctx context.Context) error {
	if len(r.unknown) == 0 {
		return nil
	}
	open, err := r.src.Connector().OpenOrders(ctx, r.pair)
	if err != nil {
		r.log.Warn("unknown places stay unknown: open orders unavailable", "err", err)
		return nil
	}
	for _, o := range open {
		if r.unknown[o.ClientOrderID] {
			if err := r.accepted(ctx, o); err != nil {
				return err
			}
		}
	}
	if _, err := r.syncFills(ctx); err != nil {
		return err
	}
	for _, id := range sortedKeys(r.unknown) {
		own := r.orders[id]
		if err := r.closeGone(ctx, id, own.amount, own.filled); err != nil {
			return err
		}
	}
	return nil
}

// elapsed is the event time since the first event.
func (r *run) elapsed() time.Duration {
	if r.firstEvent.IsZero() {
		return 0
	}
	return r.now.Sub(r.firstEvent)
}
