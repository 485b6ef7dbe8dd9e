package runner

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// The InventoryCost record of price_type inventory_cost continues across runs: seeded at the start of the
// series' first run, moved by every own fill since, fills made while mm was down included.
func TestInventoryCostRecordContinuesAcrossRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cfgJSON := func(priceType, price string) string {
		return `{"strategy": {"price_type": "` + priceType + `", "inventory_price": "` + price + `"}}`
	}
	startRun := func(config string, at time.Time) int64 {
		id, err := j.StartRun(ctx, journal.Run{Account: "acct", Connector: "paper", Market: "BTC-USDT",
			ConfigHash: "h", Config: config, StartedAt: at, MMVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	d := decimal.RequireFromString
	fill := func(run int64, id, client, side, price, amount, fee, feeAsset string, at time.Time) {
		err := j.AddFill(ctx, journal.Fill{RunID: run, Connector: "paper", Market: "BTC-USDT", BaseAsset: "BTC",
			QuoteAsset: "USDT", ExchangeTradeID: id, ClientOrderID: client, Side: side, Price: d(price),
			Amount: d(amount), Fee: d(fee), FeeAsset: feeAsset, Time: at})
		if err != nil {
			t.Fatal(err)
		}
	}
	older := startRun(cfgJSON("mid_price", "1"), t0.Add(-time.Hour))
	fill(older, "T0", "mm-1-1-b0", "buy", "50", "1", "0", "USDT", t0.Add(-time.Minute)) // before the series
	first := startRun(cfgJSON("inventory_cost", "100"), t0)
	if err := j.AddBalance(ctx, journal.Balance{RunID: first, Connector: "paper", Account: "acct", Asset: "BTC",
		Time: t0, Total: d("2"), Kind: journal.BalanceStart}); err != nil {
		t.Fatal(err)
	}
	fill(first, "T1", "mm-2-1-b0", "buy", "110", "1", "0.1", "USDT", t0.Add(time.Minute))
	fill(first, "T2", "manual-7", "buy", "1", "5", "0", "USDT", t0.Add(2*time.Minute)) // not an own order
	second := startRun(cfgJSON("inventory_cost", "100"), t0.Add(time.Hour))
	fill(second, "T3", "mm-2-9-s0", "sell", "120", "1.5", "0.18", "USDT", t0.Add(30*time.Minute)) // while down
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	load := func(runID int64, price string) (base, quote decimal.Decimal) {
		cfg := &config.Config{}
		cfg.Connector.Name = "paper"
		r := &run{cfg: cfg, j: j, runID: runID, connName: "paper", account: "acct",
			pair: market.Pair{Base: "BTC", Quote: "USDT"}, marketName: "BTC-USDT", log: discardLogger(),
			params:   strategy.PMMParams{PriceType: strategy.PriceInventoryCost, InventoryPrice: d(price)},
			balances: map[string]sdk.Balance{"BTC": {Asset: "BTC", Total: d("7")}}}
		if err := r.loadInventoryCost(ctx); err != nil {
			t.Fatal(err)
		}
		return r.invBase, r.invQuote
	}
	// Seed 2 BTC at 100 = 200 USDT; the buy adds 1 BTC and 110 + 0.1 fee = 310.1; the sell of 1.5 of 3 BTC
	// removes half the cost: 1.5 BTC for 155.05 USDT.
	third := startRun(cfgJSON("inventory_cost", "100"), t0.Add(2*time.Hour))
	if base, quote := load(third, "100"); !base.Equal(d("1.5")) || !quote.Equal(d("155.05")) {
		t.Errorf("continued record %s BTC for %s USDT, want 1.5 for 155.05", base, quote)
	}
	// A new inventory_price starts a new series from the current balance, as Hummingbot's config command does.
	if base, quote := load(third, "90"); !base.Equal(d("7")) || !quote.Equal(d("630")) {
		t.Errorf("reseeded record %s BTC for %s USDT, want 7 for 630", base, quote)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
