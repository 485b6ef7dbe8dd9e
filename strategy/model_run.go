package strategy

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// ModelStatusCode says whether a model strategy quotes, and if not, why.
type ModelStatusCode string

// The model strategy's states. Anything but ModelReady places no orders.
const (
	ModelReady         ModelStatusCode = "ready"
	ModelNoMarket      ModelStatusCode = "no_market"      // no mid price yet
	ModelWarmingUp     ModelStatusCode = "not_ready"      // the estimators have too little data, or no usable fit
	ModelInvalid       ModelStatusCode = "invalid_params" // a parameter or estimate out of range this tick
	ModelOutsideWindow ModelStatusCode = "outside_window" // outside the execution timeframe
)

// ModelStatus is the model strategy's state at one tick; Detail says what is missing or wrong.
type ModelStatus struct {
	Code   ModelStatusCode
	Detail string
}

// Ready reports whether the model quotes.
func (s ModelStatus) Ready() bool { return s.Code == ModelReady }

// CancelExecutionWindow cancels orders outside the execution timeframe (hummingbot.md §5.2 step 3.4).
const CancelExecutionWindow CancelReason = "execution_timeframe"

// CancelModelNotReady cancels the orders of a model that turned not ready or invalid: no estimate, no quote.
const CancelModelNotReady CancelReason = "model_not_ready"

// ModelResult is the outcome of one ModelTick.
type ModelResult struct {
	State   PMMState
	Actions Actions
	Explain Explain
	Status  ModelStatus
	Quote   ModelQuote // valid when Status is ready (and, as far as computed, for invalid_params)
	Quoted  bool       // Quote holds the model's numbers of this tick
}

// ModelTick is one tick of a model strategy (avellaneda, glft). The model replaces pure market making's proposal
// stage; the rest is PMM's machinery (reference/hummingbot.md §1.2, §5.2): max order age, refresh at
// order_refresh_time with order_refresh_tolerance_pct, filled_order_delay through create_timestamp, no new orders
// while old non-hanging ones are live, cancels before places. Until the calibration is ready, outside the
// execution window, or when a parameter is out of range, no proposal is built: live orders are cancelled at once
// and none are placed.
//
// ModelTick is pure like Tick: the clock is m.Now, the estimates come in cal (ModelCalibrator), s is not
// modified.
func ModelTick(p ModelParams, s PMMState, m MarketSnapshot, cal Calibration) ModelResult {
	ts := &tickState{PMMState: s}
	r := ModelResult{Explain: Explain{Now: m.Now}}
	e := &r.Explain
	if m.Mid.Sign() <= 0 {
		r.Status = ModelStatus{Code: ModelNoMarket, Detail: "no mid price"}
		e.notef("market not ready: no mid price")
		r.State = ts.PMMState
		return r
	}
	e.Ref = RefPrice{Price: m.Mid, BuyRef: m.Mid, SellRef: m.Mid}
	// Before the inventory bound and the budget see the amounts; Δ, the model's lot, stays as configured.
	p.PMM = sizedParams(p.PMM, m.AmountFactor, e)
	inside, left, length := p.Window.At(m.Now)
	r.Status = ModelStatus{Code: ModelReady}
	switch err := p.Validate(); {
	case !inside:
		r.Status = ModelStatus{Code: ModelOutsideWindow, Detail: "outside the " + string(p.Window.Mode) + " window"}
	case err != nil:
		r.Status = ModelStatus{Code: ModelInvalid, Detail: err.Error()}
	case !cal.Ready:
		r.Status = ModelStatus{Code: ModelWarmingUp, Detail: cal.Waiting}
	}
	var proposal builtProposal
	if r.Status.Ready() {
		quote, err := computeModelQuote(p, &m, cal, modelTau(p, left, length))
		r.Quote, r.Quoted = quote, true
		var wait *modelWaitError
		if errors.As(err, &wait) {
			r.Status = ModelStatus{Code: ModelWarmingUp, Detail: wait.reason}
		} else if err != nil {
			r.Status = ModelStatus{Code: ModelInvalid, Detail: err.Error()}
		} else if !ts.CreateAt.After(m.Now) {
			e.ProposalBuilt = true
			prop := modelProposal(p, &ts.PMMState, &m, quote, e)
			proposal.decimal = &prop
		}
	}
	if !r.Status.Ready() {
		e.notef("no quotes: %s: %s", r.Status.Code, r.Status.Detail)
	}

	var cancels []CancelRequest
	if cancelOnMaxAge(p.PMM, ts, m.Now, &cancels) {
		e.notef("max_order_age: an order is older than %s, every order is cancelled", p.PMM.MaxOrderAge)
	}
	switch r.Status.Code {
	case ModelOutsideWindow:
		cancelNonHanging(ts, CancelExecutionWindow, &cancels)
	case ModelWarmingUp, ModelInvalid:
		// The quotes resting in the book came from estimates or parameters the model no longer stands behind:
		// they go now, not at order_refresh_time (review L5).
		cancelNonHanging(ts, CancelModelNotReady, &cancels)
	}
	cancelActiveOrders(p.PMM, ts, proposal, m.Now, &cancels, e)
	if cancels == nil {
		cancels = []CancelRequest{}
	}
	var places []PlaceRequest
	if proposal.exists() && toCreateOrders(p.PMM, ts.PMMState, &m, e) {
		places = executeProposal(p.PMM, ts, &m, proposal.proposal(), nil)
	}
	r.State = ts.PMMState
	r.Actions = Actions{Cancels: cancels, Places: places}
	return r
}

