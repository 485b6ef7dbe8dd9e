package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper"
)

// testBinary is a command of this module built once per test process, into a directory of its own.
type testBinary struct {
	pkg, name string
	once      sync.Once
	path      string
	err       error
}

func (b *testBinary) build(t *testing.T) string {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", b.name+"-test")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, b.name)
		if out, err := exec.Command("go", "build", "-o", b.path, b.pkg).CombinedOutput(); err != nil {
			b.err = errors.New(string(out))
		}
	})
	if b.err != nil {
		t.Fatalf("build %s: %v", b.name, b.err)
	}
	return b.path
}

var mmTestBinary = &testBinary{pkg: ".", name: "mm"}

// mmBinary builds the real mm once per test process: signals and kill -9 need a process of their own.
func mmBinary(t *testing.T) string { return mmTestBinary.build(t) }

// runBotYAML is a synthetic-feed bot on the paper exchange; paperExtra adds keys to connector.paper and
// riskExtra to risk.
func runBotYAML(paperExtra, riskExtra string) string {
	return `connector:
  name: paper
  market: BTC-USDT
  account: cron
  paper:
    feed: {kind: synthetic, seed: 1, duration: 2h}
    balances: {BTC: 1, USDT: 60000}
` + paperExtra + `strategy:
  kind: pure_market_making
  bid_spread: 0.1
  ask_spread: 0.1
  order_amount: 0.01
  order_refresh_time: 30
risk:
  kill_switch_rate: 0
` + riskExtra + `run:
  tick_interval: 1s
`
}

type runEnv struct {
	dir, config, journal, state string
}

func newRunEnv(t *testing.T, paperExtra, riskExtra string) runEnv {
	t.Helper()
	dir := t.TempDir()
	env := runEnv{dir: dir, config: filepath.Join(dir, "bot.yaml"), journal: filepath.Join(dir, "mm.db"),
		state: filepath.Join(dir, "paper.state")}
	paperExtra = strings.ReplaceAll(paperExtra, "STATE", env.state)
	if err := os.WriteFile(env.config, []byte(runBotYAML(paperExtra, riskExtra)), 0o600); err != nil {
		t.Fatal(err)
	}
	return env
}

func (e runEnv) command(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(mmBinary(t), append([]string{"run", "--config", e.config, "--journal", e.journal}, args...)...)
	cmd.Dir = e.dir
	return cmd
}

