package analysis

import (
	"github.com/shopspring/decimal"
)

var (
	d10000 = decimal.NewFromInt(10000)
	d100   = decimal.NewFromInt(100)
	d1     = decimal.NewFromInt(1)
	d001   = decimal.New(1, -2)
	d00001 = decimal.New(1, -4)
)

// SmartRound is Hummingbot's smart_round (reference/hummingbot.md §4.3): with a precision (≥ 0) it rounds to
// that many decimals half-to-even (Decimal.quantize); without one (precision < 0) it truncates toward zero to a
// step chosen by magnitude. The boundaries are exclusive, so exactly 1, 100 and everything ≥ 10000 use step 1.
// The result keeps the step's scale, as Python's Decimal does ("9221.0", not "9221"); format it with
// FormatRounded.
func SmartRound(v decimal.Decimal, precision int32) decimal.Decimal {
	if precision >= 0 {
		return v.RoundBank(precision)
	}
	step := smartStep(v.Abs())
	// Decimal // step truncates toward zero; Truncate(0) on the quotient does the same for both signs.
	return v.Div(step).Truncate(0).Mul(step)
}

func smartStep(abs decimal.Decimal) decimal.Decimal {
	switch {
	case abs.GreaterThan(d100) && abs.LessThan(d10000):
		return decimal.New(1, -1)
	case abs.GreaterThan(d1) && abs.LessThan(d100):
		return decimal.New(1, -2)
	case abs.GreaterThan(d001) && abs.LessThan(d1):
		return decimal.New(1, -4)
	case abs.GreaterThan(d00001) && abs.LessThan(d001):
		return decimal.New(1, -5)
	case abs.Sign() > 0 && abs.LessThan(d00001):
		return decimal.New(1, -8)
	}
	return d1
}

// FormatRounded prints v as SmartRound leaves it: with the step's (or the precision's) number of decimals.
func FormatRounded(v decimal.Decimal, precision int32) string {
	places := precision
	if precision < 0 {
		places = max(-smartStep(v.Abs()).Exponent(), 0)
	}
	return SmartRound(v, precision).StringFixed(places)
}

// FormatPercent prints a fraction as Python's "{:.2%}" does for a Decimal: times 100, two decimals, half-even.
func FormatPercent(fraction decimal.Decimal) string {
	return fraction.Mul(d100).StringFixedBank(2) + "%"
}

// divSignificant divides like Python's decimal module under its default context: the quotient rounded
// half-to-even to 28 significant digits. Hummingbot's ratios and return % are computed that way, so the JSON
// output can be compared digit for digit with ../shared/vectors (perf_spot return_pct).
func divSignificant(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return decimal.Zero // Hummingbot's divide(x, 0) returns 0
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
	places := significant - (digits + q.Exponent())
	return q.RoundBank(places)
}
