package strategy

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// BenchmarkModelTick is one GLFT tick at a refresh (issue 6 target ≤ 10 µs): the model's quotes, the
// proposal with its guards, and the tolerance check that keeps the live orders.
func BenchmarkModelTick(b *testing.B) {
	p := modelTestParams(ModelGLFT, "")
	p.PMM.OrderLevels, p.LevelDistancesPct = 2, 50
	p.PMM.OrderRefreshTolerancePct = dec("0.001")
	m := modelTestMarket()
	first := ModelTick(p, PMMState{}, m, readyCal)
	state := first.State
	for i := range state.Orders {
		state.Orders[i].Acknowledged = true
	}
	m.Now = m.Now.Add(20 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		res := ModelTick(p, state, m, readyCal)
		if len(res.Actions.Cancels)+len(res.Actions.Places) != 0 {
			b.Fatalf("actions %+v: the benchmark wants the tolerance to keep the orders", res.Actions)
		}
	}
}

// BenchmarkGLFTRecalibration is one calibration step of hftbacktest's schedule on its window sizes (quant.md
// §2.4: 10 minutes of 100 ms steps would be 6,000; here 600 one-second steps and 70 depths): enter the step's
// deepest arrival, drop the oldest, refit A and k, recompute σ (issue 6 target ≤ 50 µs).
func BenchmarkGLFTRecalibration(b *testing.B) {
	p := CalibrationParams{TickInterval: time.Second, VolatilityBufferSize: 600, IntensityBufferSize: 600,
		IntensityLevels: 70, IntensityDepthStep: dec("0.5"), FixedSigma: math.NaN(), FixedA: math.NaN(), FixedK: math.NaN()}
	c, err := NewModelCalibrator(p, 0.01)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	mid := 60000.0
	now := modelNow
	step := func() {
		trades := make([]ModelTrade, 3)
		for i := range trades {
			side := market.Buy
			if rng.IntN(2) == 0 {
				side = market.Sell
			}
			depth := rng.ExpFloat64() * 5
			if side == market.Sell {
				depth = -depth
			}
			trades[i] = ModelTrade{Time: now, Price: mid + depth, Amount: 0.01, TakerSide: side}
		}
		mid += rng.NormFloat64() * 3
		now = now.Add(time.Second)
		c.Observe(now, mid, trades)
	}
	for range 700 {
		step()
	}
	if !c.Calibration().Ready {
		b.Fatalf("calibration not ready: %s", c.Calibration().Waiting)
	}
	b.ReportAllocs()
	for b.Loop() {
		step()
		if cal := c.Calibration(); !cal.Ready {
			b.Fatal(cal.Waiting)
		}
	}
}
