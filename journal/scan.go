package journal

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"time"

	"github.com/mmtoolkit/mm/market"
)

// Streaming reads for analyses over millions of rows (mm pnl): rows are handed to a callback one at a time in
// a record the scan reuses, only the columns the analysis needs are read, and decimal text is parsed straight
// into market.Num (an int64 mantissa when it fits, decimal.Decimal otherwise), so a scan holds one row in
// memory, not the whole window. The order and the filters are those of Fills and Marks.

// Where a fill's fee is paid, relative to its market (FillRecord.FeeIn).
const (
	FeeInQuote = iota // fee_asset = quote_asset
	FeeInBase         // fee_asset = base_asset (and not the quote asset)
	FeeInOther        // a third asset: FillRecord.FeeAsset names it
)

// FillRecord is the part of a fill that the PnL replay reads.
type FillRecord struct {
	ID     int64
	RunID  int64
	Time   time.Time
	Sell   bool
	Price  market.Num
	Amount market.Num
	Fee    market.Num
	FeeIn  int
	// FeeAsset and QuoteAsset are set only when FeeIn is FeeInOther (a rate has to be looked up).
	FeeAsset, QuoteAsset string
	Mid                  market.Num
	HasMid               bool
}

// MarkRecord is the part of a mark that the PnL replay reads.
type MarkRecord struct {
	ID    int64
	RunID int64
	Time  time.Time
	Mid   market.Num
}

func fillWhere(filter FillFilter) where {
	var w where
	w.text("connector", filter.Connector)
	w.text("market", filter.Market)
	w.runID(filter.RunID)
	w.window("ts", filter.Since, filter.Until)
	return w
}

// markWhere is fillWhere: a MarkFilter has the fields of a FillFilter.
func markWhere(filter MarkFilter) where { return fillWhere(FillFilter(filter)) }

// fillRecordText is one fill as a single text column, fields separated by a unit separator (0x1f, written
// literally in the SQL text; neither decimal text nor an asset name holds it): each column read through
// database/sql costs a few locked calls into SQLite, and over a million rows those calls, not the query, were most
// of the time.
var fillRecordText = strings.ReplaceAll(`ts || SEP || coalesce(run_id, 0) || SEP || (side = 'sell') || SEP ||
	(CASE WHEN fee_asset = quote_asset THEN 0 WHEN fee_asset = base_asset THEN 1 ELSE 2 END) || SEP ||
	price || SEP || amount || SEP || fee || SEP || coalesce(mid, '') ||
	(CASE WHEN fee_asset <> quote_asset AND fee_asset <> base_asset
		THEN SEP || fee_asset || SEP || quote_asset ELSE '' END)`, "SEP", sqlSep)

// sqlSep is the unit separator as an SQL string literal.
const sqlSep = "'\x1f'"

const sep = "\x1f"

// ScanFills calls fn with every fill matching the filter, in the order of Fills (time, then journal order). The
// record is reused: fn must copy what it keeps. An error from fn stops the scan and is returned as is.
func (j *Journal) ScanFills(ctx context.Context, filter FillFilter, fn func(*FillRecord) error) error {
	w := fillWhere(filter)
	var (
		rec  FillRecord
		text sql.RawBytes
	)
	return j.scan(ctx, "fills", "SELECT "+fillRecordText+" FROM fills"+w.String()+" ORDER BY ts, id", w.args,
		func(rows *sql.Rows) error {
			if err := rows.Scan(&text); err != nil {
				return err
			}
			return parseFillRecord(string(text), &rec)
		}, func() error { return fn(&rec) })
}

// scan is query for the Scan* methods: read parses a row into the record, call hands it to the caller, and an
// error from call is returned as is, not wrapped as a read error.
func (j *Journal) scan(ctx context.Context, what, query string, args []any, read func(*sql.Rows) error,
	call func() error) error {
	var errCall error
	err := j.query(ctx, what, query, args, func(rows *sql.Rows) error {
		if err := read(rows); err != nil {
			return err
		}
		errCall = call()
		return errCall
	})
	if errCall != nil {
		return errCall
	}
	return err
}

