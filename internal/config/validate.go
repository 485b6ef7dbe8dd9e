package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// checker collects the first validation error; checks run in schema order, so the error a user sees first is
// the first bad key of the first section.
type checker struct {
	c   *Config
	err *Error
}

// fail records an error for key; a key absent from the file points at its nearest present parent.
func (ck *checker) fail(key, format string, args ...any) {
	if ck.err != nil {
		return
	}
	line := 0
	for k := key; k != "" && line == 0; k = parentKey(k) {
		line = ck.c.lines[k]
	}
	ck.err = &Error{Kind: ErrInvalid, File: ck.c.file, Line: line, Key: key, Msg: key + " " + fmt.Sprintf(format, args...)}
}

func parentKey(key string) string {
	if i := strings.LastIndexAny(key, ".["); i >= 0 {
		return key[:i]
	}
	return ""
}

// bound is an accepted range and the words that name it in messages.
type bound struct {
	ok     func(decimal.Decimal) bool
	accept string
}

func num(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func openRange(lo, hi string) bound { // lo < v < hi
	return bound{func(v decimal.Decimal) bool { return v.GreaterThan(num(lo)) && v.LessThan(num(hi)) }, "> " + lo + " and < " + hi}
}
func closedRange(lo, hi string) bound { // lo ≤ v ≤ hi
	return bound{func(v decimal.Decimal) bool { return v.GreaterThanOrEqual(num(lo)) && v.LessThanOrEqual(num(hi)) },
		"between " + lo + " and " + hi}
}
func above(lo string) bound {
	return bound{func(v decimal.Decimal) bool { return v.GreaterThan(num(lo)) }, "> " + lo}
}
func atLeast(lo string) bound {
	return bound{func(v decimal.Decimal) bool { return v.GreaterThanOrEqual(num(lo)) }, "≥ " + lo}
}

// maxSeconds bounds Hummingbot's timers (one year); Hummingbot has no upper bound, mm needs one to keep a
// time.Duration from overflowing.
const maxSeconds = "31536000"

func timer(lo bound) bound {
	return bound{func(v decimal.Decimal) bool { return lo.ok(v) && v.LessThanOrEqual(num(maxSeconds)) }, lo.accept + " and ≤ " + maxSeconds}
}

func (ck *checker) decimal(key string, v decimal.Decimal, b bound) {
	if !b.ok(v) {
		ck.fail(key, "must be %s (got %s)", b.accept, v)
	}
}

func (ck *checker) duration(key string, v Duration, lo, hi time.Duration, extra string) {
	if time.Duration(v) < lo || time.Duration(v) > hi {
		ck.fail(key, "must be between %s and %s%s (got %s)", Duration(lo), Duration(hi), extra, v)
	}
}

func (ck *checker) oneOf(key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	ck.fail(key, "must be %s (got %q)", orList(allowed), v)
}

func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

var (
	connectorName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	accountName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	assetName     = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)
)

// validate applies the range of every key (Hummingbot's validators for the strategy, reference/hummingbot.md
// §1.1), the rules between keys, and with complete the keys Hummingbot prompts for.
func (c *Config) validate(complete bool) error {
	ck := &checker{c: c}
	c.validateConnector(ck)
	c.validateStrategy(ck, complete)
	c.validateSizing(ck) // sizing.go: every strategy kind
	c.validateRisk(ck)
	c.validateRun(ck)
	if ck.err != nil {
		return ck.err
	}
	return nil
}

func (c *Config) validateConnector(ck *checker) {
	conn := &c.Connector
	if !connectorName.MatchString(conn.Name) {
		ck.fail("connector.name", "must be a lower-case name such as paper or binance (got %q)", conn.Name)
	}
	if conn.Plugin != "" && !connectorName.MatchString(conn.Plugin) {
		ck.fail("connector.plugin", "must be a lower-case plugin name; mm runs mm-plugin-NAME (got %q)", conn.Plugin)
	}
	if !accountName.MatchString(conn.Account) {
		ck.fail("connector.account", "must be 1 to 64 letters, digits, '.', '_' or '-' (got %q)", conn.Account)
	}
	pair, err := market.ParsePair(conn.Market)
	if err != nil {
		ck.fail("connector.market", "must be BASE-QUOTE, for example BTC-USDT (got %q)", conn.Market)
	}
	if conn.Plugin == "" && conn.Name != "paper" {
		conn.Plugin = conn.Name // any connector but the paper exchange is a plugin of its name
	}
	paperEngine := conn.Plugin == "" || conn.Plugin == "paper"
	switch {
	case !paperEngine && c.IsSet("connector.paper"):
		ck.fail("connector.paper", "configures the paper exchange; plugin %s takes connector.settings", conn.Plugin)
	case paperEngine && c.IsSet("connector.settings"):
		ck.fail("connector.settings", "is for out-of-process plugins; the paper exchange takes connector.paper")
	}
	if !paperEngine {
		conn.Paper = nil
		return
	}
	c.validatePaper(ck, conn.Paper, pair)
}