// modelTau is the model's time left: seconds to the window's end for the textbook finite horizon (or the
// rolling horizon in the infinite timeframe), Hummingbot's
// time_left/closing_time fraction (1 in infinite mode, §5.3), and 0 where the model has no horizon.
func modelTau(p ModelParams, left, length time.Duration) float64 {
	switch {
	case p.hummingbot() && p.Window.Finite() && length > 0:
		return min(max(left.Seconds()/length.Seconds(), 0), 1)
	case p.hummingbot():
		return 1
	case p.Kind == ModelAvellaneda && p.Window.Finite():
		return max(left.Seconds(), 0)
	case p.Kind == ModelAvellaneda:
		return p.Horizon.Seconds()
	}
	return 0
}

// modelProposal turns the model's float quotes into orders (STYLE.md rule 1): levels spaced by level_distances
// percent of the half-spread (hummingbot.md §5.3), bids floored and asks ceiled to the tick, then the guards:
// post-only quotes never cross nor improve the touch, bid ≤ best bid and ask ≥ best ask, as hftbacktest clamps
// its GTX quotes (quant.md §2.4); levels that the clamp stacks on one price are dropped, never duplicated; a bid
// never at or above an ask; then the inventory bound, the η size transform, the budget and the exchange's rules.
func modelProposal(p ModelParams, s *PMMState, m *MarketSnapshot, quote ModelQuote, e *Explain) Proposal {
	qz := newQuantizer(m)
	tick := qz.q.PriceQuantum(m.Mid)
	step := quote.levelHalfSpread() * p.LevelDistancesPct / 100
	bidStep, askStep := step, step
	if p.PMM.AddTransactionCosts {
		// Hummingbot applies the fee to each level's price after spacing the levels (hummingbot.md §5.2 step
		// 4.2), so level i's bid is (bid − i·step)(1 − fee): the step shrinks with the fee as the price does.
		fee := p.PMM.fee(m.Rules)
		bidStep, askStep = step*(1-fee), step*(1+fee)
	}
	var prop Proposal
	var lastBid, lastAsk decimal.Decimal
	size := qz.amount(p.PMM.OrderAmount)
	for level := range p.PMM.OrderLevels {
		bid, bidOK := decimal.Decimal{}, !quote.NoBid
		ask, askOK := decimal.Decimal{}, !quote.NoAsk
		if bidOK {
			bid = floorToQuantum(decimal.NewFromFloat(quote.Bid-float64(level)*bidStep), tick)
			bid, bidOK = guardBid(bid, lastBid, level, tick, m, e)
		}
		if askOK {
			ask = ceilToQuantum(decimal.NewFromFloat(quote.Ask+float64(level)*askStep), tick)
			ask, askOK = guardAsk(ask, lastAsk, level, tick, m, e)
		}
		if bidOK && askOK && !bid.LessThan(ask) {
			e.notef("guard: level %d bid %s is not below ask %s; the level is skipped", level, bid, ask)
			continue
		}
		if bidOK {
			prop.Buys = append(prop.Buys, ProposedOrder{Level: level, Price: bid, Size: size})
			lastBid = bid
		}
		if askOK {
			prop.Sells = append(prop.Sells, ProposedOrder{Level: level, Price: ask, Size: size})
			lastAsk = ask
		}
	}
	prop = shapeSizes(quote, qz, prop)
	prop = capToInventoryBound(p, qz, quote, prop, e)
	fee := orderFee(p.PMM, m.Rules)
	base, quoteBal := adjustedBalances(m.Balances, s.Orders, false)
	prop = BudgetConstraint(base, quoteBal, fee, qz.q, prop)
	prop = FilterTakers(m.BestBid, m.BestAsk, prop)
	prop, dropped := ExchangeRules(m.Rules, qz.q, prop)
	for _, reason := range dropped {
		e.notef("exchange rules: %s; the level is skipped", reason)
	}
	return prop
}

