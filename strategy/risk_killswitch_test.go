package strategy

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var riskT0 = time.Date(2024, 8, 8, 12, 0, 0, 0, time.UTC)

// riskIn is an input at a time with fresh market data.
func riskIn(at time.Time, mid, base, quote string, fills int) RiskInput {
	return RiskInput{Now: at, Mid: dec(mid), BaseBalance: decimal.NewNullDecimal(dec(base)),
		QuoteBalance: decimal.NewNullDecimal(dec(quote)), FillsSinceStart: fills, LastMarketData: at}
}

func killSwitchParams(ratePct string) RiskParams {
	p := DefaultRiskParams()
	p.KillSwitchRatePct = dec(ratePct)
	return p
}

func wantChanges(t *testing.T, what string, got []RiskTrip, want ...string) {
	t.Helper()
	var names []string
	for _, c := range got {
		names = append(names, string(c.Action)+" "+string(c.Guard))
	}
	if len(names) != len(want) {
		t.Fatalf("%s: changes %v, want %v", what, names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("%s: changes %v, want %v", what, names, want)
		}
	}
}

// The start of every kill switch case: 1 BTC and 10000 USDT at 10000, so the hold value at 10000 is 20000 and a
// 1 USDT change of the current value moves the return by 0.005 %. The rate is in percent, divided by 100 as
// Hummingbot's ActiveKillSwitch does (reference/hummingbot.md §6.1).
func TestKillSwitchRateIsPercentOfTheHistoryReturn(t *testing.T) {
	tests := []struct {
		name       string
		ratePct    string
		mid        string
		base       string
		quote      string
		wantReturn string // percent
		wantTrip   bool
	}{
		// (10000 + 9000 − 20000) / 20000 = −0.05: −5 % trips a rate of −5 (return ≤ rate).
		{"rate -5 trips at exactly -5 %", "-5", "10000", "1", "9000", "-5", true},
		// (10000 + 9002 − 20000) / 20000 = −998/20000 = −0.0499.
		{"rate -5 does not trip at -4.99 %", "-5", "10000", "1", "9002", "-4.99", false},
		// −20/20000 = −0.001 = −0.1 %: a rate of −0.1 is −0.1 %, never −10 % (users.md HB #1226).
		{"rate -0.1 trips at -0.1 %", "-0.1", "10000", "1", "9980", "-0.1", true},
		// −19/20000 = −0.00095 = −0.095 %.
		{"rate -0.1 does not trip at -0.095 %", "-0.1", "10000", "1", "9981", "-0.095", false},
		// HB #1226's user saw −0.162 %: past −0.1 %, so −0.1 fires there, as it should read.
		{"rate -0.1 trips at -0.162 %", "-0.1", "10000", "1", "9967.6", "-0.162", true},
		// +2000/20000 = +10 %: a positive rate takes profit (return ≥ rate).
		{"rate +10 trips at +10 %", "10", "10000", "1", "12000", "10", true},
		{"rate +10 does not trip at +9.99 %", "10", "10000", "1", "11998", "9.99", false},
		{"rate +10 ignores a loss", "10", "10000", "1", "5000", "-25", false},
		// Price alone: bought 1 BTC at 10000 (2 BTC, 0 USDT), price 9000: hold = 9000 + 10000 = 19000,
		// current = 18000, return = −1000/19000 = −5.263157894736842105263157895 % (28 significant digits).
		{"price moves alone can fire it", "-5", "9000", "2", "0", "-5.263157894736842105263157895", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := killSwitchParams(tc.ratePct)
			s := NewRiskState(riskT0, dec("1"), dec("10000"), dec("10000"))
			s, changes := EvaluateRisk(p, s, riskIn(riskT0, tc.mid, tc.base, tc.quote, 3))
			if !s.ReturnPct.Valid || !s.ReturnPct.Decimal.Equal(dec(tc.wantReturn)) {
				t.Fatalf("return = %v %%, want %s %%", s.ReturnPct, tc.wantReturn)
			}
			if tc.wantTrip {
				wantChanges(t, "evaluation", changes, "trip kill_switch")
				trip := changes[0]
				if !trip.Value.Decimal.Equal(dec(tc.wantReturn)) || !trip.Limit.Decimal.Equal(dec(tc.ratePct)) {
					t.Errorf("trip value/limit = %v/%v, want %s/%s", trip.Value, trip.Limit, tc.wantReturn, tc.ratePct)
				}
				if !s.Halted() {
					t.Error("a kill switch trip must halt")
				}
			} else {
				wantChanges(t, "evaluation", changes)
			}
		})
	}
}