func (c *Config) validatePaper(ck *checker, p *Paper, pair market.Pair) {
	f := &p.Feed
	kinds := []string{"synthetic", "binance-capture", "binance-trades", "binance-aggtrades", "binance-klines"}
	ck.oneOf("connector.paper.feed.kind", f.Kind, kinds...)
	paths := len(f.Paths)
	if f.Path != "" {
		paths++
	}
	switch f.Kind {
	case "synthetic":
		if paths > 0 {
			ck.fail("connector.paper.feed.kind", "synthetic reads no files; remove path and paths or choose a file feed")
		}
		if f.Seed != nil && *f.Seed < 0 {
			ck.fail("connector.paper.feed.seed", "must be ≥ 0 (got %d)", *f.Seed)
		}
		ck.duration("connector.paper.feed.duration", f.Duration, time.Second, 10*365*24*time.Hour, "")
	case "binance-capture":
		if paths == 0 {
			ck.fail("connector.paper.feed.path", "is required for kind binance-capture (or give paths)")
		}
	default:
		if paths != 1 {
			ck.fail("connector.paper.feed.path", "is required for kind %s, exactly one file (got %d)", f.Kind, paths)
		}
	}
	if f.Kind != "synthetic" {
		for _, key := range []string{"seed", "duration"} {
			if c.IsSet("connector.paper.feed." + key) {
				ck.fail("connector.paper.feed."+key, "is for kind synthetic only (kind is %s)", f.Kind)
			}
		}
		f.Seed, f.Duration = nil, 0 // the synthetic defaults do not apply to a file feed
	}
	if f.SpreadTicks != 0 && f.Kind != "binance-klines" {
		ck.fail("connector.paper.feed.spread_ticks", "is for kind binance-klines only (kind is %s)", f.Kind)
	}
	if f.SpreadTicks < 0 {
		ck.fail("connector.paper.feed.spread_ticks", "must be ≥ 0 (got %d)", f.SpreadTicks)
	}
	funded := false
	for _, asset := range slices.Sorted(maps.Keys(p.Balances)) {
		amount := p.Balances[asset]
		key := "connector.paper.balances." + asset
		if !assetName.MatchString(asset) {
			ck.fail(key, "is not an asset name (letters and digits)")
		}
		ck.decimal(key, amount, atLeast("0"))
		funded = funded || ((asset == pair.Base || asset == pair.Quote) && amount.Sign() > 0)
	}
	if !funded && pair.Base != "" {
		ck.fail("connector.paper.balances", "must give %s or %s a balance > 0 (the paper account trades %s)", pair.Base, pair.Quote, pair)
	}
	ck.oneOf("connector.paper.fill_model", p.FillModel, "conservative", "optimistic")
	ck.decimal("connector.paper.maker_fee_pct", p.MakerFeePct, openRange("-100", "100"))
	ck.decimal("connector.paper.taker_fee_pct", p.TakerFeePct, openRange("-100", "100"))
	ck.decimal("connector.paper.tick_size", p.TickSize, above("0"))
	ck.decimal("connector.paper.step_size", p.StepSize, above("0"))
	ck.decimal("connector.paper.min_size", p.MinSize, atLeast("0"))
	ck.decimal("connector.paper.min_notional", p.MinNotional, atLeast("0"))
	ck.duration("connector.paper.order_latency", p.OrderLatency, 0, time.Minute, "")
	ck.duration("connector.paper.cancel_latency", p.CancelLatency, 0, time.Minute, "")
	ck.decimal("connector.paper.pace", p.Pace, closedRange("0", "1000000"))
}

