package strategy

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// RiskParams configure mm's risk guards (DESIGN.md §6, reference/quant.md §6). A zero value turns a guard off, so
// the zero RiskParams (with Debounce 1) guards nothing. Unlike PMMParams, percentages stay in percent, as the
// config writes them: a kill_switch_rate of −5 means −5 %, never −500 % (users.md HB #1226).
type RiskParams struct {
	// KillSwitchRatePct is Hummingbot's kill_switch_rate in percent of the return since the run started
	// (reference/hummingbot.md §6.1): −5 stops at a 5 % loss, +10 at a 10 % gain, 0 never fires.
	KillSwitchRatePct decimal.Decimal
	// MaxInventoryBase caps |base balance|; above it, orders that add to the position are refused.
	MaxInventoryBase decimal.Decimal
	// DailyLossLimitQuote stops the run when equity has dropped this much since the UTC day's first equity.
	DailyLossLimitQuote decimal.Decimal
	// MaxDrawdownPct stops the run when equity is this many percent below its peak (trailing, quant.md §6.3).
	MaxDrawdownPct decimal.Decimal
	// StaleDataTimeout pulls quotes when no market data arrived for longer than this.
	StaleDataTimeout time.Duration
	// ReduceOnlyAfterTrip lets orders that reduce the base position through while a stop guard is tripped
	// (users.md NT PR #4761: the halt must not deny the very order that closes the position).
	ReduceOnlyAfterTrip bool
	// Debounce is how many consecutive evaluations an equity guard (daily loss, drawdown) must breach before it
	// trips, and how many an equity level must last before it can become the drawdown peak: one bad mid must
	// neither trip nor inflate the peak (users.md Forven PR #92). 1 trips on the first breach.
	Debounce int
}

// DefaultDebounce is the number of consecutive breaching evaluations an equity guard needs by default.
const DefaultDebounce = 2

// DefaultRiskParams are every guard off, with the default debounce.
func DefaultRiskParams() RiskParams {
	return RiskParams{Debounce: DefaultDebounce}
}

// The accepted ranges, the same as the config's (internal/config validateRisk), so a value that passes
// `mm config validate` passes here.
var (
	killSwitchRateLow  = decimal.NewFromInt(-100)
	killSwitchRateHigh = decimal.NewFromInt(1000)
)

const (
	staleTimeoutMin = time.Second
	staleTimeoutMax = 24 * time.Hour
	debounceMax     = 100
)

// RiskParamError is an out-of-range risk parameter: the config key, the value given and the accepted range. The
// config layer adds the file and line.
type RiskParamError struct {
	Key    string // the config key under risk:, for example "kill_switch_rate"
	Value  string
	Accept string
}

func (e *RiskParamError) Error() string {
	return fmt.Sprintf("risk.%s must be %s (got %s)", e.Key, e.Accept, e.Value)
}

// Validate returns a *RiskParamError for the first parameter out of its accepted range.
func (p RiskParams) Validate() error {
	bad := func(key string, value any, accept string) error {
		return &RiskParamError{Key: key, Value: fmt.Sprint(value), Accept: accept}
	}
	if !p.KillSwitchRatePct.GreaterThan(killSwitchRateLow) || p.KillSwitchRatePct.GreaterThan(killSwitchRateHigh) {
		return bad("kill_switch_rate", p.KillSwitchRatePct,
			"> -100 and ≤ 1000 percent (0 turns it off; -5 stops at a 5 % loss)")
	}
	if p.MaxInventoryBase.Sign() < 0 {
		return bad("max_inventory_base", p.MaxInventoryBase, "≥ 0 base units (0 turns it off)")
	}
	if p.DailyLossLimitQuote.Sign() < 0 {
		return bad("daily_loss_limit_quote", p.DailyLossLimitQuote, "≥ 0 quote units (0 turns it off)")
	}
	if p.MaxDrawdownPct.Sign() < 0 || !p.MaxDrawdownPct.LessThan(hundred) {
		return bad("max_drawdown_pct", p.MaxDrawdownPct, "≥ 0 and < 100 percent (0 turns it off)")
	}
	if p.StaleDataTimeout != 0 && (p.StaleDataTimeout < staleTimeoutMin || p.StaleDataTimeout > staleTimeoutMax) {
		return bad("stale_data_timeout", p.StaleDataTimeout, "between 1s and 24h (0 turns it off)")
	}
	if p.Debounce < 1 || p.Debounce > debounceMax {
		return bad("debounce", p.Debounce, "between 1 and 100 evaluations")
	}
	return nil
}

func (p RiskParams) killSwitchOn() bool   { return !p.KillSwitchRatePct.IsZero() }
func (p RiskParams) maxInventoryOn() bool { return p.MaxInventoryBase.Sign() > 0 }
func (p RiskParams) dailyLossOn() bool    { return p.DailyLossLimitQuote.Sign() > 0 }
func (p RiskParams) drawdownOn() bool     { return p.MaxDrawdownPct.Sign() > 0 }
func (p RiskParams) staleDataOn() bool    { return p.StaleDataTimeout > 0 }

// needsMid and needsBalances say which inputs the configured guards read.
func (p RiskParams) needsMid() bool { return p.killSwitchOn() || p.dailyLossOn() || p.drawdownOn() }
func (p RiskParams) needsBalances() bool {
	return p.needsMid() || p.maxInventoryOn()
}

// debounce is Debounce with a floor of 1, so an unvalidated zero behaves as "trip on the first breach".
func (p RiskParams) debounce() int { return max(p.Debounce, 1) }
