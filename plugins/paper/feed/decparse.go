package feed

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

var errDecimalSyntax = errors.New("want an unsigned decimal like 61837.63")

// zeros holds 0 at exponents 0 to -18. Every depth delete carries quantity "0.00000000"; sharing one decimal
// for it saves two allocations per delete (a decimal.Decimal is never mutated, so sharing is safe). A general
// intern map for all prices was measured and lost: its lookups cost more than the allocations it saved.
var zeros = func() (z [19]decimal.Decimal) {
	for i := range z {
		z[i] = decimal.New(0, -int32(i))
	}
	return z
}()

// parseDecimal parses an unsigned plain decimal ("61837.63000000", "0", "12") without going through a string:
// up to 18 significant digits become one int64 mantissa (decimal.New), longer numbers take decimal's own
// parser. Binance writes prices and quantities this way; signs, exponents, a lone dot and empty input are
// rejected so that a corrupt field is an error, never a different number. The exponent keeps the data's
// digits (61837.63000000 has exponent -8), so every price of one stream compares without rescaling.
func parseDecimal(b []byte) (decimal.Decimal, error) {
	mantissa, exp, digits, err := scanDecimal(b)
	switch {
	case err != nil:
		return decimal.Decimal{}, err
	case digits <= 18 && mantissa == 0:
		return zeros[-exp], nil
	case digits <= 18:
		return decimal.New(mantissa, exp), nil
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return decimal.Decimal{}, errDecimalSyntax
	}
	return d, nil
}

// scanDecimal checks the syntax parseDecimal accepts and, when digits ≤ 18, computes mantissa and exponent.
func scanDecimal(b []byte) (mantissa int64, exp int32, digits int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, errDecimalSyntax
	}
	frac := int32(-1)
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits++; digits <= 18 {
				mantissa = mantissa*10 + int64(c-'0')
			}
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && i > 0 && i < len(b)-1:
			frac = 0
		default:
			return 0, 0, 0, errDecimalSyntax
		}
	}
	return mantissa, -max(frac, 0), digits, nil
}

// parseUint parses a non-empty run of ASCII digits that fits in a uint64.
func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, fmt.Errorf("want an unsigned integer, got %q", b)
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("want an unsigned integer, got %q", b)
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, fmt.Errorf("integer %q overflows", b)
		}
		n = n*10 + d
	}
	return n, nil
}
