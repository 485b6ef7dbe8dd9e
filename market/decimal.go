package market

import (
	"math"
	"math/big"

	"github.com/shopspring/decimal"
)

// FloorToStep rounds x down to a whole multiple of step, the way exchanges and Hummingbot's quantize_order_amount
// do (reference/hummingbot.md §7: "quantize by flooring"). A zero or negative step leaves x unchanged.
func FloorToStep(x, step decimal.Decimal) decimal.Decimal {
	if step.Sign() <= 0 {
		return x
	}
	return x.Div(step).Floor().Mul(step)
}

// FloorSignificant rounds a positive x down to the given number of significant digits, but never to a quantum
// finer than 10^-decimals. It is the quantization of Hummingbot's mock and paper markets
// (quantum = max(10^(ceil(log10 x) − precision), 10^−decimals), reference/hummingbot.md §7).
func FloorSignificant(x decimal.Decimal, precision, decimals int32) decimal.Decimal {
	if x.Sign() <= 0 {
		return decimal.Zero
	}
	// ceil(log10 x) from the decimal's digits: x = coef·10^exp with len(coef) digits, so
	// log10 x lies in [len+exp−1, len+exp); it equals len+exp−1 exactly only for a power of ten.
	coef := x.Coefficient()
	digits := int32(len(coef.String()))
	ceilLog := digits + x.Exponent()
	if isPowerOfTen(coef) {
		ceilLog--
	}
	exp := max(ceilLog-precision, -decimals)
	quantum := decimal.New(1, exp)
	return x.Div(quantum).Floor().Mul(quantum)
}

func isPowerOfTen(n *big.Int) bool {
	s := n.String()
	if s[0] != '1' {
		return false
	}
	for _, c := range s[1:] {
		if c != '0' {
			return false
		}
	}
	return true
}

// ExactFromFloat converts a float64 to the decimal with exactly the same value, as Python's Decimal(float) does.
// Hummingbot multiplies sizes by Decimal(ratio) (reference/hummingbot.md §2.2 "Applying the ratios"), so the binary
// artefacts of the float ratio survive into the size and flooring then shows them (0.651349, not 0.65135, §2.5).
// decimal.NewFromFloat would round to the shortest representation instead. NaN and ±Inf give zero.
func ExactFromFloat(f float64) decimal.Decimal {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return decimal.Zero
	}
	frac, exp2 := math.Frexp(f) // f = frac · 2^exp2, 0.5 ≤ |frac| < 1
	mant := int64(math.Ldexp(frac, 53))
	exp2 -= 53
	m := big.NewInt(mant)
	if exp2 >= 0 {
		m.Lsh(m, uint(exp2))
		return decimal.NewFromBigInt(m, 0)
	}
	// m·2^e with e < 0 equals m·5^−e · 10^e: multiply by 5^−e and shift the decimal point.
	five := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(-exp2)), nil)
	m.Mul(m, five)
	return decimal.NewFromBigInt(m, int32(exp2))
}
