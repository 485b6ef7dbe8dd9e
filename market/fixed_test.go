package market

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// The reference for every Fixed operation is decimal.Decimal on the same value.
func TestFixedAgreesWithDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mantissas := []int64{0, 1, -1, 5, 10, 61837_63000000, -61837_63000000, math.MaxInt64, math.MinInt64 + 1,
		math.MaxInt64 / 10, 999_999_999_999_999_999}
	random := func() Fixed {
		var m int64
		switch rng.IntN(3) {
		case 0:
			m = mantissas[rng.IntN(len(mantissas))]
		case 1:
			m = rng.Int64N(2_000_000) - 1_000_000
		default:
			m = rng.Int64() - math.MaxInt64/2
		}
		return NewFixed(m, int32(rng.IntN(45)-30))
	}
	for range 20_000 {
		f, g := random(), random()
		fd, gd := f.Decimal(), g.Decimal()
		if got, want := f.Cmp(g), fd.Cmp(gd); got != want {
			t.Fatalf("%v.Cmp(%v) = %d, want %d", fd, gd, got, want)
		}
		if got, want := f.String(), fd.String(); got != want {
			t.Fatalf("String of %d·10^%d = %q, want %q", f.Mantissa(), f.Exponent(), got, want)
		}
		if f.Sign() != fd.Sign() || f.IsZero() != fd.IsZero() {
			t.Fatalf("sign of %v", fd)
		}
		if sum, ok := f.Add(g); ok {
			if !sum.Decimal().Equal(fd.Add(gd)) {
				t.Fatalf("%v + %v = %v, want %v", fd, gd, sum.Decimal(), fd.Add(gd))
			}
		} else if _, fits := FixedFromDecimal(fd.Add(gd)); fits && f.Exponent() == g.Exponent() {
			t.Fatalf("%v + %v reported overflow but fits", fd, gd)
		}
		if diff, ok := f.Sub(g); ok && !diff.Decimal().Equal(fd.Sub(gd)) {
			t.Fatalf("%v - %v = %v, want %v", fd, gd, diff.Decimal(), fd.Sub(gd))
		}
	}
}

func TestFixedAddReportsOverflow(t *testing.T) {
	big := NewFixed(math.MaxInt64, 0)
	if _, ok := big.Add(NewFixed(1, 0)); ok {
		t.Error("MaxInt64 + 1 fits?")
	}
	if _, ok := NewFixed(1, 0).Add(NewFixed(1, -19)); ok {
		t.Error("1 + 1e-19 needs 10^19 at exponent -19, which does not fit")
	}
	if _, ok := NewFixed(math.MinInt64+1, 0).Sub(NewFixed(2, 0)); ok {
		t.Error("MinInt64+1 - 2 fits?")
	}
	if s, ok := NewFixed(15, -1).Add(NewFixed(25, -2)); !ok || s != NewFixed(175, -2) {
		t.Errorf("1.5 + 0.25 = %v %v, want 1.75 at exponent -2", s, ok)
	}
}

func TestFixedFromDecimal(t *testing.T) {
	for _, tc := range []struct {
		in       string
		mantissa int64
		exponent int32
		ok       bool
	}{
		{"61837.63000000", 6183763000000, -8, true},
		{"0", 0, 0, true},
		{"-2.5", -25, -1, true},
		{"1.10000000000000000000000", 1100000000000000000, -18, true}, // trailing zeros dropped until it fits
		{"1.10000000000000000001", 0, 0, false},
		{"123456789012345678901234567890", 0, 0, false},
	} {
		f, ok := FixedFromDecimal(decimal.RequireFromString(tc.in))
		if ok != tc.ok || (ok && (f.Mantissa() != tc.mantissa || f.Exponent() != tc.exponent)) {
			t.Errorf("FixedFromDecimal(%s) = %d·10^%d %v, want %d·10^%d %v", tc.in, f.Mantissa(), f.Exponent(), ok,
				tc.mantissa, tc.exponent, tc.ok)
		}
	}
}

func TestFixedCmpAcrossExponents(t *testing.T) {
	if NewFixed(61837_63, -2).Cmp(NewFixed(61837_63000000, -8)) != 0 {
		t.Error("61837.63 and 61837.63000000 are the same price")
	}
	if NewFixed(1, 30).Cmp(NewFixed(math.MaxInt64, 0)) != 1 || NewFixed(-1, 30).Cmp(NewFixed(math.MinInt64, 0)) != -1 {
		t.Error("10^30 compares beyond int64")
	}
	if NewFixed(0, 40).Cmp(NewFixed(1, -40)) != -1 {
		t.Error("0 < 10^-40")
	}
}

func TestIsMultipleOf(t *testing.T) {
	tests := []struct {
		f, q         Fixed
		multiple, ok bool
	}{
		{NewFixed(6000001, -2), NewFixed(1, -2), true, true},  // 60000.01 of 0.01
		{NewFixed(6000001, -2), NewFixed(1, -1), false, true}, // 60000.01 of 0.1
		{NewFixed(6, 4), NewFixed(5, -1), true, true},         // 60000 of 0.5
		{NewFixed(-15, -1), NewFixed(5, -1), true, true},      // −1.5 of 0.5
		{NewFixed(1, 0), NewFixed(0, 0), false, false},        // no multiple of 0
		{NewFixed(1, 18), NewFixed(1, -18), false, false},     // cannot align in an int64
		{NewFixed(1001, -5), NewFixed(1, -5), true, true},     // 0.01001 of 0.00001
		{NewFixed(10015, -6), NewFixed(1, -5), false, true},   // 0.010015 of 0.00001
	}
	for _, tt := range tests {
		m, ok := tt.f.IsMultipleOf(tt.q)
		if m != tt.multiple || ok != tt.ok {
			t.Errorf("%s.IsMultipleOf(%s) = %v, %v; want %v, %v", tt.f, tt.q, m, ok, tt.multiple, tt.ok)
		}
		if tt.ok && tt.f.Decimal().Mod(tt.q.Decimal()).IsZero() != tt.multiple {
			t.Errorf("%s.IsMultipleOf(%s) disagrees with decimal Mod", tt.f, tt.q)
		}
	}
}

// DecimalText prints exactly what decimal.Decimal's String prints, for values that fit a Fixed and for values
// that do not.
func TestDecimalTextIsDecimalString(t *testing.T) {
	values := []string{"0", "-0", "1", "-1", "10", "100.00", "0.1", "-0.1", "0.000001", "-0.00012300", "61837.63000000",
		"123456789012345678", "-123456789012345678", "1234567890123456789012345", "0.0000000000000000001",
		"1e5", "-2.5e3", "7e-8", "9223372036854775807", "-9223372036854775808", "60000.005", "59399.400600",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		m := rng.Int64N(2_000_000_000_000) - 1_000_000_000_000
		values = append(values, decimal.New(m, int32(rng.IntN(24))-16).String(), decimal.New(m, -int32(rng.IntN(12))).StringFixed(12))
	}
	for _, v := range values {
		d := decimal.RequireFromString(v)
		if got, want := DecimalText(d), d.String(); got != want {
			t.Errorf("DecimalText(%s) = %q, want %q", v, got, want)
		}
	}
}
