package paper

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func spotCapture(t testing.TB) string {
	return filepath.Join(sharedtest.DataDir(t), "binance-btcusdt", "spot", "btcusdt_20240808.gz")
}

// rawLine is one trade or bookTicker line of the capture, read back with encoding/json for the expectations:
// independent of the feed's parser and of the engine.
type rawLine struct {
	local    time.Time
	trade    bool
	tradeID  uint64
	price    decimal.Decimal // trade price
	qty      decimal.Decimal
	buyerMkr bool            // is_buyer_maker: the taker sold
	bid, ask decimal.Decimal // bookTicker
}

func readCapture(t testing.TB, path string) []rawLine {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 16<<20)
	var lines []rawLine
	for sc.Scan() {
		ns, body, _ := strings.Cut(sc.Text(), " ")
		var env struct {
			Stream string          `json:"stream"`
			Data   json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatal(err)
		}
		isTrade := strings.HasSuffix(env.Stream, "@trade")
		if !isTrade && !strings.HasSuffix(env.Stream, "@bookTicker") {
			continue
		}
		n, _ := strconv.ParseInt(ns, 10, 64)
		// A map keeps Binance's one-letter keys apart: struct tags would match "t" and "T" alike.
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(env.Data, &fields); err != nil {
			t.Fatal(err)
		}
		str := func(key string) decimal.Decimal {
			var v string
			if err := json.Unmarshal(fields[key], &v); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			return d(v)
		}
		l := rawLine{local: time.Unix(0, n).UTC(), trade: isTrade}
		if isTrade {
			l.price, l.qty = str("p"), str("q")
			if err := json.Unmarshal(fields["t"], &l.tradeID); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(fields["m"], &l.buyerMkr); err != nil {
				t.Fatal(err)
			}
		} else {
			l.bid, l.ask = str("b"), str("a")
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

type restingOrder struct {
	id     string
	side   market.Side
	price  decimal.Decimal
	amount decimal.Decimal
}

// quoteAroundTheBook plays the capture until 20 trades have printed (the book is bootstrapped by then) and
// chooses three bids and three asks dollars away from the touch, at prices where neither the depth book nor
// the latest bookTicker shows any size, so each order's queue is zero by construction. It returns the orders
// and the id of the last trade played.
func quoteAroundTheBook(t *testing.T, e *Exchange, ref *feed.Capture) ([]restingOrder, uint64) {
	var lastTrade uint64
	var ticker feed.Event
	for trades := 0; trades < 20; {
		evs, err := e.Step()
		if err != nil {
			t.Fatal(err)
		}
		refEv, err := ref.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch refEv.Kind {
		case feed.KindTrade:
			trades++
			lastTrade = refEv.TradeID
		case feed.KindTopOfBook:
			ticker = refEv
		}
		for _, ev := range evs {
			if tr, ok := ev.Payload.(sdk.PublicTrade); ok && tr.TradeID != strconv.FormatUint(refEv.TradeID, 10) {
				t.Fatalf("engine and reference capture out of step: %s vs %d", tr.TradeID, refEv.TradeID)
			}
		}
	}
	book := ref.Book()
	bestBid, _ := book.BestBid()
	bestAsk, _ := book.BestAsk()
	bidRef := decimal.Min(bestBid.Price.Decimal(), ticker.BidPrice.Decimal())
	askRef := decimal.Max(bestAsk.Price.Decimal(), ticker.AskPrice.Decimal())
	tick := d("0.01")
	var orders []restingOrder
	for i, off := range []string{"3", "40", "120"} {
		p := bidRef.Sub(d(off))
		for !book.SizeAt(market.Buy, fx(p.String())).IsZero() {
			p = p.Sub(tick)
		}
		orders = append(orders, restingOrder{fmt.Sprintf("bid%d", i+1), market.Buy, p, d("0.5")})
	}
	for i, off := range []string{"3", "15", "40"} {
		p := askRef.Add(d(off))
		for !book.SizeAt(market.Sell, fx(p.String())).IsZero() {
			p = p.Add(tick)
		}
		orders = append(orders, restingOrder{fmt.Sprintf("ask%d", i+1), market.Sell, p, d("0.3")})
	}
	return orders, lastTrade
}

// afterTrade is the capture's lines after the trade with id tradeID.
func afterTrade(t *testing.T, lines []rawLine, tradeID uint64) []rawLine {
	for i, l := range lines {
		if l.trade && l.tradeID == tradeID {
			return lines[i+1:]
		}
	}
	t.Fatalf("trade %d not in the capture", tradeID)
	return nil
}

// expectConservative applies DESIGN.md §5 to the capture's trade prints for orders with no queue ahead: a
// trade fills an order it prints through, or at its price when the aggressor hits the order's side; each
// trade's size goes to the orders best first and is never exceeded.
func expectConservative(orders []restingOrder, lines []rawLine) []string {
	remaining := map[string]decimal.Decimal{}
	for _, o := range orders {
		remaining[o.id] = o.amount
	}
	var out []string
	for _, l := range lines {
		if !l.trade {
			continue
		}
		price, size := l.price, l.qty
		hit := market.Buy // is_buyer_maker: the taker sold into the bids
		if !l.buyerMkr {
			hit = market.Sell
		}
		for _, side := range []market.Side{hit, opposite(hit)} {
			for _, o := range bestFirst(orders, side) {
				through := (o.side == market.Buy && o.price.GreaterThan(price)) ||
					(o.side == market.Sell && o.price.LessThan(price))
				atPrice := side == hit && o.price.Equal(price)
				if !through && !atPrice {
					continue
				}
				amount := decimal.Min(size, remaining[o.id])
				if amount.IsZero() {
					continue
				}
				size = size.Sub(amount)
				remaining[o.id] = remaining[o.id].Sub(amount)
				out = append(out, fmt.Sprintf("%s %s %s@%s %s", o.id, o.side, amount, o.price,
					l.local.Format(time.RFC3339Nano)))
			}
		}
	}
	return out
}

// expectOptimistic applies Hummingbot's paper-trade rules (reference/hummingbot.md §6.2): an order fills
// entirely at its price at the first trade strictly through it, or the first bookTicker that crosses it.
func expectOptimistic(orders []restingOrder, lines []rawLine) []string {
	filled := map[string]bool{}
	var out []string
	for _, l := range lines {
		for _, side := range []market.Side{market.Buy, market.Sell} {
			for _, o := range bestFirst(orders, side) {
				if filled[o.id] {
					continue
				}
				var fills bool
				if l.trade {
					fills = (o.side == market.Buy && l.buyerMkr && o.price.GreaterThan(l.price)) ||
						(o.side == market.Sell && !l.buyerMkr && o.price.LessThan(l.price))
				} else {
					fills = (o.side == market.Buy && !o.price.LessThan(l.ask)) ||
						(o.side == market.Sell && !o.price.GreaterThan(l.bid))
				}
				if fills {
					filled[o.id] = true
					out = append(out, fmt.Sprintf("%s %s %s@%s %s", o.id, o.side, o.amount, o.price,
						l.local.Format(time.RFC3339Nano)))
				}
			}
		}
	}
	return out
}

func opposite(s market.Side) market.Side {
	if s == market.Buy {
		return market.Sell
	}
	return market.Buy
}

func bestFirst(orders []restingOrder, side market.Side) []restingOrder {
	var out []restingOrder
	for _, o := range orders {
		if o.side == side {
			out = append(out, o)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0; j-- {
			better := out[j].price.GreaterThan(out[j-1].price)
			if side == market.Sell {
				better = out[j].price.LessThan(out[j-1].price)
			}
			if !better {
				break
			}
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Issue 3, "What it must show": replaying the spot capture with a fixed set of resting orders gives exactly
// the fills that follow from the trade prints (conservative), and Hummingbot's rule (optimistic).
func TestReplayCaptureFillsFollowTheTradePrints(t *testing.T) {
	path := spotCapture(t)
	lines := readCapture(t, path)
	for _, model := range []FillModel{Conservative, Optimistic} {
		t.Run(string(model), func(t *testing.T) {
			src, err := feed.OpenCapture(path)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := feed.OpenCapture(path)
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			cfg := testConfig()
			cfg.Source, cfg.FillModel = src, model
			e := newExchange(t, cfg)
			defer e.Shutdown(ctx)
			orders, lastTrade := quoteAroundTheBook(t, e, ref)
			for _, o := range orders {
				mustPlace(t, e, maker(o.id, o.side, o.price.String(), o.amount.String()))
			}
			var got []string
			for _, f := range fillsOf(stepAll(t, e)) {
				if !f.Maker || f.Fee.IsZero() {
					t.Errorf("fill %s: maker %t fee %s", f.TradeID, f.Maker, f.Fee)
				}
				got = append(got, fmt.Sprintf("%s %s %s@%s %s", f.ClientOrderID, f.Side, f.Amount, f.Price,
					f.Time.Format(time.RFC3339Nano)))
			}
			expect := expectConservative
			if model == Optimistic {
				expect = expectOptimistic
			}
			want := expect(orders, afterTrade(t, lines, lastTrade))
			if len(want) < 4 {
				t.Fatalf("the chosen orders should fill several times; expectation %q", want)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("fills (%d):\n%s\nwant (%d):\n%s", len(got), strings.Join(got, "\n"), len(want),
					strings.Join(want, "\n"))
			}
			t.Logf("%d fills; first %s; last %s", len(got), got[0], got[len(got)-1])
		})
	}
}
