package paper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

var (
	btcusdt = market.Pair{Base: "BTC", Quote: "USDT"}
	t0      = time.Date(2024, 8, 8, 0, 0, 0, 0, time.UTC)
	ctx     = context.Background()
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fx is d as the feed's exact fixed-point type, for feed events.
func fx(s string) market.Fixed {
	f, ok := market.FixedFromDecimal(d(s))
	if !ok {
		panic("fx: " + s + " does not fit")
	}
	return f
}

// sliceSource replays prepared events, numbering them and stamping any event without a time at t0 + index ms.
type sliceSource struct {
	events []feed.Event
	next   int
}

func (s *sliceSource) Next() (feed.Event, error) {
	if s.next >= len(s.events) {
		return feed.Event{}, io.EOF
	}
	ev := s.events[s.next]
	s.next++
	ev.Seq = uint64(s.next)
	if ev.Time.IsZero() {
		ev.Time = t0.Add(time.Duration(s.next) * time.Millisecond)
	}
	return ev, nil
}

// snapshot builds a book snapshot from "price:size" pairs.
func snapshot(bids, asks []string) feed.Event {
	ev := feed.Event{Kind: feed.KindBookSnapshot, LastUpdateID: 1}
	for _, side := range []struct {
		side   market.Side
		levels []string
	}{{market.Buy, bids}, {market.Sell, asks}} {
		for _, l := range side.levels {
			price, size, _ := strings.Cut(l, ":")
			ev.Levels = append(ev.Levels, feed.Level{Side: side.side, Price: fx(price), Size: fx(size)})
		}
	}
	return ev
}

// bookUpdate sets one level (size 0 deletes it).
func bookUpdate(side market.Side, price, size string, id uint64) feed.Event {
	return feed.Event{Kind: feed.KindBookUpdate, FirstUpdateID: id, LastUpdateID: id,
		Levels: []feed.Level{{Side: side, Price: fx(price), Size: fx(size)}}}
}

func trade(taker market.Side, price, size string) feed.Event {
	return feed.Event{Kind: feed.KindTrade, Price: fx(price), Size: fx(size), TakerSide: taker}
}

func at(ev feed.Event, offset time.Duration) feed.Event {
	ev.Time = t0.Add(offset)
	return ev
}

// testConfig is BTC-USDT with the default rules, 10 BTC and 1,000,000 USDT.
func testConfig(events ...feed.Event) Config {
	cfg := DefaultConfig()
	cfg.Balances = map[string]decimal.Decimal{"BTC": d("10"), "USDT": d("1000000")}
	cfg.Source = &sliceSource{events: events}
	return cfg
}

func newExchange(t testing.TB, cfg Config) *Exchange {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// stepN plays n feed events and returns their events.
func stepN(t *testing.T, e *Exchange, n int) []sdk.Event {
	t.Helper()
	var all []sdk.Event
	for range n {
		evs, err := e.Step()
		if err != nil {
			t.Fatalf("step: %v", err)
		}
		all = append(all, evs...)
	}
	return all
}

// stepAll plays the feed to its end.
func stepAll(t testing.TB, e *Exchange) []sdk.Event {
	t.Helper()
	var all []sdk.Event
	for {
		evs, err := e.Step()
		all = append(all, evs...)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatalf("step: %v", err)
		}
	}
}

func limit(id string, side market.Side, price, amount string) sdk.OrderRequest {
	return sdk.OrderRequest{ClientOrderID: id, Market: btcusdt, Side: side, Type: sdk.Limit,
		Price: d(price), Amount: d(amount)}
}

func maker(id string, side market.Side, price, amount string) sdk.OrderRequest {
	r := limit(id, side, price, amount)
	r.Type = sdk.LimitMaker
	return r
}

// mustPlace places orders that must all be accepted.
func mustPlace(t testing.TB, e *Exchange, reqs ...sdk.OrderRequest) []sdk.PlaceResult {
	t.Helper()
	res, err := e.PlaceOrders(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("place %s: %v", r.ClientOrderID, r.Err)
		}
	}
	return res
}

func fillsOf(events []sdk.Event) []sdk.Fill {
	var fills []sdk.Fill
	for _, ev := range events {
		if f, ok := ev.Payload.(sdk.FillEvent); ok {
			fills = append(fills, f.Fill)
		}
	}
	return fills
}

// fillKey is a fill without ids and times, for comparing with expectations.
func fillKey(f sdk.Fill) string {
	return fmt.Sprintf("%s %s %s@%s fee=%s %s maker=%t", f.ClientOrderID, f.Side, f.Amount.String(),
		f.Price.String(), f.Fee.String(), f.FeeAsset, f.Maker)
}

// formatFill is every field of a fill, canonical, for byte-for-byte comparisons.
func formatFill(f sdk.Fill) string {
	return fmt.Sprintf("%s %s %s %s %s %s@%s fee=%s %s maker=%t %s", f.TradeID, f.ClientOrderID,
		f.ExchangeOrderID, f.Market, f.Side, f.Amount, f.Price, f.Fee, f.FeeAsset, f.Maker,
		f.Time.UTC().Format(time.RFC3339Nano))
}

func balanceOf(t testing.TB, e *Exchange, asset string) sdk.Balance {
	t.Helper()
	bals, err := e.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bals {
		if b.Asset == asset {
			return b
		}
	}
	t.Fatalf("no balance for %s", asset)
	return sdk.Balance{}
}

func wantBalance(t testing.TB, e *Exchange, asset, total, available string) {
	t.Helper()
	b := balanceOf(t, e, asset)
	if !b.Total.Equal(d(total)) || !b.Available.Equal(d(available)) {
		t.Errorf("%s: total %s available %s, want total %s available %s", asset, b.Total, b.Available, total, available)
	}
}

func orderState(t testing.TB, e *Exchange, id string) sdk.Order {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[id]
	if !ok {
		t.Fatalf("no order %s", id)
	}
	return o.Order
}
