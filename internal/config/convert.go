package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/strategy"
)

// PMMParams converts the strategy section into the engine's units the way Hummingbot's start.py does
// (reference/hummingbot.md §1.1): percent keys are divided by 100, except price_ceiling_pct and
// price_floor_pct, which start.py passes on in percent; timers become durations; split order levels become
// order_override entries split_level_0.. (bids first, then asks, numbered on), spreads still in percent.
func (c *Config) PMMParams() strategy.PMMParams {
	s := &c.Strategy
	pct := func(v decimal.Decimal) decimal.Decimal { return v.Shift(-2) } // exact: v/100
	p := strategy.PMMParams{
		BidSpread:                         pct(s.BidSpread),
		AskSpread:                         pct(s.AskSpread),
		MinimumSpread:                     pct(s.MinimumSpread),
		OrderRefreshTime:                  seconds(s.OrderRefreshTime),
		MaxOrderAge:                       seconds(s.MaxOrderAge),
		OrderRefreshTolerancePct:          pct(s.OrderRefreshTolerancePct),
		OrderAmount:                       s.OrderAmount,
		OrderLevels:                       s.OrderLevels,
		OrderLevelAmount:                  s.OrderLevelAmount,
		OrderLevelSpread:                  pct(s.OrderLevelSpread),
		PriceCeiling:                      s.PriceCeiling,
		PriceFloor:                        s.PriceFloor,
		MovingPriceBandEnabled:            s.MovingPriceBandEnabled,
		PriceCeilingPct:                   s.PriceCeilingPct,
		PriceFloorPct:                     s.PriceFloorPct,
		PriceBandRefreshTime:              seconds(s.PriceBandRefreshTime),
		PingPongEnabled:                   s.PingPongEnabled,
		InventorySkewEnabled:              s.InventorySkewEnabled,
		InventoryTargetBasePct:            pct(s.InventoryTargetBasePct),
		InventoryRangeMultiplier:          s.InventoryRangeMultiplier,
		InventoryPrice:                    s.InventoryPrice,
		FilledOrderDelay:                  seconds(s.FilledOrderDelay),
		HangingOrdersEnabled:              s.HangingOrdersEnabled,
		HangingOrdersCancelPct:            pct(s.HangingOrdersCancelPct),
		OrderOptimizationEnabled:          s.OrderOptimizationEnabled,
		AskOrderOptimizationDepth:         s.AskOrderOptimizationDepth,
		BidOrderOptimizationDepth:         s.BidOrderOptimizationDepth,
		AddTransactionCosts:               s.AddTransactionCosts,
		PriceType:                         strategy.PriceType(s.PriceType),
		TakeIfCrossed:                     s.TakeIfCrossed,
		ShouldWaitOrderCancelConfirmation: s.ShouldWaitOrderCancelConfirmation,
		StatusReportInterval:              seconds(s.StatusReportInterval),
	}
	if s.SplitOrderLevelsEnabled {
		p.OrderOverride = splitLevels(s)
		return p
	}
	for _, o := range s.OrderOverride {
		p.OrderOverride = append(p.OrderOverride, strategy.OrderOverride{
			Name: o.Name, Side: market.Side(o.Side), SpreadPct: o.SpreadPct, Amount: o.Amount})
	}
	return p
}

// splitLevels is start.py's zip of the split lists: buys, then sells, named split_level_{n} with n counting on.
func splitLevels(s *Strategy) []strategy.OrderOverride {
	var out []strategy.OrderOverride
	add := func(side market.Side, spreads, amounts DecimalList) {
		for i := range min(len(spreads), len(amounts)) {
			out = append(out, strategy.OrderOverride{Name: fmt.Sprintf("split_level_%d", len(out)), Side: side,
				SpreadPct: spreads[i], Amount: amounts[i]})
		}
	}
	add(market.Buy, s.BidOrderLevelSpreads, s.BidOrderLevelAmounts)
	add(market.Sell, s.AskOrderLevelSpreads, s.AskOrderLevelAmounts)
	return out
}

// paperJSON is the connector.paper section in the JSON that plugins/paper.ParseConfigJSON reads. Decimals are
// strings, so no digit is lost on the way.
type paperJSON struct {
	Market        string            `json:"market"`
	Feed          feedJSON          `json:"feed"`
	Balances      map[string]string `json:"balances"`
	FillModel     string            `json:"fill_model"`
	MakerFeePct   string            `json:"maker_fee_pct"`
	TakerFeePct   string            `json:"taker_fee_pct"`
	TickSize      string            `json:"tick_size"`
	StepSize      string            `json:"step_size"`
	MinSize       string            `json:"min_size"`
	MinNotional   string            `json:"min_notional"`
	OrderLatency  string            `json:"order_latency"`
	CancelLatency string            `json:"cancel_latency"`
	State         string            `json:"state,omitempty"`
	Pace          json.Number       `json:"pace"`
}

