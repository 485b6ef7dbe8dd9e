package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Kinds of hedge contract (HedgeInstrument.Contract).
const (
	// ContractLinear: PnL in the quote asset, N·size·(F1 − F0); ContractSize is base units per contract.
	ContractLinear = "linear"
	// ContractInverse: PnL in the coin, N·face·(1/F0 − 1/F1); ContractSize is the face value in the quote asset.
	ContractInverse = "inverse"
)

var contracts = []string{ContractLinear, ContractInverse}

// HedgeInstrument is the contract terms of a hedge instrument (reference/quant.md §5.1, §5.2). (Venue, Instrument)
// identifies it; hedge fills, hedge marks and funding of an instrument can only be journaled once its terms are.
type HedgeInstrument struct {
	Venue        string
	Instrument   string
	Contract     string          // ContractLinear or ContractInverse
	ContractSize decimal.Decimal // linear: base per contract; inverse: face value in QuoteAsset
	QuoteAsset   string          // the asset prices and marks are quoted in (USDT, USD)
	SettleAsset  string          // the asset PnL is paid in: QuoteAsset for linear, the coin for inverse
}

// SameTerms reports whether two records give an instrument the same terms.
func (h HedgeInstrument) SameTerms(o HedgeInstrument) bool {
	return h.Contract == o.Contract && h.ContractSize.Equal(o.ContractSize) && h.QuoteAsset == o.QuoteAsset &&
		h.SettleAsset == o.SettleAsset
}

// Terms describes the terms in one phrase, for messages: "inverse, 100 USD per contract, settled in BTC" or
// "linear, 0.001 base units per contract, settled in USDT".
func (h HedgeInstrument) Terms() string {
	if h.Contract == ContractInverse {
		return fmt.Sprintf("inverse, %s %s per contract, settled in %s", h.ContractSize, h.QuoteAsset, h.SettleAsset)
	}
	return fmt.Sprintf("linear, %s base units per contract, settled in %s", h.ContractSize, h.SettleAsset)
}

// HedgeMark is the mark price of a hedge instrument at one moment, in its quote asset.
type HedgeMark struct {
	ID         int64
	RunID      int64
	Venue      string
	Instrument string
	Time       time.Time
	Mark       decimal.Decimal
}

// HedgeFilter selects the hedge records of a PnL report. Instrument and Venue empty select all.
type HedgeFilter struct {
	Venue      string
	Instrument string
	RunID      int64
	Since      time.Time // inclusive
	Until      time.Time // exclusive
}

func hedgeInstrumentArgs(h *HedgeInstrument) ([]any, error) {
	c := checker{record: "hedge instrument " + h.Venue + " " + h.Instrument}
	c.required("venue", h.Venue)
	c.required("instrument", h.Instrument)
	c.oneOf("contract", h.Contract, contracts)
	c.positive("contract size", h.ContractSize)
	c.required("quote asset", h.QuoteAsset)
	c.required("settle asset", h.SettleAsset)
	switch {
	case h.Contract == ContractLinear && h.SettleAsset != h.QuoteAsset:
		c.fail("a linear contract settles in its quote asset %s, not %s", h.QuoteAsset, h.SettleAsset)
	case h.Contract == ContractInverse && h.SettleAsset == h.QuoteAsset:
		c.fail("an inverse contract settles in the coin, not in its quote asset %s", h.QuoteAsset)
	}
	if c.err != nil {
		return nil, c.err
	}
	return []any{h.Venue, h.Instrument, h.Contract, h.ContractSize.String(), h.QuoteAsset, h.SettleAsset}, nil
}

func hedgeMarkArgs(m *HedgeMark) ([]any, error) {
	c := checker{record: "hedge mark " + m.Instrument}
	c.runID(m.RunID)
	c.required("venue", m.Venue)
	c.required("instrument", m.Instrument)
	c.positive("mark", m.Mark)
	c.time("time", m.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(m.RunID), m.Venue, m.Instrument, toMillis(m.Time), m.Mark.String()}, nil
}

