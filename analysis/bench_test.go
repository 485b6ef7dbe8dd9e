package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// benchJournal writes a journal of n fills and n marks of one market (alternating, one second apart, prices on
// a deterministic zigzag) and returns its path. It is cached per size in the benchmark's temp dir.
func benchJournal(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), fmt.Sprintf("bench-%d.db", n))
	if dir := os.Getenv("MM_BENCH_PNL_DIR"); dir != "" { // keep the journal between runs: building 1M takes a while
		path = filepath.Join(dir, fmt.Sprintf("bench-%d.db", n))
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 10000
	fills := make([]journal.Fill, 0, batch)
	for i := range n {
		mid := decimal.New(6000000+int64(i%200)-100, -2) // 59999.00 … 60000.99
		side, price := journal.SideBuy, mid.Sub(decimal.New(5, -2))
		if i%2 == 1 {
			side, price = journal.SideSell, mid.Add(decimal.New(5, -2))
		}
		at := t0.Add(time.Duration(i) * time.Second)
		fills = append(fills, journal.Fill{Connector: "paper", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
			ExchangeTradeID: strconv.Itoa(i), Side: side, Amount: decimal.New(1, -3), Price: price,
			Fee: decimal.New(-6, -4), FeeAsset: "USDT", Mid: decimal.NewNullDecimal(mid), Time: at})
		if err := j.AddMark(ctx, journal.Mark{Connector: "paper", Market: "BTC-USDT", Time: at.Add(500 * time.Millisecond), Mid: mid}); err != nil {
			b.Fatal(err)
		}
		if len(fills) == batch {
			if _, err := j.InsertFills(ctx, fills); err != nil {
				b.Fatal(err)
			}
			fills = fills[:0]
		}
	}
	if len(fills) > 0 {
		if _, err := j.InsertFills(ctx, fills); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Close(ctx); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkPnL runs the whole decomposition (read every fill and mark, replay, mark-outs) over n fills and n
// marks. The target is 1,000,000 + 1,000,000 in ≤ 2 s; MM_BENCH_PNL_N sets n (default 100,000 so that
// make bench stays short; the documented number uses 1,000,000).
func BenchmarkPnL(b *testing.B) {
	n := 100000
	if s := os.Getenv("MM_BENCH_PNL_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	path := benchJournal(b, n)
	ctx := context.Background()
	j, err := journal.OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close(ctx)
	q := PnLQuery{By: ByMarket, Method: MethodAvgCost, Markouts: []time.Duration{time.Second, 10 * time.Second, time.Minute}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := LoadPnL(ctx, j, q)
		if err != nil {
			b.Fatal(err)
		}
		if r.Markets[0].Replay.Window.Fills != n || !r.Markets[0].Replay.Window.Residual.IsZero() {
			b.Fatalf("fills %d residual %s", r.Markets[0].Replay.Window.Fills, r.Markets[0].Replay.Window.Residual)
		}
	}
	b.ReportMetric(float64(2*n)/(b.Elapsed().Seconds()/float64(b.N)), "events/s")
}
