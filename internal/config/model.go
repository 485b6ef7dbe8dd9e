package config

import (
	"math"
	"reflect"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/strategy"
)

// ModelKeys are the strategy keys of strategy.kind avellaneda and glft (issue 6), beside the keys they share
// with pure_market_making (order_amount, order_levels, order_refresh_time, order_refresh_tolerance_pct,
// max_order_age, filled_order_delay, inventory_target_base_pct, add_transaction_costs,
// should_wait_order_cancel_confirmation, status_report_interval). Names are Hummingbot's
// avellaneda_market_making keys where it has one (reference/hummingbot.md §5.1). They are zero, and absent from
// the JSON, for pure_market_making; validateModel fills in the defaults for a model kind.
type ModelKeys struct {
	Variant                    string              `yaml:"variant" json:"variant,omitzero"`
	RiskFactor                 decimal.Decimal     `yaml:"risk_factor" json:"risk_factor,omitzero"`
	OrderAmountShapeFactor     decimal.Decimal     `yaml:"order_amount_shape_factor" json:"order_amount_shape_factor,omitzero"`
	MinSpread                  decimal.Decimal     `yaml:"min_spread" json:"min_spread,omitzero"`
	MinProfitableSpread        bool                `yaml:"min_profitable_spread" json:"min_profitable_spread,omitzero"`
	LevelDistances             decimal.Decimal     `yaml:"level_distances" json:"level_distances,omitzero"`
	ExecutionTimeframeMode     string              `yaml:"execution_timeframe_mode" json:"execution_timeframe_mode,omitzero"`
	StartDatetime              string              `yaml:"start_datetime" json:"start_datetime,omitzero"`
	EndDatetime                string              `yaml:"end_datetime" json:"end_datetime,omitzero"`
	StartTime                  string              `yaml:"start_time" json:"start_time,omitzero"`
	EndTime                    string              `yaml:"end_time" json:"end_time,omitzero"`
	Horizon                    decimal.NullDecimal `yaml:"horizon" json:"horizon,omitzero"`
	Omega                      decimal.Decimal     `yaml:"omega" json:"omega,omitzero"`
	Xi                         decimal.NullDecimal `yaml:"xi" json:"xi,omitzero"`
	Delta                      decimal.NullDecimal `yaml:"delta" json:"delta,omitzero"`
	MaxInventory               decimal.NullDecimal `yaml:"max_inventory" json:"max_inventory,omitzero"`
	MaxInventoryOrders         int                 `yaml:"max_inventory_orders" json:"max_inventory_orders,omitzero"`
	VolatilityBufferSize       int                 `yaml:"volatility_buffer_size" json:"volatility_buffer_size,omitzero"`
	TradingIntensityBufferSize int                 `yaml:"trading_intensity_buffer_size" json:"trading_intensity_buffer_size,omitzero"`
	IntensityLevels            int                 `yaml:"intensity_levels" json:"intensity_levels,omitzero"`
	IntensityDepthStep         decimal.Decimal     `yaml:"intensity_depth_step" json:"intensity_depth_step,omitzero"`
	Sigma                      decimal.NullDecimal `yaml:"sigma" json:"sigma,omitzero"`
	IntensityA                 decimal.NullDecimal `yaml:"intensity_a" json:"intensity_a,omitzero"`
	IntensityK                 decimal.NullDecimal `yaml:"intensity_k" json:"intensity_k,omitzero"`
}

// IsModel reports whether the strategy is a model strategy (avellaneda, glft) rather than pure market making.
func (c *Config) IsModel() bool { return c.Strategy.Kind == "avellaneda" || c.Strategy.Kind == "glft" }

// pmmOnlyKeys are pure_market_making's proposal keys; a model strategy builds its quotes from the model, so
// setting one of them with kind avellaneda or glft is a mistake, not something to ignore.
var pmmOnlyKeys = []string{"bid_spread", "ask_spread", "minimum_spread", "order_level_amount", "order_level_spread",
	"price_ceiling", "price_floor", "moving_price_band_enabled", "price_ceiling_pct", "price_floor_pct",
	"price_band_refresh_time", "ping_pong_enabled", "inventory_skew_enabled", "inventory_range_multiplier",
	"inventory_price", "hanging_orders_enabled", "hanging_orders_cancel_pct", "order_optimization_enabled",
	"ask_order_optimization_depth", "bid_order_optimization_depth", "price_source", "price_type",
	"price_source_exchange", "price_source_market", "price_source_custom_api", "custom_api_update_interval",
	"take_if_crossed", "order_override", "split_order_levels_enabled", "bid_order_level_spreads",
	"ask_order_level_spreads", "bid_order_level_amounts", "ask_order_level_amounts"}

