package runner

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/strategy"
)

// evaluateRisk runs the guards on the event clock (the kill switch checks itself every 10 s, as Hummingbot's
// does), journals every trip and clear durably before acting on it, cancels the own orders the tripped guards
// no longer allow, and stops the run when a stop guard trips (exit 3) unless reduce_only_after_trip keeps it
// running with reducing orders only.
func (r *run) evaluateRisk(ctx context.Context) error {
	in := strategy.RiskInput{Now: r.now, Mid: r.mid(), FillsSinceStart: r.fills, LastMarketData: r.lastData}
	if b, ok := r.balances[r.pair.Base]; ok {
		in.BaseBalance = decimal.NewNullDecimal(b.Total)
	}
	if q, ok := r.balances[r.pair.Quote]; ok {
		in.QuoteBalance = decimal.NewNullDecimal(q.Total)
	}
	if !r.risk.HasStart && in.BaseBalance.Valid && in.QuoteBalance.Valid && in.Mid.Sign() > 0 {
		// The kill switch's return is measured from the run's start balances (reference/hummingbot.md §6.1),
		// not from whatever the balances are at the first evaluation with a mid.
		r.risk = strategy.NewRiskState(r.now, r.startBase, r.startQuote, in.Mid)
	}
	state, changes := strategy.EvaluateRisk(r.riskParams, r.risk, in)
	r.risk = state
	if len(changes) == 0 {
		return nil
	}
	for _, c := range changes {
		if err := r.journalRisk(ctx, c); err != nil {
			return err
		}
	}
	if err := r.j.Flush(ctx); err != nil {
		return err
	}
	if err := r.cancelDisallowed(ctx); err != nil {
		return err
	}
	if r.risk.Halted() && !r.riskParams.ReduceOnlyAfterTrip {
		return r.riskStop()
	}
	return nil
}

// journalRisk journals a trip or clear. Its time is the wall clock, not the event clock: trips and clears are
// acts across processes (a replay's simulated 2024 must not sort before yesterday's --clear-trip in
// journal.TrippedGuards); the event time is kept in the detail.
func (r *run) journalRisk(ctx context.Context, t strategy.RiskTrip) error {
	log := r.log.Info
	if t.Action == strategy.RiskActionTrip {
		log = r.log.Warn
	}
	log("risk guard "+string(t.Action), "guard", t.Guard, "value", t.Value.Decimal, "limit", t.Limit.Decimal,
		"detail", t.Detail)
	return r.j.AddRiskEvent(ctx, journal.RiskEvent{RunID: r.runID, Account: r.account, Market: r.marketName,
		Time: time.Now(), Guard: string(t.Guard), Action: string(t.Action), Value: t.Value, LimitValue: t.Limit,
		Detail: fmt.Sprintf("%s (event time %s)", t.Detail, t.Time.UTC().Format(time.RFC3339Nano))})
}

// cancelDisallowed cancels the open own orders that the tripped guards would not allow to be placed now.
func (r *run) cancelDisallowed(ctx context.Context) error {
	var cancels []strategy.CancelRequest
	for _, id := range r.openOrderIDs() {
		if !strategy.AllowOrder(r.risk.Tripped, r.orders[id].side, r.riskParams, r.risk) {
			cancels = append(cancels, strategy.CancelRequest{ClientID: id})
		}
	}
	return r.cancel(ctx, cancels)
}

// riskStop ends the run for a tripped stop guard; the trip stays in the journal until --clear-trip.
func (r *run) riskStop() error {
	var guards []string
	for _, t := range r.risk.Tripped {
		if t.Guard.Sticky() {
			guards = append(guards, fmt.Sprintf("%s (%s)", t.Guard, t.Detail))
		}
	}
	return fmt.Errorf("%w: stopped by %s; mm run refuses to start until --clear-trip", ErrRiskLimit,
		strings.Join(guards, "; "))
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
