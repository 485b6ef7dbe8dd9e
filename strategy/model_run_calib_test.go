package strategy

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
)

func newTestCalibrator(t *testing.T, mids, steps, levels int) *ModelCalibrator {
	t.Helper()
	p := CalibrationParams{TickInterval: time.Second, VolatilityBufferSize: mids, IntensityBufferSize: steps,
		IntensityLevels: levels, IntensityDepthStep: dec("1"), FixedSigma: math.NaN(), FixedA: math.NaN(), FixedK: math.NaN()}
	c, err := NewModelCalibrator(p, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ticks are event-driven: a Brownian mid with σ = 0.5 per √s observed at irregular intervals of 0.5 to 10 s
// (mean 5.25 s) must still give σ ≈ 0.5 per √s. Counting each observation as one tick_interval (1 s) would read
// σ·√5.25 ≈ 1.15 (review H2). With 4,000 increments the estimate's relative standard error is about
// √(1/(2·4000)) ≈ 1.1 %; the tolerance is 5 %.
func TestModelCalibratorVolatilityOnIrregularTicks(t *testing.T) {
	const sigma, n = 0.5, 4000
	rng := rand.New(rand.NewPCG(6, 2))
	c := newTestCalibrator(t, n+1, 10, 4)
	now, mid := modelNow, 100.0
	for range n + 1 {
		c.Observe(now, mid, nil)
		dt := 0.5 + 9.5*rng.Float64()
		now = now.Add(time.Duration(dt * float64(time.Second)))
		mid += sigma * math.Sqrt(dt) * rng.NormFloat64()
	}
	got := c.Calibration().Sigma
	if math.Abs(got-sigma)/sigma > 0.05 {
		t.Errorf("σ = %g on irregular ticks, want %g within 5 %%", got, sigma)
	}
}

// On a regular grid the timed estimator is hftbacktest's StepVolatility (quant.md §2.4); on irregular ticks it is
// σ² = Σ(Δm − μΔt)²/ΣΔt with μ = (m_n − m_0)/(t_n − t_0), computed here by hand.
func TestTimedVolatilityFormula(t *testing.T) {
	mids := []float64{100, 101, 100, 102}
	regular := []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}
	step, _ := StepVolatility(mids, 1)
	if got, err := TimedVolatility(mids, regular); err != nil || math.Abs(got-step) > 1e-12 {
		t.Errorf("regular ticks: σ = %g (%v), want StepVolatility's %g", got, err, step)
	}
	// Δt = 1, 3, 2 s (span 6 s), Δm = +1, −1, +2, μ = 2/6: residuals 1 − 1/3, −1 − 1, 2 − 2/3.
	irregular := []time.Duration{0, time.Second, 4 * time.Second, 6 * time.Second}
	want := math.Sqrt((math.Pow(2.0/3, 2) + 4 + math.Pow(4.0/3, 2)) / 6)
	if got, err := TimedVolatility(mids, irregular); err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("irregular ticks: σ = %g (%v), want %g", got, err, want)
	}
}

