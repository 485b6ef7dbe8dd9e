package strategy

import (
	"errors"
	"fmt"
	"math"
)

// Realized-volatility estimators (quant.md §5.4) and volatility-targeted sizing (§5.5), pure float64. All
// per-period estimators return a volatility per bar; Annualize scales it by √(periods per year).

// OHLC is one bar of prices.
type OHLC struct {
	Open, High, Low, Close float64
}

// LogReturns returns r_i = ln(C_i/C_{i−1}) for consecutive closes. Every close must be > 0.
func LogReturns(closes []float64) ([]float64, error) {
	if len(closes) < 2 {
		return nil, fmt.Errorf("log returns need at least 2 closes (got %d)", len(closes))
	}
	returns := make([]float64, len(closes)-1)
	for i := 1; i < len(closes); i++ {
		if !(closes[i-1] > 0 && closes[i] > 0) {
			return nil, fmt.Errorf("close %d: prices must be > 0 (got %g, %g)", i, closes[i-1], closes[i])
		}
		returns[i-1] = math.Log(closes[i] / closes[i-1])
	}
	return returns, nil
}

// CloseToCloseVol is the sample standard deviation of log returns: σ̂² = Σ(r_i − r̄)²/(n − 1).
func CloseToCloseVol(returns []float64) (float64, error) {
	n := len(returns)
	if n < 2 {
		return 0, fmt.Errorf("close-to-close volatility needs at least 2 returns (got %d)", n)
	}
	mean := 0.0
	for _, r := range returns {
		mean += r
	}
	mean /= float64(n)
	sum := 0.0
	for _, r := range returns {
		sum += (r - mean) * (r - mean)
	}
	return math.Sqrt(sum / float64(n-1)), nil
}

// ZeroMeanVol is σ̂² = Σr_i²/n, preferred at high frequency where the mean is noise.
func ZeroMeanVol(returns []float64) (float64, error) {
	if len(returns) == 0 {
		return 0, errors.New("zero-mean volatility needs at least 1 return")
	}
	sum := 0.0
	for _, r := range returns {
		sum += r * r
	}
	return math.Sqrt(sum / float64(len(returns))), nil
}

// ParkinsonVol is σ̂² = Σ ln(H_i/L_i)² / (4n·ln 2): about five times as efficient as close-to-close for a
// driftless Brownian motion, biased low by discrete sampling.
func ParkinsonVol(bars []OHLC) (float64, error) {
	if err := checkBars(bars); err != nil {
		return 0, err
	}
	sum := 0.0
	for _, b := range bars {
		hl := math.Log(b.High / b.Low)
		sum += hl * hl
	}
	return math.Sqrt(sum / (4 * float64(len(bars)) * math.Ln2)), nil
}

// GarmanKlassVol is σ̂² = (1/n)Σ[½ln(H/L)² − (2ln2 − 1)ln(C/O)²].
func GarmanKlassVol(bars []OHLC) (float64, error) {
	if err := checkBars(bars); err != nil {
		return 0, err
	}
	sum := 0.0
	for _, b := range bars {
		hl, co := math.Log(b.High/b.Low), math.Log(b.Close/b.Open)
		sum += hl*hl/2 - (2*math.Ln2-1)*co*co
	}
	return math.Sqrt(sum / float64(len(bars))), nil
}

// RogersSatchellVol is σ̂² = (1/n)Σ[ln(H/C)ln(H/O) + ln(L/C)ln(L/O)], robust to drift.
func RogersSatchellVol(bars []OHLC) (float64, error) {
	if err := checkBars(bars); err != nil {
		return 0, err
	}
	sum := 0.0
	for _, b := range bars {
		sum += math.Log(b.High/b.Close)*math.Log(b.High/b.Open) + math.Log(b.Low/b.Close)*math.Log(b.Low/b.Open)
	}
	return math.Sqrt(sum / float64(len(bars))), nil
}

// EWMAVol is RiskMetrics' σ²_t = λσ²_{t−1} + (1 − λ)r_t², initialised with σ²_1 = r_1² (the initialisation
// the vectors use), and returns σ_n. λ ∈ (0, 1); 0.94 for daily data. Effective memory ≈ 1/(1 − λ) periods.
func EWMAVol(returns []float64, lambda float64) (float64, error) {
	if !(lambda > 0 && lambda < 1) {
		return 0, &ModelParamError{Name: "ewma-lambda", Accept: "> 0 and < 1", Value: lambda}
	}
	if len(returns) == 0 {
		return 0, errors.New("EWMA volatility needs at least 1 return")
	}
	variance := returns[0] * returns[0]
	for _, r := range returns[1:] {
		variance = lambda*variance + (1-lambda)*r*r
	}
	return math.Sqrt(variance), nil
}

