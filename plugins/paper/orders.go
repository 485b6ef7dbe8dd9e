package paper

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Binance's reject messages (reference/exchanges.md "Errors and HTTP status"), so logs read like the real venue.
const (
	msgInsufficient = "Account has insufficient balance for requested action."
	msgWouldTake    = "Order would immediately match and take."
	msgUnknownOrder = "Unknown order sent."
)

// PlaceOrders places each request in order. A client order id that already exists returns that order with
// Duplicate set, whatever its state. Rejections (filters, balance, post-only) come back in PlaceResult.Err
// and create no order. With order latency the order is accepted now and reaches the book later, so a
// post-only rejection then arrives as an OrderUpdate with status rejected.
func (e *Exchange) PlaceOrders(_ context.Context, reqs []sdk.OrderRequest) ([]sdk.PlaceResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	out := make([]sdk.PlaceResult, len(reqs))
	for i, req := range reqs {
		out[i] = e.place(req)
	}
	return out, e.afterCall()
}

func (e *Exchange) place(req sdk.OrderRequest) sdk.PlaceResult {
	res := sdk.PlaceResult{ClientOrderID: req.ClientOrderID}
	if existing, ok := e.orders[req.ClientOrderID]; ok {
		res.Order, res.Duplicate = existing.Order, true
		return res
	}
	if res.Err = e.validate(req); res.Err != nil {
		return res
	}
	if e.cfg.OrderLatency == 0 && e.wouldTake(req.Side, req.Price) && req.Type == sdk.LimitMaker {
		res.Err = sdk.Errorf(sdk.CodeWouldTake, msgWouldTake)
		return res
	}
	o := e.accept(req)
	if e.cfg.OrderLatency == 0 {
		e.activate(o)
	} else {
		e.schedule(action{at: e.now.Add(e.cfg.OrderLatency), priority: o.priority, ord: o})
	}
	e.flushBalances()
	res.Order = o.Order
	return res
}

// validate applies Binance's checks in its order: symbol, parameters, PRICE_FILTER, LOT_SIZE, NOTIONAL,
// then the balance (reference/exchanges.md "Filters": a failure is -1013 "Filter failure: <FILTER>").
func (e *Exchange) validate(req sdk.OrderRequest) *sdk.Error {
	if err := e.checkMarket(req.Market); err != nil {
		return err
	}
	switch {
	case req.ClientOrderID == "":
		return sdk.Errorf(sdk.CodeInvalidRequest, "client order id is required")
	case req.Side != market.Buy && req.Side != market.Sell:
		return sdk.Errorf(sdk.CodeInvalidRequest, "side %q: want buy or sell", req.Side)
	case req.Type != sdk.Limit && req.Type != sdk.LimitMaker:
		return sdk.Errorf(sdk.CodeInvalidRequest, "order type %q: want limit or limit_maker", req.Type)
	case req.Price.Sign() <= 0:
		return sdk.Errorf(sdk.CodeInvalidRequest, "price %s: must be > 0", req.Price)
	case req.Amount.Sign() <= 0:
		return sdk.Errorf(sdk.CodeInvalidRequest, "amount %s: must be > 0", req.Amount)
	}
	r := e.cfg.Rules
	if !multipleOf(req.Price, e.fixedRules.tick, r.TickSize) {
		return sdk.Errorf(sdk.CodeFilter, "Filter failure: PRICE_FILTER (price %s is not a multiple of tick size %s)",
			req.Price, r.TickSize)
	}
	if !multipleOf(req.Amount, e.fixedRules.step, r.StepSize) {
		return sdk.Errorf(sdk.CodeFilter, "Filter failure: LOT_SIZE (amount %s is not a multiple of step size %s)",
			req.Amount, r.StepSize)
	}
	if req.Amount.Cmp(r.MinSize) < 0 {
		return sdk.Errorf(sdk.CodeFilter, "Filter failure: LOT_SIZE (amount %s is below the minimum %s)",
			req.Amount, r.MinSize)
	}
	notional, low := e.belowMinNotional(req.Price, req.Amount)
	if low {
		return sdk.Errorf(sdk.CodeFilter, "Filter failure: NOTIONAL (price × amount = %s is below the minimum %s)",
			notional, r.MinNotional)
	}
	asset, need := e.lockFor(req.Side, req.Price, req.Amount)
	if avail := e.balances[asset].available(); lessThan(avail, need) {
		return sdk.Errorf(sdk.CodeInsufficientBalance, "%s (needs %s %s, %s available)", msgInsufficient,
			need, asset, avail)
	}
	return nil
}

