package interchange

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// HedgeFillColumns are the columns of the hedge fills CSV (docs/CSV.md), in the order export writes them.
var HedgeFillColumns = columnNames(hedgeFillColumns)

var hedgeFillColumns = []column{
	{"timestamp", true}, {"instrument", true}, {"side", true}, {"price", true}, {"amount", true}, {"fee", true},
	{"fee_asset", true}, {"trade_id", false}, {"venue", false},
	{"contract", false}, {"contract_size", false}, {"quote_asset", false}, {"settle_asset", false},
}

// termColumns are the contract-term columns of the hedge fills CSV: a row gives all of them or none.
var termColumns = []string{"contract", "contract_size", "quote_asset", "settle_asset"}

var hedgeMarkColumns = []column{
	{"timestamp", true}, {"instrument", true}, {"mark", true}, {"venue", false},
}

var fundingColumns = []column{
	{"timestamp", true}, {"instrument", true}, {"amount", true}, {"asset", true}, {"venue", false},
}

// HedgeFills is what a hedge fills CSV holds: the fills, and the contract terms of the instruments whose rows
// gave them (once per instrument, in the order they first appear).
type HedgeFills struct {
	Fills       []journal.HedgeFill
	Instruments []journal.HedgeInstrument
	// InstrumentRows is the data row that first gave each instrument's terms, for errors about them (the fills are
	// one per row, in order: fill i is row i + 1).
	InstrumentRows []int
}

// ReadHedgeFills parses a hedge fills CSV. amount is in contracts; a row's venue defaults to opts.Connector. A row
// without trade_id gets a derived id, as fills do. Rows that give contract terms must agree on them per
// instrument; an instrument whose rows give none must already be in the journal (journal.Import checks).
func ReadHedgeFills(file string, r io.Reader, opts Options) (HedgeFills, error) {
	var out HedgeFills
	t, err := openTable(file, r, hedgeFillColumns)
	if err != nil {
		return out, err
	}
	terms := map[[2]string]int{} // (venue, instrument) → index in out.Instruments
	ids := derivedIDs{}
	trades := map[[3]string]seenFill{} // (venue, instrument, trade_id) given in the file → its first row
	for {
		ok, err := t.next()
		if err != nil {
			return HedgeFills{}, err
		}
		if !ok {
			return out, nil
		}
		h, err := t.hedgeFill(opts)
		if err != nil {
			return HedgeFills{}, err
		}
		if h.TradeID == "" {
			h.TradeID = ids.nextHedge(&h)
		} else {
			// The journal keeps one fill per trade id and skips the rest as duplicates: the same row twice (a fill
			// seen twice) is one fill, but two different trades under one id would silently lose one (review M4).
			key := [3]string{h.Venue, h.Instrument, h.TradeID}
			if first, seen := trades[key]; !seen {
				trades[key] = seenFill{row: t.row, fill: h}
			} else if !sameHedgeFill(first.fill, h) {
				return HedgeFills{}, t.fail("trade_id", "trade %s of %s on %s differs from row %d, which has the same "+
					"trade_id: %s here, %s there", h.TradeID, h.Instrument, h.Venue, first.row, describeHedgeFill(h),
					describeHedgeFill(first.fill))
			}
		}
		instrument, given, err := t.hedgeTerms(h.Venue, h.Instrument)
		if err != nil {
			return HedgeFills{}, err
		}
		if given {
			key := [2]string{h.Venue, h.Instrument}
			if i, seen := terms[key]; !seen {
				terms[key] = len(out.Instruments)
				out.Instruments = append(out.Instruments, instrument)
				out.InstrumentRows = append(out.InstrumentRows, t.row)
			} else if first := out.Instruments[i]; !first.SameTerms(instrument) {
				return HedgeFills{}, t.fail("contract", "%s on %s is %s in an earlier row, %s here", h.Instrument,
					h.Venue, first.Terms(), instrument.Terms())
			}
		}
		out.Fills = append(out.Fills, h)
	}
}

// seenFill is the first row of a trade id in a hedge fills file.
type seenFill struct {
	row  int
	fill journal.HedgeFill
}

// sameHedgeFill reports whether two rows describe the same trade (numbers compared by value: 100 and 100.0 agree).
func sameHedgeFill(a, b journal.HedgeFill) bool {
	return a.Time.Equal(b.Time) && a.Side == b.Side && a.Price.Equal(b.Price) && a.Amount.Equal(b.Amount) &&
		a.Fee.Equal(b.Fee) && a.FeeAsset == b.FeeAsset
}

func describeHedgeFill(h journal.HedgeFill) string {
	return fmt.Sprintf("%s %s at %s, fee %s %s, at %s", h.Side, h.Amount, h.Price, h.Fee, h.FeeAsset,
		h.Time.UTC().Format(time.RFC3339Nano))
}

func (t *table) hedgeFill(opts Options) (journal.HedgeFill, error) {
	var (
		h   journal.HedgeFill
		err error
	)
	if h.Time, err = t.time("timestamp"); err != nil {
		return h, err
	}
	if h.Instrument, err = t.instrument("instrument"); err != nil {
		return h, err
	}
	side, err := t.required("side")
	if err != nil {
		return h, err
	}
	parsedSide, err := market.ParseSide(side)
	if err != nil {
		return h, t.fail("side", "%q is not buy or sell", side)
	}
	h.Side = string(parsedSide)
	if h.Price, err = t.decimal("price", positive); err != nil {
		return h, err
	}
	if h.Amount, err = t.decimal("amount", positive); err != nil {
		return h, err
	}
	if h.Fee, err = t.decimal("fee", anySign); err != nil {
		return h, err
	}
	if h.FeeAsset, err = t.asset("fee_asset"); err != nil {
		return h, err
	}
	h.TradeID = strings.Clone(t.get("trade_id"))
	h.Venue = t.venue(opts)
	return h, nil
}

