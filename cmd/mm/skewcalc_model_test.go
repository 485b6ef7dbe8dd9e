package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSkewCalcModelExitCodes(t *testing.T) {
	as := []string{"skew-calc", "--model", "avellaneda", "--s", "100", "--q", "0", "--sigma", "2", "--k", "1.5", "--tau", "1"}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"avellaneda", append(as, "--gamma", "0.1"), exitOK},
		{"γ = 0", append(as, "--gamma", "0"), exitUsage},
		{"γ < 0", append(as, "--gamma", "-0.1"), exitUsage},
		{"missing input", as, exitUsage},
		{"glft A = 0", []string{"skew-calc", "--model", "glft", "--A", "0", "--k", "0.3", "--gamma", "0.01", "--sigma", "0.3", "--q", "0"}, exitUsage},
		{"hummingbot η > 1", []string{"skew-calc", "--model", "hummingbot-avellaneda", "--mid", "100", "--base-bal", "6",
			"--quote-bal", "300", "--vol", "0.05", "--kappa", "2", "--eta", "2"}, exitUsage},
		{"unknown model", []string{"skew-calc", "--model", "nope"}, exitUsage},
		{"model flag without --model", []string{"skew-calc", "--price", "1", "--order-amount", "1", "--kappa", "2"}, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code = %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if code != exitOK && (stdout != "" || !strings.HasPrefix(stderr, "mm: --")) {
				t.Errorf("stdout %q, stderr %q: want nothing and one 'mm: --flag' line", stdout, stderr)
			}
		})
	}
}

// The JSON contract: the vectors' expected names, quotes ordered bid < ask, null for a side at the bound.
func TestSkewCalcModelJSONUsesTheVectorNames(t *testing.T) {
	code, stdout, stderr := run(t, "skew-calc", "--model", "glft", "--A", "0.9", "--k", "0.3", "--gamma", "0.01",
		"--sigma", "0.3", "--q", "-3", "--q-max", "3", "--s", "100", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	for _, name := range []string{"c1", "c2", "half_spread", "skew", "delta_bid", "delta_ask", "total_spread", "quote_centre_offset", "bid", "ask"} {
		if _, ok := doc[name]; !ok {
			t.Errorf("field %q missing", name)
		}
	}
	if doc["ask"] != nil || doc["delta_ask"] != nil {
		t.Errorf("q = −Q: ask %v, delta_ask %v; want null", doc["ask"], doc["delta_ask"])
	}
	code, stdout, _ = run(t, "skew-calc", "--model", "avellaneda", "--s", "100", "--q", "3", "--gamma", "0.1",
		"--sigma", "2", "--k", "1.5", "--tau", "0.5", "-o", "json")
	var quote struct{ Bid, Ask float64 }
	if err := json.Unmarshal([]byte(stdout), &quote); code != exitOK || err != nil || !(quote.Bid < quote.Ask) {
		t.Errorf("exit %d, err %v: bid %g not below ask %g", code, err, quote.Bid, quote.Ask)
	}
}

// skew-calc --config with a model strategy still computes the skew from its keys, but says that mm run quotes
// from the model and names the --model to use instead.
func TestSkewCalcConfigOfAModelStrategyPointsToItsModel(t *testing.T) {
	for kind, want := range map[string]string{"glft": "--model glft", "avellaneda": "--model avellaneda"} {
		path := filepath.Join(t.TempDir(), "bot.yaml")
		extra := "  max_inventory: 0.02\n" // Q: glft needs it, and so does textbook avellaneda without a horizon
		text := "connector:\n  name: paper\n  market: BTC-USDT\nstrategy:\n  kind: " + kind + "\n  order_amount: 0.002\n" + extra
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := run(t, "skew-calc", "--config", path, "--price", "60000", "--base", "0.5", "--quote", "30000")
		if code != exitOK || !strings.Contains(stdout+stderr, "strategy.kind "+kind) || !strings.Contains(stdout+stderr, want) {
			t.Errorf("%s: exit %d, output %q %q; want a note naming %s", kind, code, stdout, stderr, want)
		}
	}
}
