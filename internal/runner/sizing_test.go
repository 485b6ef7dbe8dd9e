package runner

import (
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
)

// sizingConfig is a synthetic-feed bot (the feed starts at 2024-01-01T00:00:00Z) with one level of 0.01 BTC;
// extraStrategy and risk are appended to their sections.
func sizingConfig(t *testing.T, dir, extraStrategy, risk string) *config.Config {
	t.Helper()
	text := `connector:
  name: paper
  market: BTC-USDT
  account: sizing
  paper:
    feed: {kind: synthetic, seed: 1, duration: 30m}
    balances: {BTC: 1, USDT: 60000}
strategy:
  kind: pure_market_making
  bid_spread: 0.1
  ask_spread: 0.1
  order_amount: 0.01
  order_refresh_time: 30
` + extraStrategy + `risk:
  kill_switch_rate: 0
` + risk + `run:
  tick_interval: 1s
`
	cfg := loadConfig(t, filepath.Join(dir, "bot.yaml"), text)
	if err := cfg.CheckFiles(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

var feedStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func minute(m, s int) time.Time {
	return feedStart.Add(time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

func runOrders(t *testing.T, dbPath string, runID int64) []journal.Order {
	t.Helper()
	orders, err := openJournal(t, dbPath).Orders(context.Background(), journal.OrderFilter{RunID: runID})
	if err != nil || len(orders) == 0 {
		t.Fatalf("orders of run %d: %d, %v", runID, len(orders), err)
	}
	return orders
}

// A pause window cancels the open orders when it starts, places nothing inside it, journals a blackout trip and
// clear on the event clock, and quoting resumes at its end. The run neither stops nor exits 3.
func TestBlackoutPauseCancelsPlacesNothingAndResumes(t *testing.T) {
	dir := t.TempDir()
	cfg := sizingConfig(t, dir, "", `  blackouts:
    - name: fomc
      start: 2024-01-01T00:03:10Z
      end: 2024-01-01T00:06:10Z
      action: pause
`)
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 10*time.Minute, nil)
	if err != nil || res.ExitCode != 0 || res.Reason != ReasonDuration {
		t.Fatalf("run = %+v, %v; want exit 0 at the duration", res, err)
	}
	start, end := minute(3, 10), minute(6, 10)
	var before, after []journal.Order
	for _, o := range runOrders(t, dbPath, res.RunID) {
		switch {
		case o.CreatedAt.Before(start):
			before = append(before, o)
		case o.CreatedAt.Before(end):
			t.Errorf("order %s placed at %s, inside the blackout", o.ClientOrderID, o.CreatedAt)
		default:
			after = append(after, o)
		}
	}
	if len(before) == 0 || len(after) == 0 {
		t.Fatalf("%d orders before and %d after the window, want both > 0", len(before), len(after))
	}
	if !after[0].CreatedAt.Equal(end) {
		t.Errorf("first order after the window at %s, want %s (its first tick)", after[0].CreatedAt, end)
	}
	// The orders open when the window began were cancelled at its first tick.
	j := openJournal(t, dbPath)
	cancelledAtStart := 0
	for _, o := range before {
		events, err := j.OrderEvents(context.Background(), o.ClientOrderID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Time.After(start) {
			t.Errorf("order %s last event %s at %s, after the window began", o.ClientOrderID, last.Event, last.Time)
		}
		if last.Event == journal.EventCancelled && last.Time.Equal(start) {
			cancelledAtStart++
		}
	}
	if cancelledAtStart != 2 {
		t.Errorf("%d orders cancelled at %s, want the bid and the ask", cancelledAtStart, start)
	}
	events, err := j.RiskEvents(context.Background(), "sizing", "BTC-USDT")
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Guard != "blackout" || events[0].Action != journal.RiskTrip ||
		!events[0].Time.Equal(start) || events[1].Action != journal.RiskClear || !events[1].Time.Equal(end) ||
		!strings.Contains(events[0].Detail, "fomc 2024-01-01T00:03:10Z to 2024-01-01T00:06:10Z, pause") {
		t.Errorf("risk events %+v, want a blackout trip at %s and a clear at %s", events, start, end)
	}
}

// A daily shrink window crossing midnight halves the amounts inside it; a run that ends inside a pause window
// journals its clear, and the next run on the account is not refused (a schedule is not a trip).
func TestBlackoutShrinkAcrossMidnightAndRestartInsideAWindow(t *testing.T) {
	dir := t.TempDir()
	cfg := sizingConfig(t, dir, "", `  blackouts:
    - daily: "23:58-00:02"
      action: shrink
      factor: 0.5
    - start: 2024-01-01T00:04:00Z
      end: 2024-01-01T01:00:00Z
      action: pause
`)
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 5*time.Minute, nil)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run = %+v, %v", res, err)
	}
	for _, o := range runOrders(t, dbPath, res.RunID) {
		want := decimal.RequireFromString("0.01")
		if o.CreatedAt.Before(minute(2, 0)) {
			want = decimal.RequireFromString("0.005") // 0.01 × 0.5
		}
		if o.CreatedAt.Before(minute(4, 0)) && !o.Amount.Equal(want) {
			t.Errorf("order at %s amount %s, want %s", o.CreatedAt, o.Amount, want)
		}
		if !o.CreatedAt.Before(minute(4, 0)) {
			t.Errorf("order %s placed at %s inside the pause", o.ClientOrderID, o.CreatedAt)
		}
	}
	events, _ := openJournal(t, dbPath).RiskEvents(context.Background(), "sizing", "BTC-USDT")
	var got []string
	for _, e := range events {
		got = append(got, e.Action+" "+e.Time.UTC().Format("15:04:05"))
	}
	// The last clear is at the run's last event time, just before the 5-minute duration ends it.
	want := "trip 00:00:00,clear 00:02:00,trip 00:04:00,clear 00:04:59"
	if strings.Join(got, ",") != want {
		t.Errorf("risk events %q, want %q", got, want)
	}
	if !strings.Contains(events[3].Detail, "run ended inside the window") || !events[0].Value.Decimal.Equal(decimal.RequireFromString("0.5")) {
		t.Errorf("events %+v: want the shrink factor as value and the run's end in the last detail", events)
	}
	res2, err := runFor(t, context.Background(), cfg, dbPath, time.Minute, nil)
	if err != nil || res2.ExitCode != 0 {
		t.Errorf("the next run was refused after a run ended inside a blackout: %+v, %v", res2, err)
	}
}

// Implied volatility alone (use: implied) makes the factor exact: target 60 % at iv 80 % is 0.75, at iv 40 % it is
// 1.5; amounts are 0.01 × factor floored to the 0.00001 step.
func TestImpliedVolSizingScalesAmountsOnTheEventClock(t *testing.T) {
	dir := t.TempDir()
	iv := "timestamp,iv\n2024-01-01T00:00:00Z,80\n2024-01-01T00:05:00Z,40\n"
	if err := os.WriteFile(filepath.Join(dir, "iv.csv"), []byte(iv), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := sizingConfig(t, dir, `  sizing:
    target_vol: 60
    max_factor: 2
    iv_source: {path: iv.csv, use: implied}
`, "")
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 10*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range runOrders(t, dbPath, res.RunID) {
		want := "0.0075" // 0.01 × 60/80
		if !o.CreatedAt.Before(minute(5, 0)) {
			want = "0.015" // 0.01 × 60/40
		}
		seen[want] = true
		if !o.Amount.Equal(decimal.RequireFromString(want)) {
			t.Errorf("order at %s amount %s, want %s", o.CreatedAt, o.Amount, want)
		}
	}
	if !seen["0.0075"] || !seen["0.015"] {
		t.Errorf("orders seen at %v, want both factors", seen)
	}
}

// Realized close-to-close sizing: quotes at the configured amount until window+1 bars of the mid exist, then at
// 0.01 × round4(target/σ̂) floored to the step, σ̂ recomputed here from the journaled marks (the mid at each
// tick, which is what the estimator samples): 1m bars, log returns of their closes, sample stdev, annualised by
// √(365·1440), in percent.
func TestRealizedVolSizingFromTheMarks(t *testing.T) {
	dir := t.TempDir()
	cfg := sizingConfig(t, dir, `  sizing:
    target_vol: 50
    estimator: close_to_close
    window: 2
    bar: 1m
    min_factor: 0.01
    max_factor: 100
`, "")
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 4*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	marks, err := openJournal(t, dbPath).Marks(context.Background(), journal.MarkFilter{RunID: res.RunID})
	if err != nil {
		t.Fatal(err)
	}
	closes := map[time.Time]float64{} // bar start → last mid in the bar
	for _, m := range marks {
		closes[m.Time.Truncate(time.Minute)] = m.Mid.InexactFloat64()
	}
	r1, r2 := math.Log(closes[minute(1, 0)]/closes[minute(0, 0)]), math.Log(closes[minute(2, 0)]/closes[minute(1, 0)])
	mean := (r1 + r2) / 2
	volPct := math.Sqrt((r1-mean)*(r1-mean)+(r2-mean)*(r2-mean)) * math.Sqrt(365*1440) * 100
	factor := decimal.NewFromFloat(50 / volPct).Round(4)
	want := decimal.RequireFromString("0.01").Mul(factor).Truncate(5)
	t.Logf("σ̂ %.4f %%, factor %s, amount %s", volPct, factor, want)
	checked := 0
	for _, o := range runOrders(t, dbPath, res.RunID) {
		switch {
		case o.CreatedAt.Before(minute(3, 0)):
			if !o.Amount.Equal(decimal.RequireFromString("0.01")) {
				t.Errorf("not ready: order at %s amount %s, want the configured 0.01", o.CreatedAt, o.Amount)
			}
		case o.CreatedAt.Before(minute(4, 0)):
			checked++
			if !o.Amount.Equal(want) {
				t.Errorf("order at %s amount %s, want %s", o.CreatedAt, o.Amount, want)
			}
		}
	}
	if checked == 0 {
		t.Error("no order placed once sizing was ready")
	}
}

// A shrink that takes every level below the exchange's minimum notional places nothing, and says so once.
func TestShrinkBelowTheMinimumNotionalWarnsOnce(t *testing.T) {
	dir := t.TempDir()
	// 0.01 × 0.005 = 0.00005 BTC ≈ 3 USDT, below the paper exchange's 5 USDT minimum notional.
	cfg := sizingConfig(t, dir, "", "  blackouts:\n    - {daily: \"00:00-00:02\", action: shrink, factor: 0.005}\n")
	var logs strings.Builder
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 3*time.Minute, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range runOrders(t, dbPath, res.RunID) {
		if o.CreatedAt.Before(minute(2, 0)) {
			t.Errorf("order %s of %s placed at %s inside the shrink window", o.ClientOrderID, o.Amount, o.CreatedAt)
		}
	}
	if n := strings.Count(logs.String(), "sizing: scaled orders below the exchange minimum are not placed"); n != 1 ||
		!strings.Contains(logs.String(), "notional 2.99") {
		t.Errorf("%d drop warnings, want 1 naming the notional:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "every level is above the exchange minimum again") {
		t.Error("no log when the window ended and the levels came back")
	}
}

// Before σ̂ is known the orders are the configured amounts clamped to the factor bounds (review M1): with
// max_factor 0.5 the warm-up quotes 0.01 × 0.5 = 0.005, never the uncapped 0.01.
func TestSizingWarmUpRespectsMaxFactor(t *testing.T) {
	dir := t.TempDir()
	cfg := sizingConfig(t, dir, `  sizing:
    target_vol: 50
    window: 30
    bar: 1m
    min_factor: 0.1
    max_factor: 0.5
`, "")
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 2*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range runOrders(t, dbPath, res.RunID) {
		if !o.Amount.Equal(decimal.RequireFromString("0.005")) {
			t.Errorf("warm-up order at %s amount %s, want 0.005 (0.01 × max_factor 0.5)", o.CreatedAt, o.Amount)
		}
	}
}
