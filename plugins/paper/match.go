package paper

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Step pulls the next feed event and plays it: the clock advances to the event's time, orders and cancels
// whose latency has elapsed by then reach the book first (each at its own time), then the event is applied
// to the book and our resting orders are matched against it. It returns, in this order, the events queued by
// calls since the last Step, those of the actions that came due, BookTop if the top changed (and BookDepth
// if a stream asked for depth), PublicTrade for a trade, then our OrderUpdate, FillEvent and BalanceUpdate
// events. At the end of the feed it returns io.EOF (after handing out any events still queued); any other
// feed error is final and is returned by every later Step.
func (e *Exchange) Step() ([]sdk.Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	return e.step()
}

// Err is the error that ended the feed, nil while it runs or after a clean end. A stream closes its channel
// when the feed fails; Err says why.
func (e *Exchange) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if errors.Is(e.feedErr, io.EOF) {
		return nil
	}
	return e.feedErr
}

func (e *Exchange) step() ([]sdk.Event, error) {
	ev, err := e.pull()
	if err != nil {
		if err == io.EOF && len(e.events) > 0 {
			return e.takeEvents(), nil
		}
		return e.takeEvents(), err
	}
	e.runDue(ev.Time)
	e.now = ev.Time
	if err := e.apply(ev); err != nil {
		e.feedErr = err
		return e.takeEvents(), err
	}
	return e.takeEvents(), e.persist()
}

// pull returns the look-ahead event if a paced stream peeked one, else the source's next event.
func (e *Exchange) pull() (feed.Event, error) {
	if e.lookahead != nil {
		ev := *e.lookahead
		e.lookahead = nil
		return ev, nil
	}
	if e.feedErr != nil {
		return feed.Event{}, e.feedErr
	}
	ev, err := e.cfg.Source.Next()
	if err == nil && e.sharedBook {
		switch ev.Kind {
		case feed.KindBookSnapshot, feed.KindBookUpdate, feed.KindBookInvalid:
			e.bookAhead = true
		}
	}
	switch {
	case err == io.EOF:
		e.feedErr = io.EOF
		return ev, io.EOF
	case err != nil:
		e.feedErr = fmt.Errorf("paper: feed: %w", err)
		return ev, e.feedErr
	case ev.Time.Before(e.now):
		e.feedErr = fmt.Errorf("paper: feed event %d at %s is before the clock (%s)", ev.Seq,
			ev.Time.Format(time.RFC3339Nano), e.now.Format(time.RFC3339Nano))
		return ev, e.feedErr
	}
	return ev, nil
}

// view is the book as the exchange must see it now. A shared book may already hold the event being stepped
// (bookAhead); until apply plays that event, orders arriving before it (latency, or calls while a paced stream
// waits for it) must see the book without it, so view reverts it then — rarely, hence cheaper than a copy.
func (e *Exchange) view() *feed.Book {
	if e.bookAhead && !e.bookReverted {
		if !e.book.Revert() {
			panic("paper: the shared feed book cannot revert the event being stepped")
		}
		e.bookReverted = true
	}
	return e.book
}

// peekTime is the time of the next feed event without playing it (for a paced stream).
func (e *Exchange) peekTime() (time.Time, error) {
	if e.lookahead == nil {
		ev, err := e.pull()
		if err != nil {
			return time.Time{}, err
		}
		e.lookahead = &ev
	}
	return e.lookahead.Time, nil
}

