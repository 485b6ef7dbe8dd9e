package runner

import (
	"context"
	"fmt"
	"slices"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// act sends a tick's cancels, then its places. In a lockstep replay through a plugin that applies a Step's
// actions (sdk.ActionStepper) they wait instead for the Step that follows the tick, which carries them (next): one
// call a tick instead of three, and their results are applied then by the same cancel and place code, in the same
// order, before the step's events. Between a tick and the next Step the run does nothing that could see the
// difference: the loop only checks the journal for an error.
func (r *run) act(ctx context.Context, actions strategy.Actions) error {
	if s, ok := r.src.(*pluginStepSource); ok && s.actions != nil {
		r.carried = &actions
		return nil
	}
	if err := r.cancel(ctx, actions.Cancels); err != nil {
		return err
	}
	return r.place(ctx, actions.Places)
}

// next pulls the next batch of events, sending the carried actions of the last tick with it.
func (r *run) next(ctx context.Context) (batch, error) {
	if r.carried == nil {
		return r.src.Next(ctx)
	}
	return r.sendCarried(ctx, false)
}

// sendCarried sends the carried actions with the Step to the run's next tick (alone with noStep: the drain's,
// for the last tick's) and applies their results as act would have applied the calls' answers.
func (r *run) sendCarried(ctx context.Context, noStep bool) (batch, error) {
	if err := ctx.Err(); err != nil {
		return batch{}, err // they stay for the drain, which sends them under its own context
	}
	carried := r.carried
	r.carried = nil
	s := r.src.(*pluginStepSource)
	a := sdk.StepActions{Market: r.pair, Cancels: cancelIDs(carried.Cancels), NoStep: noStep}
	for _, p := range carried.Places {
		if req, ok := r.orderRequest(p); ok {
			a.Places = append(a.Places, req)
		}
	}
	// place reads the balances after its orders unless it can tell nothing changed; they come with the
	// results so that they are the balances between the places and the step, as a call would have read them.
	a.Balances = len(a.Places) > 0
	b, results, stepErr := s.stepWith(ctx, a)
	if results == nil {
		return b, stepErr
	}
	s.lc.answer(a, results)
	err := r.cancel(ctx, carried.Cancels)
	if err == nil {
		err = r.place(ctx, carried.Places)
	}
	if err == nil {
		err = s.lc.done()
	}
	s.lc.clear()
	if err != nil {
		return b, err
	}
	return b, stepErr
}

// lockstepConnector is a lockstep plugin's connector as the run sees it. While a tick's carried actions are
// applied (sendCarried), it answers their cancel, place and balance read from the results their Step brought
// back, once each, and refuses any other call: the plugin has stepped on since. Otherwise every call goes to
// the plugin.
type lockstepConnector struct {
	sdk.Connector
	sent    *sdk.StepActions
	results *sdk.StepActionResults
	used    [3]bool // cancels, places, balances
}

func (c *lockstepConnector) answer(a sdk.StepActions, res *sdk.StepActionResults) {
	c.sent, c.results, c.used = &a, res, [3]bool{}
}

func (c *lockstepConnector) clear() { c.sent, c.results = nil, nil }

// done checks that the run made every call whose answer its Step carried: the cancel and place code sent what
// sendCarried sent for them. Anything else is a bug in the runner, not in the plugin.
func (c *lockstepConnector) done() error {
	if (len(c.sent.Cancels) > 0 && !c.used[0]) || (len(c.sent.Places) > 0 && !c.used[1]) {
		return fmt.Errorf("lockstep: %w: the tick's carried actions were not all applied", sdk.ErrProtocol)
	}
	return nil
}

func (c *lockstepConnector) replaying(call string) error {
	return fmt.Errorf("lockstep: %w: %s while a tick's carried actions are applied", sdk.ErrProtocol, call)
}

func (c *lockstepConnector) CancelOrders(ctx context.Context, m market.Pair, ids []string) ([]sdk.CancelResult, error) {
	if c.results == nil {
		return c.Connector.CancelOrders(ctx, m, ids)
	}
	if c.used[0] || m != c.sent.Market || !slices.Equal(ids, c.sent.Cancels) {
		return nil, c.replaying("a cancel that was not sent")
	}
	c.used[0] = true
	if len(c.results.Cancels) != len(ids) {
		return nil, c.unanswered("cancel orders")
	}
	return c.results.Cancels, nil
}

// unanswered: the Step applied the actions but its answer for call did not arrive whole (it failed to decode).
func (c *lockstepConnector) unanswered(call string) error {
	return fmt.Errorf("lockstep: %w: the Step's answer has no results for %s", sdk.ErrProtocol, call)
}

func (c *lockstepConnector) PlaceOrders(ctx context.Context, orders []sdk.OrderRequest) ([]sdk.PlaceResult, error) {
	if c.results == nil {
		return c.Connector.PlaceOrders(ctx, orders)
	}
	if c.used[1] || !slices.EqualFunc(orders, c.sent.Places, sameRequest) {
		return nil, c.replaying("a place that was not sent")
	}
	c.used[1] = true
	if len(c.results.Places) != len(orders) {
		return nil, c.unanswered("place orders") // the places are journaled as unknown (place)
	}
	return c.results.Places, nil
}

func sameRequest(a, b sdk.OrderRequest) bool {
	return a.ClientOrderID == b.ClientOrderID && a.Market == b.Market && a.Side == b.Side && a.Type == b.Type &&
		a.Price.Equal(b.Price) && a.Amount.Equal(b.Amount)
}

func (c *lockstepConnector) Balances(ctx context.Context) ([]sdk.Balance, error) {
	if c.results == nil {
		return c.Connector.Balances(ctx)
	}
	if c.used[2] || !c.sent.Balances {
		return nil, c.replaying("a balance read that was not sent")
	}
	c.used[2] = true
	if c.results.Balances == nil {
		return nil, c.unanswered("balances")
	}
	return c.results.Balances, nil
}

func (c *lockstepConnector) OpenOrders(ctx context.Context, m market.Pair) ([]sdk.Order, error) {
	if c.results != nil {
		return nil, c.replaying("open orders")
	}
	return c.Connector.OpenOrders(ctx, m)
}

func (c *lockstepConnector) CancelAll(ctx context.Context, m market.Pair) ([]sdk.Order, error) {
	if c.results != nil {
		return nil, c.replaying("cancel all")
	}
	return c.Connector.CancelAll(ctx, m)
}

func (c *lockstepConnector) TradesSince(ctx context.Context, m market.Pair, cursor string, limit int) (sdk.TradesPage,
	error) {
	if c.results != nil {
		return sdk.TradesPage{}, c.replaying("trades since")
	}
	return c.Connector.TradesSince(ctx, m, cursor, limit)
}
