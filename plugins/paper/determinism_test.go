package paper

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// randomMarket is a seeded test market: the mid walks in ticks, the touch carries random sizes, and trades hit
// or lift the touch, sometimes a few ticks through it. Prices are integers of cents, sizes of 0.00001 BTC.
func randomMarket(seed uint64, n int) []feed.Event {
	rng := rand.New(rand.NewPCG(seed, 1))
	cents := func(c int64) market.Fixed { return market.NewFixed(c, -2) }
	lots := func() market.Fixed { return market.NewFixed(1+rng.Int64N(200000), -5) }
	mid := int64(6_000_000) // 60,000.00
	events := []feed.Event{snapshot([]string{"59999.99:1", "59999.50:2"}, []string{"60000.01:1", "60000.50:2"})}
	events[0].Time = t0
	id := uint64(1)
	for i := range n {
		ts := t0.Add(time.Duration(i+1) * 7 * time.Millisecond)
		id++
		switch rng.IntN(3) {
		case 0:
			mid += rng.Int64N(7) - 3
			events = append(events, feed.Event{Time: ts, Kind: feed.KindTopOfBook, LastUpdateID: id,
				BidPrice: cents(mid - 1), BidSize: lots(), AskPrice: cents(mid + 1), AskSize: lots()})
		case 1:
			side := market.Buy
			price := mid - 1 - rng.Int64N(5)
			if rng.IntN(2) == 0 {
				side, price = market.Sell, mid+1+rng.Int64N(5)
			}
			events = append(events, feed.Event{Time: ts, Kind: feed.KindBookUpdate, FirstUpdateID: id,
				LastUpdateID: id, Levels: []feed.Level{{Side: side, Price: cents(price), Size: lots()}}})
		default:
			taker, price := market.Buy, mid+1+rng.Int64N(3)
			if rng.IntN(2) == 0 {
				taker, price = market.Sell, mid-1-rng.Int64N(3)
			}
			events = append(events, feed.Event{Time: ts, Kind: feed.KindTrade, Price: cents(price), Size: lots(),
				TradeID: id, TakerSide: taker})
		}
	}
	return events
}

// runScripted replays the market with a fixed script of calls: every 250 events, cancel everything and quote
// three bids and three asks around the last trade. It returns every fill and every event, formatted.
func runScripted(t testing.TB, model FillModel, latency time.Duration, events []feed.Event) (fills, all string) {
	t.Helper()
	return runScriptedOn(t, model, latency, &sliceSource{events: events})
}

func runScriptedOn(t testing.TB, model FillModel, latency time.Duration, src feed.Source) (fills, all string) {
	t.Helper()
	cfg := testConfig()
	cfg.Source = src
	cfg.FillModel, cfg.OrderLatency, cfg.CancelLatency = model, latency, latency
	e := newExchange(t, cfg)
	var fb, eb strings.Builder
	var lastTrade decimal.Decimal
	round := 0
	for step := 0; ; step++ {
		if step > 0 && step%250 == 0 && !lastTrade.IsZero() {
			if _, err := e.CancelAll(ctx, btcusdt); err != nil {
				t.Fatal(err)
			}
			round++
			var reqs []bool
			for k := 1; k <= 3; k++ {
				off := decimal.New(int64(k*2), -2)
				for _, side := range []market.Side{market.Buy, market.Sell} {
					price := lastTrade.Sub(off)
					if side == market.Sell {
						price = lastTrade.Add(off)
					}
					req := limit(fmt.Sprintf("r%d-%s-%d", round, side, k), side, price.String(), "0.05")
					res, err := e.PlaceOrders(ctx, []sdk.OrderRequest{req})
					if err != nil {
						t.Fatal(err)
					}
					reqs = append(reqs, res[0].Err == nil)
				}
			}
			fmt.Fprintf(&eb, "placed %v\n", reqs)
		}
		evs, err := e.Step()
		for _, ev := range evs {
			fmt.Fprintf(&eb, "%d %s %T %+v\n", ev.Seq, ev.Time.Format(time.RFC3339Nano), ev.Payload, ev.Payload)
			if f, ok := ev.Payload.(sdk.FillEvent); ok {
				fmt.Fprintln(&fb, formatFill(f.Fill))
			}
			if tr, ok := ev.Payload.(sdk.PublicTrade); ok {
				lastTrade = tr.Price
			}
		}
		if err != nil {
			break
		}
	}
	return fb.String(), eb.String()
}

// DESIGN.md §3: the same feed, config and calls give the same fills, byte for byte.
func TestReplayIsDeterministic(t *testing.T) {
	events := randomMarket(42, 6000)
	for _, model := range []FillModel{Conservative, Optimistic} {
		for _, latency := range []time.Duration{0, 15 * time.Millisecond} {
			t.Run(fmt.Sprintf("%s/%s", model, latency), func(t *testing.T) {
				fills1, all1 := runScripted(t, model, latency, events)
				fills2, all2 := runScripted(t, model, latency, events)
				if strings.Count(fills1, "\n") < 10 {
					t.Fatalf("the script should fill; fills:\n%s", fills1)
				}
				if fills1 != fills2 {
					t.Error("fills differ between two runs")
				}
				if all1 != all2 {
					t.Error("events differ between two runs")
				}
			})
		}
	}
}
