package strategy

import (
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// OrderOptimization is Hummingbot's best bid/ask jumping (§1.4). top_bid is the price reached after walking the
// bid side for bid_order_optimization_depth plus the size of the strategy's LAST active buy (one order, not a
// sum: a Hummingbot quirk kept as is); p0 = min(best proposed bid, one quantum above top_bid) and every buy is
// re-priced from p0: floor(p0)·(1 − order_level_spread·i), or with split levels floor(p0)·(1 − s_i/100)/(1 −
// s_0/100). The products are not re-quantized here. Asks mirror it one quantum below top_ask. A side whose book is
// empty is left alone.
func OrderOptimization(p PMMParams, orders []Order, bids, asks []BookLevel, q Quantizer, in Proposal) Proposal {
	var ownBuy, ownSell decimal.Decimal
	for _, o := range orders {
		if o.Side == market.Buy {
			ownBuy = o.Amount
		} else {
			ownSell = o.Amount
		}
	}
	out := in
	qz := quantizer{q}
	if top, ok := priceForVolume(bids, p.BidOrderOptimizationDepth.Add(ownBuy)); ok && len(in.Buys) > 0 {
		quantum := q.PriceQuantum(top)
		above := ceilQuotient(top, quantum).Add(one).Mul(quantum)
		buys := slices.Clone(in.Buys)
		slices.SortStableFunc(buys, func(a, b ProposedOrder) int { return b.Price.Cmp(a.Price) })
		p0 := qz.price(decimal.Min(buys[0].Price, above))
		spreads := splitSpreads(p, market.Buy)
		for i := range buys {
			buys[i].Price = optimizedPrice(p0, p.OrderLevelSpread, spreads, i, market.Buy)
		}
		out.Buys = buys
	}
	if top, ok := priceForVolume(asks, p.AskOrderOptimizationDepth.Add(ownSell)); ok && len(in.Sells) > 0 {
		quantum := q.PriceQuantum(top)
		quo, _ := top.QuoRem(quantum, 0)
		below := quo.Sub(one).Mul(quantum)
		sells := slices.Clone(in.Sells)
		slices.SortStableFunc(sells, func(a, b ProposedOrder) int { return a.Price.Cmp(b.Price) })
		p0 := qz.price(decimal.Max(sells[0].Price, below))
		spreads := splitSpreads(p, market.Sell)
		for i := range sells {
			sells[i].Price = optimizedPrice(p0, p.OrderLevelSpread, spreads, i, market.Sell)
		}
		out.Sells = sells
	}
	return out
}

func optimizedPrice(p0, levelSpread decimal.Decimal, splitSpreadsPct []decimal.Decimal, i int, side market.Side) decimal.Decimal {
	if len(splitSpreadsPct) > 0 {
		si := splitSpreadsPct[min(i, len(splitSpreadsPct)-1)].Div(hundred)
		s0 := splitSpreadsPct[0].Div(hundred)
		if side == market.Buy {
			return p0.Mul(one.Sub(si)).Div(one.Sub(s0))
		}
		return p0.Mul(one.Add(si)).Div(one.Add(s0))
	}
	if i == 0 {
		return p0
	}
	offset := levelSpread.Mul(decimal.NewFromInt(int64(i)))
	if side == market.Buy {
		return p0.Mul(one.Sub(offset))
	}
	return p0.Mul(one.Add(offset))
}

// splitSpreads returns bid/ask_order_level_spreads (percent) when split order levels are on: start.py turns them
// into the order_override entries of that side, in order (§1.3).
func splitSpreads(p PMMParams, side market.Side) []decimal.Decimal {
	if !p.SplitOrderLevelsEnabled {
		return nil
	}
	var spreads []decimal.Decimal
	for _, entry := range p.OrderOverride {
		if entry.Side == side {
			spreads = append(spreads, entry.SpreadPct)
		}
	}
	return spreads
}

// priceForVolume is the order book's c_get_price_for_volume: walk the side from the best level and return the
// price of the level where the cumulative amount reaches volume (the last level if it never does).
func priceForVolume(levels []BookLevel, volume decimal.Decimal) (decimal.Decimal, bool) {
	if len(levels) == 0 {
		return decimal.Zero, false
	}
	cumulative := decimal.Zero
	for _, level := range levels {
		cumulative = cumulative.Add(level.Amount)
		if cumulative.GreaterThanOrEqual(volume) {
			return level.Price, true
		}
	}
	return levels[len(levels)-1].Price, true
}

func ceilQuotient(x, quantum decimal.Decimal) decimal.Decimal {
	quo, rem := x.QuoRem(quantum, 0)
	if rem.Sign() > 0 {
		return quo.Add(one)
	}
	return quo
}

// TransactionCosts is add_transaction_costs (§1.4): buy·(1 − fee), sell·(1 + fee), floored to the tick, with the
// fee of the strategy's limit order type (maker; taker with take_if_crossed, whose orders are plain LIMIT).
func TransactionCosts(fee decimal.Decimal, q Quantizer, in Proposal) Proposal {
	qz := quantizer{q}
	out := Proposal{Buys: slices.Clone(in.Buys), Sells: slices.Clone(in.Sells)}
	buyFactor, sellFactor := one.Sub(fee), one.Add(fee)
	for i := range out.Buys {
		out.Buys[i].Price = qz.price(out.Buys[i].Price.Mul(buyFactor))
	}
	for i := range out.Sells {
		out.Sells[i].Price = qz.price(out.Sells[i].Price.Mul(sellFactor))
	}
	return out
}

// orderFee is the fee Hummingbot's c_get_fee returns for the strategy's limit order type (§1.4).
func orderFee(p PMMParams, rules MarketRules) decimal.Decimal {
	if p.TakeIfCrossed {
		return rules.TakerFee
	}
	return rules.MakerFee
}

// SkewRatios is c_apply_inventory_skew's ratio computation (§2): base and quote are the adjusted balances
// (available plus what all the strategy's own active orders lock, hanging ones included), price the reference
// price, and the range total_order_size(order_amount, order_level_amount, order_levels)·multiplier even when
// overrides define the orders (§8.3). The math is float64, as Hummingbot's.
func SkewRatios(p PMMParams, base, quote, price decimal.Decimal) (bid, ask float64) {
	baseRange := TotalOrderSize(p.OrderAmount, p.OrderLevelAmount, p.OrderLevels).Mul(p.InventoryRangeMultiplier)
	return BidAskRatios(base.InexactFloat64(), quote.InexactFloat64(), price.InexactFloat64(),
		p.InventoryTargetBasePct.InexactFloat64(), baseRange.InexactFloat64())
}

// InventorySkew multiplies every buy size by Decimal(bid) and every sell size by Decimal(ask) (the exact value of
// the float, as Python's Decimal(float)) and floors the results (§2.2 "Applying the ratios", §2.5: 0.651349, not
// 0.65135).
func InventorySkew(bid, ask float64, q Quantizer, in Proposal) Proposal {
	qz := quantizer{q}
	out := Proposal{Buys: slices.Clone(in.Buys), Sells: slices.Clone(in.Sells)}
	bidRatio, askRatio := market.ExactFromFloat(bid), market.ExactFromFloat(ask)
	for i := range out.Buys {
		out.Buys[i].Size = qz.amount(out.Buys[i].Size.Mul(bidRatio))
	}
	for i := range out.Sells {
		out.Sells[i].Size = qz.amount(out.Sells[i].Size.Mul(askRatio))
	}
	return out
}

// BudgetConstraint is c_apply_budget_constraint (§1.4). Buys are walked in order against the quote balance
// with cost size·price·(1 + fee): an order the balance cannot fully fund is shrunk to what is left and the
// balance becomes zero, so every later buy is dropped; sells do the same against the base balance without a fee.
// Entries whose size ends ≤ 0 are dropped. base and quote are the available balances plus what the non-hanging
// own orders lock; funds locked in hanging orders are not re-used.
func BudgetConstraint(base, quote, fee decimal.Decimal, q Quantizer, in Proposal) Proposal {
	qz := quantizer{q}
	out := Proposal{Buys: make([]ProposedOrder, 0, len(in.Buys)), Sells: make([]ProposedOrder, 0, len(in.Sells))}
	feeFactor := one.Add(fee)
	for _, order := range in.Buys {
		unitCost := order.Price.Mul(feeFactor)
		cost := order.Size.Mul(unitCost)
		switch {
		case quote.LessThan(cost):
			order.Size = qz.amount(quote.Div(unitCost))
			quote = decimal.Zero
		case quote.IsZero():
			order.Size = decimal.Zero
		default:
			quote = quote.Sub(cost)
		}
		if order.Size.Sign() > 0 {
			out.Buys = append(out.Buys, order)
		}
	}
	for _, order := range in.Sells {
		switch {
		case base.LessThan(order.Size):
			order.Size = qz.amount(base)
			base = decimal.Zero
		case base.IsZero():
			order.Size = decimal.Zero
		default:
			base = base.Sub(order.Size)
		}
		if order.Size.Sign() > 0 {
			out.Sells = append(out.Sells, order)
		}
	}
	return out
}

// FilterTakers is c_filter_out_takers (§1.4): keep buys priced below the best ask and sells above the best bid;
// a missing book side (zero) skips its filter.
func FilterTakers(bestBid, bestAsk decimal.Decimal, in Proposal) Proposal {
	out := in
	if bestAsk.Sign() > 0 {
		out.Buys = slices.DeleteFunc(slices.Clone(in.Buys), func(o ProposedOrder) bool { return o.Price.GreaterThanOrEqual(bestAsk) })
	}
	if bestBid.Sign() > 0 {
		out.Sells = slices.DeleteFunc(slices.Clone(in.Sells), func(o ProposedOrder) bool { return o.Price.LessThanOrEqual(bestBid) })
	}
	return out
}

// ExchangeRules is mm's last stage, beyond Hummingbot: every price is floored to the tick (order optimization
// leaves deeper levels unquantized, §1.4, and Hummingbot relies on the connector to round them) and entries below
// the exchange's minimum size or minimum notional are dropped with a reason instead of being sent and rejected
// (users.md §1 #17: a skewed order below min notional blocked a Hummingbot bot). Other levels are kept.
func ExchangeRules(rules MarketRules, q Quantizer, in Proposal) (out Proposal, dropped []string) {
	qz := quantizer{q}
	out = Proposal{Buys: make([]ProposedOrder, 0, len(in.Buys)), Sells: make([]ProposedOrder, 0, len(in.Sells))}
	keep := func(side market.Side, o ProposedOrder) bool {
		switch {
		case o.Price.Sign() <= 0:
			dropped = append(dropped, string(side)+" level "+strconv.Itoa(o.Level)+": price "+o.Price.String()+" is not positive")
		case rules.MinSize.Sign() > 0 && o.Size.LessThan(rules.MinSize):
			dropped = append(dropped, string(side)+" level "+strconv.Itoa(o.Level)+": size "+o.Size.String()+
				" is below the minimum order size "+rules.MinSize.String())
		case rules.MinNotional.Sign() > 0 && o.Size.Mul(o.Price).LessThan(rules.MinNotional):
			dropped = append(dropped, string(side)+" level "+strconv.Itoa(o.Level)+": notional "+o.Size.Mul(o.Price).String()+
				" is below the minimum notional "+rules.MinNotional.String())
		default:
			return true
		}
		return false
	}
	for _, o := range in.Buys {
		if o.Price = qz.price(o.Price); keep(market.Buy, o) {
			out.Buys = append(out.Buys, o)
		}
	}
	for _, o := range in.Sells {
		if o.Price = qz.price(o.Price); keep(market.Sell, o) {
			out.Sells = append(out.Sells, o)
		}
	}
	return out, dropped
}
