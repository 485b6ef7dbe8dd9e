package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/journal/interchange"
	"github.com/mmtoolkit/mm/strategy"
)

// guardBlackout is the guard name of blackout windows in the journal's risk events. A blackout is a schedule,
// not a guard: its trips never stop the run, and checkTrips ignores a trip left open by a run that ended inside
// a window (the next run evaluates the schedule afresh).
const guardBlackout = "blackout"

// sizer is the runner's side of volatility sizing and blackout windows (strategy/sizing.go, blackout.go): at
// each tick it feeds the estimator the mid on the event clock, evaluates the windows on the same clock, journals
// entering and leaving a window, and gives the tick an amount factor and whether quoting is paused. It is nil
// when neither strategy.sizing nor risk.blackouts is configured, which costs the tick nothing.
type sizer struct {
	sizing    bool
	params    strategy.SizingParams
	vol       *strategy.RealizedVol
	iv        []interchange.IVPoint
	ivUse     string // max or implied
	windows   []strategy.Blackout
	blackout  strategy.BlackoutState // at the last tick
	ready     bool                   // the sizing factor is from a volatility (not the not-ready 1)
	volPct    float64                // the volatility the factor came from, annualised percent
	volSource string                 // realized, implied or max(...)
	factor    decimal.Decimal        // the sizing factor (NeutralFactor while not ready)
	noIVWarn  bool                   // warned that the implied-vol file does not cover the clock yet
	announced bool                   // the sizing state (ready or not) was logged once
	cancelled map[string]bool        // own orders a pause already cancelled
	dropping  bool                   // the last tick's scaled proposal dropped levels below the exchange minimums
}

// newSizer builds the sizer from the config, nil when both features are off.
func newSizer(r *run) (*sizer, error) {
	params, sizing := r.cfg.SizingParams()
	windows := r.cfg.BlackoutWindows()
	if !sizing && len(windows) == 0 {
		return nil, nil
	}
	s := &sizer{sizing: sizing, params: params, windows: windows, factor: decimal.NewFromInt(1),
		blackout: strategy.BlackoutState{Factor: decimal.NewFromInt(1)}, cancelled: map[string]bool{}}
	if !sizing {
		return s, nil
	}
	vol, err := strategy.NewRealizedVol(params)
	if err != nil {
		return nil, fmt.Errorf("strategy.sizing: %w", err)
	}
	s.vol, s.factor = vol, params.NeutralFactor()
	if s.iv, err = r.cfg.ImpliedVol(); err != nil {
		return nil, err
	}
	if src := r.cfg.Strategy.Sizing.IVSource; src != nil {
		s.ivUse = src.Use
	}
	return s, nil
}

// updateSizing runs once per tick, before the strategy: it observes the mid, recomputes the sizing factor,
// evaluates the blackout windows and journals the windows entered and left. It reports whether quoting is
// paused.
func (r *run) updateSizing(ctx context.Context) (paused bool, err error) {
	s := r.sizer
	if s == nil {
		return false, nil
	}
	if s.sizing {
		s.observe(r, r.mid())
	}
	state := strategy.EvaluateBlackouts(s.windows, r.now)
	if err := r.journalBlackouts(ctx, s.blackout.Active, state.Active, ""); err != nil {
		return false, err
	}
	if s.blackout.Pause && !state.Pause {
		clear(s.cancelled)
	}
	s.blackout = state
	return state.Pause, nil
}

