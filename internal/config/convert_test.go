package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/strategy"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// The strategy defaults are Hummingbot's config defaults, in Hummingbot's units, as reference/hummingbot.md
// §1.1 lists them ("Config default" column), written here from the reference, not from our code.
func TestDefaultsAreHummingbotConfigDefaults(t *testing.T) {
	s := Default().Strategy
	decimals := map[string][2]decimal.Decimal{
		"minimum_spread":               {s.MinimumSpread, dec("-100")},
		"max_order_age":                {s.MaxOrderAge, dec("1800")},
		"order_refresh_tolerance_pct":  {s.OrderRefreshTolerancePct, dec("0")},
		"price_ceiling":                {s.PriceCeiling, dec("-1")},
		"price_floor":                  {s.PriceFloor, dec("-1")},
		"price_ceiling_pct":            {s.PriceCeilingPct, dec("1")},
		"price_floor_pct":              {s.PriceFloorPct, dec("-1")},
		"price_band_refresh_time":      {s.PriceBandRefreshTime, dec("86400")},
		"order_level_amount":           {s.OrderLevelAmount, dec("0")},
		"order_level_spread":           {s.OrderLevelSpread, dec("1")},
		"inventory_target_base_pct":    {s.InventoryTargetBasePct, dec("50")},
		"inventory_range_multiplier":   {s.InventoryRangeMultiplier, dec("1")},
		"inventory_price":              {s.InventoryPrice, dec("1")},
		"filled_order_delay":           {s.FilledOrderDelay, dec("60")},
		"hanging_orders_cancel_pct":    {s.HangingOrdersCancelPct, dec("10")},
		"ask_order_optimization_depth": {s.AskOrderOptimizationDepth, dec("0")},
		"bid_order_optimization_depth": {s.BidOrderOptimizationDepth, dec("0")},
		"custom_api_update_interval":   {s.CustomAPIUpdateInterval, dec("5")},
		"status_report_interval":       {s.StatusReportInterval, dec("900")},
	}
	for key, pair := range decimals {
		if !pair[0].Equal(pair[1]) {
			t.Errorf("%s default = %s, want %s", key, pair[0], pair[1])
		}
	}
	if s.OrderLevels != 1 || s.PriceSource != "current_market" || s.PriceType != "mid_price" || !s.ShouldWaitOrderCancelConfirmation {
		t.Errorf("order_levels %d, price_source %q, price_type %q, should_wait %v; want 1, current_market, mid_price, true",
			s.OrderLevels, s.PriceSource, s.PriceType, s.ShouldWaitOrderCancelConfirmation)
	}
	for key, on := range map[string]bool{"moving_price_band_enabled": s.MovingPriceBandEnabled, "ping_pong_enabled": s.PingPongEnabled,
		"inventory_skew_enabled": s.InventorySkewEnabled, "hanging_orders_enabled": s.HangingOrdersEnabled,
		"order_optimization_enabled": s.OrderOptimizationEnabled, "add_transaction_costs": s.AddTransactionCosts,
		"take_if_crossed": s.TakeIfCrossed, "split_order_levels_enabled": s.SplitOrderLevelsEnabled} {
		if on {
			t.Errorf("%s defaults to true, want false", key)
		}
	}
	// And converted, they are the engine's DefaultPMMParams (which start.py's /100 produces), but for the four
	// keys Hummingbot prompts for.
	got := mustParse(t, doc(nil)).PMMParams()
	want := strategy.DefaultPMMParams()
	want.BidSpread, want.AskSpread, want.OrderAmount, want.OrderRefreshTime = dec("0.01"), dec("0.01"), dec("0.01"), 30*time.Second
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Errorf("PMMParams of the defaults =\n%+v\nwant\n%+v", got, want)
	}
}

