package runner

import (
	"context"
	"fmt"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// modelRun is the state of a model strategy (strategy.kind avellaneda or glft, issue 6): the parameters, the
// live estimators and the public trades since the last tick. The model replaces PMM's proposal stage; orders,
// refresh, filled_order_delay, risk guards and the journal are the runner's usual machinery.
type modelRun struct {
	params strategy.ModelParams
	cal    *strategy.ModelCalibrator
	trades []strategy.ModelTrade
	status strategy.ModelStatus // of the last tick; transitions are logged once
	quote  strategy.ModelQuote
	quoted bool
}

// maxPendingTrades bounds the public trades kept between two ticks.
const maxPendingTrades = 100000

// newModelRun returns nil for pure_market_making.
func newModelRun(cfg *config.Config) (*modelRun, error) {
	if !cfg.IsModel() {
		return nil, nil
	}
	params := cfg.ModelParams()
	if err := params.Validate(); err != nil {
		return nil, fmt.Errorf("%s: strategy: %w", cfg.File(), err)
	}
	return &modelRun{params: params}, nil
}

// modelTrade keeps a public trade for the intensity estimator of the next tick.
func (r *run) modelTrade(ev sdk.Event, t sdk.PublicTrade) {
	if r.model == nil {
		return
	}
	if len(r.model.trades) >= maxPendingTrades {
		// No tick with a mid for a long while: keep the newest trades only.
		r.model.trades = append(r.model.trades[:0], r.model.trades[maxPendingTrades/2:]...)
	}
	r.model.trades = append(r.model.trades, strategy.ModelTrade{Time: eventTime(ev, r.now),
		Price: t.Price.InexactFloat64(), Amount: t.Amount.InexactFloat64(), TakerSide: t.TakerSide})
}

// modelTick is tick's strategy step for a model strategy, once modelObserve has fed the estimators this tick's
// mid and trades: run strategy.ModelTick, log state changes, then send the cancels and places like a PMM tick.
func (r *run) modelTick(ctx context.Context) error {
	m := r.model
	result := strategy.ModelTick(m.params, r.state, r.snapshot(), m.cal.Calibration())
	r.state = result.State
	m.quote, m.quoted = result.Quote, result.Quoted
	r.logModelStatus(result)
	if r.opts.Explain {
		fmt.Fprintf(r.opts.Stderr, "%s\n", result)
	}
	r.warnDropped(result.Explain)
	return r.act(ctx, result.Actions)
}

// modelObserve feeds the estimators this tick's mid and the public trades since the last tick. It runs on every
// tick, paused or not: a blackout pause stops quoting, not watching the market, so σ, A and k after the pause
// are those of the market during it (review H3), not of one step spanning the pause from a stale mid.
func (r *run) modelObserve() error {
	m := r.model
	if m == nil {
		return nil
	}
	if m.cal == nil {
		cal, err := strategy.NewModelCalibrator(m.params.Calibration, r.rules.Tick.InexactFloat64())
		if err != nil {
			return fmt.Errorf("model calibration: %w", err)
		}
		m.cal = cal
	}
	if mid := r.mid(); mid.Sign() > 0 {
		m.cal.Observe(r.now, mid.InexactFloat64(), m.trades)
		m.trades = m.trades[:0]
	}
	return nil
}

// logModelStatus logs once when the model enters or leaves a state (ready, not ready with why, outside the
// window), not every tick.
func (r *run) logModelStatus(result strategy.ModelResult) {
	m := r.model
	if result.Status.Code == m.status.Code {
		m.status = result.Status
		return
	}
	m.status = result.Status
	if result.Status.Ready() {
		q := result.Quote
		r.log.Info("model ready: quoting", "strategy", r.modelName(), "time", r.now.UTC(), "sigma", q.Sigma,
			"A", q.A, "k", q.K)
		return
	}
	r.log.Info("model not ready: no quotes", "strategy", r.modelName(), "time", r.now.UTC(),
		"state", string(result.Status.Code), "why", result.Status.Detail)
}

func (r *run) modelName() string {
	if r.model.params.Kind == strategy.ModelAvellaneda {
		return "avellaneda " + string(r.model.params.Variant)
	}
	return string(r.model.params.Kind)
}

// modelAttrs are the status line's model fields: the state and, when quoting, σ, A, k, q and the reservation
// price.
func (r *run) modelAttrs() []any {
	m := r.model
	if m == nil {
		return nil
	}
	attrs := []any{"model", string(m.status.Code)}
	if !m.status.Ready() {
		return append(attrs, "model_why", m.status.Detail)
	}
	return append(attrs, "sigma", m.quote.Sigma, "A", m.quote.A, "k", m.quote.K, "q", m.quote.Q,
		"reservation", m.quote.Reservation)
}
