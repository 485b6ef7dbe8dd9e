package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper"
)

// botConfig is a synthetic-feed bot: seeded, 30 minutes of simulated market, one level of 0.01 BTC at 0.1 %.
// extra lines are appended under the sections they name (they replace nothing, so keys must be new).
const botConfig = `connector:
  name: paper
  market: BTC-USDT
  account: test
  paper:
    feed: {kind: synthetic, seed: 1, duration: 30m}
    balances: {BTC: 1, USDT: 60000}
    maker_fee_pct: %MAKER_FEE%
%PAPER%strategy:
  kind: pure_market_making
  bid_spread: 0.1
  ask_spread: 0.1
  order_amount: 0.01
  order_refresh_time: 30
risk:
  kill_switch_rate: %KILL%
run:
  tick_interval: 1s
`

func writeConfig(t *testing.T, dir string, replace map[string]string) *config.Config {
	t.Helper()
	return loadConfig(t, filepath.Join(dir, "bot.yaml"), botText(replace))
}

// botText is botConfig with its placeholders filled: the replacements given, the defaults otherwise.
func botText(replace map[string]string) string {
	text := botConfig
	defaults := map[string]string{"%MAKER_FEE%": "0.1", "%KILL%": "0", "%PAPER%": ""}
	for key, value := range defaults {
		if v, ok := replace[key]; ok {
			value = v
		}
		text = strings.ReplaceAll(text, key, value)
	}
	return text
}

// loadConfig writes a bot config's text to path and loads it.
func loadConfig(t testing.TB, path, text string) *config.Config {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runFor(t *testing.T, ctx context.Context, cfg *config.Config, journalPath string, d time.Duration,
	mod func(*Options)) (Result, error) {
	t.Helper()
	opts := Options{Config: cfg, JournalPath: journalPath, Duration: d, MMVersion: "test"}
	if mod != nil {
		mod(&opts)
	}
	return Run(ctx, opts)
}

func openJournal(t *testing.T, path string) *journal.Journal {
	t.Helper()
	j, err := journal.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(context.Background()) })
	return j
}

func TestReplayJournalsOrdersFillsMarksAndEndsWithNoOpenOrders(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "paper.state")
	cfg := writeConfig(t, dir, map[string]string{"%PAPER%": "    state: " + state + "\n"})
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 10*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != ReasonDuration || res.ExitCode != 0 {
		t.Fatalf("run ended %q with exit %d, want duration and 0", res.Reason, res.ExitCode)
	}
	j := openJournal(t, dbPath)
	ctx := context.Background()
	runs, _ := j.Runs(ctx)
	if len(runs) != 1 || runs[0].ExitReason != ReasonDuration || runs[0].ExitCode == nil || *runs[0].ExitCode != 0 ||
		runs[0].EndedAt.IsZero() {
		t.Fatalf("run row not closed as duration/0: %+v", runs)
	}
	if runs[0].ConfigHash != cfg.Hash() {
		t.Errorf("run row config hash %s, want the config's %s", runs[0].ConfigHash, cfg.Hash())
	}
	fills, _ := j.Fills(ctx, journal.FillFilter{RunID: res.RunID})
	if len(fills) == 0 || len(fills) != res.Summary.Fills {
		t.Fatalf("journal has %d fills, the summary %d; want the same, > 0", len(fills), res.Summary.Fills)
	}
	for _, f := range fills {
		if !f.Mid.Valid || !strings.HasPrefix(f.ClientOrderID, "mm-1-") {
			t.Errorf("fill %s: mid %v, client id %q; want a mid and an mm-1- id", f.ExchangeTradeID, f.Mid, f.ClientOrderID)
		}
	}
	// A 1 s tick over 10 minutes of a market that always has a book journals one mark per tick.
	marks, _ := j.Marks(ctx, journal.MarkFilter{RunID: res.RunID})
	if len(marks) != 600 {
		t.Errorf("%d marks, want 600 (one per 1 s tick in 10 m)", len(marks))
	}
	for _, status := range []string{journal.StatusOpen, journal.StatusPartiallyFilled, journal.StatusUnknown} {
		if open, _ := j.Orders(ctx, journal.OrderFilter{Status: status}); len(open) > 0 {
			t.Errorf("%d orders left %s in the journal", len(open), status)
		}
	}
	report, err := j.Check(ctx)
	if err != nil || !report.OK() {
		t.Fatalf("journal check: %v %v", err, report.Problems)
	}
	assertNoOpenOrdersOnExchange(t, state)
	assertFillsMatchExchange(t, j, state, "paper")
}