// normalize makes decimals comparable with DeepEqual (1 and 1.0 have different representations).
func normalize(p strategy.PMMParams) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func TestPMMParamsConvertsPercentLikeStartPy(t *testing.T) {
	cfg := mustParse(t, doc(map[string]string{
		"strategy.bid_spread": "1", "strategy.ask_spread": "0.25", "strategy.minimum_spread": "0.1",
		"strategy.order_refresh_tolerance_pct": "-1", "strategy.order_level_spread": "2",
		"strategy.inventory_target_base_pct": "35", "strategy.hanging_orders_cancel_pct": "5",
		"strategy.price_ceiling_pct": "5", "strategy.price_floor_pct": "-3", "strategy.price_ceiling": "70000",
		"strategy.order_refresh_time": "30.5", "strategy.filled_order_delay": "0.25", "strategy.price_type": "last_own_trade_price",
		"strategy.inventory_range_multiplier": "2", "strategy.order_amount": "0.01",
	}))
	p := cfg.PMMParams()
	for name, pair := range map[string][2]decimal.Decimal{
		"bid_spread 1 → 0.01":                       {p.BidSpread, dec("0.01")},
		"ask_spread 0.25 → 0.0025":                  {p.AskSpread, dec("0.0025")},
		"minimum_spread 0.1 → 0.001":                {p.MinimumSpread, dec("0.001")},
		"order_refresh_tolerance_pct -1 → -0.01":    {p.OrderRefreshTolerancePct, dec("-0.01")},
		"order_level_spread 2 → 0.02":               {p.OrderLevelSpread, dec("0.02")},
		"inventory_target_base_pct 35 → 0.35":       {p.InventoryTargetBasePct, dec("0.35")},
		"hanging_orders_cancel_pct 5 → 0.05":        {p.HangingOrdersCancelPct, dec("0.05")},
		"price_ceiling_pct 5 stays 5 (not /100)":    {p.PriceCeilingPct, dec("5")},
		"price_floor_pct -3 stays -3 (not /100)":    {p.PriceFloorPct, dec("-3")},
		"price_ceiling is a price":                  {p.PriceCeiling, dec("70000")},
		"inventory_range_multiplier is a multiple":  {p.InventoryRangeMultiplier, dec("2")},
		"order_amount is base units, not a percent": {p.OrderAmount, dec("0.01")},
	} {
		if !pair[0].Equal(pair[1]) {
			t.Errorf("%s: got %s", name, pair[0])
		}
	}
	if p.OrderRefreshTime != 30500*time.Millisecond || p.FilledOrderDelay != 250*time.Millisecond {
		t.Errorf("order_refresh_time %v, filled_order_delay %v; want 30.5s, 250ms", p.OrderRefreshTime, p.FilledOrderDelay)
	}
	if p.PriceType != strategy.PriceLastOwnTrade {
		t.Errorf("price_type = %q", p.PriceType)
	}
}