func (c *Config) validateStrategy(ck *checker, complete bool) {
	s := &c.Strategy
	const p = "strategy."
	ck.oneOf(p+"kind", s.Kind, "pure_market_making", "avellaneda", "glft")
	if c.IsModel() {
		c.validateModel(ck, complete) // model.go
		return
	}
	for _, key := range modelOnlyKeys() {
		if c.IsSet(p + key) {
			ck.fail(p+key, "is a key of strategy.kind avellaneda or glft (kind is %s)", s.Kind)
		}
	}
	if complete {
		// Hummingbot prompts for these four; a config without them cannot quote.
		for _, key := range []string{"bid_spread", "ask_spread", "order_amount", "order_refresh_time"} {
			if !c.IsSet(p + key) {
				ck.fail(p+key, "is required (Hummingbot prompts for it; mm config example shows every key)")
			}
		}
	}
	if complete || c.IsSet(p+"bid_spread") {
		ck.decimal(p+"bid_spread", s.BidSpread, openRange("0", "100"))
	}
	if complete || c.IsSet(p+"ask_spread") {
		ck.decimal(p+"ask_spread", s.AskSpread, openRange("0", "100"))
	}
	ck.decimal(p+"minimum_spread", s.MinimumSpread, closedRange("-100", "100"))
	if complete || c.IsSet(p+"order_refresh_time") {
		ck.decimal(p+"order_refresh_time", s.OrderRefreshTime, timer(above("0")))
	}
	ck.decimal(p+"max_order_age", s.MaxOrderAge, timer(above("0")))
	ck.decimal(p+"order_refresh_tolerance_pct", s.OrderRefreshTolerancePct, closedRange("-10", "10"))
	if complete || c.IsSet(p+"order_amount") {
		ck.decimal(p+"order_amount", s.OrderAmount, above("0"))
	}
	c.validatePriceBands(ck)
	if s.OrderLevels < 0 || s.OrderLevels > maxOrderLevels {
		ck.fail(p+"order_levels", "must be between 0 and %d (got %d)", maxOrderLevels, s.OrderLevels)
	}
	ck.decimal(p+"order_level_spread", s.OrderLevelSpread, openRange("0", "100"))
	ck.decimal(p+"inventory_target_base_pct", s.InventoryTargetBasePct, closedRange("0", "100"))
	ck.decimal(p+"inventory_range_multiplier", s.InventoryRangeMultiplier, above("0"))
	ck.decimal(p+"inventory_price", s.InventoryPrice, atLeast("0"))
	ck.decimal(p+"filled_order_delay", s.FilledOrderDelay, timer(above("0")))
	// 0 is refused: Hummingbot's tracker reads `cancel_pct or 0.1`, so a configured 0 silently becomes 10 %.
	ck.decimal(p+"hanging_orders_cancel_pct", s.HangingOrdersCancelPct, openRange("0", "100"))
	ck.decimal(p+"ask_order_optimization_depth", s.AskOrderOptimizationDepth, atLeast("0"))
	ck.decimal(p+"bid_order_optimization_depth", s.BidOrderOptimizationDepth, atLeast("0"))
	if s.PriceSource != "current_market" {
		ck.fail(p+"price_source", "must be current_market; mm does not support Hummingbot's external_market "+
			"and custom_api price sources (got %q)", s.PriceSource)
	}
	ck.oneOf(p+"price_type", s.PriceType, "mid_price", "best_bid", "best_ask", "last_price", "last_own_trade_price", "inventory_cost")
	ck.decimal(p+"custom_api_update_interval", s.CustomAPIUpdateInterval, timer(atLeast("0.5")))
	ck.decimal(p+"status_report_interval", s.StatusReportInterval, timer(above("0")))
	c.validateOverrides(ck)
}

// validatePriceBands checks the static band (price_ceiling, price_floor) and the moving band.
func (c *Config) validatePriceBands(ck *checker) {
	s := &c.Strategy
	const p = "strategy."
	offOrPositive := bound{func(v decimal.Decimal) bool { return v.Equal(num("-1")) || v.Sign() > 0 }, "-1 (off) or > 0"}
	ck.decimal(p+"price_ceiling", s.PriceCeiling, offOrPositive)
	ck.decimal(p+"price_floor", s.PriceFloor, offOrPositive)
	// Hummingbot's init_params raises when the static band is upside down.
	if !s.PriceCeiling.Equal(num("-1")) && s.PriceCeiling.LessThan(s.PriceFloor) {
		ck.fail(p+"price_ceiling", "must be ≥ strategy.price_floor (got %s < %s)", s.PriceCeiling, s.PriceFloor)
	}
	// Hummingbot accepts any number here; below −100 % the band price would be ≤ 0.
	ck.decimal(p+"price_ceiling_pct", s.PriceCeilingPct, above("-100"))
	ck.decimal(p+"price_floor_pct", s.PriceFloorPct, above("-100"))
	if s.MovingPriceBandEnabled && !s.PriceCeilingPct.GreaterThan(s.PriceFloorPct) {
		ck.fail(p+"price_ceiling_pct", "must be > strategy.price_floor_pct when moving_price_band_enabled (got %s ≤ %s)",
			s.PriceCeilingPct, s.PriceFloorPct)
	}
	ck.decimal(p+"price_band_refresh_time", s.PriceBandRefreshTime, timer(above("0")))
}

// maxOrderLevels bounds order_levels (Hummingbot: any integer ≥ 0); no exchange takes more orders per side.
const maxOrderLevels = 1000

