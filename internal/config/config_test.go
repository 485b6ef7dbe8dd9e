package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestUnknownKeyNamesKeyLineAndSection(t *testing.T) {
	tests := []struct {
		name, text, want string
		section, key     string
	}{
		{"typo in strategy", "strategy:\n  kind: pure_market_making\n  bid_spread: 1\n  order_ammount: 0.5\n",
			`bot.yaml:4: unknown key "order_ammount" in strategy (did you mean order_amount?)`, "strategy", "order_ammount"},
		{"unknown section", "strategies:\n  order_amount: 1\n",
			`bot.yaml:1: unknown section "strategies" (want connector, strategy, risk or run)`, "", "strategies"},
		{"nested section", "connector:\n  paper:\n    feed:\n      kind: synthetic\n      sede: 3\n",
			`bot.yaml:5: unknown key "sede" in connector.paper.feed (did you mean seed?)`, "connector.paper.feed", "sede"},
		{"Hummingbot key mm keeps elsewhere", "strategy:\n  market: BTC-USDT\n",
			`bot.yaml:2: unknown key "market" in strategy (mm reads it from connector.market)`, "strategy", "market"},
		{"kill switch under strategy", "strategy:\n  kill_switch_rate: -5\n",
			`bot.yaml:2: unknown key "kill_switch_rate" in strategy (mm reads it from risk.kill_switch_rate)`, "strategy", "kill_switch_rate"},
		{"no suggestion when nothing is close", "run:\n  zzz: 1\n", `bot.yaml:2: unknown key "zzz" in run`, "run", "zzz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := parseErr(t, tc.text)
			if err.Error() != tc.want {
				t.Errorf("error = %q\nwant    %q", err, tc.want)
			}
			if err.Kind != ErrUnknownKey || err.Key != tc.section || err.Name != tc.key {
				t.Errorf("kind, section, name = %v, %q, %q; want ErrUnknownKey, %q, %q", err.Kind, err.Key, err.Name, tc.section, tc.key)
			}
		})
	}
}

// DESIGN.md §1: secrets never live in the config, wherever the key is.
func TestSecretsAreRefusedAnywhere(t *testing.T) {
	for _, tc := range []struct{ text, key string }{
		{"connector:\n  name: binance\n  settings:\n    api_key: abc\n", "connector.settings.api_key"},
		{"connector:\n  name: binance\n  settings:\n    auth:\n      API-SECRET: abc\n", "connector.settings.auth.API-SECRET"},
		{"connector:\n  passphrase: x\n", "connector.passphrase"},
		{"strategy:\n  binance_private_key: x\n", "strategy.binance_private_key"},
		{"apiKey: x\n", "apiKey"},
		{"risk:\n  password: x\n", "risk.password"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			err := parseErr(t, tc.text)
			if err.Kind != ErrSecret || err.Key != tc.key {
				t.Fatalf("error = %q (kind %v, key %q), want a secret error for %s", err, err.Kind, err.Key, tc.key)
			}
			if !strings.Contains(err.Error(), tc.key+": secrets never go in the config file") ||
				!strings.Contains(err.Error(), "environment variables") {
				t.Errorf("error = %q, want it to point to environment variables", err)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestMalformedFiles(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"empty", "", "bot.yaml: empty config"},
		{"only a comment", "# nothing\n", "bot.yaml: empty config"},
		{"not a mapping", "- a\n- b\n", "bot.yaml:1: a bot config is a mapping of sections"},
		{"YAML syntax", "strategy:\n  bid_spread: 1\n   ask_spread: 1\n", "bot.yaml:3: mapping values are not allowed in this context"},
		{"duplicate key", "strategy:\n  bid_spread: 1\n  bid_spread: 2\n", "bot.yaml:3: strategy.bid_spread is given twice (first at line 2)"},
		{"duplicate asset in another case", "connector:\n  paper:\n    balances: {BTC: 1, btc: 2}\n",
			"bot.yaml:3: connector.paper.balances.btc is given twice (first at line 3)"},
		{"section not a mapping", "strategy: 5\n", `bot.yaml:1: strategy must be a mapping of keys (got "5")`},
		{"decimal as a list", "strategy:\n  bid_spread: [1]\n", "bot.yaml:2: strategy.bid_spread must be a number (got a list)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := parseErr(t, tc.text)
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q\nwant prefix %q", err, tc.want)
			}
		})
	}
}

func TestNullKeepsTheDefault(t *testing.T) {
	// Hummingbot's client writes null for keys it has no value for.
	cfg := mustParse(t, doc(map[string]string{"strategy.max_order_age": "null", "strategy.order_override": "null",
		"strategy.price_source_exchange": "~"}))
	if !cfg.Strategy.MaxOrderAge.Equal(decimal.NewFromInt(1800)) || len(cfg.Strategy.OrderOverride) != 0 {
		t.Errorf("max_order_age = %s, order_override = %v; want the defaults", cfg.Strategy.MaxOrderAge, cfg.Strategy.OrderOverride)
	}
}