// start.py zips each side's lists into [side, spread, amount] and names them split_level_{i} over buys then sells.
func TestSplitLevelsBecomeOverridesNamedAsStartPy(t *testing.T) {
	cfg := mustParse(t, doc(map[string]string{"strategy.split_order_levels_enabled": "true",
		"strategy.bid_order_level_spreads": "0.5,1", "strategy.bid_order_level_amounts": "0.01,0.02",
		"strategy.ask_order_level_spreads": "[0.7]", "strategy.ask_order_level_amounts": "[0.03]"}))
	want := []strategy.OrderOverride{
		{Name: "split_level_0", Side: market.Buy, SpreadPct: dec("0.5"), Amount: dec("0.01")},
		{Name: "split_level_1", Side: market.Buy, SpreadPct: dec("1"), Amount: dec("0.02")},
		{Name: "split_level_2", Side: market.Sell, SpreadPct: dec("0.7"), Amount: dec("0.03")},
	}
	got := cfg.PMMParams().OrderOverride
	if len(got) != len(want) {
		t.Fatalf("overrides = %+v", got)
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Side != want[i].Side || !got[i].SpreadPct.Equal(want[i].SpreadPct) || !got[i].Amount.Equal(want[i].Amount) {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	plain := mustParse(t, doc(map[string]string{"strategy.order_override": "{b: [buy, 0.5, 0.01], a: [sell, 0.5, 0.01]}"}))
	if ov := plain.PMMParams().OrderOverride; len(ov) != 2 || ov[0].Name != "b" || ov[1].Side != market.Sell || !ov[0].SpreadPct.Equal(dec("0.5")) {
		t.Errorf("order_override = %+v, want b then a, spreads in percent", ov)
	}
}

// mm config example is valid as it stands and is the defaults, but for the four keys it must give.
func TestExampleIsValidAndEqualsTheDefaults(t *testing.T) {
	cfg, err := Parse("example.yaml", Example())
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings()) != 0 {
		t.Errorf("example warns: %q", cfg.Warnings())
	}
	want := Default()
	want.Strategy.BidSpread, want.Strategy.AskSpread = dec("0.1"), dec("0.1")
	want.Strategy.OrderAmount, want.Strategy.OrderRefreshTime = dec("0.01"), dec("30")
	want.file = "example.yaml"
	if cfg.Hash() != want.Hash() {
		a, _ := json.Marshal(cfg)
		b, _ := json.Marshal(want)
		t.Errorf("example differs from the defaults:\n%s\n%s", a, b)
	}
}

// Every key of the schema appears in the example, set or commented, so the example documents them all.
func TestExampleShowsEveryKey(t *testing.T) {
	text := string(Example())
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			tag := typ.Field(i).Tag.Get("yaml")
			if tag == "" {
				continue
			}
			if tag == ",inline" { // strategy's model keys are strategy keys
				walk(prefix, typ.Field(i).Type)
				continue
			}
			if !regexp.MustCompile(`(?m)^\s*#?\s*` + tag + `:`).MatchString(text) {
				t.Errorf("example.yaml does not show %s%s", prefix, tag)
			}
			ft := typ.Field(i).Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[decimal.Decimal]() && ft != reflect.TypeFor[decimal.NullDecimal]() {
				walk(prefix+tag+".", ft)
			}
		}
	}
	walk("", reflect.TypeFor[Config]())
}

// The paper section's JSON is what the paper exchange itself accepts (plugins/paper.ParseConfigJSON).
func TestPaperJSONIsAcceptedByThePaperExchange(t *testing.T) {
	cfg := mustParse(t, doc(map[string]string{"connector.paper.maker_fee_pct": "0.02", "connector.paper.taker_fee_pct": "0.04",
		"connector.paper.balances": "{btc: 2, USDT: 1000.50}", "connector.paper.order_latency": "50ms",
		"connector.paper.fill_model": "optimistic", "connector.paper.feed.seed": "7", "connector.paper.feed.duration": "10m",
		"connector.paper.pace": "0"}))
	data, err := cfg.PaperJSON()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := paper.ParseConfigJSON(data)
	if err != nil {
		t.Fatalf("ParseConfigJSON(%s): %v", data, err)
	}
	if pc.Market != (market.Pair{Base: "BTC", Quote: "USDT"}) || !pc.Rules.MakerFee.Equal(dec("0.0002")) ||
		!pc.Rules.TakerFee.Equal(dec("0.0004")) || pc.OrderLatency != 50*time.Millisecond || pc.FillModel != paper.Optimistic ||
		!pc.Balances["BTC"].Equal(dec("2")) || !pc.Balances["USDT"].Equal(dec("1000.5")) {
		t.Errorf("paper config from %s = %+v", data, pc)
	}
	if example, err := Parse("example.yaml", Example()); err != nil {
		t.Fatal(err)
	} else if data, err := example.PaperJSON(); err != nil {
		t.Fatal(err)
	} else if _, err := paper.ParseConfigJSON(data); err != nil {
		t.Errorf("example's paper JSON %s: %v", data, err)
	}
}

