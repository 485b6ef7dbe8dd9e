package strategy

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Fill-intensity calibration λ(δ) = A·e^{−kδ}: hftbacktest's log-linear fit (quant.md §2.4, vectors CAL-*) and
// Hummingbot's TradingIntensityIndicator (hummingbot.md §5.5, quant.md §3.2). Pure float64.

// IntensityFit is a calibrated exponential fill intensity.
type IntensityFit struct {
	A            float64   // e^{intercept}: rate at depth 0, per second
	K            float64   // −slope: decay per price unit of depth
	LambdaPerSec []float64 // count/window at each given depth
	LevelsUsed   int       // depths with a non-zero count (the others cannot be logged)
}

// FitIntensity fits ln λ(δ) = ln A − kδ by ordinary least squares, where λ(δ) = count/window is the rate of
// decision steps in which a trade went strictly deeper than δ (quant.md §2.4). Levels with a zero count are
// dropped before taking logs; at least two distinct depths must remain. hftbacktest fits only the first 70
// levels: pass only the levels to fit.
func FitIntensity(depths, counts []float64, windowSeconds float64) (IntensityFit, error) {
	if len(depths) != len(counts) {
		return IntensityFit{}, fmt.Errorf("depths and counts differ in length (%d, %d)", len(depths), len(counts))
	}
	if err := positiveParam("window-seconds", windowSeconds); err != nil {
		return IntensityFit{}, err
	}
	fit := IntensityFit{LambdaPerSec: make([]float64, len(depths))}
	var xs, ys []float64
	for i, depth := range depths {
		if err := firstError(nonNegativeParam("depth", depth), nonNegativeParam("count", counts[i])); err != nil {
			return IntensityFit{}, fmt.Errorf("level %d: %w", i, err)
		}
		fit.LambdaPerSec[i] = counts[i] / windowSeconds
		if counts[i] > 0 {
			xs = append(xs, depth)
			ys = append(ys, math.Log(fit.LambdaPerSec[i]))
		}
	}
	slope, intercept, err := olsLine(xs, ys)
	if err != nil {
		return IntensityFit{}, err
	}
	fit.A, fit.K, fit.LevelsUsed = math.Exp(intercept), -slope, len(xs)
	return fit, nil
}

// olsLine fits y = slope·x + intercept by ordinary least squares.
func olsLine(xs, ys []float64) (slope, intercept float64, err error) {
	n := float64(len(xs))
	if len(xs) < 2 {
		return 0, 0, fmt.Errorf("intensity fit needs at least 2 levels with a non-zero count (got %d)", len(xs))
	}
	var meanX, meanY float64
	for i := range xs {
		meanX += xs[i]
		meanY += ys[i]
	}
	meanX, meanY = meanX/n, meanY/n
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - meanX) * (xs[i] - meanX)
		sxy += (xs[i] - meanX) * (ys[i] - meanY)
	}
	if sxx == 0 {
		return 0, 0, errors.New("intensity fit needs at least 2 distinct depths")
	}
	slope = sxy / sxx
	return slope, meanY - slope*meanX, nil
}

// CountArrivalsBeyond counts, for each quote depth, the decision steps whose maximum arrival depth was strictly
// deeper (hftbacktest's "a quote was hit if any trade went through it"; equal depth does not count, queue
// position is ignored; quant.md §2.4). maxDepthPerStep holds one entry per step, in true ticks; steps without
// a trade carry a negative or NaN depth.
func CountArrivalsBeyond(maxDepthPerStep, depths []float64) []float64 {
	counts := make([]float64, len(depths))
	for _, arrival := range maxDepthPerStep {
		for i, depth := range depths {
			if arrival > depth {
				counts[i]++
			}
		}
	}
	return counts
}

