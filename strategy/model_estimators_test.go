package strategy_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/strategy"
)

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("vector value %q: %v", s, err)
	}
	return v
}

func TestIntensityCalibrationVectors(t *testing.T) {
	for _, v := range quantVectors(t, "CAL-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct {
				Depths []float64 `json:"depths_ticks"`
				Counts []float64 `json:"fill_counts"`
				Window float64   `json:"window_seconds"`
			}
			var want struct {
				Lambda []float64 `json:"lambda_per_s"`
				K, A   float64
			}
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			got, err := strategy.FitIntensity(in.Depths, in.Counts, in.Window)
			if err != nil {
				t.Fatal(err)
			}
			modelClose(t, "k", got.K, want.K)
			modelClose(t, "A", got.A, want.A)
			for i := range want.Lambda {
				modelClose(t, "lambda_per_s["+strconv.Itoa(i)+"]", got.LambdaPerSec[i], want.Lambda[i])
			}
		})
	}
}

func TestIntensityCalibrationDropsZeroCountsAndCountsOnlyStrictlyDeeperArrivals(t *testing.T) {
	// Steps whose deepest trade reached 0.5, 1, 2.5, 3 ticks, one step without a trade (−1).
	counts := strategy.CountArrivalsBeyond([]float64{0.5, 1, 2.5, 3, -1}, []float64{0, 1, 2, 3})
	want := []float64{4, 2, 2, 0} // equal depth (1 at 1, 3 at 3) does not count
	for i := range want {
		if counts[i] != want[i] {
			t.Fatalf("counts = %v, want %v", counts, want)
		}
	}
	fit, err := strategy.FitIntensity([]float64{0, 1, 2, 3}, counts, 10)
	if err != nil {
		t.Fatal(err)
	}
	if fit.LevelsUsed != 3 {
		t.Errorf("levels used = %d, want 3 (zero count dropped)", fit.LevelsUsed)
	}
	// OLS through (0, ln .4), (1, ln .2), (2, ln .2): slope = (ln .2 − ln .4)/2.
	modelClose(t, "k", fit.K, math.Ln2/2)
	if _, err := strategy.FitIntensity([]float64{1, 2}, []float64{3, 0}, 10); err == nil {
		t.Error("one usable level: no error")
	}
}

func TestRealizedVolatilityVectors(t *testing.T) {
	for _, v := range quantVectors(t, "VOL-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct {
				Bars          [][4]float64 `json:"ohlc_daily"`
				PreviousClose float64      `json:"previous_close"`
				Lambda        float64      `json:"ewma_lambda"`
				PeriodsYear   float64      `json:"periods_per_year"`
			}
			var want map[string]any
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			bars := make([]strategy.OHLC, len(in.Bars))
			closes := []float64{in.PreviousClose}
			for i, b := range in.Bars {
				bars[i] = strategy.OHLC{Open: b[0], High: b[1], Low: b[2], Close: b[3]}
				closes = append(closes, b[3])
			}
			returns, err := strategy.LogReturns(closes)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range want["log_returns"].([]any) {
				modelClose(t, "log_returns["+strconv.Itoa(i)+"]", returns[i], r.(float64))
			}
			must := func(v float64, err error) float64 {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			daily := map[string]float64{
				"close_to_close_sample":    must(strategy.CloseToCloseVol(returns)),
				"close_to_close_zero_mean": must(strategy.ZeroMeanVol(returns)),
				"parkinson":                must(strategy.ParkinsonVol(bars)),
				"garman_klass":             must(strategy.GarmanKlassVol(bars)),
				"rogers_satchell":          must(strategy.RogersSatchellVol(bars)),
				"ewma":                     must(strategy.EWMAVol(returns, in.Lambda)),
			}
			checked := 1
			for name, vol := range daily {
				if w, ok := want[name+"_daily"]; ok {
					modelClose(t, name+"_daily", vol, w.(float64))
					checked++
				}
				if w, ok := want[name+"_annual"]; ok {
					modelClose(t, name+"_annual", strategy.Annualize(vol, in.PeriodsYear), w.(float64))
					checked++
				}
			}
			if checked != len(want) {
				t.Errorf("checked %d of %d expected fields", checked, len(want))
			}
		})
	}
}

func TestVolTargetSizingVectors(t *testing.T) {
	for _, v := range quantVectors(t, "SIZE-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct {
				Equity   float64
				Target   float64 `json:"target_vol_annual"`
				Forecast float64 `json:"forecast_vol_annual"`
				Price    float64
			}
			var want struct {
				Notional float64 `json:"target_notional"`
				Qty      float64 `json:"target_qty_base"`
			}
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			notional, qty, err := strategy.VolTargetPosition(in.Equity, in.Target, in.Forecast, in.Price)
			if err != nil {
				t.Fatal(err)
			}
			modelClose(t, "target_notional", notional, want.Notional)
			modelClose(t, "target_qty_base", qty, want.Qty)
		})
	}
}

func TestVolTargetFactorIsClampedToTheConfiguredRange(t *testing.T) {
	tests := []struct {
		name                 string
		forecast, want       float64
		minFactor, maxFactor float64
	}{
		{"quiet market sizes up to the cap", 0.05, 2, 0.25, 2},
		{"on target", 0.2, 1, 0.25, 2},
		{"volatile market sizes down", 0.4, 0.5, 0.25, 2},
		{"very volatile market floors", 4, 0.25, 0.25, 2},
		{"zero forecast takes the cap", 0, 2, 0.25, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := strategy.VolTargetFactor(0.2, tc.forecast, tc.minFactor, tc.maxFactor)
			if err != nil {
				t.Fatal(err)
			}
			modelClose(t, "factor", got, tc.want)
		})
	}
	if _, err := strategy.VolTargetFactor(0.2, 0.1, 3, 2); err == nil {
		t.Error("min factor above max factor: no error")
	}
}