// A file feed's relative path reaches the paper exchange resolved against the config's directory.
func TestPaperJSONFileFeedFromTheConfigDirectory(t *testing.T) {
	dir := t.TempDir()
	csv := "id,price,qty,quote_qty,time,is_buyer_maker,is_best_match\n" +
		"3735683259,61837.63000000,0.02000000,1236.75260000,1723161255342,True,True\n"
	if err := os.WriteFile(filepath.Join(dir, "trades.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	text := doc(map[string]string{"connector.paper.feed.kind": "binance-trades", "connector.paper.feed.path": "trades.csv",
		"connector.paper.state": "paper.state"})
	cfg, err := Parse(filepath.Join(dir, "bot.yaml"), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckFiles(); err != nil {
		t.Fatal(err)
	}
	data, err := cfg.PaperJSON()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := paper.ParseConfigJSON(data)
	if err != nil {
		t.Fatalf("ParseConfigJSON(%s): %v", data, err)
	}
	if pc.StatePath != filepath.Join(dir, "paper.state") || pc.Source == nil {
		t.Errorf("state %q, source %v", pc.StatePath, pc.Source)
	}
	var raw struct{ Feed map[string]any }
	_ = json.Unmarshal(data, &raw)
	if raw.Feed["path"] != filepath.Join(dir, "trades.csv") || raw.Feed["seed"] != nil {
		t.Errorf("feed = %v, want the resolved path and no synthetic seed", raw.Feed)
	}
}

func TestPluginConnectorSettingsPassThroughAsJSON(t *testing.T) {
	cfg := mustParse(t, doc(map[string]string{"connector.name": "binance", "connector.settings": "{testnet: true, recv_window_ms: 5000, fee: 0.10, tags: [a, b], auth_token_env: BINANCE_TOKEN}"}))
	if cfg.InProcess() || cfg.Connector.Plugin != "binance" || cfg.Connector.Paper != nil {
		t.Errorf("plugin = %q, in-process %v, paper %v; want plugin binance and no paper section", cfg.Connector.Plugin, cfg.InProcess(), cfg.Connector.Paper)
	}
	data, err := cfg.PluginSettingsJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"auth_token_env":"BINANCE_TOKEN","fee":0.10,"recv_window_ms":5000,"tags":["a","b"],"testnet":true}`; string(data) != want {
		t.Errorf("settings JSON = %s\nwant %s", data, want)
	}
	red := cfg.Redacted()
	if red.Connector.Settings["auth_token_env"] != "[redacted]" || red.Connector.Settings["testnet"] != true {
		t.Errorf("redacted settings = %v", red.Connector.Settings)
	}
	if cfg.Connector.Settings["auth_token_env"] != "BINANCE_TOKEN" {
		t.Error("Redacted changed the original")
	}
	viaPlugin := mustParse(t, doc(map[string]string{"connector.plugin": "paper"}))
	if viaPlugin.InProcess() || viaPlugin.Connector.Paper == nil {
		t.Error("plugin: paper should run the paper section through mm-plugin-paper")
	}
	if data, err := viaPlugin.PluginSettingsJSON(); err != nil {
		t.Fatal(err)
	} else if _, err := paper.ParseConfigJSON(data); err != nil {
		t.Errorf("mm-plugin-paper settings %s: %v", data, err)
	}
}

func TestHashIgnoresCommentsKeyOrderAndSpelling(t *testing.T) {
	a := mustParse(t, "# mine\nstrategy:\n  bid_spread: 1\n  ask_spread: 1.0\n  order_amount: 0.5\n  order_refresh_time: 30\n")
	b := mustParse(t, "strategy:\n  order_refresh_time: 30.000\n  order_amount: 0.50\n  ask_spread: 1\n  bid_spread: 1\n  max_order_age: 1800\n")
	c := mustParse(t, "strategy:\n  order_refresh_time: 31\n  order_amount: 0.50\n  ask_spread: 1\n  bid_spread: 1\n")
	if a.Hash() != b.Hash() {
		t.Error("equivalent configs hash differently")
	}
	if a.Hash() == c.Hash() {
		t.Error("a changed order_refresh_time kept the hash")
	}
	if len(a.Hash()) != 64 {
		t.Errorf("hash %q is not hex SHA-256", a.Hash())
	}
}
