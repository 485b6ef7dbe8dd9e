package feed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// KlinesColumns are the columns of Binance's kline dumps (github.com/binance/binance-public-data README,
// "Klines"), in file order.
var KlinesColumns = []string{"open_time", "open", "high", "low", "close", "volume", "close_time",
	"quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"}

// KlineOptions configure the kline fill rule.
type KlineOptions struct {
	// Tick is the market's price tick (a kline dump does not carry it; Binance BTCUSDT spot: 0.01). Required.
	Tick decimal.Decimal
	// SpreadTicks is the synthetic spread in ticks; 0 means 1, Binance BTCUSDT's usual spread.
	SpreadTicks int64
}

// KlinesCSV replays a kline dump with the kline fill rule. A kline holds no trades and no book, so each row
// becomes a fixed, deterministic sequence of synthetic events inside its interval:
//
//   - Path. Four prices: open, then high and low in the order high, low when close < open and low, high
//     otherwise (the extreme against the candle's direction comes first), then close.
//   - Times. The k-th price (k = 0..3) is at open_time + k·D/4, where D = close_time − open_time + 1 unit
//     (1 ms or 1 µs, the unit of the row): for a 1m kline 0 s, 15 s, 30 s and 45 s into the minute.
//   - Taker side. The open trades on the candle's side (buy when close ≥ open, sell otherwise); each later
//     price is a buy when it is above the previous price, a sell when below, and keeps the previous side
//     when equal.
//   - Top of book. At each price P, first a KindTopOfBook at the touch the trade takes: a buy lifts the ask,
//     so ask = P and bid = P − spread; a sell hits the bid, so bid = P and ask = P + spread, with spread =
//     SpreadTicks × Tick. Sizes are zero (a kline says nothing about depth); a bid that would not be
//     positive is zero (unknown).
//   - Trade. Then a KindTrade at P with that taker side. The volume is split in quarters floored to the
//     volume's own decimals, the close taking the remainder, so the four sizes add up to the row's volume
//     exactly; zero-size trades are left out (a zero-volume kline gives the four tops and no trade).
//     TradeID counts the synthetic trades of the file from 1.
//
// Rows must have low ≤ open, close ≤ high, and each row must open after the previous one closed.
type KlinesCSV struct {
	file     *csvFile
	spread   market.Fixed
	cur      klinePath
	step     int // next event of cur: 2k is the top of book at point k, 2k+1 its trade; 8 means done
	seq      uint64
	tradeID  uint64
	lastTime time.Time
	err      error
}

// klinePath is one row's four points. Events are built from it in Next rather than queued, which saves
// copying every Event (about 230 bytes) in and out of a queue.
type klinePath struct {
	at    [4]time.Time
	price [4]market.Fixed
	other [4]market.Fixed // the other side of the touch: the bid for a buy, the ask for a sell
	side  [4]market.Side
	size  [4]market.Fixed
}

// OpenKlinesCSV opens a kline dump (KlinesColumns): .csv, .csv.gz or .zip, with or without a header row, times
// in ms or µs (see dumpTime).
func OpenKlinesCSV(path string, opts KlineOptions) (*KlinesCSV, error) {
	if opts.Tick.Sign() <= 0 {
		return nil, errors.New("feed: klines: a positive tick is required for the fill rule's spread")
	}
	if opts.SpreadTicks < 0 {
		return nil, fmt.Errorf("feed: klines: spread %d ticks: want ≥ 0", opts.SpreadTicks)
	}
	if opts.SpreadTicks == 0 {
		opts.SpreadTicks = 1
	}
	spread, ok := market.FixedFromDecimal(opts.Tick.Mul(decimal.NewFromInt(opts.SpreadTicks)))
	if !ok {
		return nil, fmt.Errorf("feed: klines: spread %d × tick %s: %v", opts.SpreadTicks, opts.Tick, errDecimalRange)
	}
	f, err := openCSV(path, KlinesColumns)
	if err != nil {
		return nil, err
	}
	return &KlinesCSV{file: f, spread: spread, step: 8}, nil
}

// Close closes the file.
func (k *KlinesCSV) Close() error {
	if k.err == nil {
		k.err = fmt.Errorf("feed: %s: closed", k.file.path)
	}
	return k.file.close()
}

// Next returns the next synthetic event, io.EOF at the end, or a final error naming file and line.
// The event is built in the named result: it is about 230 bytes, and building it in a local first cost a
// quarter of the kline replay in copies (BenchmarkKlinesCSV profile).
func (k *KlinesCSV) Next() (ev Event, err error) {
	for {
		for k.step < 8 {
			point, trade := k.step/2, k.step%2 == 1
			k.step++
			p := &k.cur
			if trade && p.size[point].Sign() == 0 {
				continue
			}
			k.seq++
			ev.Seq, ev.Time, ev.ExchangeTime = k.seq, p.at[point], p.at[point]
			switch {
			case trade:
				k.tradeID++
				ev.Kind, ev.Price, ev.Size = KindTrade, p.price[point], p.size[point]
				ev.TradeID, ev.TakerSide = k.tradeID, p.side[point]
			case p.side[point] == market.Buy:
				ev.Kind, ev.BidPrice, ev.AskPrice = KindTopOfBook, p.other[point], p.price[point]
			default:
				ev.Kind, ev.BidPrice, ev.AskPrice = KindTopOfBook, p.price[point], p.other[point]
			}
			return ev, nil
		}
		if k.err != nil {
			return Event{}, k.err
		}
		if err := k.row(); err != nil {
			k.err = err
			if err != io.EOF {
				_ = k.file.close()
			}
			return Event{}, err
		}
	}
}