// StepVolatility is hftbacktest's σ (quant.md §2.4): the population standard deviation (ddof 0) of per-step mid
// changes, scaled to per √second by √(1/stepSeconds).
func StepVolatility(mids []float64, stepSeconds float64) (float64, error) {
	if err := positiveParam("step-seconds", stepSeconds); err != nil {
		return 0, err
	}
	if len(mids) < 2 {
		return 0, fmt.Errorf("step volatility needs at least 2 mids (got %d)", len(mids))
	}
	n := float64(len(mids) - 1)
	mean := (mids[len(mids)-1] - mids[0]) / n
	sum := 0.0
	for i := 1; i < len(mids); i++ {
		d := mids[i] - mids[i-1] - mean
		sum += d * d
	}
	return math.Sqrt(sum/n) * math.Sqrt(1/stepSeconds), nil
}

// IntensityTrade is one public trade seen by the TradingIntensityIndicator.
type IntensityTrade struct {
	Time   float64 // seconds
	Price  float64
	Amount float64 // base units
}

type intensityQuote struct{ time, price float64 }

type intensityBucket struct {
	key     float64 // quote time + 1, as Hummingbot keys it
	samples map[float64]float64
}

// TradingIntensityIndicator reproduces Hummingbot's TradingIntensityIndicator (hummingbot.md §5.5): each trade is
// assigned to the newest mid quoted strictly before it; price_level = |trade − mid|; amounts are summed per
// level over the newest bufferSize buckets and amount(δ) = α·e^{−κδ} is fitted by least squares, α, κ ≥ 0. Its
// κ fits a volume density, not the AS/GLFT k (quant.md §3.2).
type TradingIntensityIndicator struct {
	bufferSize   int
	quotes       []intensityQuote // newest first
	buckets      []intensityBucket
	alpha, kappa float64
}

// NewTradingIntensityIndicator keeps bufferSize buckets (trading_intensity_buffer_size, 1..10000).
func NewTradingIntensityIndicator(bufferSize int) (*TradingIntensityIndicator, error) {
	if bufferSize < 1 {
		return nil, fmt.Errorf("trading intensity buffer size must be ≥ 1 (got %d)", bufferSize)
	}
	return &TradingIntensityIndicator{bufferSize: bufferSize}, nil
}

// Calculate is one strategy tick: it records the mid at now, assigns the trades received since the previous
// call, keeps the newest buckets and, once there are bufferSize of them, refits (α, κ). A failed fit keeps the
// previous values, as Hummingbot does.
func (ti *TradingIntensityIndicator) Calculate(now, mid float64, trades []IntensityTrade) {
	ti.quotes = append([]intensityQuote{{time: now, price: mid}}, ti.quotes...)
	for _, trade := range trades {
		for _, quote := range ti.quotes {
			if quote.time < trade.Time {
				ti.bucket(quote.time + 1).samples[math.Abs(trade.Price-quote.price)] += trade.Amount
				break
			}
		}
	}
	// A quote older than the kept buckets can only feed a bucket that is dropped at once.
	if len(ti.quotes) > ti.bufferSize+1 {
		ti.quotes = ti.quotes[:ti.bufferSize+1]
	}
	if len(ti.buckets) > ti.bufferSize {
		ti.buckets = ti.buckets[len(ti.buckets)-ti.bufferSize:]
	}
	if len(ti.buckets) == ti.bufferSize {
		ti.estimate()
	}
}

func (ti *TradingIntensityIndicator) bucket(key float64) intensityBucket {
	for _, b := range ti.buckets {
		if b.key == key {
			return b
		}
	}
	b := intensityBucket{key: key, samples: map[float64]float64{}}
	ti.buckets = append(ti.buckets, b)
	sort.Slice(ti.buckets, func(i, j int) bool { return ti.buckets[i].key < ti.buckets[j].key })
	return b
}

// Value returns the latest (α, κ) and whether the bucket buffer is full, Hummingbot's readiness condition.
func (ti *TradingIntensityIndicator) Value() (alpha, kappa float64, ready bool) {
	return ti.alpha, ti.kappa, len(ti.buckets) == ti.bufferSize && ti.alpha != 0
}

