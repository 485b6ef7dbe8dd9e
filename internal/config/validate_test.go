package config

import (
	"strings"
	"testing"
)

// Every key's accepted range at its boundaries: Hummingbot's validators for the strategy keys
// (reference/hummingbot.md §1.1, "Config default / validation"), mm's documented ranges for the rest.
func TestEveryKeyBoundary(t *testing.T) {
	tests := []struct {
		key, value string
		wantErr    string // "" = valid; else a substring of the one-line error
	}{
		// bid_spread, ask_spread: 0 < v < 100 (exclusive).
		{"strategy.bid_spread", "0", "strategy.bid_spread must be > 0 and < 100 (got 0)"},
		{"strategy.bid_spread", "0.0001", ""},
		{"strategy.bid_spread", "99.99", ""},
		{"strategy.bid_spread", "100", "strategy.bid_spread must be > 0 and < 100 (got 100)"},
		{"strategy.bid_spread", "abc", `strategy.bid_spread must be a decimal number (got "abc")`},
		{"strategy.ask_spread", "0", "strategy.ask_spread must be > 0 and < 100 (got 0)"},
		{"strategy.ask_spread", "100.00", "(got 100)"},
		{"strategy.ask_spread", "50", ""},
		// minimum_spread: −100..100 inclusive.
		{"strategy.minimum_spread", "-100", ""},
		{"strategy.minimum_spread", "100", ""},
		{"strategy.minimum_spread", "-100.01", "strategy.minimum_spread must be between -100 and 100 (got -100.01)"},
		{"strategy.minimum_spread", "100.01", "between -100 and 100"},
		// order_refresh_time, max_order_age, filled_order_delay, price_band_refresh_time, status_report_interval: > 0 s.
		{"strategy.order_refresh_time", "0", "strategy.order_refresh_time must be > 0 and ≤ 31536000 (got 0)"},
		{"strategy.order_refresh_time", "0.5", ""},
		{"strategy.order_refresh_time", "31536000", ""},
		{"strategy.order_refresh_time", "31536001", "≤ 31536000"},
		{"strategy.max_order_age", "0", "strategy.max_order_age must be > 0"},
		{"strategy.max_order_age", "1", ""},
		{"strategy.filled_order_delay", "0", "strategy.filled_order_delay must be > 0"},
		{"strategy.filled_order_delay", "0.1", ""},
		{"strategy.price_band_refresh_time", "0", "strategy.price_band_refresh_time must be > 0"},
		{"strategy.price_band_refresh_time", "1", ""},
		{"strategy.status_report_interval", "-1", "strategy.status_report_interval must be > 0"},
		{"strategy.custom_api_update_interval", "0.5", ""},
		{"strategy.custom_api_update_interval", "0.49", "strategy.custom_api_update_interval must be ≥ 0.5"},
		// order_refresh_tolerance_pct: −10..10 inclusive.
		{"strategy.order_refresh_tolerance_pct", "-10", ""},
		{"strategy.order_refresh_tolerance_pct", "10", ""},
		{"strategy.order_refresh_tolerance_pct", "-10.5", "must be between -10 and 10 (got -10.5)"},
		{"strategy.order_refresh_tolerance_pct", "10.1", "must be between -10 and 10 (got 10.1)"},
		// order_amount > 0.
		{"strategy.order_amount", "0", "strategy.order_amount must be > 0 (got 0)"},
		{"strategy.order_amount", "0.00000001", ""},
		{"strategy.order_amount", "-1", "strategy.order_amount must be > 0 (got -1)"},
		// price_ceiling / price_floor: −1 or > 0.
		{"strategy.price_ceiling", "-1", ""},
		{"strategy.price_ceiling", "0", "strategy.price_ceiling must be -1 (off) or > 0 (got 0)"},
		{"strategy.price_ceiling", "-2", "must be -1 (off) or > 0"},
		{"strategy.price_ceiling", "0.5", ""},
		{"strategy.price_floor", "0", "strategy.price_floor must be -1 (off) or > 0 (got 0)"},
		{"strategy.price_floor", "1000", ""},
		// price_ceiling_pct / price_floor_pct: any number in Hummingbot; mm needs > −100 (a positive band price).
		{"strategy.price_ceiling_pct", "-100", "strategy.price_ceiling_pct must be > -100 (got -100)"},
		{"strategy.price_ceiling_pct", "-99", ""},
		{"strategy.price_floor_pct", "-100", "strategy.price_floor_pct must be > -100"},
		{"strategy.price_floor_pct", "-5", ""},
		// order_levels: integer ≥ 0 (mm: ≤ 1000).
		{"strategy.order_levels", "-1", "strategy.order_levels must be between 0 and 1000 (got -1)"},
		{"strategy.order_levels", "0", ""},
		{"strategy.order_levels", "1000", ""},
		{"strategy.order_levels", "1001", "(got 1001)"},
		{"strategy.order_levels", "1.5", `strategy.order_levels must be a whole number (got "1.5")`},
		{"strategy.order_level_amount", "-0.5", ""},
		// order_level_spread: 0 < v < 100.
		{"strategy.order_level_spread", "0", "strategy.order_level_spread must be > 0 and < 100 (got 0)"},
		{"strategy.order_level_spread", "100", "must be > 0 and < 100"},
		{"strategy.order_level_spread", "50", ""},
		// inventory_target_base_pct: 0..100; inventory_range_multiplier > 0; inventory_price ≥ 0.
		{"strategy.inventory_target_base_pct", "0", ""},
		{"strategy.inventory_target_base_pct", "100", ""},
		{"strategy.inventory_target_base_pct", "-0.1", "must be between 0 and 100 (got -0.1)"},
		{"strategy.inventory_target_base_pct", "120", "strategy.inventory_target_base_pct must be between 0 and 100 (got 120)"},
		{"strategy.inventory_range_multiplier", "0", "strategy.inventory_range_multiplier must be > 0 (got 0)"},
		{"strategy.inventory_range_multiplier", "-1", "must be > 0"},
		{"strategy.inventory_range_multiplier", "0.1", ""},
		{"strategy.inventory_price", "0", ""},
		{"strategy.inventory_price", "-1", "strategy.inventory_price must be ≥ 0 (got -1)"},
		// hanging_orders_cancel_pct: 0 < v < 100; 0 is refused (Hummingbot silently uses 10 %).
		{"strategy.hanging_orders_cancel_pct", "0", "strategy.hanging_orders_cancel_pct must be > 0 and < 100 (got 0)"},
		{"strategy.hanging_orders_cancel_pct", "100", "must be > 0 and < 100"},
		{"strategy.hanging_orders_cancel_pct", "0.1", ""},
		{"strategy.hanging_orders_cancel_pct", "99.9", ""},
		// order optimization depths ≥ 0.
		{"strategy.ask_order_optimization_depth", "0", ""},
		{"strategy.ask_order_optimization_depth", "-0.1", "strategy.ask_order_optimization_depth must be ≥ 0"},
		{"strategy.bid_order_optimization_depth", "-0.1", "strategy.bid_order_optimization_depth must be ≥ 0"},
		// enumerations.
		{"strategy.kind", "avellaneda_market_making", `strategy.kind must be pure_market_making, avellaneda or glft (got "avellaneda_market_making")`},
		{"strategy.price_source", "external_market", "strategy.price_source must be current_market"},
		{"strategy.price_type", "best_bid", ""},
		{"strategy.price_type", "best_ask", ""},
		{"strategy.price_type", "last_price", ""},
		{"strategy.price_type", "last_own_trade_price", ""},
		{"strategy.price_type", "inventory_cost", ""},
		{"strategy.price_type", "custom", `strategy.price_type must be mid_price, best_bid, best_ask, last_price, last_own_trade_price or inventory_cost (got "custom")`},
		// booleans are YAML booleans, not yes/no strings.
		{"strategy.ping_pong_enabled", "true", ""},
		{"strategy.ping_pong_enabled", "yes", `strategy.ping_pong_enabled must be true or false (got "yes")`},
		{"strategy.hanging_orders_enabled", "1", "must be true or false"},

		// risk
		{"risk.kill_switch_rate", "0", ""},
		{"risk.kill_switch_rate", "-5", ""},
		{"risk.kill_switch_rate", "20", ""},
		{"risk.kill_switch_rate", "-99.99", ""},
		{"risk.kill_switch_rate", "-100", "risk.kill_switch_rate must be > -100 and ≤ 1000 percent (0 turns it off) (got -100)"},
		{"risk.kill_switch_rate", "1000", ""},
		{"risk.kill_switch_rate", "1000.1", "(got 1000.1)"},
		{"risk.max_inventory_base", "0", "risk.max_inventory_base must be > 0; leave it out to turn the guard off (got 0)"},
		{"risk.max_inventory_base", "0.1", ""},
		{"risk.daily_loss_limit_quote", "-1", "risk.daily_loss_limit_quote must be > 0"},
		{"risk.daily_loss_limit_quote", "1", ""},
		{"risk.max_drawdown_pct", "0", "risk.max_drawdown_pct must be > 0 and < 100"},
		{"risk.max_drawdown_pct", "100", "risk.max_drawdown_pct must be > 0 and < 100"},
		{"risk.max_drawdown_pct", "50", ""},
		{"risk.stale_data_timeout", "0s", "risk.stale_data_timeout must be between 1s and 24h"},
		{"risk.stale_data_timeout", "999ms", "(got 999ms)"},
		{"risk.stale_data_timeout", "1s", ""},
		{"risk.stale_data_timeout", "24h", ""},
		{"risk.stale_data_timeout", "25h", "risk.stale_data_timeout must be between"},
		{"risk.stale_data_timeout", "30", `risk.stale_data_timeout must be a duration like 1s, 500ms or 1h30m (got "30")`},
		{"risk.reduce_only_after_trip", "true", ""},

		// run
		{"run.tick_interval", "99ms", "run.tick_interval must be between 100ms and 1h (got 99ms)"},
		{"run.tick_interval", "100ms", ""},
		{"run.tick_interval", "1h", ""},
		{"run.tick_interval", "61m", "(got 1h1m)"},
		{"run.tick_interval", "1", "must be a duration"},
		{"run.duration", "-1s", "run.duration must be ≥ 0"},
		{"run.duration", "0s", ""},
		{"run.duration", "2h", ""},
		{"run.status_interval", "0s", ""},
		{"run.status_interval", "500ms", "run.status_interval must be between 1s and 24h, or 0 for none"},
		{"run.status_interval", "24h", ""},
		{"run.keep_orders", "true", ""},

		// connector
		{"connector.name", "Paper", `connector.name must be a lower-case name such as paper or binance (got "Paper")`},
		{"connector.market", "BTCUSDT", `connector.market must be BASE-QUOTE, for example BTC-USDT (got "BTCUSDT")`},
		{"connector.market", "btc-usdt", ""},
		{"connector.account", `"a b"`, "connector.account must be 1 to 64 letters"},
		{"connector.account", "main.2", ""},
		{"connector.plugin", "Bin", "connector.plugin must be a lower-case plugin name"},
		{"connector.paper.fill_model", "optimistic", ""},
		{"connector.paper.fill_model", "fast", `connector.paper.fill_model must be conservative or optimistic (got "fast")`},
		{"connector.paper.maker_fee_pct", "-99.9", ""},
		{"connector.paper.maker_fee_pct", "-100", "connector.paper.maker_fee_pct must be > -100 and < 100 (got -100)"},
		{"connector.paper.taker_fee_pct", "100", "connector.paper.taker_fee_pct must be > -100 and < 100"},
		{"connector.paper.tick_size", "0", "connector.paper.tick_size must be > 0 (got 0)"},
		{"connector.paper.step_size", "0", "connector.paper.step_size must be > 0"},
		{"connector.paper.min_size", "0", ""},
		{"connector.paper.min_size", "-1", "connector.paper.min_size must be ≥ 0"},
		{"connector.paper.min_notional", "-1", "connector.paper.min_notional must be ≥ 0"},
		{"connector.paper.order_latency", "1m", ""},
		{"connector.paper.order_latency", "-1s", "connector.paper.order_latency must be between 0s and 1m (got -1s)"},
		{"connector.paper.cancel_latency", "61s", "connector.paper.cancel_latency must be between 0s and 1m"},
		{"connector.paper.pace", "-1", "connector.paper.pace must be between 0 and 1000000 (got -1)"},
		{"connector.paper.pace", "1", ""},
		{"connector.paper.balances.BTC", "-1", "connector.paper.balances.BTC must be ≥ 0 (got -1)"},
		{"connector.paper.balances.btc", "2", ""},
		{"connector.paper.feed.kind", "bogus", "connector.paper.feed.kind must be synthetic, binance-capture, binance-trades, binance-aggtrades or binance-klines"},
		{"connector.paper.feed.seed", "-1", "connector.paper.feed.seed must be ≥ 0 (got -1)"},
		{"connector.paper.feed.seed", "0", ""},
		{"connector.paper.feed.duration", "0s", "connector.paper.feed.duration must be between 1s and"},
		{"connector.paper.feed.duration", "1s", ""},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			text := doc(map[string]string{tc.key: tc.value})
			if tc.wantErr == "" {
				mustParse(t, text)
				return
			}
			err := parseErr(t, text)
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %q\nwant it to contain %q", err, tc.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "bot.yaml:") || err.Line == 0 {
				t.Errorf("error %q does not name bot.yaml:line", err)
			}
		})
	}
}

