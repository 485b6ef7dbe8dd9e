package strategy

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Edge cases from users' reports, ../shared/reference/users.md Synthesis (c).

func threeLevelParams() PMMParams {
	p := oneLevelParams()
	p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = 3, dec("1"), dec("0.01")
	return p
}

// HB #1840/#1890/#4283 disagree on which asks hang when B1 and B2 fill. Pinned rule, the code's: orders are
// paired by index (B1,S1), (B2,S2), (B3,S3), so exactly S1 and S2 hang and S3 is cancelled at the refresh.
func TestHangingThreeLevelsTwoBidsFilledHangsTheirPairedAsks(t *testing.T) {
	p := threeLevelParams()
	p.HangingOrdersEnabled, p.FilledOrderDelay = true, 60*time.Second
	x := newSim(t, p)
	x.tick(1)
	sells := x.sells()
	x.fill(x.buys()[0], 2)
	x.fill(x.buys()[0], 2)
	x.run(2, 6)
	hanging := x.hanging()
	if len(hanging) != 2 || hanging[0].ClientID != sells[0].ClientID || hanging[1].ClientID != sells[1].ClientID {
		t.Fatalf("hanging %+v, want S1 and S2", hanging)
	}
	x.wantCounts("after refresh", 0, 2)
}

// HB #3472 (by design): refresh 1000 s, FOD 60 s, one side fills → the other side is cancelled when the delay
// ends (cancel_timestamp pulled to fill + 60), and new orders follow on the next tick.
func TestFilledOrderDelayPullsTheCancelEarlier(t *testing.T) {
	p := oneLevelParams()
	p.OrderRefreshTime, p.FilledOrderDelay = 1000*time.Second, 60*time.Second
	x := newSim(t, p)
	x.tick(1)
	x.fill(x.sells()[0], 10)
	x.run(2, 69)
	x.wantCounts("before fill + 60", 1, 0)
	if r := x.tick(70); len(r.Actions.Cancels) != 1 || len(r.Actions.Places) != 0 {
		t.Fatalf("t70: %+v, want the buy cancelled and nothing placed yet (create needs < now)", r.Actions)
	}
	x.tick(71)
	x.wantCounts("t71", 1, 1)
}

// HB #5779: on multiple levels the delay starts after any single complete fill; HB #2696: a partial fill flips
// nothing and starts no delay.
func TestFilledOrderDelayAfterAnySingleFillButNotAPartialOne(t *testing.T) {
	p := threeLevelParams()
	p.FilledOrderDelay, p.PingPongEnabled = 15*time.Second, true
	x := newSim(t, p)
	x.tick(1)
	create := x.s.CreateAt
	bid := x.buys()[0]
	x.s = OnOrderFilled(p, x.s, OrderFilled{ClientID: bid.ClientID, Amount: dec("0.4"), Time: x.at(2)})
	if !x.s.CreateAt.Equal(create) || x.s.FilledBuys != 0 || !x.s.Orders[0].Remaining().Equal(dec("0.6")) {
		t.Fatalf("partial fill changed timers or counters: %+v", x.s)
	}
	x.fill(x.buys()[0], 3)
	if !x.s.CreateAt.Equal(x.at(18)) || x.s.FilledBuys != 1 {
		t.Fatalf("complete fill of one level: create %v counter %d, want 18 s and 1", x.s.CreateAt, x.s.FilledBuys)
	}
	x.run(2, 18)
	x.wantCounts("during FOD 15 s", 0, 0)
	x.tick(19)
	x.wantCounts("after FOD, ping pong trims one bid", 2, 3)
}

// HB #5390: FOD 120 > refresh 60 with hanging orders must not duplicate orders.
func TestFilledOrderDelayLongerThanRefreshWithHangingNoDuplicates(t *testing.T) {
	p := oneLevelParams()
	p.OrderRefreshTime, p.FilledOrderDelay, p.HangingOrdersEnabled = 60*time.Second, 120*time.Second, true
	x := newSim(t, p)
	x.tick(1)
	x.fill(x.buys()[0], 5)
	for sec := 2; sec <= 400; sec++ {
		x.tick(float64(sec))
		if b, s := len(x.buys()), len(x.sells()); b > 1 || s > 2 {
			t.Fatalf("t%d: %d buys / %d sells: duplicated orders", sec, b, s)
		}
	}
	x.wantCounts("end", 1, 2)
}

// HB #1720's spec (levels [2,1,1,2]: after 2 buys and 1 sell, 1 buy / 2 sells) is not what the code does.
// Pinned rule, the code's (§3.2, §8.1): each side is trimmed by its own counter: 0 buys / 1 sell.
func TestPingPongTwoLevelsFollowsTheCodeNotTheIssueSpec(t *testing.T) {
	prop := Proposal{Buys: levels("99", "98"), Sells: levels("101", "102")}
	out, _, _ := PingPong(2, 0, prop)
	if len(out.Buys) != 0 || len(out.Sells) != 2 {
		t.Errorf("2 buys filled: %d/%d, want 0/2", len(out.Buys), len(out.Sells))
	}
	out, _, _ = PingPong(2, 1, prop)
	if len(out.Buys) != 0 || len(out.Sells) != 1 {
		t.Errorf("then 1 sell: %d/%d, want 0/1", len(out.Buys), len(out.Sells))
	}
}

