package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/mmtoolkit/mm/market"
)

// skewConfig is what mm skew-calc takes from a bot config: the strategy's skew keys, the market, and the paper
// account's starting balances. Keys keep Hummingbot's names and percent units (DESIGN.md §1).
type skewConfig struct {
	values map[string]configDecimal // by skew-calc flag name
	levels *configInt
	pair   *market.Pair
	notes  []string
}

type configDecimal struct {
	value  decimal.Decimal
	source string // "bot.yaml:12: strategy.order_amount", for error messages
}

type configInt struct {
	n      int
	source string
}

// strategyKeyFlags maps Hummingbot pure_market_making keys to skew-calc flags.
var strategyKeyFlags = map[string]string{
	"order_amount":               "order-amount",
	"order_level_amount":         "order-level-amount",
	"order_level_spread":         "order-level-spread",
	"bid_spread":                 "bid-spread",
	"ask_spread":                 "ask-spread",
	"inventory_target_base_pct":  "target-base-pct",
	"inventory_range_multiplier": "range-multiplier",
}

// pmmKeys are every key of Hummingbot's pure_market_making config (reference/hummingbot.md §1.1) plus mm's
// "kind". A key outside this set is a typo, and a typo must never be silently ignored (bbgo's lesson, STYLE.md).
var pmmKeys = map[string]bool{
	"kind": true, "bid_spread": true, "ask_spread": true, "minimum_spread": true, "order_refresh_time": true,
	"max_order_age": true, "order_refresh_tolerance_pct": true, "order_amount": true, "price_ceiling": true,
	"price_floor": true, "moving_price_band_enabled": true, "price_ceiling_pct": true, "price_floor_pct": true,
	"price_band_refresh_time": true, "ping_pong_enabled": true, "order_levels": true, "order_level_amount": true,
	"order_level_spread": true, "inventory_skew_enabled": true, "inventory_target_base_pct": true,
	"inventory_range_multiplier": true, "inventory_price": true, "filled_order_delay": true,
	"hanging_orders_enabled": true, "hanging_orders_cancel_pct": true, "order_optimization_enabled": true,
	"ask_order_optimization_depth": true, "bid_order_optimization_depth": true, "add_transaction_costs": true,
	"price_source": true, "price_type": true, "price_source_exchange": true, "price_source_market": true,
	"price_source_custom_api": true, "custom_api_update_interval": true, "take_if_crossed": true,
	"order_override": true, "split_order_levels_enabled": true, "bid_order_level_spreads": true,
	"ask_order_level_spreads": true, "bid_order_level_amounts": true, "ask_order_level_amounts": true,
	"should_wait_order_cancel_confirmation": true, "status_report_interval": true,
}

// topLevelKeys are the sections of an mm bot config.
var topLevelKeys = map[string]bool{"connector": true, "strategy": true, "risk": true, "run": true, "hedge": true}

// readSkewConfig reads the skew-relevant keys of a bot config. Unknown sections and unknown strategy keys are
// errors naming the key and its line; the rest of the file (risk, run, hedge) is checked by mm config validate.
func readSkewConfig(path string) (skewConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return skewConfig{}, fmt.Errorf("--config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&doc); err != nil {
		return skewConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	cfg := skewConfig{values: map[string]configDecimal{}}
	if len(doc.Content) == 0 {
		return cfg, fmt.Errorf("%s: empty config", path)
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return cfg, fmt.Errorf("%s:%d: a bot config is a mapping of sections (connector, strategy, ...)", path, top.Line)
	}
	for key, value := range mappingPairs(top) {
		if !topLevelKeys[key.Value] {
			return cfg, fmt.Errorf("%s:%d: unknown section %q (want connector, strategy, risk, run or hedge)", path, key.Line, key.Value)
		}
		switch key.Value {
		case "strategy":
			if err := cfg.readStrategy(path, value); err != nil {
				return cfg, err
			}
		case "connector":
			if err := cfg.readConnector(path, value); err != nil {
				return cfg, err
			}
		}
	}
	return cfg, nil
}

func (cfg *skewConfig) readStrategy(path string, node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: strategy must be a mapping", path, node.Line)
	}
	for key, value := range mappingPairs(node) {
		source := fmt.Sprintf("%s:%d: strategy.%s", path, key.Line, key.Value)
		switch {
		case !pmmKeys[key.Value]:
			return fmt.Errorf("%s:%d: unknown strategy key %q", path, key.Line, key.Value)
		case key.Value == "kind" && value.Value != "pure_market_making":
			return fmt.Errorf("%s: skew-calc explains kind pure_market_making (got %q)", source, value.Value)
		case key.Value == "order_levels":
			n, err := strconv.Atoi(value.Value)
			if err != nil {
				return fmt.Errorf("%s: %q is not an integer", source, value.Value)
			}
			cfg.levels = &configInt{n: n, source: source}
		case key.Value == "inventory_skew_enabled" && value.Value == "false":
			cfg.notes = append(cfg.notes, "inventory_skew_enabled is false in "+path+": mm run does not apply these ratios")
		case strategyKeyFlags[key.Value] != "":
			d, err := decimal.NewFromString(value.Value)
			if err != nil || value.Kind != yaml.ScalarNode {
				return fmt.Errorf("%s: %q is not a decimal number", source, value.Value)
			}
			cfg.values[strategyKeyFlags[key.Value]] = configDecimal{value: d, source: source}
		}
	}
	return nil
}

// readConnector takes connector.market and the paper account's balances of its two assets.
func (cfg *skewConfig) readConnector(path string, node *yaml.Node) error {
	var balances *yaml.Node
	for key, value := range mappingPairs(node) {
		switch key.Value {
		case "market":
			pair, err := market.ParsePair(value.Value)
			if err != nil {
				return fmt.Errorf("%s:%d: connector.market: %w", path, key.Line, err)
			}
			cfg.pair = &pair
		case "paper":
			for pk, pv := range mappingPairs(value) {
				if pk.Value == "balances" {
					balances = pv
				}
			}
		}
	}
	if balances == nil || cfg.pair == nil {
		return nil
	}
	for asset, value := range mappingPairs(balances) {
		flag := map[string]string{cfg.pair.Base: "base", cfg.pair.Quote: "quote"}[asset.Value]
		if flag == "" {
			continue
		}
		d, err := decimal.NewFromString(value.Value)
		if err != nil {
			return fmt.Errorf("%s:%d: connector.paper.balances.%s: %q is not a decimal number", path, asset.Line, asset.Value, value.Value)
		}
		cfg.values[flag] = configDecimal{value: d,
			source: fmt.Sprintf("%s:%d: connector.paper.balances.%s", path, asset.Line, asset.Value)}
	}
	return nil
}

// mappingPairs iterates a YAML mapping's keys and values in document order; other nodes yield nothing.
func mappingPairs(node *yaml.Node) func(yield func(key, value *yaml.Node) bool) {
	return func(yield func(key, value *yaml.Node) bool) {
		if node == nil || node.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			if !yield(node.Content[i], node.Content[i+1]) {
				return
			}
		}
	}
}
