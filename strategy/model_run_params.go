package strategy

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// ModelKind is the quoting model of mm run's strategy.kind avellaneda or glft (issue 6 item 1).
type ModelKind string

// The model strategies beside pure_market_making.
const (
	ModelAvellaneda ModelKind = "avellaneda" // Avellaneda–Stoikov (quant.md §1) or Hummingbot's variant (§3.3)
	ModelGLFT       ModelKind = "glft"       // Guéant–Lehalle–Fernandez-Tapia closed form (quant.md §2.3)
)

// ModelVariant selects which Avellaneda–Stoikov formulas an avellaneda strategy quotes with.
type ModelVariant string

// The Avellaneda–Stoikov variants.
const (
	// VariantTextbook is the paper's model in consistent units: γ per quote, σ in quote/√s, k per quote, τ in
	// seconds, inventory in lots of Δ (quant.md §0, §1.3–1.4).
	VariantTextbook ModelVariant = "textbook"
	// VariantHummingbot is Hummingbot's avellaneda_market_making: dimensionless γ, σ not squared, q normalised by
	// total inventory, κ from a volume-density fit, τ a fraction of the window (hummingbot.md §5.3).
	VariantHummingbot ModelVariant = "hummingbot"
)

// TimeframeMode is Hummingbot's execution_timeframe_mode (hummingbot.md §5.1).
type TimeframeMode string

// The execution timeframes.
const (
	TimeframeInfinite          TimeframeMode = "infinite"
	TimeframeFromDateToDate    TimeframeMode = "from_date_to_date"
	TimeframeDailyBetweenTimes TimeframeMode = "daily_between_times"
)

// ExecutionWindow is when a model strategy quotes. Outside the window it cancels its orders and places none, as
// Hummingbot does (§5.2 step 3.4). Times are UTC (Hummingbot uses the host's local time; a cron job's host
// time zone must not change what a config means).
type ExecutionWindow struct {
	Mode       TimeframeMode
	Start, End time.Time     // from_date_to_date: start_datetime, end_datetime
	DailyStart time.Duration // daily_between_times: start_time, since 00:00 UTC
	DailyEnd   time.Duration // daily_between_times: end_time, since 00:00 UTC; > DailyStart
}

// At reports whether now is inside the window, the time left to its end and the window's length (Hummingbot's
// time_left and closing_time, §5.3). The infinite mode is always inside, with no end (left = length = 0).
func (w ExecutionWindow) At(now time.Time) (inside bool, left, length time.Duration) {
	switch w.Mode {
	case TimeframeFromDateToDate:
		return !now.Before(w.Start) && now.Before(w.End), w.End.Sub(now), w.End.Sub(w.Start)
	case TimeframeDailyBetweenTimes:
		sinceMidnight := sinceUTCMidnight(now)
		return sinceMidnight >= w.DailyStart && sinceMidnight < w.DailyEnd, w.DailyEnd - sinceMidnight,
			w.DailyEnd - w.DailyStart
	}
	return true, 0, 0
}

// Finite reports whether the window has an end, which gives the finite-horizon models their τ.
func (w ExecutionWindow) Finite() bool { return w.Mode != TimeframeInfinite && w.Mode != "" }

// CalibrationParams say how the live estimators sample the market (quant.md §2.4, hummingbot.md §5.4–5.5).
type CalibrationParams struct {
	// Hummingbot selects Hummingbot's estimators (InstantVolatilityIndicator, TradingIntensityIndicator); else
	// hftbacktest's on the observations' own times: σ from the mid changes per √s (TimedVolatility), and A, k
	// fitted to the rate of tick_interval steps in which a trade reached each depth.
	Hummingbot bool
	// TickInterval is the intensity estimator's step (hftbacktest's decision interval): the time between two
	// ticks is cut into steps of it, so a late tick or a gap adds several steps, not one long one.
	TickInterval time.Duration
	// VolatilityBufferSize is the number of mids in the volatility window (volatility_buffer_size).
	VolatilityBufferSize int
	// IntensityBufferSize is the number of ticks (steps or Hummingbot's buckets) in the intensity window
	// (trading_intensity_buffer_size).
	IntensityBufferSize int
	// IntensityLevels is the number of quote depths fitted (hftbacktest fits the first 70); textbook and glft.
	IntensityLevels int
	// IntensityDepthStep is the spacing of the fitted depths in quote (true ticks by default: the market's tick);
	// the depths are (i + ½)·step, i = 0..IntensityLevels−1.
	IntensityDepthStep decimal.Decimal
	// FixedSigma, FixedA and FixedK replace an estimate by a configured value (sigma, intensity_a,
	// intensity_k); NaN estimates it. An estimator whose values are all fixed is ready at once.
	FixedSigma, FixedA, FixedK float64
}

