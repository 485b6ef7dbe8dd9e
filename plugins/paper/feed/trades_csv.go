package feed

import (
	"fmt"
	"io"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// Columns of Binance's public dumps (github.com/binance/binance-public-data README, "Trades" and
// "AggTrades"), in file order.
var (
	TradesColumns    = []string{"id", "price", "qty", "quote_qty", "time", "is_buyer_maker", "is_best_match"}
	AggTradesColumns = []string{"agg_trade_id", "price", "quantity", "first_trade_id", "last_trade_id",
		"transact_time", "is_buyer_maker", "is_best_match"}
)

// TradesCSV replays a trades or aggTrades dump as KindTrade events at the exchange's trade time. For aggTrades
// TradeID is the aggregate trade id and Size the aggregate quantity. is_buyer_maker true means the taker sold.
type TradesCSV struct {
	file                   *csvFile
	idCol, timeCol, makCol int
	seq                    uint64
	last                   time.Time
	err                    error
}

// OpenTradesCSV opens a trades dump (TradesColumns): .csv, .csv.gz or .zip, with or without a header row,
// times in ms or µs (see dumpTime).
func OpenTradesCSV(path string) (*TradesCSV, error) {
	f, err := openCSV(path, TradesColumns)
	if err != nil {
		return nil, err
	}
	return &TradesCSV{file: f, idCol: 0, timeCol: 4, makCol: 5}, nil
}

// OpenAggTradesCSV opens an aggTrades dump (AggTradesColumns), like OpenTradesCSV.
func OpenAggTradesCSV(path string) (*TradesCSV, error) {
	f, err := openCSV(path, AggTradesColumns)
	if err != nil {
		return nil, err
	}
	return &TradesCSV{file: f, idCol: 0, timeCol: 5, makCol: 6}, nil
}

// Close closes the file.
func (t *TradesCSV) Close() error {
	if t.err == nil {
		t.err = fmt.Errorf("feed: %s: closed", t.file.path)
	}
	return t.file.close()
}

// Next returns the next trade, io.EOF at the end, or a final error naming file and line (malformed row,
// time going backwards).
func (t *TradesCSV) Next() (Event, error) {
	if t.err != nil {
		return Event{}, t.err
	}
	ev, err := t.row()
	if err != nil {
		t.err = err
		if err != io.EOF {
			_ = t.file.close()
		}
		return Event{}, err
	}
	t.seq++
	ev.Seq = t.seq
	return ev, nil
}

func (t *TradesCSV) row() (Event, error) {
	fields, err := t.file.next()
	if err != nil {
		return Event{}, err
	}
	ev := Event{Kind: KindTrade}
	if ev.TradeID, err = parseUint(fields[t.idCol]); err != nil {
		return ev, t.file.errorf("%s: %v", t.file.columns[t.idCol], err)
	}
	if ev.Price, err = parseDecimal(fields[1]); err != nil || ev.Price.Sign() == 0 {
		return ev, t.file.errorf("price %q: want a positive decimal", fields[1])
	}
	if ev.Size, err = parseDecimal(fields[2]); err != nil || ev.Size.Sign() == 0 {
		return ev, t.file.errorf("%s %q: want a positive decimal", t.file.columns[2], fields[2])
	}
	if ev.Time, _, err = dumpTime(fields[t.timeCol]); err != nil {
		return ev, t.file.errorf("%s: %v", t.file.columns[t.timeCol], err)
	}
	if ev.Time.Before(t.last) {
		return ev, t.file.errorf("time %s goes backwards (previous row %s)",
			ev.Time.Format(time.RFC3339Nano), t.last.Format(time.RFC3339Nano))
	}
	t.last, ev.ExchangeTime = ev.Time, ev.Time
	buyerMaker, err := dumpBool(fields[t.makCol])
	if err != nil {
		return ev, t.file.errorf("is_buyer_maker: %v", err)
	}
	ev.TakerSide = market.Buy
	if buyerMaker {
		ev.TakerSide = market.Sell
	}
	return ev, nil
}
