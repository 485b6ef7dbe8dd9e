package strategy

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func levels(prices ...string) []ProposedOrder {
	out := make([]ProposedOrder, len(prices))
	for i, p := range prices {
		out[i] = ProposedOrder{Level: i, Price: dec(p), Size: dec("1")}
	}
	return out
}

// §3.2 table, from Hummingbot's test_multiple_orders_ping_pong (5 levels).
func TestPingPongTrimsEachSideByItsOwnFillCount(t *testing.T) {
	five := Proposal{Buys: levels("99", "98", "97", "96", "95"), Sells: levels("101", "102", "103", "104", "105")}
	tests := []struct {
		name                   string
		filledBuys, filledSell int
		wantBuys, wantSells    int
		wantCounters           [2]int
	}{
		{"2 sells fill: 5 bids / 3 asks", 0, 2, 5, 3, [2]int{0, 2}},
		{"then 1 buy fills: both sides trimmed, no netting", 1, 2, 4, 3, [2]int{1, 2}},
		{"another buy fills: equal counters reset to 5 / 5", 2, 2, 5, 5, [2]int{0, 0}},
		{"more fills than levels empties the side", 7, 0, 0, 5, [2]int{7, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, b, s := PingPong(tc.filledBuys, tc.filledSell, five)
			if len(out.Buys) != tc.wantBuys || len(out.Sells) != tc.wantSells || [2]int{b, s} != tc.wantCounters {
				t.Errorf("got %d/%d counters (%d,%d), want %d/%d %v", len(out.Buys), len(out.Sells), b, s,
					tc.wantBuys, tc.wantSells, tc.wantCounters)
			}
			if tc.wantBuys > 0 && !out.Buys[0].Price.Equal(five.Buys[5-tc.wantBuys].Price) {
				t.Errorf("trimmed the wrong end: first bid %s", out.Buys[0].Price)
			}
		})
	}
}

// §1.4 static band: buys dropped at ref ≥ ceiling, sells at ref ≤ floor, −1 is off.
func TestStaticPriceBandDropsOneSideAtTheLimit(t *testing.T) {
	prop := Proposal{Buys: levels("99"), Sells: levels("101")}
	tests := []struct {
		name, ceiling, floor, ref string
		buys, sells               int
	}{
		{"off", "-1", "-1", "100", 1, 1},
		{"ref at the ceiling drops buys", "100", "-1", "100", 0, 1},
		{"ref below the ceiling keeps buys", "100.01", "-1", "100", 1, 1},
		{"ref at the floor drops sells", "-1", "100", "100", 1, 0},
	}
	for _, tc := range tests {
		p := oneLevelParams()
		p.PriceCeiling, p.PriceFloor = dec(tc.ceiling), dec(tc.floor)
		out := StaticPriceBand(p, dec(tc.ref), prop)
		if len(out.Buys) != tc.buys || len(out.Sells) != tc.sells {
			t.Errorf("%s: %d/%d, want %d/%d", tc.name, len(out.Buys), len(out.Sells), tc.buys, tc.sells)
		}
	}
}

// §1.4 moving band: the first check anchors, the percent is not divided, re-anchor at set_time + refresh.
func TestMovingPriceBandAnchorsAtFirstCheckAndClearsASide(t *testing.T) {
	p := oneLevelParams()
	p.PriceCeilingPct, p.PriceFloorPct, p.PriceBandRefreshTime = dec("2"), dec("-3"), time.Hour
	prop := Proposal{Buys: levels("99"), Sells: levels("101")}
	out, band := MovingPriceBand(p, MovingBand{}, simStart, dec("100"), prop)
	if !band.Ceiling.Equal(dec("102")) || !band.Floor.Equal(dec("97")) || len(out.Buys) != 1 || len(out.Sells) != 1 {
		t.Fatalf("anchor: band [%s, %s], %d/%d", band.Floor, band.Ceiling, len(out.Buys), len(out.Sells))
	}
	out, band = MovingPriceBand(p, band, simStart.Add(time.Hour-time.Second), dec("102"), prop)
	if len(out.Buys) != 0 || len(out.Sells) != 1 || !band.Ceiling.Equal(dec("102")) {
		t.Errorf("ref at the ceiling before refresh: %d/%d band %s", len(out.Buys), len(out.Sells), band.Ceiling)
	}
	_, band = MovingPriceBand(p, band, simStart.Add(time.Hour), dec("102"), prop)
	if !band.Ceiling.Equal(dec("104.04")) {
		t.Errorf("re-anchor at set_time + refresh: ceiling %s, want 104.04", band.Ceiling)
	}
}

