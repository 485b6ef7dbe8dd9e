package analysis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
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
	// Instrument selects one hedge instrument. Market and Instrument each mean "only this": with Market alone the
	// report has no hedges, with Instrument alone no spot markets, with both the one market and the one hedge.
	// Connector matches a hedge's venue.
	Instrument string
	By         string
	Method     string
	Markouts   []time.Duration
}

// MarketPnL is one market's decomposition.
type MarketPnL struct {
	Connector, Market     string
	BaseAsset, Quote      string
	Replay                MarketReplay
	Markouts              []Markout
	BalanceCheck          *BalanceCheck
	FirstEvent, LastEvent time.Time
	// Carried is the position the window opened with: the start snapshot plus the fills between it and the window
	// (or all the fills before the window).
	Carried decimal.Decimal
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
	// Hedges are the hedge instruments with a fill or a funding payment in the window, or whose value its marks
	// moved (an open position, or coin an inverse contract left in the account).
	Hedges []HedgePnL
	// Warnings are about the report as a whole (the markets and hedges carry their own).
	Warnings []string
	// Totals sums the markets' and hedges' windows per quote asset (amounts in different quotes are never added):
	// spread capture and inventory PnL come from the markets, hedge_pnl and funding from the hedges, fees, fills and
	// volume from both.
	Totals map[string]PnL
}

// Empty reports whether the window has nothing to show: no fills and no hedges.
func (r PnLReport) Empty() bool { return len(r.Markets) == 0 && len(r.Hedges) == 0 }

func (r *PnLReport) addTotal(quote string, window PnL) {
	total, ok := r.Totals[quote]
	if !ok {
		total = zeroPnL()
	}
	total = total.add(window)
	total.Unrealized = total.Unrealized.Add(window.Unrealized)
	r.Totals[quote] = total
}

// LoadPnL reads every fill and mark of the window and decomposes the PnL per market. It streams: each market's
// fills and marks are read by two cursors (concurrently, in batches), merged in time order and replayed in one
// pass that also measures the mark-outs, so memory does not grow with the window. Each hedge instrument's fills,
// funding and marks are streamed the same way (loadHedgePnL), from the start of the journal so that the position
// the window opens with is known.
func LoadPnL(ctx context.Context, j *journal.Journal, q PnLQuery) (PnLReport, error) {
	report := PnLReport{Query: q, Totals: map[string]PnL{}}
	var (
		groups []journal.FillGroup
		hedges []journal.HedgeInstrument
		err    error
	)
	if q.Market != "" || q.Instrument == "" {
		// Since is not applied: a market whose position was opened before the window is held in it, and the
		// window's marks move its value even without a fill (loadMarketPnL decides).
		groups, err = j.FillGroups(ctx, journal.FillFilter{Connector: q.Connector, Market: q.Market, RunID: q.RunID,
			Until: q.Until})
		if err != nil {
			return report, err
		}
	}
	if q.Instrument != "" || q.Market == "" {
		filter := journal.HedgeFilter{Venue: q.Connector, Instrument: q.Instrument, RunID: q.RunID, Until: q.Until}
		if hedges, err = j.HedgeInstruments(ctx, filter); err != nil {
			return report, err
		}
		unvalued, err := j.UnvaluedHedges(ctx, filter)
		if err != nil {
			return report, err
		}
		for _, h := range unvalued {
			report.Warnings = append(report.Warnings, fmt.Sprintf("hedge %s %s has no contract terms and is left "+
				"out: import them with mm journal import --hedge-fills (columns contract, contract_size, quote_asset, "+
				"settle_asset)", h[0], h[1]))
		}
	}
	if len(groups) == 0 && len(hedges) == 0 {
		return report, nil
	}
	rates, err := loadRates(ctx, j, q.Until)
	if err != nil {
		return report, err
	}
	for _, group := range groups {
		m, active, err := loadMarketPnL(ctx, j, group, q, rates)
		if err != nil {
			return report, err
		}
		if !active {
			if !m.Carried.IsZero() {
				report.Warnings = append(report.Warnings, fmt.Sprintf("%s %s holds %s %s through the window but has "+
					"no mark in it: its inventory PnL in the window is not known", m.Connector, m.Market, m.Carried,
					m.BaseAsset))
			}
			continue
		}
		report.Markets = append(report.Markets, m)
		report.addTotal(m.Quote, m.Replay.Window)
	}
	for _, terms := range hedges {
		h, active, err := loadHedgePnL(ctx, j, terms, q, rates)
		if err != nil {
			return report, err
		}
		if !active { // nothing happened to it in the window: closed before it opened, or never marked in it
			if !h.Position.IsZero() {
				report.Warnings = append(report.Warnings, fmt.Sprintf("hedge %s %s holds %s contracts through the "+
					"window but has no mark in it: its PnL in the window is not known", terms.Venue, terms.Instrument,
					h.Position))
			}
			continue
		}
		report.Hedges = append(report.Hedges, h)
		report.addTotal(terms.QuoteAsset, h.Window)
	}
	return report, nil
}

