package market

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// sameRepr reports whether f is d with the same mantissa and exponent, not only the same value.
func sameRepr(f Fixed, d decimal.Decimal) bool {
	return f.Exponent() == d.Exponent() && d.Coefficient().IsInt64() && d.Coefficient().Int64() == f.Mantissa()
}

// The reference for every operation is decimal.Decimal, representation included.
func TestFixedArithmeticAgreesWithDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	random := func() Fixed {
		var m int64
		switch rng.IntN(4) {
		case 0:
			m = []int64{0, 1, -1, 10, math.MaxInt64, math.MinInt64 + 1, 1 << 53, 999_999_999_999_999_999}[rng.IntN(8)]
		case 1:
			m = rng.Int64N(2_000_000) - 1_000_000
		case 2:
			m = rng.Int64N(1<<40) - 1<<39
		default:
			m = rng.Int64() - math.MaxInt64/2
		}
		return NewFixed(m, int32(rng.IntN(41)-30))
	}
	for range 20_000 {
		f, g := random(), random()
		fd, gd := f.Decimal(), g.Decimal()
		if got, ok := FixedFromDecimalExact(fd); !ok || got != f {
			if ok || len(fd.Coefficient().String()) <= 18 {
				t.Fatalf("FixedFromDecimalExact(%v) = %v, %v", fd, got, ok)
			}
		}
		if p, ok := f.Mul(g); ok {
			if !sameRepr(p, fd.Mul(gd)) {
				t.Fatalf("%v·%v = %v, want %v", fd, gd, p, fd.Mul(gd))
			}
		} else if fd.Mul(gd).Coefficient().IsInt64() && int64(f.Exponent())+int64(g.Exponent()) == int64(int32(f.Exponent()+g.Exponent())) {
			t.Fatalf("%v·%v reported overflow, product %v fits", fd, gd, fd.Mul(gd))
		}
		if n, ok := f.Neg(); ok && !sameRepr(n, fd.Neg()) {
			t.Fatalf("−%v = %v", fd, n)
		}
		if a, ok := f.Abs(); ok && !sameRepr(a, fd.Abs()) {
			t.Fatalf("|%v| = %v", fd, a)
		}
		exp := f.Exponent() + int32(rng.IntN(25))
		if tr, ok := f.TruncateTo(exp); !ok || !sameRepr(tr, fd.Truncate(-exp)) {
			t.Fatalf("%v truncated to 10^%d = %v, want %v", fd, exp, tr, fd.Truncate(-exp))
		}
		if !g.IsZero() {
			want, _ := fd.QuoRem(gd, 0)
			if q, ok := f.QuoTrunc(g); ok {
				if !want.Equal(decimal.NewFromInt(q)) {
					t.Fatalf("⌊%v/%v⌋ = %d, want %v", fd, gd, q, want)
				}
			} else if want.Coefficient().IsInt64() && want.Exponent() == 0 && math.Abs(float64(f.Exponent()-g.Exponent())) < 18 {
				t.Fatalf("⌊%v/%v⌋ reported overflow, quotient %v fits", fd, gd, want)
			}
		}
		if got, want := f.Float64(), fd.InexactFloat64(); got != want {
			t.Fatalf("float of %v = %v, want %v", fd, got, want)
		}
	}
}

// Hummingbot's skew multiplies a size by the exact value of a float ratio and floors it (§2.2); MulFloatQuoTrunc
// must give the quotient decimal's QuoRem gives on that exact product.
func TestMulFloatQuoTruncAgreesWithDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ratios := []float64{0, 1, 2, 0.5, 0.651349, 1.348651, 1e-9, 0.1, 1.9999999999999998, 3.5}
	for range 20_000 {
		size := NewFixed(rng.Int64N(10_000_000)-1_000, int32(rng.IntN(10)-8))
		quantum := NewFixed([]int64{1, 5, 25, 10}[rng.IntN(4)], int32(rng.IntN(10)-8))
		ratio := rng.Float64() * 2
		if rng.IntN(4) == 0 {
			ratio = ratios[rng.IntN(len(ratios))]
		}
		product := size.Decimal().Mul(ExactFromFloat(ratio))
		want, _ := product.QuoRem(quantum.Decimal(), 0)
		quo, exp, ok := size.MulFloatQuoTrunc(ratio, quantum)
		if !ok {
			t.Fatalf("%v·%v/%v reported overflow", size, ratio, quantum)
		}
		if !want.Equal(decimal.NewFromInt(quo)) || exp != product.Exponent() {
			t.Fatalf("⌊%v·%v/%v⌋ = %d (exp %d), want %v (exp %d)", size, ratio, quantum, quo, exp, want,
				product.Exponent())
		}
	}
	if _, _, ok := NewFixed(1, 0).MulFloatQuoTrunc(math.NaN(), NewFixed(1, 0)); ok {
		t.Fatal("NaN ratio accepted")
	}
}