func TestTradingIntensityDeterministicVector(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["trading_intensity_deterministic"]
	var want struct{ Alpha, Kappa float64 }
	sharedtest.Decode(t, v.Expected, &want)
	// The vector's inputs: a quote of price 1 at t0, then trades at t0 + 1 at prices 2..5 with amounts
	// 2·e^{−0.1·d}, buffer (sampling_length) 1.
	ti, err := strategy.NewTradingIntensityIndicator(1)
	if err != nil {
		t.Fatal(err)
	}
	const t0 = 1_000.0
	ti.Calculate(t0, 1, nil)
	if _, _, ready := ti.Value(); ready {
		t.Fatal("ready before any trade bucket")
	}
	var trades []strategy.IntensityTrade
	for d := 1.0; d <= 4; d++ {
		trades = append(trades, strategy.IntensityTrade{Time: t0 + 1, Price: 1 + d, Amount: 2 * math.Exp(-0.1*d)})
	}
	ti.Calculate(t0+1, 1, trades)
	alpha, kappa, ready := ti.Value()
	if !ready {
		t.Fatal("not ready with a full bucket buffer")
	}
	// Hummingbot's test asserts places=10.
	if math.Abs(alpha-want.Alpha) > 5e-11 || math.Abs(kappa-want.Kappa) > 5e-11 {
		t.Errorf("alpha, kappa = %.15g, %.15g; want %g, %g", alpha, kappa, want.Alpha, want.Kappa)
	}
}

func TestExponentialFitRecoversNoisyCurveFromAWarmStart(t *testing.T) {
	xs := []float64{0.5, 1, 1.5, 2, 3, 4}
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 5 * math.Exp(-0.7*x)
	}
	alpha, kappa, ok := strategy.FitExponentialLeastSquares(xs, ys, 1, 1)
	if !ok || math.Abs(alpha-5) > 1e-9 || math.Abs(kappa-0.7) > 1e-9 {
		t.Errorf("fit = %g, %g, %v; want 5, 0.7", alpha, kappa, ok)
	}
}

func TestInstantVolatilityVector(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["instant_volatility"]
	var want struct{ Value float64 }
	var computed struct {
		PureFloat64 float64 `json:"pure_float64"`
		Small       struct {
			Prices []float64 `json:"prices"`
			Value  float64   `json:"value_float64"`
		} `json:"small_example_not_from_tests"`
	}
	sharedtest.Decode(t, v.Expected, &want)
	sharedtest.Decode(t, v.Computed, &computed)
	modelClose(t, "small example", strategy.InstantVolatility(computed.Small.Prices), computed.Small.Value)

	// np.random.seed(3141592653); np.random.normal(100, 10, 10000), regenerated with numpy's legacy generator.
	rng := newNumpyLegacyRNG(3141592653)
	indicator, err := strategy.NewInstantVolatilityIndicator(10000)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if _, ready := indicator.Value(); ready {
			t.Fatalf("ready after %d of 10000 samples", i)
		}
		indicator.Add(100 + 10*rng.gauss())
	}
	got, ready := indicator.Value()
	if !ready {
		t.Fatal("not ready with a full buffer")
	}
	modelClose(t, "pure float64", got, computed.PureFloat64)
	if math.Abs(got-want.Value) > 5e-5 { // Hummingbot asserts places=4 against its float32 value
		t.Errorf("vol = %.12g, Hummingbot's test wants %.12g to 4 places", got, want.Value)
	}
	indicator.Add(100) // a ring buffer: the oldest sample leaves, the buffer stays full
	if _, ready := indicator.Value(); !ready {
		t.Error("not ready after the buffer wrapped")
	}
}

// numpyLegacyRNG is numpy's RandomState: MT19937 seeded by init_genrand, doubles from two 32-bit draws
// (53 bits), normals by the Marsaglia polar method with the second value cached. Test-only, to regenerate the
// Hummingbot test's samples.
type numpyLegacyRNG struct {
	mt       [624]uint32
	index    int
	hasGauss bool
	gaussVal float64
}

func newNumpyLegacyRNG(seed uint32) *numpyLegacyRNG {
	r := &numpyLegacyRNG{index: 624}
	r.mt[0] = seed
	for i := 1; i < 624; i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	return r
}

func (r *numpyLegacyRNG) uint32() uint32 {
	if r.index >= 624 {
		for i := 0; i < 624; i++ {
			y := (r.mt[i] & 0x80000000) | (r.mt[(i+1)%624] & 0x7fffffff)
			next := r.mt[(i+397)%624] ^ (y >> 1)
			if y&1 != 0 {
				next ^= 0x9908b0df
			}
			r.mt[i] = next
		}
		r.index = 0
	}
	y := r.mt[r.index]
	r.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

func (r *numpyLegacyRNG) double() float64 {
	a, b := r.uint32()>>5, r.uint32()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

func (r *numpyLegacyRNG) gauss() float64 {
	if r.hasGauss {
		r.hasGauss = false
		return r.gaussVal
	}
	for {
		x1, x2 := 2*r.double()-1, 2*r.double()-1
		r2 := x1*x1 + x2*x2
		if r2 < 1 && r2 != 0 {
			f := math.Sqrt(-2 * math.Log(r2) / r2)
			r.gaussVal, r.hasGauss = f*x1, true
			return f * x2
		}
	}
}
