package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/internal/runner"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/plugins/host"
)

var paperPluginBinary = &testBinary{pkg: "../mm-plugin-paper", name: "mm-plugin-paper"}

// paperPlugin builds the real mm-plugin-paper once per test process and returns its directory (a plugin
// directory holding only it).
func paperPlugin(t *testing.T) string { return filepath.Dir(paperPluginBinary.build(t)) }

// A replay through mm-plugin-paper runs in lockstep (sdk.Stepper over real gRPC, a real plugin process): its
// journal holds the same fills, marks, orders, order events and end balances as the same replay in-process, to the
// last digit and millisecond — cut short by --duration, and to the end of the data with the drain's cancels
// settled after it (cancel latency).
func TestReplayThroughThePaperPluginEqualsInProcess(t *testing.T) {
	pluginDir := paperPlugin(t)
	t.Setenv(host.DirEnv, pluginDir)
	t.Setenv(host.LockEnv, "")
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	for _, tc := range []struct {
		name, paper string
		args        []string
	}{
		{"duration", "    order_latency: 150ms\n    cancel_latency: 300ms\n", []string{"--duration", "20m"}},
		{"end of data", "    order_latency: 150ms\n    cancel_latency: 2s\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			config := func(name, pluginLine string) string {
				path := filepath.Join(dir, name)
				text := strings.Replace(runBotYAML(tc.paper, ""), "  account: cron\n", "  account: cron\n"+pluginLine, 1)
				if tc.args == nil {
					text = strings.Replace(text, "duration: 2h", "duration: 15m", 1)
				}
				if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			}
			inProcess, viaPlugin := config("in.yaml", ""), config("plugin.yaml", "  plugin: paper\n")
			want, _ := dumpRun(t, inProcess, filepath.Join(dir, "in.db"), tc.args)
			got, stderr := dumpRun(t, viaPlugin, filepath.Join(dir, "plugin.db"), tc.args)
			// Each tick's cancels and places rode on the Step after the tick (sdk.ActionStepper).
			if !strings.Contains(stderr, "one call a tick") {
				t.Errorf("the plugin replay did not send the tick's orders with its Steps; stderr:\n%s", stderr)
			}
			for _, kind := range []string{"fills", "marks", "orders", "events", "end balances"} {
				if len(want[kind]) == 0 {
					t.Fatalf("the in-process replay journaled no %s", kind)
				}
				if strings.Join(got[kind], "\n") != strings.Join(want[kind], "\n") {
					t.Errorf("%s differ: %d through the plugin, %d in-process; first of each:\n%s\n%s", kind,
						len(got[kind]), len(want[kind]), first(got[kind]), first(want[kind]))
				}
			}
		})
	}
}

// dumpRun runs mm on cfg into db and returns the journal's rows as text, by kind, and mm's stderr.
func dumpRun(t *testing.T, cfg, db string, args []string) (map[string][]string, string) {
	t.Helper()
	code, _, stderr := run(t, append([]string{"run", "--config", cfg, "--journal", db}, args...)...)
	if code != exitOK {
		t.Fatalf("mm run --config %s: exit %d: %s", filepath.Base(cfg), code, stderr)
	}
	ctx := context.Background()
	j, err := journal.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	out := map[string][]string{}
	fills, _ := j.Fills(ctx, journal.FillFilter{})
	for _, f := range fills {
		out["fills"] = append(out["fills"], fmt.Sprintf("%s %s %s %s %s %s %s %v %d", f.ExchangeTradeID,
			f.ClientOrderID, f.Side, f.Price, f.Amount, f.Fee, f.FeeAsset, f.Mid, f.Time.UnixMilli()))
	}
	marks, _ := j.Marks(ctx, journal.MarkFilter{})
	for _, m := range marks {
		out["marks"] = append(out["marks"], fmt.Sprintf("%d %s %v %v", m.Time.UnixMilli(), m.Mid, m.BestBid, m.BestAsk))
	}
	orders, _ := j.Orders(ctx, journal.OrderFilter{})
	for _, o := range orders {
		out["orders"] = append(out["orders"], fmt.Sprintf("%s %s %s %s %s %d %d", o.ClientOrderID, o.Side,
			o.Price, o.Amount, o.Status, o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli()))
		events, _ := j.OrderEvents(ctx, o.ClientOrderID)
		for _, ev := range events {
			out["events"] = append(out["events"], fmt.Sprintf("%s %d %s %s", ev.ClientOrderID,
				ev.Time.UnixMilli(), ev.Event, ev.Detail))
		}
	}
	end, _ := j.LatestBalances(ctx, "", "", []string{"BTC", "USDT"}, time.Time{})
	for _, asset := range []string{"BTC", "USDT"} {
		b := end[asset]
		out["end balances"] = append(out["end balances"], fmt.Sprintf("%s %s %v %s %d", asset, b.Total, b.Available,
			b.Kind, b.Time.UnixMilli()))
	}
	return out, stderr
}

