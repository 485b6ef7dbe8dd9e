package interchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// BinanceQuotes are the quote assets tried, longest first, to split a Binance symbol such as BTCUSDT into BTC-USDT
// when --market is not given (docs/CSV.md). A symbol none of them ends in needs --market.
var BinanceQuotes = []string{"FDUSD", "USDT", "USDC", "TUSD", "BUSD", "USDP", "AEUR", "EURI", "BTC", "ETH", "BNB",
	"DAI", "EUR", "TRY", "BRL", "JPY", "GBP", "AUD", "MXN", "ARS", "ZAR", "PLN", "RON", "UAH", "IDR", "XRP", "TRX",
	"DOGE", "SOL"}

// LooksLikeJSON reports whether an import file is JSON: its name ends in .json or its first non-blank byte is '['.
func LooksLikeJSON(file string, head []byte) bool {
	if strings.HasSuffix(strings.ToLower(file), ".json") {
		return true
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return len(trimmed) > 0 && trimmed[0] == '['
}

// ReadBinanceTrades parses the JSON array returned by Binance spot GET /api/v3/myTrades (reference/exchanges.md):
// id → trade_id, orderId → order_id, isBuyer → side, qty → amount, commission/commissionAsset → fee/fee_asset,
// time (Unix ms) → timestamp, isMaker → is_maker. quoteQty is not stored (the journal keeps price × amount
// exactly); unknown fields are ignored, as Binance adds fields over time.
func ReadBinanceTrades(file string, r io.Reader, opts Options) ([]journal.Fill, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, &InputError{File: file, JSON: true, Msg: "want a JSON array of myTrades items"}
	}
	var (
		fills  []journal.Fill
		pairs  = map[string]market.Pair{}
		line   = 1
		offset int64
	)
	for item := 1; dec.More(); item++ {
		start := dec.InputOffset()
		for start < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[start]) >= 0 {
			start++
		}
		line += bytes.Count(data[offset:start], []byte("\n"))
		offset = start
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &InputError{File: file, JSON: true, Row: item, Line: line, Msg: "not a JSON object: " + err.Error()}
		}
		it := jsonItem{file: file, row: item, line: line, raw: raw}
		f, err := it.fill(opts, pairs)
		if err != nil {
			return nil, err
		}
		fills = append(fills, f)
	}
	if _, err := dec.Token(); err != nil {
		return nil, &InputError{File: file, JSON: true, Line: line, Msg: "the JSON array does not end: " + err.Error()}
	}
	return fills, nil
}

// jsonItem is one myTrades item; its accessors report errors naming the field.
type jsonItem struct {
	file      string
	row, line int
	raw       map[string]json.RawMessage
}

func (it *jsonItem) fail(field, format string, args ...any) error {
	return &InputError{File: it.file, JSON: true, Row: it.row, Line: it.line, Column: field,
		Msg: fmt.Sprintf(format, args...)}
}

// text returns a string or number field as text; Binance sends decimals as strings and ids and times as numbers.
func (it *jsonItem) text(field string) (string, error) {
	raw, ok := it.raw[field]
	if !ok || string(raw) == "null" {
		return "", it.fail(field, "missing")
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", it.fail(field, "%v", err)
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", it.fail(field, "%s is not a string or a number", raw)
		}
		s = n.String()
	}
	if s = strings.TrimSpace(s); s == "" {
		return "", it.fail(field, "empty")
	}
	return s, nil
}

func (it *jsonItem) decimal(field string, sign int) (decimal.Decimal, error) {
	s, err := it.text(field)
	if err != nil {
		return decimal.Decimal{}, err
	}
	d, msg := parseDecimal(s, sign)
	if msg != "" {
		return decimal.Decimal{}, it.fail(field, "%s", msg)
	}
	return d, nil
}

// boolean reads a JSON boolean; a missing optional field is nil.
func (it *jsonItem) boolean(field string, required bool) (*bool, error) {
	raw, ok := it.raw[field]
	if !ok || string(raw) == "null" {
		if required {
			return nil, it.fail(field, "missing")
		}
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, it.fail(field, "%s is not true or false", raw)
	}
	return &b, nil
}

func (it *jsonItem) fill(opts Options, pairs map[string]market.Pair) (journal.Fill, error) {
	f := journal.Fill{Connector: opts.Connector}
	symbol, err := it.text("symbol")
	if err != nil {
		return f, err
	}
	pair, ok := pairs[symbol]
	if !ok {
		if pair, err = splitSymbol(symbol, opts.Market); err != nil {
			return f, it.fail("symbol", "%v", err)
		}
		pairs[symbol] = pair
	}
	f.Market, f.BaseAsset, f.QuoteAsset = pair.String(), pair.Base, pair.Quote
	if f.ExchangeTradeID, err = it.text("id"); err != nil {
		return f, err
	}
	if _, ok := it.raw["orderId"]; ok {
		if f.ClientOrderID, err = it.text("orderId"); err != nil {
			return f, err
		}
	}
	if f.Price, err = it.decimal("price", positive); err != nil {
		return f, err
	}
	if f.Amount, err = it.decimal("qty", positive); err != nil {
		return f, err
	}
	if f.Fee, err = it.decimal("commission", anySign); err != nil {
		return f, err
	}
	feeAsset, err := it.text("commissionAsset")
	if err != nil {
		return f, err
	}
	f.FeeAsset = strings.ToUpper(feeAsset)
	ms, err := it.text("time")
	if err != nil {
		return f, err
	}
	if strings.Trim(ms, "0123456789") != "" {
		return f, it.fail("time", "%s is not Unix milliseconds", ms)
	}
	if f.Time, err = ParseTime(ms); err != nil {
		return f, it.fail("time", "%v", err)
	}
	isBuyer, err := it.boolean("isBuyer", true)
	if err != nil {
		return f, err
	}
	f.Side = journal.SideSell
	if *isBuyer {
		f.Side = journal.SideBuy
	}
	f.IsMaker, err = it.boolean("isMaker", false)
	return f, err
}

// splitSymbol turns a Binance symbol into a pair: the given market, which the symbol must spell, or the longest
// known quote asset the symbol ends in.
func splitSymbol(symbol string, given *market.Pair) (market.Pair, error) {
	upper := strings.ToUpper(symbol)
	if given != nil {
		if upper != given.Base+given.Quote {
			return market.Pair{}, fmt.Errorf("%q is not --market %s", symbol, given)
		}
		return *given, nil
	}
	best := ""
	for _, quote := range BinanceQuotes {
		if strings.HasSuffix(upper, quote) && len(upper) > len(quote) && len(quote) > len(best) {
			best = quote
		}
	}
	if best == "" {
		return market.Pair{}, fmt.Errorf("%q: cannot tell the base from the quote asset; give --market BASE-QUOTE", symbol)
	}
	return market.Pair{Base: strings.TrimSuffix(upper, best), Quote: best}, nil
}
