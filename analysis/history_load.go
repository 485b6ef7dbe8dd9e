package analysis

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// HistoryQuery selects the trades of a history report. Zero values select everything.
type HistoryQuery struct {
	Connector string
	Market    string
	RunID     int64
	Since     time.Time // inclusive
	Until     time.Time // exclusive; current balances and marks are taken at or before it
	// Price overrides the current price; it needs the window to hold a single market.
	Price decimal.NullDecimal
}

// ErrPriceNeedsOneMarket is returned when --price is given for a window with several markets.
var ErrPriceNeedsOneMarket = fmt.Errorf("a current price override needs a single market: add --market")

// LoadHistory computes the report of the window. The figures come from sums the journal computes in SQL; the
// fills themselves are read (all of them: no 100-trade cap, DESIGN.md §8) only when listTrades is set.
func LoadHistory(ctx context.Context, j *journal.Journal, q HistoryQuery, listTrades bool) (HistoryReport, error) {
	report := HistoryReport{Since: q.Since, Until: q.Until}
	filter := journal.FillFilter{Connector: q.Connector, Market: q.Market, RunID: q.RunID, Since: q.Since, Until: q.Until}
	summaries, err := j.FillSummaries(ctx, filter)
	if err != nil || len(summaries) == 0 {
		return report, err
	}
	if q.Price.Valid && len(summaries) > 1 {
		return report, ErrPriceNeedsOneMarket
	}
	rates, err := loadRates(ctx, j, q.Until)
	if err != nil {
		return report, err
	}
	for _, sum := range summaries {
		in, err := loadMarketInputs(ctx, j, sum, q)
		if err != nil {
			return report, err
		}
		if listTrades {
			f := filter
			f.Connector, f.Market = sum.Connector, sum.Market
			if in.Fills, err = j.Fills(ctx, f); err != nil {
				return report, err
			}
		}
		in.Rates = rates
		report.Markets = append(report.Markets, ComputeMarketHistory(in))
		if report.FirstTrade.IsZero() || sum.FirstTime.Before(report.FirstTrade) {
			report.FirstTrade = sum.FirstTime
		}
		if sum.LastTime.After(report.LastTrade) {
			report.LastTrade = sum.LastTime
		}
	}
	report.averageReturn()
	return report, nil
}

// groupFills splits fills by (connector, market), keeping time order inside each group and ordering the groups
// by connector and market so reports are stable.
func groupFills(fills []journal.Fill) [][]journal.Fill {
	if len(fills) == 0 {
		return nil
	}
	if sameMarket(fills) {
		return [][]journal.Fill{fills} // the common case: no copy of a million fills
	}
	byKey := map[[2]string][]journal.Fill{}
	var keys [][2]string
	for _, f := range fills {
		key := [2]string{f.Connector, f.Market}
		if _, ok := byKey[key]; !ok {
			keys = append(keys, key)
		}
		byKey[key] = append(byKey[key], f)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a][0] != keys[b][0] {
			return keys[a][0] < keys[b][0]
		}
		return keys[a][1] < keys[b][1]
	})
	groups := make([][]journal.Fill, 0, len(keys))
	for _, key := range keys {
		groups = append(groups, byKey[key])
	}
	return groups
}

func sameMarket(fills []journal.Fill) bool {
	for _, f := range fills {
		if f.Connector != fills[0].Connector || f.Market != fills[0].Market {
			return false
		}
	}
	return true
}

func loadMarketInputs(ctx context.Context, j *journal.Journal, sum journal.FillSummary, q HistoryQuery) (MarketInputs, error) {
	assets := []string{sum.BaseAsset, sum.QuoteAsset}
	in := MarketInputs{Summary: sum, Price: q.Price}
	start, err := j.LatestBalancesOfRun(ctx, q.RunID, sum.Connector, "", assets, sum.FirstTime)
	if err != nil {
		return in, err
	}
	current, err := j.LatestBalancesOfRun(ctx, q.RunID, sum.Connector, "", assets, untilInclusive(q.Until))
	if err != nil {
		return in, err
	}
	in.StartBalances, in.CurrentBalances = totals(start), totals(current)
	mark, ok, err := j.LatestMark(ctx, sum.Market, untilInclusive(q.Until))
	if err != nil {
		return in, err
	}
	if ok {
		in.Mark = decimal.NewNullDecimal(mark.Mid)
	}
	return in, nil
}

// untilInclusive turns the exclusive end of the window into the "at or before" time of the journal's latest-of
// reads (zero stays zero: no bound).
func untilInclusive(until time.Time) time.Time {
	if until.IsZero() {
		return until
	}
	return until.Add(-time.Millisecond)
}

func totals(balances map[string]journal.Balance) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(balances))
	for asset, b := range balances {
		out[asset] = b.Total
	}
	return out
}

// loadRates takes every market's latest mark at or before until as the conversion rates for fees.
func loadRates(ctx context.Context, j *journal.Journal, until time.Time) (Rates, error) {
	markets, err := j.MarkedMarkets(ctx)
	if err != nil {
		return Rates{}, err
	}
	mids := make(map[string]decimal.Decimal, len(markets))
	for _, m := range markets {
		mark, ok, err := j.LatestMark(ctx, m, untilInclusive(until))
		if err != nil {
			return Rates{}, err
		}
		if ok {
			mids[m] = mark.Mid
		}
	}
	return NewRates(mids), nil
}