func first(rows []string) string {
	if len(rows) == 0 {
		return "(none)"
	}
	return rows[0]
}

// A lockstep replay cannot resume in a restarted plugin (its data would start again), so a plugin killed mid-run
// ends the run: exit 5, and the run row says so too.
func TestLockstepReplayEndsWithExitFiveWhenThePluginDies(t *testing.T) {
	pluginDir := paperPlugin(t)
	t.Setenv(host.DirEnv, pluginDir)
	t.Setenv(host.LockEnv, "")
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := filepath.Join(dir, "bot.yaml")
	text := strings.Replace(runBotYAML("", ""), "  account: cron\n", "  account: cron\n  plugin: paper\n", 1)
	text = strings.Replace(text, "duration: 2h", "duration: 240h", 1) // far longer than the test waits
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "mm.db")
	done := make(chan int, 1)
	go func() {
		code, _, _ := run(t, "run", "--config", cfg, "--journal", db)
		done <- code
	}()
	plugin := filepath.Join(pluginDir, "mm-plugin-paper")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if pids := processesRunning(plugin); len(pids) > 0 {
			time.Sleep(300 * time.Millisecond) // let the replay get going
			for _, pid := range pids {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("mm-plugin-paper never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case code := <-done:
		if code != exitUnreachable {
			t.Fatalf("exit %d, want %d", code, exitUnreachable)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("mm run did not end after its plugin was killed")
	}
	j, err := journal.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(context.Background())
	runs, _ := j.Runs(context.Background())
	if len(runs) != 1 || runs[0].ExitCode == nil || *runs[0].ExitCode != exitUnreachable {
		t.Fatalf("run rows %+v, want one with exit code 5", runs)
	}
}

// processesRunning lists the pids whose command line starts with path (Linux /proc).
func processesRunning(path string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.HasPrefix(string(cmdline), path) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// SIGTERM during a lockstep replay through the plugin, whose ticks' orders wait for the Step after the tick (a
// signal does not cut that call short; the drain sends the last tick's alone): exit 0, the run row closed as a
// signal, no order open on the paper account or in the journal, and the journal passes its check.
func TestLockstepReplaySIGTERMLeavesNoOrderOpen(t *testing.T) {
	t.Setenv(host.DirEnv, paperPlugin(t))
	t.Setenv(host.LockEnv, "")
	env := newRunEnv(t, "    state: STATE\n", "")
	text := strings.ReplaceAll(runBotYAML("    state: "+env.state+"\n", ""), "  account: cron\n",
		"  account: cron\n  plugin: paper\n")
	text = strings.Replace(text, "duration: 2h", "duration: 240h", 1) // far longer than the test waits
	if err := os.WriteFile(env.config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, stderr := startPaced(t, env)
	time.Sleep(700 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("SIGTERM: %v, want exit 0: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "one call a tick") {
		t.Fatalf("the replay did not send its orders with its Steps: %s", stderr.String())
	}
	ctx := context.Background()
	j, err := journal.OpenReadOnly(ctx, env.journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	runs, _ := j.Runs(ctx)
	if len(runs) != 1 || runs[0].ExitReason != "signal" || runs[0].ExitCode == nil || *runs[0].ExitCode != 0 {
		t.Fatalf("run row: %+v, want closed as signal/0", runs)
	}
	orders, err := j.Orders(ctx, journal.OrderFilter{})
	if err != nil || len(orders) < 2 {
		t.Fatalf("%d orders journaled (%v), want the replay's", len(orders), err)
	}
	for _, o := range orders {
		if o.Status == journal.StatusOpen || o.Status == journal.StatusUnknown {
			t.Errorf("order %s still %s in the journal after the drain", o.ClientOrderID, o.Status)
		}
	}
	if open := paperOpenOrders(t, env.state); len(open) != 0 {
		t.Fatalf("%d orders left open on the paper account after SIGTERM", len(open))
	}
	if code, _, stderr := run(t, "journal", "check", "--journal", env.journal); code != exitOK {
		t.Fatalf("mm journal check: exit %d: %s", code, stderr)
	}
}

// cancelAtWrite cancels a run's context at its n-th write: with --explain the run writes once a tick, right before
// it hands the tick's orders over, so the run stops between a tick and the Step that would carry its orders.
type cancelAtWrite struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAtWrite) Write(p []byte) (int, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return len(p), nil
}

// A run stopped between a tick and the next Step still sends that tick's orders (the drain sends them alone), so
// with keep_orders the orders left open are the last tick's, in the journal and on the paper account alike.
func TestLockstepDrainSendsTheLastTicksOrders(t *testing.T) {
	t.Setenv(host.DirEnv, paperPlugin(t))
	t.Setenv(host.LockEnv, "")
	dir := t.TempDir()
	state := filepath.Join(dir, "paper.state")
	text := strings.Replace(runBotYAML("    state: "+state+"\n", ""), "  account: cron\n",
		"  account: cron\n  plugin: paper\n", 1)
	text = strings.Replace(text, "run:\n", "run:\n  keep_orders: true\n", 1)
	path := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := filepath.Join(dir, "mm.db")
	res, err := runner.Run(ctx, runner.Options{Config: cfg, JournalPath: db, Explain: true,
		Stderr: &cancelAtWrite{n: 32, cancel: cancel}, KeepOrders: true, MMVersion: "test"})
	if err != nil || res.Reason != runner.ReasonSignal {
		t.Fatalf("run: reason %q, err %v; want stopped by the signal", res.Reason, err)
	}
	ctx = context.Background()
	j, err := journal.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	marks, err := j.Marks(ctx, journal.MarkFilter{})
	// The 31st tick, 30 s in, cancels the first orders (order_refresh_time 30); the 32nd places new ones, which
	// only the drain sent.
	if err != nil || len(marks) != 32 {
		t.Fatalf("%d marks (%v), want one for each of the 32 ticks", len(marks), err)
	}
	lastTick := marks[len(marks)-1].Time
	open, err := j.Orders(ctx, journal.OrderFilter{Status: journal.StatusOpen})
	if err != nil || len(open) == 0 {
		t.Fatalf("no open order journaled (%v), want the last tick's", err)
	}
	var ids []string
	for _, o := range open {
		if !o.CreatedAt.Equal(lastTick) {
			t.Errorf("open order %s placed at %v, want the last tick's %v", o.ClientOrderID, o.CreatedAt, lastTick)
		}
		ids = append(ids, o.ClientOrderID)
	}
	onPaper := paperOpenOrders(t, state)
	slices.Sort(ids)
	slices.Sort(onPaper)
	if !slices.Equal(ids, onPaper) {
		t.Errorf("open orders: journal %v, paper account %v", ids, onPaper)
	}
}
