package runner

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/strategy"
)

const glftConfig = `connector:
  name: paper
  market: BTC-USDT
  account: model
  paper:
    feed: {kind: synthetic, seed: 2, duration: 10m}
    balances: {BTC: 1, USDT: 60000}
    maker_fee_pct: 0.01
strategy:
  kind: glft
  order_amount: 0.01
  order_refresh_time: 5
  filled_order_delay: 2
  risk_factor: 0.05
  max_inventory_orders: 5
  volatility_buffer_size: 30
  trading_intensity_buffer_size: 30
  intensity_levels: 30
  intensity_depth_step: 1
run:
  tick_interval: 1s
`

// A glft run on the synthetic feed: the not-ready phase is logged once on entering and once on leaving, nothing
// is placed before it ends, and --explain prints the model's numbers every tick.
func TestModelRunWaitsForCalibrationThenQuotes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(path, []byte(glftConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs, explain bytes.Buffer
	db := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, db, 0, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.Explain, o.Stderr = true, &explain
	})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v (exit %d)\n%s", err, res.ExitCode, logs.String())
	}
	if strings.Count(logs.String(), "model not ready") != 1 || strings.Count(logs.String(), "model ready: quoting") != 1 {
		t.Errorf("want one not-ready and one ready line:\n%s", logs.String())
	}
	for _, want := range []string{"model not_ready (volatility 1/30 mids, intensity 0/30 steps)", "sigma=", "A=", "k=", "q=",
		"reservation=", "half_spread=", "skew=", "place buy"} {
		if !strings.Contains(explain.String(), want) {
			t.Errorf("--explain lacks %q", want)
		}
	}
	j := openJournal(t, db)
	orders, err := j.Orders(context.Background(), journal.OrderFilter{})
	if err != nil || len(orders) == 0 {
		t.Fatalf("orders %d, %v: the model should quote once ready", len(orders), err)
	}
	marks, _ := j.Marks(context.Background(), journal.MarkFilter{})
	if since := orders[0].CreatedAt.Sub(marks[0].Time); since < 29*time.Second {
		t.Errorf("first order %s after the first tick: before 30 ticks of calibration", since)
	}
}

// The status line carries the model's state: why it is not ready, or σ, A, k, q and the reservation price.
func TestStatusLineShowsTheModelState(t *testing.T) {
	var logs bytes.Buffer
	r := &run{log: slog.New(slog.NewTextHandler(&logs, nil)), model: &modelRun{
		status: strategy.ModelStatus{Code: strategy.ModelWarmingUp, Detail: "volatility 3/60 mids, intensity 2/60 steps"}}}
	r.status()
	if !strings.Contains(logs.String(), `model=not_ready model_why="volatility 3/60 mids, intensity 2/60 steps"`) {
		t.Errorf("status line %q", logs.String())
	}
	logs.Reset()
	r.model.status = strategy.ModelStatus{Code: strategy.ModelReady}
	r.model.quote = strategy.ModelQuote{Sigma: 2.5, A: 0.4, K: 0.2, Q: -0.01, Reservation: 60000.5}
	r.status()
	if !strings.Contains(logs.String(), "model=ready sigma=2.5 A=0.4 k=0.2 q=-0.01 reservation=60000.5") {
		t.Errorf("status line %q", logs.String())
	}
}