func parseFillRecord(s string, rec *FillRecord) error {
	var f [10]string
	n := 0
	for n < len(f)-1 {
		i := strings.IndexByte(s, 0x1f)
		if i < 0 {
			break
		}
		f[n], s = s[:i], s[i+1:]
		n++
	}
	f[n] = s
	n++
	if n != 8 && n != 10 {
		return corruptValue("fills", s, errors.New("unexpected fields"))
	}
	ts, errTS := strconv.ParseInt(f[0], 10, 64)
	runID, errRun := strconv.ParseInt(f[1], 10, 64)
	kind, errKind := strconv.Atoi(f[3])
	if err := firstErr(errTS, errRun, errKind); err != nil {
		return corruptValue("fills", f[0], err)
	}
	var errPrice, errAmount, errFee, errMid error
	rec.Time, rec.RunID, rec.Sell, rec.FeeIn = fromMillis(ts), runID, f[2] == "1", kind
	rec.Price, errPrice = parseNum("fills.price", f[4])
	rec.Amount, errAmount = parseNum("fills.amount", f[5])
	rec.Fee, errFee = parseNum("fills.fee", f[6])
	rec.HasMid, rec.Mid = f[7] != "", market.Num{}
	if rec.HasMid {
		rec.Mid, errMid = parseNum("fills.mid", f[7])
	}
	rec.FeeAsset, rec.QuoteAsset = "", ""
	if n == 10 {
		rec.FeeAsset, rec.QuoteAsset = strings.Clone(f[8]), strings.Clone(f[9])
	}
	return firstErr(errPrice, errAmount, errFee, errMid)
}

// ScanMarks calls fn with every mark matching the filter, in the order of Marks. The record is reused.
func (j *Journal) ScanMarks(ctx context.Context, filter MarkFilter, fn func(*MarkRecord) error) error {
	w := markWhere(filter)
	var (
		rec  MarkRecord
		text sql.RawBytes
	)
	return j.scan(ctx, "marks", "SELECT ts || "+sqlSep+" || coalesce(run_id, 0) || "+sqlSep+" || mid FROM marks"+
		w.String()+" ORDER BY ts, id", w.args, func(rows *sql.Rows) error {
		if err := rows.Scan(&text); err != nil {
			return err
		}
		s := string(text)
		a, rest, ok1 := strings.Cut(s, sep)
		b, mid, ok2 := strings.Cut(rest, sep)
		if !ok1 || !ok2 {
			return corruptValue("marks", s, errors.New("unexpected fields"))
		}
		ts, errTS := strconv.ParseInt(a, 10, 64)
		runID, errRun := strconv.ParseInt(b, 10, 64)
		if err := firstErr(errTS, errRun); err != nil {
			return corruptValue("marks", s, err)
		}
		rec.Time, rec.RunID = fromMillis(ts), runID
		var err error
		rec.Mid, err = parseNum("marks.mid", mid)
		return err
	}, func() error { return fn(&rec) })
}

// FillGroup is one (connector, market) of the fills a filter selects, with the assets of its first fill.
type FillGroup struct {
	Connector, Market     string
	BaseAsset, QuoteAsset string
}

// FillGroups returns the (connector, market) pairs of the fills matching the filter, ordered by connector and
// market: ScanFills with a pair added to the filter reads that group. It seeks from one pair to the next along
// the (connector, market, exchange_trade_id) unique index rather than grouping every row.
func (j *Journal) FillGroups(ctx context.Context, filter FillFilter) ([]FillGroup, error) {
	var groups []FillGroup
	for {
		w := fillWhere(filter)
		if len(groups) > 0 {
			last := groups[len(groups)-1]
			w.conds = append(w.conds, "(connector, market) > (?, ?)")
			w.args = append(w.args, last.Connector, last.Market)
		}
		var (
			g     FillGroup
			found bool
		)
		if err := j.query(ctx, "fill groups", "SELECT connector, market FROM fills"+w.String()+
			" ORDER BY connector, market LIMIT 1", w.args, func(rows *sql.Rows) error {
			found = true
			return rows.Scan(&g.Connector, &g.Market)
		}); err != nil {
			return nil, err
		}
		if !found {
			return groups, nil
		}
		f := filter
		f.Connector, f.Market = g.Connector, g.Market
		fw := fillWhere(f)
		if err := j.query(ctx, "fill group", "SELECT base_asset, quote_asset FROM fills"+fw.String()+
			" ORDER BY ts, id LIMIT 1", fw.args, func(rows *sql.Rows) error {
			return rows.Scan(&g.BaseAsset, &g.QuoteAsset)
		}); err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
}

// HasMarks reports whether any mark matches the filter.
func (j *Journal) HasMarks(ctx context.Context, filter MarkFilter) (bool, error) {
	w := markWhere(filter)
	found := false
	err := j.query(ctx, "marks", "SELECT 1 FROM marks"+w.String()+" LIMIT 1", w.args, func(*sql.Rows) error {
		found = true
		return nil
	})
	return found, err
}

func parseNum(column, s string) (market.Num, error) {
	n, err := market.ParseNum(s)
	if err != nil {
		return market.Num{}, corruptValue(column, s, err)
	}
	return n, nil
}