type feedJSON struct {
	Kind        string   `json:"kind"`
	Path        string   `json:"path,omitempty"`
	Paths       []string `json:"paths,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
	Duration    string   `json:"duration,omitempty"`
	SpreadTicks int64    `json:"spread_ticks,omitempty"`
}

// PaperJSON is the paper exchange's configuration as JSON, for paper.ParseConfigJSON in-process or for
// mm-plugin-paper. Relative feed and state paths are resolved against the config file's directory, so a cron
// job finds them whatever its working directory.
func (c *Config) PaperJSON() ([]byte, error) {
	p := c.Connector.Paper
	if p == nil {
		return nil, fmt.Errorf("config: connector %s is not the paper exchange", c.Connector.Name)
	}
	out := paperJSON{
		Market: c.Connector.Market, Balances: map[string]string{}, FillModel: p.FillModel,
		MakerFeePct: p.MakerFeePct.String(), TakerFeePct: p.TakerFeePct.String(),
		TickSize: p.TickSize.String(), StepSize: p.StepSize.String(),
		MinSize: p.MinSize.String(), MinNotional: p.MinNotional.String(),
		OrderLatency: p.OrderLatency.String(), CancelLatency: p.CancelLatency.String(),
		State: c.ResolvePath(p.State), Pace: json.Number(p.Pace.String()),
		Feed: feedJSON{Kind: p.Feed.Kind, Path: c.ResolvePath(p.Feed.Path), Seed: p.Feed.Seed, SpreadTicks: p.Feed.SpreadTicks},
	}
	for _, path := range p.Feed.Paths {
		out.Feed.Paths = append(out.Feed.Paths, c.ResolvePath(path))
	}
	if p.Feed.Duration != 0 {
		out.Feed.Duration = p.Feed.Duration.String()
	}
	for asset, amount := range p.Balances {
		out.Balances[asset] = amount.String()
	}
	return json.Marshal(out)
}

// PluginSettingsJSON is what the connector plugin is configured with: the paper section for mm-plugin-paper,
// the settings mapping for any other plugin ({} when there is none).
func (c *Config) PluginSettingsJSON() ([]byte, error) {
	if c.Connector.Paper != nil {
		return c.PaperJSON()
	}
	if c.Connector.Settings == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(c.Connector.Settings)
}

// ResolvePath resolves a path written in the config against the config file's directory; absolute and empty
// paths are returned as they are.
func (c *Config) ResolvePath(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(c.dir, path)
}

// CheckFiles reports a feed file that cannot be opened, or a state file whose directory does not exist, with
// the line of its key. Parse does not touch the file system; mm config validate and mm run call this.
func (c *Config) CheckFiles() error {
	if _, err := c.ImpliedVol(); err != nil {
		return err
	}
	p := c.Connector.Paper
	if p == nil {
		return nil
	}
	check := func(key, path string) error {
		f, err := os.Open(c.ResolvePath(path))
		if err != nil {
			return &Error{Kind: ErrInvalid, File: c.file, Line: c.lines[key], Key: key,
				Msg: fmt.Sprintf("%s %s: %s", key, path, unwrapPathError(err))}
		}
		return f.Close()
	}
	if p.Feed.Path != "" {
		if err := check("connector.paper.feed.path", p.Feed.Path); err != nil {
			return err
		}
	}
	for _, path := range p.Feed.Paths {
		if err := check("connector.paper.feed.paths", path); err != nil {
			return err
		}
	}
	if p.State != "" {
		if _, err := os.Stat(filepath.Dir(c.ResolvePath(p.State))); err != nil {
			return &Error{Kind: ErrInvalid, File: c.file, Line: c.lines["connector.paper.state"], Key: "connector.paper.state",
				Msg: fmt.Sprintf("connector.paper.state %s: its directory does not exist", p.State)}
		}
	}
	return nil
}

// Hash is the SHA-256 (hex) of the canonical config: the effective config's JSON, with every default filled in,
// fields in schema order, map keys sorted, decimals normalised ("100.00" is "100") and order_override in
// document order (its order is behaviour). Two files that configure the same bot hash the same, whatever their
// comments, key order or spelling of numbers. It is journaled as runs.config_hash.
func (c *Config) Hash() string {
	data, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("config: marshal a validated config: %v", err)) // every field type marshals
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// credentialish matches plugin setting names that may hold credentials without being refused as secrets
// (token, auth, key, ...). Redacted masks their values.
var credentialish = regexp.MustCompile(`(?i)(token|auth|key|credential|cert|signature|session)`)

// Redacted is a copy of the config fit for the journal and logs: plugin settings whose names look like
// credentials have their values replaced by "[redacted]". (Secret-named keys never parse at all.)
func (c *Config) Redacted() *Config {
	cp := *c
	if c.Connector.Paper != nil {
		paper := *c.Connector.Paper
		paper.Balances = maps.Clone(paper.Balances)
		cp.Connector.Paper = &paper
	}
	if c.Connector.Settings != nil {
		cp.Connector.Settings = redact(c.Connector.Settings).(map[string]any)
	}
	cp.lines = maps.Clone(c.lines)
	return &cp
}

func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			if credentialish.MatchString(k) {
				out[k] = "[redacted]"
				continue
			}
			out[k] = redact(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = redact(item)
		}
		return out
	}
	return v
}
