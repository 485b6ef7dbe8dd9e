package paper

import (
	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// decimalCache converts feed prices and sizes (market.Fixed) to the decimal.Decimal the sdk events carry,
// remembering the last conversion in each of its slots. Every reported top of book and public trade needs
// decimals, two allocations each to make, and the same few prices near the touch come back event after event.
// A decimal.Decimal is immutable, so one value may be handed out any number of times; the key is the exact
// representation (mantissa and exponent), so a cached decimal is the very one Decimal would make.
type decimalCache struct {
	keys [decimalCacheSlots]market.Fixed
	vals [decimalCacheSlots]decimal.Decimal
	set  [decimalCacheSlots]bool
}

const decimalCacheSlots = 256

func (c *decimalCache) decimal(f market.Fixed) decimal.Decimal {
	h := (uint64(f.Mantissa())*0x9e3779b97f4a7c15 + uint64(f.Exponent())) >> 56 // Fibonacci hashing, top 8 bits
	if c.set[h] && c.keys[h] == f {
		return c.vals[h]
	}
	d := f.Decimal()
	c.keys[h], c.vals[h], c.set[h] = f, d, true
	return d
}
