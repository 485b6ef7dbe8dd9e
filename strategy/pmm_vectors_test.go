package strategy

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/market"
)

// The tests below replay Hummingbot's own PMM tests (vectors pmm_*, ping_pong_*, hanging_*, refresh_tolerance,
// moving_price_band in ../shared/vectors/hummingbot.json) through Tick and the events, with the mock market's
// quantization; expected values come from the vectors.

func vector(t *testing.T, id string) sharedtest.Vector {
	t.Helper()
	v, ok := sharedtest.Vectors(t, "hummingbot.json")[id]
	if !ok {
		t.Fatalf("vector %s missing", id)
	}
	return v
}

type priceSize struct{ Price, Size string }

func TestPMMSkewVectors(t *testing.T) {
	t.Run("pmm_skew_single_level", func(t *testing.T) {
		var want struct{ BidPrice, AskPrice, BidSize, AskSize string }
		var raw map[string]string
		sharedtest.Decode(t, vector(t, "pmm_skew_single_level").Expected, &raw)
		want.BidPrice, want.AskPrice, want.BidSize, want.AskSize = raw["bid_price"], raw["ask_price"], raw["bid_size"], raw["ask_size"]
		p := oneLevelParams()
		p.InventorySkewEnabled, p.InventoryTargetBasePct, p.InventoryRangeMultiplier = true, dec("0.9"), dec("5.0")
		x := newSim(t, p)
		x.tick(1)
		x.wantCounts("t1", 1, 1)
		assertOrder(t, "bid", x.buys()[0], want.BidPrice, want.BidSize)
		assertOrder(t, "ask", x.sells()[0], want.AskPrice, want.AskSize)
	})
	t.Run("pmm_skew_multi_level", func(t *testing.T) {
		v := vector(t, "pmm_skew_multi_level")
		var want struct {
			FirstBid priceSize `json:"first_bid"`
			FirstAsk priceSize `json:"first_ask"`
			LastBid  priceSize `json:"last_bid"`
			LastAsk  priceSize `json:"last_ask"`
		}
		var computed struct {
			Bids []string `json:"after_fill_bid_sizes"`
			Asks []string `json:"after_fill_ask_sizes"`
		}
		sharedtest.Decode(t, v.Expected, &want)
		sharedtest.Decode(t, v.Computed, &computed)
		p := oneLevelParams()
		p.OrderLevels, p.OrderLevelSpread, p.OrderLevelAmount = 5, dec("0.01"), dec("0.5")
		p.InventorySkewEnabled, p.InventoryTargetBasePct, p.InventoryRangeMultiplier = true, dec("0.9"), dec("0.5")
		x := newSim(t, p)
		x.tick(1)
		x.wantCounts("t1", 5, 5)
		assertOrder(t, "first bid", x.buys()[0], want.FirstBid.Price, want.FirstBid.Size)
		assertOrder(t, "first ask", x.sells()[0], want.FirstAsk.Price, want.FirstAsk.Size)
		// The last prices are asserted to 3 places in Hummingbot: 100·(1 − 0.01 − 0.04) and 100·(1 + 0.01 + 0.04).
		assertOrder(t, "last bid", x.buys()[4], "95", want.LastBid.Size)
		assertOrder(t, "last ask", x.sells()[4], "105", want.LastAsk.Size)

		// The first ask (1.5 at 101) fills; after filled_order_delay the new sizes use the float ratio floored.
		x.fill(x.sells()[0], 1)
		x.run(2, 8)
		x.wantCounts("after fill", 5, 5)
		for i, o := range x.buys() {
			assertOrder(t, "bid after fill", o, o.Price.String(), computed.Bids[i])
		}
		for i, o := range x.sells() {
			assertOrder(t, "ask after fill", o, o.Price.String(), computed.Asks[i])
		}
	})
}

func assertOrder(t *testing.T, what string, o Order, price, size string) {
	t.Helper()
	if !o.Price.Equal(dec(price)) || !o.Amount.Equal(dec(size)) {
		t.Errorf("%s = %s@%s, want %s@%s", what, o.Amount, o.Price, size, price)
	}
}

