package strategy

import (
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// Volatility-aware sizing (issue 6 item 3, quant.md §5.4–5.5): bars of the mid on the run's clock, a realized
// volatility over the last Window of them, and an order-amount factor clamp(σ_target/σ̂, min, max). Float64 lives
// only inside the estimator; the factor leaves it once, as a decimal rounded to FactorDecimals, and amounts are
// floored to the step by the pipeline that applies it.

// VolEstimator names a realized-volatility estimator of strategy.sizing.
type VolEstimator string

// The estimators of quant.md §5.4 that sizing offers.
const (
	EstimatorCloseToClose VolEstimator = "close_to_close" // sample standard deviation of log returns
	EstimatorParkinson    VolEstimator = "parkinson"      // high/low range of each bar
	EstimatorEWMA         VolEstimator = "ewma"           // RiskMetrics, σ²_1 = r_1²
)

// FactorDecimals is the precision of the amount factor: σ̂ is a float64 estimate, and four decimals (0.01 % of
// the amount) are finer than any step while keeping the scaled amounts short decimals.
const FactorDecimals = 4

// yearOfBars is the 24/7 crypto year of quant.md §5.4: 365 days.
const yearOfBars = 365 * 24 * time.Hour

// SizingParams configure volatility-targeted sizing. Volatilities are annualised percent (60 = 60 %/year), as
// Hummingbot keeps percentages and as Deribit quotes implied volatility.
type SizingParams struct {
	Estimator    VolEstimator
	Window       int     // returns for close_to_close and ewma, bars for parkinson; ≥ 2
	EWMALambda   float64 // ewma only, in (0, 1)
	Bar          time.Duration
	TargetVolPct float64
	MinFactor    decimal.Decimal
	MaxFactor    decimal.Decimal
}

// Validate re-checks the parameters the config validated, for callers that build them by hand.
func (p SizingParams) Validate() error {
	switch p.Estimator {
	case EstimatorCloseToClose, EstimatorParkinson:
	case EstimatorEWMA:
		if !(p.EWMALambda > 0 && p.EWMALambda < 1) {
			return &ModelParamError{Name: "ewma-lambda", Accept: "> 0 and < 1", Value: p.EWMALambda}
		}
	default:
		return fmt.Errorf("sizing estimator %q: want close_to_close, parkinson or ewma", p.Estimator)
	}
	switch {
	case p.Window < 2:
		return fmt.Errorf("sizing window must be ≥ 2 (got %d)", p.Window)
	case p.Bar <= 0:
		return fmt.Errorf("sizing bar must be > 0 (got %s)", p.Bar)
	case !(p.TargetVolPct > 0) || math.IsInf(p.TargetVolPct, 0):
		return &ModelParamError{Name: "target-vol", Accept: "> 0", Value: p.TargetVolPct}
	case p.MinFactor.Sign() <= 0:
		return fmt.Errorf("sizing min_factor must be > 0 (got %s)", p.MinFactor)
	case p.MinFactor.GreaterThan(p.MaxFactor):
		return fmt.Errorf("sizing min_factor %s must be ≤ max_factor %s", p.MinFactor, p.MaxFactor)
	}
	return nil
}

// BarsNeeded is how many completed bars the estimator needs: Window+1 closes give Window returns; Parkinson
// reads Window bars' ranges.
func (p SizingParams) BarsNeeded() int {
	if p.Estimator == EstimatorParkinson {
		return p.Window
	}
	return p.Window + 1
}

// PeriodsPerYear is the annualisation of quant.md §5.4 for 24/7 markets: 365 days of bars.
func (p SizingParams) PeriodsPerYear() float64 { return float64(yearOfBars) / float64(p.Bar) }

// RealizedVol builds OHLC bars of the Bar interval from price samples on the run's clock (bars start at
// multiples of Bar since the zero time, so 1m bars start on the minute, UTC) and estimates the annualised
// volatility over the last Window of them. For close_to_close and ewma a bar with no sample repeats the previous
// close (a flat bar, as exchange klines do), so a move across a quiet stretch still lands in one return. Parkinson
// reads ranges, and a bar with fewer than two samples has no range to read: such bars, and the bars of a gap,
// are left out rather than entered as flat ones that would read as calm. A gap longer than the bars the window
// needs restarts the estimator, so a day-long outage does not read as a day of calm. EWMA carries its recursion
// from bar to bar (σ²_1 = r_1² once, at the start or after a restart), as RiskMetrics does, rather than
// restarting at the oldest bar of the window. It is the estimator's state, not an I/O object: the caller feeds
// it.
type RealizedVol struct {
	p          SizingParams
	bars       []OHLC // completed bars, oldest first, at most p.BarsNeeded()
	cur        OHLC
	curSamples int
	curStart   time.Time // start of the bar being built; zero before the first sample
	closes     []float64 // scratch for Value
	ewmaVar    float64   // EWMA: σ² after the last completed bar's return
	ewmaN      int       // EWMA: returns in the recursion since the start or the last restart
}

// NewRealizedVol returns an empty estimator.
func NewRealizedVol(p SizingParams) (*RealizedVol, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	need := p.BarsNeeded()
	return &RealizedVol{p: p, bars: make([]OHLC, 0, need), closes: make([]float64, 0, need)}, nil
}

// Observe adds a price sample at t. A sample older than the bar being built, or a price ≤ 0 (no market), is
// ignored.
func (v *RealizedVol) Observe(t time.Time, price float64) {
	if !(price > 0) || math.IsInf(price, 0) {
		return
	}
	start := t.Truncate(v.p.Bar)
	switch {
	case v.curStart.IsZero():
	case start.Equal(v.curStart):
		v.cur.High, v.cur.Low, v.cur.Close = math.Max(v.cur.High, price), math.Min(v.cur.Low, price), price
		v.curSamples++
		return
	case start.Before(v.curStart):
		return
	default:
		v.closeBar(v.cur, v.curSamples)
		missing := int64(start.Sub(v.curStart)/v.p.Bar) - 1
		if missing > int64(v.p.BarsNeeded()) {
			v.bars, v.ewmaN = v.bars[:0], 0
		} else if v.p.Estimator != EstimatorParkinson {
			flat := OHLC{Open: v.cur.Close, High: v.cur.Close, Low: v.cur.Close, Close: v.cur.Close}
			for range missing {
				v.closeBar(flat, 1)
			}
		}
	}
	v.cur, v.curStart, v.curSamples = OHLC{Open: price, High: price, Low: price, Close: price}, start, 1
}

func (v *RealizedVol) closeBar(b OHLC, samples int) {
	if v.p.Estimator == EstimatorParkinson && samples < 2 {
		return
	}
	if v.p.Estimator == EstimatorEWMA && len(v.bars) > 0 {
		r := math.Log(b.Close / v.bars[len(v.bars)-1].Close)
		if v.ewmaN == 0 {
			v.ewmaVar = r * r
		} else {
			v.ewmaVar = v.p.EWMALambda*v.ewmaVar + (1-v.p.EWMALambda)*r*r
		}
		v.ewmaN++
	}
	if len(v.bars) == v.p.BarsNeeded() {
		copy(v.bars, v.bars[1:])
		v.bars = v.bars[:len(v.bars)-1]
	}
	v.bars = append(v.bars, b)
}

// Bars reports the completed bars held and the number the estimator needs.
func (v *RealizedVol) Bars() (have, need int) { return len(v.bars), v.p.BarsNeeded() }

// Value is the annualised realized volatility in percent over the last window, and whether it is ready: the
// window is full and the mid moved. σ̂ = 0 (a frozen mid, or a stablecoin's flat window) is not a measurement of
// calm to size up to max_factor on; it is not ready.
func (v *RealizedVol) Value() (volPct float64, ready bool) {
	if len(v.bars) < v.p.BarsNeeded() {
		return 0, false
	}
	var perBar float64
	var err error
	switch v.p.Estimator {
	case EstimatorParkinson:
		perBar, err = ParkinsonVol(v.bars)
	case EstimatorEWMA:
		perBar = math.Sqrt(v.ewmaVar)
	default:
		v.closes = v.closes[:0]
		for _, b := range v.bars {
			v.closes = append(v.closes, b.Close)
		}
		var returns []float64
		if returns, err = LogReturns(v.closes); err == nil {
			perBar, err = CloseToCloseVol(returns)
		}
	}
	if err != nil || !(perBar > 0) { // err is unreachable: Observe keeps only positive prices
		return 0, false
	}
	return Annualize(perBar, v.p.PeriodsPerYear()) * 100, true
}

// NeutralFactor is the factor while σ̂ is not known: the configured amounts (1), clamped to [min_factor,
// max_factor] so that the bounds hold from the first tick (review M1: a max_factor of 0.5 caps the warm-up too).
func (p SizingParams) NeutralFactor() decimal.Decimal {
	return decimal.Min(decimal.Max(one, p.MinFactor), p.MaxFactor)
}

// SizingFactor is the order-amount factor of volatility-targeted sizing (quant.md §5.5 applied to order size):
// σ_target/σ̂ clamped to [MinFactor, MaxFactor] (VolTargetFactor), rounded to FactorDecimals and clamped again in
// decimal so the configured bounds hold exactly. volPct is annualised percent; 0 gives MaxFactor.
func SizingFactor(p SizingParams, volPct float64) (decimal.Decimal, error) {
	minF, maxF := p.MinFactor.InexactFloat64(), p.MaxFactor.InexactFloat64()
	f, err := VolTargetFactor(p.TargetVolPct, volPct, minF, maxF)
	if err != nil {
		return decimal.Decimal{}, err
	}
	factor := decimal.NewFromFloat(f).Round(FactorDecimals)
	return decimal.Min(decimal.Max(factor, p.MinFactor), p.MaxFactor), nil
}

// sizedParams is p with the tick's amount factor (MarketSnapshot.AmountFactor: volatility sizing, blackout
// shrink) applied, noted in the explain trace; a factor of 0 (off) or 1 leaves p as it is.
func sizedParams(p PMMParams, factor decimal.Decimal, e *Explain) PMMParams {
	if factor.Sign() <= 0 || factor.Equal(one) {
		return p
	}
	e.notef("sizing: order amounts × %s", factor)
	return p.WithAmountFactor(factor)
}

// WithAmountFactor returns p with every order amount multiplied by factor: order_amount, order_level_amount and
// each order_override amount (split levels included). Since decimal multiplication is exact, level i's size
// (order_amount + i·order_level_amount)·factor is what the base proposal then floors to the step, and the later
// stages (inventory skew, budget, exchange rules) see the scaled sizes: a level that falls below the minimum size
// or notional is dropped there with a note. A factor ≤ 0 (unset) or 1 returns p unchanged.
func (p PMMParams) WithAmountFactor(factor decimal.Decimal) PMMParams {
	if factor.Sign() <= 0 || factor.Equal(one) {
		return p
	}
	p.OrderAmount = p.OrderAmount.Mul(factor)
	p.OrderLevelAmount = p.OrderLevelAmount.Mul(factor)
	if len(p.OrderOverride) > 0 {
		overrides := make([]OrderOverride, len(p.OrderOverride))
		for i, o := range p.OrderOverride {
			o.Amount = o.Amount.Mul(factor)
			overrides[i] = o
		}
		p.OrderOverride = overrides
	}
	return p
}
