package analysis

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

var bps = decimal.NewFromInt(10000)

// Markout is the mark-out of a set of fills at one horizon (reference/quant.md §4.5): for fill i,
// MO_i(h) = ε·n·(m(t_i + h) − p), the spread capture at h = 0 plus the post-fill drift ε·n·(m(t_i + h) − m(t_i)),
// whose negative is the adverse-selection cost.
type Markout struct {
	Horizon    time.Duration
	Fills      int             // fills measured
	Excluded   int             // fills whose t + h is past the end of the window
	TotalQuote decimal.Decimal // Σ MO_i(h)
	DriftQuote decimal.Decimal // Σ post-fill drift
	Notional   decimal.Decimal // Σ n·p of the fills measured
	// WeightedBps is the notional-weighted mark-out in basis points: Σ MO / Σ n·p × 10⁴.
	WeightedBps decimal.Decimal
	PerFill     []FillMarkout // only when asked for (Markouts' perFill), it costs a division per fill
}

// FillMarkout is one fill's mark-out at one horizon.
type FillMarkout struct {
	TradeID    string
	Time       time.Time
	Quote      decimal.Decimal
	Bps        decimal.Decimal
	DriftQuote decimal.Decimal
}

// Markouts measures fills against the mid path at each horizon. fillMids are the mids at fill from Replay. The
// mid at t_i + h is the last mark after the fill and at or before t_i + h (the mid at fill when there is none),
// held flat after the last mark; a fill whose t_i + h is after end (when end is set) is excluded.
func Markouts(fills []journal.Fill, fillMids []decimal.Decimal, marks []journal.Mark, horizons []time.Duration,
	end time.Time, perFill bool) []Markout {
	out := make([]Markout, 0, len(horizons))
	for _, h := range horizons {
		mo := Markout{Horizon: h, TotalQuote: decimal.Zero, DriftQuote: decimal.Zero, Notional: decimal.Zero,
			WeightedBps: decimal.Zero}
		for i, f := range fills {
			at := f.Time.Add(h)
			if !end.IsZero() && at.After(end) {
				mo.Excluded++
				continue
			}
			mid := midAfter(marks, f.Time, at, fillMids[i])
			eps := decimal.NewFromInt(1)
			if f.Side == journal.SideSell {
				eps = decimal.NewFromInt(-1)
			}
			quote := eps.Mul(f.Amount).Mul(mid.Sub(f.Price))
			drift := eps.Mul(f.Amount).Mul(mid.Sub(fillMids[i]))
			if perFill {
				mo.PerFill = append(mo.PerFill, FillMarkout{TradeID: f.ExchangeTradeID, Time: f.Time, Quote: quote,
					Bps: divSignificant(eps.Mul(mid.Sub(f.Price)).Mul(bps), f.Price), DriftQuote: drift})
			}
			mo.Fills++
			mo.TotalQuote = mo.TotalQuote.Add(quote)
			mo.DriftQuote = mo.DriftQuote.Add(drift)
			mo.Notional = mo.Notional.Add(f.Amount.Mul(f.Price))
		}
		mo.WeightedBps = divSignificant(mo.TotalQuote.Mul(bps), mo.Notional)
		out = append(out, mo)
	}
	return out
}

// midAfter returns the mid of the last mark in (fillTime, at], or atFill when there is none.
func midAfter(marks []journal.Mark, fillTime, at time.Time, atFill decimal.Decimal) decimal.Decimal {
	i := sort.Search(len(marks), func(k int) bool { return marks[k].Time.After(at) }) - 1
	if i < 0 || !marks[i].Time.After(fillTime) {
		return atFill
	}
	return marks[i].Mid
}