// users.md: order_amount "100" and "100.00" are the same; nothing goes through float64.
func TestDecimalsAreExact(t *testing.T) {
	a := mustParse(t, doc(map[string]string{"strategy.order_amount": "100"}))
	b := mustParse(t, doc(map[string]string{"strategy.order_amount": "100.00"}))
	if !a.Strategy.OrderAmount.Equal(b.Strategy.OrderAmount) || a.Hash() != b.Hash() {
		t.Errorf("100 and 100.00 differ: %s %s, hashes %s %s", a.Strategy.OrderAmount, b.Strategy.OrderAmount, a.Hash(), b.Hash())
	}
	c := mustParse(t, doc(map[string]string{"strategy.order_amount": "12345678.123456789123"}))
	if got := c.Strategy.OrderAmount.String(); got != "12345678.123456789123" {
		t.Errorf("order_amount = %s, want every digit kept", got)
	}
	q := mustParse(t, doc(map[string]string{"strategy.order_amount": `"0.5"`}))
	if !q.Strategy.OrderAmount.Equal(decimal.RequireFromString("0.5")) {
		t.Errorf("quoted order_amount = %s", q.Strategy.OrderAmount)
	}
}

func TestSplitListsAcceptCommaListsAndYAMLLists(t *testing.T) {
	comma := mustParse(t, doc(map[string]string{"strategy.bid_order_level_spreads": `"0.5, 1,1.5"`}))
	list := mustParse(t, doc(map[string]string{"strategy.bid_order_level_spreads": "[0.5, 1, 1.50]"}))
	want := []string{"0.5", "1", "1.5"}
	for i, got := range []DecimalList{comma.Strategy.BidOrderLevelSpreads, list.Strategy.BidOrderLevelSpreads} {
		if len(got) != len(want) {
			t.Fatalf("form %d: %v, want %v", i, got, want)
		}
		for j := range want {
			if !got[j].Equal(decimal.RequireFromString(want[j])) {
				t.Errorf("form %d [%d] = %s, want %s", i, j, got[j], want[j])
			}
		}
	}
	err := parseErr(t, doc(map[string]string{"strategy.ask_order_level_amounts": `"1,,2"`}))
	if !strings.Contains(err.Error(), `strategy.ask_order_level_amounts[1] must be a decimal number (got "")`) {
		t.Errorf("error = %q", err)
	}
}

func TestOrderOverrideKeepsDocumentOrder(t *testing.T) {
	cfg := mustParse(t, doc(map[string]string{"strategy.order_override": "{z_far: [buy, 2, 0.02], a_near: [buy, 0.5, \"0.01\"], s: [sell, 1, 1]}"}))
	var names []string
	for _, o := range cfg.Strategy.OrderOverride {
		names = append(names, o.Name)
	}
	if strings.Join(names, ",") != "z_far,a_near,s" {
		t.Errorf("order = %v, want z_far,a_near,s", names)
	}
	reordered := mustParse(t, doc(map[string]string{"strategy.order_override": "{a_near: [buy, 0.5, 0.01], z_far: [buy, 2, 0.02], s: [sell, 1, 1]}"}))
	if cfg.Hash() == reordered.Hash() {
		t.Error("reordering order_override kept the hash; its order is behaviour")
	}
}

func TestLoadResolvesPathsAgainstTheConfigDirectory(t *testing.T) {
	dir := t.TempDir()
	text := doc(map[string]string{"connector.paper.feed.kind": "binance-trades", "connector.paper.feed.path": "data/t.csv",
		"connector.paper.state": "paper.state"})
	path := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.ResolvePath("data/t.csv"), filepath.Join(dir, "data", "t.csv"); got != want {
		t.Errorf("ResolvePath = %s, want %s", got, want)
	}
	if got := cfg.ResolvePath("/abs/x.gz"); got != "/abs/x.gz" {
		t.Errorf("absolute path changed to %s", got)
	}
	err = cfg.CheckFiles()
	if err == nil || !strings.HasPrefix(err.Error(), path+":") || !strings.Contains(err.Error(), "connector.paper.feed.path data/t.csv: no such file or directory") {
		t.Errorf("CheckFiles = %v, want the missing feed file with its line", err)
	}
	if _, err := Load(filepath.Join(dir, "none.yaml")); err == nil || !strings.Contains(err.Error(), "cannot read the config: no such file") {
		t.Errorf("Load of a missing file = %v", err)
	}
}

func TestSourceAndIsSet(t *testing.T) {
	cfg := mustParse(t, "strategy:\n  bid_spread: 1\n  ask_spread: 1\n  order_amount: 0.5\n  order_refresh_time: 30\nconnector:\n  paper:\n    balances: {btc: 2}\n")
	if got := cfg.Source("strategy.order_amount"); got != "bot.yaml:4: strategy.order_amount" {
		t.Errorf("Source = %q", got)
	}
	if !cfg.IsSet("connector.paper.balances.BTC") || cfg.IsSet("strategy.order_levels") {
		t.Error("IsSet: want balances.BTC (upper-cased) set and order_levels not")
	}
}
