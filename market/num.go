package market

import (
	"math"

	"github.com/shopspring/decimal"
)

// parseFixed parses plain decimal text — an optional sign, digits, optionally a point and more digits, the form
// decimal.Decimal's String writes — with the exponent decimal.NewFromString gives it (−2 for "1.50"). ok is false
// for any other form and for more significant digits than an int64 holds; decimal.NewFromString then decides.
func parseFixed(s string) (f Fixed, ok bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var m uint64
	digits, frac, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if point {
				return Fixed{}, false
			}
			point = true
			continue
		}
		if c < '0' || c > '9' {
			return Fixed{}, false
		}
		if m > (math.MaxInt64-9)/10 {
			return Fixed{}, false
		}
		m = m*10 + uint64(c-'0')
		digits++
		if point {
			frac++
		}
	}
	if digits == 0 || (point && frac == 0) || frac > math.MaxInt32 {
		return Fixed{}, false
	}
	if neg {
		return Fixed{-int64(m), int32(-frac)}, true
	}
	return Fixed{int64(m), int32(-frac)}, true
}

// Num is an exact decimal number for running sums and products: a Fixed while every result fits one, a
// decimal.Decimal from the first operation whose exact result does not. It is never rounded, so a sum of Nums
// has the value the same sum of decimal.Decimals has; only the speed differs (no allocation on the Fixed path).
// The zero value is 0.
type Num struct {
	f Fixed
	d *decimal.Decimal // non-nil: the value, which does not fit f
}

// NumOf returns f as a Num.
func NumOf(f Fixed) Num { return Num{f: f} }

// NumFromDecimal returns d as a Num, on the Fixed path when its coefficient fits.
func NumFromDecimal(d decimal.Decimal) Num {
	if f, ok := FixedFromDecimal(d); ok {
		return Num{f: f}
	}
	return bigNum(d)
}

// ParseNum parses decimal text: parseFixed when it can, decimal.NewFromString otherwise.
func ParseNum(s string) (Num, error) {
	if f, ok := parseFixed(s); ok {
		return Num{f: f}, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Num{}, err
	}
	return NumFromDecimal(d), nil
}

// Decimal returns the value as a decimal.Decimal.
func (n Num) Decimal() decimal.Decimal {
	if n.d != nil {
		return *n.d
	}
	return n.f.Decimal()
}

// Fixed returns the value as a Fixed; ok is false when it is held as a decimal.Decimal.
func (n Num) Fixed() (Fixed, bool) { return n.f, n.d == nil }

func bigNum(d decimal.Decimal) Num { return Num{d: &d} }

// Add returns n + m.
func (n Num) Add(m Num) Num {
	if n.d == nil && m.d == nil {
		if n.f.exponent == m.f.exponent {
			a, b := n.f.mantissa, m.f.mantissa
			if s := a + b; (s > a) == (b > 0) {
				return Num{f: Fixed{s, n.f.exponent}}
			}
		} else if s, ok := n.f.Add(m.f); ok {
			return Num{f: s}
		}
	}
	return bigNum(n.Decimal().Add(m.Decimal()))
}

// Sub returns n − m.
func (n Num) Sub(m Num) Num {
	if n.d == nil && m.d == nil {
		if n.f.exponent == m.f.exponent {
			a, b := n.f.mantissa, m.f.mantissa
			if s := a - b; (s < a) == (b > 0) {
				return Num{f: Fixed{s, n.f.exponent}}
			}
		} else if s, ok := n.f.Sub(m.f); ok {
			return Num{f: s}
		}
	}
	return bigNum(n.Decimal().Sub(m.Decimal()))
}

// Mul returns n·m.
func (n Num) Mul(m Num) Num {
	if n.d == nil && m.d == nil {
		if p, ok := n.f.Mul(m.f); ok {
			return Num{f: p}
		}
	}
	return bigNum(n.Decimal().Mul(m.Decimal()))
}

// Neg returns −n.
func (n Num) Neg() Num {
	if n.d == nil {
		if g, ok := n.f.Neg(); ok {
			return Num{f: g}
		}
	}
	return bigNum(n.Decimal().Neg())
}

// Abs returns |n|.
func (n Num) Abs() Num {
	if n.Sign() < 0 {
		return n.Neg()
	}
	return n
}

// Sign is −1, 0 or +1.
func (n Num) Sign() int {
	if n.d != nil {
		return n.d.Sign()
	}
	return n.f.Sign()
}

// IsZero reports whether n is 0.
func (n Num) IsZero() bool { return n.Sign() == 0 }

// Cmp compares values: −1, 0 or +1.
func (n Num) Cmp(m Num) int {
	if n.d == nil && m.d == nil {
		return n.f.Cmp(m.f)
	}
	return n.Decimal().Cmp(m.Decimal())
}

// Equal reports whether n and m have the same value.
func (n Num) Equal(m Num) bool { return n.Cmp(m) == 0 }

// String formats the value like decimal.Decimal's String.
func (n Num) String() string { return n.Decimal().String() }
