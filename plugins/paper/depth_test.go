package paper

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func levelsText(levels []sdk.Level) string {
	s := ""
	for _, l := range levels {
		s += fmt.Sprintf("%s:%s ", l.Price, l.Amount)
	}
	return s
}

func ticker(bid, bidSize, ask, askSize string, id uint64) feed.Event {
	return feed.Event{Kind: feed.KindTopOfBook, BidPrice: fx(bid), BidSize: fx(bidSize), AskPrice: fx(ask),
		AskSize: fx(askSize), LastUpdateID: id}
}

func TestDepthIsTheBookAsMatchingSeesIt(t *testing.T) {
	e := newExchange(t, testConfig(
		snapshot([]string{"100:1", "99:2", "98:3", "97:4"}, []string{"101:1", "102:2", "103:3"}),
		ticker("100.5", "0.4", "101", "1", 5), // fresher than the depth book: a new best bid
		ticker("99.5", "0.7", "102", "2", 6),  // the book's 100 and 101 are stale, ahead of the ticker
	))
	if bids, asks := e.Depth(2); len(bids)+len(asks) != 0 {
		t.Fatalf("before the first event: %v %v", bids, asks)
	}
	stepN(t, e, 1)
	bids, asks := e.Depth(2)
	if got := levelsText(bids) + "| " + levelsText(asks); got != "100:1 99:2 | 101:1 102:2 " {
		t.Errorf("depth 2 of the snapshot: %s", got)
	}
	bids[0].Price = d("1") // a copy: the book is unchanged
	if again, _ := e.Depth(1); !again[0].Price.Equal(d("100")) {
		t.Errorf("Depth returned the exchange's own storage: %v", again)
	}
	stepN(t, e, 1)
	bids, asks = e.Depth(3)
	if got := levelsText(bids) + "| " + levelsText(asks); got != "100.5:0.4 100:1 99:2 | 101:1 102:2 103:3 " {
		t.Errorf("depth 3 behind a fresher ticker: %s", got)
	}
	stepN(t, e, 1)
	bids, asks = e.Depth(10)
	if got := levelsText(bids) + "| " + levelsText(asks); got != "99.5:0.7 99:2 98:3 97:4 | 102:2 103:3 " {
		t.Errorf("depth behind a ticker inside a stale book: %s", got)
	}
	if bids, asks := e.Depth(0); len(bids)+len(asks) != 0 {
		t.Errorf("Depth(0): %v %v", bids, asks)
	}
}

// With cancel latency, a cancel sent after the last feed event would never land: Settle lets it, at its own
// time, once the feed has ended, and refuses while the feed still runs.
func TestSettleAppliesPendingCancelsAfterTheFeedEnds(t *testing.T) {
	ms := time.Millisecond
	cfg := testConfig(
		at(snapshot([]string{"100:1"}, []string{"101:1"}), 0),
		at(trade(market.Sell, "100", "0.1"), 10*ms),
	)
	cfg.CancelLatency = 50 * ms
	e := newExchange(t, cfg)
	stepN(t, e, 1)
	mustPlace(t, e, maker("b", market.Buy, "99", "1"))
	if _, err := e.Settle(t0.Add(time.Second)); !errors.Is(err, ErrFeedRunning) {
		t.Fatalf("Settle while the feed runs: %v, want ErrFeedRunning", err)
	}
	stepAll(t, e)
	if _, err := e.CancelOrders(ctx, btcusdt, []string{"b"}); err != nil {
		t.Fatal(err)
	}
	if o := orderState(t, e, "b"); o.Status != sdk.StatusOpen {
		t.Fatalf("cancel in flight, want the order still open: %+v", o)
	}
	events, err := e.Settle(t0.Add(10*ms + 49*ms))
	if err != nil || len(events) != 0 {
		t.Fatalf("settle before the cancel is due: %v %v", events, err)
	}
	events, err = e.Settle(t0.Add(10*ms + 50*ms))
	if err != nil {
		t.Fatal(err)
	}
	var cancelled bool
	for _, ev := range events {
		if u, ok := ev.Payload.(sdk.OrderUpdate); ok && u.Order.ClientOrderID == "b" &&
			u.Order.Status == sdk.StatusCancelled && ev.Time.Equal(t0.Add(60*ms)) {
			cancelled = true
		}
	}
	if !cancelled {
		t.Fatalf("no OrderUpdate cancelled at 60 ms among %+v", events)
	}
	if open, _ := e.OpenOrders(ctx, btcusdt); len(open) != 0 {
		t.Fatalf("open after Settle: %+v", open)
	}
	wantBalance(t, e, "USDT", "1000000", "1000000")
	if !e.Now().Equal(t0.Add(60 * ms)) {
		t.Errorf("clock %s, want 60 ms", e.Now())
	}
}