// modelOnlyKeys are the yaml names of ModelKeys, refused with pure_market_making.
func modelOnlyKeys() []string {
	var keys []string
	for _, k := range schemaKeys(typeOfModelKeys) {
		keys = append(keys, k.name)
	}
	return keys
}

// Hummingbot's timeframe formats (hummingbot.md §5.1), read as UTC.
const (
	datetimeLayout = "2006-01-02 15:04:05"
	timeLayout     = "15:04:05"
)

// validateModel checks a model strategy's keys and applies their defaults. Bad input names the key and the
// accepted range (issue 6 "Bad input": γ ≤ 0, k ≤ 0, A ≤ 0, negative volatility, horizon < 0, η outside [0, 1],
// malformed windows).
func (c *Config) validateModel(ck *checker, complete bool) {
	s, m := &c.Strategy, &c.Strategy.ModelKeys
	const p = "strategy."
	for _, key := range pmmOnlyKeys {
		if c.IsSet(p + key) {
			ck.fail(p+key, "is a pure_market_making key; strategy.kind %s quotes from its model", s.Kind)
		}
	}
	if complete {
		for _, key := range []string{"order_amount", "order_refresh_time"} {
			if !c.IsSet(p + key) {
				ck.fail(p+key, "is required (mm config example shows every key)")
			}
		}
	}
	c.validateShared(ck, complete)
	c.modelDefaults()
	c.validateModelApplies(ck)
	ck.decimal(p+"risk_factor", m.RiskFactor, above("0"))
	ck.decimal(p+"order_amount_shape_factor", m.OrderAmountShapeFactor, closedRange("0", "1"))
	ck.decimal(p+"min_spread", m.MinSpread, bound{func(v decimal.Decimal) bool { return v.Sign() >= 0 && v.LessThan(num("100")) }, "≥ 0 and < 100"})
	ck.decimal(p+"level_distances", m.LevelDistances, atLeast("0"))
	c.validateWindow(ck)
	if m.Horizon.Valid {
		// The engine reads horizon ≤ 0 as "no horizon", the infinite-horizon model, which needs omega or a bound:
		// a 0 here would pass validation and fail at run time, so the infinite model is asked for by leaving
		// horizon out.
		if !timer(above("0")).ok(m.Horizon.Decimal) {
			ck.fail(p+"horizon", "must be > 0 and ≤ %s seconds, or left out for the infinite-horizon model (got %s)",
				maxSeconds, m.Horizon.Decimal)
		}
		if m.ExecutionTimeframeMode != "infinite" {
			ck.fail(p+"horizon", "is the rolling horizon of execution_timeframe_mode infinite; a window's end sets τ")
		}
	}
	ck.decimal(p+"omega", m.Omega, atLeast("0"))
	if c.IsSet(p+"omega") && (m.Horizon.Valid || m.ExecutionTimeframeMode != "infinite") {
		// ω discounts the infinite-horizon model only; with a horizon τ sets the risk term and ω would be ignored.
		ck.fail(p+"omega", "is the discount of the infinite-horizon textbook model; it does not apply with %s",
			map[bool]string{true: "strategy.horizon", false: "execution_timeframe_mode " + m.ExecutionTimeframeMode}[m.Horizon.Valid])
	}
	if s.OrderLevels == 0 {
		ck.fail(p+"order_levels", "must be between 1 and %d for strategy.kind %s: 0 quotes nothing (got 0)", maxOrderLevels, s.Kind)
	}
	for _, opt := range []struct {
		key   string
		value decimal.NullDecimal
		b     bound
	}{{"xi", m.Xi, atLeast("0")}, {"delta", m.Delta, above("0")}, {"max_inventory", m.MaxInventory, above("0")},
		{"sigma", m.Sigma, atLeast("0")}, {"intensity_a", m.IntensityA, above("0")}, {"intensity_k", m.IntensityK, above("0")}} {
		if opt.value.Valid {
			ck.decimal(p+opt.key, opt.value.Decimal, opt.b)
		}
	}
	c.validateInventoryBound(ck)
	if c.textbookInfinite() && m.Omega.IsZero() && m.Sigma.Valid && m.Sigma.Decimal.IsZero() {
		ck.fail(p+"sigma", "must be > 0 for the infinite-horizon textbook model without strategy.omega: "+
			"ω = ½γ²σ²(Q + 1)² would be 0 and the model would never quote (got 0)")
	}
	c.validateBuffers(ck)
}