// The intensity window is a grid of tick_interval steps in elapsed time (hftbacktest's fixed decision interval):
// a tick that comes late covers several steps, and each trade counts in the step of its timestamp. The same
// trades seen by ticks 1, 3, 2 and 7 s apart (or 5 s apart) give exactly the counts, A and k of one tick per
// second; counting one step per tick would have divided by 4 (or 5) steps' time a count of at most 4 (review H2).
func TestModelCalibratorIntensityOnIrregularTicks(t *testing.T) {
	// Second i's deepest trade, from a constant mid of 100 (so every tick measures depths from the same mid).
	arrivals := []float64{3.2, -1, 0.6, 2.1, -1, -1, 4.1, 1.7, -1, 0.2, 2.6, -1, 3.3}
	tradesIn := func(from, to int) []ModelTrade { // trades of seconds from..to−1, half a second into each
		var out []ModelTrade
		for i := from; i < to; i++ {
			if arrivals[i] > 0 {
				out = append(out, ModelTrade{Time: modelNow.Add(time.Duration(i)*time.Second + 500*time.Millisecond),
					Price: 100 + arrivals[i], TakerSide: market.Buy})
			}
		}
		return out
	}
	run := func(ticks []int) Calibration {
		c := newTestCalibrator(t, 2, len(arrivals), 4)
		prev := ticks[0]
		c.Observe(modelNow.Add(time.Duration(prev)*time.Second), 100, nil)
		for _, tick := range ticks[1:] {
			c.Observe(modelNow.Add(time.Duration(tick)*time.Second), 100, tradesIn(prev, tick))
			prev = tick
		}
		return c.Calibration()
	}
	everySecond := run([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	// 13 one-second steps; counts strictly beyond 0.5, 1.5, 2.5, 3.5: 7 (all but 0.2), 6, 4 (3.2, 4.1, 2.6, 3.3), 1.
	fit, err := FitIntensity([]float64{0.5, 1.5, 2.5, 3.5}, []float64{7, 6, 4, 1}, 13)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(everySecond.A-fit.A) > 1e-12 || math.Abs(everySecond.K-fit.K) > 1e-12 {
		t.Fatalf("every second: A %g k %g, want %g %g", everySecond.A, everySecond.K, fit.A, fit.K)
	}
	for _, ticks := range [][]int{{0, 1, 4, 6, 13}, {0, 5, 10, 13}} {
		got := run(ticks)
		if math.Abs(got.A-fit.A) > 1e-12 || math.Abs(got.K-fit.K) > 1e-12 {
			t.Errorf("ticks at %v s: A %g k %g, want the one-second grid's %g %g", ticks, got.A, got.K, fit.A, fit.K)
		}
	}
}

// A pause the calibrator does not see (no Observe for 900 s, its trades delivered at the next tick) is entered
// as 900 grid steps, each trade in its own: A and k are those of watching every second, not of one step that
// spans the pause (review H3; σ over a gap is TimedVolatility's, tested above).
func TestModelCalibratorGapIsElapsedTime(t *testing.T) {
	const steps = 1200
	rng := rand.New(rand.NewPCG(3, 9))
	type second struct {
		mid   float64
		trade *ModelTrade
	}
	var path []second
	mid := 100.0
	for i := range steps + 1 {
		s := second{mid: mid}
		if rng.IntN(3) == 0 {
			depth := rng.ExpFloat64() * 2
			s.trade = &ModelTrade{Time: modelNow.Add(time.Duration(i)*time.Second + 300*time.Millisecond),
				Price: 100 + depth, TakerSide: market.Buy}
		}
		path = append(path, s)
	}
	watch := func(skip func(i int) bool) Calibration {
		c := newTestCalibrator(t, 2, steps, 6)
		var pending []ModelTrade
		for i, s := range path {
			if skip(i) {
				if s.trade != nil {
					pending = append(pending, *s.trade)
				}
				continue
			}
			c.Observe(modelNow.Add(time.Duration(i)*time.Second), s.mid, pending)
			pending = pending[:0]
			if s.trade != nil {
				pending = append(pending, *s.trade)
			}
		}
		return c.Calibration()
	}
	all := watch(func(int) bool { return false })
	paused := watch(func(i int) bool { return i >= 200 && i < 1100 })
	if !all.Ready || math.Abs(paused.A-all.A) > 1e-9 || math.Abs(paused.K-all.K) > 1e-9 {
		t.Errorf("after a 900 s gap: A %g k %g, want those of watching every second: A %g k %g (%+v)", paused.A, paused.K, all.A, all.K, all)
	}
}

// The hummingbot variant's calibrator is Hummingbot's pair of indicators (hummingbot.md §5.4–5.5): σ =
// sqrt(Σ(p_k − p_{k−1})²/N) over the last N mids, N the number of mids; (α, κ) fitted to the volume at each
// distance from the mid quoted before the trade. Mids 100, 101, 103, 102: σ = sqrt((1 + 4 + 1)/4). Trades half a
// second after the first tick at 100 + d with amounts 2e^{−0.1d}, d = 1..4: α = 2, κ = 0.1 (the hummingbot.json
// trading_intensity vector's data).
func TestModelCalibratorHummingbotEstimators(t *testing.T) {
	p := CalibrationParams{Hummingbot: true, TickInterval: time.Second, VolatilityBufferSize: 4, IntensityBufferSize: 1,
		FixedSigma: math.NaN(), FixedA: math.NaN(), FixedK: math.NaN()}
	c, err := NewModelCalibrator(p, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	var trades []ModelTrade
	for d := 1.0; d <= 4; d++ {
		trades = append(trades, ModelTrade{Time: modelNow.Add(500 * time.Millisecond), Price: 100 + d,
			Amount: 2 * math.Exp(-0.1*d), TakerSide: market.Buy})
	}
	for i, mid := range []float64{100, 101, 103, 102} {
		var tr []ModelTrade
		if i == 1 {
			tr = trades
		}
		if i == 3 && c.Calibration().Ready {
			t.Fatal("ready with 3 of 4 mids")
		}
		c.Observe(modelNow.Add(time.Duration(i)*time.Second), mid, tr)
	}
	cal := c.Calibration()
	if !cal.Ready || math.Abs(cal.Sigma-math.Sqrt(1.5)) > 1e-12 || math.Abs(cal.A-2) > 1e-6 || math.Abs(cal.K-0.1) > 1e-6 {
		t.Errorf("calibration %+v, want ready with σ = √1.5, α = 2, κ = 0.1", cal)
	}
}

// Hummingbot's levels are spaced by level_distances percent of δ/2, the optimal half-spread before its
// min_spread clamp (hummingbot.md §5.3), and quotes exist only when both optimal prices are > 0 (§5.2 step 4.2).
// σ = 2, κ = 0.8, γ = 0.8, τ = 1: δ = 1.6 + 2.5·ln 2; min_spread 10 % of the mid 100 widens level 0 to 95/105.
func TestModelHummingbotLevelsAndPositivePrices(t *testing.T) {
	p := modelTestParams(ModelAvellaneda, VariantHummingbot)
	p.Gamma, p.MinSpreadPct, p.LevelDistancesPct, p.PMM.OrderLevels, p.MaxInventory = 0.8, 10, 100, 2, dec("0")
	m := modelTestMarket()
	m.Balances = Balances{BaseTotal: dec("1"), BaseAvailable: dec("1"), QuoteTotal: dec("100"), QuoteAvailable: dec("100")} // q = 0
	res := ModelTick(p, PMMState{}, m, readyCal)
	buys, sells := sides(res.Actions.Places)
	half := (0.8*2 + 2/0.8*math.Log(1+0.8/0.8)) / 2
	if len(buys) != 2 || len(sells) != 2 || !buys[0].Price.Equal(dec("95")) || !sells[0].Price.Equal(dec("105")) ||
		!buys[1].Price.Equal(floorTick(95-half)) || !sells[1].Price.Equal(ceilTick(105+half)) {
		t.Errorf("bids %+v asks %+v: want 95 and %s, 105 and %s", buys, sells, floorTick(95-half), ceilTick(105+half))
	}
	m.Mid = dec("0.5") // min_spread 250 % of the mid would put the bid below 0
	p.MinSpreadPct = 250
	res = ModelTick(p, PMMState{}, m, readyCal)
	if res.Status.Code != ModelWarmingUp || !strings.Contains(res.Status.Detail, "must both be > 0") || len(res.Actions.Places) != 0 {
		t.Errorf("status %+v places %d: want not ready, no quotes", res.Status, len(res.Actions.Places))
	}
}

// A trade without an aggressor side is classified by its price against the previous mid (review L7): 97.5 under
// a mid of 100 is a sell 2.5 deep, not a buy at −2.5 that reaches no depth.
func TestModelCalibratorTradeWithoutAggressorSide(t *testing.T) {
	c := newTestCalibrator(t, 2, 1, 4)
	c.Observe(modelNow, 100, nil)
	c.Observe(modelNow.Add(time.Second), 100, []ModelTrade{{Time: modelNow.Add(time.Second / 2), Price: 97.5}})
	// One step of 1 s whose deepest arrival is 2.5: beyond 0.5 and 1.5 (2.5 is not strictly beyond 2.5).
	if got := c.counts; got[0] != 1 || got[1] != 1 || got[2] != 0 {
		t.Errorf("counts %v, want [1 1 0 0]", got)
	}
}

// --explain's half_spread is that of the quotes placed, transaction costs included (review L4), and with
// add_transaction_costs each level's price carries the fee after the level offset, as Hummingbot applies its
// price modifiers to the levels it has built (hummingbot.md §5.2 step 4.2): level 1's bid is
// (bid − half)·(1 − fee), its ask (ask + half)·(1 + fee), with half = c1 + (Δ/2)σc2 (quant.md §2.3).
func TestModelTransactionCostsAfterLevels(t *testing.T) {
	const s, q, gamma, sigma, A, k, delta, fee = 100.0, 0.2, 0.1, 2.0, 1.5, 0.8, 0.1, 0.01
	xd := gamma * delta
	c1 := math.Log(1+xd/k) / xd
	c2 := math.Sqrt(gamma / (2 * A * delta * k) * math.Pow(1+xd/k, k/xd+1))
	half := c1 + delta/2*sigma*c2
	bid, ask := s-(half+sigma*c2*q), s+(half-sigma*c2*q)
	p := modelTestParams(ModelGLFT, "")
	p.PMM.OrderLevels, p.LevelDistancesPct, p.PMM.AddTransactionCosts = 2, 100, true
	m := modelTestMarket()
	m.Rules.MakerFee = dec("0.01")
	res := ModelTick(p, PMMState{}, m, readyCal)
	if want := (ask*(1+fee) - bid*(1-fee)) / 2; math.Abs(res.Quote.HalfSpread-want) > 1e-9 {
		t.Errorf("half_spread %.10g, want %.10g (costs included)", res.Quote.HalfSpread, want)
	}
	buys, sells := sides(res.Actions.Places)
	if len(buys) != 2 || len(sells) != 2 || !buys[0].Price.Equal(floorTick(bid*(1-fee))) ||
		!buys[1].Price.Equal(floorTick((bid-half)*(1-fee))) || !sells[1].Price.Equal(ceilTick((ask+half)*(1+fee))) {
		t.Errorf("bids %+v asks %+v: want %s, %s and level-1 ask %s", buys, sells, floorTick(bid*(1-fee)),
			floorTick((bid-half)*(1-fee)), ceilTick((ask+half)*(1+fee)))
	}
}
