package strategy

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// quant.md §6.1: a hard cap stops the side that increases |q|, not the other one. Cap 2 BTC.
func TestMaxInventoryBlocksOnlyOrdersThatAddToThePosition(t *testing.T) {
	p := DefaultRiskParams()
	p.MaxInventoryBase = dec("2")
	tests := []struct {
		name              string
		base              string
		wantTrip          bool
		wantBuy, wantSell bool
	}{
		{"at the cap: not beyond it", "2", false, true, true},
		{"long beyond the cap: buys refused, sells allowed", "2.5", true, false, true},
		{"short beyond the cap: sells refused, buys allowed", "-3", true, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, changes := EvaluateRisk(p, RiskState{}, riskIn(riskT0, "10000", tc.base, "1000", 1))
			if tc.wantTrip {
				wantChanges(t, "evaluation", changes, "trip max_inventory")
				if s.Halted() {
					t.Error("max_inventory is a side filter, not a halt")
				}
			} else {
				wantChanges(t, "evaluation", changes)
			}
			// reduce_only_after_trip is about the stop guards: the cap allows reducing orders either way.
			if got := AllowOrder(s.Tripped, market.Buy, p, s); got != tc.wantBuy {
				t.Errorf("buy allowed = %v, want %v", got, tc.wantBuy)
			}
			if got := AllowOrder(s.Tripped, market.Sell, p, s); got != tc.wantSell {
				t.Errorf("sell allowed = %v, want %v", got, tc.wantSell)
			}
		})
	}
}

func TestMaxInventoryClearsWhenBackUnderTheCap(t *testing.T) {
	p := DefaultRiskParams()
	p.MaxInventoryBase = dec("2")
	s, changes := EvaluateRisk(p, RiskState{}, riskIn(riskT0, "10000", "2.5", "0", 1))
	wantChanges(t, "2.5 BTC", changes, "trip max_inventory")
	s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(time.Second), "10000", "1.5", "5000", 2))
	wantChanges(t, "1.5 BTC", changes, "clear max_inventory")
	if !AllowOrder(s.Tripped, market.Buy, p, s) {
		t.Error("buys must be allowed again under the cap")
	}
}

// Stale data pulls every quote and clears itself when data returns. Timeout 5 s: an age of exactly 5 s is not
// "longer than" the timeout.
func TestStaleDataTripsAndClearsWhenDataReturns(t *testing.T) {
	p := DefaultRiskParams()
	p.StaleDataTimeout = 5 * time.Second
	in := riskIn(riskT0, "10000", "1", "10000", 0)
	s, changes := EvaluateRisk(p, RiskState{}, in)
	wantChanges(t, "fresh", changes)

	in.Now = riskT0.Add(5 * time.Second) // data still from t0
	s, changes = EvaluateRisk(p, s, in)
	wantChanges(t, "5 s old", changes)

	in.Now = riskT0.Add(6 * time.Second)
	s, changes = EvaluateRisk(p, s, in)
	wantChanges(t, "6 s old", changes, "trip stale_data")
	if !changes[0].Value.Decimal.Equal(dec("6")) || !changes[0].Limit.Decimal.Equal(dec("5")) {
		t.Errorf("trip value/limit = %s/%s s, want 6/5", changes[0].Value.Decimal, changes[0].Limit.Decimal)
	}
	if AllowOrder(s.Tripped, market.Buy, p, s) || AllowOrder(s.Tripped, market.Sell, p, s) {
		t.Error("stale data must refuse every order")
	}
	if s.Halted() {
		t.Error("stale data is not sticky")
	}

	in.Now = riskT0.Add(7 * time.Second)
	s, changes = EvaluateRisk(p, s, in)
	wantChanges(t, "still stale", changes)

	in.LastMarketData = in.Now
	s, changes = EvaluateRisk(p, s, in)
	wantChanges(t, "data back", changes, "clear stale_data")
	if !AllowOrder(s.Tripped, market.Buy, p, s) {
		t.Error("orders must be allowed once data is back")
	}
}

// Before the first market data, staleness counts from the first evaluation.
func TestStaleDataWithNoDataAtAllCountsFromTheStart(t *testing.T) {
	p := DefaultRiskParams()
	p.StaleDataTimeout = 5 * time.Second
	in := RiskInput{Now: riskT0}
	s, changes := EvaluateRisk(p, RiskState{}, in)
	wantChanges(t, "start", changes)
	in.Now = riskT0.Add(5001 * time.Millisecond)
	_, changes = EvaluateRisk(p, s, in)
	wantChanges(t, "5.001 s without data", changes, "trip stale_data")
}