// exitOf runs cmd to the end and returns its exit code and stderr.
func exitOf(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

func TestNewCmdRunFlags(t *testing.T) {
	var got *RunOptions
	opts := &GlobalOptions{IO: IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		Getenv: func(string) string { return "" }}
	cmd := NewCmdRun(opts, func(_ context.Context, o *RunOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--config", "bot.yaml", "--duration", "90s", "--clear-trip", "--explain", "--keep-orders",
		"--status-interval", "10s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.ConfigPath != "bot.yaml" || got.Duration != 90*time.Second || !got.ClearTrip || !got.Explain ||
		!got.KeepOrders || got.StatusInterval != 10*time.Second {
		t.Fatalf("options %+v", got)
	}
}

func TestRunBinaryExitCodes(t *testing.T) {
	t.Parallel()
	t.Run("duration run exits 0", func(t *testing.T) {
		env := newRunEnv(t, "", "")
		if code, stderr := exitOf(t, env.command(t, "--duration", "5m")); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("second run on the same account and market exits 4", func(t *testing.T) {
		env := newRunEnv(t, "", "")
		lock, err := journal.AcquireRunLock(env.journal, "cron", "BTC-USDT")
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Release()
		if code, stderr := exitOf(t, env.command(t, "--duration", "1m")); code != exitLocked {
			t.Fatalf("exit %d, want 4: %s", code, stderr)
		}
	})
	t.Run("bad config exits 2 and writes no journal", func(t *testing.T) {
		env := newRunEnv(t, "", "")
		os.WriteFile(env.config, []byte(strings.Replace(runBotYAML("", ""), "bid_spread: 0.1", "bid_spread: 0", 1)),
			0o600)
		code, stderr := exitOf(t, env.command(t, "--duration", "1m"))
		if code != exitUsage || !strings.Contains(stderr, "strategy.bid_spread must be > 0") {
			t.Fatalf("exit %d, want 2 naming strategy.bid_spread: %s", code, stderr)
		}
		if _, err := os.Stat(env.journal); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a bad config created the journal: %v", err)
		}
	})
	t.Run("kill switch exits 3 and stays tripped until --clear-trip", func(t *testing.T) {
		env := newRunEnv(t, "    maker_fee_pct: 5\n", "")
		os.WriteFile(env.config, []byte(strings.Replace(runBotYAML("    maker_fee_pct: 5\n", ""),
			"kill_switch_rate: 0", "kill_switch_rate: -0.01", 1)), 0o600)
		if code, stderr := exitOf(t, env.command(t, "--duration", "30m")); code != exitRiskLimit {
			t.Fatalf("first run: exit %d, want 3: %s", code, stderr)
		}
		code, stderr := exitOf(t, env.command(t, "--duration", "30m"))
		if code != exitRiskLimit || !strings.Contains(stderr, "kill_switch") {
			t.Fatalf("restart: exit %d, want 3 naming kill_switch: %s", code, stderr)
		}
		if code, stderr := exitOf(t, env.command(t, "--duration", "5s", "--clear-trip")); code != exitOK {
			t.Fatalf("--clear-trip: exit %d: %s", code, stderr)
		}
	})
}

// startPaced starts a run paced at wall-clock speed factor pace and waits until it has started quoting.
func startPaced(t *testing.T, env runEnv, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := env.command(t, args...)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "run started") {
		if time.Now().After(deadline) {
			t.Fatalf("run did not start: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, stderr
}

func TestRunBinarySIGTERMCancelsOrdersAndClosesTheRun(t *testing.T) {
	t.Parallel()
	env := newRunEnv(t, "    state: STATE\n    pace: 20\n", "")
	cmd, stderr := startPaced(t, env)
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("SIGTERM: %v, want exit 0: %s", err, stderr.String())
	}
	j, err := journal.OpenReadOnly(context.Background(), env.journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(context.Background())
	runs, _ := j.Runs(context.Background())
	if len(runs) != 1 || runs[0].ExitReason != "signal" || runs[0].ExitCode == nil || *runs[0].ExitCode != 0 {
		t.Fatalf("run row: %+v, want closed as signal/0", runs)
	}
	if open := paperOpenOrders(t, env.state); len(open) != 0 {
		t.Fatalf("%d orders left open on the paper exchange after SIGTERM", len(open))
	}
}

// kill -9 leaves orders resting and fills the journal may not have committed; the rerun reconciles so the
// journal holds every fill of the persistent paper account exactly once.
func TestRunBinaryKill9ThenRerunReconciles(t *testing.T) {
	t.Parallel()
	env := newRunEnv(t, "    state: STATE\n    pace: 200\n", "")
	cmd, _ := startPaced(t, env)
	time.Sleep(2 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// The rerun is not paced: it reconciles, quotes a minute of event time and stops.
	unpaced := runBotYAML("    state: "+env.state+"\n", "")
	if err := os.WriteFile(env.config, []byte(unpaced), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stderr := exitOf(t, env.command(t, "--duration", "1m")); code != exitOK {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	j, err := journal.OpenReadOnly(context.Background(), env.journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(context.Background())
	report, err := j.Check(context.Background())
	if err != nil || !report.OK() {
		t.Fatalf("journal check: %v %v", err, report.Problems)
	}
	ex := reopenPaperState(t, env.state)
	page, err := ex.TradesSince(context.Background(), market.Pair{Base: "BTC", Quote: "USDT"}, "", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Fills) == 0 {
		t.Fatal("the killed run made no fill; pace or sleep too short for the test to mean anything")
	}
	journaled, _ := j.Fills(context.Background(), journal.FillFilter{Connector: "paper"})
	count := map[string]int{}
	for _, f := range journaled {
		count[f.ExchangeTradeID]++
	}
	if len(journaled) != len(page.Fills) {
		t.Errorf("journal holds %d fills, the paper account %d", len(journaled), len(page.Fills))
	}
	for _, f := range page.Fills {
		if count[f.TradeID] != 1 {
			t.Errorf("trade %s journaled %d times, want once", f.TradeID, count[f.TradeID])
		}
	}
	if open := paperOpenOrders(t, env.state); len(open) != 0 {
		t.Errorf("%d orders left open after the rerun", len(open))
	}
}

func reopenPaperState(t *testing.T, state string) *paper.Exchange {
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

func paperOpenOrders(t *testing.T, state string) []string {
	t.Helper()
	open, err := reopenPaperState(t, state).OpenOrders(context.Background(), market.Pair{Base: "BTC", Quote: "USDT"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(open))
	for _, o := range open {
		ids = append(ids, o.ClientOrderID)
	}
	return ids
}

// syncBuffer is a bytes.Buffer a child process writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