func (e *Exchange) apply(ev feed.Event) error {
	switch ev.Kind {
	case feed.KindBookSnapshot, feed.KindBookUpdate, feed.KindBookInvalid:
		if !e.sharedBook || e.bookReverted {
			if err := e.book.Apply(ev); err != nil {
				return fmt.Errorf("paper: feed event %d: %w", ev.Seq, err)
			}
		}
		e.bookAhead, e.bookReverted = false, false
		if ev.Kind != feed.KindBookInvalid && e.view().LastUpdateID() >= e.tickerID {
			e.useTicker = false
		}
	case feed.KindTopOfBook:
		e.ticker = top{bid: ev.BidPrice, bidSize: ev.BidSize, ask: ev.AskPrice, askSize: ev.AskSize}
		e.tickerID, e.useTicker = ev.LastUpdateID, true
	case feed.KindTrade:
		price, size := e.prices.decimal(ev.Price), e.sizes.decimal(ev.Size)
		e.emit(sdk.PublicTrade{Market: e.cfg.Market, TradeID: strconv.FormatUint(ev.TradeID, 10),
			Price: price, Amount: size, TakerSide: ev.TakerSide})
		if e.cfg.FillModel == Optimistic {
			e.matchTradeOptimistic(price, ev.TakerSide)
		} else {
			e.matchTradeConservative(price, size, ev.TakerSide)
		}
	}
	t := e.currentTop()
	if ev.Kind != feed.KindTrade {
		e.reportTop(t)
		if e.depthLevels > 0 && ev.Kind != feed.KindTopOfBook {
			e.reportDepth()
		}
	}
	if e.cfg.FillModel == Optimistic {
		e.fillCrossed(t)
	}
	e.flushBalances()
	return nil
}

// currentTop is the freshest top of book. A bookTicker moves with every change while depth arrives in 100 ms
// batches, so the ticker wins until a depth update carries an update id at least as new as the ticker's
// (both count the same book updates on Binance spot). A side the ticker leaves at zero falls back to the book.
func (e *Exchange) currentTop() top {
	var t top
	if l, ok := e.view().BestBid(); ok {
		t.bid, t.bidSize = l.Price, l.Size
	}
	if l, ok := e.view().BestAsk(); ok {
		t.ask, t.askSize = l.Price, l.Size
	}
	if e.useTicker {
		if e.ticker.bid.Sign() > 0 {
			t.bid, t.bidSize = e.ticker.bid, e.ticker.bidSize
		}
		if e.ticker.ask.Sign() > 0 {
			t.ask, t.askSize = e.ticker.ask, e.ticker.askSize
		}
	}
	return t
}

func (e *Exchange) reportTop(t top) {
	if t.equal(e.lastTop) {
		return
	}
	e.lastTop = t
	id := e.view().LastUpdateID()
	if e.useTicker {
		id = e.tickerID
	}
	e.emit(sdk.BookTop{Market: e.cfg.Market, BidPrice: e.prices.decimal(t.bid), BidAmount: e.sizes.decimal(t.bidSize),
		AskPrice: e.prices.decimal(t.ask), AskAmount: e.sizes.decimal(t.askSize), UpdateID: id})
}

func (e *Exchange) reportDepth() {
	depth := sdk.BookDepth{Market: e.cfg.Market, UpdateID: e.view().LastUpdateID()}
	for _, l := range e.view().Levels(market.Buy, e.depthLevels) {
		depth.Bids = append(depth.Bids, sdk.Level{Price: e.prices.decimal(l.Price), Amount: e.sizes.decimal(l.Size)})
	}
	for _, l := range e.view().Levels(market.Sell, e.depthLevels) {
		depth.Asks = append(depth.Asks, sdk.Level{Price: e.prices.decimal(l.Price), Amount: e.sizes.decimal(l.Size)})
	}
	e.emit(depth)
}

// queueAt is the size ahead of a new order at price on side: the book's size at that level when the order
// joins (DESIGN.md §5), zero at a price better than the best, and the ticker's size at the best price when
// the ticker is fresher than the depth book.
func (e *Exchange) queueAt(side market.Side, price decimal.Decimal) decimal.Decimal {
	t := e.currentTop()
	best, size := t.bid, t.bidSize
	if side == market.Sell {
		best, size = t.ask, t.askSize
	}
	if best.Sign() > 0 {
		c := price.Cmp(best.Decimal())
		if c == 0 {
			return size.Decimal()
		}
		if (c > 0) == (side == market.Buy) {
			return decimal.Zero
		}
	}
	p, fits := market.FixedFromDecimal(price)
	if !fits {
		return decimal.Zero // more significant digits than any feed price: the book has no level there
	}
	return e.view().SizeAt(side, p).Decimal()
}