func (k *KlinesCSV) row() error {
	fields, err := k.file.next()
	if err != nil {
		return err
	}
	open, openUnit, err := dumpTime(fields[0])
	if err != nil {
		return k.file.errorf("open_time: %v", err)
	}
	closeTime, _, err := dumpTime(fields[6])
	if err != nil {
		return k.file.errorf("close_time: %v", err)
	}
	if !closeTime.After(open) {
		return k.file.errorf("close_time %s is not after open_time %s", closeTime.Format(time.RFC3339Nano),
			open.Format(time.RFC3339Nano))
	}
	if !open.After(k.lastTime) {
		return k.file.errorf("open_time %s is not after the previous row's close_time %s",
			open.Format(time.RFC3339Nano), k.lastTime.Format(time.RFC3339Nano))
	}
	k.lastTime = closeTime
	var ohlc [4]market.Fixed
	for i, name := range [4]string{"open", "high", "low", "close"} {
		if ohlc[i], err = parseDecimal(fields[1+i]); err != nil {
			return k.file.errorf("%s %q: %v", name, fields[1+i], err)
		}
	}
	o, h, l, c := ohlc[0], ohlc[1], ohlc[2], ohlc[3]
	quarter, last, err := splitQuarters(fields[5])
	if err != nil {
		return k.file.errorf("volume %q: %v", fields[5], err)
	}
	if l.Sign() <= 0 || l.Cmp(o) > 0 || l.Cmp(c) > 0 || h.Cmp(o) < 0 || h.Cmp(c) < 0 {
		return k.file.errorf("prices out of order: want 0 < low ≤ open, close ≤ high (o %s h %s l %s c %s)",
			o, h, l, c)
	}
	path := [4]market.Fixed{o, l, h, c}
	if c.Cmp(o) < 0 {
		path[1], path[2] = h, l
	}
	interval := closeTime.Sub(open) + openUnit
	side := market.Buy
	if c.Cmp(o) < 0 {
		side = market.Sell
	}
	p := &k.cur
	for i, point := range path {
		if i > 0 {
			switch point.Cmp(path[i-1]) {
			case 1:
				side = market.Buy
			case -1:
				side = market.Sell
			}
		}
		p.at[i] = open.Add(interval * time.Duration(i) / 4)
		p.price[i], p.side[i], p.size[i] = point, side, quarter
		var ok bool
		if side == market.Buy {
			if p.other[i], ok = point.Sub(k.spread); ok && p.other[i].Sign() <= 0 {
				p.other[i] = market.Fixed{} // a bid below zero is unknown
			}
		} else {
			p.other[i], ok = point.Add(k.spread)
		}
		if !ok {
			return k.file.errorf("price %s ± spread %s: %v", point, k.spread, errDecimalRange)
		}
	}
	p.size[3] = last
	k.step = 0
	return nil
}

// splitQuarters parses a volume and returns a quarter of it floored to its own decimals, and what is left for
// the fourth part (volume − 3 quarters), so that 3·quarter + last == volume exactly. The volume itself is never
// emitted. A volume whose mantissa at its own decimals does not fit an int64 takes decimal arithmetic, so the
// quarters are still floored to the decimals the file wrote.
func splitQuarters(b []byte) (quarter, last market.Fixed, err error) {
	v, err := parseDecimal(b)
	if err != nil && !errors.Is(err, errDecimalRange) {
		return quarter, last, err
	}
	if decimals := fractionDigits(b); err == nil && v.Exponent() == -decimals {
		m, exp := v.Mantissa(), v.Exponent()
		q := m / 4
		if q == 0 {
			return market.Fixed{}, v, nil
		}
		return market.NewFixed(q, exp), market.NewFixed(m-3*q, exp), nil
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return quarter, last, errDecimalSyntax
	}
	unit := decimal.New(1, min(d.Exponent(), 0))
	q := market.FloorToStep(d.Div(decimal.NewFromInt(4)), unit)
	quarter, okQ := market.FixedFromDecimal(q)
	last, okL := market.FixedFromDecimal(d.Sub(q.Mul(decimal.NewFromInt(3))))
	if !okQ || !okL {
		return quarter, last, errDecimalRange
	}
	return quarter, last, nil
}

// fractionDigits counts the digits after the point of a syntactically valid decimal.
func fractionDigits(b []byte) int32 {
	if dot := bytes.IndexByte(b, '.'); dot >= 0 {
		return int32(len(b) - dot - 1)
	}
	return 0
}
