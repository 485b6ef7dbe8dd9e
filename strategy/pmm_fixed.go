package strategy

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// The tick's proposal pipeline in fixed point (market.Fixed): the same stages as buildProposal, operation for
// operation, so every price and size has the value and the representation the decimal stages give; only the
// allocations differ (docs/BENCHMARKS.md "mm run": a decimal.Decimal result is a big.Int). It covers what live and
// replay runs use: an exchange's tick and step (TickStep), levels rather than order_override, no order
// optimization and no stage trace. For anything else, or when a value does not fit an int64 mantissa, it reports
// ok false and Tick runs the decimal stages, which stay the reference (TestFixedPipelineMatchesDecimal). The two
// are kept in step by hand: a change to a decimal stage must be made here too, or that test fails.

// fixedOrder is a ProposedOrder in fixed point.
type fixedOrder struct {
	level       int
	price, size market.Fixed
}

// fixedProposal is a Proposal in fixed point.
type fixedProposal struct {
	buys, sells []fixedOrder
}

// decimal converts the proposal for the stages and actions that keep decimal.Decimal.
func (fp *fixedProposal) decimal() Proposal {
	convert := func(in []fixedOrder) []ProposedOrder {
		out := make([]ProposedOrder, len(in))
		for i, o := range in {
			out[i] = ProposedOrder{Level: o.level, Price: o.price.Decimal(), Size: o.size.Decimal()}
		}
		return out
	}
	return Proposal{Buys: convert(fp.buys), Sells: convert(fp.sells)}
}

var fixedOne = market.NewFixed(1, 0) // the decimal stages' one, decimal.NewFromInt(1)

// fixedOf converts without changing the representation and without allocating.
func fixedOf(d decimal.Decimal) (market.Fixed, bool) { return market.FixedFromDecimalExact(d) }

// floorFixed is floorToQuantum in fixed point, with the same result representation.
func floorFixed(x, quantum market.Fixed) (market.Fixed, bool) {
	if quantum.Sign() <= 0 {
		return x, true
	}
	if quantum.Mantissa() == 1 && quantum.Exponent() <= 0 {
		if x.Exponent() < quantum.Exponent() {
			return x.TruncateTo(quantum.Exponent())
		}
		return x, true
	}
	quo, ok := x.QuoTrunc(quantum)
	if !ok {
		return market.Fixed{}, false
	}
	return market.NewFixed(quo, 0).Mul(quantum)
}

// cmpDecimal compares f with d, in decimal when d does not fit a Fixed: the moving band's (100 + pct)/100 has 16
// decimals (decimal's Div), so its floor and ceiling often carry more digits than an int64.
func cmpDecimal(f market.Fixed, d decimal.Decimal) int {
	if g, ok := fixedOf(d); ok {
		return f.Cmp(g)
	}
	return f.Decimal().Cmp(d)
}

// fixedQuantizer is TickStep in fixed point.
type fixedQuantizer struct{ tick, step market.Fixed }

func newFixedQuantizer(m *MarketSnapshot) (fixedQuantizer, bool) {
	ts := TickStep{Tick: m.Rules.Tick, Step: m.Rules.Step}
	if m.Quantizer != nil {
		var ok bool
		if ts, ok = m.Quantizer.(TickStep); !ok {
			return fixedQuantizer{}, false
		}
	}
	tick, okTick := fixedOf(ts.Tick)
	step, okStep := fixedOf(ts.Step)
	return fixedQuantizer{tick, step}, okTick && okStep
}

// skewAmount is quantizer.amount(size·ExactFromFloat(ratio)) without building the exact product, whose
// coefficient (about 5^52 times the size's) does not fit an int64.
func (q fixedQuantizer) skewAmount(size market.Fixed, ratio float64) (market.Fixed, bool) {
	step := q.step
	quo, productExp, ok := size.MulFloatQuoTrunc(ratio, step)
	if !ok {
		return market.Fixed{}, false
	}
	if step.Mantissa() == 1 && step.Exponent() <= 0 {
		if productExp >= step.Exponent() { // Truncate leaves the product as it is
			if ratio == 0 {
				return market.NewFixed(0, productExp), true
			}
			return market.Fixed{}, false
		}
		return market.NewFixed(quo, step.Exponent()), true
	}
	return market.NewFixed(quo, 0).Mul(step)
}

