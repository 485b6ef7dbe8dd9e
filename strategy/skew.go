// Package strategy is mm's quoting engine: pure functions from state to actions. It performs no I/O, starts no
// goroutines and never reads the wall clock, so a replay gives the same orders byte for byte and every stage can be
// table-tested against the reference (../shared/reference/hummingbot.md).
package strategy

import (
	"github.com/shopspring/decimal"
)

// TotalOrderSize is Hummingbot's calculate_total_order_size: the base amount of one full set of orders on both
// sides, S = 2·(n·a₀ + n·(n−1)/2·Δ) (reference/hummingbot.md §2.1). Hummingbot always derives the inventory range
// from these three parameters, even when order_override or split levels define the orders (§8.3).
func TotalOrderSize(orderAmount, orderLevelAmount decimal.Decimal, orderLevels int) decimal.Decimal {
	n := decimal.NewFromInt(int64(orderLevels))
	triangle := decimal.NewFromInt(int64(orderLevels) * int64(orderLevels-1) / 2)
	return n.Mul(orderAmount).Add(triangle.Mul(orderLevelAmount)).Mul(decimal.NewFromInt(2))
}

// BidAskRatios is Hummingbot's c_calculate_bid_ask_ratios_from_base_asset_ratio, reproduced in float64 as the
// reference computes it (reference/hummingbot.md §2.2), so sizes floor to the same quantum as Hummingbot's
// (0.651349, not 0.65135, §2.5).
//
// base and quote are balances, price is the reference price, targetBaseRatio the target share of portfolio value
// held in base as a fraction (0.5 for 50 %), and baseRange the half-width of the band in base units
// (total order size × inventory_range_multiplier). Every buy level is scaled by bid and every sell level by ask.
// An empty portfolio or a non-positive range gives (0, 0): no orders at all, not (1, 1) (§2.3).
func BidAskRatios(base, quote, price, targetBaseRatio, baseRange float64) (bid, ask float64) {
	portfolioValue := base*price + quote
	if portfolioValue <= 0 || baseRange <= 0 {
		return 0, 0
	}
	baseValue := base * price
	// Hummingbot caps the range at half the portfolio value and clamps the lower limit at zero (§2.2 step 3).
	rangeValue := min(baseRange*price, portfolioValue*0.5)
	targetValue := portfolioValue * targetBaseRatio
	lowerLimit := max(targetValue-rangeValue, 0)
	upperLimit := targetValue + rangeValue

	if baseValue < targetValue {
		leftRatio := interp(baseValue, lowerLimit, targetValue, 0, 0.5)
		bid = interp(leftRatio, 0, 0.5, 2, 1)
	} else {
		rightRatio := interp(baseValue, targetValue, upperLimit, 0.5, 1)
		bid = interp(rightRatio, 0.5, 1, 1, 0)
	}
	return bid, 2 - bid
}

// interp is numpy.interp for two points, including its exact float operations and edge rules: it clamps to the
// end values outside [x0, x1], returns y1 at x1 and y0 at x0, and otherwise evaluates slope·(x − x0) + y0 with
// slope = (y1 − y0)/(x1 − x0), retrying from the right end if that gives NaN (numpy compiled_base.c, arr_interp).
func interp(x, x0, x1, y0, y1 float64) float64 {
	switch {
	case x > x1:
		return y1
	case x < x0:
		return y0
	case x == x1:
		return y1
	case x == x0:
		return y0
	}
	slope := (y1 - y0) / (x1 - x0)
	y := slope*(x-x0) + y0
	if y != y { // NaN
		y = slope*(x-x1) + y1
		if y != y && y0 == y1 {
			y = y0
		}
	}
	return y
}