// The hedge import statements. Hedge fills and funding have unique keys (0001_init.sql), so they are imported with
// the writer's statements (writerSQL), which skip a duplicate; hedge marks, like marks, have none (see importMarkSQL)
// and skip an identical row instead.
const (
	importHedgeInstrumentSQL = `INSERT INTO hedge_instruments (venue, instrument, contract, contract_size,
		quote_asset, settle_asset) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (venue, instrument) DO NOTHING`
	importHedgeMarkSQL = `INSERT INTO hedge_marks (run_id, venue, instrument, ts, mark)
		SELECT ?1, ?2, ?3, ?4, ?5
		WHERE NOT EXISTS (SELECT 1 FROM hedge_marks WHERE venue = ?2 AND instrument = ?3 AND ts = ?4 AND mark = ?5)`
)

// Kinds of hedge record, as ImportRecordError names them.
const (
	KindHedgeInstrument = "hedge instrument"
	KindHedgeFill       = "hedge fill"
	KindHedgeMark       = "hedge mark"
	KindFunding         = "funding"
)

// ImportRecordError is an invalid hedge record of an import batch: its kind, its 1-based position among the
// batch's records of that kind, and the input column at fault ("" when it is the whole record), so that the caller
// can name the file, row and column it came from. It wraps an ErrInvalidRecord.
type ImportRecordError struct {
	Kind   string
	Index  int
	Column string
	Err    error
}

func (e *ImportRecordError) Error() string {
	return fmt.Sprintf("import %s %d: %v", e.Kind, e.Index, e.Err)
}

func (e *ImportRecordError) Unwrap() error { return e.Err }

// Reason is the error without its kind and position: what is wrong with the record.
func (e *ImportRecordError) Reason() string {
	return strings.TrimPrefix(e.Err.Error(), ErrInvalidRecord.Error()+": ")
}

// validateHedgeBatch validates the hedge records of an import before its transaction begins.
func validateHedgeBatch(batch ImportBatch) error {
	for i := range batch.HedgeInstruments {
		if _, err := hedgeInstrumentArgs(&batch.HedgeInstruments[i]); err != nil {
			return &ImportRecordError{Kind: KindHedgeInstrument, Index: i + 1, Err: err}
		}
	}
	for i := range batch.HedgeFills {
		if _, err := hedgeFillArgs(&batch.HedgeFills[i]); err != nil {
			return &ImportRecordError{Kind: KindHedgeFill, Index: i + 1, Err: err}
		}
	}
	for i := range batch.HedgeMarks {
		if _, err := hedgeMarkArgs(&batch.HedgeMarks[i]); err != nil {
			return &ImportRecordError{Kind: KindHedgeMark, Index: i + 1, Err: err}
		}
	}
	for i := range batch.Funding {
		if _, err := fundingArgs(&batch.Funding[i]); err != nil {
			return &ImportRecordError{Kind: KindFunding, Index: i + 1, Err: err}
		}
	}
	return nil
}

