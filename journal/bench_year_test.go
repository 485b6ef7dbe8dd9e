package journal

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The rows `mm run` journals for one year of 1m klines with examples/klines-backtest.yaml (run.journal_orders:
// filled), counted in the journal of a real run: one mark a tick, the orders that filled with their events and
// fills, and a refresh snapshot of both assets after every change of a total.
const (
	yearMarks    = 525_600
	yearOrders   = 53_103
	yearTwoFills = 239 // orders filled in two parts: partially_filled, then filled
	yearCanceled = 247 // orders partly filled, then cancelled
	yearFills    = yearOrders + yearTwoFills
	yearEvents   = 2*yearOrders + yearTwoFills + yearCanceled
	yearBalances = 2 + 2*yearOrders // the start snapshot, then one per filled order
)

// BenchmarkJournalYear is the journal's share of that year on its own: the same records, queued through the
// writer the way the runner queues them (a mark every minute; an order's held-back rows, its events and fills when
// it fills; a balance refresh after), then flushed. It is the floor of the in-process backtest's wall time on this
// machine: the writer is one goroutine, so no change to the run loop can make the year faster than this.
// MM_BENCH_YEAR_SCALE=N journals 1/N of the year.
func BenchmarkJournalYear(b *testing.B) {
	scale := 1
	if s := os.Getenv("MM_BENCH_YEAR_SCALE"); s != "" {
		var err error
		if scale, err = strconv.Atoi(s); err != nil || scale < 1 {
			b.Fatalf("MM_BENCH_YEAR_SCALE=%q: want a positive integer", s)
		}
	}
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		j, runID := yearJournal(b)
		want := yearRows(scale)
		b.StartTimer()
		start := time.Now()
		if err := journalYear(ctx, j, runID, scale); err != nil {
			b.Fatal(err)
		}
		if err := j.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		total := 0
		for table, n := range want {
			if got := countRows(b, j, table); got != n {
				b.Fatalf("%s: %d rows journaled, want %d", table, got, n)
			}
			total += n
		}
		b.ReportMetric(float64(total), "rows/op")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "rows/s")
		b.StartTimer()
	}
}

