package connectortest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/host"
	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// paperConfig is the paper account every conformance test starts from: the seeded synthetic market, paced in
// real time so the book moves slowly while a test trades against it, Binance-like rules and fees.
const paperConfig = `{"market": "BTC-USDT", "feed": {"kind": "synthetic", "seed": 7, "duration": "1h"},
	"balances": {"BTC": "2", "USDT": "200000"}, "fill_model": "conservative", "pace": 1}`

var btcusdt = market.Pair{Base: "BTC", Quote: "USDT"}

// The paper exchange linked in-process, the way mm replays fast (connector.name: paper).
func TestPaperInProcess(t *testing.T) {
	Run(t, Harness{Market: btcusdt, Connect: func(t *testing.T) sdk.Connector {
		ex := paper.Unconfigured()
		if err := ex.Configure(context.Background(), []byte(paperConfig)); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		t.Cleanup(func() { _ = ex.Shutdown(context.Background()) })
		return ex
	}})
}

// The same exchange served by mm-plugin-paper as a real subprocess over gRPC with AutoMTLS.
func TestPaperPlugin(t *testing.T) {
	bin := buildPaperPlugin(t)
	Run(t, Harness{Market: btcusdt, Connect: func(t *testing.T) sdk.Connector {
		ctx := context.Background()
		p, err := host.Launch(ctx, host.Config{Name: "paper", Path: bin})
		if err != nil {
			t.Fatalf("launch mm-plugin-paper: %v", err)
		}
		t.Cleanup(func() {
			closeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_ = p.Close(closeCtx)
		})
		if err := p.Connector.Configure(ctx, []byte(paperConfig)); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		return p.Connector
	}})
}

// TestMain removes the plugin binary built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if pluginPath != "" {
		_ = os.RemoveAll(filepath.Dir(pluginPath))
	}
	os.Exit(code)
}

var (
	pluginOnce sync.Once
	pluginPath string
	pluginErr  error
	pluginOut  []byte
)

// buildPaperPlugin builds cmd/mm-plugin-paper once per test process.
func buildPaperPlugin(t *testing.T) string {
	t.Helper()
	pluginOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mm-plugin-paper-")
		if err != nil {
			pluginErr = err
			return
		}
		pluginPath = filepath.Join(dir, "mm-plugin-paper")
		cmd := exec.Command("go", "build", "-o", pluginPath, "github.com/mmtoolkit/mm/cmd/mm-plugin-paper")
		pluginOut, pluginErr = cmd.CombinedOutput()
	})
	if pluginErr != nil {
		t.Fatalf("build mm-plugin-paper: %v\n%s", pluginErr, pluginOut)
	}
	return pluginPath
}
