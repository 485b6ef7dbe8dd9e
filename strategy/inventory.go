package strategy

import (
	"github.com/shopspring/decimal"
)

// InventoryRange describes the tolerated band of base value around the target, in quote, as Hummingbot derives it
// for the skew ratios (reference/hummingbot.md §2.2 step 3). It is the decimal twin of the float64 band inside
// BidAskRatios, used to explain the ratios to a user; the ratios themselves always come from BidAskRatios.
type InventoryRange struct {
	PortfolioValue decimal.Decimal // V = B·p + Q
	BaseValue      decimal.Decimal // B·p
	TargetValue    decimal.Decimal // V·t
	RangeValue     decimal.Decimal // min(R·p, V/2)
	LowerValue     decimal.Decimal // max(T − r, 0)
	UpperValue     decimal.Decimal // T + r; may exceed V, Hummingbot does not clamp it
}

// NewInventoryRange computes the band for balances base and quote at price, a target share targetBaseRatio
// (a fraction) and a range of baseRange base units.
func NewInventoryRange(base, quote, price, targetBaseRatio, baseRange decimal.Decimal) InventoryRange {
	portfolioValue := base.Mul(price).Add(quote)
	half := portfolioValue.Div(decimal.NewFromInt(2))
	rangeValue := decimal.Min(baseRange.Mul(price), half)
	if rangeValue.Sign() < 0 {
		rangeValue = decimal.Zero
	}
	targetValue := portfolioValue.Mul(targetBaseRatio)
	return InventoryRange{
		PortfolioValue: portfolioValue,
		BaseValue:      base.Mul(price),
		TargetValue:    targetValue,
		RangeValue:     rangeValue,
		LowerValue:     decimal.Max(targetValue.Sub(rangeValue), decimal.Zero),
		UpperValue:     targetValue.Add(rangeValue),
	}
}

// Pct returns value as a percentage of the portfolio value (0 for an empty portfolio).
func (r InventoryRange) Pct(value decimal.Decimal) float64 {
	if r.PortfolioValue.Sign() <= 0 {
		return 0
	}
	return value.Div(r.PortfolioValue).Mul(decimal.NewFromInt(100)).InexactFloat64()
}
