// Package paper is mm's paper/replay exchange (DESIGN.md §4–5): a deterministic simulated venue that
// implements sdk.Connector over a market-data feed.Source. mm links it in-process for fast replays and
// mm-plugin-paper serves the same engine over gRPC, so every test, benchmark and `make run` exercises the
// connector contract without an exchange.
//
// Time is the feed's: Step pulls one event, advances the simulated clock to its time and matches our resting
// orders against it, so the same feed, config and calls give the same fills byte for byte (DESIGN.md §3).
//
// Fees are charged in the asset received, as on Binance without BNB fee payment: a buy pays its fee in base,
// a sell in quote. Money is decimal.Decimal throughout and fees are not rounded, so balances are exact.
package paper

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
)

// FillModel decides when a resting order fills.
type FillModel string

const (
	// Conservative is the default (DESIGN.md §5): a resting order fills on a public trade through its price,
	// or at its price once the queue ahead of it (the book's size there when it joined) has traded; partial
	// fills up to the trade's size; a touch is never a fill.
	Conservative FillModel = "conservative"
	// Optimistic reproduces Hummingbot's paper trade (reference/hummingbot.md §6.2) for comparison: a trade
	// through the price or a crossed book fills the whole order at its price, ignoring size and queue.
	Optimistic FillModel = "optimistic"
)

// Rules are the exchange filters and fees of the simulated market. Fees are fractions (0.001 = 0.1 %).
type Rules struct {
	TickSize    decimal.Decimal // PRICE_FILTER tickSize
	StepSize    decimal.Decimal // LOT_SIZE stepSize
	MinSize     decimal.Decimal // LOT_SIZE minQty
	MinNotional decimal.Decimal // NOTIONAL minNotional
	MakerFee    decimal.Decimal
	TakerFee    decimal.Decimal
}

// DefaultRules are Binance spot BTCUSDT's filters and its base fee tier without BNB: tick 0.01, step and
// minimum size 0.00001, minimum notional 5 USDT, 0.1 % maker and taker (reference/exchanges.md "Filters").
func DefaultRules() Rules {
	return Rules{
		TickSize:    decimal.RequireFromString("0.01"),
		StepSize:    decimal.RequireFromString("0.00001"),
		MinSize:     decimal.RequireFromString("0.00001"),
		MinNotional: decimal.RequireFromString("5"),
		MakerFee:    decimal.RequireFromString("0.001"),
		TakerFee:    decimal.RequireFromString("0.001"),
	}
}

// Config configures an Exchange. Start from DefaultConfig.
type Config struct {
	Market market.Pair
	Rules  Rules
	// Balances are the starting totals per asset. A state file that already exists wins over them
	// (users.md HB #3096: a restart must not reset paper balances).
	Balances  map[string]decimal.Decimal
	FillModel FillModel // empty means Conservative
	// OrderLatency and CancelLatency delay, in simulated time, when a new order or a cancel reaches the
	// matching engine. Filters and balance are checked when the request is sent; the post-only check and a
	// taker execution happen when it arrives.
	OrderLatency  time.Duration
	CancelLatency time.Duration
	// StatePath, when set, keeps the paper account (balances, orders, counters, fills) in this file across
	// restarts (DESIGN.md §5).
	StatePath string
	// Source is the market data. The exchange owns it from New on and closes it on Shutdown if it has Close.
	Source feed.Source
	// Pace is for Subscribe only: 0 replays as fast as possible, 1 in real time relative to the first event,
	// any other positive value is a speed factor (2 = twice as fast as real time).
	Pace float64
}

// DefaultConfig is BTC-USDT with DefaultRules, the conservative fill model and no latency. Balances and
// Source are left for the caller.
func DefaultConfig() Config {
	return Config{
		Market:    market.Pair{Base: "BTC", Quote: "USDT"},
		Rules:     DefaultRules(),
		FillModel: Conservative,
	}
}

// Validate reports every invalid field at once, each named as in the JSON configuration.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Market.Base == "" || c.Market.Quote == "" || c.Market.Base == c.Market.Quote {
		bad("market", "want two different assets, for example BTC-USDT (got %q)", c.Market.String())
	}
	positive := map[string]decimal.Decimal{"tick_size": c.Rules.TickSize, "step_size": c.Rules.StepSize}
	for _, name := range []string{"tick_size", "step_size"} {
		if positive[name].Sign() <= 0 {
			bad(name, "must be > 0 (got %s)", positive[name])
		}
	}
	if c.Rules.MinSize.Sign() < 0 {
		bad("min_size", "must be ≥ 0 (got %s)", c.Rules.MinSize)
	}
	if c.Rules.MinNotional.Sign() < 0 {
		bad("min_notional", "must be ≥ 0 (got %s)", c.Rules.MinNotional)
	}
	one := decimal.NewFromInt(1)
	for _, fee := range []struct {
		name  string
		value decimal.Decimal
	}{{"maker_fee_pct", c.Rules.MakerFee}, {"taker_fee_pct", c.Rules.TakerFee}} {
		if fee.value.Abs().Cmp(one) >= 0 {
			bad(fee.name, "must lie strictly between -100 and 100 percent (got %s %%)", fee.value.Shift(2))
		}
	}
	for asset, amount := range c.Balances {
		if amount.Sign() < 0 {
			bad("balances."+asset, "must be ≥ 0 (got %s)", amount)
		}
	}
	switch c.FillModel {
	case "", Conservative, Optimistic:
	default:
		bad("fill_model", "want conservative or optimistic (got %q)", c.FillModel)
	}
	if c.OrderLatency < 0 {
		bad("order_latency", "must be ≥ 0 (got %s)", c.OrderLatency)
	}
	if c.CancelLatency < 0 {
		bad("cancel_latency", "must be ≥ 0 (got %s)", c.CancelLatency)
	}
	if c.Pace < 0 {
		bad("pace", "must be ≥ 0 (got %g)", c.Pace)
	}
	if c.Source == nil {
		bad("feed", "a market-data source is required")
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("paper: config: %w", errors.Join(errs...))
}

func (c Config) fillModel() FillModel {
	if c.FillModel == "" {
		return Conservative
	}
	return c.FillModel
}

// describe is the one line the caller prints at start (DESIGN.md §5: "the fill model is printed at start").
func (c Config) describe() string {
	var model string
	switch c.fillModel() {
	case Optimistic:
		model = "fill model: optimistic (Hummingbot paper trade) — a trade through the price or a crossed book " +
			"fills the whole order at its price, trade size and queue ignored"
	default:
		model = "fill model: conservative — trade-through or queue-depleted at price, partial fills up to trade " +
			"size, touch never fills"
	}
	return fmt.Sprintf("%s; %s maker %s %% taker %s %%, fees in the asset received; tick %s step %s "+
		"min size %s min notional %s; latency order %s cancel %s",
		model, c.Market, c.Rules.MakerFee.Shift(2), c.Rules.TakerFee.Shift(2), c.Rules.TickSize,
		c.Rules.StepSize, c.Rules.MinSize, c.Rules.MinNotional, c.OrderLatency, c.CancelLatency)
}
