package market

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// The operations below let a hot path (the strategy tick) do its money arithmetic in Fixed and still give
// exactly what decimal.Decimal gives, representation included: every result has the mantissa and exponent the
// decimal operation would have (Mul adds exponents, TruncateTo rescales like decimal's Truncate), so converting
// back with Decimal prints and compares identically. As everywhere in Fixed, nothing is rounded: a result that
// does not fit reports ok false and the caller does the step in decimal.Decimal.

// FixedFromDecimalExact converts d keeping its exact representation (mantissa and exponent) and allocates
// nothing; ok is false when d's coefficient does not fit an int64 (FixedFromDecimal would drop trailing zeros
// then, changing the representation).
func FixedFromDecimalExact(d decimal.Decimal) (f Fixed, ok bool) {
	// NumDigits reads the coefficient in place (Coefficient copies it); 18 digits always fit an int64.
	if d.NumDigits() > 18 {
		return Fixed{}, false
	}
	return Fixed{d.CoefficientInt64(), d.Exponent()}, true
}

// Neg returns −f; ok is false only for the most negative mantissa.
func (f Fixed) Neg() (Fixed, bool) {
	if f.mantissa == math.MinInt64 {
		return Fixed{}, false
	}
	return Fixed{-f.mantissa, f.exponent}, true
}

// Abs returns |f|; ok is false only for the most negative mantissa.
func (f Fixed) Abs() (Fixed, bool) {
	if f.mantissa < 0 {
		return f.Neg()
	}
	return f, true
}

// Mul returns f·g at the exponent f's + g's, as decimal.Decimal's Mul; ok is false when the product does not fit.
func (f Fixed) Mul(g Fixed) (Fixed, bool) {
	exp := int64(f.exponent) + int64(g.exponent)
	if exp != int64(int32(exp)) {
		return Fixed{}, false
	}
	hi, lo := bits.Mul64(absUint(f.mantissa), absUint(g.mantissa))
	m, ok := signed(hi, lo, (f.mantissa < 0) != (g.mantissa < 0))
	return Fixed{m, int32(exp)}, ok
}

// TruncateTo returns f at the exponent exp ≥ f's, truncating toward zero like decimal.Decimal's rescale (and so
// its Truncate). ok is false when exp is below f's exponent.
func (f Fixed) TruncateTo(exp int32) (Fixed, bool) {
	if exp < f.exponent {
		return Fixed{}, false
	}
	n := int64(exp) - int64(f.exponent)
	if n >= int64(len(pow10)) {
		return Fixed{0, exp}, true // |mantissa| < 10^19 ≤ 10^n
	}
	return Fixed{f.mantissa / pow10[n], exp}, true
}

// QuoTrunc returns the integer quotient f/g truncated toward zero, decimal.Decimal's QuoRem(g, 0); ok is false
// when g is zero or the quotient does not fit.
func (f Fixed) QuoTrunc(g Fixed) (int64, bool) {
	if g.mantissa == 0 {
		return 0, false
	}
	// |f|/|g| = |fm|·10^(fe−ge) / |gm|: scale whichever side carries the larger exponent.
	num, den := absUint(f.mantissa), absUint(g.mantissa)
	var hi, lo uint64
	switch d := int64(f.exponent) - int64(g.exponent); {
	case d >= 0:
		if d >= int64(len(pow10)) {
			if num == 0 {
				return 0, true
			}
			return 0, false
		}
		hi, lo = bits.Mul64(num, uint64(pow10[d]))
	default:
		if -d >= int64(len(pow10)) {
			return 0, true // |fm| < 10^19 ≤ 10^−d·|gm|
		}
		dh, dl := bits.Mul64(den, uint64(pow10[-d]))
		if dh != 0 {
			return 0, true // the denominator exceeds any uint64 numerator
		}
		hi, lo, den = 0, num, dl
	}
	q, ok := quo128(hi, lo, den)
	if !ok {
		return 0, false
	}
	return signed(0, q, (f.mantissa < 0) != (g.mantissa < 0))
}

