package analysis

import (
	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// SummarizeFills aggregates fills of one connector and market, in time order, one by one: the reference the
// tests hold the journal's FillSummaries to, and a way to build MarketInputs from hand-written fills.
func SummarizeFills(fills []journal.Fill) journal.FillSummary {
	first, last := fills[0], fills[len(fills)-1]
	s := journal.FillSummary{Connector: first.Connector, Market: first.Market, BaseAsset: first.BaseAsset,
		QuoteAsset: first.QuoteAsset, Fees: map[string]decimal.Decimal{}, FirstTime: first.Time, LastTime: last.Time,
		FirstPrice: first.Price, LastPrice: last.Price,
		Buys:  journal.SideTotals{Base: decimal.Zero, Quote: decimal.Zero},
		Sells: journal.SideTotals{Base: decimal.Zero, Quote: decimal.Zero}}
	for _, f := range fills {
		side := &s.Sells
		if f.Side == journal.SideBuy {
			side = &s.Buys
		}
		side.Trades++
		side.Base = side.Base.Add(f.Amount)
		side.Quote = side.Quote.Add(f.Amount.Mul(f.Price))
		s.Fees[f.FeeAsset] = s.Fees[f.FeeAsset].Add(f.Fee)
	}
	return s
}