// observe feeds the estimator and recomputes the factor: target_vol/σ̂ with σ̂ the realized volatility, or with
// iv_source the implied one (use: implied) or the larger of both (use: max). Until σ̂ is known the factor is 1
// clamped to [min_factor, max_factor] (NeutralFactor): the configured amounts within the configured bounds, with
// "sizing not ready" in the log and the status line, rather than no quotes at all.
func (s *sizer) observe(r *run, mid decimal.Decimal) {
	if mid.Sign() > 0 {
		s.vol.Observe(r.now, mid.InexactFloat64())
	}
	realized, realizedOK := s.vol.Value()
	implied, impliedOK := s.impliedAt(r)
	vol, source, ok := realized, "realized", realizedOK
	switch {
	case s.ivUse == "implied":
		vol, source, ok = implied, "implied", impliedOK
	case s.ivUse == "max" && impliedOK && (!realizedOK || implied > realized):
		vol, source, ok = implied, "implied (> realized)", true
	case s.ivUse == "max" && realizedOK && impliedOK:
		source = "realized (≥ implied)"
	}
	if s.iv != nil && !impliedOK && !s.noIVWarn {
		s.noIVWarn = true
		r.log.Warn("sizing: the implied-volatility file has no row at or before the run's clock yet",
			"time", r.now, "first_row", s.iv[0].Time, "use", s.ivUse)
	}
	if !ok {
		if s.ready || !s.announced {
			r.log.Warn("sizing not ready: quoting at the configured amounts", "reason", s.notReadyReason())
		}
		s.ready, s.announced, s.factor = false, true, s.params.NeutralFactor()
		return
	}
	factor, err := strategy.SizingFactor(s.params, vol)
	if err != nil { // unreachable: the params were validated and vol is ≥ 0
		r.log.Error("sizing factor", "err", err)
		return
	}
	s.announced = true
	if !s.ready {
		r.log.Info("sizing ready", "vol_pct", fmt.Sprintf("%.4g", vol), "source", source, "factor", factor)
	} else if !factor.Equal(s.factor) {
		r.log.Debug("sizing factor", "vol_pct", fmt.Sprintf("%.4g", vol), "source", source, "factor", factor)
	}
	s.ready, s.volPct, s.volSource, s.factor = true, vol, source, factor
}

// impliedAt is the implied volatility in force at the run's clock: the last row at or before it.
func (s *sizer) impliedAt(r *run) (float64, bool) {
	i, _ := slices.BinarySearchFunc(s.iv, r.now, func(p interchange.IVPoint, now time.Time) int {
		return p.Time.Compare(now)
	})
	// i is the first row after now, or the row at now (found).
	if i < len(s.iv) && s.iv[i].Time.Equal(r.now) {
		return s.iv[i].IVPct.InexactFloat64(), true
	}
	if i == 0 {
		return 0, false
	}
	return s.iv[i-1].IVPct.InexactFloat64(), true
}

func (s *sizer) notReadyReason() string {
	if s.ivUse == "implied" {
		return "no implied volatility at or before the run's clock"
	}
	have, need := s.vol.Bars()
	if have >= need {
		return fmt.Sprintf("the mid did not move over the last %d bars of %s (σ̂ = 0)", have, config.Duration(s.params.Bar))
	}
	return fmt.Sprintf("%d of %d bars of %s", have, need, config.Duration(s.params.Bar))
}

// amountFactor is the tick's order-amount factor: the sizing factor times the blackout shrink. Zero (off) when
// neither applies, so a run without sizing quotes exactly as before.
func (r *run) amountFactor() decimal.Decimal {
	s := r.sizer
	if s == nil {
		return decimal.Decimal{}
	}
	f := s.factor.Mul(s.blackout.Factor)
	if f.Equal(decimal.NewFromInt(1)) {
		return decimal.Decimal{}
	}
	return f
}

// warnDropped logs, once per episode, that the scaled amounts fell below the exchange's minimum size or notional
// and the pipeline skipped levels (strategy.ExchangeRules' notes).
func (r *run) warnDropped(explain strategy.Explain) {
	s := r.sizer
	if s == nil || (!explain.ProposalBuilt && s.dropping) {
		return // between refreshes nothing was proposed, so nothing was dropped or restored
	}
	var notes []string
	factor := r.amountFactor()
	for _, d := range explain.Decisions {
		if !factor.IsZero() && strings.HasPrefix(d, "exchange rules:") {
			notes = append(notes, strings.TrimPrefix(d, "exchange rules: "))
		}
	}
	if factor.IsZero() {
		factor = decimal.NewFromInt(1)
	}
	switch {
	case len(notes) > 0 && !s.dropping:
		r.log.Warn("sizing: scaled orders below the exchange minimum are not placed", "factor", factor,
			"dropped", strings.Join(notes, "; "))
	case len(notes) == 0 && s.dropping:
		r.log.Info("sizing: every level is above the exchange minimum again", "factor", factor)
	}
	s.dropping = len(notes) > 0
}

