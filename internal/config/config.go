// Package config reads mm's bot config (`mm run --config bot.yaml`, DESIGN.md §1): strict YAML in four sections,
// connector, strategy, risk and run. Strategy keys keep Hummingbot's pure_market_making names, percent units and
// config defaults (reference/hummingbot.md §1.1), so a Hummingbot user can carry a config over; PMMParams converts
// them into the engine's units. An unknown key, a bad value or a secret is an error naming the file, the line and
// the dotted key; nothing is silently ignored or silently corrected. docs/CONFIG.md documents every key.
//
// The struct types below are the schema: their yaml tags are the only keys the decoder accepts.
package config

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal/interchange"
)

// Config is a parsed, validated bot config with every default applied. Values keep the file's units (percent,
// seconds for strategy timers) so that `mm config validate -o json` shows what the user wrote.
type Config struct {
	Connector Connector `yaml:"connector" json:"connector"`
	Strategy  Strategy  `yaml:"strategy" json:"strategy"`
	Risk      Risk      `yaml:"risk" json:"risk"`
	Run       Run       `yaml:"run" json:"run"`

	file     string         // the name errors print, as given to Load or Parse
	dir      string         // relative file paths in the config resolve against this directory
	lines    map[string]int // dotted key → line of the key, for every key present in the file
	warnings []string
	iv       []interchange.IVPoint // ImpliedVol's file, read once (CheckFiles at start-up, then the runner)
	ivRead   bool
}

// Connector says where orders go. name: paper runs mm's paper exchange in-process; plugin: NAME (or any name
// other than paper) runs the out-of-process plugin mm-plugin-NAME, configured with the settings mapping as JSON.
type Connector struct {
	Name     string         `yaml:"name" json:"name"`
	Market   string         `yaml:"market" json:"market"`
	Account  string         `yaml:"account" json:"account"`
	Plugin   string         `yaml:"plugin" json:"plugin,omitempty"`
	Paper    *Paper         `yaml:"paper" json:"paper,omitempty"`
	Settings map[string]any `yaml:"settings" json:"settings,omitempty"`
}

// Paper is the paper exchange's section, the same keys plugins/paper.ParseConfigJSON reads.
type Paper struct {
	Feed          Feed                       `yaml:"feed" json:"feed"`
	Balances      map[string]decimal.Decimal `yaml:"balances" json:"balances"`
	FillModel     string                     `yaml:"fill_model" json:"fill_model"`
	MakerFeePct   decimal.Decimal            `yaml:"maker_fee_pct" json:"maker_fee_pct"`
	TakerFeePct   decimal.Decimal            `yaml:"taker_fee_pct" json:"taker_fee_pct"`
	TickSize      decimal.Decimal            `yaml:"tick_size" json:"tick_size"`
	StepSize      decimal.Decimal            `yaml:"step_size" json:"step_size"`
	MinSize       decimal.Decimal            `yaml:"min_size" json:"min_size"`
	MinNotional   decimal.Decimal            `yaml:"min_notional" json:"min_notional"`
	OrderLatency  Duration                   `yaml:"order_latency" json:"order_latency"`
	CancelLatency Duration                   `yaml:"cancel_latency" json:"cancel_latency"`
	State         string                     `yaml:"state" json:"state,omitempty"`
	Pace          decimal.Decimal            `yaml:"pace" json:"pace"`
}

// Feed is the paper exchange's market data.
type Feed struct {
	Kind        string   `yaml:"kind" json:"kind"`
	Path        string   `yaml:"path" json:"path,omitempty"`
	Paths       []string `yaml:"paths" json:"paths,omitempty"`
	Seed        *int64   `yaml:"seed" json:"seed,omitempty"`                 // synthetic only
	Duration    Duration `yaml:"duration" json:"duration,omitempty"`         // synthetic only
	SpreadTicks int64    `yaml:"spread_ticks" json:"spread_ticks,omitempty"` // binance-klines only
}