// guardBid clamps a bid to the best bid (post-only, never improving the touch, quant.md §2.4), or, with no bid
// side in the book, below the best ask; a level that lands at or above the previous level's price is dropped.
func guardBid(bid, previous decimal.Decimal, level int, tick decimal.Decimal, m *MarketSnapshot, e *Explain) (decimal.Decimal, bool) {
	switch {
	case m.BestBid.Sign() > 0 && bid.GreaterThan(m.BestBid):
		e.notef("guard: bid level %d at %s is above the best bid %s; clamped to it", level, bid, m.BestBid)
		bid = m.BestBid
	case m.BestBid.Sign() <= 0 && m.BestAsk.Sign() > 0 && bid.GreaterThanOrEqual(m.BestAsk):
		e.notef("guard: bid level %d at %s would cross the best ask %s; moved to one tick below it", level, bid, m.BestAsk)
		bid = m.BestAsk.Sub(tick)
	}
	if previous.Sign() > 0 && bid.GreaterThanOrEqual(previous) {
		e.notef("guard: bid level %d at %s is not below the previous level's %s; the level is dropped", level, bid, previous)
		return bid, false
	}
	return bid, bid.Sign() > 0
}

// guardAsk is guardBid for the ask: at or above the best ask, or above the best bid when the book has no asks.
func guardAsk(ask, previous decimal.Decimal, level int, tick decimal.Decimal, m *MarketSnapshot, e *Explain) (decimal.Decimal, bool) {
	switch {
	case m.BestAsk.Sign() > 0 && ask.LessThan(m.BestAsk):
		e.notef("guard: ask level %d at %s is below the best ask %s; clamped to it", level, ask, m.BestAsk)
		ask = m.BestAsk
	case m.BestAsk.Sign() <= 0 && m.BestBid.Sign() > 0 && ask.LessThanOrEqual(m.BestBid):
		e.notef("guard: ask level %d at %s would cross the best bid %s; moved to one tick above it", level, ask, m.BestBid)
		ask = m.BestBid.Add(tick)
	}
	if previous.Sign() > 0 && ask.LessThanOrEqual(previous) {
		e.notef("guard: ask level %d at %s is not above the previous level's %s; the level is dropped", level, ask, previous)
		return ask, false
	}
	return ask, true
}

// shapeSizes applies the η transform (hummingbot.md §5.3) and drops sizes floored to zero.
func shapeSizes(quote ModelQuote, qz quantizer, in Proposal) Proposal {
	if quote.BuySizeFactor == 1 && quote.SellSizeFactor == 1 {
		return in
	}
	out := Proposal{}
	for _, side := range []struct {
		in     []ProposedOrder
		out    *[]ProposedOrder
		factor float64
	}{{in.Buys, &out.Buys, quote.BuySizeFactor}, {in.Sells, &out.Sells, quote.SellSizeFactor}} {
		factor := market.ExactFromFloat(side.factor)
		for _, o := range side.in {
			if o.Size = qz.amount(o.Size.Mul(factor)); o.Size.Sign() > 0 {
				*side.out = append(*side.out, o)
			}
		}
	}
	return out
}

// capToInventoryBound keeps |q| ≤ Q whatever fills: the bids together may buy at most Q − q and the asks sell
// at most Q + q, q = base − target (GLFT's bound, quant.md §2.1, applied to the whole side rather than to the
// next fill). Levels are kept closest first; the one that reaches the bound is shrunk to what is left.
func capToInventoryBound(p ModelParams, qz quantizer, quote ModelQuote, in Proposal, e *Explain) Proposal {
	if p.MaxInventory.Sign() <= 0 {
		return in
	}
	return Proposal{Buys: capSide(in.Buys, p.MaxInventory.Sub(quote.qExact), qz, "bid", e),
		Sells: capSide(in.Sells, p.MaxInventory.Add(quote.qExact), qz, "ask", e)}
}

func capSide(orders []ProposedOrder, room decimal.Decimal, qz quantizer, side string, e *Explain) []ProposedOrder {
	out := make([]ProposedOrder, 0, len(orders))
	for _, o := range orders {
		if room.Sign() <= 0 {
			e.notef("inventory bound: no room for %s level %d", side, o.Level)
			continue
		}
		if o.Size.GreaterThan(room) {
			o.Size = qz.amount(room)
			e.notef("inventory bound: %s level %d shrunk to %s", side, o.Level, o.Size)
		}
		room = room.Sub(o.Size)
		if o.Size.Sign() > 0 {
			out = append(out, o)
		}
	}
	return out
}