// scanBatch is how many records a cursor hands over at a time.
const scanBatch = 2048

// cursor reads batches of records from a scanning goroutine.
type cursor[T any] struct {
	ch   chan []T
	free chan []T
	buf  []T
	i    int
	done bool
	errc chan error
}

// startCursor runs scan in a goroutine, copying its records into batches.
func startCursor[T any](ctx context.Context, scan func(ctx context.Context, fn func(*T) error) error) *cursor[T] {
	c := &cursor[T]{ch: make(chan []T, 2), free: make(chan []T, 4), errc: make(chan error, 1)}
	for range 3 {
		c.free <- make([]T, 0, scanBatch)
	}
	go func() {
		defer close(c.ch)
		batch := <-c.free
		err := scan(ctx, func(rec *T) error {
			batch = append(batch, *rec)
			if len(batch) == scanBatch {
				select {
				case c.ch <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				select {
				case batch = <-c.free:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = batch[:0]
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			select {
			case c.ch <- batch:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		c.errc <- err
	}()
	return c
}

// peek returns the next record without consuming it; nil at the end.
func (c *cursor[T]) peek() *T {
	for !c.done && c.i >= len(c.buf) {
		if c.buf != nil {
			c.free <- c.buf[:0]
		}
		b, ok := <-c.ch
		if !ok {
			c.done, c.buf = true, nil
			return nil
		}
		c.buf, c.i = b, 0
	}
	if c.done {
		return nil
	}
	return &c.buf[c.i]
}

func (c *cursor[T]) next() { c.i++ }

// err waits for the scan to end and returns its error.
func (c *cursor[T]) err() error { return <-c.errc }

// loadMarketPnL decomposes one market's window. active is false when the window has nothing of the market to
// show: no fill in it and no position its marks value (MarketPnL.Carried then says what position it held).
func loadMarketPnL(ctx context.Context, j *journal.Journal, group journal.FillGroup, q PnLQuery, rates Rates) (
	m MarketPnL, active bool, err error) {
	m = MarketPnL{Connector: group.Connector, Market: group.Market, BaseAsset: group.BaseAsset, Quote: group.QuoteAsset,
		Carried: decimal.Zero}
	fillFilter := journal.FillFilter{Connector: group.Connector, Market: group.Market, RunID: q.RunID, Since: q.Since,
		Until: q.Until}
	markFilter := journal.MarkFilter{Connector: group.Connector, Market: group.Market, RunID: q.RunID,
		Since: q.Since, Until: q.Until}
	if ok, err := j.HasMarks(ctx, markFilter); err != nil {
		return m, false, err
	} else if !ok { // imported fills and marks may name different connectors: the market's mid is the mid
		markFilter.Connector = ""
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fills := startCursor(ctx, func(ctx context.Context, fn func(*journal.FillRecord) error) error {
		return j.ScanFills(ctx, fillFilter, fn)
	})
	marks := startCursor(ctx, func(ctx context.Context, fn func(*journal.MarkRecord) error) error {
		return j.ScanMarks(ctx, markFilter, fn)
	})
	fail := func(err error) (MarketPnL, bool, error) {
		cancel()
		errF, errM := fills.err(), marks.err()
		return m, false, firstError(err, errF, errM)
	}
	first, firstMark := fills.peek(), marks.peek()
	switch {
	case first != nil && firstMark != nil:
		m.FirstEvent = minTime(first.Time, firstMark.Time)
	case first != nil:
		m.FirstEvent = first.Time
	case firstMark != nil:
		m.FirstEvent = firstMark.Time
	default:
		m.FirstEvent = q.Since
	}

	startBase, startQuote := decimal.Zero, decimal.Zero
	var startMid decimal.NullDecimal
	// The position before the first event is the latest snapshot at or before it (as history's start balances),
	// plus the fills between that snapshot and the start of the window; without a snapshot, the fills before the
	// window from the start of the journal (quant.md §4.4: a position carried into the window counts as bought at
	// the mid it opens with). The mid before it is the latest mark strictly before it, since a mark at that instant
	// is an event itself.
	before := m.FirstEvent.Add(-time.Millisecond)
	start, err := j.LatestBalancesOfRun(ctx, q.RunID, group.Connector, "", []string{group.BaseAsset, group.QuoteAsset}, m.FirstEvent)
	if err != nil {
		return fail(err)
	}
	var snapshotTime time.Time
	if b, ok := start[group.BaseAsset]; ok {
		startBase, snapshotTime = b.Total, b.Time
	}
	if b, ok := start[group.QuoteAsset]; ok {
		startQuote = b.Total
	}
	carried, err := carriedIntoWindow(ctx, j, fillFilter, snapshotTime)
	if err != nil {
		return fail(err)
	}
	startBase = startBase.Add(carried.base.Decimal())
	if mark, ok, err := j.LatestMark(ctx, group.Market, before); err != nil {
		return fail(err)
	} else if ok {
		startMid = decimal.NewNullDecimal(mark.Mid)
		if carried.midKnown && carried.midTime.After(mark.Time) {
			startMid = decimal.NewNullDecimal(carried.mid.Decimal())
		}
	} else if carried.midKnown {
		startMid = decimal.NewNullDecimal(carried.mid.Decimal())
	}
	if first == nil {
		// No fill in the window: the market has a row only when it holds a position the window's marks value.
		m.Carried = startBase
		if startBase.IsZero() || firstMark == nil {
			errF := fills.err() // done: its first peek found the end
			if firstMark == nil {
				return m, false, firstError(errF, marks.err())
			}
			cancel()
			_ = marks.err() // cancelled above
			return m, false, errF
		}
	}
	var firstMarkMid decimal.NullDecimal
	if firstMark != nil {
		firstMarkMid = decimal.NewNullDecimal(firstMark.Mid.Decimal())
	}

	mo := newMarkoutStream(q.Markouts, q.Until)
	r := newReplayer(startBase, startQuote, startMid, q.Method, bucketFunc(q.By, group.Market),
		func(asset string) (decimal.Decimal, bool) { return rates.Rate(asset, group.QuoteAsset) }, -1, false, mo)
	var lastFill, lastMark time.Time
	for {
		f, mk := fills.peek(), marks.peek()
		if f == nil && mk == nil {
			break
		}
		if mk == nil || (f != nil && !f.Time.After(mk.Time)) {
			lastFill = f.Time
			r.fill(f)
			fills.next()
			continue
		}
		lastMark = mk.Time
		r.mark(mk)
		marks.next()
	}
	if err := firstError(fills.err(), marks.err()); err != nil {
		return m, false, err
	}
	m.Replay = r.finish()
	m.Markouts = mo.finish()
	m.LastEvent = maxTime(lastFill, lastMark)

	end, err := j.LatestBalancesOfRun(ctx, q.RunID, group.Connector, "", []string{group.BaseAsset, group.QuoteAsset}, m.LastEvent)
	if err != nil {
		return m, false, err
	}
	sb, okSB := start[group.BaseAsset]
	sq, okSQ := start[group.QuoteAsset]
	eb, okEB := end[group.BaseAsset]
	eq, okEQ := end[group.QuoteAsset]
	if !startMid.Valid {
		startMid = firstMarkMid
	}
	if okSB && okSQ && okEB && okEQ && startMid.Valid && !eb.Time.Equal(sb.Time) {
		equityStart := sq.Total.Add(sb.Total.Mul(startMid.Decimal))
		equityEnd := eq.Total.Add(eb.Total.Mul(m.Replay.EndMid))
		change := equityEnd.Sub(equityStart)
		m.BalanceCheck = &BalanceCheck{EquityChange: change, Total: m.Replay.Window.Total,
			Residual: change.Sub(m.Replay.Window.Total)}
	}
	return m, true, nil
}

// carried is the position the fills before a window leave, and the last mid they were journaled with.
type carried struct {
	base     market.Num
	mid      market.Num
	midTime  time.Time
	midKnown bool
}

// carriedIntoWindow sums the fills of window's market strictly after a balance snapshot (zero: from the start of
// the journal) and before the window: the position the window opens with beyond the snapshot's. A fee in the base
// asset reduces it as in the replay (quant.md §4.6). It streams the fills; nothing is read without a window start.
func carriedIntoWindow(ctx context.Context, j *journal.Journal, window journal.FillFilter, snapshot time.Time) (
	carried, error) {
	var c carried
	if window.Since.IsZero() {
		return c, nil
	}
	filter := window
	filter.Since, filter.Until = time.Time{}, window.Since
	if !snapshot.IsZero() {
		filter.Since = snapshot.Add(time.Millisecond)
		if !filter.Since.Before(window.Since) {
			return c, nil
		}
	}
	err := j.ScanFills(ctx, filter, func(f *journal.FillRecord) error {
		signed := f.Amount
		if f.Sell {
			signed = signed.Neg()
		}
		if f.FeeIn == journal.FeeInBase {
			signed = signed.Sub(f.Fee)
		}
		c.base = c.base.Add(signed)
		switch {
		case f.HasMid:
			c.mid, c.midTime, c.midKnown = f.Mid, f.Time, true
		case !c.midKnown:
			c.mid, c.midTime, c.midKnown = f.Price, f.Time, true
		}
		return nil
	})
	return c, err
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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
