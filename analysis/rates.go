package analysis

import (
	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Rates converts amounts between assets through the latest marks of the journal's markets. A mark of BASE-QUOTE
// at mid m says 1 BASE = m QUOTE, and so 1 QUOTE = 1/m BASE. Conversions follow the shortest chain of markets
// (Hummingbot's RateOracle also goes through intermediate assets, vector perf_fees_multi_token: USDT → DAI →
// COINALPHA). An asset with no chain has no rate: callers report it as unpriced, never as worth 1.
type Rates struct {
	edges map[string][]rateEdge
}

type rateEdge struct {
	to   string
	rate decimal.Decimal
}

// NewRates builds the conversion graph from mids keyed by market (BASE-QUOTE). Markets that do not parse and
// non-positive mids are ignored.
func NewRates(mids map[string]decimal.Decimal) Rates {
	r := Rates{edges: map[string][]rateEdge{}}
	for name, mid := range mids {
		pair, err := market.ParsePair(name)
		if err != nil || mid.Sign() <= 0 {
			continue
		}
		r.edges[pair.Base] = append(r.edges[pair.Base], rateEdge{to: pair.Quote, rate: mid})
		r.edges[pair.Quote] = append(r.edges[pair.Quote], rateEdge{to: pair.Base, rate: divSignificant(d1, mid)})
	}
	// Map iteration order is random; sort each adjacency list so the chosen chain, and so the rounding of the
	// result, is the same on every run.
	for asset := range r.edges {
		sortEdges(r.edges[asset])
	}
	return r
}

func sortEdges(edges []rateEdge) {
	for i := 1; i < len(edges); i++ {
		for j := i; j > 0 && edges[j].to < edges[j-1].to; j-- {
			edges[j], edges[j-1] = edges[j-1], edges[j]
		}
	}
}

// Rate returns how many units of to one unit of from is worth, and whether a chain of marks connects them.
func (r Rates) Rate(from, to string) (decimal.Decimal, bool) {
	if from == to {
		return d1, true
	}
	type node struct {
		asset string
		rate  decimal.Decimal
	}
	seen := map[string]bool{from: true}
	queue := []node{{from, d1}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range r.edges[n.asset] {
			if seen[e.to] {
				continue
			}
			rate := n.rate.Mul(e.rate)
			if e.to == to {
				return rate, true
			}
			seen[e.to] = true
			queue = append(queue, node{e.to, rate})
		}
	}
	return decimal.Zero, false
}
