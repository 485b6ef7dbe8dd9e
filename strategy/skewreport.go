package strategy

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

var hundred = decimal.NewFromInt(100)

// SkewInput is what the inventory-skew explanation needs. Percent fields are in percent, as Hummingbot's config
// and mm's flags write them (50 means 50 %). A zero Step, Tick, MinOrderSize or MinNotional is off.
type SkewInput struct {
	Base, Quote, Price  decimal.Decimal
	TargetBasePct       decimal.Decimal
	RangeMultiplier     decimal.Decimal
	OrderAmount         decimal.Decimal
	OrderLevels         int
	OrderLevelAmount    decimal.Decimal
	OrderLevelSpreadPct decimal.Decimal
	BidSpreadPct        decimal.NullDecimal // level prices are shown only when the spread is known
	AskSpreadPct        decimal.NullDecimal
	Step, Tick          decimal.Decimal
	MinOrderSize        decimal.Decimal
	MinNotional         decimal.Decimal
}

// SkewLevel is one order level before and after the skew ratio.
type SkewLevel struct {
	Side         market.Side
	Level        int
	Price        decimal.NullDecimal
	Size         decimal.Decimal // order_amount + level·order_level_amount, floored to Step
	AdjustedSize decimal.Decimal // Size × ratio, floored to Step
	BelowMinimum bool
}

// SkewReport explains the inventory skew for one portfolio: the band, the ratios and every level's size.
type SkewReport struct {
	Input          SkewInput
	TotalOrderSize decimal.Decimal
	BaseRange      decimal.Decimal // TotalOrderSize × RangeMultiplier, base units
	Range          InventoryRange
	BasePct        float64
	RangeLowerPct  float64
	RangeUpperPct  float64
	BidRatio       float64
	AskRatio       float64
	Levels         []SkewLevel
	Warnings       []string
}

// ExplainSkew computes the inventory skew as Hummingbot's PMM applies it (reference/hummingbot.md §2): the
// ratios come from BidAskRatios in float64, are converted to decimal exactly, and scale every level's size,
// which is then floored to the step. Levels that end below the exchange minimums are named in Warnings: the most
// common surprise in users' reports is a skewed level that silently disappears.
func ExplainSkew(in SkewInput) SkewReport {
	total := TotalOrderSize(in.OrderAmount, in.OrderLevelAmount, in.OrderLevels)
	baseRange := total.Mul(in.RangeMultiplier)
	target := in.TargetBasePct.Div(hundred)
	band := NewInventoryRange(in.Base, in.Quote, in.Price, target, baseRange)
	bid, ask := BidAskRatios(in.Base.InexactFloat64(), in.Quote.InexactFloat64(), in.Price.InexactFloat64(),
		target.InexactFloat64(), baseRange.InexactFloat64())

	r := SkewReport{
		Input:          in,
		TotalOrderSize: total,
		BaseRange:      baseRange,
		Range:          band,
		BasePct:        band.Pct(band.BaseValue),
		RangeLowerPct:  band.Pct(band.LowerValue),
		RangeUpperPct:  band.Pct(band.UpperValue),
		BidRatio:       bid,
		AskRatio:       ask,
	}
	r.explainRatios()
	r.Levels = append(r.levels(market.Buy, bid), r.levels(market.Sell, ask)...)
	return r
}

func (r *SkewReport) explainRatios() {
	switch {
	case r.Range.PortfolioValue.Sign() <= 0:
		r.warnf("the portfolio is empty: both ratios are 0, so no orders are placed")
	case r.BaseRange.Sign() <= 0:
		r.warnf("the inventory range is %s (total order size × multiplier): both ratios are 0, so no orders are placed",
			r.BaseRange)
	case r.BidRatio == 0:
		r.warnf("bid ratio is 0: base share %.2f %% is at or above the upper limit %.2f %%, so no buy orders are placed",
			r.BasePct, r.RangeUpperPct)
	case r.AskRatio == 0:
		r.warnf("ask ratio is 0: base share %.2f %% is at or below the lower limit %.2f %%, so no sell orders are placed",
			r.BasePct, r.RangeLowerPct)
	}
}

