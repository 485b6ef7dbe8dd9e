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

// ModelCalibrator keeps the live estimators of a model strategy: one Observe per tick, in tick order. Ticks are
// event-driven, so they are not exactly tick_interval apart and a quiet or paused market leaves gaps: every
// estimate is on the observations' own timestamps (review H2). It does no I/O and reads no clock, so a replay
// gives the same numbers every time. It is not safe for concurrent use.
type ModelCalibrator struct {
	p    CalibrationParams
	tick time.Duration // the intensity grid: one step per tick_interval of elapsed time

	mids     []float64       // the volatility window, oldest first
	midTimes []time.Duration // the time of each mid since origin
	origin   time.Time       // the first observation
	lastMid  float64         // the mid of the previous tick: arrival depths are measured from it (quant.md §2.4)
	lastTime time.Time

	// hftbacktest's estimator on a fixed grid of tick_interval steps: the deepest arrival of each step in a ring
	// with the step's duration, and per fitted depth the number of steps in the window whose deepest arrival went
	// strictly beyond it, kept up to date as steps enter and leave.
	depths     []float64
	stepDepths []float64
	stepDurs   []time.Duration
	window     time.Duration // the sum of stepDurs over the window: λ(δ) = count/window
	next       int
	steps      int
	counts     []float64
	subDepths  []float64 // scratch: the deepest arrival of each grid step of one Observe
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
	c := &ModelCalibrator{p: p, tick: p.TickInterval}
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
	c.midTimes = make([]time.Duration, 0, p.VolatilityBufferSize)
	c.depths = make([]float64, p.IntensityLevels)
	for i := range c.depths {
		c.depths[i] = (float64(i) + 0.5) * step
	}
	c.counts = make([]float64, p.IntensityLevels)
	c.xs, c.ys = make([]float64, 0, p.IntensityLevels), make([]float64, 0, p.IntensityLevels)
	c.stepDepths = make([]float64, p.IntensityBufferSize)
	c.stepDurs = make([]time.Duration, p.IntensityBufferSize)
	c.fitErr = errNotFitted
	return c, nil
}

var errNotFitted = fmt.Errorf("no fit yet")

// Observe is one tick: the mid at now and the public trades since the previous tick. A tick at or before the
// previous one only replaces the previous mid (no time has passed, so there is no step).
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
	if c.lastMid > 0 && !now.After(c.lastTime) {
		c.mids[len(c.mids)-1] = mid
		return
	}
	if c.origin.IsZero() {
		c.origin = now
	}
	if len(c.mids) == c.p.VolatilityBufferSize {
		copy(c.mids, c.mids[1:])
		copy(c.midTimes, c.midTimes[1:])
		c.mids, c.midTimes = c.mids[:len(c.mids)-1], c.midTimes[:len(c.midTimes)-1]
	}
	c.mids, c.midTimes = append(c.mids, mid), append(c.midTimes, now.Sub(c.origin))
	if c.lastMid > 0 {
		c.addSteps(now.Sub(c.lastTime), trades)
	}
	c.lastMid, c.lastTime = mid, now
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// addSteps enters the time since the previous tick as steps of the tick_interval grid (hftbacktest's fixed
// decision interval, quant.md §2.4): a tick that comes late, or after a pause, covers several steps; each trade
// goes to the step of its timestamp, and the steps without one count as steps without an arrival. The steps
// share the elapsed time exactly, so the window's length is the real time it covers.
func (c *ModelCalibrator) addSteps(elapsed time.Duration, trades []ModelTrade) {
	n := max(int64(1), int64((elapsed+c.tick/2)/c.tick)) // the nearest whole number of grid steps
	keep := int64(len(c.stepDepths))
	if n >= keep { // the steps of this gap replace the whole window
		clear(c.counts)
		c.steps, c.next, c.window = 0, 0, 0
	}
	first := max(n-keep, 0) // the steps before it would leave the window at once
	if n == 1 {
		c.addStep(c.maxArrivalDepth(trades), elapsed)
	} else {
		c.subDepths = c.subDepths[:0]
		for range n - first {
			c.subDepths = append(c.subDepths, -1)
		}
		for _, t := range trades {
			i := int64(0)
			if since := t.Time.Sub(c.lastTime); since > 0 {
				i = min(int64(float64(since)/float64(elapsed)*float64(n)), n-1)
			}
			if i >= first {
				c.subDepths[i-first] = math.Max(c.subDepths[i-first], c.arrivalDepth(t))
			}
		}
		stepDur := elapsed / time.Duration(n)
		for i, deepest := range c.subDepths {
			dur := stepDur
			if int64(i) == n-first-1 {
				dur = elapsed - stepDur*time.Duration(n-1) // the remainder of the division, so the sum is exact
			}
			c.addStep(deepest, dur)
		}
	}
	if c.steps == len(c.stepDepths) {
		c.refit()
	}
}

// maxArrivalDepth is the deepest a trade of this step went from the previous tick's mid (quant.md §2.4); −1 for
// a step without trades.
func (c *ModelCalibrator) maxArrivalDepth(trades []ModelTrade) float64 {
	deepest := -1.0
	for _, t := range trades {
		deepest = math.Max(deepest, c.arrivalDepth(t))
	}
	return deepest
}

