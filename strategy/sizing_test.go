package strategy

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

var barStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func sizingParams(est VolEstimator, window int) SizingParams {
	return SizingParams{Estimator: est, Window: window, EWMALambda: 0.94, Bar: time.Minute, TargetVolPct: 60,
		MinFactor: dec("0.1"), MaxFactor: dec("2")}
}

// feedBars observes one sample per 20 s, in the given prices, from barStart.
func feedBars(v *RealizedVol, prices ...float64) {
	for i, p := range prices {
		v.Observe(barStart.Add(time.Duration(i)*20*time.Second), p)
	}
}

// Three 1m bars closing at 100, 101, 100 give returns ±ln 1.01: sample σ² = 2·ln(1.01)²/(2 − 1), annualised by
// √(365·1440) and in percent (quant.md §5.4).
func TestRealizedVolCloseToCloseIsTheAnnualisedSampleStdevOfBarCloses(t *testing.T) {
	v, err := NewRealizedVol(sizingParams(EstimatorCloseToClose, 2))
	if err != nil {
		t.Fatal(err)
	}
	// Bars [0,1m): 99, 100.5, 100 → close 100; [1m,2m): 101 ×3; [2m,3m): 100.2, 99.8, 100; a sample at 3m
	// closes the third bar.
	feedBars(v, 99, 100.5, 100, 101, 101, 101, 100.2, 99.8, 100, 100)
	if have, need := v.Bars(); have != 3 || need != 3 {
		t.Fatalf("bars %d/%d, want 3/3", have, need)
	}
	got, ready := v.Value()
	want := math.Sqrt(2) * math.Log(1.01) * math.Sqrt(365*1440) * 100
	if !ready || math.Abs(got-want) > 1e-9*want {
		t.Errorf("close-to-close = %v (ready %v), want %v", got, ready, want)
	}
}

// Parkinson reads each bar's high and low: σ̂² = Σ ln(H/L)²/(4n·ln 2).
func TestRealizedVolParkinsonUsesTheBarsHighAndLow(t *testing.T) {
	v, _ := NewRealizedVol(sizingParams(EstimatorParkinson, 2))
	feedBars(v, 100, 102, 101, 101, 99, 100, 100) // bars H/L 102/100 and 101/99, then a sample opens the third
	got, ready := v.Value()
	h1, h2 := math.Log(102.0/100), math.Log(101.0/99)
	want := math.Sqrt((h1*h1+h2*h2)/(4*2*math.Ln2)) * math.Sqrt(365*1440) * 100
	if !ready || math.Abs(got-want) > 1e-9*want {
		t.Errorf("parkinson = %v (ready %v), want %v", got, ready, want)
	}
}

// EWMA with σ²_1 = r_1², then σ²_t = λσ²_{t−1} + (1 − λ)r_t².
func TestRealizedVolEWMAFollowsRiskMetrics(t *testing.T) {
	v, _ := NewRealizedVol(sizingParams(EstimatorEWMA, 2))
	feedBars(v, 100, 100, 100, 102, 102, 102, 101, 101, 101, 101)
	r1, r2 := math.Log(1.02), math.Log(101.0/102)
	want := math.Sqrt(0.94*r1*r1+0.06*r2*r2) * math.Sqrt(365*1440) * 100
	if got, ready := v.Value(); !ready || math.Abs(got-want) > 1e-9*want {
		t.Errorf("ewma = %v (ready %v), want %v", got, ready, want)
	}
}