func (r *SkewReport) levels(side market.Side, ratio float64) []SkewLevel {
	in := r.Input
	spread := in.BidSpreadPct
	if side == market.Sell {
		spread = in.AskSpreadPct
	}
	exactRatio := market.ExactFromFloat(ratio)
	levels := make([]SkewLevel, 0, in.OrderLevels)
	for i := range in.OrderLevels {
		size := in.OrderAmount.Add(in.OrderLevelAmount.Mul(decimal.NewFromInt(int64(i))))
		size = market.FloorToStep(size, in.Step)
		level := SkewLevel{
			Side:         side,
			Level:        i,
			Size:         size,
			AdjustedSize: market.FloorToStep(size.Mul(exactRatio), in.Step),
		}
		if spread.Valid {
			level.Price = decimal.NewNullDecimal(levelPrice(in, side, spread.Decimal, i))
		}
		if size.Sign() <= 0 {
			r.warnf("%s level %d: size %s is not positive (order_amount + level × order_level_amount); it is never placed",
				side, i, size)
		}
		r.checkMinimums(&level)
		levels = append(levels, level)
	}
	return levels
}

// levelPrice is Hummingbot's base proposal price: bid_i = p·(1 − bid_spread − i·level_spread), ask mirrored,
// floored to the tick for both sides (reference/hummingbot.md §1.3).
func levelPrice(in SkewInput, side market.Side, spreadPct decimal.Decimal, level int) decimal.Decimal {
	offset := spreadPct.Add(in.OrderLevelSpreadPct.Mul(decimal.NewFromInt(int64(level)))).Div(hundred)
	factor := decimal.NewFromInt(1).Add(offset)
	if side == market.Buy {
		factor = decimal.NewFromInt(1).Sub(offset)
	}
	return market.FloorToStep(in.Price.Mul(factor), in.Tick)
}

func (r *SkewReport) checkMinimums(level *SkewLevel) {
	in := r.Input
	adjusted := level.AdjustedSize
	if adjusted.Sign() <= 0 || level.Size.Sign() <= 0 {
		return // a zero size is explained by the ratio warning; it is dropped, not rejected
	}
	if in.MinOrderSize.Sign() > 0 && adjusted.LessThan(in.MinOrderSize) {
		level.BelowMinimum = true
		r.warnf("%s level %d: adjusted size %s (%s × ratio %.6f) is below the minimum order size %s; the exchange would reject it",
			level.Side, level.Level, adjusted, level.Size, r.ratio(level.Side), in.MinOrderSize)
	}
	price := in.Price
	if level.Price.Valid {
		price = level.Price.Decimal
	}
	if notional := adjusted.Mul(price); in.MinNotional.Sign() > 0 && notional.LessThan(in.MinNotional) {
		level.BelowMinimum = true
		r.warnf("%s level %d: notional %s (%s × %s) is below the minimum notional %s; the exchange would reject it",
			level.Side, level.Level, notional, adjusted, price, in.MinNotional)
	}
}

func (r *SkewReport) ratio(side market.Side) float64 {
	if side == market.Buy {
		return r.BidRatio
	}
	return r.AskRatio
}

func (r *SkewReport) warnf(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// SweepPoint is the pair of ratios at one base share of the portfolio.
type SweepPoint struct {
	BasePct  decimal.Decimal
	BidRatio float64
	AskRatio float64
}

// SweepSkew moves the same portfolio value from all quote to all base in steps of stepPct percent and returns
// the ratios at each share; it shows the whole shape of the skew for one configuration.
func SweepSkew(in SkewInput, stepPct decimal.Decimal) []SweepPoint {
	value := in.Base.Mul(in.Price).Add(in.Quote)
	target := in.TargetBasePct.Div(hundred).InexactFloat64()
	baseRange := TotalOrderSize(in.OrderAmount, in.OrderLevelAmount, in.OrderLevels).Mul(in.RangeMultiplier)
	var points []SweepPoint
	for pct := decimal.Zero; pct.LessThanOrEqual(hundred); pct = pct.Add(stepPct) {
		baseValue := value.Mul(pct).Div(hundred)
		base := baseValue.Div(in.Price)
		bid, ask := BidAskRatios(base.InexactFloat64(), value.Sub(baseValue).InexactFloat64(),
			in.Price.InexactFloat64(), target, baseRange.InexactFloat64())
		points = append(points, SweepPoint{BasePct: pct, BidRatio: bid, AskRatio: ask})
	}
	if last := points[len(points)-1]; !last.BasePct.Equal(hundred) {
		bid, ask := BidAskRatios(value.Div(in.Price).InexactFloat64(), 0, in.Price.InexactFloat64(), target,
			baseRange.InexactFloat64())
		points = append(points, SweepPoint{BasePct: hundred, BidRatio: bid, AskRatio: ask})
	}
	return points
}