// Strategy is Hummingbot's pure_market_making config, key for key (reference/hummingbot.md §1.1), in its units:
// percent where Hummingbot takes percent, seconds for its timers, base units for amounts.
type Strategy struct {
	Kind                              string          `yaml:"kind" json:"kind"`
	BidSpread                         decimal.Decimal `yaml:"bid_spread" json:"bid_spread"`
	AskSpread                         decimal.Decimal `yaml:"ask_spread" json:"ask_spread"`
	MinimumSpread                     decimal.Decimal `yaml:"minimum_spread" json:"minimum_spread"`
	OrderRefreshTime                  decimal.Decimal `yaml:"order_refresh_time" json:"order_refresh_time"`
	MaxOrderAge                       decimal.Decimal `yaml:"max_order_age" json:"max_order_age"`
	OrderRefreshTolerancePct          decimal.Decimal `yaml:"order_refresh_tolerance_pct" json:"order_refresh_tolerance_pct"`
	OrderAmount                       decimal.Decimal `yaml:"order_amount" json:"order_amount"`
	PriceCeiling                      decimal.Decimal `yaml:"price_ceiling" json:"price_ceiling"`
	PriceFloor                        decimal.Decimal `yaml:"price_floor" json:"price_floor"`
	MovingPriceBandEnabled            bool            `yaml:"moving_price_band_enabled" json:"moving_price_band_enabled"`
	PriceCeilingPct                   decimal.Decimal `yaml:"price_ceiling_pct" json:"price_ceiling_pct"`
	PriceFloorPct                     decimal.Decimal `yaml:"price_floor_pct" json:"price_floor_pct"`
	PriceBandRefreshTime              decimal.Decimal `yaml:"price_band_refresh_time" json:"price_band_refresh_time"`
	PingPongEnabled                   bool            `yaml:"ping_pong_enabled" json:"ping_pong_enabled"`
	OrderLevels                       int             `yaml:"order_levels" json:"order_levels"`
	OrderLevelAmount                  decimal.Decimal `yaml:"order_level_amount" json:"order_level_amount"`
	OrderLevelSpread                  decimal.Decimal `yaml:"order_level_spread" json:"order_level_spread"`
	InventorySkewEnabled              bool            `yaml:"inventory_skew_enabled" json:"inventory_skew_enabled"`
	InventoryTargetBasePct            decimal.Decimal `yaml:"inventory_target_base_pct" json:"inventory_target_base_pct"`
	InventoryRangeMultiplier          decimal.Decimal `yaml:"inventory_range_multiplier" json:"inventory_range_multiplier"`
	InventoryPrice                    decimal.Decimal `yaml:"inventory_price" json:"inventory_price"`
	FilledOrderDelay                  decimal.Decimal `yaml:"filled_order_delay" json:"filled_order_delay"`
	HangingOrdersEnabled              bool            `yaml:"hanging_orders_enabled" json:"hanging_orders_enabled"`
	HangingOrdersCancelPct            decimal.Decimal `yaml:"hanging_orders_cancel_pct" json:"hanging_orders_cancel_pct"`
	OrderOptimizationEnabled          bool            `yaml:"order_optimization_enabled" json:"order_optimization_enabled"`
	AskOrderOptimizationDepth         decimal.Decimal `yaml:"ask_order_optimization_depth" json:"ask_order_optimization_depth"`
	BidOrderOptimizationDepth         decimal.Decimal `yaml:"bid_order_optimization_depth" json:"bid_order_optimization_depth"`
	AddTransactionCosts               bool            `yaml:"add_transaction_costs" json:"add_transaction_costs"`
	PriceSource                       string          `yaml:"price_source" json:"price_source"`
	PriceType                         string          `yaml:"price_type" json:"price_type"`
	PriceSourceExchange               string          `yaml:"price_source_exchange" json:"price_source_exchange,omitempty"`
	PriceSourceMarket                 string          `yaml:"price_source_market" json:"price_source_market,omitempty"`
	PriceSourceCustomAPI              string          `yaml:"price_source_custom_api" json:"price_source_custom_api,omitempty"`
	CustomAPIUpdateInterval           decimal.Decimal `yaml:"custom_api_update_interval" json:"custom_api_update_interval"`
	TakeIfCrossed                     bool            `yaml:"take_if_crossed" json:"take_if_crossed"`
	OrderOverride                     OrderOverrides  `yaml:"order_override" json:"order_override,omitempty"`
	SplitOrderLevelsEnabled           bool            `yaml:"split_order_levels_enabled" json:"split_order_levels_enabled"`
	BidOrderLevelSpreads              DecimalList     `yaml:"bid_order_level_spreads" json:"bid_order_level_spreads,omitempty"`
	AskOrderLevelSpreads              DecimalList     `yaml:"ask_order_level_spreads" json:"ask_order_level_spreads,omitempty"`
	BidOrderLevelAmounts              DecimalList     `yaml:"bid_order_level_amounts" json:"bid_order_level_amounts,omitempty"`
	AskOrderLevelAmounts              DecimalList     `yaml:"ask_order_level_amounts" json:"ask_order_level_amounts,omitempty"`
	ShouldWaitOrderCancelConfirmation bool            `yaml:"should_wait_order_cancel_confirmation" json:"should_wait_order_cancel_confirmation"`
	StatusReportInterval              decimal.Decimal `yaml:"status_report_interval" json:"status_report_interval"`
	// Sizing scales the order amounts by realized (and implied) volatility; nil is off (sizing.go).
	Sizing *Sizing `yaml:"sizing" json:"sizing,omitempty"`
	// ModelKeys are the keys of strategy.kind avellaneda and glft (model.go).
	ModelKeys `yaml:",inline"`
}

