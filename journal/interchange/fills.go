package interchange

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// Options are the defaults an import applies to rows that do not say.
type Options struct {
	Connector string       // connector of rows without a connector column or value
	Account   string       // account of balance rows without one
	Market    *market.Pair // Binance JSON: the market of every trade (nil: infer from the symbol)
	RowsHint  int          // expected number of rows (for example the file's line count), to size the result once
}

// FillColumns are the columns of the fills CSV, in the order export writes them (docs/CSV.md).
var FillColumns = []string{"timestamp", "market", "side", "price", "amount", "fee", "fee_asset", "trade_id",
	"order_id", "mid", "is_maker", "connector"}

var fillColumns = []column{
	{"timestamp", true}, {"market", true}, {"side", true}, {"price", true}, {"amount", true}, {"fee", true},
	{"fee_asset", true}, {"trade_id", false}, {"order_id", false}, {"mid", false}, {"is_maker", false},
	{"connector", false},
}

// DerivedIDPrefix starts the trade id of a fill imported without one.
const DerivedIDPrefix = "csv:"

// ReadFills parses a fills CSV. A row without trade_id gets DerivedTradeID, so importing the same file twice
// stores each fill once.
func ReadFills(file string, r io.Reader, opts Options) ([]journal.Fill, error) {
	t, err := openTable(file, r, fillColumns)
	if err != nil {
		return nil, err
	}
	// Sized once: growing a slice of a million 250-byte records by appending spent half of the parse copying it.
	fills := make([]journal.Fill, 0, opts.RowsHint)
	ids := derivedIDs{}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return fills, nil
		}
		fills = append(fills, journal.Fill{})
		f := &fills[len(fills)-1]
		if err := t.fill(f, opts); err != nil {
			return nil, err
		}
		if f.ExchangeTradeID == "" {
			f.ExchangeTradeID = ids.next(f)
		}
	}
}

// fill parses the current row into f.
func (t *table) fill(f *journal.Fill, opts Options) error {
	var err error
	if f.Time, err = t.time("timestamp"); err != nil {
		return err
	}
	pair, err := t.market("market")
	if err != nil {
		return err
	}
	f.Market, f.BaseAsset, f.QuoteAsset = t.intern(pair.String()), pair.Base, pair.Quote
	side, err := t.required("side")
	if err != nil {
		return err
	}
	parsedSide, err := market.ParseSide(side)
	if err != nil {
		return t.fail("side", "%q is not buy or sell", side)
	}
	f.Side = string(parsedSide)
	if f.Price, err = t.decimal("price", positive); err != nil {
		return err
	}
	if f.Amount, err = t.decimal("amount", positive); err != nil {
		return err
	}
	// Rebates make maker fees negative on some venues, so the fee may have either sign (as in journal.Fill).
	if f.Fee, err = t.decimal("fee", anySign); err != nil {
		return err
	}
	if f.FeeAsset, err = t.asset("fee_asset"); err != nil {
		return err
	}
	f.ExchangeTradeID = strings.Clone(t.get("trade_id"))
	f.ClientOrderID = strings.Clone(t.get("order_id"))
	if f.Mid, err = t.optionalDecimal("mid", positive); err != nil {
		return err
	}
	if f.IsMaker, err = parseBool(t.get("is_maker")); err != nil {
		return t.fail("is_maker", "%v", err)
	}
	f.Connector = t.connector(opts)
	return nil
}

// derivedIDs gives fills without a trade id a deterministic one: "csv:<timestamp_ms>:" and the first 24 hex digits
// of SHA-256 over "timestamp_ms|market|side|price|amount|fee|fee_asset|order_id|n", decimals in canonical form and n
// the number of identical rows before this one in the same file. n keeps two genuinely identical trades (same
// millisecond, price and size) apart, while the same file imported again yields the same ids. The timestamp in
// front makes the ids of a time-ordered file ascend, so they are appended to the journal's unique index instead of
// landing all over it: a million hash-only ids took twice as long to import as exchange ids do.
type derivedIDs map[[sha256.Size]byte]int

func (ids derivedIDs) next(f *journal.Fill) string {
	ms := f.Time.UnixMilli()
	content := strings.Join([]string{strconv.FormatInt(ms, 10), f.Market, f.Side, f.Price.String(),
		f.Amount.String(), f.Fee.String(), f.FeeAsset, f.ClientOrderID}, "|")
	return ids.nextContent(ms, content)
}

// nextContent is the id of the next row at ms with the given normalized content.
func (ids derivedIDs) nextContent(ms int64, content string) string {
	key := sha256.Sum256([]byte(content))
	n := ids[key]
	ids[key] = n + 1
	return DerivedTradeID(ms, content, n)
}

// DerivedTradeID is the id of the n-th (from 0) row at timestamp ms with the given normalized content; see
// derivedIDs.
func DerivedTradeID(ms int64, content string, n int) string {
	sum := sha256.Sum256([]byte(content + "|" + strconv.Itoa(n)))
	return DerivedIDPrefix + strconv.FormatInt(ms, 10) + ":" + hex.EncodeToString(sum[:12])
}