// validateModelApplies refuses the keys of another model: variant is avellaneda's; omega and horizon the
// textbook's; xi glft's; the intensity grid hftbacktest's estimator's (not Hummingbot's).
func (c *Config) validateModelApplies(ck *checker) {
	m := &c.Strategy.ModelKeys
	const p = "strategy."
	glft := c.Strategy.Kind == "glft"
	switch {
	case glft && c.IsSet(p+"variant"):
		ck.fail(p+"variant", "is for strategy.kind avellaneda (textbook or hummingbot)")
	case !glft:
		ck.oneOf(p+"variant", m.Variant, "textbook", "hummingbot")
	}
	hummingbot := !glft && m.Variant == "hummingbot"
	for _, key := range []struct {
		name    string
		applies bool
	}{{"horizon", !glft && !hummingbot}, {"omega", !glft && !hummingbot}, {"xi", glft}, {"delta", !hummingbot},
		{"intensity_levels", !hummingbot}, {"intensity_depth_step", !hummingbot}} {
		if !key.applies && c.IsSet(p+key.name) {
			ck.fail(p+key.name, "does not apply to %s", c.modelName())
		}
	}
}

// validateInventoryBound checks Q: one of max_inventory and max_inventory_orders, required for glft, and for
// the textbook infinite horizon unless omega or horizon is given.
func (c *Config) validateInventoryBound(ck *checker) {
	m := &c.Strategy.ModelKeys
	const p = "strategy."
	glft := c.Strategy.Kind == "glft"
	switch {
	case m.MaxInventory.Valid && c.IsSet(p+"max_inventory_orders"):
		ck.fail(p+"max_inventory_orders", "and strategy.max_inventory both set the bound Q; keep one")
	case c.IsSet(p+"max_inventory_orders") && (m.MaxInventoryOrders < 1 || m.MaxInventoryOrders > 1000000):
		ck.fail(p+"max_inventory_orders", "must be between 1 and 1000000 (got %d)", m.MaxInventoryOrders)
	case glft && !m.MaxInventory.Valid && m.MaxInventoryOrders == 0:
		ck.fail(p+"max_inventory", "is required for glft: the inventory bound Q in base units (or max_inventory_orders)")
	case c.textbookInfinite() && m.Omega.IsZero() && !m.MaxInventory.Valid && m.MaxInventoryOrders == 0:
		ck.fail(p+"max_inventory", "or strategy.omega is required by the infinite-horizon textbook model "+
			"(ω = ½γ²σ²(Q + 1)², quant.md §1.4), or give strategy.horizon")
	}
}

// validateBuffers checks the estimators' windows: σ from mid changes needs two mids (Hummingbot accepts one).
func (c *Config) validateBuffers(ck *checker) {
	m := &c.Strategy.ModelKeys
	const p = "strategy."
	minMids := 2
	if c.Strategy.Kind == "avellaneda" && m.Variant == "hummingbot" {
		minMids = 1
	}
	for _, b := range []struct {
		key       string
		v, lo, hi int
	}{{"volatility_buffer_size", m.VolatilityBufferSize, minMids, 10000},
		{"trading_intensity_buffer_size", m.TradingIntensityBufferSize, 1, 10000},
		{"intensity_levels", m.IntensityLevels, 2, 1000}} {
		if b.v < b.lo || b.v > b.hi {
			ck.fail(p+b.key, "must be between %d and %d (got %d)", b.lo, b.hi, b.v)
		}
	}
	ck.decimal(p+"intensity_depth_step", m.IntensityDepthStep, atLeast("0"))
}