// fixedCheck collects the ok results of a chain of fixed-point operations: the first failure sticks.
type fixedCheck struct{ failed bool }

func (c *fixedCheck) v(f market.Fixed, ok bool) market.Fixed {
	if !ok {
		c.failed = true
	}
	return f
}

func (c *fixedCheck) of(d decimal.Decimal) market.Fixed { return c.v(fixedOf(d)) }

// buildFixedProposal is buildProposal in fixed point, writing into the given buffers. It updates s (moving band,
// ping-pong counters) only when it succeeds; ok false leaves the tick to buildProposal.
func buildFixedProposal(p PMMParams, s *tickState, m *MarketSnapshot, ref RefPrice, e *Explain, buys, sells []fixedOrder) (fixedProposal, bool) {
	if m.ExplainStages || len(p.OrderOverride) > 0 || p.OrderOptimizationEnabled {
		return fixedProposal{}, false
	}
	q, ok := newFixedQuantizer(m)
	if !ok {
		return fixedProposal{}, false
	}
	var c fixedCheck
	price := c.of(ref.Price)
	prop := fixedBaseProposal(p, c.of(ref.BuyRef), c.of(ref.SellRef), q, buys, sells, &c)

	if p.PriceCeiling.Sign() > 0 && price.Cmp(c.of(p.PriceCeiling)) >= 0 {
		prop.buys = nil
	}
	if p.PriceFloor.Sign() > 0 && price.Cmp(c.of(p.PriceFloor)) <= 0 {
		prop.sells = nil
	}
	band := s.Band
	if p.MovingPriceBandEnabled {
		band = band.CheckAndUpdate(p, m.Now, ref.Price)
		if cmpDecimal(price, band.Ceiling) >= 0 {
			prop.buys = nil
		}
		if cmpDecimal(price, band.Floor) <= 0 {
			prop.sells = nil
		}
	}
	filledBuys, filledSells := s.FilledBuys, s.FilledSells
	if p.PingPongEnabled {
		if filledBuys == filledSells {
			filledBuys, filledSells = 0, 0
		}
		if filledBuys > 0 {
			prop.buys = prop.buys[min(filledBuys, len(prop.buys)):]
		}
		if filledSells > 0 {
			prop.sells = prop.sells[min(filledSells, len(prop.sells)):]
		}
	}
	fee := c.of(orderFee(p, m.Rules))
	if p.AddTransactionCosts {
		buyFactor, sellFactor := c.v(fixedOne.Sub(fee)), c.v(fixedOne.Add(fee))
		for i := range prop.buys {
			prop.buys[i].price = c.v(floorFixed(c.v(prop.buys[i].price.Mul(buyFactor)), q.tick))
		}
		for i := range prop.sells {
			prop.sells[i].price = c.v(floorFixed(c.v(prop.sells[i].price.Mul(sellFactor)), q.tick))
		}
	}
	bal := fixedAdjustedBalances(m.Balances, s.Orders, &c)
	if p.InventorySkewEnabled && !c.failed {
		bid, ask := fixedSkewRatios(p, bal.baseAll, bal.quoteAll, price, &c)
		for i := range prop.buys {
			prop.buys[i].size = c.v(q.skewAmount(prop.buys[i].size, bid))
		}
		for i := range prop.sells {
			prop.sells[i].size = c.v(q.skewAmount(prop.sells[i].size, ask))
		}
	}
	if c.failed {
		return fixedProposal{}, false
	}
	if prop, ok = fixedBudget(bal.base, bal.quote, fee, q, prop, &c); !ok {
		return fixedProposal{}, false
	}
	if !p.TakeIfCrossed {
		if bestAsk := c.of(m.BestAsk); m.BestAsk.Sign() > 0 {
			prop.buys = filterFixed(prop.buys, func(o fixedOrder) bool { return o.price.Cmp(bestAsk) < 0 })
		}
		if bestBid := c.of(m.BestBid); m.BestBid.Sign() > 0 {
			prop.sells = filterFixed(prop.sells, func(o fixedOrder) bool { return o.price.Cmp(bestBid) > 0 })
		}
	}
	prop, dropped := fixedExchangeRules(m.Rules, q, prop, &c)
	if c.failed {
		return fixedProposal{}, false
	}
	for _, reason := range dropped {
		e.notef("exchange rules: %s; the level is skipped", reason)
	}
	s.Band, s.FilledBuys, s.FilledSells = band, filledBuys, filledSells
	return prop, true
}