func TestPMMBudgetConstraintVector(t *testing.T) {
	v := vector(t, "pmm_budget_constraint")
	var in struct {
		Cases []map[string]decimal.Decimal `json:"cases"`
	}
	var want map[string]struct {
		Buys     int       `json:"buys"`
		Sells    int       `json:"sells"`
		LastBuy  priceSize `json:"last_buy"`
		LastSell priceSize `json:"last_sell"`
	}
	sharedtest.Decode(t, v.Inputs, &in)
	sharedtest.Decode(t, v.Expected, &want)
	for i, balances := range in.Cases {
		name := "case" + string(rune('1'+i))
		t.Run(name, func(t *testing.T) {
			p := oneLevelParams()
			p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = 3, dec("1"), dec("0.01")
			x := newSim(t, p)
			x.base, x.quote = balances["HBOT"], balances["ETH"]
			x.tick(1)
			w := want[name]
			x.wantCounts(name, w.Buys, w.Sells)
			if w.LastBuy.Price != "" {
				assertOrder(t, "last buy", x.buys()[2], w.LastBuy.Price, w.LastBuy.Size)
				assertOrder(t, "last sell", x.sells()[2], w.LastSell.Price, w.LastSell.Size)
			}
		})
	}
}

func TestPMMOrderOptimizationVector(t *testing.T) {
	var want struct {
		Bid       string   `json:"bid"`
		Ask       string   `json:"ask"`
		BidRatios []string `json:"bid_level_ratios"`
		AskRatios []string `json:"ask_level_ratios"`
	}
	sharedtest.Decode(t, vector(t, "pmm_order_optimization").Expected, &want)
	// The book after simulate_order_book_widening(98, 102) of a balanced book with 1.0 steps at x.5 prices.
	bids := []BookLevel{{dec("97.5"), dec("10")}, {dec("96.5"), dec("20")}}
	asks := []BookLevel{{dec("102.5"), dec("10")}, {dec("103.5"), dec("20")}}

	t.Run("one level through Tick", func(t *testing.T) {
		p := oneLevelParams()
		p.OrderOptimizationEnabled = true
		x := newSim(t, p)
		x.m.Bids, x.m.Asks, x.m.BestBid, x.m.BestAsk = bids, asks, dec("97.5"), dec("102.5")
		x.tick(1)
		x.wantCounts("t1", 1, 1)
		assertOrder(t, "bid", x.buys()[0], want.Bid, "1")
		assertOrder(t, "ask", x.sells()[0], want.Ask, "1")
	})
	t.Run("levels keep their ratio to the first, not re-quantized", func(t *testing.T) {
		p := oneLevelParams()
		p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = 3, dec("1"), dec("0.025")
		ref := RefPrice{Price: dec("100"), BuyRef: dec("100"), SellRef: dec("100")}
		out := OrderOptimization(p, nil, bids, asks, hbMock, BaseProposal(p, ref, hbMock))
		if !out.Buys[0].Price.Equal(dec(want.Bid)) || !out.Sells[0].Price.Equal(dec(want.Ask)) {
			t.Fatalf("first levels %s / %s, want %s / %s", out.Buys[0].Price, out.Sells[0].Price, want.Bid, want.Ask)
		}
		for i, ratio := range want.BidRatios {
			if got := out.Buys[i+1].Price.Div(out.Buys[0].Price); !got.Equal(dec(ratio)) {
				t.Errorf("bid level %d / level 0 = %s, want %s", i+1, got, ratio)
			}
		}
		for i, ratio := range want.AskRatios {
			if got := out.Sells[i+1].Price.Div(out.Sells[0].Price); !got.Equal(dec(ratio)) {
				t.Errorf("ask level %d / level 0 = %s, want %s", i+1, got, ratio)
			}
		}
	})
}

func TestPMMOrderOverrideVector(t *testing.T) {
	v := vector(t, "pmm_order_override")
	var in struct {
		Override map[string][]any `json:"order_override"`
	}
	var want struct{ Buys, Sells []priceSize }
	sharedtest.Decode(t, v.Inputs, &in)
	sharedtest.Decode(t, v.Expected, &want)
	p := oneLevelParams()
	p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = 3, dec("1"), dec("0.01")
	// Python dicts keep insertion order; the test's order is order_one, order_two, order_three.
	for _, name := range []string{"order_one", "order_two", "order_three"} {
		entry := in.Override[name]
		side, _ := market.ParseSide(entry[0].(string))
		p.OrderOverride = append(p.OrderOverride, OrderOverride{Name: name, Side: side,
			SpreadPct: decimal.NewFromFloat(entry[1].(float64)), Amount: decimal.NewFromFloat(entry[2].(float64))})
	}
	x := newSim(t, p)
	x.tick(1)
	x.wantCounts("t1", len(want.Buys), len(want.Sells))
	for i, w := range want.Buys {
		assertOrder(t, "buy", x.buys()[i], w.Price, w.Size)
	}
	for i, w := range want.Sells {
		assertOrder(t, "sell", x.sells()[i], w.Price, w.Size)
	}
}