// validateShared checks the keys the model strategies share with pure_market_making, with the same ranges.
func (c *Config) validateShared(ck *checker, complete bool) {
	s := &c.Strategy
	const p = "strategy."
	if complete || c.IsSet(p+"order_amount") {
		ck.decimal(p+"order_amount", s.OrderAmount, above("0"))
	}
	if complete || c.IsSet(p+"order_refresh_time") {
		ck.decimal(p+"order_refresh_time", s.OrderRefreshTime, timer(above("0")))
	}
	ck.decimal(p+"max_order_age", s.MaxOrderAge, timer(above("0")))
	ck.decimal(p+"order_refresh_tolerance_pct", s.OrderRefreshTolerancePct, closedRange("-10", "10"))
	if s.OrderLevels < 0 || s.OrderLevels > maxOrderLevels {
		ck.fail(p+"order_levels", "must be between 0 and %d (got %d)", maxOrderLevels, s.OrderLevels)
	}
	ck.decimal(p+"inventory_target_base_pct", s.InventoryTargetBasePct, closedRange("0", "100"))
	ck.decimal(p+"filled_order_delay", s.FilledOrderDelay, timer(above("0")))
	ck.decimal(p+"status_report_interval", s.StatusReportInterval, timer(above("0")))
}

// textbookInfinite reports the textbook model's infinite horizon: no window end and no rolling horizon, so ω
// and the bound Q define its quotes (quant.md §1.4; strategy.ModelParams' textbookInfinite after conversion).
func (c *Config) textbookInfinite() bool {
	m := &c.Strategy.ModelKeys
	return c.Strategy.Kind == "avellaneda" && m.Variant == "textbook" && m.ExecutionTimeframeMode == "infinite" &&
		!m.Horizon.Valid
}

func (c *Config) modelName() string {
	if c.Strategy.Kind == "glft" {
		return "glft"
	}
	return "avellaneda variant " + c.Strategy.Variant
}

// modelDefaults fills in the defaults of the keys the file leaves out: Hummingbot's avellaneda_market_making
// defaults (risk_factor 1, volatility and intensity buffers of 200 ticks, infinite timeframe, §5.1), hftbacktest's
// 70 fitted depths (quant.md §2.4), ξ = γ and Δ = order_amount (GLFT's CARA model with one order per fill).
func (c *Config) modelDefaults() {
	m := &c.Strategy.ModelKeys
	const p = "strategy."
	set := func(key string, apply func()) {
		if !c.IsSet(p + key) {
			apply()
		}
	}
	set("variant", func() {
		if c.Strategy.Kind == "avellaneda" {
			m.Variant = "textbook"
		}
	})
	set("risk_factor", func() { m.RiskFactor = decimal.NewFromInt(1) })
	set("execution_timeframe_mode", func() { m.ExecutionTimeframeMode = "infinite" })
	set("volatility_buffer_size", func() { m.VolatilityBufferSize = 200 })
	set("trading_intensity_buffer_size", func() { m.TradingIntensityBufferSize = 200 })
	set("intensity_levels", func() { m.IntensityLevels = 70 })
	if c.Strategy.Kind == "glft" && !m.Xi.Valid {
		m.Xi = decimal.NewNullDecimal(m.RiskFactor)
	}
	if !m.Delta.Valid && !(c.Strategy.Kind == "avellaneda" && m.Variant == "hummingbot") {
		m.Delta = decimal.NewNullDecimal(c.Strategy.OrderAmount)
	}
}

// validateWindow checks execution_timeframe_mode and its times: from_date_to_date takes start_datetime and
// end_datetime ("YYYY-MM-DD HH:MM:SS"), daily_between_times start_time and end_time ("HH:MM:SS"), all UTC,
// with the start before the end.
func (c *Config) validateWindow(ck *checker) {
	m := &c.Strategy.ModelKeys
	const p = "strategy."
	ck.oneOf(p+"execution_timeframe_mode", m.ExecutionTimeframeMode, "infinite", "from_date_to_date", "daily_between_times")
	want := map[string]bool{}
	layout := ""
	switch m.ExecutionTimeframeMode {
	case "from_date_to_date":
		want["start_datetime"], want["end_datetime"], layout = true, true, datetimeLayout
	case "daily_between_times":
		want["start_time"], want["end_time"], layout = true, true, timeLayout
	}
	for _, key := range []string{"start_datetime", "end_datetime", "start_time", "end_time"} {
		if c.IsSet(p+key) && !want[key] {
			ck.fail(p+key, "does not apply to execution_timeframe_mode %s", m.ExecutionTimeframeMode)
		}
	}
	if layout == "" {
		return
	}
	keys := [2]string{"start_datetime", "end_datetime"}
	values := [2]string{m.StartDatetime, m.EndDatetime}
	format, example := "YYYY-MM-DD HH:MM:SS", "2024-08-08 23:55:00"
	if layout == timeLayout {
		keys, values, format, example = [2]string{"start_time", "end_time"}, [2]string{m.StartTime, m.EndTime}, "HH:MM:SS", "09:30:00"
	}
	var times [2]time.Time
	for i, key := range keys {
		if !c.IsSet(p + key) {
			ck.fail(p+"execution_timeframe_mode", "%s needs strategy.%s and strategy.%s (%s, UTC)",
				m.ExecutionTimeframeMode, keys[0], keys[1], format)
			return
		}
		t, err := parseWindowClock(layout, values[i], key == "end_time")
		if err != nil {
			ck.fail(p+key, "must be %s in UTC, for example %q (got %q)", format, example, values[i])
			return
		}
		times[i] = t
	}
	if !times[0].Before(times[1]) {
		wrap := ""
		if layout == timeLayout {
			wrap = "; a daily window does not wrap midnight (end_time 24:00:00 runs to midnight)"
		}
		ck.fail(p+keys[1], "must be after strategy.%s (got %s ≤ %s)%s", keys[0], values[1], values[0], wrap)
	}
}

