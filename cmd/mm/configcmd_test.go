package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmtoolkit/mm/internal/config"
)

// writeConfig writes text as a config file in a fresh directory and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bot.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigExitCodes(t *testing.T) {
	example := string(config.Example())
	tests := []struct {
		name    string
		args    func(t *testing.T) []string
		code    int
		wantErr string // a substring of the one stderr line
	}{
		{"example", func(*testing.T) []string { return []string{"config", "example"} }, exitOK, ""},
		{"the example validates", func(t *testing.T) []string {
			return []string{"config", "validate", writeConfig(t, example)}
		}, exitOK, ""},
		{"unknown key", func(t *testing.T) []string {
			return []string{"config", "validate", writeConfig(t, strings.Replace(example, "order_amount:", "order_ammount:", 1))}
		}, exitUsage, `:41: unknown key "order_ammount" in strategy`},
		{"bad value", func(t *testing.T) []string {
			return []string{"config", "validate", writeConfig(t, strings.Replace(example, "bid_spread: 0.1 ", "bid_spread: 0   ", 1))}
		}, exitUsage, ":39: strategy.bid_spread must be > 0 and < 100 (got 0)"},
		{"secret", func(t *testing.T) []string {
			return []string{"config", "validate", writeConfig(t, "connector:\n  name: binance\n  settings:\n    api_key: x\n")}
		}, exitUsage, ":4: connector.settings.api_key: secrets never go in the config file"},
		{"missing required key", func(t *testing.T) []string {
			return []string{"config", "validate", writeConfig(t, "strategy:\n  bid_spread: 1\n")}
		}, exitUsage, ":1: strategy.ask_spread is required"},
		{"missing feed file", func(t *testing.T) []string {
			return []string{"config", "validate", writeConfig(t, "connector:\n  paper:\n    feed:\n      kind: binance-capture\n"+
				"      path: nothere.gz\nstrategy:\n  bid_spread: 1\n  ask_spread: 1\n  order_amount: 1\n  order_refresh_time: 30\n")}
		}, exitUsage, ":5: connector.paper.feed.path nothere.gz: no such file or directory"},
		{"missing file", func(t *testing.T) []string {
			return []string{"config", "validate", filepath.Join(t.TempDir(), "none.yaml")}
		}, exitUsage, "none.yaml: cannot read the config"},
		{"no file argument", func(*testing.T) []string { return []string{"config", "validate"} }, exitUsage, "takes one config file"},
		{"no subcommand", func(*testing.T) []string { return []string{"config"} }, exitUsage, "needs a subcommand: example, validate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args(t)...)
			if code != tc.code {
				t.Fatalf("exit code = %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if tc.code == exitOK {
				return
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on an error", stdout)
			}
			if !strings.HasPrefix(stderr, "mm: ") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr = %q, want one 'mm: ' line containing %q", stderr, tc.wantErr)
			}
		})
	}
}

func TestConfigExamplePrintsTheEmbeddedExample(t *testing.T) {
	code, stdout, _ := run(t, "config", "example")
	if code != exitOK || stdout != string(config.Example()) {
		t.Fatalf("exit %d; stdout differs from internal/config/example.yaml", code)
	}
}

// -o json is the effective config with decimals as strings; it reads back as the same config.
func TestConfigValidateJSONIsTheEffectiveConfig(t *testing.T) {
	path := writeConfig(t, "strategy:\n  bid_spread: 1.50\n  ask_spread: 1\n  order_amount: 0.5\n  order_refresh_time: 30\n")
	code, stdout, stderr := run(t, "config", "validate", path, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Strategy map[string]any `json:"strategy"`
		Run      map[string]any `json:"run"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Strategy["bid_spread"] != "1.5" || got.Strategy["max_order_age"] != "1800" || got.Strategy["order_levels"] != float64(1) ||
		got.Run["tick_interval"] != "1s" {
		t.Errorf("strategy = %v, run = %v", got.Strategy, got.Run)
	}
}

func TestConfigValidateWarnsOnStderr(t *testing.T) {
	path := writeConfig(t, strings.Replace(string(config.Example()), "kill_switch_rate: 0 ", "kill_switch_rate: -0.1", 1))
	code, stdout, stderr := run(t, "config", "validate", path)
	if code != exitOK || !strings.Contains(stdout, ": ok (pure_market_making on paper BTC-USDT)") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, "mm: warning: ") || !strings.Contains(stderr, "it fires at a 0.1 % loss; for 10 % write -10") {
		t.Errorf("stderr = %q, want the kill switch warning", stderr)
	}
}

// Flag parsing through runF: the file argument reaches the options.
func TestNewCmdConfigValidateTakesTheFile(t *testing.T) {
	var got *ConfigValidateOptions
	opts := &GlobalOptions{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	cmd := NewCmdConfigValidate(opts, func(_ context.Context, o *ConfigValidateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"bot.yaml"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Path != "bot.yaml" {
		t.Errorf("options = %+v, want Path bot.yaml", got)
	}
}
