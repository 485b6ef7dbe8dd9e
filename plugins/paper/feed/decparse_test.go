package feed

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// parseDecimal and parseUint agree with the standard parsers on random digit strings, with or without a point,
// including strings with one non-digit somewhere (the eight-at-a-time path must reject it like the rest).
func TestDecimalAndUintParsersAgreeWithReferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200_000 {
		n := 1 + rng.IntN(24)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		if rng.IntN(2) == 0 && n > 2 {
			b[1+rng.IntN(n-2)] = '.'
		}
		if rng.IntN(8) == 0 {
			b[rng.IntN(n)] = "x/:-+e 9"[rng.IntN(8)]
		}
		s := string(b)
		got, err := parseDecimal(b)
		want, werr := decimal.NewFromString(s)
		valid := werr == nil && isPlainDecimal(s)
		switch {
		case err == nil && !valid:
			t.Fatalf("parseDecimal(%q) = %v, want an error", s, got)
		case err == nil && !got.Decimal().Equal(want):
			t.Fatalf("parseDecimal(%q) = %v, want %v", s, got, want)
		case err != nil && valid && err != errDecimalRange:
			t.Fatalf("parseDecimal(%q): %v", s, err)
		}
		u, err := parseUint(b)
		wu, werr := strconv.ParseUint(s, 10, 64)
		// parseUint takes at most 20 digits (the most a uint64 holds), leading zeros included.
		if (err == nil) != (werr == nil && s[0] != '+' && len(s) <= 20) || (err == nil && u != wu) {
			t.Fatalf("parseUint(%q) = %d, %v; strconv: %d, %v", s, u, err, wu, werr)
		}
	}
}

// isPlainDecimal is the syntax parseDecimal accepts: digits with at most one point, not first or last.
func isPlainDecimal(s string) bool {
	dot := -1
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0:
			dot = i
		default:
			return false
		}
	}
	return dot != 0 && dot != len(s)-1
}