// users.md NT PR #4761: a halt must not deny the order that closes the position — where configured.
func TestStopGuardAllowsReducingOrdersOnlyWhenConfigured(t *testing.T) {
	trips := []RiskTrip{{Guard: GuardKillSwitch, Action: RiskActionTrip, Time: riskT0}}
	tests := []struct {
		name              string
		reduceOnly        bool
		base              string
		wantBuy, wantSell bool
	}{
		{"reduce-only, long: sells reduce", true, "1", false, true},
		{"reduce-only, short: buys reduce", true, "-1", true, false},
		{"reduce-only, flat: everything adds", true, "0", false, false},
		{"not configured: nothing", false, "1", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultRiskParams()
			p.ReduceOnlyAfterTrip = tc.reduceOnly
			s := RiskState{HasBase: true, Base: dec(tc.base), Tripped: trips}
			if got := AllowOrder(trips, market.Buy, p, s); got != tc.wantBuy {
				t.Errorf("buy allowed = %v, want %v", got, tc.wantBuy)
			}
			if got := AllowOrder(trips, market.Sell, p, s); got != tc.wantSell {
				t.Errorf("sell allowed = %v, want %v", got, tc.wantSell)
			}
		})
	}
	// Before any balance was seen, no order is known to reduce.
	p := DefaultRiskParams()
	p.ReduceOnlyAfterTrip = true
	if AllowOrder(trips, market.Sell, p, RiskState{Tripped: trips}) {
		t.Error("with no known position a sell must not pass as reducing")
	}
	if !AllowOrder(nil, market.Buy, p, RiskState{}) {
		t.Error("no trips: every order is allowed")
	}
}

// users.md HB #1866 and DESIGN.md §6: a trip persists across restarts until cleared. The runner reads
// journal.TrippedGuards and converts each row to a RiskTrip.
func TestRestoredTripsPersistUntilCleared(t *testing.T) {
	p := killSwitchParams("-5")
	p.StaleDataTimeout = 5 * time.Second
	restored := []RiskTrip{
		{Guard: GuardKillSwitch, Time: riskT0.Add(-time.Hour), Value: decimal.NewNullDecimal(dec("-5.2")),
			Limit: decimal.NewNullDecimal(dec("-5"))},
		{Guard: GuardStaleData, Time: riskT0.Add(-time.Hour)}, // the crashed run never journaled its clear
		{Guard: "hedge_margin", Time: riskT0.Add(-time.Hour)}, // a guard this package does not know
	}
	s := RestoreTrips(NewRiskState(riskT0, dec("1"), dec("10000"), dec("10000")), restored)
	if !s.Halted() || !s.IsTripped(GuardKillSwitch) {
		t.Fatal("a restored kill switch trip must halt")
	}

	// A new run with a healthy market: return 0, fresh data. Nothing re-trips; the stale trip clears.
	s, changes := EvaluateRisk(p, s, riskIn(riskT0, "10000", "1", "10000", 0))
	wantChanges(t, "first evaluation", changes, "clear stale_data")
	for _, sec := range []int{10, 20, 3600} {
		s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(time.Duration(sec)*time.Second), "10000", "1", "10000", 0))
		wantChanges(t, "later", changes)
	}
	if !s.IsTripped(GuardKillSwitch) || !s.IsTripped("hedge_margin") {
		t.Fatalf("sticky trips must survive evaluations, tripped: %v", s.Tripped)
	}
	if AllowOrder(s.Tripped, market.Buy, p, s) || AllowOrder(s.Tripped, market.Sell, p, s) {
		t.Error("a restored halt must refuse orders")
	}

	// mm run --clear-trip kill_switch: the unknown guard still fails closed.
	s, cleared := ClearTrips(s, riskT0.Add(2*time.Hour), GuardKillSwitch)
	wantChanges(t, "clear kill_switch", cleared, "clear kill_switch")
	if AllowOrder(s.Tripped, market.Buy, p, s) {
		t.Error("the unknown restored guard must still refuse orders")
	}
	s, cleared = ClearTrips(s, riskT0.Add(2*time.Hour))
	wantChanges(t, "clear all", cleared, "clear hedge_margin")
	if !AllowOrder(s.Tripped, market.Buy, p, s) || s.Halted() {
		t.Error("everything cleared: orders allowed")
	}
}

// Clearing re-arms from the next evaluation, so the guard does not re-trip at once on the same numbers
// (users.md HB #1866), and trips again on a new breach measured from there.
func TestClearedDrawdownRearmsFromTheNextEquity(t *testing.T) {
	p := DefaultRiskParams()
	p.MaxDrawdownPct = dec("10")
	p.Debounce = 1
	s, changes := EvaluateRisk(p, RiskState{}, riskIn(riskT0, "100", "1", "0", 1))
	wantChanges(t, "peak 100", changes)
	s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(time.Second), "90", "1", "0", 1))
	wantChanges(t, "90", changes, "trip drawdown")
	s, _ = ClearTrips(s, riskT0.Add(2*time.Second))
	s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(3*time.Second), "90", "1", "0", 1))
	wantChanges(t, "90 after the clear: the new peak", changes)
	_, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(4*time.Second), "81", "1", "0", 1))
	wantChanges(t, "81 = 90·0.9", changes, "trip drawdown")
}

