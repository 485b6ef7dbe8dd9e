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

// LoadHistory reads the window's fills (all of them: no 100-trade cap, DESIGN.md §8) and, per market, the balance
// snapshots and marks the report needs, then computes it.
func LoadHistory(ctx context.Context, j *journal.Journal, q HistoryQuery) (HistoryReport, error) {
	report := HistoryReport{Since: q.Since, Until: q.Until}
	fills, err := j.Fills(ctx, journal.FillFilter{Connector: q.Connector, Market: q.Market, RunID: q.RunID,
		Since: q.Since, Until: q.Until})
	if err != nil {
		return report, err
	}
	if len(fills) == 0 {
		return report, nil
	}
	report.FirstTrade, report.LastTrade = fills[0].Time, fills[len(fills)-1].Time

	groups := groupFills(fills)
	if q.Price.Valid && len(groups) > 1 {
		return report, ErrPriceNeedsOneMarket
	}
	rates, err := loadRates(ctx, j, q.Until)
	if err != nil {
		return report, err
	}
	for _, group := range groups {
		in, err := loadMarketInputs(ctx, j, group, q)
		if err != nil {
			return report, err
		}
		in.Rates = rates
		report.Markets = append(report.Markets, ComputeMarketHistory(in))
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

func loadMarketInputs(ctx context.Context, j *journal.Journal, fills []journal.Fill, q HistoryQuery) (MarketInputs, error) {
	first := fills[0]
	assets := []string{first.BaseAsset, first.QuoteAsset}
	in := MarketInputs{Fills: fills, Price: q.Price}
	start, err := j.LatestBalances(ctx, first.Connector, "", assets, first.Time)
	if err != nil {
		return in, err
	}
	current, err := j.LatestBalances(ctx, first.Connector, "", assets, untilInclusive(q.Until))
	if err != nil {
		return in, err
	}
	in.StartBalances, in.CurrentBalances = totals(start), totals(current)
	mark, ok, err := j.LatestMark(ctx, first.Market, untilInclusive(q.Until))
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
