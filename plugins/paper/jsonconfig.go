package paper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
)

// jsonConfig is mm's connector.paper section as JSON. Percent fields are percent, as in Hummingbot configs
// (maker_fee_pct: 0.1 means 0.1 %, DESIGN.md §1); every other decimal is in its natural unit.
type jsonConfig struct {
	Market        string                 `json:"market"`
	Feed          jsonFeed               `json:"feed"`
	Balances      map[string]jsonDecimal `json:"balances"`
	FillModel     string                 `json:"fill_model"`
	MakerFeePct   jsonDecimal            `json:"maker_fee_pct"`
	TakerFeePct   jsonDecimal            `json:"taker_fee_pct"`
	TickSize      jsonDecimal            `json:"tick_size"`
	StepSize      jsonDecimal            `json:"step_size"`
	MinSize       jsonDecimal            `json:"min_size"`
	MinNotional   jsonDecimal            `json:"min_notional"`
	OrderLatency  string                 `json:"order_latency"`
	CancelLatency string                 `json:"cancel_latency"`
	State         string                 `json:"state"`
	Pace          *float64               `json:"pace"`
}

type jsonFeed struct {
	Kind        string   `json:"kind"` // empty: synthetic, the default (DESIGN.md §5)
	Path        string   `json:"path"`
	Paths       []string `json:"paths"`        // binance-capture only: files replayed in order as one book
	Seed        *int64   `json:"seed"`         // synthetic only; default 1
	Duration    string   `json:"duration"`     // synthetic only: simulated time until the feed ends; default 1h
	SpreadTicks int64    `json:"spread_ticks"` // binance-klines only: the fill rule's spread
}

// jsonDecimal accepts a JSON string ("0.1") or number (0.1) and keeps the literal's exact digits: a number
// is parsed from its text, never through float64 (STYLE.md rule 1). null is refused, not read as zero.
type jsonDecimal struct {
	decimal.Decimal
	set bool // the key was present
}

func (d *jsonDecimal) UnmarshalJSON(data []byte) error {
	text := string(data)
	if text == "null" {
		return errors.New("want a decimal, got null")
	}
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
	}
	v, err := decimal.NewFromString(strings.TrimSpace(text))
	if err != nil {
		return fmt.Errorf("%s: not a decimal", data)
	}
	d.Decimal, d.set = v, true
	return nil
}

// ParseConfigJSON turns mm's connector.paper section (as JSON) into a Config: DefaultConfig, overridden by
// the fields present, with the feed opened. Unknown keys are errors naming the key (DESIGN.md §1: a
// silently ignored key is a setting the user believes in and does not have).
//
//	{"market": "BTC-USDT",
//	 "feed": {"kind": "binance-capture", "path": "btcusdt_20240808.gz"},
//	 "balances": {"BTC": "1", "USDT": 100000},
//	 "fill_model": "conservative", "maker_fee_pct": 0.1, "taker_fee_pct": "0.1",
//	 "order_latency": "50ms", "cancel_latency": "50ms", "state": "paper.state", "pace": 0}
//
// Feed kinds: synthetic (the default; seed, duration), binance-capture (path or paths), binance-trades,
// binance-aggtrades and binance-klines (path; spread_ticks).
func ParseConfigJSON(data []byte) (Config, error) {
	var jc jsonConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jc); err != nil {
		return Config{}, fmt.Errorf("paper: config: %w", err)
	}
	cfg := DefaultConfig()
	var errs []error
	if jc.Market != "" {
		pair, err := market.ParsePair(jc.Market)
		if err != nil {
			errs = append(errs, fmt.Errorf("market: %w", err))
		}
		cfg.Market = pair
	}
	if jc.Balances != nil {
		cfg.Balances = map[string]decimal.Decimal{}
		for asset, amount := range jc.Balances {
			cfg.Balances[strings.ToUpper(asset)] = amount.Decimal
		}
	}
	cfg.FillModel = FillModel(jc.FillModel)
	setDecimal := func(dst *decimal.Decimal, src jsonDecimal, shift int32) {
		if src.set {
			*dst = src.Shift(shift)
		}
	}
	setDecimal(&cfg.Rules.MakerFee, jc.MakerFeePct, -2)
	setDecimal(&cfg.Rules.TakerFee, jc.TakerFeePct, -2)
	setDecimal(&cfg.Rules.TickSize, jc.TickSize, 0)
	setDecimal(&cfg.Rules.StepSize, jc.StepSize, 0)
	setDecimal(&cfg.Rules.MinSize, jc.MinSize, 0)
	setDecimal(&cfg.Rules.MinNotional, jc.MinNotional, 0)
	for _, lat := range []struct {
		name string
		text string
		dst  *time.Duration
	}{{"order_latency", jc.OrderLatency, &cfg.OrderLatency}, {"cancel_latency", jc.CancelLatency, &cfg.CancelLatency}} {
		if lat.text == "" {
			continue
		}
		d, err := time.ParseDuration(lat.text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", lat.name, err))
		}
		*lat.dst = d
	}
	cfg.StatePath = jc.State
	if jc.Pace != nil {
		cfg.Pace = *jc.Pace
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("paper: config: %w", errors.Join(errs...))
	}
	src, err := openFeed(jc.Feed, cfg.Rules.TickSize, cfg.Rules.StepSize)
	if err != nil {
		return Config{}, fmt.Errorf("paper: config: feed: %w", err)
	}
	cfg.Source = src
	if err := cfg.Validate(); err != nil {
		closeSource(src)
		return Config{}, err
	}
	return cfg, nil
}