// users.md HB #2534: a kill switch whose PnL computation failed let the bot keep trading. An input the configured
// guards cannot evaluate trips risk_input_invalid, which refuses every order, and clears when input is valid.
func TestInvalidInputFailsClosed(t *testing.T) {
	p := killSwitchParams("-5")
	s := NewRiskState(riskT0, dec("1"), dec("10000"), dec("10000"))
	noMid := riskIn(riskT0, "0", "1", "9000", 1) // −5 % if it could be priced
	s, changes := EvaluateRisk(p, s, noMid)
	wantChanges(t, "no mid", changes, "trip risk_input_invalid")
	if AllowOrder(s.Tripped, market.Sell, p, s) || AllowOrder(s.Tripped, market.Buy, p, s) {
		t.Error("invalid input must refuse every order")
	}
	if !s.LastKillSwitchCheck.IsZero() {
		t.Error("a check that could not run must stay due")
	}
	// One second later the mid is back: the overdue check runs at once and fires.
	s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(time.Second), "10000", "1", "9000", 1))
	wantChanges(t, "mid back", changes, "clear risk_input_invalid", "trip kill_switch")

	noBalances := RiskInput{Now: riskT0, Mid: dec("10000"), LastMarketData: riskT0}
	inv := DefaultRiskParams()
	inv.MaxInventoryBase = dec("2")
	_, changes = EvaluateRisk(inv, RiskState{}, noBalances)
	wantChanges(t, "max inventory without balances", changes, "trip risk_input_invalid")
}

func TestInvalidInputIsOnlyAnErrorForGuardsThatNeedIt(t *testing.T) {
	empty := RiskInput{Now: riskT0, LastMarketData: riskT0}
	_, changes := EvaluateRisk(DefaultRiskParams(), RiskState{}, empty)
	wantChanges(t, "no guard configured", changes)
	stale := DefaultRiskParams()
	stale.StaleDataTimeout = time.Minute
	_, changes = EvaluateRisk(stale, RiskState{}, empty)
	wantChanges(t, "stale data needs neither mid nor balances", changes)
}

// EvaluateRisk is pure: the state it was given keeps its slices.
func TestEvaluateRiskDoesNotModifyTheGivenState(t *testing.T) {
	p := DefaultRiskParams()
	p.MaxInventoryBase = dec("2")
	p.MaxDrawdownPct = dec("10")
	s, _ := EvaluateRisk(p, RiskState{}, riskIn(riskT0, "100", "3", "0", 1))
	before := len(s.Tripped)
	window := s.RecentEquity[0]
	next, _ := EvaluateRisk(p, s, riskIn(riskT0.Add(time.Second), "100", "1", "0", 1))
	_, _ = EvaluateRisk(p, next, riskIn(riskT0.Add(2*time.Second), "200", "1", "0", 1))
	if len(s.Tripped) != before || s.Tripped[0].Guard != GuardMaxInventory || !s.RecentEquity[0].Equal(window) {
		t.Errorf("the given state changed: %+v", s)
	}
	if len(next.Tripped) != 0 {
		t.Errorf("max_inventory should have cleared in the new state: %v", next.Tripped)
	}
}

func TestRiskParamsValidateNamesTheKeyAndRange(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*RiskParams)
		wantKey string
	}{
		{"defaults are valid", func(*RiskParams) {}, ""},
		{"kill switch -100 is a total loss", func(p *RiskParams) { p.KillSwitchRatePct = dec("-100") }, "kill_switch_rate"},
		{"kill switch -99.9", func(p *RiskParams) { p.KillSwitchRatePct = dec("-99.9") }, ""},
		{"kill switch above 1000", func(p *RiskParams) { p.KillSwitchRatePct = dec("1000.1") }, "kill_switch_rate"},
		{"negative max inventory", func(p *RiskParams) { p.MaxInventoryBase = dec("-1") }, "max_inventory_base"},
		{"negative daily loss", func(p *RiskParams) { p.DailyLossLimitQuote = dec("-0.01") }, "daily_loss_limit_quote"},
		{"drawdown 100", func(p *RiskParams) { p.MaxDrawdownPct = dec("100") }, "max_drawdown_pct"},
		{"drawdown 99.99", func(p *RiskParams) { p.MaxDrawdownPct = dec("99.99") }, ""},
		{"stale 500ms", func(p *RiskParams) { p.StaleDataTimeout = 500 * time.Millisecond }, "stale_data_timeout"},
		{"stale 25h", func(p *RiskParams) { p.StaleDataTimeout = 25 * time.Hour }, "stale_data_timeout"},
		{"debounce 0", func(p *RiskParams) { p.Debounce = 0 }, "debounce"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultRiskParams()
			tc.mutate(&p)
			err := p.Validate()
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var perr *RiskParamError
			if !errors.As(err, &perr) || perr.Key != tc.wantKey || perr.Accept == "" {
				t.Fatalf("Validate() = %v, want a RiskParamError for %s", err, tc.wantKey)
			}
		})
	}
	err := RiskParams{KillSwitchRatePct: dec("-100"), Debounce: 1}.Validate()
	const want = "risk.kill_switch_rate must be > -100 and ≤ 1000 percent (0 turns it off; -5 stops at a 5 % loss) (got -100)"
	if err == nil || err.Error() != want {
		t.Errorf("message = %v\nwant      %s", err, want)
	}
}
