package strategy

import (
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Tick is one pass of Hummingbot's pure market making c_tick, in its exact order (reference/hummingbot.md §1.2):
//  1. nothing until the market is ready (a mid price);
//  2. a proposal only if create_timestamp <= now: base proposal → static and moving price band → ping pong →
//     order optimization → transaction costs → inventory skew → budget → taker filter (→ mm's exchange rules);
//  3. hanging orders: cancel those too far from the price, renew those past max_order_age;
//  4. max order age; 5. refresh with tolerance; 6. minimum spread;
//  7. place the proposal if create_timestamp < now (strict), no cancel is in flight (when waiting for
//     confirmations), and no active non-hanging order is left, then set the timers.
//
// Tick is pure: it reads the clock from m.Now only, asks m.NewClientID for the ids of the orders it places (they
// are tracked from this tick on, as Hummingbot tracks an order from its submission), and returns the new state
// with the actions; s is not modified. The proposal stages run in fixed point when they can (pmm_fixed.go), with
// the decimal stages' exact results, so a tick that only re-checks the refresh tolerance allocates next to nothing
// (docs/BENCHMARKS.md, BenchmarkTick).
func Tick(p PMMParams, s PMMState, m MarketSnapshot) TickResult {
	ts := &tickState{PMMState: s}
	r := TickResult{Explain: Explain{Now: m.Now}}
	e := &r.Explain
	if m.Mid.Sign() <= 0 {
		e.notef("market not ready: no mid price")
		r.State = ts.PMMState
		return r
	}
	p = sizedParams(p, m.AmountFactor, e) // before the base proposal floors the amounts to the step
	// Hummingbot re-places a renewed hanging order from the cancel event, before the next tick (§3.1).
	var places []PlaceRequest
	placeRenewals(p, ts, &m, &places)
	price := ReferencePrice(p, ts.PMMState, m)
	ref, refOK := BaseRefs(p, price, m)
	e.Ref = ref

	var proposal builtProposal
	var fixedBuf [2][8]fixedOrder // the fixed-point proposal lives here unless it has more than 8 levels a side
	var fixed fixedProposal
	if !ts.CreateAt.After(m.Now) {
		e.ProposalBuilt = true
		if refOK {
			var ok bool
			if fixed, ok = buildFixedProposal(p, ts, &m, ref, e, fixedBuf[0][:0], fixedBuf[1][:0]); ok {
				proposal.fixed = &fixed
			} else {
				built := buildProposal(p, &ts.PMMState, &m, ref, e)
				proposal.decimal = &built
			}
		} else {
			e.notef("no proposal: price_type inventory_cost has no cost record while the base balance is %s",
				m.Balances.BaseTotal)
		}
	}

	var cancels []CancelRequest
	hangingProcessTick(p, ts, m.Now, price, &cancels)
	if cancelOnMaxAge(p, ts, m.Now, &cancels) {
		e.notef("max_order_age: an order is older than %s, every non-hanging order is cancelled", p.MaxOrderAge)
	}
	cancelActiveOrders(p, ts, proposal, m.Now, &cancels, e)
	cancelBelowMinSpread(p, ts, price, &cancels)
	if cancels == nil {
		cancels = []CancelRequest{} // Actions.Cancels is never nil
	}

	if proposal.exists() && toCreateOrders(p, ts.PMMState, &m, e) {
		places = executeProposal(p, ts, &m, proposal.proposal(), places)
	}
	r.State = ts.PMMState
	r.Actions = Actions{Cancels: cancels, Places: places}
	return r
}

// tickState is the state one tick works on: a copy of the caller's PMMState whose Orders and HangingPairs are
// copied on their first write, so the common tick that changes no order (a deferred refresh, §3.4) copies
// nothing, and the caller's slices are never written.
type tickState struct {
	PMMState
	ordersCopied, pairsCopied bool
}

// order returns the i-th order for writing.
func (s *tickState) order(i int) *Order {
	s.copyOrders()
	return &s.Orders[i]
}

func (s *tickState) copyOrders() {
	if !s.ordersCopied {
		s.Orders, s.ordersCopied = slices.Clone(s.Orders), true
	}
}

func (s *tickState) copyPairs() {
	if !s.pairsCopied {
		s.HangingPairs, s.pairsCopied = slices.Clone(s.HangingPairs), true
	}
}

// builtProposal is the tick's proposal: from the fixed-point stages (fixed) or, when those could not run, the
// decimal ones (decimal); neither when no proposal was built.
type builtProposal struct {
	fixed   *fixedProposal
	decimal *Proposal
}

func (b builtProposal) exists() bool { return b.fixed != nil || b.decimal != nil }

// proposal returns the proposal in decimal, for the place requests and the orders they track.
func (b builtProposal) proposal() Proposal {
	if b.fixed != nil {
		return b.fixed.decimal()
	}
	return *b.decimal
}

// buildProposal runs the proposal stages in Hummingbot's order (§1.2 step 2); stages that are off pass the
// proposal through.
func buildProposal(p PMMParams, s *PMMState, m *MarketSnapshot, ref RefPrice, e *Explain) Proposal {
	q := newQuantizer(m).q
	trace := m.ExplainStages
	prop := BaseProposal(p, ref, q)
	e.stage(trace, "base proposal", Proposal{}, prop)

	next := StaticPriceBand(p, ref.Price, prop)
	e.stage(trace, "price band", prop, next)
	prop = next
	if p.MovingPriceBandEnabled {
		next, s.Band = MovingPriceBand(p, s.Band, m.Now, ref.Price, prop)
		e.stage(trace, "moving price band", prop, next,
			NamedNumber{"floor", s.Band.Floor}, NamedNumber{"ceiling", s.Band.Ceiling})
		prop = next
	}
	if p.PingPongEnabled {
		next, s.FilledBuys, s.FilledSells = PingPong(s.FilledBuys, s.FilledSells, prop)
		e.stage(trace, "ping pong", prop, next, NamedNumber{"filled_buys", decimal.NewFromInt(int64(s.FilledBuys))},
			NamedNumber{"filled_sells", decimal.NewFromInt(int64(s.FilledSells))})
		prop = next
	}
	fee := orderFee(p, m.Rules)
	if p.OrderOptimizationEnabled {
		next = OrderOptimization(p, s.Orders, m.Bids, m.Asks, q, prop)
		e.stage(trace, "order optimization", prop, next)
		prop = next
	}
	if p.AddTransactionCosts {
		next = TransactionCosts(fee, q, prop)
		e.stage(trace, "transaction costs", prop, next, NamedNumber{"fee", fee})
		prop = next
	}
	if p.InventorySkewEnabled {
		base, quote := adjustedBalances(m.Balances, s.Orders, true)
		bid, ask := SkewRatios(p, base, quote, ref.Price)
		next = InventorySkew(bid, ask, q, prop)
		e.stage(trace, "inventory skew", prop, next,
			NamedNumber{"bid_ratio", decimal.NewFromFloat(bid)}, NamedNumber{"ask_ratio", decimal.NewFromFloat(ask)})
		prop = next
	}
	base, quote := adjustedBalances(m.Balances, s.Orders, false)
	next = BudgetConstraint(base, quote, fee, q, prop)
	e.stage(trace, "budget", prop, next, NamedNumber{"base", base}, NamedNumber{"quote", quote})
	prop = next
	if !p.TakeIfCrossed {
		next = FilterTakers(m.BestBid, m.BestAsk, prop)
		e.stage(trace, "taker filter", prop, next)
		prop = next
	}
	next, dropped := ExchangeRules(m.Rules, q, prop)
	e.stage(trace, "exchange rules", prop, next)
	for _, reason := range dropped {
		e.notef("exchange rules: %s; the level is skipped", reason)
	}
	return next
}

// adjustedBalances is c_get_adjusted_available_balance (§1.4, §2.2): available balances plus what the
// strategy's own orders lock (buys: remaining·price in quote, sells: remaining in base). The skew counts every
// own order; the budget only non-hanging ones, so funds locked in hanging orders are not re-used. Hummingbot adds
// the original quantity; mm adds the remaining amount, which is what the exchange still locks after a partial
// fill (pinned: Hummingbot over-counts partially filled orders).
func adjustedBalances(b Balances, orders []Order, withHanging bool) (base, quote decimal.Decimal) {
	base, quote = b.BaseAvailable, b.QuoteAvailable
	for _, o := range orders {
		if o.Hanging && !withHanging {
			continue
		}
		if o.Side == market.Buy {
			quote = quote.Add(o.Remaining().Mul(o.Price))
		} else {
			base = base.Add(o.Remaining())
		}
	}
	return base, quote
}

// toCreateOrders is c_to_create_orders (§1.2 step 7): create_timestamp < now (strict), no cancel in flight when
// should_wait_order_cancel_confirmation, and no active non-hanging order left ("no new orders until all old
// non-hanging orders are gone"). The proposal being non-nil is checked by the caller. mm honours
// should_wait_order_cancel_confirmation as configured; Hummingbot's start.py bug makes it always true (§8.6).
func toCreateOrders(p PMMParams, s PMMState, m *MarketSnapshot, e *Explain) bool {
	if !s.CreateAt.Before(m.Now) {
		return false
	}
	if p.ShouldWaitOrderCancelConfirmation && slices.ContainsFunc(s.Orders, func(o Order) bool { return o.CancelInFlight }) {
		e.notef("create: waiting for cancel confirmations")
		return false
	}
	if slices.ContainsFunc(s.Orders, func(o Order) bool { return !o.Hanging }) {
		return false
	}
	return true
}

// executeProposal is c_execute_orders_proposal (§1.2 step 7, §3.1): buys then sells, each tracked from now;
// with hanging orders enabled the first min(#buys, #sells) are paired by index; then set_timers.
func executeProposal(p PMMParams, s *tickState, m *MarketSnapshot, prop Proposal, places []PlaceRequest) []PlaceRequest {
	if len(prop.Buys)+len(prop.Sells) == 0 {
		return places
	}
	s.copyOrders()
	if places == nil {
		places = make([]PlaceRequest, 0, len(prop.Buys)+len(prop.Sells))
	}
	s.Orders = slices.Grow(s.Orders, len(prop.Buys)+len(prop.Sells))
	firstBuy := len(places)
	places = placeSide(p, s, m, market.Buy, prop.Buys, places)
	firstSell := len(places)
	places = placeSide(p, s, m, market.Sell, prop.Sells, places)
	if p.HangingOrdersEnabled {
		s.copyPairs()
		for i := range min(len(prop.Buys), len(prop.Sells)) {
			s.HangingPairs = append(s.HangingPairs,
				HangingPair{BuyID: places[firstBuy+i].ClientID, SellID: places[firstSell+i].ClientID})
		}
	}
	s.setTimers(p, m)
	return places
}

func placeSide(p PMMParams, s *tickState, m *MarketSnapshot, side market.Side, entries []ProposedOrder, places []PlaceRequest) []PlaceRequest {
	for _, entry := range entries {
		id := m.NewClientID(side, entry.Level)
		places = append(places, PlaceRequest{ClientID: id, Side: side, Price: entry.Price, Amount: entry.Size,
			Level: entry.Level, PostOnly: !p.TakeIfCrossed})
		s.Orders = append(s.Orders, Order{ClientID: id, Side: side, Price: entry.Price, Amount: entry.Size,
			Created: m.Now, Level: entry.Level})
	}
	return places
}

// setTimers is set_timers (§1.2 "Timers"): with next = now + order_refresh_time, create_timestamp = next if it is
// due, and cancel_timestamp = min(create_timestamp, next) if it is due.
func (s *PMMState) setTimers(p PMMParams, m *MarketSnapshot) {
	next := m.Now.Add(p.OrderRefreshTime)
	if !s.CreateAt.After(m.Now) {
		s.CreateAt = next
	}
	if !s.CancelAt.After(m.Now) {
		s.CancelAt = next
		if s.CreateAt.Before(next) {
			s.CancelAt = s.CreateAt
		}
	}
}

// clone copies the slices Tick and the events modify, so the caller's state stays as it was.
func (s PMMState) clone() PMMState {
	s.Orders = slices.Clone(s.Orders)
	s.HangingPairs = slices.Clone(s.HangingPairs)
	s.Renewals = slices.Clone(s.Renewals)
	return s
}

// DefaultClientIDs returns a ClientIDFunc giving prefix-<side>-<level>-<n> with n counting from 1; for tests and
// single-process tools. The runner supplies ids unique across processes (DESIGN §3).
func DefaultClientIDs(prefix string) ClientIDFunc {
	n := 0
	return func(side market.Side, level int) string {
		n++
		return prefix + "-" + string(side) + "-" + strconv.Itoa(level) + "-" + strconv.Itoa(n)
	}
}