// Rules between keys, each with the error a user sees.
func TestCrossKeyRules(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		wantErr   string
	}{
		{"static band upside down (Hummingbot's init_params raises)",
			map[string]string{"strategy.price_ceiling": "100", "strategy.price_floor": "200"},
			"strategy.price_ceiling must be ≥ strategy.price_floor (got 100 < 200)"},
		{"moving band upside down",
			map[string]string{"strategy.moving_price_band_enabled": "true", "strategy.price_ceiling_pct": "-1", "strategy.price_floor_pct": "1"},
			"strategy.price_ceiling_pct must be > strategy.price_floor_pct when moving_price_band_enabled (got -1 ≤ 1)"},
		{"split levels: one amount per spread (Hummingbot drops the longer list's tail)",
			map[string]string{"strategy.split_order_levels_enabled": "true", "strategy.bid_order_level_spreads": "0.5,1", "strategy.bid_order_level_amounts": "0.01"},
			"strategy.bid_order_level_amounts must have one amount per spread of strategy.bid_order_level_spreads (got 1 amounts for 2 spreads)"},
		{"split levels without lists",
			map[string]string{"strategy.split_order_levels_enabled": "true"},
			"strategy.split_order_levels_enabled needs bid_/ask_order_level_spreads and _amounts"},
		{"split levels and order_override (start.py silently drops the override)",
			map[string]string{"strategy.split_order_levels_enabled": "true", "strategy.ask_order_level_spreads": "1", "strategy.ask_order_level_amounts": "1",
				"strategy.order_override": "{a: [buy, 1, 1]}"},
			"strategy.split_order_levels_enabled and strategy.order_override both define the orders; keep one"},
		{"split spread out of range", map[string]string{"strategy.bid_order_level_spreads": "[0.5, 100]"},
			"strategy.bid_order_level_spreads[1] must be > 0 and < 100 (got 100)"},
		{"split amount not positive", map[string]string{"strategy.ask_order_level_amounts": "1,0"},
			"strategy.ask_order_level_amounts[1] must be > 0 (got 0)"},
		{"order_override side", map[string]string{"strategy.order_override": "{x: [hold, 1, 1]}"},
			`strategy.order_override.x side must be buy or sell (got "hold")`},
		{"order_override shape", map[string]string{"strategy.order_override": "{x: [buy, 1]}"},
			"strategy.order_override.x must be [side, spread_pct, amount]"},
		{"order_override amount (Hummingbot silently drops it)", map[string]string{"strategy.order_override": "{x: [buy, 1, 0]}"},
			"strategy.order_override.x.amount must be > 0 (got 0)"},
		{"order_override spread", map[string]string{"strategy.order_override": "{x: [sell, -100, 1]}"},
			"strategy.order_override.x.spread_pct must be > -100 and < 100 (got -100)"},
		{"file feed needs a path", map[string]string{"connector.paper.feed.kind": "binance-capture"},
			"connector.paper.feed.path is required for kind binance-capture"},
		{"one path for a CSV feed", map[string]string{"connector.paper.feed.kind": "binance-trades", "connector.paper.feed.paths": "[a.csv, b.csv]"},
			"connector.paper.feed.path is required for kind binance-trades, exactly one file (got 2)"},
		{"seed is synthetic only", map[string]string{"connector.paper.feed.kind": "binance-trades", "connector.paper.feed.path": "t.csv", "connector.paper.feed.seed": "3"},
			"connector.paper.feed.seed is for kind synthetic only (kind is binance-trades)"},
		{"synthetic reads no files", map[string]string{"connector.paper.feed.path": "t.csv"},
			"connector.paper.feed.kind synthetic reads no files"},
		{"spread_ticks is klines only", map[string]string{"connector.paper.feed.spread_ticks": "2"},
			"connector.paper.feed.spread_ticks is for kind binance-klines only (kind is synthetic)"},
		{"balances for the wrong assets", map[string]string{"connector.market": "ETH-EUR"},
			"connector.paper.balances must give ETH or EUR a balance > 0 (the paper account trades ETH-EUR)"},
		{"paper section with a plugin connector", map[string]string{"connector.name": "binance", "connector.paper.fill_model": "optimistic"},
			"connector.paper configures the paper exchange; plugin binance takes connector.settings"},
		{"settings with the in-process paper exchange", map[string]string{"connector.settings": "{x: 1}"},
			"connector.settings is for out-of-process plugins; the paper exchange takes connector.paper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := parseErr(t, doc(tc.overrides))
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %q\nwant it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestRequiredKeysAreTheFourHummingbotPromptsFor(t *testing.T) {
	for key := range required {
		t.Run(key, func(t *testing.T) {
			err := parseErr(t, doc(map[string]string{key: "-", "strategy.kind": "pure_market_making"}))
			if err.Kind != ErrInvalid || !strings.Contains(err.Error(), key+" is required") {
				t.Errorf("error = %q, want %q is required", err, key)
			}
			if err.Line != 1 { // the strategy: line, where the key is missing
				t.Errorf("line = %d, want 1 (the strategy section)", err.Line)
			}
		})
	}
	// A tool reading part of a config (mm skew-calc) may leave them out; the keys present are still checked.
	if _, err := parse("bot.yaml", []byte("strategy:\n  order_amount: 1\n"), false); err != nil {
		t.Errorf("partial config: %v", err)
	}
	if _, err := parse("bot.yaml", []byte("strategy:\n  bid_spread: 0\n"), false); err == nil {
		t.Error("partial config with bid_spread 0 parsed")
	}
}

// users.md HB #1226: −0.1 was meant as −10 %. mm keeps Hummingbot's percent and says what −0.1 means.
func TestKillSwitchRateBelowOnePercentWarns(t *testing.T) {
	cfg := mustParse(t, doc(map[string]string{"risk.kill_switch_rate": "-0.1"}))
	want := "bot.yaml:2: risk.kill_switch_rate -0.1 is percent: it fires at a 0.1 % loss; for 10 % write -10"
	if len(cfg.Warnings()) != 1 || cfg.Warnings()[0] != want {
		t.Errorf("warnings = %q\nwant [%q]", cfg.Warnings(), want)
	}
	if w := mustParse(t, doc(map[string]string{"risk.kill_switch_rate": "-5"})).Warnings(); len(w) != 0 {
		t.Errorf("kill_switch_rate -5 warned: %q", w)
	}
}