func (c *Config) validateOverrides(ck *checker) {
	s := &c.Strategy
	for _, o := range s.OrderOverride {
		key := "strategy.order_override." + o.Name
		ck.decimal(key+".spread_pct", o.SpreadPct, openRange("-100", "100"))
		// Hummingbot silently drops an entry whose amount is ≤ 0; mm refuses it.
		ck.decimal(key+".amount", o.Amount, above("0"))
	}
	for _, side := range []struct {
		name             string
		spreads, amounts DecimalList
	}{{"bid", s.BidOrderLevelSpreads, s.BidOrderLevelAmounts}, {"ask", s.AskOrderLevelSpreads, s.AskOrderLevelAmounts}} {
		spreadsKey, amountsKey := "strategy."+side.name+"_order_level_spreads", "strategy."+side.name+"_order_level_amounts"
		for i, v := range side.spreads {
			ck.decimal(fmt.Sprintf("%s[%d]", spreadsKey, i), v, openRange("0", "100"))
		}
		for i, v := range side.amounts {
			ck.decimal(fmt.Sprintf("%s[%d]", amountsKey, i), v, above("0"))
		}
		// Hummingbot zips the two lists and silently drops the longer one's tail.
		if s.SplitOrderLevelsEnabled && len(side.spreads) != len(side.amounts) {
			ck.fail(amountsKey, "must have one amount per spread of %s (got %d amounts for %d spreads)",
				spreadsKey, len(side.amounts), len(side.spreads))
		}
	}
	if !s.SplitOrderLevelsEnabled {
		return
	}
	if len(s.BidOrderLevelSpreads)+len(s.AskOrderLevelSpreads) == 0 {
		ck.fail("strategy.split_order_levels_enabled", "needs bid_/ask_order_level_spreads and _amounts")
	}
	// start.py silently replaces order_override with the split levels.
	if len(s.OrderOverride) > 0 {
		ck.fail("strategy.split_order_levels_enabled", "and strategy.order_override both define the orders; keep one")
	}
}

func (c *Config) validateRisk(ck *checker) {
	r := &c.Risk
	ck.decimal("risk.kill_switch_rate", r.KillSwitchRate, bound{func(v decimal.Decimal) bool {
		return v.GreaterThan(num("-100")) && v.LessThanOrEqual(num("1000"))
	}, "> -100 and ≤ 1000 percent (0 turns it off)"})
	if abs := r.KillSwitchRate.Abs(); abs.Sign() > 0 && abs.LessThan(num("1")) {
		// users.md HB #1226: a user wrote −0.1 meaning −10 % and the bot stopped at −0.16 %.
		c.warnings = append(c.warnings, fmt.Sprintf("%s:%d: risk.kill_switch_rate %s is percent: it fires at a %s %% %s; "+
			"for 10 %% write %s10", c.file, c.lines["risk.kill_switch_rate"], r.KillSwitchRate, abs, lossOrGain(r.KillSwitchRate),
			sign(r.KillSwitchRate)))
	}
	for _, opt := range []struct {
		key   string
		value decimal.NullDecimal
		b     bound
	}{
		{"risk.max_inventory_base", r.MaxInventoryBase, above("0")},
		{"risk.daily_loss_limit_quote", r.DailyLossLimitQuote, above("0")},
		{"risk.max_drawdown_pct", r.MaxDrawdownPct, openRange("0", "100")},
	} {
		if opt.value.Valid && !opt.b.ok(opt.value.Decimal) {
			ck.fail(opt.key, "must be %s; leave it out to turn the guard off (got %s)", opt.b.accept, opt.value.Decimal)
		}
	}
	if c.IsSet("risk.stale_data_timeout") {
		ck.duration("risk.stale_data_timeout", r.StaleDataTimeout, time.Second, 24*time.Hour, "; leave it out to turn the guard off")
	}
	c.validateBlackouts(ck)
}

func lossOrGain(v decimal.Decimal) string {
	if v.Sign() < 0 {
		return "loss"
	}
	return "gain"
}

func sign(v decimal.Decimal) string {
	if v.Sign() < 0 {
		return "-"
	}
	return ""
}

func (c *Config) validateRun(ck *checker) {
	r := &c.Run
	ck.duration("run.tick_interval", r.TickInterval, 100*time.Millisecond, time.Hour, "")
	if r.Duration < 0 {
		ck.fail("run.duration", "must be ≥ 0; 0 or absent runs until the data ends or a signal (got %s)", r.Duration)
	}
	if r.StatusInterval != 0 {
		ck.duration("run.status_interval", r.StatusInterval, time.Second, 24*time.Hour, ", or 0 for none")
	}
	ck.oneOf("run.journal_orders", r.JournalOrders, "all", "filled")
}
