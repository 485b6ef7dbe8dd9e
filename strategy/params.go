package strategy

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// PMMParams are the parameters of Hummingbot's pure_market_making strategy in the engine's units: spreads and
// percentages as fractions (the config's bid_spread: 1 becomes 0.01), times as durations, amounts in base
// units. The config layer converts from Hummingbot's percent units and applies Hummingbot's config defaults
// (reference/hummingbot.md §1.1, "Config default" column) before the engine sees them.
type PMMParams struct {
	BidSpread     decimal.Decimal // bid_spread
	AskSpread     decimal.Decimal // ask_spread
	MinimumSpread decimal.Decimal // minimum_spread; the config default −100 becomes −1: effectively off

	OrderRefreshTime         time.Duration   // order_refresh_time
	MaxOrderAge              time.Duration   // max_order_age
	OrderRefreshTolerancePct decimal.Decimal // order_refresh_tolerance_pct; negative disables the check

	OrderAmount      decimal.Decimal // order_amount, base units
	OrderLevels      int             // order_levels
	OrderLevelAmount decimal.Decimal // order_level_amount (may be negative)
	OrderLevelSpread decimal.Decimal // order_level_spread

	PriceCeiling decimal.Decimal // price_ceiling; −1 is off
	PriceFloor   decimal.Decimal // price_floor; −1 is off

	MovingPriceBandEnabled bool            // moving_price_band_enabled
	PriceCeilingPct        decimal.Decimal // price_ceiling_pct, in percent (not divided by 100, §1.1)
	PriceFloorPct          decimal.Decimal // price_floor_pct, in percent
	PriceBandRefreshTime   time.Duration   // price_band_refresh_time

	PingPongEnabled bool // ping_pong_enabled

	InventorySkewEnabled     bool            // inventory_skew_enabled
	InventoryTargetBasePct   decimal.Decimal // inventory_target_base_pct, as a fraction
	InventoryRangeMultiplier decimal.Decimal // inventory_range_multiplier
	InventoryPrice           decimal.Decimal // inventory_price (used only to seed inventory_cost)

	FilledOrderDelay time.Duration // filled_order_delay

	HangingOrdersEnabled   bool            // hanging_orders_enabled
	HangingOrdersCancelPct decimal.Decimal // hanging_orders_cancel_pct, as a fraction

	OrderOptimizationEnabled  bool            // order_optimization_enabled
	AskOrderOptimizationDepth decimal.Decimal // ask_order_optimization_depth, base units
	BidOrderOptimizationDepth decimal.Decimal // bid_order_optimization_depth, base units

	AddTransactionCosts bool      // add_transaction_costs
	PriceType           PriceType // price_type
	TakeIfCrossed       bool      // take_if_crossed

	// OrderOverride replaces the level-based proposal when non-empty (order_override, and the split order
	// levels that start.py turns into one). Map order is not Hummingbot's dict order, so entries are a list.
	OrderOverride []OrderOverride
	// SplitOrderLevelsEnabled says OrderOverride was built from the bid/ask_order_level_spreads and amounts lists
	// (split_order_levels_enabled); order optimization then re-prices levels from those spreads (§1.4).
	SplitOrderLevelsEnabled bool

	ShouldWaitOrderCancelConfirmation bool          // should_wait_order_cancel_confirmation
	StatusReportInterval              time.Duration // status_report_interval
}

// OrderOverride is one entry of order_override: {name: [side, spread_pct, amount]}.
type OrderOverride struct {
	Name      string
	Side      market.Side
	SpreadPct decimal.Decimal // in percent, as Hummingbot keeps it: price = ref·(1 ∓ spread/100)
	Amount    decimal.Decimal
}

// PriceType selects the reference price (price_type).
type PriceType string

// The price types of Hummingbot's PMM (reference/hummingbot.md §1.1, §1.3).
const (
	PriceMid           PriceType = "mid_price"
	PriceBestBid       PriceType = "best_bid"
	PriceBestAsk       PriceType = "best_ask"
	PriceLast          PriceType = "last_price"
	PriceLastOwnTrade  PriceType = "last_own_trade_price"
	PriceInventoryCost PriceType = "inventory_cost"
)

// DefaultPMMParams are Hummingbot's config defaults (the values a Hummingbot user gets from the client, after
// start.py's /100 conversion), for the keys that have one; bid_spread, ask_spread, order_amount and
// order_refresh_time are prompted in Hummingbot and must be given.
func DefaultPMMParams() PMMParams {
	return PMMParams{
		MinimumSpread:                     decimal.NewFromInt(-1),
		MaxOrderAge:                       1800 * time.Second,
		OrderRefreshTolerancePct:          decimal.Zero,
		OrderLevels:                       1,
		OrderLevelAmount:                  decimal.Zero,
		OrderLevelSpread:                  decimal.New(1, -2),
		PriceCeiling:                      decimal.NewFromInt(-1),
		PriceFloor:                        decimal.NewFromInt(-1),
		PriceCeilingPct:                   decimal.NewFromInt(1),
		PriceFloorPct:                     decimal.NewFromInt(-1),
		PriceBandRefreshTime:              86400 * time.Second,
		InventoryTargetBasePct:            decimal.New(5, -1),
		InventoryRangeMultiplier:          decimal.NewFromInt(1),
		InventoryPrice:                    decimal.NewFromInt(1),
		FilledOrderDelay:                  60 * time.Second,
		HangingOrdersCancelPct:            decimal.New(1, -1),
		AskOrderOptimizationDepth:         decimal.Zero,
		BidOrderOptimizationDepth:         decimal.Zero,
		PriceType:                         PriceMid,
		ShouldWaitOrderCancelConfirmation: true,
		StatusReportInterval:              900 * time.Second,
	}
}