func (ti *TradingIntensityIndicator) estimate() {
	volumes := map[float64]float64{}
	for _, b := range ti.buckets {
		for level, amount := range b.samples {
			volumes[level] += amount
		}
	}
	levels := make([]float64, 0, len(volumes))
	for level := range volumes {
		levels = append(levels, level)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(levels)))
	amounts := make([]float64, len(levels))
	for i, level := range levels {
		amounts[i] = volumes[level]
		if amounts[i] == 0 {
			amounts[i] = 1e-10 // Hummingbot's replacement for empty levels
		}
	}
	if alpha, kappa, ok := FitExponentialLeastSquares(levels, amounts, ti.alpha, ti.kappa); ok {
		ti.alpha, ti.kappa = alpha, kappa
	}
}

// FitExponentialLeastSquares fits y = α·e^{−κx}, α, κ ≥ 0, by Levenberg–Marquardt on the unweighted residuals,
// the objective of Hummingbot's scipy curve_fit (hummingbot.md §5.5). It starts from (alpha0, kappa0) when both
// are positive, else from the log-linear fit (scipy's dogbox copes with Hummingbot's (0, 0) start; plain LM
// does not, because ∂/∂κ vanishes at α = 0). ok is false when the data cannot be fitted.
func FitExponentialLeastSquares(xs, ys []float64, alpha0, kappa0 float64) (alpha, kappa float64, ok bool) {
	if len(xs) < 2 || len(xs) != len(ys) {
		return 0, 0, false
	}
	alpha, kappa = alpha0, kappa0
	if !(alpha > 0 && kappa > 0) {
		logs := make([]float64, len(ys))
		for i, y := range ys {
			logs[i] = math.Log(math.Max(y, 1e-10))
		}
		slope, intercept, err := olsLine(xs, logs)
		if err != nil {
			return 0, 0, false
		}
		alpha, kappa = math.Exp(intercept), math.Max(-slope, 0)
	}
	cost := exponentialCost(xs, ys, alpha, kappa)
	damping := 1e-3
	for iter := 0; iter < 500 && cost > 0; iter++ {
		// Normal equations JᵀJ·step = −Jᵀr for r_i = αe^{−κx_i} − y_i.
		var jaa, jak, jkk, ga, gk float64
		for i, x := range xs {
			e := math.Exp(-kappa * x)
			r := alpha*e - ys[i]
			da, dk := e, -alpha*x*e
			jaa, jak, jkk = jaa+da*da, jak+da*dk, jkk+dk*dk
			ga, gk = ga+da*r, gk+dk*r
		}
		a11, a22 := jaa*(1+damping), jkk*(1+damping)
		det := a11*a22 - jak*jak
		if det == 0 || math.IsNaN(det) {
			break
		}
		stepA := (-ga*a22 + gk*jak) / det
		stepK := (-gk*a11 + ga*jak) / det
		nextA, nextK := math.Max(alpha+stepA, 0), math.Max(kappa+stepK, 0)
		nextCost := exponentialCost(xs, ys, nextA, nextK)
		if nextCost < cost {
			converged := math.Abs(nextA-alpha) <= 1e-15*math.Max(alpha, 1) && math.Abs(nextK-kappa) <= 1e-15*math.Max(kappa, 1)
			alpha, kappa, cost = nextA, nextK, nextCost
			damping /= 10
			if converged {
				break
			}
		} else {
			damping *= 10
			if damping > 1e12 {
				break
			}
		}
	}
	if math.IsNaN(alpha) || math.IsNaN(kappa) || math.IsInf(alpha, 0) || math.IsInf(kappa, 0) {
		return 0, 0, false
	}
	return alpha, kappa, true
}

func exponentialCost(xs, ys []float64, alpha, kappa float64) float64 {
	cost := 0.0
	for i, x := range xs {
		r := alpha*math.Exp(-kappa*x) - ys[i]
		cost += r * r
	}
	return cost
}
