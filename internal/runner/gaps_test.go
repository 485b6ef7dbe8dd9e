package runner

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// writeBot writes botConfig with its defaults, then applies the replacements (old text → new text) and appends
// strategy lines after order_refresh_time.
func writeBot(t *testing.T, dir string, replace map[string]string, strategyLines string) *config.Config {
	t.Helper()
	text := botText(nil)
	for old, repl := range replace {
		if !strings.Contains(text, old) {
			t.Fatalf("config has no %q", old)
		}
		text = strings.ReplaceAll(text, old, repl)
	}
	text = strings.Replace(text, "  order_refresh_time: 30\n", "  order_refresh_time: 30\n"+strategyLines, 1)
	return loadConfig(t, filepath.Join(dir, "bot.yaml"), text)
}

var btcusdt = market.Pair{Base: "BTC", Quote: "USDT"}

// Order optimization (reference/hummingbot.md §1.4) walks the bid side for bid_order_optimization_depth and
// bids one tick above the price it reaches. The synthetic market's first book is read from a second paper
// exchange on the same seed; the depth is the volume of its three best bid levels (asks likewise), so the walk
// ends at the third level and the optimized bid is one tick above it, below the best bid, where a tiny spread
// alone would have put it. Only the book's depth gives that price.
func TestOrderOptimizationBidsOneTickAboveTheDepthSkippedBook(t *testing.T) {
	ref, err := paper.ParseConfigJSON([]byte(`{"market": "BTC-USDT", "feed": {"kind": "synthetic", "seed": 1,
		"duration": "30m"}, "balances": {"BTC": 1, "USDT": 60000}}`))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := paper.New(ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Step(); err != nil {
		t.Fatal(err)
	}
	rules, err := ex.MarketRules(context.Background(), btcusdt)
	if err != nil {
		t.Fatal(err)
	}
	bids, asks := ex.Depth(20)
	if len(bids) < 3 || len(asks) < 3 {
		t.Fatalf("synthetic book too thin: %v %v", bids, asks)
	}
	bidDepth := bids[0].Amount.Add(bids[1].Amount).Add(bids[2].Amount)
	askDepth := asks[0].Amount.Add(asks[1].Amount).Add(asks[2].Amount)
	tick := rules.TickSize
	// above = (ceil(top_bid/tick) + 1)·tick; below = (floor(top_ask/tick) − 1)·tick.
	wantBid := bids[2].Price.Div(tick).Ceil().Add(decimal.NewFromInt(1)).Mul(tick)
	wantAsk := asks[2].Price.Div(tick).Floor().Sub(decimal.NewFromInt(1)).Mul(tick)
	if !wantBid.LessThan(bids[0].Price) || !wantAsk.GreaterThan(asks[0].Price) {
		t.Fatalf("test setup: optimized %s/%s not behind the best %s/%s", wantBid, wantAsk, bids[0].Price,
			asks[0].Price)
	}
	_ = ex.Shutdown(context.Background())

	dir := t.TempDir()
	cfg := writeBot(t, dir, map[string]string{"  bid_spread: 0.1\n": "  bid_spread: 0.000001\n",
		"  ask_spread: 0.1\n": "  ask_spread: 0.000001\n"},
		"  order_optimization_enabled: true\n  bid_order_optimization_depth: "+bidDepth.String()+
			"\n  ask_order_optimization_depth: "+askDepth.String()+"\n")
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 2*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	orders, err := openJournal(t, dbPath).Orders(context.Background(), journal.OrderFilter{RunID: res.RunID})
	if err != nil || len(orders) == 0 {
		t.Fatalf("no orders journaled (%v)", err)
	}
	first := orders[0].CreatedAt
	for _, o := range orders {
		if o.CreatedAt.Before(first) {
			first = o.CreatedAt
		}
	}
	var sawBid, sawAsk bool
	for _, o := range orders {
		if !o.CreatedAt.Equal(first) {
			continue
		}
		want := wantBid
		if o.Side == string(market.Sell) {
			want, sawAsk = wantAsk, true
		} else {
			sawBid = true
		}
		if !o.Price.Equal(want) {
			t.Errorf("first %s at %s, want %s (one tick inside the book after skipping the depth; best bid %s, "+
				"best ask %s)", o.Side, o.Price, want, bids[0].Price, asks[0].Price)
		}
	}
	if !sawBid || !sawAsk {
		t.Fatalf("first tick placed bid %t ask %t, want both", sawBid, sawAsk)
	}
}

// With price_type inventory_cost the runner keeps Hummingbot's InventoryCost record (reference/hummingbot.md
// §6.3): seeded at start from inventory_price × the base balance, moved by the run's fills. A cost 5 % above
// the market keeps every sell at sell_ref = max(cost, mid) above cost, while the buys, filled near the market,
// pull the average cost down. The test rebuilds the record from the journaled fills and checks each sell's
// price is exactly cost·(1 + ask_spread) floored to the tick, with the cost as of its creation.
func TestInventoryCostKeepsSellsAtOrAboveCost(t *testing.T) {
	dir := t.TempDir()
	cfg := writeBot(t, dir, nil, "  price_type: inventory_cost\n  inventory_price: 63000\n")
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 10*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := openJournal(t, dbPath)
	ctx := context.Background()
	orders, _ := j.Orders(ctx, journal.OrderFilter{RunID: res.RunID})
	fills, _ := j.Fills(ctx, journal.FillFilter{RunID: res.RunID})
	var buys int
	for _, f := range fills {
		if f.Side == string(market.Buy) {
			buys++
		}
	}
	if buys == 0 {
		t.Fatal("no buy filled: the cost record never moved")
	}
	tick, spread := decimal.RequireFromString("0.01"), decimal.RequireFromString("1.001")
	// costAt replays the record over the fills before T (or at T too: a fill at T may come before the tick).
	costAt := func(at time.Time, inclusive bool) decimal.Decimal {
		base, quote := decimal.NewFromInt(1), decimal.NewFromInt(63000)
		for _, f := range fills {
			if f.Time.After(at) || (!inclusive && f.Time.Equal(at)) {
				continue
			}
			if f.Side == string(market.Buy) {
				b, q := f.Amount, f.Amount.Mul(f.Price)
				switch f.FeeAsset {
				case "BTC":
					b = b.Sub(f.Fee)
				case "USDT":
					q = q.Add(f.Fee)
				}
				base, quote = base.Add(b), quote.Add(q)
				continue
			}
			quote = quote.Sub(quote.Mul(f.Amount).Div(base))
			base = base.Sub(f.Amount)
		}
		return quote.Div(base)
	}
	var sells int
	var firstSell, lastSell decimal.Decimal
	for _, o := range orders {
		if o.Side != string(market.Sell) {
			continue
		}
		sells++
		if sells == 1 {
			firstSell = o.Price
		}
		lastSell = o.Price
		before, upTo := costAt(o.CreatedAt, false), costAt(o.CreatedAt, true)
		floor := func(c decimal.Decimal) decimal.Decimal { return c.Mul(spread).Div(tick).Floor().Mul(tick) }
		if !o.Price.Equal(floor(before)) && !o.Price.Equal(floor(upTo)) {
			t.Errorf("sell %s at %s: want cost·1.001 floored, %s (cost %s) or %s (cost %s)", o.ClientOrderID,
				o.Price, floor(before), before, floor(upTo), upTo)
		}
		if o.Price.LessThan(upTo) {
			t.Errorf("sell %s at %s below the inventory cost %s", o.ClientOrderID, o.Price, upTo)
		}
	}
	if sells < 2 || !lastSell.LessThan(firstSell) {
		t.Fatalf("%d sells from %s to %s: want several, the cost falling with the buys", sells, firstSell, lastSell)
	}
}

// With cancel_latency the drain's cancels reach the paper book only when its clock moves: the runner steps the
// feed past the latency (a duration stop, the feed still running) or, when the feed has ended, has the paper
// exchange settle them. Either way the run ends with no open order in the journal or the paper state file.
func TestCancelLatencyDrainLeavesNoOpenOrders(t *testing.T) {
	for _, tc := range []struct {
		name       string
		feed       string
		duration   time.Duration
		wantReason string
	}{
		{"duration stop", "30m", 5 * time.Minute, ReasonDuration},
		{"feed end", "3m", 0, ReasonFeedEnd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "paper.state")
			cfg := writeBot(t, dir, map[string]string{
				"duration: 30m}": "duration: " + tc.feed + "}",
				"    maker_fee_pct: 0.1\n": "    maker_fee_pct: 0.1\n    state: " + state +
					"\n    cancel_latency: 50ms\n",
			}, "")
			dbPath := filepath.Join(dir, "mm.db")
			res, err := runFor(t, context.Background(), cfg, dbPath, tc.duration, nil)
			if err != nil || res.Reason != tc.wantReason || res.ExitCode != 0 {
				t.Fatalf("got %v, reason %q, exit %d; want %s and 0", err, res.Reason, res.ExitCode, tc.wantReason)
			}
			j := openJournal(t, dbPath)
			ctx := context.Background()
			all, _ := j.Orders(ctx, journal.OrderFilter{RunID: res.RunID})
			if len(all) == 0 {
				t.Fatal("no orders placed")
			}
			for _, status := range []string{journal.StatusOpen, journal.StatusPartiallyFilled, journal.StatusUnknown} {
				if open, _ := j.Orders(ctx, journal.OrderFilter{Status: status}); len(open) > 0 {
					t.Errorf("%d orders left %s in the journal", len(open), status)
				}
			}
			if report, err := j.Check(ctx); err != nil || !report.OK() {
				t.Fatalf("journal check: %v %v", err, report.Problems)
			}
			assertNoOpenOrdersOnExchange(t, state)
			assertFillsMatchExchange(t, j, state, "paper")
		})
	}
}