// fixedBaseProposal is BaseProposal for levels (no order_override).
func fixedBaseProposal(p PMMParams, buyRef, sellRef market.Fixed, q fixedQuantizer, buys, sells []fixedOrder, c *fixedCheck) fixedProposal {
	size, levelAmount := c.of(p.OrderAmount), c.of(p.OrderLevelAmount)
	bidOffset, askOffset, levelSpread := c.of(p.BidSpread), c.of(p.AskSpread), c.of(p.OrderLevelSpread)
	for level := range p.OrderLevels {
		if c.failed {
			break
		}
		if level > 0 {
			size = c.v(size.Add(levelAmount))
			bidOffset = c.v(bidOffset.Add(levelSpread))
			askOffset = c.v(askOffset.Add(levelSpread))
		}
		quantized := c.v(floorFixed(size, q.step))
		if quantized.Sign() <= 0 {
			continue
		}
		if buyRef.Sign() > 0 {
			price := c.v(floorFixed(c.v(buyRef.Mul(c.v(fixedOne.Sub(bidOffset)))), q.tick))
			buys = append(buys, fixedOrder{level: level, price: price, size: quantized})
		}
		if sellRef.Sign() > 0 {
			price := c.v(floorFixed(c.v(sellRef.Mul(c.v(fixedOne.Add(askOffset)))), q.tick))
			sells = append(sells, fixedOrder{level: level, price: price, size: quantized})
		}
	}
	return fixedProposal{buys: buys, sells: sells}
}

// fixedBalances are adjustedBalances in fixed point, both variants from one pass: every own order (the skew's)
// and non-hanging orders only (the budget's).
type fixedBalances struct {
	baseAll, quoteAll market.Fixed
	base, quote       market.Fixed
}

func fixedAdjustedBalances(b Balances, orders []Order, c *fixedCheck) fixedBalances {
	bal := fixedBalances{baseAll: c.of(b.BaseAvailable), quoteAll: c.of(b.QuoteAvailable)}
	bal.base, bal.quote = bal.baseAll, bal.quoteAll
	for i := range orders {
		o := &orders[i]
		remaining := c.v(c.of(o.Amount).Sub(c.of(o.Filled)))
		if o.Side == market.Buy {
			locked := c.v(remaining.Mul(c.of(o.Price)))
			bal.quoteAll = c.v(bal.quoteAll.Add(locked))
			if !o.Hanging {
				bal.quote = c.v(bal.quote.Add(locked))
			}
		} else {
			bal.baseAll = c.v(bal.baseAll.Add(remaining))
			if !o.Hanging {
				bal.base = c.v(bal.base.Add(remaining))
			}
		}
	}
	return bal
}

// fixedSkewRatios is SkewRatios with its decimal inputs in fixed point; the float64 conversions give the same
// nearest floats as InexactFloat64.
func fixedSkewRatios(p PMMParams, base, quote, price market.Fixed, c *fixedCheck) (bid, ask float64) {
	n := int64(p.OrderLevels)
	total := c.v(c.v(market.NewFixed(n, 0).Mul(c.of(p.OrderAmount))).Add(
		c.v(market.NewFixed(n*(n-1)/2, 0).Mul(c.of(p.OrderLevelAmount)))))
	baseRange := c.v(c.v(total.Mul(market.NewFixed(2, 0))).Mul(c.of(p.InventoryRangeMultiplier)))
	if c.failed {
		return 0, 0
	}
	return BidAskRatios(base.Float64(), quote.Float64(), price.Float64(), c.of(p.InventoryTargetBasePct).Float64(),
		baseRange.Float64())
}