// openFeed opens the market-data source a feed section names.
func openFeed(f jsonFeed, tick, step decimal.Decimal) (feed.Source, error) {
	paths := f.Paths
	if f.Path != "" {
		paths = append([]string{f.Path}, paths...)
	}
	needOnePath := func() error {
		if len(paths) != 1 {
			return fmt.Errorf("kind %s: want exactly one path (got %d)", f.Kind, len(paths))
		}
		return nil
	}
	if f.Kind != "" && f.Kind != "synthetic" && (f.Seed != nil || f.Duration != "") {
		return nil, fmt.Errorf("kind %s takes no seed or duration (synthetic only)", f.Kind)
	}
	switch f.Kind {
	case "", "synthetic":
		return openSynthetic(f, tick, step, paths)
	case "binance-capture":
		if len(paths) == 0 {
			return nil, errors.New("kind binance-capture: path is required")
		}
		return feed.OpenCapture(paths...)
	case "binance-trades":
		if err := needOnePath(); err != nil {
			return nil, err
		}
		return feed.OpenTradesCSV(paths[0])
	case "binance-aggtrades":
		if err := needOnePath(); err != nil {
			return nil, err
		}
		return feed.OpenAggTradesCSV(paths[0])
	case "binance-klines":
		if err := needOnePath(); err != nil {
			return nil, err
		}
		return feed.OpenKlinesCSV(paths[0], feed.KlineOptions{Tick: tick, SpreadTicks: f.SpreadTicks})
	}
	return nil, fmt.Errorf("kind %q: want synthetic, binance-capture, binance-trades, binance-aggtrades or binance-klines", f.Kind)
}

// openSynthetic is feed.DefaultSyntheticConfig on the market's tick and step, with the section's seed and
// duration.
func openSynthetic(f jsonFeed, tick, step decimal.Decimal, paths []string) (feed.Source, error) {
	if len(paths) > 0 {
		return nil, errors.New("kind synthetic reads no files")
	}
	sc := feed.DefaultSyntheticConfig()
	sc.Tick, sc.Step = tick, step
	if f.Seed != nil {
		if *f.Seed < 0 {
			return nil, fmt.Errorf("seed %d: must be ≥ 0", *f.Seed)
		}
		sc.Seed = uint64(*f.Seed)
	}
	if f.Duration != "" {
		dur, err := time.ParseDuration(f.Duration)
		if err != nil {
			return nil, fmt.Errorf("duration: %w", err)
		}
		sc.Duration = dur
	}
	return feed.NewSynthetic(sc)
}