// Hummingbot checks every 10 s, not every tick: a return past the rate between two checks does not fire until
// the next check comes due.
func TestKillSwitchIsCheckedEveryTenSeconds(t *testing.T) {
	p := killSwitchParams("-5")
	s := NewRiskState(riskT0, dec("1"), dec("10000"), dec("10000"))
	s, changes := EvaluateRisk(p, s, riskIn(riskT0, "10000", "1", "10000", 0)) // first check at t0: return 0
	wantChanges(t, "t0", changes)
	if !s.LastKillSwitchCheck.Equal(riskT0) {
		t.Fatalf("last check = %s, want t0", s.LastKillSwitchCheck)
	}
	// −5 % from t0+1 s on; the checks are due at t0+10 s.
	for _, after := range []time.Duration{time.Second, 5 * time.Second, 9999 * time.Millisecond} {
		s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(after), "10000", "1", "9000", 2))
		wantChanges(t, "t0+"+after.String(), changes)
	}
	s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(10*time.Second), "10000", "1", "9000", 2))
	wantChanges(t, "t0+10s", changes, "trip kill_switch")
	if !changes[0].Time.Equal(riskT0.Add(10 * time.Second)) {
		t.Errorf("trip time = %s, want t0+10s", changes[0].Time)
	}
	// Tripped: never reported again (users.md dashboard #206: no loop-logging).
	_, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(30*time.Second), "10000", "1", "8000", 2))
	wantChanges(t, "t0+30s", changes)
}

func TestKillSwitchRateZeroNeverFires(t *testing.T) {
	p := killSwitchParams("0")
	s := NewRiskState(riskT0, dec("1"), dec("10000"), dec("10000"))
	// 1 BTC at 100 and nothing else: (100 − 10100)/10100 ≈ −99 %.
	s, changes := EvaluateRisk(p, s, riskIn(riskT0, "100", "1", "0", 5))
	wantChanges(t, "rate 0", changes)
	if s.ReturnPct.Valid || !s.LastKillSwitchCheck.IsZero() {
		t.Errorf("rate 0 must not even check: return %v, last check %s", s.ReturnPct, s.LastKillSwitchCheck)
	}
}

// HB #1145: the kill switch fired at start with no trades (rate −0.001). With no fills the return is 0 whatever
// the balances did: here 1000 USDT were withdrawn, which the return formula alone would read as −5 %.
func TestKillSwitchNoTradesNeverFires(t *testing.T) {
	for _, rate := range []string{"-0.001", "-5", "0.001"} {
		p := killSwitchParams(rate)
		s := NewRiskState(riskT0, dec("1"), dec("10000"), dec("10000"))
		for sec := 0; sec <= 60; sec += 10 {
			var changes []RiskTrip
			s, changes = EvaluateRisk(p, s, riskIn(riskT0.Add(time.Duration(sec)*time.Second), "10000", "1", "9000", 0))
			wantChanges(t, "rate "+rate, changes)
		}
		if !s.ReturnPct.Decimal.IsZero() {
			t.Errorf("rate %s: return with no trades = %s %%, want 0", rate, s.ReturnPct.Decimal)
		}
	}
}

// Without NewRiskState, the first evaluation with balances and a mid is the run's start, as Hummingbot's
// init_time is.
func TestKillSwitchSeedsTheStartFromTheFirstValidInput(t *testing.T) {
	p := killSwitchParams("-5")
	s, _ := EvaluateRisk(p, RiskState{}, riskIn(riskT0, "10000", "1", "10000", 0))
	if !s.HasStart || !s.StartBase.Equal(dec("1")) || !s.StartQuote.Equal(dec("10000")) || !s.StartPrice.Equal(dec("10000")) {
		t.Fatalf("start = %v %s %s @ %s, want 1 BTC, 10000 USDT at 10000", s.HasStart, s.StartBase, s.StartQuote, s.StartPrice)
	}
	_, changes := EvaluateRisk(p, s, riskIn(riskT0.Add(10*time.Second), "10000", "1", "9000", 1))
	wantChanges(t, "−5 %", changes, "trip kill_switch")
}
