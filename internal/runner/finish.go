package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/plugins/host"
	"github.com/mmtoolkit/mm/strategy"
)

// finish classifies how the loop ended, drains (cancel own orders unless keep_orders, last fill sync, end
// balances) in a fresh context bounded by the drain timeout, so a signal that cancelled ctx does not also cancel
// the cleanup (reference/go.md §4), and closes the run row with its exit reason and code.
func (r *run) finish(ctx context.Context, runErr error) (Result, error) {
	var err error
	switch {
	case errors.Is(runErr, errStop):
		r.exitCode = 0
	case errors.Is(runErr, ErrRiskLimit):
		r.reason, r.exitCode, err = ReasonRisk, 3, runErr
	case ctx.Err() != nil && errors.Is(runErr, ctx.Err()):
		r.log.Info("stopping", "cause", context.Cause(ctx))
		r.reason, r.exitCode = ReasonSignal, 0
	case errors.Is(runErr, host.ErrUnreachable):
		r.reason, r.exitCode, err = ReasonError, 5, runErr
	default:
		r.reason, r.exitCode, err = ReasonError, 1, runErr
	}
	if err == nil && r.risk.Halted() {
		// reduce_only_after_trip kept the run going after a stop guard tripped; it still ends as stopped by it.
		r.reason, r.exitCode, err = ReasonRisk, 3, r.riskStop()
	}
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.DrainTimeout)
	defer cancel()
	if drainErr := r.drain(drainCtx); drainErr != nil {
		drainErr = fmt.Errorf("%w: %w", ErrDrain, drainErr)
		if err == nil {
			r.reason, r.exitCode, err = ReasonError, 1, drainErr
		} else {
			err = errors.Join(err, drainErr)
		}
	}
	reason := r.reason
	if err != nil && r.reason == ReasonError {
		reason = fmt.Sprintf("%s: %v", ReasonError, err)
	}
	if endErr := r.j.EndRun(drainCtx, r.runID, time.Now(), reason, r.exitCode); endErr != nil {
		err = errors.Join(err, endErr)
		if r.exitCode == 0 {
			r.exitCode = 1
		}
	}
	r.finishProgress()
	attrs := []any{"run", r.runID, "reason", r.reason, "exit", r.exitCode, "fills", r.fills}
	if r.deferOrders {
		attrs = append(attrs, "orders_not_journaled", r.ordersLeftOut)
	}
	r.log.Info("run ended", attrs...)
	return r.result(), err
}

// drain cancels the run's open orders (unless keep_orders), syncs fills once more, snapshots the end balances
// and flushes the journal.
func (r *run) drain(ctx context.Context) error {
	var errs []error
	if r.carried != nil {
		// The last tick's actions, which the Step after it would have carried (act): they are sent alone.
		if _, err := r.sendCarried(ctx, true); err != nil && !errors.Is(err, io.EOF) {
			errs = append(errs, fmt.Errorf("last tick's orders: %w", err))
		}
	}
	if !r.keepOrders {
		var cancels []strategy.CancelRequest
		for _, id := range r.openOrderIDs() {
			cancels = append(cancels, strategy.CancelRequest{ClientID: id})
		}
		if err := r.cancel(ctx, cancels); err != nil {
			errs = append(errs, fmt.Errorf("cancel own orders: %w", err))
		} else if err := r.awaitCancels(ctx); err != nil {
			errs = append(errs, fmt.Errorf("cancel own orders: %w", err))
		}
	}
	if _, err := r.syncFills(ctx); err != nil {
		errs = append(errs, fmt.Errorf("final fill sync: %w", err))
	}
	if err := r.flushOpenDeferred(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := r.fetchBalances(ctx); err != nil {
		errs = append(errs, fmt.Errorf("end balances: %w", err))
	} else if err := r.journalBalances(ctx, journal.BalanceEnd); err != nil {
		errs = append(errs, err)
	}
	if err := r.j.Flush(ctx); err != nil {
		errs = append(errs, fmt.Errorf("journal: %w", err))
	}
	return errors.Join(errs...)
}

// awaitCancels lets the drain's cancels land on the in-process paper exchange. With cancel_latency a cancel
// reaches the book only when the simulated clock passes its due time, which only a Step moves: the drain
// steps the feed (the orders may still fill meanwhile, as they would live) until the clock has passed the
// latency, at most the latency plus one step; when the feed has ended, Settle applies the pending cancels at
// their own times. Events are applied like the loop's, without ticking. Then no own order may be open on the
// exchange. A lockstep plugin replay drains the same way, one Step at a time (a Step after the end of the data
// settles, as Settle does). A streaming plugin reports its cancels on its stream; they are not awaited here.
func (r *run) awaitCancels(ctx context.Context) error {
	var (
		next    func(context.Context) (batch, error)
		settle  func(until time.Time) (batch, error)
		now     time.Time
		latency time.Duration
	)
	switch s := r.src.(type) {
	case *stepSource:
		next, now, latency = s.Next, s.ex.Now(), s.cancelLatency
		settle = func(until time.Time) (batch, error) {
			events, err := s.ex.Settle(until)
			return batch{Events: events, Now: s.ex.Now()}, err
		}
	case *pluginStepSource:
		next, now = s.stepOnce, s.now
		if p := r.cfg.Connector.Paper; p != nil {
			latency = time.Duration(p.CancelLatency)
		}
		settle = func(until time.Time) (batch, error) { return s.settle(ctx, until) }
	default:
		return nil
	}
	if latency > 0 && r.openOrders() > 0 {
		deadline := now.Add(latency)
		for r.openOrders() > 0 {
			b, err := next(ctx)
			if err != nil && ctx.Err() == nil {
				// The feed ended (or failed): no event will move the clock; the exchange settles what is due.
				settled, settleErr := settle(deadline)
				if settleErr != nil {
					return fmt.Errorf("settle pending cancels: %w (feed: %w)", settleErr, err)
				}
				if err := r.applyDrained(ctx, settled); err != nil {
					return err
				}
				break
			}
			if err != nil {
				return err
			}
			if err := r.applyDrained(ctx, b); err != nil {
				return err
			}
			if !b.Now.Before(deadline) {
				break
			}
		}
	}
	open, err := r.src.Connector().OpenOrders(ctx, r.pair)
	if err != nil {
		return err
	}
	var ids []string
	for _, o := range open {
		if _, own := r.orders[o.ClientOrderID]; own {
			ids = append(ids, o.ClientOrderID)
		}
	}
	if len(ids) > 0 {
		slices.Sort(ids)
		return fmt.Errorf("%d own orders still open on the exchange after the cancels: %v", len(ids), ids)
	}
	return nil
}

// applyDrained applies a batch stepped during the drain: the clock moves, the events are journaled and told
// to the strategy, no tick runs.
func (r *run) applyDrained(ctx context.Context, b batch) error {
	if b.Now.After(r.now) {
		r.now = b.Now
	}
	return r.applyEvents(ctx, b.Events)
}