// fixedRules are the market rules as exact fixed-point numbers, for the checks every place makes (ok false: a
// rule that does not fit, checked with decimals instead).
type fixedRules struct {
	tick, step, minNotional market.Fixed
	tickOK, stepOK, minOK   bool
}

func newFixedRules(r Rules) fixedRules {
	var f fixedRules
	f.tick, f.tickOK = market.FixedFromDecimalExact(r.TickSize)
	f.step, f.stepOK = market.FixedFromDecimalExact(r.StepSize)
	f.minNotional, f.minOK = market.FixedFromDecimalExact(r.MinNotional)
	if !f.tickOK {
		f.tick = market.Fixed{}
	}
	if !f.stepOK {
		f.step = market.Fixed{}
	}
	return f
}

// multipleOf reports x mod q = 0, in fixed point when both fit (q is the zero Fixed when it does not).
func multipleOf(x decimal.Decimal, q market.Fixed, qd decimal.Decimal) bool {
	if xf, ok := market.FixedFromDecimalExact(x); ok && !q.IsZero() {
		if m, ok := xf.IsMultipleOf(q); ok {
			return m
		}
	}
	return x.Mod(qd).IsZero()
}

// belowMinNotional reports price × amount < min_notional; the notional is returned only when it is below
// (for the error), in fixed point when everything fits.
func (e *Exchange) belowMinNotional(price, amount decimal.Decimal) (decimal.Decimal, bool) {
	if p, ok := market.FixedFromDecimalExact(price); ok && e.fixedRules.minOK {
		if a, ok := market.FixedFromDecimalExact(amount); ok {
			if n, ok := p.Mul(a); ok {
				if n.Cmp(e.fixedRules.minNotional) >= 0 {
					return decimal.Decimal{}, false
				}
				return n.Decimal(), true
			}
		}
	}
	notional := price.Mul(amount)
	return notional, notional.Cmp(e.cfg.Rules.MinNotional) < 0
}

// lessThan is a < b, compared in fixed point when both fit (decimal's Cmp rescales, which allocates).
func lessThan(a, b decimal.Decimal) bool {
	if af, ok := market.FixedFromDecimalExact(a); ok {
		if bf, ok := market.FixedFromDecimalExact(b); ok {
			return af.Cmp(bf) < 0
		}
	}
	return a.Cmp(b) < 0
}

// lockFor is what an order locks while it rests: price × amount of quote for a buy, amount of base for a
// sell. The buy's fee is charged in base (the asset received), so the quote lock covers the whole cost.
func (e *Exchange) lockFor(side market.Side, price, amount decimal.Decimal) (asset string, locked decimal.Decimal) {
	if side == market.Buy {
		return e.cfg.Market.Quote, price.Mul(amount)
	}
	return e.cfg.Market.Base, amount
}

// accept gives the order its exchange id and time priority, locks its funds and reports it open.
func (e *Exchange) accept(req sdk.OrderRequest) *order {
	e.nextOrderID++
	e.nextPriority++
	o := newOrder(sdk.Order{
		ClientOrderID: req.ClientOrderID, ExchangeOrderID: strconv.FormatUint(e.nextOrderID, 10),
		Market: req.Market, Side: req.Side, Type: req.Type, Price: req.Price, Amount: req.Amount,
		FilledAmount: decimal.Zero, Status: sdk.StatusOpen, Created: e.now, Updated: e.now,
	})
	o.priority = e.nextPriority
	asset, locked := e.lockFor(o.Side, o.Price, o.Amount)
	o.locked = locked
	b := e.balances[asset]
	b.lock(locked)
	e.touch(asset)
	e.orders[o.ClientOrderID] = o
	e.emit(sdk.OrderUpdate{Order: o.Order})
	e.remember(o)
	return o
}

// OrderRetention is how many orders the exchange remembers, newest first, besides every order still open or
// with an action in flight, for idempotent places and cancels by client id. Binance keeps a client order id
// unique only among open orders, so a retry of a long-finished order id being accepted again is what a real
// venue does too; the bound keeps a year-long backtest's memory flat instead of growing with every order placed.
const OrderRetention = 10_000

// remember queues a new order for forgetting: once OrderRetention newer orders exist, a finished order is
// dropped, a live one goes back to the end of the queue. Each call looks at two orders at most, so the cost
// per order is constant.
func (e *Exchange) remember(o *order) {
	e.memory = append(e.memory, o)
	for range 2 {
		if len(e.memory)-e.memoryHead <= OrderRetention {
			break
		}
		oldest := e.memory[e.memoryHead]
		e.memory[e.memoryHead] = nil
		e.memoryHead++
		if oldest.isOpen() || e.isPending(oldest) {
			e.memory = append(e.memory, oldest)
		} else if e.orders[oldest.ClientOrderID] == oldest {
			delete(e.orders, oldest.ClientOrderID)
		}
	}
	if e.memoryHead > len(e.memory)/2 {
		e.memory = append(e.memory[:0], e.memory[e.memoryHead:]...)
		e.memoryHead = 0
	}
}