// Risk are mm's risk guards (DESIGN.md §6). Every guard is off unless configured.
type Risk struct {
	// KillSwitchRate is Hummingbot's kill_switch_rate, in percent of the return since the run started, as
	// `mm history` computes it (reference/hummingbot.md §6.1): −5 stops at a 5 % loss, +20 at a 20 % gain,
	// 0 never fires.
	KillSwitchRate      decimal.Decimal     `yaml:"kill_switch_rate" json:"kill_switch_rate"`
	MaxInventoryBase    decimal.NullDecimal `yaml:"max_inventory_base" json:"max_inventory_base"`
	DailyLossLimitQuote decimal.NullDecimal `yaml:"daily_loss_limit_quote" json:"daily_loss_limit_quote"`
	MaxDrawdownPct      decimal.NullDecimal `yaml:"max_drawdown_pct" json:"max_drawdown_pct"`
	StaleDataTimeout    Duration            `yaml:"stale_data_timeout" json:"stale_data_timeout,omitempty"`
	ReduceOnlyAfterTrip bool                `yaml:"reduce_only_after_trip" json:"reduce_only_after_trip"`
	// Blackouts pause or shrink quoting in scheduled windows (sizing.go); a schedule, not a guard.
	Blackouts Blackouts `yaml:"blackouts" json:"blackouts,omitempty"`
}

// Run are the run loop's settings. Durations are Go durations (1s, 500ms, 1h30m) on the run's clock: the wall
// clock live, event time in a replay.
type Run struct {
	TickInterval   Duration `yaml:"tick_interval" json:"tick_interval"`
	Duration       Duration `yaml:"duration" json:"duration,omitempty"` // 0: until the data ends or a signal
	KeepOrders     bool     `yaml:"keep_orders" json:"keep_orders"`
	StatusInterval Duration `yaml:"status_interval" json:"status_interval"` // 0: no status line
	// JournalOrders is which orders the journal keeps: "all" (every order and its events, the default) or
	// "filled" (only orders with at least one fill, rejected or unknown places, and orders still open at the
	// end; an order cancelled without a fill is left out). Fills, marks, balances and risk events are
	// journaled either way. "filled" is for long backtests, where the refreshes of unfilled quotes are most of
	// the rows and none of the P&L.
	JournalOrders string `yaml:"journal_orders" json:"journal_orders"`
}

// OrderOverride is one entry of order_override, {name: [side, spread_pct, amount]}.
type OrderOverride struct {
	Name      string
	Side      string          // buy or sell
	SpreadPct decimal.Decimal // percent, as Hummingbot keeps it
	Amount    decimal.Decimal // base units
}

// OrderOverrides keep order_override in document order: Hummingbot iterates a Python dict, which keeps
// insertion order, and the order decides which entry comes first on its side.
type OrderOverrides []OrderOverride

