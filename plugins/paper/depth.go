package paper

import (
	"errors"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Depth returns up to n levels of each side of the public book as the matching engine sees it now, best first
// (bids descending, asks ascending): the current top (the ticker's when it is fresher than the depth book, as
// BookTop reports it), then the depth book's levels behind it. The slices are copies. It is read-only, for
// the in-process runner, whose order optimization walks the book (reference/hummingbot.md §1.4); a plugin
// subscriber gets the same through BookDepth events. n ≤ 0 returns nothing.
func (e *Exchange) Depth(n int) (bids, asks []sdk.Level) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n <= 0 || !e.configured {
		return nil, nil
	}
	t := e.currentTop()
	return e.depthSide(market.Buy, t.bid, t.bidSize, n), e.depthSide(market.Sell, t.ask, t.askSize, n)
}

// depthSide is one side of Depth: the top, then the book's levels strictly behind it. Levels of a stale depth
// book in front of a fresher ticker are skipped, so it asks the book for more until it has n or the book ends.
func (e *Exchange) depthSide(side market.Side, best, size market.Fixed, n int) []sdk.Level {
	out := make([]sdk.Level, 0, n)
	if best.Sign() > 0 {
		out = append(out, sdk.Level{Price: e.prices.decimal(best), Amount: e.sizes.decimal(size)})
	}
	head := len(out)
	for want := n + 1; ; want *= 2 {
		out = out[:head]
		levels := e.view().Levels(side, want)
		for _, l := range levels {
			if len(out) == n {
				return out
			}
			if best.Sign() > 0 && !behind(side, l, best) {
				continue
			}
			out = append(out, sdk.Level{Price: e.prices.decimal(l.Price), Amount: e.sizes.decimal(l.Size)})
		}
		if len(out) == n || len(levels) < want {
			return out
		}
	}
}

// behind says whether a book level is strictly worse than the best price of its side.
func behind(side market.Side, l feed.Level, best market.Fixed) bool {
	c := l.Price.Cmp(best)
	if side == market.Buy {
		return c < 0
	}
	return c > 0
}

// ErrFeedRunning is returned by Settle while the feed still has events: the next event may come before the
// pending actions, so only Step may move the clock then.
var ErrFeedRunning = errors.New("paper: the feed has not ended; Step moves the clock")

// Settle applies, once the feed has ended (Step returned io.EOF, or the feed failed), the pending order
// arrivals and cancels due at or before until, each at its own simulated time, and returns their events. No
// feed event will move the clock any more, so without it a cancel sent with cancel latency at the end of a
// replay would stay in flight and its order open in the state file. The clock ends at until if that is later.
// While the feed still runs it returns ErrFeedRunning and changes nothing.
func (e *Exchange) Settle(until time.Time) ([]sdk.Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	if e.lookahead != nil || e.feedErr == nil {
		return nil, ErrFeedRunning
	}
	return e.settle(until)
}

// settle is Settle with e.mu held and the feed known to have ended.
func (e *Exchange) settle(until time.Time) ([]sdk.Event, error) {
	e.runDue(until)
	if until.After(e.now) {
		e.now = until
	}
	return e.takeEvents(), e.persist()
}