// ModelParams are the parameters of a model strategy. The PMM part carries what the model strategies share with
// pure market making (order_amount, order_levels, order_refresh_time, order_refresh_tolerance_pct,
// max_order_age, filled_order_delay, inventory_target_base_pct, add_transaction_costs,
// should_wait_order_cancel_confirmation); its proposal keys are unused.
type ModelParams struct {
	Kind    ModelKind
	Variant ModelVariant // avellaneda only

	Gamma        float64 // risk_factor γ; > 0; per quote for textbook and glft, dimensionless for hummingbot
	Eta          float64 // order_amount_shape_factor η ∈ [0, 1]
	MinSpreadPct float64 // min_spread, percent of mid; ≥ 0: bid ≤ mid·(1 − min/200), ask ≥ mid·(1 + min/200)
	Omega        float64 // textbook infinite horizon: the discount ω; 0 = ½γ²σ²(Q + 1)² (quant.md §1.4)
	Xi           float64 // glft: ξ ≥ 0 (ξ = γ is GLFT's CARA model)

	// Delta is Guéant's Δ, the lot per fill in base units (quant.md §2.3): the textbook and glft models count
	// inventory in lots of Δ, as the paper counts fills of one unit.
	Delta decimal.Decimal
	// MaxInventory is the inventory bound Q in base units: no level that would take |q| beyond it is quoted.
	// Zero is unbounded (avellaneda only).
	MaxInventory decimal.Decimal

	LevelDistancesPct float64 // level_distances: levels are spaced by this percent of the half-spread
	Window            ExecutionWindow
	// Horizon, when positive, is a rolling τ for the textbook model in the infinite timeframe: the finite-horizon
	// quotes with T − t held at Horizon (horizon); zero uses the infinite-horizon model.
	Horizon time.Duration
	// MinProfitableSpread widens the spread to at least two maker fees of the mid, so a round trip at the
	// quotes covers its fees.
	MinProfitableSpread bool

	Calibration CalibrationParams
	PMM         PMMParams
}

// Validate re-checks the parameters; ModelTick runs it every tick (issue 6: "parameters re-validated every
// tick"). Names are the config's keys.
func (p ModelParams) Validate() error {
	err := firstError(
		positiveParam("risk_factor", p.Gamma),
		rangeParam("order_amount_shape_factor", p.Eta, 0, 1),
		nonNegativeParam("min_spread", p.MinSpreadPct),
		nonNegativeParam("omega", p.Omega),
		nonNegativeParam("xi", p.Xi),
		nonNegativeParam("level_distances", p.LevelDistancesPct),
	)
	if err != nil {
		return err
	}
	switch {
	case p.Kind != ModelAvellaneda && p.Kind != ModelGLFT:
		return fmt.Errorf("model kind %q: want avellaneda or glft", p.Kind)
	case p.Kind == ModelAvellaneda && p.Variant != VariantTextbook && p.Variant != VariantHummingbot:
		return fmt.Errorf("variant %q: want textbook or hummingbot", p.Variant)
	case p.Delta.Sign() <= 0 && !p.hummingbot():
		return &ModelParamError{Name: "delta", Accept: "> 0", Value: p.Delta.InexactFloat64()}
	case p.Horizon < 0:
		return &ModelParamError{Name: "horizon", Accept: "≥ 0", Value: p.Horizon.Seconds()}
	case p.MaxInventory.Sign() < 0:
		return &ModelParamError{Name: "max_inventory", Accept: "≥ 0", Value: p.MaxInventory.InexactFloat64()}
	case p.Kind == ModelGLFT && p.MaxInventory.Sign() == 0:
		return &ModelParamError{Name: "max_inventory", Accept: "> 0 for glft", Value: 0}
	case p.textbookInfinite() && p.Omega == 0 && p.MaxInventory.Sign() == 0:
		return fmt.Errorf("omega or max_inventory is needed by the infinite-horizon textbook model (quant.md §1.4)")
	case p.PMM.OrderAmount.Sign() <= 0:
		return &ModelParamError{Name: "order_amount", Accept: "> 0", Value: p.PMM.OrderAmount.InexactFloat64()}
	}
	return nil
}

func (p ModelParams) hummingbot() bool {
	return p.Kind == ModelAvellaneda && p.Variant == VariantHummingbot
}

func (p ModelParams) textbookInfinite() bool {
	return p.Kind == ModelAvellaneda && p.Variant == VariantTextbook && !p.Window.Finite() && p.Horizon <= 0
}