func TestPMMPriceTypesVector(t *testing.T) {
	var want map[string]struct{ Bid, Ask string }
	sharedtest.Decode(t, vector(t, "pmm_price_types").Expected, &want)
	for _, tc := range []struct {
		name      string
		priceType PriceType
	}{{"last_price", PriceLast}, {"last_own_trade_price", PriceLastOwnTrade}} {
		t.Run(tc.name, func(t *testing.T) {
			p := oneLevelParams()
			p.PriceType = tc.priceType
			x := newSim(t, p)
			x.m.LastTrade = dec("100") // before the trade, the last price equals the mid
			x.tick(1)
			assertOrder(t, "bid before any own fill (mid fallback)", x.buys()[0], "99", "1")
			// A public sell of 100 at 98.9 prints and fills the bid at 99.
			x.m.LastTrade = dec("98.9")
			x.fill(x.buys()[0], 1)
			x.run(2, 7)
			assertOrder(t, "bid", x.buys()[0], want[tc.name].Bid, "1")
			assertOrder(t, "ask", x.sells()[0], want[tc.name].Ask, "1")
		})
	}
}

func TestMovingPriceBandVector(t *testing.T) {
	var want map[string][2]string
	sharedtest.Decode(t, vector(t, "moving_price_band").Expected, &want)
	p := oneLevelParams()
	p.PriceFloorPct, p.PriceCeilingPct, p.PriceBandRefreshTime = dec("-1"), dec("1"), 86400*time.Second
	check := func(name string, b MovingBand) {
		t.Helper()
		if !b.Floor.Equal(dec(want[name][0])) || !b.Ceiling.Equal(dec(want[name][1])) {
			t.Errorf("%s: band [%s, %s], want %v", name, b.Floor, b.Ceiling, want[name])
		}
	}
	band := MovingBand{}.CheckAndUpdate(p, time.Unix(1, 0), dec("100"))
	check("band_at_t1", band)
	check("t1_price_200_no_refresh", band.CheckAndUpdate(p, time.Unix(1, 0), dec("200")))
	check("t86401_price_200", band.CheckAndUpdate(p, time.Unix(86401, 0), dec("200")))
}

func TestPingPongSingleVector(t *testing.T) {
	var want map[string]struct {
		Buys, Sells int
		New         bool `json:"bid_is_new_order"`
	}
	sharedtest.Decode(t, vector(t, "ping_pong_single").Expected, &want)
	p := oneLevelParams()
	p.PingPongEnabled = true
	x := newSim(t, p)
	x.tick(1)
	firstBid := x.buys()[0].ClientID
	x.fill(x.sells()[0], 1) // a public buy of 100 at 101.1 takes the ask
	x.wantCounts("after ask fill", want["after_ask_fill"].Buys, want["after_ask_fill"].Sells)
	x.run(2, 7)
	x.wantCounts("t7", want["t7"].Buys, want["t7"].Sells)
	if isNew := x.buys()[0].ClientID != firstBid; isNew != want["t7"].New {
		t.Errorf("t7: bid is a new order = %v, want %v", isNew, want["t7"].New)
	}
	x.fill(x.buys()[0], 7) // a public sell at 98.9 takes the bid
	x.run(8, 15)
	x.wantCounts("t15", want["t15"].Buys, want["t15"].Sells)
}

