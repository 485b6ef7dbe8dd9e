package journal

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// BenchmarkWriterFills measures fills per second through the batched writer (AddFill, then one Flush), with the
// default batch size and real files: validation and decimal formatting in the caller, inserts and commits in the
// writer goroutine, as in `mm run`.
func BenchmarkWriterFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	fills := make([]Fill, b.N)
	for i := range fills {
		fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range fills {
		if err := j.AddFill(ctx, fills[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}

// BenchmarkInsertFills measures the synchronous import path, 1000 fills per call.
func BenchmarkInsertFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	fills := make([]Fill, b.N)
	for i := range fills {
		fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for start := 0; start < len(fills); start += 1000 {
		if _, err := j.InsertFills(ctx, fills[start:min(start+1000, len(fills))]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}

// BenchmarkWriterMarks measures marks per second through the batched writer, as `mm run` journals one per tick.
func BenchmarkWriterMarks(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	marks := make([]Mark, b.N)
	for i := range marks {
		marks[i] = Mark{Connector: "paper", Market: "BTC-USDT", Time: t0.Add(time.Duration(i) * time.Minute),
			Mid: dec("64125.5").Add(decimal.New(int64(i%1000), -1)), BestBid: decimal.NewNullDecimal(dec("64125")),
			BestAsk: decimal.NewNullDecimal(dec("64126"))}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range marks {
		if err := j.AddMark(ctx, marks[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// runMinute is the orders and order events `mm run` journals per minute of a klines backtest that refreshes one
// order a minute (internal/runner, tick.go): the previous order's cancellation, the new order twice (placed with
// status unknown, then acknowledged open) and its "created" event. Each op is one record.
func runMinute(i int) []func(context.Context, *Journal) error {
	at := t0.Add(time.Duration(i) * time.Minute)
	id := fmt.Sprintf("mm-1-%d", i)
	level := 0
	order := Order{ClientOrderID: id, Connector: "paper", Market: "BTC-USDT", Side: SideBuy,
		OrderType: OrderTypeLimitMaker, Price: dec("64100.5"), Amount: dec("0.0015"), Level: &level,
		CreatedAt: at, Status: StatusUnknown, UpdatedAt: at}
	acked := order
	acked.Status, acked.ExchangeOrderID = StatusOpen, "x"+id
	ops := []func(context.Context, *Journal) error{}
	if i > 0 {
		prev := fmt.Sprintf("mm-1-%d", i-1)
		ops = append(ops, func(ctx context.Context, j *Journal) error {
			return j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: prev, Time: at, Event: EventCancelled})
		})
	}
	return append(ops,
		func(ctx context.Context, j *Journal) error { return j.AddOrder(ctx, order) },
		func(ctx context.Context, j *Journal) error { return j.AddOrder(ctx, acked) },
		func(ctx context.Context, j *Journal) error {
			return j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: id, Time: at, Event: EventCreated})
		})
}

// BenchmarkWriterOrderEvents measures orders and order events (with the status updates they imply) through the
// batched writer, in the order `mm run` queues them (runMinute); rows/s counts records.
func BenchmarkWriterOrderEvents(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	var ops []func(context.Context, *Journal) error
	for i := 0; len(ops) < b.N; i++ {
		ops = append(ops, runMinute(i)...)
	}
	ops = ops[:b.N]
	b.ReportAllocs()
	b.ResetTimer()
	for _, op := range ops {
		if err := op(ctx, j); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