// fixedBudget is BudgetConstraint in fixed point, filtering in place. A buy the balance cannot fully fund is
// sized with decimal's Div (it rounds to 16 decimals before the floor, and mm keeps that); it happens at most
// once a side per tick.
func fixedBudget(base, quote, fee market.Fixed, q fixedQuantizer, prop fixedProposal, c *fixedCheck) (fixedProposal, bool) {
	feeFactor := c.v(fixedOne.Add(fee))
	kept := prop.buys[:0]
	for _, order := range prop.buys {
		unitCost := c.v(order.price.Mul(feeFactor))
		cost := c.v(order.size.Mul(unitCost))
		if c.failed {
			return prop, false
		}
		switch {
		case quote.Cmp(cost) < 0:
			if quote.IsZero() && !unitCost.IsZero() {
				order.size = market.Fixed{} // 0 / unitCost floors to 0
			} else {
				size := floorToQuantum(quote.Decimal().Div(unitCost.Decimal()), q.step.Decimal())
				order.size = c.of(size)
			}
			quote = market.Fixed{}
		case quote.IsZero():
			order.size = market.Fixed{}
		default:
			quote = c.v(quote.Sub(cost))
		}
		if order.size.Sign() > 0 {
			kept = append(kept, order)
		}
	}
	prop.buys = kept
	kept = prop.sells[:0]
	for _, order := range prop.sells {
		switch {
		case base.Cmp(order.size) < 0:
			order.size = c.v(floorFixed(base, q.step))
			base = market.Fixed{}
		case base.IsZero():
			order.size = market.Fixed{}
		default:
			base = c.v(base.Sub(order.size))
		}
		if order.size.Sign() > 0 {
			kept = append(kept, order)
		}
	}
	prop.sells = kept
	return prop, !c.failed
}

func filterFixed(orders []fixedOrder, keep func(fixedOrder) bool) []fixedOrder {
	kept := orders[:0]
	for _, o := range orders {
		if keep(o) {
			kept = append(kept, o)
		}
	}
	return kept
}

// fixedExchangeRules is ExchangeRules in fixed point, filtering in place; the reasons are ExchangeRules'.
func fixedExchangeRules(rules MarketRules, q fixedQuantizer, prop fixedProposal, c *fixedCheck) (_ fixedProposal, dropped []string) {
	minSize, minNotional := c.of(rules.MinSize), c.of(rules.MinNotional)
	keep := func(side market.Side, o fixedOrder) bool {
		drop := func(reason string) { dropped = append(dropped, string(side)+" level "+strconv.Itoa(o.level)+reason) }
		switch {
		case o.price.Sign() <= 0:
			drop(": price " + o.price.Decimal().String() + " is not positive")
		case rules.MinSize.Sign() > 0 && o.size.Cmp(minSize) < 0:
			drop(": size " + o.size.Decimal().String() + " is below the minimum order size " + rules.MinSize.String())
		case rules.MinNotional.Sign() > 0 && c.v(o.size.Mul(o.price)).Cmp(minNotional) < 0:
			drop(": notional " + o.size.Decimal().Mul(o.price.Decimal()).String() +
				" is below the minimum notional " + rules.MinNotional.String())
		default:
			return true
		}
		return false
	}
	filter := func(side market.Side, orders []fixedOrder) []fixedOrder {
		kept := orders[:0]
		for _, o := range orders {
			if o.price = c.v(floorFixed(o.price, q.tick)); keep(side, o) {
				kept = append(kept, o)
			}
		}
		return kept
	}
	prop.buys = filter(market.Buy, prop.buys)
	prop.sells = filter(market.Sell, prop.sells)
	return prop, dropped
}
