package strategy

import (
	"fmt"
	"math"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// ModelTrade is one public trade seen between two ticks, for the intensity estimators.
type ModelTrade struct {
	Time      time.Time
	Price     float64
	Amount    float64 // base units
	TakerSide market.Side
}

// Calibration is the estimators' answer at one tick: σ, A and k in the units of the model they feed, or not
// ready with what is still missing.
type Calibration struct {
	// Sigma is the absolute volatility of the mid: quote/√s (textbook, glft) or quote per tick (hummingbot).
	Sigma float64
	// A is the arrival rate at depth 0 per second (textbook, glft) or Hummingbot's α (a volume); K the decay
	// per quote of depth (Hummingbot's κ for the hummingbot variant).
	A, K  float64
	Ready bool
	// Waiting says what the estimators still need while not ready ("volatility 12/60 mids, …"), or why the
	// last fit failed.
	Waiting string
}

// ModelCalibrator keeps the live estimators of a model strategy: one Observe per tick, in tick order. It does no
// I/O and reads no clock, so a replay gives the same numbers every time. It is not safe for concurrent use.
type ModelCalibrator struct {
	p           CalibrationParams
	tickSeconds float64

	mids    []float64 // the volatility window, oldest first
	lastMid float64   // the mid of the previous tick: arrival depths are measured from it (quant.md §2.4)

	// hftbacktest's estimator: the deepest arrival of each step in a ring, and per fitted depth the number of
	// steps in the window whose deepest arrival went strictly beyond it, kept up to date as steps enter and leave.
	depths     []float64
	stepDepths []float64
	next       int
	steps      int
	counts     []float64
	xs, ys     []float64 // scratch of the fit
	fitA, fitK float64
	fitErr     error

	hbVol       *InstantVolatilityIndicator
	hbIntensity *TradingIntensityIndicator
}

// NewModelCalibrator returns the estimators for p; tick is the market's price tick, the default depth step.
func NewModelCalibrator(p CalibrationParams, tick float64) (*ModelCalibrator, error) {
	if p.TickInterval <= 0 || p.VolatilityBufferSize < 1 || p.IntensityBufferSize < 1 {
		return nil, fmt.Errorf("calibration needs a tick interval and buffer sizes ≥ 1 (got %s, %d, %d)",
			p.TickInterval, p.VolatilityBufferSize, p.IntensityBufferSize)
	}
	c := &ModelCalibrator{p: p, tickSeconds: p.TickInterval.Seconds()}
	if p.Hummingbot {
		c.hbVol, _ = NewInstantVolatilityIndicator(p.VolatilityBufferSize)
		c.hbIntensity, _ = NewTradingIntensityIndicator(p.IntensityBufferSize)
		return c, nil
	}
	step := p.IntensityDepthStep.InexactFloat64()
	if step <= 0 {
		step = tick
	}
	if !(step > 0) || p.IntensityLevels < 2 {
		return nil, fmt.Errorf("intensity calibration needs a depth step > 0 and ≥ 2 levels (got %g, %d)", step, p.IntensityLevels)
	}
	c.mids = make([]float64, 0, p.VolatilityBufferSize)
	c.depths = make([]float64, p.IntensityLevels)
	for i := range c.depths {
		c.depths[i] = (float64(i) + 0.5) * step
	}
	c.counts = make([]float64, p.IntensityLevels)
	c.xs, c.ys = make([]float64, 0, p.IntensityLevels), make([]float64, 0, p.IntensityLevels)
	c.stepDepths = make([]float64, p.IntensityBufferSize)
	c.fitErr = errNotFitted
	return c, nil
}

var errNotFitted = fmt.Errorf("no fit yet")

// Observe is one tick: the mid at now and the public trades since the previous tick.
func (c *ModelCalibrator) Observe(now time.Time, mid float64, trades []ModelTrade) {
	if c.p.Hummingbot {
		c.hbVol.Add(mid)
		hbTrades := make([]IntensityTrade, len(trades))
		for i, t := range trades {
			hbTrades[i] = IntensityTrade{Time: unixSeconds(t.Time), Price: t.Price, Amount: t.Amount}
		}
		c.hbIntensity.Calculate(unixSeconds(now), mid, hbTrades)
		return
	}
	if len(c.mids) == c.p.VolatilityBufferSize {
		copy(c.mids, c.mids[1:])
		c.mids = c.mids[:len(c.mids)-1]
	}
	c.mids = append(c.mids, mid)
	if c.lastMid > 0 {
		c.addStep(c.maxArrivalDepth(trades))
	}
	c.lastMid = mid
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// maxArrivalDepth is the deepest a trade of this step went from the previous tick's mid: price − mid for a
// buyer-initiated trade, mid − price for a seller-initiated one (quant.md §2.4); −1 for a step without trades.
func (c *ModelCalibrator) maxArrivalDepth(trades []ModelTrade) float64 {
	deepest := -1.0
	for _, t := range trades {
		depth := t.Price - c.lastMid
		if t.TakerSide == market.Sell {
			depth = -depth
		}
		deepest = math.Max(deepest, depth)
	}
	return deepest
}

// addStep enters one step's deepest arrival into the window, drops the oldest when it is full, and refits once
// the window is full.
func (c *ModelCalibrator) addStep(deepest float64) {
	if c.steps == len(c.stepDepths) {
		c.count(c.stepDepths[c.next], -1)
	} else {
		c.steps++
	}
	c.stepDepths[c.next] = deepest
	c.next = (c.next + 1) % len(c.stepDepths)
	c.count(deepest, +1)
	if c.steps == len(c.stepDepths) {
		c.refit()
	}
}

// count adds delta to every depth the arrival went strictly beyond (a quote is hit only if a trade went through
// it; equal price does not count). depths ascend, so the loop stops at the first depth not reached.
func (c *ModelCalibrator) count(arrival float64, delta float64) {
	for i, depth := range c.depths {
		if !(arrival > depth) {
			return
		}
		c.counts[i] += delta
	}
}

// refit is FitIntensity on the window's counts without allocating: λ(δ) = count/window, OLS of ln λ on δ over
// the depths with a non-zero count.
func (c *ModelCalibrator) refit() {
	window := float64(c.steps) * c.tickSeconds
	c.xs, c.ys = c.xs[:0], c.ys[:0]
	for i, n := range c.counts {
		if n > 0 {
			c.xs = append(c.xs, c.depths[i])
			c.ys = append(c.ys, math.Log(n/window))
		}
	}
	slope, intercept, err := olsLine(c.xs, c.ys)
	if err != nil {
		c.fitErr = err
		return
	}
	c.fitA, c.fitK, c.fitErr = math.Exp(intercept), -slope, nil
}

// Calibration returns the current estimates. Ready needs a full volatility window, a full intensity window
// and a fit with A > 0 and k > 0 (Hummingbot: both buffers full and α ≠ 0, §5.2); a fixed value (sigma,
// intensity_a, intensity_k) replaces its estimate and needs no data.
func (c *ModelCalibrator) Calibration() Calibration {
	cal, volReady, intensityReady, waiting := c.estimates()
	fixedSigma, fixedA, fixedK := !math.IsNaN(c.p.FixedSigma), !math.IsNaN(c.p.FixedA), !math.IsNaN(c.p.FixedK)
	if fixedSigma {
		cal.Sigma, volReady = c.p.FixedSigma, true
	}
	if fixedA {
		cal.A = c.p.FixedA
	}
	if fixedK {
		cal.K = c.p.FixedK
	}
	if fixedA && fixedK {
		intensityReady = true
	}
	cal.Ready = volReady && intensityReady
	if !cal.Ready {
		cal.Waiting = waiting
	}
	return cal
}

func (c *ModelCalibrator) estimates() (cal Calibration, volReady, intensityReady bool, waiting string) {
	if c.p.Hummingbot {
		vol, volReady := c.hbVol.Value()
		alpha, kappa, intensityReady := c.hbIntensity.Value()
		waiting = fmt.Sprintf("volatility %d/%d mids, intensity %d/%d buckets", len(c.hbVol.prices),
			c.hbVol.size, len(c.hbIntensity.buckets), c.hbIntensity.bufferSize)
		if volReady && len(c.hbIntensity.buckets) == c.hbIntensity.bufferSize && !intensityReady {
			waiting = "intensity fit: α is still 0 (no trades in the window)"
		}
		return Calibration{Sigma: vol, A: alpha, K: kappa}, volReady, intensityReady, waiting
	}
	cal = Calibration{A: c.fitA, K: c.fitK}
	if len(c.mids) >= 2 {
		cal.Sigma, _ = StepVolatility(c.mids, c.tickSeconds)
	}
	volReady = len(c.mids) == c.p.VolatilityBufferSize && len(c.mids) >= 2
	waiting = fmt.Sprintf("volatility %d/%d mids, intensity %d/%d steps", len(c.mids),
		max(c.p.VolatilityBufferSize, 2), c.steps, len(c.stepDepths))
	switch {
	case c.steps < len(c.stepDepths):
	case c.fitErr != nil:
		waiting = "intensity fit: " + c.fitErr.Error()
	case !(c.fitA > 0 && c.fitK > 0) || math.IsInf(c.fitA, 0):
		waiting = fmt.Sprintf("intensity fit: A = %g and k = %g must both be > 0", c.fitA, c.fitK)
	default:
		intensityReady = true
	}
	return cal, volReady, intensityReady, waiting
}
