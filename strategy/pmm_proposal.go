package strategy

import (
	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

var one = decimal.NewFromInt(1)

// ProposedOrder is one entry of a proposal (Hummingbot's PriceSize) with the level it was built for.
type ProposedOrder struct {
	Level int
	Price decimal.Decimal
	Size  decimal.Decimal
}

// Proposal is the list of buys and sells a tick wants on the book, each ordered from closest to farthest from
// the reference price (§1.3). Stages never modify a proposal in place: each returns a new one, so the explain
// trace can keep every stage's input and output.
type Proposal struct {
	Buys  []ProposedOrder
	Sells []ProposedOrder
}

// RefPrice is the reference price of one tick: Price is get_price() (price_type with its fallback to the mid),
// BuyRef/SellRef the references of the base proposal (§1.3).
type RefPrice struct {
	Price   decimal.Decimal
	BuyRef  decimal.Decimal
	SellRef decimal.Decimal
}

// ReferencePrice is Hummingbot's get_price(): the value price_type selects; last_own_trade_price uses the last
// completely filled own order and inventory_cost the mid; a missing value (NaN in Hummingbot) falls back to the
// mid (§1.3).
func ReferencePrice(p PMMParams, s PMMState, m MarketSnapshot) decimal.Decimal {
	var price decimal.Decimal
	switch p.PriceType {
	case PriceBestBid:
		price = m.BestBid
	case PriceBestAsk:
		price = m.BestAsk
	case PriceLast:
		price = m.LastTrade
	case PriceLastOwnTrade:
		if s.LastOwnTradePrice.Valid {
			price = s.LastOwnTradePrice.Decimal
		}
	}
	if price.Sign() <= 0 {
		return m.Mid
	}
	return price
}

// BaseRefs returns the base proposal's buy and sell references: both the reference price, except that with
// price_type inventory_cost sells are never priced below cost, sell_ref = max(cost, price) (§1.3). Hummingbot
// raises when there is no cost record but the base balance is positive; ok = false reports that case, and Tick
// then builds no proposal.
func BaseRefs(p PMMParams, price decimal.Decimal, m MarketSnapshot) (ref RefPrice, ok bool) {
	ref = RefPrice{Price: price, BuyRef: price, SellRef: price}
	if p.PriceType != PriceInventoryCost {
		return ref, true
	}
	if m.InventoryCost.Valid {
		ref.SellRef = decimal.Max(m.InventoryCost.Decimal, price)
		return ref, true
	}
	return ref, m.Balances.BaseTotal.Sign() <= 0
}

// BaseProposal is c_create_base_proposal (§1.3): the order_override entries when there are any (split order
// levels arrive as overrides), otherwise order_levels levels per side with bid_i = buy_ref·(1 − bid_spread −
// i·order_level_spread), ask_i = sell_ref·(1 + ask_spread + i·order_level_spread) and size_i = order_amount +
// i·order_level_amount, prices and sizes floored; a level is kept only if its size is positive.
func BaseProposal(p PMMParams, ref RefPrice, q Quantizer) Proposal {
	qz := quantizer{q}
	if len(p.OrderOverride) > 0 {
		return overrideProposal(p, ref, qz)
	}
	prop := Proposal{
		Buys:  make([]ProposedOrder, 0, p.OrderLevels),
		Sells: make([]ProposedOrder, 0, p.OrderLevels),
	}
	size := p.OrderAmount
	bidOffset, askOffset := p.BidSpread, p.AskSpread
	for level := range p.OrderLevels {
		if level > 0 {
			size = size.Add(p.OrderLevelAmount)
			bidOffset = bidOffset.Add(p.OrderLevelSpread)
			askOffset = askOffset.Add(p.OrderLevelSpread)
		}
		quantized := qz.amount(size)
		if quantized.Sign() <= 0 {
			continue
		}
		if ref.BuyRef.Sign() > 0 {
			price := qz.price(ref.BuyRef.Mul(one.Sub(bidOffset)))
			prop.Buys = append(prop.Buys, ProposedOrder{Level: level, Price: price, Size: quantized})
		}
		if ref.SellRef.Sign() > 0 {
			price := qz.price(ref.SellRef.Mul(one.Add(askOffset)))
			prop.Sells = append(prop.Sells, ProposedOrder{Level: level, Price: price, Size: quantized})
		}
	}
	return prop
}

// overrideProposal builds the proposal from order_override: buy price = buy_ref·(1 − spread/100), sell price =
// sell_ref·(1 + spread/100), spreads in percent as Hummingbot keeps them; an entry is kept if both its floored
// size and price are positive (§1.3). Levels count per side in the entries' order.
func overrideProposal(p PMMParams, ref RefPrice, qz quantizer) Proposal {
	var prop Proposal
	for _, entry := range p.OrderOverride {
		spread := entry.SpreadPct.Div(hundred)
		var price decimal.Decimal
		if entry.Side == market.Buy {
			price = qz.price(ref.BuyRef.Mul(one.Sub(spread)))
		} else {
			price = qz.price(ref.SellRef.Mul(one.Add(spread)))
		}
		size := qz.amount(entry.Amount)
		if size.Sign() <= 0 || price.Sign() <= 0 {
			continue
		}
		if entry.Side == market.Buy {
			prop.Buys = append(prop.Buys, ProposedOrder{Level: len(prop.Buys), Price: price, Size: size})
		} else {
			prop.Sells = append(prop.Sells, ProposedOrder{Level: len(prop.Sells), Price: price, Size: size})
		}
	}
	return prop
}