// pauseQuoting is a paused tick: no strategy tick, and every own order still open is cancelled (once per pause;
// a cancel the exchange refused is not re-sent in a loop).
func (r *run) pauseQuoting(ctx context.Context) error {
	if r.opts.Explain {
		var windows []string
		for _, i := range r.sizer.blackout.Active {
			windows = append(windows, r.sizer.windows[i].Describe())
		}
		fmt.Fprintf(r.opts.Stderr, "tick %s: blackout pause (%s): no strategy tick, own orders cancelled\n",
			r.now.UTC().Format(time.RFC3339Nano), strings.Join(windows, "; "))
	}
	var cancels []strategy.CancelRequest
	for _, id := range r.openOrderIDs() {
		if !r.sizer.cancelled[id] {
			r.sizer.cancelled[id] = true
			cancels = append(cancels, strategy.CancelRequest{ClientID: id})
		}
	}
	return r.cancel(ctx, cancels)
}

// journalBlackouts journals a trip for every window entered and a clear for every window left, on the event
// clock (a blackout is a schedule on the run's clock, and never a trip checkTrips acts on).
func (r *run) journalBlackouts(ctx context.Context, before, after []int, why string) error {
	if slices.Equal(before, after) {
		return nil
	}
	for _, i := range before {
		if !slices.Contains(after, i) {
			if err := r.journalBlackout(ctx, r.sizer.windows[i], journal.RiskClear, why); err != nil {
				return err
			}
		}
	}
	for _, i := range after {
		if !slices.Contains(before, i) {
			if err := r.journalBlackout(ctx, r.sizer.windows[i], journal.RiskTrip, why); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *run) journalBlackout(ctx context.Context, b strategy.Blackout, action, why string) error {
	detail := b.Describe()
	if why != "" {
		detail += "; " + why
	}
	var factor decimal.NullDecimal
	if b.Action == strategy.BlackoutShrink {
		factor = decimal.NewNullDecimal(b.Factor)
	}
	verb := map[string]string{journal.RiskTrip: "blackout started", journal.RiskClear: "blackout ended"}[action]
	r.log.Info(verb, "window", b.Name, "action", string(b.Action), "time", r.now, "detail", detail)
	return r.j.AddRiskEvent(ctx, journal.RiskEvent{RunID: r.runID, Account: r.account, Market: r.marketName,
		Time: r.now, Guard: guardBlackout, Action: action, Value: factor, Detail: detail})
}

// endBlackouts journals a clear for the windows still active when the run stops, so the journal never shows a
// blackout that did not end.
func (r *run) endBlackouts(ctx context.Context) {
	if r.sizer == nil || len(r.sizer.blackout.Active) == 0 || r.j == nil {
		return
	}
	if err := r.journalBlackouts(context.WithoutCancel(ctx), r.sizer.blackout.Active, nil, "run ended inside the window"); err != nil {
		r.log.Warn("journal the end of a blackout", "err", err)
	}
	r.sizer.blackout = strategy.BlackoutState{Factor: decimal.NewFromInt(1)}
}

// sizingStatus are the status line's sizing and blackout fields.
func (r *run) sizingStatus() []any {
	s := r.sizer
	if s == nil {
		return nil
	}
	var attrs []any
	if s.sizing {
		if s.ready {
			attrs = append(attrs, "sizing_factor", s.factor, "sizing_vol_pct", fmt.Sprintf("%.4g", s.volPct))
		} else {
			attrs = append(attrs, "sizing", "not ready ("+s.notReadyReason()+")")
		}
	}
	for _, i := range s.blackout.Active {
		attrs = append(attrs, "blackout", s.windows[i].Describe())
	}
	return attrs
}

// withoutBlackoutTrips drops blackout events from the trips checkTrips refuses to start on.
func withoutBlackoutTrips(trips []journal.RiskEvent) []journal.RiskEvent {
	return slices.DeleteFunc(trips, func(t journal.RiskEvent) bool { return t.Guard == guardBlackout })
}