// isPending says whether an arrival or cancel of o is still waiting out its latency (the state file must
// find the order of every pending action).
func (e *Exchange) isPending(o *order) bool {
	for _, a := range e.pending {
		if a.ord == o {
			return true
		}
	}
	return false
}

// activate is the order reaching the matching engine: a post-only order that would cross is rejected, a
// crossing limit order executes as taker against the book, and the rest joins our resting orders behind the
// queue the book shows at its price.
func (e *Exchange) activate(o *order) {
	if !o.isOpen() || o.active {
		return // cancelled while travelling
	}
	o.active = true
	e.dirty = true
	if e.wouldTake(o.Side, o.Price) {
		if o.Type == sdk.LimitMaker {
			e.release(o)
			o.Status, o.Updated = sdk.StatusRejected, e.now
			e.emit(sdk.OrderUpdate{Order: o.Order})
			return
		}
		e.takeLiquidity(o)
		if !o.isOpen() {
			return
		}
	}
	o.queue = e.queueAt(o.Side, o.Price)
	e.insertResting(o)
}

// takeLiquidity walks the opposite side of the book from its best level while the level's price is within
// the order's limit: one taker fill per level, at the level's price. The book itself is not changed (our
// order never reached the real market), so the next depth update stands as recorded.
func (e *Exchange) takeLiquidity(o *order) {
	for _, level := range e.oppositeLevels(o.Side) {
		price := level.Price.Decimal()
		if !o.isOpen() || !crosses(o.Side, o.Price, price) {
			return
		}
		e.fill(o, price, decimal.Min(level.Size.Decimal(), o.remaining()), false)
	}
}

// crosses reports whether an order on side at limit would trade with a resting order at price.
func crosses(side market.Side, limit, price decimal.Decimal) bool {
	if side == market.Buy {
		return price.Cmp(limit) <= 0
	}
	return price.Cmp(limit) >= 0
}

func (e *Exchange) wouldTake(side market.Side, price decimal.Decimal) bool {
	t := e.currentTop()
	if side == market.Buy {
		return t.ask.Sign() > 0 && crosses(side, price, t.ask.Decimal())
	}
	return t.bid.Sign() > 0 && crosses(side, price, t.bid.Decimal())
}

func (e *Exchange) insertResting(o *order) {
	list := &e.bids
	if o.Side == market.Sell {
		list = &e.asks
	}
	i := sort.Search(len(*list), func(i int) bool { return ahead(o, (*list)[i]) })
	*list = append(*list, nil)
	copy((*list)[i+1:], (*list)[i:])
	(*list)[i] = o
}

// ahead reports whether a has priority over b on the same side: better price, then earlier.
func ahead(a, b *order) bool {
	if c := a.Price.Cmp(b.Price); c != 0 {
		return (c > 0) == (a.Side == market.Buy)
	}
	return a.priority < b.priority
}

func (e *Exchange) removeResting(o *order) {
	list := &e.bids
	if o.Side == market.Sell {
		list = &e.asks
	}
	for i, r := range *list {
		if r == o {
			*list = append((*list)[:i], (*list)[i+1:]...)
			return
		}
	}
}

// release unlocks whatever the order still locks.
func (e *Exchange) release(o *order) {
	asset, _ := e.lockFor(o.Side, o.Price, o.Amount)
	b := e.balances[asset]
	b.unlock(o.locked)
	o.locked = decimal.Zero
	e.touch(asset)
}