// parseWindowClock parses a timeframe time; end_time may be 24:00:00, the end of the day, as blackout windows
// allow 24:00 (a daily window does not wrap midnight, so a window up to midnight needs it).
func parseWindowClock(layout, value string, isEnd bool) (time.Time, error) {
	if isEnd && layout == timeLayout && value == "24:00:00" {
		return time.Date(0, 1, 2, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Parse(layout, value)
}

// ModelParams converts a model strategy's section into the engine's units: percent keys to fractions where
// the engine takes fractions, timers to durations, the window to UTC times. tick is the market's price tick.
func (c *Config) ModelParams() strategy.ModelParams {
	s, m := &c.Strategy, &c.Strategy.ModelKeys
	f := func(v decimal.Decimal) float64 { return v.InexactFloat64() }
	p := strategy.ModelParams{
		Kind: strategy.ModelKind(s.Kind), Variant: strategy.ModelVariant(m.Variant),
		Gamma: f(m.RiskFactor), Eta: f(m.OrderAmountShapeFactor), MinSpreadPct: f(m.MinSpread), Omega: f(m.Omega),
		Xi: f(m.Xi.Decimal), Delta: m.Delta.Decimal, MaxInventory: m.MaxInventory.Decimal,
		LevelDistancesPct: f(m.LevelDistances), MinProfitableSpread: m.MinProfitableSpread,
		Calibration: strategy.CalibrationParams{
			Hummingbot:           s.Kind == "avellaneda" && m.Variant == "hummingbot",
			TickInterval:         time.Duration(c.Run.TickInterval),
			VolatilityBufferSize: m.VolatilityBufferSize, IntensityBufferSize: m.TradingIntensityBufferSize,
			IntensityLevels: m.IntensityLevels, IntensityDepthStep: m.IntensityDepthStep,
			FixedSigma: nullFloat(m.Sigma), FixedA: nullFloat(m.IntensityA), FixedK: nullFloat(m.IntensityK),
		},
		PMM: c.PMMParams(),
	}
	if m.MaxInventoryOrders > 0 {
		p.MaxInventory = s.OrderAmount.Mul(decimal.NewFromInt(int64(m.MaxInventoryOrders)))
	}
	p.Window.Mode = strategy.TimeframeMode(m.ExecutionTimeframeMode)
	switch p.Window.Mode {
	case strategy.TimeframeFromDateToDate:
		p.Window.Start, _ = time.Parse(datetimeLayout, m.StartDatetime)
		p.Window.End, _ = time.Parse(datetimeLayout, m.EndDatetime)
	case strategy.TimeframeDailyBetweenTimes:
		start, _ := parseWindowClock(timeLayout, m.StartTime, false)
		end, _ := parseWindowClock(timeLayout, m.EndTime, true)
		midnight := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
		p.Window.DailyStart, p.Window.DailyEnd = start.Sub(midnight), end.Sub(midnight)
	}
	if m.Horizon.Valid {
		p.Horizon = seconds(m.Horizon.Decimal)
	}
	return p
}

// nullFloat is the value of an optional number, NaN when absent.
func nullFloat(v decimal.NullDecimal) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Decimal.InexactFloat64()
}

var typeOfModelKeys = reflect.TypeFor[ModelKeys]()