// oppositeLevels is the liquidity a taker order on side meets, best first: the current top, then the depth
// book's levels behind it.
func (e *Exchange) oppositeLevels(side market.Side) []feed.Level {
	t := e.currentTop()
	opposite, best, size := market.Sell, t.ask, t.askSize
	if side == market.Sell {
		opposite, best, size = market.Buy, t.bid, t.bidSize
	}
	if best.Sign() <= 0 {
		return nil
	}
	levels := []feed.Level{{Side: opposite, Price: best, Size: size}}
	for _, l := range e.view().Levels(opposite, 0) {
		if c := l.Price.Cmp(best); (c > 0) == (opposite == market.Sell) && c != 0 {
			levels = append(levels, l)
		}
	}
	return levels
}

// matchTradeConservative implements DESIGN.md §5. A trade at price with the aggressor on takerSide fills,
// best first in price-then-time priority and never more than size in total:
//   - our orders it printed through (a bid above the price, an ask below it), whichever side the aggressor;
//   - our orders at exactly the price on the side the aggressor hit, once the queue ahead of them is gone:
//     the trade first eats the queue (each such order's queue shrinks by size), the rest fills us.
//
// Only such trades shrink a queue; a trade through does not reset it, since how the level refilled is
// unknown, and a touch (the book moving to or through our price without a trade) never fills.
func (e *Exchange) matchTradeConservative(price, size decimal.Decimal, takerSide market.Side) {
	hit, other := e.bids, e.asks // a taker sell hits the bids
	if takerSide == market.Buy {
		hit, other = e.asks, e.bids
	}
	budget := e.fillFromTrade(hit, price, size, size, true)
	e.fillFromTrade(other, price, size, budget, false)
	e.dropClosed()
}

// fillFromTrade walks one side of our orders, best first; atPrice says the aggressor hit this side, so
// orders at exactly the trade price may fill behind their queue. It returns the trade size left over.
func (e *Exchange) fillFromTrade(list []*order, price, size, budget decimal.Decimal, atPrice bool) decimal.Decimal {
	for _, o := range list {
		c := o.Price.Cmp(price)
		through := c != 0 && (c > 0) == (o.Side == market.Buy)
		if !through && !(atPrice && c == 0) {
			break // the list is best first: nothing behind this order can fill either
		}
		amount := decimal.Min(budget, o.remaining())
		if !through {
			ahead := o.queue
			o.queue = decimal.Max(ahead.Sub(size), decimal.Zero)
			e.dirty = true
			amount = decimal.Min(amount, decimal.Max(size.Sub(ahead), decimal.Zero))
		}
		if amount.Sign() > 0 {
			e.fill(o, o.Price, amount, true)
			budget = budget.Sub(amount)
		}
	}
	return budget
}

// matchTradeOptimistic is Hummingbot's paper-trade trade rule (reference/hummingbot.md §6.2): a public
// SELL fills our bids priced strictly above the trade, a BUY our asks strictly below, each entirely and at
// its own price, whatever the trade's size and the queue.
func (e *Exchange) matchTradeOptimistic(price decimal.Decimal, takerSide market.Side) {
	list := e.bids
	if takerSide == market.Buy {
		list = e.asks
	}
	for _, o := range list {
		c := o.Price.Cmp(price)
		if c == 0 || (c > 0) != (o.Side == market.Buy) {
			break
		}
		e.fill(o, o.Price, o.remaining(), true)
	}
	e.dropClosed()
}

// fillCrossed is Hummingbot's paper-trade tick rule (reference/hummingbot.md §6.2), run after every event
// under the optimistic model: a bid fills entirely at its price when the best ask is at or below it, an ask
// when the best bid is at or above it.
func (e *Exchange) fillCrossed(t top) {
	filled := false
	for _, o := range e.bids {
		if t.ask.Sign() <= 0 || o.cmpFeed(t.ask) < 0 {
			break
		}
		e.fill(o, o.Price, o.remaining(), true)
		filled = true
	}
	for _, o := range e.asks {
		if t.bid.Sign() <= 0 || o.cmpFeed(t.bid) > 0 {
			break
		}
		e.fill(o, o.Price, o.remaining(), true)
		filled = true
	}
	if filled {
		e.dropClosed()
	}
}

// dropClosed removes filled orders from the resting lists.
func (e *Exchange) dropClosed() {
	closed := func(o *order) bool { return !o.isOpen() }
	e.bids = slices.DeleteFunc(e.bids, closed)
	e.asks = slices.DeleteFunc(e.asks, closed)
}
