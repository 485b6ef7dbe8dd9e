package paper

import (
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func wantFills(t *testing.T, got []sdk.Fill, want []string) {
	t.Helper()
	if len(got) != len(want) {
		var keys []string
		for _, f := range got {
			keys = append(keys, fillKey(f))
		}
		t.Fatalf("fills:\n%q\nwant:\n%q", keys, want)
	}
	for i := range want {
		if k := fillKey(got[i]); k != want[i] {
			t.Errorf("fill %d: %s, want %s", i, k, want[i])
		}
	}
}

// DESIGN.md §5: at its price, an order fills only after the queue ahead of it (the book's size there when
// it joined) has traded, and only trades whose aggressor hits its side count; fills are partial, up to
// the trade's size.
func TestQueueDepletionAndPartialFills(t *testing.T) {
	e := newExchange(t, testConfig(
		snapshot([]string{"100:2"}, []string{"101:1"}),
		trade(market.Buy, "100", "5"),    // aggressor buys: does not touch the bid queue
		trade(market.Sell, "100", "1.5"), // queue 2 → 0.5, nothing for us
		trade(market.Sell, "100", "1"),   // 0.5 to the queue, 0.5 to us
		trade(market.Sell, "100", "2"),   // the remaining 1 to us, capped by the order
		trade(market.Sell, "100", "2"),   // the order is done
	))
	stepN(t, e, 1)
	mustPlace(t, e, maker("q", market.Buy, "100", "1.5"))
	wantFills(t, fillsOf(stepAll(t, e)), []string{
		"q buy 0.5@100 fee=0.0005 BTC maker=true",
		"q buy 1@100 fee=0.001 BTC maker=true",
	})
	if o := orderState(t, e, "q"); o.Status != sdk.StatusFilled || !o.FilledAmount.Equal(d("1.5")) {
		t.Errorf("order %+v", o)
	}
}

// One trade's size is shared across our orders in price-then-time priority and never fills more than its
// size in total.
func TestTradeSizeIsSharedInPriceTimePriority(t *testing.T) {
	e := newExchange(t, testConfig(
		snapshot([]string{"100:2"}, []string{"101:1"}),
		trade(market.Sell, "100.5", "0.6"), // c (through) 0.1, then a 0.4, then b 0.1
		trade(market.Sell, "100.4", "0.2"), // through a (done) and b: b 0.2
	))
	stepN(t, e, 1)
	mustPlace(t, e, maker("a", market.Buy, "100.5", "0.4"), maker("b", market.Buy, "100.5", "0.4"),
		maker("c", market.Buy, "100.6", "0.1"))
	wantFills(t, fillsOf(stepAll(t, e)), []string{
		"c buy 0.1@100.6 fee=0.0001 BTC maker=true",
		"a buy 0.4@100.5 fee=0.0004 BTC maker=true",
		"b buy 0.1@100.5 fee=0.0001 BTC maker=true",
		"b buy 0.2@100.5 fee=0.0002 BTC maker=true",
	})
}

// bbgo PR #2555 (users.md §7 #167): a touch is not a fill. The conservative model ignores a book that moves
// to or through our price without a trade; Hummingbot's optimistic rule fills on the crossed book.
func TestTouchIsNotAFill(t *testing.T) {
	events := []feed.Event{
		snapshot([]string{"100:1"}, []string{"101:1"}),
		{Kind: feed.KindTopOfBook, LastUpdateID: 2, BidPrice: fx("100"), BidSize: fx("1"), AskPrice: fx("100.5"),
			AskSize: fx("1")},
		{Kind: feed.KindTopOfBook, LastUpdateID: 3, BidPrice: fx("100"), BidSize: fx("1"), AskPrice: fx("100.3"),
			AskSize: fx("1")},
		bookUpdate(market.Sell, "100.3", "4", 4),
	}
	for _, tt := range []struct {
		model FillModel
		want  []string
	}{
		{Conservative, nil},
		{Optimistic, []string{"t buy 1@100.5 fee=0.001 BTC maker=true"}},
	} {
		t.Run(string(tt.model), func(t *testing.T) {
			cfg := testConfig(events...)
			cfg.FillModel = tt.model
			e := newExchange(t, cfg)
			stepN(t, e, 1)
			mustPlace(t, e, maker("t", market.Buy, "100.5", "1"))
			wantFills(t, fillsOf(stepAll(t, e)), tt.want)
		})
	}
}

// users.md HB #1647: with several bids, a trade that prints through the best one only fills only that one,
// under both models. A later trade exactly at the second bid fills it under the conservative model (no
// queue: the book had nothing at 99.8), but not under Hummingbot's strictly-through rule.
func TestOnlyTheBidTradedThroughFills(t *testing.T) {
	events := []feed.Event{
		snapshot([]string{"100:1"}, []string{"101:1"}),
		trade(market.Sell, "99.85", "10"),
		trade(market.Sell, "99.8", "0.5"),
	}
	for _, tt := range []struct {
		model FillModel
		want  []string
	}{
		{Conservative, []string{"b1 buy 1@99.9 fee=0.001 BTC maker=true", "b2 buy 0.5@99.8 fee=0.0005 BTC maker=true"}},
		{Optimistic, []string{"b1 buy 1@99.9 fee=0.001 BTC maker=true"}},
	} {
		t.Run(string(tt.model), func(t *testing.T) {
			cfg := testConfig(events...)
			cfg.FillModel = tt.model
			e := newExchange(t, cfg)
			stepN(t, e, 1)
			mustPlace(t, e, maker("b1", market.Buy, "99.9", "1"), maker("b2", market.Buy, "99.8", "1"),
				maker("b3", market.Buy, "99.7", "1"))
			fills := fillsOf(stepN(t, e, 1))
			wantFills(t, fills, tt.want[:1])
			wantFills(t, fillsOf(stepAll(t, e)), tt.want[1:])
		})
	}
}

// Hummingbot's paper trade (reference/hummingbot.md §6.2): a SELL fills our bids priced strictly above it
// and a BUY our asks strictly below it, each entirely at its own price, whatever the trade's size.
func TestOptimisticIgnoresSizeAndQueue(t *testing.T) {
	cfg := testConfig(
		snapshot([]string{"100:50"}, []string{"101:50"}),
		trade(market.Sell, "100", "0.001"), // our bid at 100 sits behind 50: nothing
		trade(market.Sell, "99.99", "0.001"),
		trade(market.Buy, "101", "0.001"),
		trade(market.Buy, "101.01", "0.001"),
	)
	cfg.FillModel = Optimistic
	e := newExchange(t, cfg)
	stepN(t, e, 1)
	mustPlace(t, e, maker("b", market.Buy, "100", "2"), maker("a", market.Sell, "101", "3"))
	wantFills(t, fillsOf(stepAll(t, e)), []string{
		"b buy 2@100 fee=0.002 BTC maker=true",
		"a sell 3@101 fee=0.303 USDT maker=true",
	})
}

// Order-entry and cancel latency are simulated time: an order reaches the book (and takes its queue) only
// when its latency has elapsed, and it can fill while its cancel travels.
func TestLatencyDelaysActivationAndCancel(t *testing.T) {
	ms := time.Millisecond
	cfg := testConfig(
		at(snapshot([]string{"100:1"}, []string{"101:1"}), 0),
		at(bookUpdate(market.Buy, "100.5", "2", 2), 20*ms), // the level our order will join
		at(trade(market.Sell, "100.4", "1"), 50*ms),        // before arrival: nothing
		at(trade(market.Sell, "100.4", "0.3"), 150*ms),     // arrived at 100 ms: through, 0.3
		at(trade(market.Sell, "100.4", "0.2"), 180*ms),     // cancel sent at 150 ms arrives at 200 ms
		at(trade(market.Sell, "100.4", "5"), 250*ms),       // cancelled by now
	)
	cfg.OrderLatency, cfg.CancelLatency = 100*ms, 50*ms
	e := newExchange(t, cfg)
	stepN(t, e, 1)
	mustPlace(t, e, maker("l", market.Buy, "100.5", "1"))
	fills := fillsOf(stepN(t, e, 3))
	wantFills(t, fills, []string{"l buy 0.3@100.5 fee=0.0003 BTC maker=true"})
	if !fills[0].Time.Equal(t0.Add(150 * ms)) {
		t.Errorf("fill time %s", fills[0].Time)
	}
	if q := e.bids[0].queue; !q.Equal(d("2")) {
		t.Errorf("queue at arrival %s, want the 2 the book showed at 100 ms", q)
	}
	res, err := e.CancelOrders(ctx, btcusdt, []string{"l"})
	if err != nil || res[0].Err != nil || res[0].Order.Status != sdk.StatusPartiallyFilled {
		t.Fatalf("cancel in flight: %v %+v", err, res)
	}
	rest := fillsOf(stepAll(t, e))
	wantFills(t, rest, []string{"l buy 0.2@100.5 fee=0.0002 BTC maker=true"})
	o := orderState(t, e, "l")
	if o.Status != sdk.StatusCancelled || !o.Updated.Equal(t0.Add(200*ms)) || !o.FilledAmount.Equal(d("0.5")) {
		t.Errorf("order after the cancel: %+v", o)
	}
	wantBalance(t, e, "USDT", "999949.75", "999949.75")
}

// With order latency, a post-only order that would take when it arrives is rejected then, by an OrderUpdate.
func TestLatePostOnlyRejectIsAnOrderUpdate(t *testing.T) {
	cfg := testConfig(
		at(snapshot([]string{"100:1"}, []string{"101:1"}), 0),
		at(feed.Event{Kind: feed.KindTopOfBook, LastUpdateID: 2, BidPrice: fx("100"), BidSize: fx("1"),
			AskPrice: fx("100.2"), AskSize: fx("1")}, 10*time.Millisecond),
		at(trade(market.Buy, "100.2", "0.1"), 30*time.Millisecond),
	)
	cfg.OrderLatency = 20 * time.Millisecond
	e := newExchange(t, cfg)
	stepN(t, e, 1)
	mustPlace(t, e, maker("pm", market.Buy, "100.5", "1"))
	var rejected bool
	for _, ev := range stepAll(t, e) {
		if u, ok := ev.Payload.(sdk.OrderUpdate); ok && u.Order.Status == sdk.StatusRejected {
			rejected = u.Order.ClientOrderID == "pm"
		}
	}
	if !rejected {
		t.Error("no rejected OrderUpdate for the post-only order")
	}
	wantBalance(t, e, "USDT", "1000000", "1000000")
}