// yearJournal is a new journal with the backtest's run row, which every record of the year refers to.
func yearJournal(b *testing.B) (*Journal, int64) {
	j := openTemp(b)
	runID, err := j.StartRun(context.Background(), Run{Account: "backtest", Connector: "paper",
		Market: "BTC-USDT", ConfigHash: "h", StartedAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	return j, runID
}

// yearMark is the mark of minute m: a mid moving over 20 USDT, the book one cent either side.
func yearMark(runID int64, m int) Mark {
	mid := decimal.New(6412345+int64(m%2000), -2)
	return Mark{RunID: runID, Connector: "paper", Market: "BTC-USDT", Time: t0.Add(time.Duration(m) * time.Minute),
		Mid: mid, BestBid: decimal.NewNullDecimal(mid.Sub(decimal.New(1, -2))),
		BestAsk: decimal.NewNullDecimal(mid.Add(decimal.New(1, -2)))}
}

// yearRows is what journalYear writes, by table.
func yearRows(scale int) map[string]int {
	orders := yearOrders / scale
	two, canceled := min(yearTwoFills/scale, orders), min(yearCanceled/scale, orders)
	return map[string]int{"marks": yearMarks / scale, "orders": orders, "fills": orders + two,
		"order_events": 2*orders + two + canceled, "balances": 2 + 2*orders}
}

// journalYear queues the year's records minute by minute. Order k fills at minute k·marks/orders+1, placed a
// minute before; the first yearTwoFills orders fill in two parts, the next yearCanceled are cancelled after a
// partial fill.
func journalYear(ctx context.Context, j *Journal, runID int64, scale int) error {
	rows := yearRows(scale)
	marks, orders := rows["marks"], rows["orders"]
	two, canceled := yearTwoFills/scale, yearCanceled/scale
	bal := func(at time.Time, kind, btc, usdt string) error {
		for _, b := range [...]Balance{{Asset: "BTC", Total: dec(btc)}, {Asset: "USDT", Total: dec(usdt)}} {
			b.RunID, b.Connector, b.Account, b.Kind, b.Time = runID, "paper", "backtest", kind, at
			b.Available = decimal.NewNullDecimal(b.Total)
			if err := j.AddBalance(ctx, b); err != nil {
				return err
			}
		}
		return nil
	}
	if err := bal(t0, BalanceStart, "1", "60000"); err != nil {
		return err
	}
	next := 0 // the next order to fill
	for m := range marks {
		mark := yearMark(runID, m)
		at, mid := mark.Time, mark.Mid
		if err := j.AddMark(ctx, mark); err != nil {
			return err
		}
		for next < orders && next*marks/orders+1 <= m {
			if err := journalFilledOrder(ctx, j, runID, next, at, mid, next < two,
				next >= two && next < two+canceled); err != nil {
				return err
			}
			total := decimal.New(60000_00+int64(next%5000), -2).String()
			if err := bal(at, BalanceRefresh, "1.015", total); err != nil {
				return err
			}
			next++
		}
	}
	return nil
}

// journalFilledOrder queues what the runner journals when order k fills under journal_orders "filled": the
// order's held-back rows (placed unknown, acknowledged open, created), then its fills and events.
func journalFilledOrder(ctx context.Context, j *Journal, runID int64, k int, at time.Time, mid decimal.Decimal,
	twoFills, cancelAfter bool) error {
	placed := at.Add(-time.Minute)
	id := fmt.Sprintf("mm-%d-%d-b0", runID, k)
	level := 0
	o := Order{ClientOrderID: id, RunID: runID, Connector: "paper", Market: "BTC-USDT", Side: SideBuy,
		OrderType: OrderTypeLimitMaker, Price: mid.Sub(decimal.New(64, -1)), Amount: dec("0.01"), Level: &level,
		CreatedAt: placed, Status: StatusUnknown, UpdatedAt: placed}
	if err := j.AddOrder(ctx, o); err != nil {
		return err
	}
	o.Status, o.ExchangeOrderID = StatusOpen, strconv.Itoa(k+1)
	if err := j.AddOrder(ctx, o); err != nil {
		return err
	}
	if err := j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: id, Time: placed, Event: EventCreated}); err != nil {
		return err
	}
	parts := []string{"0.01"}
	if twoFills || cancelAfter {
		parts = []string{"0.004", "0.006"}
	}
	if cancelAfter {
		parts = parts[:1]
	}
	filled := decimal.Zero
	for i, amount := range parts {
		maker := true
		f := Fill{RunID: runID, Connector: "paper", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
			ExchangeTradeID: fmt.Sprintf("%d-%d", k, i), ClientOrderID: id, Side: SideBuy, Price: o.Price,
			Amount: dec(amount), Fee: dec("0.064"), FeeAsset: "USDT", IsMaker: &maker,
			Mid: decimal.NewNullDecimal(mid), Time: at}
		if err := j.AddFill(ctx, f); err != nil {
			return err
		}
		filled = filled.Add(f.Amount)
		event := EventPartiallyFilled
		if filled.Equal(o.Amount) {
			event = EventFilled
		}
		if err := j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: id, Time: at, Event: event}); err != nil {
			return err
		}
	}
	if cancelAfter {
		return j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: id, Time: at, Event: EventCancelled})
	}
	return nil
}

// BenchmarkJournalYearMarks is the marks of BenchmarkJournalYear alone, for their share of it.
func BenchmarkJournalYearMarks(b *testing.B) {
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		j, runID := yearJournal(b)
		b.StartTimer()
		start := time.Now()
		for m := range yearMarks {
			if err := j.AddMark(ctx, yearMark(runID, m)); err != nil {
				b.Fatal(err)
			}
		}
		if err := j.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		if got := countRows(b, j, "marks"); got != yearMarks {
			b.Fatalf("marks: %d rows journaled, want %d", got, yearMarks)
		}
		b.ReportMetric(yearMarks/elapsed.Seconds(), "rows/s")
		b.StartTimer()
	}
}
