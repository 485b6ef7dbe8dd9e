package runner

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	cfg := loadConfig(t, filepath.Join(dir, "bot.yaml"), glftConfig)
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

// A blackout pause stops quoting, not watching (review H3): the estimators observe every paused tick, so the
// first tick after a 20 s pause at the start of the feed has 21 mids and 20 intensity steps, not 1 mid and 0 steps
// from a stale mid; and once calibrated, σ, A and k are those of the same run without the pause (the synthetic
// feed's mids and public trades do not depend on our orders).
func TestModelCalibrationContinuesThroughABlackoutPause(t *testing.T) {
	explainOf := func(conf string) string {
		dir := t.TempDir()
		cfg := loadConfig(t, filepath.Join(dir, "bot.yaml"), conf)
		var explain bytes.Buffer
		res, err := runFor(t, context.Background(), cfg, filepath.Join(dir, "mm.db"), time.Minute, func(o *Options) {
			o.Logger = slog.New(slog.DiscardHandler)
			o.Explain, o.Stderr = true, &explain
		})
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("run: %v (exit %d)", err, res.ExitCode)
		}
		return explain.String()
	}
	paused := explainOf(strings.Replace(glftConfig, "run:\n", `risk:
  blackouts:
    - {start: "2024-01-01T00:00:00Z", end: "2024-01-01T00:00:20Z", action: pause}
run:
`, 1))
	unpaused := explainOf(glftConfig)
	var firstModelTick string
	for _, line := range strings.Split(paused, "\n") {
		if strings.Contains(line, " model ") {
			firstModelTick = line
			break
		}
	}
	if !strings.Contains(firstModelTick, "2024-01-01T00:00:20Z model not_ready (volatility 21/30 mids, intensity 20/30 steps)") {
		t.Errorf("first model tick after the pause:\n%s\nwant at 00:00:20 with 21/30 mids and 20/30 steps", firstModelTick)
	}
	// The estimates at 00:00:45, 15 s after both runs are calibrated: "sigma=… A=… k=…" up to q, which differs.
	estimates := func(explain string) string {
		_, after, ok := strings.Cut(explain, "tick 2024-01-01T00:00:45Z model ready")
		_, numbers, ok2 := strings.Cut(after, "\n  sigma=")
		numbers, _, ok3 := strings.Cut(numbers, " q=")
		if !ok || !ok2 || !ok3 {
			t.Fatalf("no ready tick at 00:00:45 in:\n%s", explain)
		}
		return numbers
	}
	if got, want := estimates(paused), estimates(unpaused); got != want {
		t.Errorf("after the pause: sigma=%s, want the estimates without the pause: sigma=%s", got, want)
	}
}