// importHedges stores the hedge records of a batch inside the import's transaction. Terms come first: an
// instrument already journaled with other terms is an error (a contract's size does not change, and PnL computed
// with the old terms would silently change), and a hedge fill, mark or funding payment of an instrument whose terms
// are neither in the batch nor in the journal is refused, since it could not be valued.
func importHedges(ctx context.Context, tx *sql.Tx, batch ImportBatch, result *ImportResult) error {
	known := map[[2]string]bool{}
	for i := range batch.HedgeInstruments {
		h := &batch.HedgeInstruments[i]
		stored, ok, err := hedgeInstrument(ctx, tx, h.Venue, h.Instrument)
		if err != nil {
			return err
		}
		if ok && !stored.SameTerms(*h) {
			return &ImportRecordError{Kind: KindHedgeInstrument, Index: i + 1, Column: "contract", Err: invalid(
				"hedge instrument "+h.Venue+" "+h.Instrument, "the journal has it as %s; the file says %s",
				stored.Terms(), h.Terms())}
		}
		known[[2]string{h.Venue, h.Instrument}] = true
	}
	checkKnown := func(what string, i int, venue, instrument string) error {
		key := [2]string{venue, instrument}
		if known[key] {
			return nil
		}
		_, ok, err := hedgeInstrument(ctx, tx, venue, instrument)
		if err != nil {
			return err
		}
		if !ok {
			// Only a hedge fills file has the term columns; marks and funding need the terms imported first.
			hint := "give the contract, contract_size, quote_asset and settle_asset columns"
			if what != KindHedgeFill {
				hint = "import them first with the hedge fills (columns contract, contract_size, quote_asset and " +
					"settle_asset)"
			}
			return &ImportRecordError{Kind: what, Index: i + 1, Column: "instrument", Err: invalid(what+" "+instrument,
				"instrument %s on venue %s has no contract terms: %s", instrument, venue, hint)}
		}
		known[key] = true
		return nil
	}
	for i, h := range batch.HedgeFills {
		if err := checkKnown(KindHedgeFill, i, h.Venue, h.Instrument); err != nil {
			return err
		}
	}
	for i, m := range batch.HedgeMarks {
		if err := checkKnown(KindHedgeMark, i, m.Venue, m.Instrument); err != nil {
			return err
		}
	}
	for i, f := range batch.Funding {
		if err := checkKnown(KindFunding, i, f.Venue, f.Instrument); err != nil {
			return err
		}
	}
	var err error
	steps := []struct {
		what, query string
		n           int
		args        func(int) []any
		counts      *ImportCounts
	}{
		{KindHedgeInstrument, importHedgeInstrumentSQL, len(batch.HedgeInstruments), func(i int) []any {
			args, _ := hedgeInstrumentArgs(&batch.HedgeInstruments[i]) // validated before the transaction
			return args
		}, &result.HedgeInstruments},
		{KindHedgeFill, writerSQL[stmtHedgeFill], len(batch.HedgeFills), func(i int) []any {
			args, _ := hedgeFillArgs(&batch.HedgeFills[i])
			return args
		}, &result.HedgeFills},
		{KindHedgeMark, importHedgeMarkSQL, len(batch.HedgeMarks), func(i int) []any {
			args, _ := hedgeMarkArgs(&batch.HedgeMarks[i])
			return args
		}, &result.HedgeMarks},
		{KindFunding, writerSQL[stmtFunding], len(batch.Funding), func(i int) []any {
			args, _ := fundingArgs(&batch.Funding[i])
			return args
		}, &result.Funding},
	}
	for _, step := range steps {
		if *step.counts, err = importGuarded(ctx, tx, step.what, step.query, step.n, step.args); err != nil {
			return err
		}
	}
	return nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const hedgeInstrumentColumns = `venue, instrument, contract, contract_size, quote_asset, settle_asset`

func hedgeInstrument(ctx context.Context, db queryRower, venue, instrument string) (HedgeInstrument, bool, error) {
	var (
		h    HedgeInstrument
		size string
	)
	err := db.QueryRowContext(ctx, "SELECT "+hedgeInstrumentColumns+" FROM hedge_instruments WHERE venue = ? AND "+
		"instrument = ?", venue, instrument).Scan(&h.Venue, &h.Instrument, &h.Contract, &size, &h.QuoteAsset,
		&h.SettleAsset)
	if err == sql.ErrNoRows {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("read hedge instrument: %w", err)
	}
	h.ContractSize, err = parseDecimal("hedge_instruments.contract_size", size)
	return h, err == nil, err
}

// HedgeInstruments returns the instruments with a hedge fill or a funding payment matching the filter's venue,
// instrument, run and end (Since is not applied: a position opened before the window is still held in it), ordered
// by venue and instrument.
func (j *Journal) HedgeInstruments(ctx context.Context, filter HedgeFilter) ([]HedgeInstrument, error) {
	var w where
	w.text("i.venue", filter.Venue)
	w.text("i.instrument", filter.Instrument)
	var inner where
	inner.runID(filter.RunID)
	inner.window("ts", time.Time{}, filter.Until)
	cond := "venue = i.venue AND instrument = i.instrument"
	if len(inner.conds) > 0 {
		cond += " AND " + strings.Join(inner.conds, " AND ")
	}
	w.conds = append(w.conds, "(EXISTS (SELECT 1 FROM hedge_fills WHERE "+cond+") OR EXISTS (SELECT 1 FROM funding WHERE "+
		cond+"))")
	w.args = append(w.args, inner.args...)
	w.args = append(w.args, inner.args...)
	var out []HedgeInstrument
	err := j.query(ctx, "hedge instruments", "SELECT i.venue, i.instrument, i.contract, i.contract_size, "+
		"i.quote_asset, i.settle_asset FROM hedge_instruments i"+w.String()+" ORDER BY i.venue, i.instrument", w.args,
		func(rows *sql.Rows) error {
			var (
				h    HedgeInstrument
				size string
				err  error
			)
			if err := rows.Scan(&h.Venue, &h.Instrument, &h.Contract, &size, &h.QuoteAsset, &h.SettleAsset); err != nil {
				return err
			}
			if h.ContractSize, err = parseDecimal("hedge_instruments.contract_size", size); err != nil {
				return err
			}
			out = append(out, h)
			return nil
		})
	return out, err
}

// UnvaluedHedges returns the (venue, instrument) pairs with hedge fills or funding matching the filter (as
// HedgeInstruments does) but no contract terms: a hedge adapter may journal fills before anyone told mm the terms,
// and mm pnl names them rather than leave them out silently.
func (j *Journal) UnvaluedHedges(ctx context.Context, filter HedgeFilter) ([][2]string, error) {
	filter.Since = time.Time{} // as HedgeInstruments: a position opened before the window is still held in it
	w := hedgeWhere(filter)
	w.conds = append(w.conds, "NOT EXISTS (SELECT 1 FROM hedge_instruments i WHERE i.venue = h.venue AND "+
		"i.instrument = h.instrument)")
	var out [][2]string
	err := j.query(ctx, "hedges without terms", "SELECT venue, instrument FROM (SELECT venue, instrument, run_id, ts "+
		"FROM hedge_fills UNION ALL SELECT venue, instrument, run_id, ts FROM funding) h"+w.String()+
		" GROUP BY venue, instrument ORDER BY venue, instrument", w.args, func(rows *sql.Rows) error {
		var pair [2]string
		if err := rows.Scan(&pair[0], &pair[1]); err != nil {
			return err
		}
		out = append(out, pair)
		return nil
	})
	return out, err
}

func hedgeWhere(filter HedgeFilter) where {
	var w where
	w.text("venue", filter.Venue)
	w.text("instrument", filter.Instrument)
	w.runID(filter.RunID)
	w.window("ts", filter.Since, filter.Until)
	return w
}

// ScanHedgeFills calls fn with every hedge fill matching the filter, in time order (then journal order). The
// record is reused: fn must copy what it keeps. Hedge fills are few next to maker fills, so they are read as
// decimals rather than through the fixed-point records of ScanFills.
//
// It is ScanHedgeFillsWithTerms without the terms: the join costs one primary-key lookup per fill.
func (j *Journal) ScanHedgeFills(ctx context.Context, filter HedgeFilter, fn func(*HedgeFill) error) error {
	return j.ScanHedgeFillsWithTerms(ctx, filter, func(h *HedgeFillWithTerms) error { return fn(&h.HedgeFill) })
}

// ScanHedgeMarks calls fn with every hedge mark matching the filter, in time order. The record is reused.
func (j *Journal) ScanHedgeMarks(ctx context.Context, filter HedgeFilter, fn func(*HedgeMark) error) error {
	w := hedgeWhere(filter)
	var rec HedgeMark
	return j.scan(ctx, "hedge marks", "SELECT id, coalesce(run_id, 0), venue, instrument, ts, mark FROM hedge_marks"+
		w.String()+" ORDER BY ts, id", w.args, func(rows *sql.Rows) error {
		var (
			mark string
			ts   int64
			err  error
		)
		if err := rows.Scan(&rec.ID, &rec.RunID, &rec.Venue, &rec.Instrument, &ts, &mark); err != nil {
			return err
		}
		rec.Time = fromMillis(ts)
		rec.Mark, err = parseDecimal("hedge_marks.mark", mark)
		return err
	}, func() error { return fn(&rec) })
}

// ScanFunding calls fn with every funding payment matching the filter, in time order. The record is reused.
func (j *Journal) ScanFunding(ctx context.Context, filter HedgeFilter, fn func(*Funding) error) error {
	w := hedgeWhere(filter)
	var rec Funding
	return j.scan(ctx, "funding", "SELECT id, coalesce(run_id, 0), venue, instrument, ts, amount, asset FROM funding"+
		w.String()+" ORDER BY ts, id", w.args, func(rows *sql.Rows) error {
		var (
			amount string
			ts     int64
			err    error
		)
		if err := rows.Scan(&rec.ID, &rec.RunID, &rec.Venue, &rec.Instrument, &ts, &amount, &rec.Asset); err != nil {
			return err
		}
		rec.Time = fromMillis(ts)
		rec.Amount, err = parseDecimal("funding.amount", amount)
		return err
	}, func() error { return fn(&rec) })
}
