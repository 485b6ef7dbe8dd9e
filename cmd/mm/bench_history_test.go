package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// BenchmarkHistoryProcess measures `mm history` as a process over a journal of 100,000 fills with balance
// snapshots and a mark (target ≤ 300 ms wall, docs/BENCHMARKS.md). Journal and binary are built outside the loop.
func BenchmarkHistoryProcess(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "mm")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	path := filepath.Join(dir, "mm.db")
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 100000
	fills := make([]journal.Fill, 0, n)
	for i := range n {
		side, price := journal.SideBuy, decimal.New(5999995, -2)
		if i%2 == 1 {
			side, price = journal.SideSell, decimal.New(6000005, -2)
		}
		fills = append(fills, journal.Fill{Connector: "paper", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
			ExchangeTradeID: strconv.Itoa(i), Side: side, Amount: decimal.New(1, -3), Price: price,
			Fee: decimal.New(6, -5), FeeAsset: "USDT", Time: t0.Add(time.Duration(i) * time.Second)})
	}
	if _, err := j.InsertFills(ctx, fills); err != nil {
		b.Fatal(err)
	}
	for _, bal := range []journal.Balance{
		{Connector: "paper", Account: "main", Asset: "BTC", Time: t0, Total: decimal.NewFromInt(1), Kind: journal.BalanceStart},
		{Connector: "paper", Account: "main", Asset: "USDT", Time: t0, Total: decimal.NewFromInt(60000), Kind: journal.BalanceStart},
		{Connector: "paper", Account: "main", Asset: "BTC", Time: t0.Add(n * time.Second), Total: decimal.NewFromInt(1), Kind: journal.BalanceEnd},
		{Connector: "paper", Account: "main", Asset: "USDT", Time: t0.Add(n * time.Second), Total: decimal.NewFromInt(60000), Kind: journal.BalanceEnd},
	} {
		if err := j.AddBalance(ctx, bal); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.AddMark(ctx, journal.Mark{Connector: "paper", Market: "BTC-USDT", Time: t0.Add(n * time.Second), Mid: decimal.NewFromInt(60000)}); err != nil {
		b.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if out, err := exec.Command(bin, "history", "--journal", path).CombinedOutput(); err != nil {
			b.Fatalf("mm history: %v\n%s", err, out)
		}
	}
}
