package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/plugins/host"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Killing mm-plugin-paper mid-stream: the stream reports the crash, the supervisor starts a new process and
// runs the reconcile hook (here: configure it again), and the new process continues the persistent paper
// account, so a resting order placed before the crash is still there.
func TestPaperPluginKilledMidStreamIsRestarted(t *testing.T) {
	bin := buildPaperPlugin(t)
	state := filepath.Join(t.TempDir(), "paper.state")
	var cfg map[string]any
	if err := json.Unmarshal([]byte(paperConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["state"] = state
	configJSON, _ := json.Marshal(cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	restarts := 0
	sup, err := host.Supervise(ctx, host.SuperviseConfig{
		Config: host.Config{Name: "paper", Path: bin},
		OnRestart: func(ctx context.Context, c sdk.Connector) error {
			restarts++
			return c.Configure(ctx, configJSON)
		},
	})
	if err != nil {
		t.Fatalf("Supervise: %v", err)
	}
	defer sup.Close(context.Background())
	c, err := sup.Connector()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Configure(ctx, configJSON); err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, ctx: ctx, h: Harness{Market: btcusdt}, c: c}
	s.subscribe()
	bid := s.restingBid()
	if res := s.place(bid); res.Err != nil {
		t.Fatalf("place: %v", res.Err)
	}

	oldPid := sup.Pid()
	if err := syscall.Kill(oldPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	for {
		ev, ok := <-s.events
		if !ok {
			t.Fatal("stream closed without reporting the crash")
		}
		if se, isErr := ev.Payload.(sdk.StreamError); isErr {
			if !errors.Is(se.Err, sdk.ErrUnreachable) {
				t.Fatalf("stream error %v does not wrap ErrUnreachable", se.Err)
			}
			break
		}
	}
	if d := time.Since(killed); d > time.Second {
		t.Errorf("crash seen after %s, want within a second", d)
	}
	c, err = sup.Await(ctx)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	if restarts != 1 || sup.Pid() == oldPid {
		t.Fatalf("restarts = %d, pid %d → %d; want one restart and a new process", restarts, oldPid, sup.Pid())
	}
	if err := syscall.Kill(oldPid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the killed plugin %d still exists: %v", oldPid, err)
	}
	open, err := c.OpenOrders(ctx, btcusdt)
	if err != nil {
		t.Fatalf("OpenOrders after restart: %v", err)
	}
	if !containsOrder(open, bid.ClientOrderID) {
		t.Errorf("the resting bid placed before the crash is gone after the restart: %v", open)
	}
	var quote sdk.Balance
	balances, err := c.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range balances {
		if b.Asset == "USDT" {
			quote = b
		}
	}
	locked := bid.Price.Mul(bid.Amount)
	if !quote.Total.Sub(quote.Available).Equal(locked) {
		t.Errorf("USDT locked after restart = %s, want %s (the bid's funds)", quote.Total.Sub(quote.Available), locked)
	}
}