func TestHangingPairsVector(t *testing.T) {
	var want struct {
		Candidates []string `json:"candidates"`
	}
	sharedtest.Decode(t, vector(t, "hanging_pairs").Expected, &want)
	orders := []Order{
		{ClientID: "b1", Side: market.Buy, Price: dec("101"), Amount: dec("1")},
		{ClientID: "s1", Side: market.Sell, Price: dec("120"), Amount: dec("1")},
		{ClientID: "s2", Side: market.Sell, Price: dec("122"), Amount: dec("2")},
		{ClientID: "b3", Side: market.Buy, Price: dec("103"), Amount: dec("3")},
	}
	pairs := []HangingPair{
		{BuyID: "b1", SellID: "s1"},
		{BuyID: "b2", SellID: "s2", FilledBuy: true},
		{BuyID: "b3", SellID: "s3", FilledBuy: true, FilledSell: true},
	}
	ids := HangingCandidates(pairs, orders)
	var got []string
	for _, id := range ids {
		o := orders[orderIndex(orders, id)]
		got = append(got, string(o.Side)+" "+o.Price.String()+"x"+o.Amount.String())
	}
	if len(got) != len(want.Candidates) || got[0] != want.Candidates[0] {
		t.Errorf("candidates %v, want %v", got, want.Candidates)
	}
}

func TestHangingOrdersFlowVector(t *testing.T) {
	var want map[string]struct {
		Buys, Sells, Hanging int
		Cancelled            bool `json:"hanging_ask_cancelled"`
	}
	sharedtest.Decode(t, vector(t, "pmm_hanging_orders_flow").Expected, &want)
	p := oneLevelParams()
	p.OrderRefreshTime, p.FilledOrderDelay = 4*time.Second, 8*time.Second
	p.HangingOrdersEnabled, p.HangingOrdersCancelPct = true, dec("0.05")
	x := newSim(t, p)
	x.tick(1)
	x.wantCounts("t1", 1, 1)
	x.fill(x.buys()[0], 1) // a public sell of 100 at 98.9 takes the bid

	x.run(2, 5) // start + order_refresh_time + 1
	w := want["after_refresh"]
	x.wantCounts("after refresh", w.Buys, w.Sells)
	if len(x.hanging()) != w.Hanging || x.hanging()[0].ClientID != x.sells()[0].ClientID {
		t.Fatalf("after refresh: hanging %v, want the ask", x.hanging())
	}
	hangingID := x.hanging()[0].ClientID
	x.run(6, 9)
	x.wantCounts("at the second refresh the hanging order remains", 0, 1)
	x.run(10, 10)
	w = want["after_delay"]
	x.wantCounts("after filled_order_delay", w.Buys, w.Sells)
	if orderIndex(x.s.Orders, hangingID) < 0 {
		t.Fatal("the hanging ask is gone after the delay")
	}

	// The book widens to 80/100: the hanging ask at 101 is now more than 5 % from the mid 90.
	x.m.BestBid, x.m.BestAsk, x.m.Mid = dec("80"), dec("100"), dec("90")
	x.run(11, 11)
	w = want["after_book_move"]
	x.wantCounts("after book move", w.Buys, w.Sells)
	if cancelled := orderIndex(x.s.Orders, hangingID) < 0; cancelled != w.Cancelled || len(x.hanging()) != 0 {
		t.Errorf("hanging ask cancelled = %v (hanging left %d), want %v", cancelled, len(x.hanging()), w.Cancelled)
	}
	if c := x.last.Actions.Cancels; len(c) != 1 || c[0].Reason != CancelHangingFarFromPrice {
		t.Errorf("cancels %+v, want one %s", c, CancelHangingFarFromPrice)
	}
}

func TestRefreshToleranceVector(t *testing.T) {
	v := vector(t, "refresh_tolerance")
	var in struct {
		CurrentBuys   []decimal.Decimal `json:"current_buys"`
		ProposalBuys  []decimal.Decimal `json:"proposal_buys"`
		CurrentSells  []decimal.Decimal `json:"current_sells"`
		ProposalSells []decimal.Decimal `json:"proposal_sells"`
	}
	var want map[string]struct{ Buys, Sells bool }
	sharedtest.Decode(t, v.Inputs, &in)
	sharedtest.Decode(t, v.Expected, &want)
	for name, tolerance := range map[string]string{"tolerance_0": "0", "tolerance_10pct": "0.1"} {
		buys := WithinTolerance(in.CurrentBuys, in.ProposalBuys, dec(tolerance))
		sells := WithinTolerance(in.CurrentSells, in.ProposalSells, dec(tolerance))
		if buys != want[name].Buys || sells != want[name].Sells {
			t.Errorf("%s: within = (%v, %v), want (%v, %v)", name, buys, sells, want[name].Buys, want[name].Sells)
		}
	}
}
