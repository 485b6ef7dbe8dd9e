package feed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/mmtoolkit/mm/market"
)

var (
	errDecimalSyntax = errors.New("want an unsigned decimal like 61837.63")
	errDecimalRange  = errors.New("too many significant digits for an exact int64 mantissa (18 always fit)")
)

// parseDecimal parses an unsigned plain decimal ("61837.63000000", "0", "12") into an exact market.Fixed,
// without allocating. Binance writes prices and quantities this way; signs, exponents, a lone dot and empty
// input are rejected so that a corrupt field is an error, never a different number. The exponent keeps the
// data's digits (61837.63000000 has exponent −8), so every price of one stream compares as plain integers;
// only when the mantissa would not fit an int64 are trailing fractional zeros dropped (the value is the same),
// and a number with more significant digits than an int64 holds is an error rather than a rounded value.
func parseDecimal(b []byte) (market.Fixed, error) {
	if len(b) > 18 || len(b) == 0 {
		return parseLongDecimal(b)
	}
	// At most 18 digits cannot overflow: one pass for the integer part, one for the fraction.
	var mantissa int64
	i := 0
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		mantissa = mantissa*10 + int64(d)
	}
	if i == len(b) {
		return market.NewFixed(mantissa, 0), nil
	}
	if b[i] != '.' || i == 0 || i == len(b)-1 {
		return market.Fixed{}, errDecimalSyntax
	}
	frac := b[i+1:]
	for ; len(frac) >= 8; frac = frac[8:] { // Binance writes eight decimals
		v, ok := eightDigits(frac)
		if !ok {
			return market.Fixed{}, errDecimalSyntax
		}
		mantissa = mantissa*1e8 + int64(v)
	}
	for _, c := range frac {
		d := c - '0'
		if d > 9 {
			return market.Fixed{}, errDecimalSyntax
		}
		mantissa = mantissa*10 + int64(d)
	}
	return market.NewFixed(mantissa, -int32(len(b)-i-1)), nil
}

// eightDigits converts the first eight bytes of b, which must all be ASCII digits (ok false otherwise), in a
// few multiplications instead of eight dependent steps (the SWAR method of simdjson's
// parse_eight_digits_unrolled: pairs, then quads, then the whole).
func eightDigits(b []byte) (uint64, bool) {
	v := binary.LittleEndian.Uint64(b)
	// Every byte is 0x30–0x39: its high nibble is 3, and adding 6 to its low nibble does not carry.
	if v&0xf0f0f0f0f0f0f0f0|((v+0x0606060606060606)&0xf0f0f0f0f0f0f0f0)>>4 != 0x3333333333333333 {
		return 0, false
	}
	v = (v & 0x0f0f0f0f0f0f0f0f) * 2561 >> 8
	v = (v & 0x00ff00ff00ff00ff) * 6553601 >> 16
	return (v & 0x0000ffff0000ffff) * 42949672960001 >> 32, true
}

// parseLongDecimal is parseDecimal for inputs of more than 18 characters, which may not fit an int64.
func parseLongDecimal(b []byte) (market.Fixed, error) {
	if len(b) == 0 {
		return market.Fixed{}, errDecimalSyntax
	}
	var mantissa uint64
	frac := int32(-1) // digits after the point applied to mantissa; -1 before the point
	zeros := int32(0) // fractional zeros read but not yet applied: they only matter if a digit follows
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if frac >= 0 && c == '0' {
				zeros++
				continue
			}
			for ; zeros > 0; zeros-- {
				if mantissa > math.MaxInt64/10 {
					return market.Fixed{}, errDecimalRange
				}
				mantissa *= 10
				frac++
			}
			d := uint64(c - '0')
			if mantissa > (math.MaxInt64-d)/10 {
				return market.Fixed{}, errDecimalRange
			}
			mantissa = mantissa*10 + d
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && i > 0 && i < len(b)-1:
			frac = 0
		default:
			return market.Fixed{}, errDecimalSyntax
		}
	}
	// Trailing zeros keep the data's exponent while they fit.
	for ; zeros > 0 && mantissa <= math.MaxInt64/10; zeros-- {
		mantissa *= 10
		frac++
	}
	return market.NewFixed(int64(mantissa), -max(frac, 0)), nil
}

// parseUint parses a non-empty run of ASCII digits that fits in a uint64.
func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, fmt.Errorf("want an unsigned integer, got %q", b)
	}
	if len(b) < 20 { // below 10^19, no overflow: eight digits at a time (timestamps, update ids)
		var n uint64
		rest := b
		for ; len(rest) >= 8; rest = rest[8:] {
			v, ok := eightDigits(rest)
			if !ok {
				return 0, fmt.Errorf("want an unsigned integer, got %q", b)
			}
			n = n*1e8 + v
		}
		for _, c := range rest {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("want an unsigned integer, got %q", b)
			}
			n = n*10 + uint64(c-'0')
		}
		return n, nil
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
