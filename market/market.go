// Package market holds the small domain vocabulary shared by every part of mm: trading pairs, order sides and
// the decimal helpers that keep money exact. It imports nothing of ours, so strategy, journal, plugins and the
// CLI may all depend on it.
package market

import (
	"fmt"
	"strings"
)

// Pair is a spot trading pair written BASE-QUOTE, as Hummingbot and mm configs write it.
type Pair struct {
	Base  string
	Quote string
}

// ParsePair parses "BTC-USDT" into its base and quote assets. Assets are upper-cased so that "btc-usdt" and
// "BTC-USDT" name the same market in the journal.
func ParsePair(s string) (Pair, error) {
	base, quote, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || base == "" || quote == "" || strings.Contains(quote, "-") {
		return Pair{}, fmt.Errorf("market %q: want BASE-QUOTE, for example BTC-USDT", s)
	}
	return Pair{Base: strings.ToUpper(base), Quote: strings.ToUpper(quote)}, nil
}

// String returns the pair as BASE-QUOTE.
func (p Pair) String() string { return p.Base + "-" + p.Quote }

// Side is the side of an order or a fill.
type Side string

// The two sides, spelled as the journal and the JSON outputs spell them.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// ParseSide accepts buy or sell in any case.
func ParseSide(s string) (Side, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "buy":
		return Buy, nil
	case "sell":
		return Sell, nil
	}
	return "", fmt.Errorf("side %q: want buy or sell", s)
}
