package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// sleepRecorder replaces the supervisor's backoff sleep: it records the waits and returns at once, so the
// tests check the backoff schedule without spending it.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *sleepRecorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.waits)
}

// pidSet collects the pids of every plugin process a test started.
type pidSet struct {
	mu   sync.Mutex
	pids []int
}

func (p *pidSet) add(pid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pid != 0 && !slices.Contains(p.pids, pid) {
		p.pids = append(p.pids, pid)
	}
}

// assertGone fails unless every process is gone and reaped: kill(pid, 0) must say ESRCH, so neither an
// orphan nor a zombie is left.
func (p *pidSet) assertGone(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pids) == 0 {
		t.Error("no plugin pid was recorded")
	}
	for _, pid := range p.pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("plugin process %d still exists after Close (kill 0: %v)", pid, err)
		}
	}
}

// startsIn makes every helper plugin start append to a file and returns a function counting the starts.
func startsIn(t *testing.T) func() int {
	path := filepath.Join(t.TempDir(), "starts")
	t.Setenv(startsEnv, path)
	return func() int {
		data, _ := os.ReadFile(path)
		return strings.Count(string(data), "\n")
	}
}

var btcusdt = market.Pair{Base: "BTC", Quote: "USDT"}

func TestSupervisorRestartsAPluginKilledMidStream(t *testing.T) {
	_, path := pluginDir(t)
	t.Setenv(helperEnv, "ok")
	var waits sleepRecorder
	var pids pidSet
	var current atomic.Pointer[Supervisor]
	var hookCalls atomic.Int32
	sup, err := Supervise(t.Context(), SuperviseConfig{
		Config: Config{Name: "tiny", Path: path},
		Sleep:  waits.sleep,
		OnRestart: func(ctx context.Context, c sdk.Connector) error {
			pids.add(current.Load().Pid())
			if hookCalls.Add(1) == 1 {
				return errors.New("reconcile: journal busy") // the first restart fails in the hook
			}
			_, err := c.Balances(ctx) // the run loop reconciles here, through the new process
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	current.Store(sup)
	pids.add(sup.Pid())
	defer pids.assertGone(t)
	defer sup.Close(context.Background())

	old, err := sup.Connector()
	if err != nil {
		t.Fatal(err)
	}
	events, err := old.Subscribe(t.Context(), sdk.SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-events; ev.Seq != 1 {
		t.Fatalf("first event = %+v", ev)
	}
	oldPid := sup.Pid()
	killed := time.Now()
	if err := syscall.Kill(oldPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var streamErr error
	for ev := range events {
		if se, ok := ev.Payload.(sdk.StreamError); ok {
			streamErr = se.Err
		}
	}
	if !errors.Is(streamErr, ErrUnreachable) {
		t.Fatalf("stream ended with %v, want a StreamError wrapping ErrUnreachable", streamErr)
	}
	if took := time.Since(killed); took > time.Second {
		t.Errorf("crash seen after %v, want within a second", took)
	}
	if _, err := old.Balances(t.Context()); !errors.Is(err, ErrUnreachable) {
		t.Errorf("the dead process's connector answered: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	fresh, err := sup.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Balances(ctx); err != nil {
		t.Fatalf("new connector: %v", err)
	}
	if sup.Pid() == oldPid || sup.Pid() == 0 {
		t.Errorf("pid after restart = %d, old %d", sup.Pid(), oldPid)
	}
	if _, err := old.Balances(ctx); !errors.Is(err, ErrRestarting) {
		t.Errorf("old connector after the restart = %v, want ErrRestarting: it must never reach the new process", err)
	}
	if n := hookCalls.Load(); n != 2 {
		t.Errorf("OnRestart ran %d times, want 2 (one failure, one success)", n)
	}
	if want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}; !slices.Equal(waits.got(), want) {
		t.Errorf("backoff waits = %v, want %v", waits.got(), want)
	}
	if err := sup.Close(ctx); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := fresh.Balances(ctx); !errors.Is(err, ErrUnreachable) {
		t.Errorf("connector after Close = %v, want ErrUnreachable", err)
	}
}

func TestSupervisorGivesUpOnAPluginThatAlwaysCrashesOnStart(t *testing.T) {
	_, path := pluginDir(t)
	t.Setenv(helperEnv, "crash")
	starts := startsIn(t)
	var waits sleepRecorder
	_, err := Supervise(t.Context(), SuperviseConfig{Config: Config{Name: "tiny", Path: path}, MaxFailures: 3, Sleep: waits.sleep})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "gave up after 3 consecutive failures") {
		t.Fatalf("Supervise = %v, want ErrUnreachable after 3 failures", err)
	}
	if n := starts(); n != 3 {
		t.Errorf("plugin started %d times, want 3", n)
	}
	if want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}; !slices.Equal(waits.got(), want) {
		t.Errorf("backoff waits = %v, want %v", waits.got(), want)
	}
}

func TestSupervisorGivesUpWhenRestartsKeepFailing(t *testing.T) {
	_, path := pluginDir(t)
	t.Setenv(helperEnv, "once")
	starts := startsIn(t)
	var waits sleepRecorder
	var hookCalls atomic.Int32
	sup, err := Supervise(t.Context(), SuperviseConfig{
		Config: Config{Name: "tiny", Path: path}, MaxFailures: 4, Sleep: waits.sleep, MaxBackoff: 300 * time.Millisecond,
		OnRestart: func(context.Context, sdk.Connector) error { hookCalls.Add(1); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	var pids pidSet
	pids.add(sup.Pid())
	defer pids.assertGone(t)
	defer sup.Close(context.Background())

	if err := syscall.Kill(sup.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sup.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("supervisor still trying after 10 s")
	}
	if err := sup.Err(); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "gave up after 4 consecutive failures") {
		t.Fatalf("Err = %v", err)
	}
	if _, err := sup.Await(t.Context()); !errors.Is(err, ErrUnreachable) {
		t.Errorf("Await after giving up = %v", err)
	}
	if n := starts(); n != 5 {
		t.Errorf("plugin started %d times, want 1 + 4 attempts", n)
	}
	if hookCalls.Load() != 0 {
		t.Error("OnRestart ran for a plugin that never came back")
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
	if !slices.Equal(waits.got(), want) {
		t.Errorf("backoff waits = %v, want %v (doubling, capped at MaxBackoff)", waits.got(), want)
	}
}

// A plugin that starts but dies soon after each restart is a crash loop, not a string of successes.
func TestSupervisorGivesUpOnACrashLoop(t *testing.T) {
	_, path := pluginDir(t)
	t.Setenv(helperEnv, "brief")
	starts := startsIn(t)
	var waits sleepRecorder
	var hookCalls atomic.Int32
	sup, err := Supervise(t.Context(), SuperviseConfig{
		Config: Config{Name: "tiny", Path: path}, MaxFailures: 2, Sleep: waits.sleep, PollInterval: 20 * time.Millisecond,
		OnRestart: func(context.Context, sdk.Connector) error { hookCalls.Add(1); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sup.Close(context.Background())
	select {
	case <-sup.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("supervisor still restarting after 10 s")
	}
	if err := sup.Err(); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "gave up after 2 consecutive failures") {
		t.Fatalf("Err = %v", err)
	}
	// First start, then two restarts that each died within StableAfter.
	if n, h := starts(), hookCalls.Load(); n != 3 || h != 2 {
		t.Errorf("starts = %d, OnRestart calls = %d; want 3 and 2", n, h)
	}
	if want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}; !slices.Equal(waits.got(), want) {
		t.Errorf("backoff waits = %v, want %v", waits.got(), want)
	}
}

func TestSupervisorCloseShutsDownAndLeavesNoProcess(t *testing.T) {
	_, path := pluginDir(t)
	t.Setenv(helperEnv, "ok")
	sup, err := Supervise(t.Context(), SuperviseConfig{Config: Config{Name: "tiny", Path: path}})
	if err != nil {
		t.Fatal(err)
	}
	var pids pidSet
	pids.add(sup.Pid())
	if err := sup.Close(t.Context()); err != nil {
		t.Fatalf("Close = %v", err)
	}
	pids.assertGone(t)
	if err := sup.Close(t.Context()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	select {
	case <-sup.Done():
	default:
		t.Error("Done not closed after Close")
	}
	if _, err := sup.Connector(); !errors.Is(err, ErrUnreachable) {
		t.Errorf("Connector after Close = %v", err)
	}
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	cfg := SuperviseConfig{}
	cfg.setDefaults()
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 5000, 5000}
	for n, w := range want {
		if got := cfg.backoff(n); got != w*time.Millisecond {
			t.Errorf("backoff(%d) = %v, want %v", n, got, w*time.Millisecond)
		}
	}
	if got := cfg.backoff(1000); got != 5*time.Second {
		t.Errorf("backoff(1000) = %v, want the 5 s cap (no overflow)", got)
	}
}
