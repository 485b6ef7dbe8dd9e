package strategy

import "github.com/shopspring/decimal"

// KillSwitchReturn is the return the kill switch compares with its rate, as a fraction (−0.05 is −5 %): the
// return % of `mm history` (analysis.ComputeMarketHistory, Hummingbot's PerformanceMetrics,
// reference/hummingbot.md §4.3) for one market with recorded start balances:
//
//	hold value    = startBase·price + startQuote   (holding the start balances, valued at today's price)
//	current value = curBase·price + curQuote
//	total P&L     = current value − hold value     (recorded balances already paid the fees)
//	return        = total P&L / hold value, 0 when hold value is 0
//
// With no fills since the start the return is 0, as Hummingbot's profitability is with no trades (users.md
// HB #1145). The division rounds like Hummingbot's Decimal context and mm history: 28 significant digits, half
// to even; analysis/killswitch_crosscheck_test.go checks that both give the same number.
func KillSwitchReturn(startBase, startQuote, curBase, curQuote, price decimal.Decimal, fills int) decimal.Decimal {
	if fills == 0 {
		return decimal.Zero
	}
	hold := startBase.Mul(price).Add(startQuote)
	current := curBase.Mul(price).Add(curQuote)
	return divContext28(current.Sub(hold), hold)
}

// divContext28 divides like Python's Decimal under the default context (28 significant digits, half to even),
// with Hummingbot's divide(x, 0) = 0. It is analysis.divSignificant, which strategy cannot import.
func divContext28(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return decimal.Zero
	}
	const significant = 28
	q := a.DivRound(b, 60)
	if q.IsZero() {
		return q
	}
	digits := int32(len(q.Coefficient().String()))
	if q.Coefficient().Sign() < 0 {
		digits-- // the minus sign
	}
	return q.RoundBank(significant - (digits + q.Exponent()))
}