// fill executes amount of o at price. Fees are charged in the asset received, as on Binance without BNB:
// a buy receives amount − fee of base, a sell receives price × amount − fee of quote. The lock shrinks by
// exactly what this amount locked, so a filled order leaves no lock behind.
func (e *Exchange) fill(o *order, price, amount decimal.Decimal, maker bool) {
	rate := e.cfg.Rules.TakerFee
	if maker {
		rate = e.cfg.Rules.MakerFee
	}
	base, quote := e.balances[e.cfg.Market.Base], e.balances[e.cfg.Market.Quote]
	notional := price.Mul(amount)
	var fee decimal.Decimal
	var feeAsset string
	if o.Side == market.Buy {
		fee, feeAsset = amount.Mul(rate), e.cfg.Market.Base
		unlock := o.Price.Mul(amount)
		quote.debit(notional)
		quote.unlock(unlock)
		o.locked = o.locked.Sub(unlock)
		base.credit(amount.Sub(fee))
	} else {
		fee, feeAsset = notional.Mul(rate), e.cfg.Market.Quote
		base.debit(amount)
		base.unlock(amount)
		o.locked = o.locked.Sub(amount)
		quote.credit(notional.Sub(fee))
	}
	e.touch(e.cfg.Market.Base)
	e.touch(e.cfg.Market.Quote)
	o.FilledAmount = o.FilledAmount.Add(amount)
	o.Status, o.Updated = sdk.StatusPartiallyFilled, e.now
	if o.remaining().Sign() == 0 {
		o.Status = sdk.StatusFilled
	}
	f := sdk.Fill{
		TradeID: "P" + strconv.Itoa(len(e.fills)+1), ClientOrderID: o.ClientOrderID,
		ExchangeOrderID: o.ExchangeOrderID, Market: o.Market, Side: o.Side, Price: price, Amount: amount,
		Fee: fee, FeeAsset: feeAsset, Maker: maker, Time: e.now,
	}
	e.fills = append(e.fills, f)
	e.emit(sdk.FillEvent{Fill: f})
	e.emit(sdk.OrderUpdate{Order: o.Order})
}

// CancelOrders cancels each client order id. An unknown id is rejected like Binance's -2011 "Unknown order
// sent."; an order that already filled or was cancelled is returned as it is, so a retried cancel is safe.
// With cancel latency the result shows the order still open: the cancel reaches the book later, the order
// may fill meanwhile, and an OrderUpdate reports the outcome.
func (e *Exchange) CancelOrders(_ context.Context, m market.Pair, clientOrderIDs []string) ([]sdk.CancelResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	if err := e.checkMarket(m); err != nil {
		return nil, err
	}
	out := make([]sdk.CancelResult, len(clientOrderIDs))
	for i, id := range clientOrderIDs {
		out[i] = sdk.CancelResult{ClientOrderID: id}
		o, ok := e.orders[id]
		if !ok {
			out[i].Err = sdk.Errorf(sdk.CodeUnknownOrder, "%s (client order id %q)", msgUnknownOrder, id)
			continue
		}
		e.requestCancel(o)
		out[i].Order = o.Order
	}
	return out, e.afterCall()
}

// CancelAll cancels every open order of the market and returns them as they are afterwards.
func (e *Exchange) CancelAll(_ context.Context, m market.Pair) ([]sdk.Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	if err := e.checkMarket(m); err != nil {
		return nil, err
	}
	var out []sdk.Order
	for _, o := range e.openOrdersLocked() {
		e.requestCancel(o)
		out = append(out, o.Order)
	}
	return out, e.afterCall()
}

func (e *Exchange) requestCancel(o *order) {
	if !o.isOpen() || o.canceled {
		return
	}
	if e.cfg.CancelLatency == 0 {
		e.cancelNow(o)
		return
	}
	o.canceled = true
	e.nextPriority++
	e.schedule(action{at: e.now.Add(e.cfg.CancelLatency), priority: e.nextPriority, cancel: true, ord: o})
}

// cancelNow takes the order off the book (or stops it travelling) and releases its remaining lock.
func (e *Exchange) cancelNow(o *order) {
	if !o.isOpen() {
		return // filled before the cancel arrived
	}
	if o.active {
		e.removeResting(o)
	}
	e.release(o)
	o.Status, o.Updated, o.canceled = sdk.StatusCancelled, e.now, true
	e.emit(sdk.OrderUpdate{Order: o.Order})
	e.flushBalances()
}

// schedule queues an action in (time, priority) order, so latency never reorders two requests sent in order
// with the same delay.
func (e *Exchange) schedule(a action) {
	i := sort.Search(len(e.pending), func(i int) bool {
		p := e.pending[i]
		return p.at.After(a.at) || (p.at.Equal(a.at) && p.priority > a.priority)
	})
	e.pending = append(e.pending, action{})
	copy(e.pending[i+1:], e.pending[i:])
	e.pending[i] = a
	e.dirty = true
}

// runDue performs the actions due at or before t, each at its own simulated time.
func (e *Exchange) runDue(t time.Time) {
	for len(e.pending) > 0 && !e.pending[0].at.After(t) {
		a := e.pending[0]
		e.pending = e.pending[1:]
		e.now = a.at
		if a.cancel {
			e.cancelNow(a.ord)
		} else {
			e.activate(a.ord)
			e.flushBalances()
		}
	}
}

// afterCall ends a mutating call: it writes the state file if the account changed and wakes the stream. A
// failed write is the call's error: the caller must not believe a paper account is safe when it is not.
func (e *Exchange) afterCall() error {
	if len(e.events) > 0 {
		e.signal()
	}
	return e.persist()
}
