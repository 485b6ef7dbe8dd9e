package analysis

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// refFillMarkout is one fill's mark-out at one horizon.
type refFillMarkout struct {
	TradeID    string
	Time       time.Time
	Quote      decimal.Decimal
	Bps        decimal.Decimal
	DriftQuote decimal.Decimal
}

// refMarkouts is the reference for markoutStream: each fill measured on its own against the mid path at each
// horizon, with every fill's mark-out (perFill[horizon][fill]). fillMids are the mids at fill from Replay. The
// mid at t_i + h is the last mark after the fill and at or before t_i + h (the mid at fill when there is none),
// held flat after the last mark; a fill whose t_i + h is after end (when end is set) is excluded.
func refMarkouts(fills []journal.Fill, fillMids []decimal.Decimal, marks []journal.Mark, horizons []time.Duration,
	end time.Time) (out []Markout, perFill [][]refFillMarkout) {
	for _, h := range horizons {
		var each []refFillMarkout
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
			each = append(each, refFillMarkout{TradeID: f.ExchangeTradeID, Time: f.Time, Quote: quote,
				Bps: divSignificant(eps.Mul(mid.Sub(f.Price)).Mul(bps), f.Price), DriftQuote: drift})
			mo.Fills++
			mo.TotalQuote = mo.TotalQuote.Add(quote)
			mo.DriftQuote = mo.DriftQuote.Add(drift)
			mo.Notional = mo.Notional.Add(f.Amount.Mul(f.Price))
		}
		mo.WeightedBps = divSignificant(mo.TotalQuote.Mul(bps), mo.Notional)
		out, perFill = append(out, mo), append(perFill, each)
	}
	return out, perFill
}

// midAfter returns the mid of the last mark in (fillTime, at], or atFill when there is none.
func midAfter(marks []journal.Mark, fillTime, at time.Time, atFill decimal.Decimal) decimal.Decimal {
	i := sort.Search(len(marks), func(k int) bool { return marks[k].Time.After(at) }) - 1
	if i < 0 || !marks[i].Time.After(fillTime) {
		return atFill
	}
	return marks[i].Mid
}