// hedgeTerms parses the contract-term columns of the current row; given is false when the row leaves them all
// empty.
func (t *table) hedgeTerms(venue, instrument string) (h journal.HedgeInstrument, given bool, err error) {
	empty := 0
	for _, name := range termColumns {
		if t.get(name) == "" {
			empty++
		}
	}
	if empty == len(termColumns) {
		return h, false, nil
	}
	for _, name := range termColumns {
		if t.get(name) == "" {
			return h, false, t.fail(name, "empty: a row with contract terms needs all of %s",
				strings.Join(termColumns, ", "))
		}
	}
	h = journal.HedgeInstrument{Venue: venue, Instrument: instrument, Contract: strings.ToLower(t.get("contract"))}
	if h.Contract != journal.ContractLinear && h.Contract != journal.ContractInverse {
		return h, false, t.fail("contract", "%q is not linear or inverse", t.get("contract"))
	}
	if h.ContractSize, err = t.decimal("contract_size", positive); err != nil {
		return h, false, err
	}
	if h.QuoteAsset, err = t.asset("quote_asset"); err != nil {
		return h, false, err
	}
	if h.SettleAsset, err = t.asset("settle_asset"); err != nil {
		return h, false, err
	}
	switch {
	case h.Contract == journal.ContractLinear && h.SettleAsset != h.QuoteAsset:
		return h, false, t.fail("settle_asset", "a linear contract settles in its quote asset %s, not %s",
			h.QuoteAsset, h.SettleAsset)
	case h.Contract == journal.ContractInverse && h.SettleAsset == h.QuoteAsset:
		return h, false, t.fail("settle_asset", "an inverse contract settles in the coin, not in its quote asset %s",
			h.QuoteAsset)
	}
	return h, true, nil
}

// ReadHedgeMarks parses a hedge marks CSV: the mark price of each instrument over time.
func ReadHedgeMarks(file string, r io.Reader, opts Options) ([]journal.HedgeMark, error) {
	t, err := openTable(file, r, hedgeMarkColumns)
	if err != nil {
		return nil, err
	}
	var marks []journal.HedgeMark
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return marks, err
		}
		var m journal.HedgeMark
		if m.Time, err = t.time("timestamp"); err != nil {
			return nil, err
		}
		if m.Instrument, err = t.instrument("instrument"); err != nil {
			return nil, err
		}
		if m.Mark, err = t.decimal("mark", positive); err != nil {
			return nil, err
		}
		m.Venue = t.venue(opts)
		marks = append(marks, m)
	}
}

// ReadFunding parses a funding CSV. amount is signed from the account's side: positive received, negative paid
// (quant.md §5.1: with a positive rate, longs pay shorts).
func ReadFunding(file string, r io.Reader, opts Options) ([]journal.Funding, error) {
	t, err := openTable(file, r, fundingColumns)
	if err != nil {
		return nil, err
	}
	var payments []journal.Funding
	// The journal keeps one payment per (venue, instrument, time, asset): the same row twice is one payment, two
	// different amounts there would silently lose one (review H4), so they are refused.
	seen := map[fundingKey]int{} // → index in payments
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return payments, err
		}
		var f journal.Funding
		if f.Time, err = t.time("timestamp"); err != nil {
			return nil, err
		}
		if f.Instrument, err = t.instrument("instrument"); err != nil {
			return nil, err
		}
		if f.Amount, err = t.decimal("amount", anySign); err != nil {
			return nil, err
		}
		if f.Asset, err = t.asset("asset"); err != nil {
			return nil, err
		}
		f.Venue = t.venue(opts)
		key := fundingKey{venue: f.Venue, instrument: f.Instrument, ms: f.Time.UnixMilli(), asset: f.Asset}
		if i, dup := seen[key]; dup {
			if first := payments[i]; !first.Amount.Equal(f.Amount) {
				return nil, t.fail("amount", "%s %s of %s on %s at %s differs from row %d, which has the same instrument, "+
					"timestamp and asset with %s: the journal keeps one payment per instrument, time and asset, so add "+
					"the two up in one row", f.Amount, f.Asset, f.Instrument, f.Venue,
					f.Time.UTC().Format(time.RFC3339Nano), i+1, first.Amount)
			}
		} else {
			seen[key] = len(payments)
		}
		payments = append(payments, f)
	}
}

type fundingKey struct {
	venue, instrument string
	ms                int64
	asset             string
}

// instrument reads a hedge instrument name. Venues spell them in their own ways (BTC-PERPETUAL, BTCUSD_PERP), so
// the name is kept as written, only refused when it holds spaces or control characters.
func (t *table) instrument(name string) (string, error) {
	value, err := t.required(name)
	if err != nil {
		return "", err
	}
	for _, r := range value {
		if r <= ' ' || r == 0x7f {
			return "", t.fail(name, "%q holds a space or a control character", value)
		}
	}
	return t.intern(value), nil
}

func (t *table) venue(opts Options) string {
	if venue := t.get("venue"); venue != "" {
		return t.intern(venue)
	}
	return opts.Connector
}

// nextHedge is derivedIDs.next for a hedge fill: the content is
// "timestamp_ms|venue|instrument|side|price|amount|fee|fee_asset".
func (ids derivedIDs) nextHedge(h *journal.HedgeFill) string {
	ms := h.Time.UnixMilli()
	content := strings.Join([]string{strconv.FormatInt(ms, 10), h.Venue, h.Instrument, h.Side, h.Price.String(),
		h.Amount.String(), h.Fee.String(), h.FeeAsset}, "|")
	return ids.nextContent(ms, content)
}