// Sizing is not ready until the window is full; a missed bar repeats the last close; a gap longer than the window
// starts over.
func TestRealizedVolReadinessFlatBarsAndGapReset(t *testing.T) {
	v, _ := NewRealizedVol(sizingParams(EstimatorCloseToClose, 3))
	v.Observe(barStart, 100)
	v.Observe(barStart.Add(time.Minute), 101)
	if _, ready := v.Value(); ready {
		t.Fatal("ready after 1 bar, want not ready until 4 bars")
	}
	// No sample in [2m,4m): two flat bars at 101; the sample at 4m closes them.
	v.Observe(barStart.Add(4*time.Minute), 103)
	if have, _ := v.Bars(); have != 4 {
		t.Fatalf("have %d bars, want 4 (100, 101, flat 101, flat 101)", have)
	}
	got, ready := v.Value()
	r := math.Log(1.01)
	mean := r / 3
	want := math.Sqrt(((r-mean)*(r-mean)+2*mean*mean)/2) * math.Sqrt(365*1440) * 100
	if !ready || math.Abs(got-want) > 1e-9*want {
		t.Errorf("vol with flat bars = %v (ready %v), want %v", got, ready, want)
	}
	// 5 missing bars, more than the 4 the window needs: the estimator starts over.
	v.Observe(barStart.Add(10*time.Minute), 110)
	if have, _ := v.Bars(); have != 0 {
		t.Errorf("after a 5-bar gap have %d bars, want 0 (restart)", have)
	}
	if _, ready := v.Value(); ready {
		t.Error("ready right after a restart")
	}
}

// The factor is σ_target/σ̂ clamped to [min, max], rounded to 4 decimals (quant.md §5.5).
func TestSizingFactorIsTargetOverRealizedClampedAndRounded(t *testing.T) {
	p := sizingParams(EstimatorCloseToClose, 2)
	p.MinFactor, p.MaxFactor = dec("0.25"), dec("1.5")
	tests := []struct {
		volPct float64
		want   string
	}{
		{80, "0.75"},     // 60/80
		{60, "1"},        // on target
		{45, "1.3333"},   // 60/45 = 1.33333… rounded
		{30, "1.5"},      // 2 clamped to max
		{300, "0.25"},    // 0.2 clamped to min
		{0, "1.5"},       // no movement at all: max
		{70, "0.8571"},   // 0.857142…
		{64, "0.9375"},   // exact
		{61, "0.9836"},   // 0.983606…
		{59.9, "1.0017"}, // 1.001669…
	}
	for _, tc := range tests {
		got, err := SizingFactor(p, tc.volPct)
		if err != nil || !got.Equal(dec(tc.want)) {
			t.Errorf("SizingFactor(σ̂ %v%%) = %s, %v; want %s", tc.volPct, got, err, tc.want)
		}
	}
}

// Every level's amount is multiplied by the factor, then floored to the step: level i is
// (order_amount + i·order_level_amount)·factor.
func TestAmountFactorScalesEveryLevelThenFloorsToTheStep(t *testing.T) {
	p := oneLevelParams()
	p.OrderAmount, p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = dec("0.01"), 3, dec("0.005"), dec("0.01")
	m := MarketSnapshot{Now: barStart, BestBid: dec("99.5"), BestAsk: dec("100.5"), Mid: dec("100"),
		Balances:    Balances{BaseTotal: dec("10"), BaseAvailable: dec("10"), QuoteTotal: dec("1000"), QuoteAvailable: dec("1000")},
		Rules:       MarketRules{Tick: dec("0.01"), Step: dec("0.0001")},
		NewClientID: DefaultClientIDs("t"), AmountFactor: dec("0.8571")}
	r := Tick(p, PMMState{}, m)
	// 0.01·0.8571 = 0.008571 → 0.0085; 0.015·0.8571 = 0.0128565 → 0.0128; 0.02·0.8571 = 0.017142 → 0.0171.
	want := []string{"0.0085", "0.0128", "0.0171"}
	if len(r.Actions.Places) != 6 {
		t.Fatalf("%d places, want 3 a side: %+v", len(r.Actions.Places), r.Actions.Places)
	}
	for _, pl := range r.Actions.Places {
		if !pl.Amount.Equal(dec(want[pl.Level])) {
			t.Errorf("%s level %d amount %s, want %s", pl.Side, pl.Level, pl.Amount, want[pl.Level])
		}
	}
	// The same tick without a factor quotes the configured amounts.
	m.AmountFactor = decimal.Decimal{}
	for _, pl := range Tick(p, PMMState{}, m).Actions.Places {
		if wantPlain := dec("0.01").Add(dec("0.005").Mul(decimal.NewFromInt(int64(pl.Level)))); !pl.Amount.Equal(wantPlain) {
			t.Errorf("no factor: level %d amount %s, want %s", pl.Level, pl.Amount, wantPlain)
		}
	}
}