// MulFloatQuoTrunc returns trunc(f·x/q) for x the exact value of the float64 ratio (Python's Decimal(float),
// ExactFromFloat), with the exponent that product would have: Hummingbot multiplies sizes by Decimal(ratio)
// and floors the result to the size quantum (reference/hummingbot.md §2.2). x = mant·2^−k is m·5^k·10^−k in
// decimal, so f·x/q = fm·mant·10^(fe−qe) / (qm·2^k), exact in 128-bit integers. productExp is fe − k, the
// exponent of decimal's f·ExactFromFloat(ratio) before quantizing. ok is false for NaN, infinities, ratios of 2^53
// and more (their decimal has exponent 0), a non-positive q, and results that do not fit.
func (f Fixed) MulFloatQuoTrunc(ratio float64, q Fixed) (quo int64, productExp int32, ok bool) {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) || q.mantissa <= 0 {
		return 0, 0, false
	}
	if ratio == 0 {
		return 0, f.exponent, true // ExactFromFloat(0) is 0 at exponent 0; decimal's product keeps f's exponent
	}
	frac, exp2 := math.Frexp(ratio)
	mant := int64(math.Ldexp(frac, 53))
	exp2 -= 53
	if exp2 >= 0 {
		return 0, 0, false
	}
	k := int64(-exp2)
	if pe := int64(f.exponent) - k; pe == int64(int32(pe)) {
		productExp = int32(pe)
	} else {
		return 0, 0, false
	}
	hi, lo := bits.Mul64(absUint(f.mantissa), absUint(mant))
	switch d := int64(f.exponent) - int64(q.exponent); {
	case d > 0:
		if d >= int64(len(pow10)) {
			return 0, 0, false
		}
		var carry uint64
		carry, hi, lo = mul128(hi, lo, uint64(pow10[d]))
		if carry != 0 {
			return 0, 0, false
		}
	case d < 0:
		if -d >= int64(len(pow10)) {
			hi, lo = 0, 0
		} else {
			hi, lo = div128(hi, lo, uint64(pow10[-d]))
		}
	}
	// Floors of floors compose for non-negative integers: ⌊⌊N/2^k⌋/qm⌋ = ⌊N/(2^k·qm)⌋.
	switch {
	case k >= 128:
		hi, lo = 0, 0
	case k >= 64:
		hi, lo = 0, hi>>(k-64)
	default:
		lo = lo>>k | hi<<(64-k)
		hi >>= k
	}
	u, ok := quo128(hi, lo, uint64(q.mantissa))
	if !ok {
		return 0, 0, false
	}
	quo, ok = signed(0, u, (f.mantissa < 0) != (mant < 0))
	return quo, productExp, ok
}

// Float64 returns the float64 nearest to f, the value decimal.Decimal's InexactFloat64 gives: one exact
// operation on exact operands when the mantissa has at most 53 bits and the power of ten at most 22 (then the
// division or product is correctly rounded), otherwise through decimal.Decimal.
func (f Fixed) Float64() float64 {
	if f.mantissa >= -1<<53 && f.mantissa <= 1<<53 {
		switch {
		case f.exponent == 0:
			return float64(f.mantissa)
		case f.exponent < 0 && f.exponent >= -22:
			return float64(f.mantissa) / float64Pow10[-f.exponent]
		case f.exponent > 0 && f.exponent <= 22:
			return float64(f.mantissa) * float64Pow10[f.exponent]
		}
	}
	return f.Decimal().InexactFloat64()
}

var float64Pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// signed returns the 128-bit magnitude hi:lo with the given sign as an int64, ok false when it does not fit.
func signed(hi, lo uint64, negative bool) (int64, bool) {
	if hi != 0 {
		return 0, false
	}
	if negative {
		if lo > 1<<63 {
			return 0, false
		}
		return -int64(lo), true // lo = 2^63 wraps to MinInt64, which is right
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// quo128 returns ⌊hi:lo / d⌋ when it fits a uint64.
func quo128(hi, lo, d uint64) (uint64, bool) {
	if hi >= d {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, d)
	return q, true
}

// div128 returns ⌊hi:lo / d⌋ as 128 bits.
func div128(hi, lo, d uint64) (qhi, qlo uint64) {
	qhi, r := hi/d, hi%d
	qlo, _ = bits.Div64(r, lo, d)
	return qhi, qlo
}

// mul128 returns hi:lo·m as 192 bits carry:hi:lo.
func mul128(hi, lo, m uint64) (carry, rhi, rlo uint64) {
	h1, l1 := bits.Mul64(lo, m)
	h2, l2 := bits.Mul64(hi, m)
	rhi, c := bits.Add64(h1, l2, 0)
	return h2 + c, rhi, l1
}

// IsMultipleOf reports whether f is a whole multiple of q (q ≠ 0), as decimal.Decimal's f.Mod(q).IsZero();
// ok is false when the two cannot be aligned to one exponent in an int64 or q is zero.
func (f Fixed) IsMultipleOf(q Fixed) (multiple, ok bool) {
	a, b, _, ok := align(f, q)
	if !ok || b == 0 {
		return false, false
	}
	return a%b == 0, true
}