// A plugin streams BookDepth (subscribed with DepthLevels when order optimization is on) beside BookTop. The
// snapshot is the top, then the depth levels strictly behind it: a depth snapshot older than the top loses the
// levels the top has moved past.
func TestStreamedDepthFillsTheSnapshotBehindTheTop(t *testing.T) {
	dec := decimal.RequireFromString
	lv := func(price, amount string) sdk.Level { return sdk.Level{Price: dec(price), Amount: dec(amount)} }
	r := &run{params: strategy.DefaultPMMParams(), ids: newIDGen(1), balances: map[string]sdk.Balance{}}
	r.params.OrderOptimizationEnabled = true
	events := []sdk.Event{
		{Payload: sdk.BookDepth{Market: btcusdt, Bids: []sdk.Level{lv("100", "1"), lv("99", "2"), lv("98", "3")},
			Asks: []sdk.Level{lv("101", "1"), lv("102", "2")}}},
		{Payload: sdk.BookTop{Market: btcusdt, BidPrice: dec("99.5"), BidAmount: dec("0.5"), AskPrice: dec("101"),
			AskAmount: dec("0.7")}},
	}
	if err := r.applyEvents(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	snap := r.snapshot()
	text := func(levels []strategy.BookLevel) string {
		var parts []string
		for _, l := range levels {
			parts = append(parts, l.Price.String()+":"+l.Amount.String())
		}
		return strings.Join(parts, " ")
	}
	if got := text(snap.Bids) + " | " + text(snap.Asks); got != "99.5:0.5 99:2 98:3 | 101:0.7 102:2" {
		t.Errorf("snapshot book %s", got)
	}
	r.params.OrderOptimizationEnabled = false
	r.depthBids, r.depthAsks = nil, nil
	if err := r.applyEvents(context.Background(), events[:1]); err != nil {
		t.Fatal(err)
	}
	if snap := r.snapshot(); len(snap.Bids) != 1 || len(snap.Asks) != 1 {
		t.Errorf("without order optimization the book is its top only: %v %v", snap.Bids, snap.Asks)
	}
}