// DecimalList is a Hummingbot comma list ("1,2,3") or a YAML list of numbers.
type DecimalList []decimal.Decimal

// Duration is a Go duration written as text ("1s", "1h30m").
type Duration time.Duration

// Default is the config a file with no keys gets: Hummingbot's config defaults for the strategy (bid_spread,
// ask_spread, order_amount and order_refresh_time have none; Hummingbot prompts for them and mm requires them),
// the paper exchange on a seeded synthetic BTC-USDT feed, no risk guards, a 1 s tick.
func Default() *Config {
	seed := int64(1)
	return &Config{
		Connector: Connector{
			Name: "paper", Market: "BTC-USDT", Account: "default",
			Paper: &Paper{
				Feed: Feed{Kind: "synthetic", Seed: &seed, Duration: Duration(time.Hour)},
				// 1 BTC and 60000 USDT: half the portfolio in base at the synthetic feed's starting mid.
				Balances:    map[string]decimal.Decimal{"BTC": decimal.NewFromInt(1), "USDT": decimal.NewFromInt(60000)},
				FillModel:   "conservative",
				MakerFeePct: decimal.RequireFromString("0.1"),
				TakerFeePct: decimal.RequireFromString("0.1"),
				TickSize:    decimal.RequireFromString("0.01"),
				StepSize:    decimal.RequireFromString("0.00001"),
				MinSize:     decimal.RequireFromString("0.00001"),
				MinNotional: decimal.NewFromInt(5),
			},
		},
		Strategy: Strategy{
			Kind:                              "pure_market_making",
			MinimumSpread:                     decimal.NewFromInt(-100),
			MaxOrderAge:                       decimal.NewFromInt(1800),
			OrderRefreshTolerancePct:          decimal.Zero,
			PriceCeiling:                      decimal.NewFromInt(-1),
			PriceFloor:                        decimal.NewFromInt(-1),
			PriceCeilingPct:                   decimal.NewFromInt(1),
			PriceFloorPct:                     decimal.NewFromInt(-1),
			PriceBandRefreshTime:              decimal.NewFromInt(86400),
			OrderLevels:                       1,
			OrderLevelSpread:                  decimal.NewFromInt(1),
			InventoryTargetBasePct:            decimal.NewFromInt(50),
			InventoryRangeMultiplier:          decimal.NewFromInt(1),
			InventoryPrice:                    decimal.NewFromInt(1),
			FilledOrderDelay:                  decimal.NewFromInt(60),
			HangingOrdersCancelPct:            decimal.NewFromInt(10),
			PriceSource:                       "current_market",
			PriceType:                         "mid_price",
			CustomAPIUpdateInterval:           decimal.NewFromInt(5),
			ShouldWaitOrderCancelConfirmation: true,
			StatusReportInterval:              decimal.NewFromInt(900),
		},
		Run: Run{TickInterval: Duration(time.Second), StatusInterval: Duration(time.Minute), JournalOrders: "all"},
	}
}

// File is the config's name as given to Load or Parse.
func (c *Config) File() string { return c.file }

// IsSet reports whether the file gives the dotted key ("strategy.order_amount", "connector.paper.balances.BTC").
func (c *Config) IsSet(key string) bool {
	_, ok := c.lines[key]
	return ok
}

// Line is the line of the dotted key in the file, 0 if it is not there.
func (c *Config) Line(key string) int { return c.lines[key] }

// Source names where a value came from for messages: "bot.yaml:12: strategy.order_amount".
func (c *Config) Source(key string) string {
	if line := c.lines[key]; line > 0 {
		return c.file + ":" + strconv.Itoa(line) + ": " + key
	}
	return c.file + ": " + key
}

// Warnings are things that are valid but easy to get wrong, such as a kill_switch_rate of −0.1 (a 0.1 % loss,
// not 10 %: users.md HB #1226). mm config validate and mm run print them.
func (c *Config) Warnings() []string { return c.warnings }

// InProcess reports whether the connector is mm's paper exchange linked into mm (no plugin process).
func (c *Config) InProcess() bool { return c.Connector.Plugin == "" }
