package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad strategy.sizing and risk.blackouts values are bad config: exit 2 from mm run and mm config validate, one
// stderr line with the key and its line, and no journal written (run_sizing_bad.txtar checks the wording).
func TestBadSizingAndBlackoutsExitTwoAndWriteNothing(t *testing.T) {
	const base = "connector:\n  name: paper\n  paper: {feed: {kind: synthetic, seed: 1}}\nstrategy:\n  bid_spread: 0.1\n" +
		"  ask_spread: 0.1\n  order_amount: 0.01\n  order_refresh_time: 30\n"
	tests := []struct{ name, extra, want string }{
		{"window", "  sizing: {target_vol: 60, window: 1}\n", ":9: strategy.sizing.window must be between 2 and 10000 bars (got 1)"},
		{"zero target", "  sizing: {target_vol: 0}\n", ":9: strategy.sizing.target_vol must be > 0 and ≤ 1000"},
		{"min above max", "  sizing: {target_vol: 60, min_factor: 3, max_factor: 2}\n", ":9: strategy.sizing.min_factor must be ≤ strategy.sizing.max_factor (got 3 > 2)"},
		{"parkinson bar = tick", "  sizing: {target_vol: 60, estimator: parkinson, bar: 1s}\n",
			":9: strategy.sizing.bar must be ≥ 2 × run.tick_interval (2s) for estimator parkinson"},
		{"end before start", "risk:\n  blackouts:\n    - {start: 2024-01-02T00:00:00Z, end: 2024-01-01T00:00:00Z, action: pause}\n",
			":11: risk.blackouts[0].end must be after start"},
		{"bad HH:MM", "risk:\n  blackouts:\n    - {daily: \"7:00-08:00\", action: pause}\n", ":11: risk.blackouts[0].daily must be HH:MM-HH:MM"},
		{"shrink factor", "risk:\n  blackouts:\n    - {daily: \"07:00-08:00\", action: shrink, factor: 0}\n",
			":11: risk.blackouts[0].factor must be > 0 and < 1 for action shrink (got 0)"},
		{"unknown action", "risk:\n  blackouts:\n    - {daily: \"07:00-08:00\", action: halt}\n",
			`:11: risk.blackouts[0].action must be pause or shrink (got "halt")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "bot.yaml")
			if err := os.WriteFile(cfg, []byte(base+tc.extra), 0o600); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, "mm.db")
			for _, args := range [][]string{{"run", "--journal", db, "--config", cfg}, {"config", "validate", cfg}} {
				code, stdout, stderr := run(t, args...)
				if code != exitUsage || stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
					!strings.Contains(stderr, tc.want) {
					t.Errorf("mm %s: exit %d, stdout %q, stderr %q; want exit 2 and one line containing %q",
						args[0], code, stdout, stderr, tc.want)
				}
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("mm run wrote a journal for a bad config (%v)", err)
			}
		})
	}
}

// examples/vol-sizing-blackouts.yaml validates as it stands, with its implied-volatility file.
func TestVolSizingBlackoutsExampleValidates(t *testing.T) {
	code, stdout, stderr := run(t, "config", "validate", filepath.Join("..", "..", "examples", "vol-sizing-blackouts.yaml"))
	if code != exitOK || !strings.Contains(stdout, "| sizing ") || !strings.Contains(stdout, "| blackouts ") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}
