package analysis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// Ways to bucket the decomposition (mm pnl --by).
const (
	ByMarket = "market"
	ByRun    = "run"
	ByDay    = "day"
	ByHour   = "hour"
)

// PnLQuery selects the events of a PnL report.
type PnLQuery struct {
	Connector string
	Market    string
	RunID     int64
	Since     time.Time // inclusive
	Until     time.Time // exclusive
	By        string
	Method    string
	Markouts  []time.Duration
}

// MarketPnL is one market's decomposition.
type MarketPnL struct {
	Connector, Market     string
	BaseAsset, Quote      string
	Replay                MarketReplay
	Markouts              []Markout
	BalanceCheck          *BalanceCheck
	FirstEvent, LastEvent time.Time
}

// BalanceCheck compares the components' total with the equity change computed from the journal's balance
// snapshots at the start and end of the window, each valued at the mid of its moment. A difference is a flow
// the fills do not explain: a deposit, a withdrawal, a fee in a third asset, or a missing fill.
type BalanceCheck struct {
	EquityChange decimal.Decimal
	Total        decimal.Decimal
	Residual     decimal.Decimal
}

// PnLReport is the decomposition of every market in the window.
type PnLReport struct {
	Query   PnLQuery
	Markets []MarketPnL
	// Totals sums the markets' windows per quote asset (amounts in different quotes are never added).
	Totals map[string]PnL
}

// LoadPnL reads every fill and mark of the window and decomposes the PnL per market.
func LoadPnL(ctx context.Context, j *journal.Journal, q PnLQuery) (PnLReport, error) {
	report := PnLReport{Query: q, Totals: map[string]PnL{}}
	fills, err := j.Fills(ctx, journal.FillFilter{Connector: q.Connector, Market: q.Market, RunID: q.RunID,
		Since: q.Since, Until: q.Until})
	if err != nil {
		return report, err
	}
	rates, err := loadRates(ctx, j, q.Until)
	if err != nil {
		return report, err
	}
	for _, group := range groupFills(fills) {
		m, err := loadMarketPnL(ctx, j, group, q, rates)
		if err != nil {
			return report, err
		}
		report.Markets = append(report.Markets, m)
		total, ok := report.Totals[m.Quote]
		if !ok {
			total = zeroPnL()
		}
		total = total.add(m.Replay.Window)
		total.Unrealized = total.Unrealized.Add(m.Replay.Window.Unrealized)
		report.Totals[m.Quote] = total
	}
	return report, nil
}

func loadMarketPnL(ctx context.Context, j *journal.Journal, fills []journal.Fill, q PnLQuery, rates Rates) (MarketPnL, error) {
	first := fills[0]
	m := MarketPnL{Connector: first.Connector, Market: first.Market, BaseAsset: first.BaseAsset, Quote: first.QuoteAsset}
	marks, err := j.Marks(ctx, journal.MarkFilter{Connector: first.Connector, Market: first.Market, RunID: q.RunID,
		Since: q.Since, Until: q.Until})
	if err != nil {
		return m, err
	}
	if len(marks) == 0 { // imported fills and marks may name different connectors: the market's mid is the mid
		if marks, err = j.Marks(ctx, journal.MarkFilter{Market: first.Market, RunID: q.RunID, Since: q.Since,
			Until: q.Until}); err != nil {
			return m, err
		}
	}
	m.FirstEvent, m.LastEvent = first.Time, fills[len(fills)-1].Time
	if len(marks) > 0 {
		m.FirstEvent = minTime(m.FirstEvent, marks[0].Time)
		m.LastEvent = maxTime(m.LastEvent, marks[len(marks)-1].Time)
	}

	in := ReplayInputs{Fills: fills, Marks: marks, Method: q.Method, StartBase: decimal.Zero, StartQuote: decimal.Zero,
		Bucket:  bucketFunc(q.By, first.Market),
		FeeRate: func(asset string) (decimal.Decimal, bool) { return rates.Rate(asset, first.QuoteAsset) }}
	// The position before the first event is the latest snapshot at or before it (as history's start balances);
	// the mid before it is the latest mark strictly before it, since a mark at that instant is an event itself.
	before := m.FirstEvent.Add(-time.Millisecond)
	start, err := j.LatestBalancesOfRun(ctx, q.RunID, first.Connector, "", []string{first.BaseAsset, first.QuoteAsset}, m.FirstEvent)
	if err != nil {
		return m, err
	}
	if b, ok := start[first.BaseAsset]; ok {
		in.StartBase = b.Total
	}
	if b, ok := start[first.QuoteAsset]; ok {
		in.StartQuote = b.Total
	}
	if mark, ok, err := j.LatestMark(ctx, first.Market, before); err != nil {
		return m, err
	} else if ok {
		in.StartMid = decimal.NewNullDecimal(mark.Mid)
	}
	m.Replay = Replay(in)
	m.Markouts = Markouts(fills, m.Replay.FillMids, marks, q.Markouts, q.Until, false)

	end, err := j.LatestBalancesOfRun(ctx, q.RunID, first.Connector, "", []string{first.BaseAsset, first.QuoteAsset}, m.LastEvent)
	if err != nil {
		return m, err
	}
	startBase, okSB := start[first.BaseAsset]
	startQuote, okSQ := start[first.QuoteAsset]
	endBase, okEB := end[first.BaseAsset]
	endQuote, okEQ := end[first.QuoteAsset]
	startMid := in.StartMid
	if !startMid.Valid && len(marks) > 0 {
		startMid = decimal.NewNullDecimal(marks[0].Mid)
	}
	if okSB && okSQ && okEB && okEQ && startMid.Valid && !endBase.Time.Equal(startBase.Time) {
		equityStart := startQuote.Total.Add(startBase.Total.Mul(startMid.Decimal))
		equityEnd := endQuote.Total.Add(endBase.Total.Mul(m.Replay.EndMid))
		change := equityEnd.Sub(equityStart)
		m.BalanceCheck = &BalanceCheck{EquityChange: change, Total: m.Replay.Window.Total,
			Residual: change.Sub(m.Replay.Window.Total)}
	}
	return m, nil
}

// bucketFunc names an event's bucket for --by.
func bucketFunc(by, market string) func(time.Time, int64) string {
	switch by {
	case ByDay:
		return func(t time.Time, _ int64) string { return t.UTC().Format(time.DateOnly) }
	case ByHour:
		return func(t time.Time, _ int64) string { return t.UTC().Format("2006-01-02T15") }
	case ByRun:
		return func(_ time.Time, runID int64) string {
			if runID == 0 {
				return "none"
			}
			return strconv.FormatInt(runID, 10)
		}
	}
	return func(time.Time, int64) string { return market }
}

// ValidBy reports whether by is a known bucketing.
func ValidBy(by string) error {
	switch by {
	case ByMarket, ByRun, ByDay, ByHour:
		return nil
	}
	return fmt.Errorf("%q: want run, market, day or hour", by)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