// Annualize scales a per-period volatility by √(periods per year): 365·(bars per day) for 24/7 crypto.
func Annualize(volPerPeriod, periodsPerYear float64) float64 {
	return volPerPeriod * math.Sqrt(periodsPerYear)
}

func checkBars(bars []OHLC) error {
	if len(bars) == 0 {
		return errors.New("range volatility needs at least 1 bar")
	}
	for i, b := range bars {
		if !(b.Open > 0 && b.High > 0 && b.Low > 0 && b.Close > 0) || b.High < b.Low {
			return fmt.Errorf("bar %d: prices must be > 0 with high ≥ low (got %+v)", i, b)
		}
	}
	return nil
}

// InstantVolatility is the volatility estimate of Hummingbot's InstantVolatilityIndicator (hummingbot.md §5.4,
// quant.md §3.1): sqrt(Σ(p_k − p_{k−1})²/N) over the last prices of a ring buffer, N the number of prices
// (not of differences), not demeaned, not annualised: absolute price per sample. Hummingbot stores samples as
// C floats; this keeps float64 (the vector's pure_float64 value).
func InstantVolatility(prices []float64) float64 {
	if len(prices) == 0 {
		return 0
	}
	sum := 0.0
	for i := 1; i < len(prices); i++ {
		d := prices[i] - prices[i-1]
		sum += d * d
	}
	return math.Sqrt(sum / float64(len(prices)))
}

// InstantVolatilityIndicator keeps the last Size mid prices, one per strategy tick. It is ready once the buffer
// is full, as Hummingbot's avellaneda strategy requires before quoting (hummingbot.md §5.2).
type InstantVolatilityIndicator struct {
	size   int
	prices []float64 // oldest first, at most size
}

// NewInstantVolatilityIndicator returns an indicator over the last size samples (volatility_buffer_size,
// 1..10000 in Hummingbot).
func NewInstantVolatilityIndicator(size int) (*InstantVolatilityIndicator, error) {
	if size < 1 {
		return nil, fmt.Errorf("volatility buffer size must be ≥ 1 (got %d)", size)
	}
	return &InstantVolatilityIndicator{size: size, prices: make([]float64, 0, size)}, nil
}

// Add appends one mid price, dropping the oldest when the buffer is full.
func (v *InstantVolatilityIndicator) Add(price float64) {
	if len(v.prices) == v.size {
		copy(v.prices, v.prices[1:])
		v.prices = v.prices[:v.size-1]
	}
	v.prices = append(v.prices, price)
}

// Value returns the current volatility and whether the buffer is full.
func (v *InstantVolatilityIndicator) Value() (vol float64, ready bool) {
	return InstantVolatility(v.prices), len(v.prices) == v.size
}

// VolTargetPosition is volatility-targeted sizing (quant.md §5.5): notional = equity·σ_target/σ̂ (both
// annualised) and quantity = notional/price. Callers cap it with a maximum leverage and floor it to the step.
func VolTargetPosition(equity, targetVol, forecastVol, price float64) (notional, qtyBase float64, err error) {
	err = firstError(nonNegativeParam("equity", equity), positiveParam("target-vol", targetVol),
		positiveParam("forecast-vol", forecastVol), positiveParam("price", price))
	if err != nil {
		return 0, 0, err
	}
	notional = equity * targetVol / forecastVol
	return notional, notional / price, nil
}

// VolTargetFactor is the order-amount multiplier σ_target/σ̂ clamped to [minFactor, maxFactor] (issue 6
// item 3, sizing: {target_vol, min_factor, max_factor}): quiet markets quote more, volatile ones less.
func VolTargetFactor(targetVol, forecastVol, minFactor, maxFactor float64) (float64, error) {
	err := firstError(positiveParam("target-vol", targetVol), nonNegativeParam("forecast-vol", forecastVol),
		nonNegativeParam("min-factor", minFactor), positiveParam("max-factor", maxFactor))
	if err != nil {
		return 0, err
	}
	if minFactor > maxFactor {
		return 0, &ModelParamError{Name: "min-factor", Accept: fmt.Sprintf("≤ max-factor %g", maxFactor), Value: minFactor}
	}
	if forecastVol == 0 {
		return maxFactor, nil
	}
	return math.Min(math.Max(targetVol/forecastVol, minFactor), maxFactor), nil
}
