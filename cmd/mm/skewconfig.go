package main

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/market"
)

// skewConfig is what mm skew-calc takes from a bot config: the strategy's skew keys, the market, and the paper
// account's starting balances, each only where the file gives it (flags and defaults fill the rest). The file is
// read by internal/config, as mm run reads it, so the same strictness applies.
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

// readSkewConfig reads the skew-relevant keys of a bot config. The whole file is checked (unknown keys, ranges,
// secrets), but the keys Hummingbot prompts for may be absent: skew-calc takes them from flags.
func readSkewConfig(path string) (skewConfig, error) {
	cfg, err := config.LoadPartial(path)
	if err != nil {
		var cerr *config.Error
		if errors.As(err, &cerr) && cerr.Kind == config.ErrUnknownKey && cerr.Key == "strategy" {
			// skew-calc's wording since before internal/config; its golden tests and users' scripts match it.
			return skewConfig{}, fmt.Errorf("%s:%d: unknown strategy key %q", cerr.File, cerr.Line, cerr.Name)
		}
		return skewConfig{}, err
	}
	s := cfg.Strategy
	sc := skewConfig{values: map[string]configDecimal{}}
	for key, flag := range map[string]struct {
		flag  string
		value decimal.Decimal
	}{
		"order_amount":               {"order-amount", s.OrderAmount},
		"order_level_amount":         {"order-level-amount", s.OrderLevelAmount},
		"order_level_spread":         {"order-level-spread", s.OrderLevelSpread},
		"bid_spread":                 {"bid-spread", s.BidSpread},
		"ask_spread":                 {"ask-spread", s.AskSpread},
		"inventory_target_base_pct":  {"target-base-pct", s.InventoryTargetBasePct},
		"inventory_range_multiplier": {"range-multiplier", s.InventoryRangeMultiplier},
	} {
		if cfg.IsSet("strategy." + key) {
			sc.values[flag.flag] = configDecimal{value: flag.value, source: cfg.Source("strategy." + key)}
		}
	}
	if cfg.IsSet("strategy.order_levels") {
		sc.levels = &configInt{n: s.OrderLevels, source: cfg.Source("strategy.order_levels")}
	}
	if s.Kind != "" && s.Kind != "pure_market_making" {
		model := s.Kind
		if s.Kind == "avellaneda" && s.Variant == "hummingbot" {
			model = modelHummingbotAS
		}
		sc.notes = append(sc.notes, fmt.Sprintf("strategy.kind %s in %s quotes from its model, not from these ratios: "+
			"mm skew-calc --model %s prints the model's quotes", s.Kind, path, model))
	}
	if cfg.IsSet("strategy.inventory_skew_enabled") && !s.InventorySkewEnabled {
		sc.notes = append(sc.notes, "inventory_skew_enabled is false in "+path+": mm run does not apply these ratios")
	}
	if !cfg.IsSet("connector.market") {
		return sc, nil
	}
	pair, err := market.ParsePair(cfg.Connector.Market) // validated by config.LoadPartial
	if err != nil {
		return sc, err
	}
	sc.pair = &pair
	if cfg.Connector.Paper == nil {
		return sc, nil
	}
	for flag, asset := range map[string]string{"base": pair.Base, "quote": pair.Quote} {
		key := "connector.paper.balances." + asset
		if cfg.IsSet(key) {
			sc.values[flag] = configDecimal{value: cfg.Connector.Paper.Balances[asset], source: cfg.Source(key)}
		}
	}
	return sc, nil
}