// assertNoOpenOrdersOnExchange reopens the paper account from its state file: the exchange, not the journal, is
// the truth about what is still open.
func assertNoOpenOrdersOnExchange(t *testing.T, state string) {
	t.Helper()
	ex := reopenPaper(t, state)
	open, err := ex.OpenOrders(context.Background(), market.Pair{Base: "BTC", Quote: "USDT"})
	if err != nil || len(open) != 0 {
		t.Fatalf("open orders on the paper exchange after the run: %v (err %v)", open, err)
	}
}

func reopenPaper(t *testing.T, state string) *paper.Exchange {
	t.Helper()
	pc, err := paper.ParseConfigJSON([]byte(`{"market": "BTC-USDT", "feed": {"kind": "synthetic", "seed": 1,
		"duration": "1s"}, "balances": {"BTC": 1, "USDT": 60000}, "state": "` + state + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := paper.New(pc)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// assertFillsMatchExchange checks that the journal holds every fill of the paper account exactly once.
func assertFillsMatchExchange(t *testing.T, j *journal.Journal, state, connector string) {
	t.Helper()
	ex := reopenPaper(t, state)
	page, err := ex.TradesSince(context.Background(), market.Pair{Base: "BTC", Quote: "USDT"}, "", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	journaled, _ := j.Fills(context.Background(), journal.FillFilter{Connector: connector})
	byID := map[string]int{}
	for _, f := range journaled {
		byID[f.ExchangeTradeID]++
	}
	if len(journaled) != len(page.Fills) {
		t.Errorf("journal holds %d fills, the paper account %d", len(journaled), len(page.Fills))
	}
	for _, f := range page.Fills {
		if byID[f.TradeID] != 1 {
			t.Errorf("trade %s journaled %d times, want once", f.TradeID, byID[f.TradeID])
		}
	}
}

func TestSameConfigGivesIdenticalFillsAndMarks(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, nil)
	export := func(name string) ([]journal.Fill, []journal.Mark) {
		path := filepath.Join(dir, name)
		if _, err := runFor(t, context.Background(), cfg, path, 10*time.Minute, nil); err != nil {
			t.Fatal(err)
		}
		j := openJournal(t, path)
		fills, _ := j.Fills(context.Background(), journal.FillFilter{})
		marks, _ := j.Marks(context.Background(), journal.MarkFilter{})
		return fills, marks
	}
	fillsA, marksA := export("a.db")
	fillsB, marksB := export("b.db")
	if len(fillsA) == 0 || len(fillsA) != len(fillsB) || len(marksA) != len(marksB) {
		t.Fatalf("runs differ in size: fills %d vs %d, marks %d vs %d", len(fillsA), len(fillsB), len(marksA),
			len(marksB))
	}
	for i := range fillsA {
		if a, b := fillRow(fillsA[i]), fillRow(fillsB[i]); a != b {
			t.Fatalf("fill %d differs:\n%s\n%s", i, a, b)
		}
	}
	for i := range marksA {
		if a, b := markRow(marksA[i]), markRow(marksB[i]); a != b {
			t.Fatalf("mark %d differs:\n%s\n%s", i, a, b)
		}
	}
}

// fillRow and markRow are a fill and a mark as text, every column but the row id, decimals as stored.
func fillRow(f journal.Fill) string {
	return fmt.Sprintf("%d %s %s %s %s %s %s %s %s %s %v %s %s", f.RunID, f.Connector, f.Market, f.ExchangeTradeID,
		f.ClientOrderID, f.Side, f.Price, f.Amount, f.Fee, f.FeeAsset, *f.IsMaker, f.Mid.Decimal, f.Time.Format(time.RFC3339Nano))
}

func markRow(m journal.Mark) string {
	return fmt.Sprintf("%d %s %s %s %s %s", m.RunID, m.Connector, m.Time.Format(time.RFC3339Nano), m.Mid,
		m.BestBid.Decimal, m.BestAsk.Decimal)
}

// A 5 % maker fee makes the first fill cost 5 % of 0.01 BTC ≈ 30 USDT of a ≈ 120,000 USDT portfolio, a return
// of about −0.025 %, past a kill_switch_rate of −0.01 %: the next 10 s check after the first fill trips it.
func TestKillSwitchTripStopsTheRunAndStaysTrippedUntilCleared(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, map[string]string{"%MAKER_FEE%": "5", "%KILL%": "-0.01"})
	dbPath := filepath.Join(dir, "mm.db")
	res, err := runFor(t, context.Background(), cfg, dbPath, 30*time.Minute, nil)
	if !errors.Is(err, ErrRiskLimit) || res.ExitCode != 3 || res.Reason != ReasonRisk {
		t.Fatalf("got %v, exit %d, reason %q; want a risk limit stop with exit 3", err, res.ExitCode, res.Reason)
	}
	if res.Summary.Fills == 0 {
		t.Fatal("the kill switch tripped without a fill; its return is 0 until the first fill")
	}
	_, err = runFor(t, context.Background(), cfg, dbPath, 30*time.Minute, nil)
	if !errors.Is(err, ErrRiskLimit) || !strings.Contains(err.Error(), "kill_switch") {
		t.Fatalf("restart: got %v, want a refusal naming kill_switch", err)
	}
	j := openJournal(t, dbPath)
	if runs, _ := j.Runs(context.Background()); len(runs) != 1 {
		t.Fatalf("the refused start journaled a run: %d runs", len(runs))
	}
	// Cleared, the run starts; 5 s of event time is less than one kill switch interval, so it cannot re-trip.
	res, err = runFor(t, context.Background(), cfg, dbPath, 5*time.Second, func(o *Options) { o.ClearTrip = true })
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("--clear-trip run: %v, exit %d", err, res.ExitCode)
	}
	if tripped, _ := j.TrippedGuards(context.Background(), "test", "BTC-USDT"); len(tripped) != 0 {
		t.Fatalf("still tripped after --clear-trip: %+v", tripped)
	}
}

func TestSecondRunOnTheSameAccountAndMarketIsRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, nil)
	dbPath := filepath.Join(dir, "mm.db")
	lock, err := journal.AcquireRunLock(dbPath, "test", "BTC-USDT")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if _, err := runFor(t, context.Background(), cfg, dbPath, time.Minute, nil); !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("got %v, want journal.ErrLocked", err)
	}
}

// A cancelled context (SIGTERM in mm run) drains: own orders cancelled, the run row closed as a signal stop,
// exit 0. The replay is paced at real time so the cancel lands mid-run.
func TestCancelledRunCancelsOwnOrdersAndClosesTheRun(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "paper.state")
	cfg := writeConfig(t, dir, map[string]string{"%PAPER%": "    state: " + state + "\n    pace: 1\n"})
	dbPath := filepath.Join(dir, "mm.db")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	res, err := runFor(t, ctx, cfg, dbPath, 0, nil)
	if err != nil || res.Reason != ReasonSignal || res.ExitCode != 0 {
		t.Fatalf("got %v, reason %q, exit %d; want a clean signal stop", err, res.Reason, res.ExitCode)
	}
	j := openJournal(t, dbPath)
	created, _ := j.Orders(context.Background(), journal.OrderFilter{})
	if len(created) == 0 {
		t.Fatal("no order was placed before the cancel")
	}
	for _, o := range created {
		if o.Status != journal.StatusCancelled && o.Status != journal.StatusFilled {
			t.Errorf("order %s left %s", o.ClientOrderID, o.Status)
		}
	}
	assertNoOpenOrdersOnExchange(t, state)
}