// HB #3790: a hanging order past max_order_age is cancelled once and re-placed identically when the cancel
// arrives; HB #5044-style ghosts: a plain cancel is never re-placed.
func TestHangingRenewalCancelsOnceAndReplacesIdentically(t *testing.T) {
	p := oneLevelParams()
	p.HangingOrdersEnabled, p.MaxOrderAge, p.FilledOrderDelay = true, 30*time.Second, time.Hour
	x := newSim(t, p)
	x.tick(1)
	x.fill(x.buys()[0], 1)
	x.run(2, 6)
	hang := x.hanging()[0]
	m := x.m
	m.Now = x.at(32)
	r := Tick(p, x.s, m)
	if len(r.Actions.Cancels) != 1 || r.Actions.Cancels[0].Reason != CancelHangingRenewal {
		t.Fatalf("t32: %+v, want one renewal cancel", r.Actions.Cancels)
	}
	m.Now = x.at(33)
	if again := Tick(p, r.State, m); len(again.Actions.Cancels) != 0 {
		t.Fatalf("renewal cancel re-sent: %+v", again.Actions.Cancels)
	}
	s := OnOrderCancelled(p, r.State, OrderCancelled{ClientID: hang.ClientID})
	r = Tick(p, s, m)
	if pl := r.Actions.Places; len(pl) != 1 || !pl[0].Hanging || !pl[0].Price.Equal(hang.Price) ||
		!pl[0].Amount.Equal(hang.Amount) || pl[0].Side != market.Sell {
		t.Fatalf("renewal placed %+v, want the same hanging sell", pl)
	}
	if o := r.State.Orders[0]; !o.Hanging || !o.Created.Equal(x.at(33)) {
		t.Errorf("renewed order %+v, want hanging created now", o)
	}
	if r = Tick(p, OnOrderCancelled(p, r.State, OrderCancelled{ClientID: r.State.Orders[0].ClientID}), m); len(r.Actions.Places) != 0 {
		t.Errorf("a plain cancel was re-placed: %+v", r.Actions.Places)
	}
}

// §1.1: hanging_orders_cancel_pct 0 silently becomes 0.1 in the tracker.
func TestHangingCancelPctZeroBecomesTenPercent(t *testing.T) {
	p := oneLevelParams()
	p.HangingOrdersCancelPct = decimal.Zero
	if got := HangingCancelPct(p); !got.Equal(dec("0.1")) {
		t.Errorf("cancel pct %s, want 0.1", got)
	}
}

// Inventory skew cases (users.md (c)).
func TestInventorySkewUserReports(t *testing.T) {
	skewed := func(target, multiplier string, levels int, base, quote string) *sim {
		p := oneLevelParams()
		p.OrderLevels, p.OrderLevelSpread = levels, dec("0.01")
		p.InventorySkewEnabled, p.InventoryTargetBasePct, p.InventoryRangeMultiplier = true, dec(target), dec(multiplier)
		x := newSim(t, p)
		x.base, x.quote = dec(base), dec(quote)
		x.tick(1)
		return x
	}
	t.Run("HB #1657: 76.6% base above the range places no bids", func(t *testing.T) {
		// value 10000 at 100: 76.6 base = 7660, range min(6·0.25·100, 5000) = 150 → upper 5150.
		x := skewed("0.5", "0.25", 3, "76.6", "2340")
		if len(x.buys()) != 0 || len(x.sells()) != 3 {
			t.Errorf("%d buys / %d sells, want 0 / 3", len(x.buys()), len(x.sells()))
		}
	})
	t.Run("HB #1719: 40% base at 50% target: bids up, asks down, never both down", func(t *testing.T) {
		x := skewed("0.5", "20", 3, "40", "6000")
		for i := range 3 {
			if !x.buys()[i].Amount.GreaterThan(dec("1")) || !x.sells()[i].Amount.LessThan(dec("1")) {
				t.Errorf("level %d: bid %s ask %s", i, x.buys()[i].Amount, x.sells()[i].Amount)
			}
		}
	})
	t.Run("HB #1292: empty portfolio places nothing and does not panic", func(t *testing.T) {
		x := skewed("0.5", "1", 3, "0", "0")
		x.wantCounts("empty", 0, 0)
	})
	t.Run("HB #1595/#1927: the engine's own resting orders do not move the skew", func(t *testing.T) {
		p := oneLevelParams()
		p.InventorySkewEnabled, p.InventoryTargetBasePct, p.InventoryRangeMultiplier = true, dec("0.5"), dec("1")
		free := Balances{BaseAvailable: dec("10"), QuoteAvailable: dec("1000")}
		own := []Order{{Side: market.Sell, Price: dec("101"), Amount: dec("2")},
			{Side: market.Buy, Price: dec("99"), Amount: dec("3"), Hanging: true}}
		locked := Balances{BaseAvailable: dec("8"), QuoteAvailable: dec("703")}
		b1, q1 := adjustedBalances(free, nil, true)
		b2, q2 := adjustedBalances(locked, own, true)
		if !b1.Equal(b2) || !q1.Equal(q2) {
			t.Errorf("skew balances %s/%s with own orders, want %s/%s", b2, q2, b1, q1)
		}
		if _, q := adjustedBalances(locked, own, false); !q.Equal(dec("703")) {
			t.Errorf("budget re-uses the hanging order's funds: quote %s", q)
		}
	})
	t.Run("HB #2942: a level below min notional is skipped with a reason, others placed", func(t *testing.T) {
		p := threeLevelParams()
		x := newSim(t, p)
		x.m.Rules.MinNotional = dec("150")
		x.tick(1)
		x.wantCounts("min notional", 2, 2)
		if !strings.Contains(strings.Join(x.last.Explain.Decisions, "\n"), "minimum notional") {
			t.Errorf("no reason in %v", x.last.Explain.Decisions)
		}
	})
}