// A shrunk level below the exchange minimum is dropped with a note, as the pipeline drops any such level.
func TestAmountFactorDropsLevelsBelowTheMinimumNotional(t *testing.T) {
	p := oneLevelParams()
	p.OrderAmount, p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = dec("0.05"), 2, dec("0.05"), dec("0.01")
	m := MarketSnapshot{Now: barStart, BestBid: dec("99.5"), BestAsk: dec("100.5"), Mid: dec("100"),
		Balances:    Balances{BaseTotal: dec("10"), BaseAvailable: dec("10"), QuoteTotal: dec("1000"), QuoteAvailable: dec("1000")},
		Rules:       MarketRules{Tick: dec("0.01"), Step: dec("0.001"), MinNotional: dec("5")},
		NewClientID: DefaultClientIDs("t"), AmountFactor: dec("0.5")}
	r := Tick(p, PMMState{}, m)
	// Level 0: 0.025 at 99 and 101 is 2.475 and 2.525 quote: both dropped. Level 1: 0.05 at 98 is 4.9 (dropped), at
	// 102 is 5.1 (kept).
	if len(r.Actions.Places) != 1 || r.Actions.Places[0].Side != market.Sell || !r.Actions.Places[0].Amount.Equal(dec("0.05")) {
		t.Fatalf("places %+v, want the level-1 ask of 0.05 only", r.Actions.Places)
	}
	if !strings.Contains(r.Explain.String(), "below the minimum notional 5") {
		t.Errorf("explain has no drop note:\n%s", r.Explain)
	}
}

func TestSizingParamsValidate(t *testing.T) {
	tests := []struct {
		mod  func(*SizingParams)
		want string
	}{
		{func(p *SizingParams) { p.Window = 1 }, "window must be ≥ 2"},
		{func(p *SizingParams) { p.TargetVolPct = 0 }, "target-vol must be > 0"},
		{func(p *SizingParams) { p.TargetVolPct = -5 }, "target-vol must be > 0"},
		{func(p *SizingParams) { p.MinFactor, p.MaxFactor = dec("2"), dec("1") }, "min_factor 2 must be ≤ max_factor 1"},
		{func(p *SizingParams) { p.Estimator, p.EWMALambda = EstimatorEWMA, 1 }, "ewma-lambda must be > 0 and < 1"},
		{func(p *SizingParams) { p.Estimator = "garch" }, `estimator "garch"`},
	}
	for _, tc := range tests {
		p := sizingParams(EstimatorCloseToClose, 5)
		tc.mod(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want %q", err, tc.want)
		}
	}
}

// BenchmarkTickWithAmountFactor is BenchmarkTick with sizing on: the factor scales the params (and the proposal
// then differs from the live orders, so this tick also cancels and re-places).
func BenchmarkTickWithAmountFactor(b *testing.B) {
	p := oneLevelParams()
	p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = 5, dec("0.5"), dec("0.01")
	m := MarketSnapshot{Now: barStart, BestBid: dec("99.5"), BestAsk: dec("100.5"), Mid: dec("100"),
		Balances:    Balances{BaseTotal: dec("100"), BaseAvailable: dec("100"), QuoteTotal: dec("100000"), QuoteAvailable: dec("100000")},
		Rules:       MarketRules{Tick: dec("0.01"), Step: dec("0.001")},
		NewClientID: func(market.Side, int) string { return "id" }, AmountFactor: dec("0.8571")}
	b.ReportAllocs()
	for b.Loop() {
		_ = Tick(p, PMMState{}, m)
	}
}

