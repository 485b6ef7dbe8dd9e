package analysis

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// HedgeReplayInputs is one hedge instrument's events for ReplayHedge, each in time order.
type HedgeReplayInputs struct {
	Instrument journal.HedgeInstrument
	Fills      []journal.HedgeFill
	Marks      []journal.HedgeMark
	Funding    []journal.Funding
	Since      time.Time // events before it only build the position the window starts with
	Method     string
	Bucket     func(t time.Time, runID int64) string // nil: one bucket named after the instrument
	FeeRate    func(asset string) (decimal.Decimal, bool)
}

// ReplayHedge values one hedge instrument's fills, marks and funding in one total order: by time, and at one
// instant a fill, then a funding payment, then a mark (quant.md §4.1: a fill before the book update of the same
// timestamp). LoadPnL streams the journal through the same replayer.
func ReplayHedge(in HedgeReplayInputs) HedgePnL {
	bucket, feeRate := in.Bucket, in.FeeRate
	if bucket == nil {
		bucket = bucketFunc(ByMarket, in.Instrument.Instrument)
	}
	if feeRate == nil {
		feeRate = func(string) (decimal.Decimal, bool) { return decimal.Decimal{}, false }
	}
	r := newHedgeReplayer(in.Instrument, in.Since, in.Method, bucket, feeRate)
	fi, pi, mi := 0, 0, 0
	for fi < len(in.Fills) || pi < len(in.Funding) || mi < len(in.Marks) {
		var f *journal.HedgeFill
		var p *journal.Funding
		var m *journal.HedgeMark
		if fi < len(in.Fills) {
			f = &in.Fills[fi]
		}
		if pi < len(in.Funding) {
			p = &in.Funding[pi]
		}
		if mi < len(in.Marks) {
			m = &in.Marks[mi]
		}
		switch nextHedgeEvent(f, p, m) {
		case hedgeEventFill:
			r.fill(f)
			fi++
		case hedgeEventFunding:
			r.funding(p)
			pi++
		default:
			r.markEvent(m)
			mi++
		}
	}
	return r.finish()
}

const (
	hedgeEventFill = iota
	hedgeEventFunding
	hedgeEventMark
)

// nextHedgeEvent picks the earliest of the next fill, funding payment and mark (nil: none left); at one instant a
// fill goes first, then funding, then the mark.
func nextHedgeEvent(f *journal.HedgeFill, p *journal.Funding, m *journal.HedgeMark) int {
	next, at := -1, time.Time{}
	consider := func(kind int, t time.Time) {
		if next < 0 || t.Before(at) {
			next, at = kind, t
		}
	}
	if f != nil {
		consider(hedgeEventFill, f.Time)
	}
	if p != nil {
		consider(hedgeEventFunding, p.Time)
	}
	if m != nil {
		consider(hedgeEventMark, m.Time)
	}
	return next
}

// loadHedgePnL streams one hedge instrument's fills, funding and marks up to the end of the window through the
// hedge replayer: three cursors merged in time order, as loadMarketPnL merges fills and marks. Events before the
// window are read too, because the position the window opens with is the sum of the fills before it.
func loadHedgePnL(ctx context.Context, j *journal.Journal, terms journal.HedgeInstrument, q PnLQuery,
	rates Rates) (HedgePnL, bool, error) {
	filter := journal.HedgeFilter{Venue: terms.Venue, Instrument: terms.Instrument, RunID: q.RunID, Until: q.Until}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fills := startCursor(ctx, func(ctx context.Context, fn func(*journal.HedgeFill) error) error {
		return j.ScanHedgeFills(ctx, filter, fn)
	})
	payments := startCursor(ctx, func(ctx context.Context, fn func(*journal.Funding) error) error {
		return j.ScanFunding(ctx, filter, fn)
	})
	// Marks are the instrument's price whichever run journaled them.
	markFilter := filter
	markFilter.RunID = 0
	marks := startCursor(ctx, func(ctx context.Context, fn func(*journal.HedgeMark) error) error {
		return j.ScanHedgeMarks(ctx, markFilter, fn)
	})
	r := newHedgeReplayer(terms, q.Since, q.Method, bucketFunc(q.By, terms.Instrument),
		func(asset string) (decimal.Decimal, bool) { return rates.Rate(asset, terms.QuoteAsset) })
	for {
		f, p, m := fills.peek(), payments.peek(), marks.peek()
		if f == nil && p == nil && m == nil {
			break
		}
		switch nextHedgeEvent(f, p, m) {
		case hedgeEventFill:
			r.fill(f)
			fills.next()
		case hedgeEventFunding:
			r.funding(p)
			payments.next()
		default:
			r.markEvent(m)
			marks.next()
		}
	}
	if err := firstError(fills.err(), payments.err(), marks.err()); err != nil {
		return HedgePnL{}, false, err
	}
	return r.finish(), r.active, nil
}
