// Command klinegen writes a seeded, synthetic year (or any span) of Binance-format 1m klines, so that long
// backtests and the replay benchmarks run on the same rows on every machine without downloading anything:
//
//	go run ./examples/klinegen -seed 1 -days 365 -out examples/data/btcusdt-1m.csv
//
// The price is a random walk in whole cents (so every price is exact), 20 sub-steps a minute with a daily
// volatility near 2.5 %; each minute's open, high, low and close come from its path. Volumes are in steps of
// 0.00001 BTC. The output has Binance's 12 columns and no header, like data.binance.vision's dumps.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed: the same seed gives the same file")
	days := flag.Int("days", 365, "number of days of 1m klines (1 to 3650)")
	start := flag.String("start", "2025-01-01", "UTC date of the first kline")
	price := flag.Float64("price", 60000, "opening price, quote per base")
	out := flag.String("out", "", "output file (default stdout)")
	flag.Parse()
	if err := run(*seed, *days, *start, *price, *out); err != nil {
		fmt.Fprintln(os.Stderr, "klinegen:", err)
		os.Exit(2)
	}
}

func run(seed uint64, days int, startDate string, openPrice float64, out string) error {
	if days < 1 || days > 3650 {
		return fmt.Errorf("-days must be between 1 and 3650 (got %d)", days)
	}
	if openPrice <= 0 || openPrice > 1e9 {
		return fmt.Errorf("-price must be > 0 and ≤ 1e9 (got %v)", openPrice)
	}
	t0, err := time.Parse(time.DateOnly, startDate)
	if err != nil {
		return fmt.Errorf("-start %q: want YYYY-MM-DD", startDate)
	}
	w := os.Stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	g := generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), cents: int64(math.Round(openPrice * 100))}
	openMs := t0.UnixMilli()
	for range days * 24 * 60 {
		g.writeMinute(bw, openMs)
		openMs += 60_000
	}
	return bw.Flush()
}

type generator struct {
	rng   *rand.Rand
	cents int64 // last price, in cents
}

const subSteps = 20

// writeMinute walks the price through one minute and writes its kline row.
func (g *generator) writeMinute(w *bufio.Writer, openMs int64) {
	// Daily volatility ≈ 2.5 % → per sub-step σ = 0.025 / sqrt(1440·20) of the price.
	sigma := float64(g.cents) * 0.025 / math.Sqrt(1440*subSteps)
	open, high, low := g.cents, g.cents, g.cents
	for range subSteps {
		g.cents += int64(math.Round(g.rng.NormFloat64() * sigma))
		g.cents = max(g.cents, 1)
		high, low = max(high, g.cents), min(low, g.cents)
	}
	closePrice := g.cents
	volume := int64(g.rng.ExpFloat64()*500_000) + 1 // units of 0.00001: mean 5 base per minute
	takerBuy := volume / 2
	trades := 1 + volume/2_000
	// quote volume ≈ volume × the minute's mid range, exact in 1e-7 units (1e-5 base × 1e-2 quote).
	mid := (high + low) / 2
	fmt.Fprintf(w, "%d,%s,%s,%s,%s,%s,%d,%s,%d,%s,%s,0\n", openMs, cents(open), cents(high), cents(low), cents(closePrice),
		units(volume), openMs+59_999, scaled(volume*mid, 7), trades, units(takerBuy), scaled(takerBuy*mid, 7))
}

func cents(c int64) string { return scaled(c, 2) }

func units(u int64) string { return scaled(u, 5) }

// scaled prints v·10^−places exactly.
func scaled(v int64, places int) string {
	pow := int64(math.Pow10(places))
	return fmt.Sprintf("%d.%0*d", v/pow, places, v%pow)
}