// EWMA carries its recursion across bars (RiskMetrics): with a window of 2, the closes 100, 102, 101, 103 give
// σ² = λ(λr₁² + (1 − λ)r₂²) + (1 − λ)r₃², not a recursion restarted at r₂ when r₁ leaves the window (review M6).
func TestRealizedVolEWMACarriesTheRecursionAcrossBars(t *testing.T) {
	v, _ := NewRealizedVol(sizingParams(EstimatorEWMA, 2))
	feedBars(v, 100, 100, 100, 102, 102, 102, 101, 101, 101, 103, 103, 103, 103)
	r1, r2, r3 := math.Log(1.02), math.Log(101.0/102), math.Log(103.0/101)
	want := math.Sqrt(0.94*(0.94*r1*r1+0.06*r2*r2)+0.06*r3*r3) * math.Sqrt(365*1440) * 100
	if got, ready := v.Value(); !ready || math.Abs(got-want) > 1e-9*want {
		t.Errorf("ewma = %v (ready %v), want %v", got, ready, want)
	}
}

// σ̂ = 0 is not a volatility to size up to max_factor on (review M2): a frozen mid over the whole window, and
// Parkinson on bars with a single sample each (bar = tick_interval), are not ready.
func TestRealizedVolFlatWindowIsNotReady(t *testing.T) {
	for _, est := range []VolEstimator{EstimatorCloseToClose, EstimatorEWMA, EstimatorParkinson} {
		v, _ := NewRealizedVol(sizingParams(est, 2))
		feedBars(v, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100)
		if have, need := v.Bars(); have != need {
			t.Fatalf("%s: %d of %d bars, want the window full", est, have, need)
		}
		if got, ready := v.Value(); ready {
			t.Errorf("%s: frozen mid gives %v ready, want not ready", est, got)
		}
	}
	// One sample per 1m bar: each bar's high equals its low even though the mid moves, so Parkinson would read
	// σ̂ = 0. Those bars carry no range and are left out: never ready.
	v, _ := NewRealizedVol(sizingParams(EstimatorParkinson, 2))
	for i, price := range []float64{100, 101, 99, 102, 98, 103} {
		v.Observe(barStart.Add(time.Duration(i)*time.Minute), price)
	}
	if got, ready := v.Value(); ready {
		t.Errorf("parkinson on one sample per bar: %v ready, want not ready", got)
	}
	// A gap is not calm to Parkinson: the bars of a gap are not entered as flat ones. Bars 100–102 and 101–99,
	// then no sample for 2 minutes, then a bar 100–104: the estimate is over the three bars with a range.
	v, _ = NewRealizedVol(sizingParams(EstimatorParkinson, 3))
	feedBars(v, 100, 102, 101, 101, 99, 100)
	for i, price := range []float64{100, 104, 103} {
		v.Observe(barStart.Add(4*time.Minute+time.Duration(i)*20*time.Second), price)
	}
	v.Observe(barStart.Add(5*time.Minute), 103)
	h1, h2, h3 := math.Log(102.0/100), math.Log(101.0/99), math.Log(104.0/100)
	want := math.Sqrt((h1*h1+h2*h2+h3*h3)/(4*3*math.Ln2)) * math.Sqrt(365*1440) * 100
	if got, ready := v.Value(); !ready || math.Abs(got-want) > 1e-9*want {
		t.Errorf("parkinson across a gap = %v (ready %v), want %v", got, ready, want)
	}
}

// While σ̂ is unknown the factor is 1 within [min_factor, max_factor] (review M1): a max_factor of 0.5 caps the
// warm-up at half the configured amounts, a min_factor of 2 raises it.
func TestSizingNeutralFactorRespectsTheBounds(t *testing.T) {
	tests := []struct{ min, max, want string }{{"0.1", "2", "1"}, {"0.1", "0.5", "0.5"}, {"2", "3", "2"}}
	for _, tc := range tests {
		p := sizingParams(EstimatorCloseToClose, 2)
		p.MinFactor, p.MaxFactor = dec(tc.min), dec(tc.max)
		if got := p.NeutralFactor(); !got.Equal(dec(tc.want)) {
			t.Errorf("min %s max %s: neutral factor %s, want %s", tc.min, tc.max, got, tc.want)
		}
	}
}
