package market

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Fixed is an exact decimal number mantissa·10^exponent held in an int64 and an int32: no heap and no pointer,
// so creating, copying and comparing one costs a few integer instructions, where a decimal.Decimal costs two
// allocations (its big.Int) and a pointer chase per comparison. The replay feed uses it for every price and size
// of its events and its order book (plugins/paper/feed), the hot path of a backtest; money arithmetic converts
// to decimal.Decimal with Decimal. Fixed is never rounded: an operation whose exact result does not fit an int64
// mantissa reports it (ok false) and the caller falls back to decimal.Decimal or fails.
//
// The zero value is 0. Two Fixed values with different exponents may be equal (1.5 and 1.50); Cmp and Equal
// compare values, == compares representations.
type Fixed struct {
	mantissa int64
	exponent int32
}

// NewFixed returns mantissa·10^exponent.
func NewFixed(mantissa int64, exponent int32) Fixed {
	return Fixed{mantissa: mantissa, exponent: exponent}
}

// FixedFromDecimal converts d exactly, keeping its exponent when the coefficient fits an int64 and otherwise
// dropping trailing zeros until it does; ok is false when d has too many significant digits.
func FixedFromDecimal(d decimal.Decimal) (f Fixed, ok bool) {
	c, exp := d.Coefficient(), d.Exponent() // Coefficient is a copy
	if c.IsInt64() {
		return Fixed{c.Int64(), exp}, true
	}
	ten, rem := big.NewInt(10), new(big.Int)
	for !c.IsInt64() {
		if c.QuoRem(c, ten, rem); rem.Sign() != 0 {
			return Fixed{}, false
		}
		exp++
	}
	return Fixed{c.Int64(), exp}, true
}

// Mantissa is the integer m of m·10^exponent.
func (f Fixed) Mantissa() int64 { return f.mantissa }

// Exponent is the power of ten of the mantissa: −8 for 61837.63000000 parsed with its eight decimals.
func (f Fixed) Exponent() int32 { return f.exponent }

// Decimal converts f to a decimal.Decimal with the same mantissa and exponent (one big.Int allocation).
func (f Fixed) Decimal() decimal.Decimal { return decimal.New(f.mantissa, f.exponent) }

// Sign is −1, 0 or +1.
func (f Fixed) Sign() int {
	switch {
	case f.mantissa < 0:
		return -1
	case f.mantissa > 0:
		return 1
	}
	return 0
}

// IsZero reports whether f is 0, whatever its exponent.
func (f Fixed) IsZero() bool { return f.mantissa == 0 }

// Equal reports whether f and g have the same value (1.5 equals 1.50).
func (f Fixed) Equal(g Fixed) bool { return f.Cmp(g) == 0 }

// Cmp compares values: −1 if f < g, 0 if equal, +1 if f > g. It is exact for every pair, including exponents
// far apart.
func (f Fixed) Cmp(g Fixed) int {
	if f.exponent == g.exponent {
		return cmpInt(f.mantissa, g.mantissa)
	}
	return f.cmpScaled(g)
}

func (f Fixed) cmpScaled(g Fixed) int {
	if f.exponent < g.exponent {
		return -g.Cmp(f)
	}
	// f has the larger exponent: bring it to g's. If that overflows, |f| exceeds any int64 at g's exponent,
	// so f's sign decides (f is not zero then, since 0 always scales).
	scaled, ok := scale(f.mantissa, f.exponent-g.exponent)
	if !ok {
		return f.Sign()
	}
	return cmpInt(scaled, g.mantissa)
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// Add returns f + g at the smaller of the two exponents; ok is false when the exact sum does not fit.
func (f Fixed) Add(g Fixed) (sum Fixed, ok bool) {
	a, b, exp, ok := align(f, g)
	if !ok {
		return Fixed{}, false
	}
	s := a + b
	if (s > a) != (b > 0) { // signed overflow
		return Fixed{}, false
	}
	return Fixed{s, exp}, true
}

// Sub returns f − g at the smaller of the two exponents; ok is false when the exact difference does not fit.
func (f Fixed) Sub(g Fixed) (diff Fixed, ok bool) {
	if g.mantissa == math.MinInt64 {
		return Fixed{}, false
	}
	return f.Add(Fixed{-g.mantissa, g.exponent})
}

// align returns both mantissas at the smaller exponent.
func align(f, g Fixed) (a, b int64, exp int32, ok bool) {
	switch {
	case f.exponent == g.exponent:
		return f.mantissa, g.mantissa, f.exponent, true
	case f.exponent > g.exponent:
		a, ok = scale(f.mantissa, f.exponent-g.exponent)
		return a, g.mantissa, g.exponent, ok
	}
	b, ok = scale(g.mantissa, g.exponent-f.exponent)
	return f.mantissa, b, f.exponent, ok
}

var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// scale returns m·10^n for n ≥ 0, ok false on overflow.
func scale(m int64, n int32) (int64, bool) {
	if m == 0 {
		return 0, true
	}
	if n < 0 || n >= int32(len(pow10)) || m == math.MinInt64 {
		return 0, false
	}
	abs := uint64(m)
	if m < 0 {
		abs = uint64(-m)
	}
	hi, lo := bits.Mul64(abs, uint64(pow10[n]))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if m < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

// String formats f like decimal.Decimal's String: plain digits, no exponent, no trailing fractional zeros
// (61837.63000000 prints as 61837.63), so the two print the same value identically.
func (f Fixed) String() string {
	var buf [48]byte
	return string(f.AppendText(buf[:0]))
}

func absUint(m int64) uint64 {
	if m < 0 {
		return uint64(-(m + 1)) + 1
	}
	return uint64(m)
}

// AppendText appends String's text of f to b, without allocating when b has room.
func (f Fixed) AppendText(b []byte) []byte {
	if f.mantissa == 0 {
		return append(b, '0')
	}
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], absUint(f.mantissa), 10)
	if f.mantissa < 0 {
		b = append(b, '-')
	}
	if f.exponent >= 0 {
		b = append(b, d...)
		for range f.exponent {
			b = append(b, '0')
		}
		return b
	}
	intDigits := len(d) + int(f.exponent) // digits before the point; ≤ 0 when |f| < 1
	end := len(d)
	for end > max(intDigits, 0) && d[end-1] == '0' {
		end-- // trailing fractional zeros
	}
	if intDigits <= 0 {
		b = append(b, '0')
	} else {
		b = append(b, d[:intDigits]...)
	}
	if end > max(intDigits, 0) {
		b = append(b, '.')
		for range -intDigits { // zeros between the point and the first digit
			b = append(b, '0')
		}
		b = append(b, d[max(intDigits, 0):end]...)
	}
	return b
}

// DecimalText is d.String() (the journal's canonical decimal text) with one allocation when d fits a Fixed:
// decimal's own String formats through big.Int and allocates several times.
func DecimalText(d decimal.Decimal) string {
	f, ok := FixedFromDecimalExact(d)
	if !ok {
		return d.String()
	}
	return f.String()
}