// arrivalDepth is price − mid for a buyer-initiated trade, mid − price for a seller-initiated one, from the
// previous tick's mid. A trade without an aggressor side is classified by its price against that mid (the quote
// rule): above it a buy, below it a sell, so its depth is |price − mid| rather than a sell read as a buy at a
// negative depth (review L7).
func (c *ModelCalibrator) arrivalDepth(t ModelTrade) float64 {
	depth := t.Price - c.lastMid
	switch t.TakerSide {
	case market.Sell:
		depth = -depth
	case market.Buy:
	default:
		depth = math.Abs(depth)
	}
	return depth
}

// addStep enters one step's deepest arrival and its duration into the window and drops the oldest when it is
// full.
func (c *ModelCalibrator) addStep(deepest float64, dur time.Duration) {
	if c.steps == len(c.stepDepths) {
		c.count(c.stepDepths[c.next], -1)
		c.window -= c.stepDurs[c.next]
	} else {
		c.steps++
	}
	c.stepDepths[c.next], c.stepDurs[c.next] = deepest, dur
	c.window += dur
	c.next = (c.next + 1) % len(c.stepDepths)
	c.count(deepest, +1)
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

// refit is FitIntensity on the window's counts without allocating: λ(δ) = count/window, the window in elapsed
// seconds, OLS of ln λ on δ over the depths with a non-zero count.
func (c *ModelCalibrator) refit() {
	window := c.window.Seconds()
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

// TimedVolatility is σ per √second from mids at their own times: σ² = Σ(Δm_i − μΔt_i)²/ΣΔt_i with the drift
// μ = (m_n − m_0)/(t_n − t_0). On a regular grid it is StepVolatility, hftbacktest's demeaned per-step standard
// deviation × √(1/step) (quant.md §2.4); with irregular ticks a long step weighs its own length instead of
// counting as one tick_interval, so a gap does not inflate σ by √gap.
func TimedVolatility(mids []float64, times []time.Duration) (float64, error) {
	if len(mids) != len(times) || len(mids) < 2 {
		return 0, fmt.Errorf("timed volatility needs at least 2 mids with their times (got %d, %d)", len(mids), len(times))
	}
	span := (times[len(times)-1] - times[0]).Seconds()
	if !(span > 0) {
		return 0, fmt.Errorf("timed volatility needs mids at different times")
	}
	drift := (mids[len(mids)-1] - mids[0]) / span
	sum := 0.0
	for i := 1; i < len(mids); i++ {
		d := mids[i] - mids[i-1] - drift*(times[i]-times[i-1]).Seconds()
		sum += d * d
	}
	return math.Sqrt(sum / span), nil
}

// Calibration returns the current estimates. Ready needs a full volatility window, a full intensity window
// and a fit with A > 0 and k > 0 (Hummingbot: both buffers full and α ≠ 0, §5.2); a fixed value (sigma,
// intensity_a, intensity_k) replaces its estimate and needs no data.
func (c *ModelCalibrator) Calibration() Calibration {
	cal, volReady, intensityReady, fitProblem := c.estimates()
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
		// Built only while waiting: a ready calibrator is asked every tick.
		cal.Waiting = fitProblem
		if cal.Waiting == "" {
			cal.Waiting = c.progress()
		}
	}
	return cal
}

// progress says how full the estimators' windows are.
func (c *ModelCalibrator) progress() string {
	if c.p.Hummingbot {
		return fmt.Sprintf("volatility %d/%d mids, intensity %d/%d buckets", len(c.hbVol.prices), c.hbVol.size,
			len(c.hbIntensity.buckets), c.hbIntensity.bufferSize)
	}
	return fmt.Sprintf("volatility %d/%d mids, intensity %d/%d steps", len(c.mids),
		max(c.p.VolatilityBufferSize, 2), c.steps, len(c.stepDepths))
}

func (c *ModelCalibrator) estimates() (cal Calibration, volReady, intensityReady bool, fitProblem string) {
	if c.p.Hummingbot {
		vol, volReady := c.hbVol.Value()
		alpha, kappa, intensityReady := c.hbIntensity.Value()
		if volReady && len(c.hbIntensity.buckets) == c.hbIntensity.bufferSize && !intensityReady {
			fitProblem = "intensity fit: α is still 0 (no trades in the window)"
		}
		return Calibration{Sigma: vol, A: alpha, K: kappa}, volReady, intensityReady, fitProblem
	}
	cal = Calibration{A: c.fitA, K: c.fitK}
	if len(c.mids) >= 2 {
		cal.Sigma, _ = TimedVolatility(c.mids, c.midTimes)
	}
	volReady = len(c.mids) == c.p.VolatilityBufferSize && len(c.mids) >= 2
	switch {
	case c.steps < len(c.stepDepths):
	case c.fitErr != nil:
		fitProblem = "intensity fit: " + c.fitErr.Error()
	case !(c.fitA > 0 && c.fitK > 0) || math.IsInf(c.fitA, 0):
		fitProblem = fmt.Sprintf("intensity fit: A = %g and k = %g must both be > 0", c.fitA, c.fitK)
	default:
		intensityReady = true
	}
	return cal, volReady, intensityReady, fitProblem
}