// §1.4 budget: a partially funded order survives, later ones are dropped; sells without fee.
func TestBudgetKeepsOnePartiallyFundedOrderAndDropsTheRest(t *testing.T) {
	prop := Proposal{Buys: levels("100", "99", "98"), Sells: levels("101", "102")}
	out := BudgetConstraint(dec("1.5"), dec("150"), decimal.Zero, hbMock, prop)
	if len(out.Buys) != 2 || !out.Buys[1].Size.Equal(dec("0.505050")) {
		t.Errorf("buys %+v, want 1@100 and floor(50/99)=0.505050@99", out.Buys)
	}
	if len(out.Sells) != 2 || !out.Sells[1].Size.Equal(dec("0.5")) {
		t.Errorf("sells %+v, want 1 and 0.5", out.Sells)
	}
	withFee := BudgetConstraint(decimal.Zero, dec("100"), dec("0.01"), hbMock, Proposal{Buys: levels("100")})
	// 100/(100·1.01) = 0.990099… floored
	if len(withFee.Buys) != 1 || !withFee.Buys[0].Size.Equal(dec("0.990099")) {
		t.Errorf("buy with fee %+v, want 0.990099", withFee.Buys)
	}
}

// §1.4 taker filter: strict comparisons, an empty book side skips its filter.
func TestTakerFilterKeepsOnlyMakersAndSkipsAnEmptySide(t *testing.T) {
	prop := Proposal{Buys: levels("100.5", "100.4"), Sells: levels("100.4", "100.5")}
	out := FilterTakers(dec("100.4"), dec("100.5"), prop)
	if len(out.Buys) != 1 || len(out.Sells) != 1 || !out.Buys[0].Price.Equal(dec("100.4")) {
		t.Errorf("got %+v", out)
	}
	out = FilterTakers(decimal.Zero, decimal.Zero, prop)
	if len(out.Buys) != 2 || len(out.Sells) != 2 {
		t.Errorf("empty book: %d/%d, want 2/2", len(out.Buys), len(out.Sells))
	}
}

// §1.4 transaction costs and §1.3 inventory_cost reference.
func TestTransactionCostsAndInventoryCostReference(t *testing.T) {
	out := TransactionCosts(dec("0.001"), hbMock, Proposal{Buys: levels("99"), Sells: levels("101")})
	if !out.Buys[0].Price.Equal(dec("98.901")) || !out.Sells[0].Price.Equal(dec("101.101")) {
		t.Errorf("costs: %s / %s, want 98.901 / 101.101", out.Buys[0].Price, out.Sells[0].Price)
	}
	p := oneLevelParams()
	p.PriceType = PriceInventoryCost
	m := MarketSnapshot{Mid: dec("100"), InventoryCost: decimal.NewNullDecimal(dec("104"))}
	ref, ok := BaseRefs(p, ReferencePrice(p, PMMState{}, m), m)
	if !ok || !ref.BuyRef.Equal(dec("100")) || !ref.SellRef.Equal(dec("104")) {
		t.Errorf("inventory cost above mid: %+v, want buy 100 sell 104", ref)
	}
	m.InventoryCost = decimal.NullDecimal{}
	m.Balances.BaseTotal = dec("1")
	if _, ok := BaseRefs(p, dec("100"), m); ok {
		t.Error("no cost record with base > 0 must build no proposal (Hummingbot raises)")
	}
}

// §1.2 timers: strict < for create, <= for build and cancel; FOD pulls cancel_timestamp earlier (§3.3).
func TestTimersCreateStrictlyAfterAndCancelAtTheRefreshTime(t *testing.T) {
	p := oneLevelParams()
	x := newSim(t, p)
	x.tick(1)
	if !x.s.CreateAt.Equal(x.at(6)) || !x.s.CancelAt.Equal(x.at(6)) {
		t.Fatalf("timers after create at 1: create %v cancel %v, want both at 6", x.s.CreateAt, x.s.CancelAt)
	}
	first := x.buys()[0].ClientID
	x.run(2, 5)
	if x.buys()[0].ClientID != first {
		t.Fatal("orders replaced before cancel_timestamp")
	}
	r := x.tick(6)
	if len(r.Actions.Cancels) != 2 || len(r.Actions.Places) != 0 {
		t.Fatalf("t6: cancels at cancel_timestamp <= now but no create at create_timestamp == now: %+v", r.Actions)
	}
	r = x.tick(7)
	if len(r.Actions.Places) != 2 {
		t.Fatalf("t7: create_timestamp < now places, got %+v", r.Actions)
	}
}

