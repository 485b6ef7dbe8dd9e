package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// klinesBacktestConfig is examples/klines-backtest.yaml with the feed path taken from MM_BENCH_KLINES.
const klinesBacktestConfig = `connector:
  name: paper
  market: BTC-USDT
  account: backtest
  paper:
    feed: {kind: binance-klines, path: %PATH%, spread_ticks: 1}
    balances: {BTC: 1, USDT: 60000}
    fill_model: conservative
    maker_fee_pct: 0.1
    taker_fee_pct: 0.1
strategy:
  kind: pure_market_making
  bid_spread: 0.1
  ask_spread: 0.1
  order_amount: 0.01
  order_refresh_time: 60
  filled_order_delay: 60
run:
  tick_interval: 60s
  journal_orders: filled
`

// BenchmarkKlinesBacktest runs the kline backtest of issue 4 in-process, journal included, on the file named by
// MM_BENCH_KLINES (`make klines` writes a year to examples/data/btcusdt-1m.csv; `head -43200` of it is 30 days).
func BenchmarkKlinesBacktest(b *testing.B) {
	path := os.Getenv("MM_BENCH_KLINES")
	if path == "" {
		b.Skip("MM_BENCH_KLINES names a Binance 1m kline CSV (make klines)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	cfg := loadConfig(b, filepath.Join(dir, "bot.yaml"), strings.ReplaceAll(klinesBacktestConfig, "%PATH%", abs))
	b.ResetTimer()
	for i := range b.N {
		jp := filepath.Join(dir, "k"+string(rune('a'+i%26))+".db")
		res, err := Run(context.Background(), Options{Config: cfg, JournalPath: jp, MMVersion: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Summary.Fills), "fills")
	}
}
