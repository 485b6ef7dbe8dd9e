package strategy

import (
	"github.com/shopspring/decimal"
)

// Quantizer gives the price and amount quanta of a market. Prices and amounts are floored to them, as
// exchanges and Hummingbot's quantize_order_price/quantize_order_amount do (reference/hummingbot.md §7).
type Quantizer interface {
	PriceQuantum(price decimal.Decimal) decimal.Decimal
	AmountQuantum(amount decimal.Decimal) decimal.Decimal
}

// TickStep is an exchange's fixed tick and step size. A zero or negative quantum leaves values unchanged.
type TickStep struct {
	Tick, Step decimal.Decimal
}

// PriceQuantum returns the tick.
func (q TickStep) PriceQuantum(decimal.Decimal) decimal.Decimal { return q.Tick }

// AmountQuantum returns the step.
func (q TickStep) AmountQuantum(decimal.Decimal) decimal.Decimal { return q.Step }

// SignificantDigits is the quantization of Hummingbot's mock and paper markets (QuantizationParams):
// quantum = max(10^(ceil(log10 x) − precision), 10^−decimals) (§7). The vectors in
// ../shared/vectors/hummingbot.json were produced with precision 6 and 6 decimals for both prices and sizes.
type SignificantDigits struct {
	PricePrecision, PriceDecimals int32
	SizePrecision, SizeDecimals   int32
}

// PriceQuantum is Hummingbot's mock c_get_order_price_quantum.
func (q SignificantDigits) PriceQuantum(price decimal.Decimal) decimal.Decimal {
	return significantQuantum(price, q.PricePrecision, q.PriceDecimals)
}

// AmountQuantum is Hummingbot's mock c_get_order_size_quantum.
func (q SignificantDigits) AmountQuantum(amount decimal.Decimal) decimal.Decimal {
	return significantQuantum(amount, q.SizePrecision, q.SizeDecimals)
}

func significantQuantum(x decimal.Decimal, precision, decimals int32) decimal.Decimal {
	if x.Sign() <= 0 {
		return decimal.New(1, -decimals)
	}
	// ceil(log10 x) from the digits: x = coef·10^exp, log10 x lies in [len+exp−1, len+exp), and equals the lower
	// end exactly only for a power of ten.
	coef := x.Coefficient().String()
	ceilLog := int32(len(coef)) + x.Exponent()
	if isPowerOfTenDigits(coef) {
		ceilLog--
	}
	return decimal.New(1, max(ceilLog-precision, -decimals))
}

func isPowerOfTenDigits(s string) bool {
	if s == "" || s[0] != '1' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// floorToQuantum floors a non-negative x to a multiple of quantum; negative values truncate toward zero, which
// only ever happens to sizes and prices the pipeline drops afterwards (kept only if > 0, §1.3). It uses an exact
// integer quotient (cheaper than Div, which rounds to 16 digits first) and, for a power-of-ten quantum, a plain
// truncation.
func floorToQuantum(x, quantum decimal.Decimal) decimal.Decimal {
	if quantum.Sign() <= 0 {
		return x
	}
	if quantum.CoefficientInt64() == 1 && quantum.Exponent() <= 0 {
		return x.Truncate(-quantum.Exponent())
	}
	quo, _ := x.QuoRem(quantum, 0)
	return quo.Mul(quantum)
}

// quantizer is the snapshot's quantizer with the price/amount floor helpers.
type quantizer struct{ q Quantizer }

func newQuantizer(m *MarketSnapshot) quantizer {
	if m.Quantizer != nil {
		return quantizer{m.Quantizer}
	}
	return quantizer{TickStep{Tick: m.Rules.Tick, Step: m.Rules.Step}}
}

func (q quantizer) price(p decimal.Decimal) decimal.Decimal {
	return floorToQuantum(p, q.q.PriceQuantum(p))
}

func (q quantizer) amount(a decimal.Decimal) decimal.Decimal {
	return floorToQuantum(a, q.q.AmountQuantum(a))
}