// §1.5 minimum spread and max age; §3.4 tolerance deferral repeats every tick without resetting timers.
func TestCancelRules(t *testing.T) {
	t.Run("minimum spread cancels an order closer than the minimum", func(t *testing.T) {
		p := oneLevelParams()
		p.MinimumSpread = dec("0.02")
		x := newSim(t, p)
		x.tick(1)
		r := x.tick(2)
		if len(r.Actions.Cancels) != 2 || r.Actions.Cancels[0].Reason != CancelMinimumSpread {
			t.Errorf("cancels %+v, want both for minimum_spread", r.Actions.Cancels)
		}
	})
	t.Run("max age cancels every non-hanging order once", func(t *testing.T) {
		p := oneLevelParams()
		p.OrderRefreshTime, p.MaxOrderAge, p.OrderRefreshTolerancePct = time.Hour, 10*time.Second, dec("0.1")
		x := newSim(t, p)
		x.tick(1)
		x.s = OnOrderFilled(p, x.s, OrderFilled{ClientID: "none"}) // unknown ids change nothing
		if r := x.tick(11.9); len(r.Actions.Cancels) != 0 {
			t.Fatalf("age int(10.9) = 10 is not > 10: %+v", r.Actions.Cancels)
		}
		m := x.m
		m.Now = x.at(12)
		r := Tick(p, x.s, m)
		if len(r.Actions.Cancels) != 2 || r.Actions.Cancels[0].Reason != CancelMaxOrderAge {
			t.Fatalf("t12: %+v, want 2 max-age cancels", r.Actions.Cancels)
		}
		m.Now = x.at(13)
		if again := Tick(p, r.State, m); len(again.Actions.Cancels) != 0 {
			t.Errorf("cancel re-sent while in flight: %+v", again.Actions.Cancels)
		}
	})
	t.Run("tolerance keeps orders and re-checks every tick", func(t *testing.T) {
		p := oneLevelParams()
		p.OrderRefreshTolerancePct = dec("0.002")
		x := newSim(t, p)
		x.tick(1)
		x.m.Mid = dec("100.1") // 99.099 vs 99: 0.1 % within 0.2 %
		for sec := 6; sec <= 8; sec++ {
			if r := x.tick(float64(sec)); len(r.Actions.Cancels) != 0 {
				t.Fatalf("t%d: cancelled within tolerance", sec)
			}
		}
		x.m.Mid = dec("100.3") // 99.297 vs 99: 0.3 %
		if r := x.tick(9); len(r.Actions.Cancels) != 2 || r.Actions.Cancels[0].Reason != CancelRefresh {
			t.Errorf("t9: %+v, want a refresh once beyond tolerance", r.Actions.Cancels)
		}
	})
}

// The explain trace lists the stages in Hummingbot's order.
func TestExplainListsStagesInHummingbotOrder(t *testing.T) {
	p := oneLevelParams()
	p.MovingPriceBandEnabled, p.PingPongEnabled, p.OrderOptimizationEnabled = true, true, true
	p.AddTransactionCosts, p.InventorySkewEnabled = true, true
	p.InventoryTargetBasePct, p.InventoryRangeMultiplier = dec("0.5"), dec("1")
	x := newSim(t, p)
	x.m.Bids, x.m.Asks = []BookLevel{{dec("99.5"), dec("1")}}, []BookLevel{{dec("100.5"), dec("1")}}
	r := x.tick(1)
	want := []string{"base proposal", "price band", "moving price band", "ping pong", "order optimization",
		"transaction costs", "inventory skew", "budget", "taker filter", "exchange rules"}
	if len(r.Explain.Stages) != len(want) {
		t.Fatalf("stages %d, want %d\n%s", len(r.Explain.Stages), len(want), r.Explain)
	}
	for i, name := range want {
		if r.Explain.Stages[i].Name != name {
			t.Errorf("stage %d = %s, want %s", i, r.Explain.Stages[i].Name, name)
		}
	}
}
