package host

import (
	"context"
	"errors"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// supervisedConnector is the Connector a Supervisor hands out. It is bound to one plugin process: once that
// process is replaced, every call fails with ErrRestarting instead of reaching the new process, and any
// ErrUnreachable it sees — from a call or as a stream's StreamError — makes the supervisor check the process
// at once rather than at its next poll.
type supervisedConnector struct {
	s          *Supervisor
	generation uint64
}

var _ sdk.Connector = (*supervisedConnector)(nil)

// observe reports an unreachable plugin to the supervisor and returns err unchanged.
func (c *supervisedConnector) observe(err error) error {
	if errors.Is(err, ErrUnreachable) {
		c.s.suspect(c.generation)
	}
	return err
}

func (c *supervisedConnector) Info(ctx context.Context) (sdk.PluginInfo, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return sdk.PluginInfo{}, err
	}
	info, err := t.Info(ctx)
	return info, c.observe(err)
}

func (c *supervisedConnector) Configure(ctx context.Context, configJSON []byte) error {
	t, err := c.s.target(c.generation)
	if err != nil {
		return err
	}
	return c.observe(t.Configure(ctx, configJSON))
}

// Shutdown reaches the plugin like any call; the supervisor still kills the process on Close.
func (c *supervisedConnector) Shutdown(ctx context.Context) error {
	t, err := c.s.target(c.generation)
	if err != nil {
		return err
	}
	return c.observe(t.Shutdown(ctx))
}

func (c *supervisedConnector) MarketRules(ctx context.Context, m market.Pair) (sdk.MarketRules, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return sdk.MarketRules{}, err
	}
	rules, err := t.MarketRules(ctx, m)
	return rules, c.observe(err)
}

func (c *supervisedConnector) Balances(ctx context.Context) ([]sdk.Balance, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return nil, err
	}
	balances, err := t.Balances(ctx)
	return balances, c.observe(err)
}

func (c *supervisedConnector) OpenOrders(ctx context.Context, m market.Pair) ([]sdk.Order, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return nil, err
	}
	orders, err := t.OpenOrders(ctx, m)
	return orders, c.observe(err)
}

func (c *supervisedConnector) PlaceOrders(ctx context.Context, orders []sdk.OrderRequest) ([]sdk.PlaceResult, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return nil, err
	}
	results, err := t.PlaceOrders(ctx, orders)
	return results, c.observe(err)
}

func (c *supervisedConnector) CancelOrders(ctx context.Context, m market.Pair, clientOrderIDs []string) ([]sdk.CancelResult, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return nil, err
	}
	results, err := t.CancelOrders(ctx, m, clientOrderIDs)
	return results, c.observe(err)
}

func (c *supervisedConnector) CancelAll(ctx context.Context, m market.Pair) ([]sdk.Order, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return nil, err
	}
	orders, err := t.CancelAll(ctx, m)
	return orders, c.observe(err)
}

func (c *supervisedConnector) TradesSince(ctx context.Context, m market.Pair, cursor string, limit int) (sdk.TradesPage, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return sdk.TradesPage{}, err
	}
	page, err := t.TradesSince(ctx, m, cursor, limit)
	return page, c.observe(err)
}

// Subscribe passes the plugin's events through, watching for a StreamError that says the plugin is gone. The
// supervisor hears of it before the caller does, so by the time the caller reads the StreamError, Connector
// already refuses to hand out the dead process.
func (c *supervisedConnector) Subscribe(ctx context.Context, req sdk.SubscribeRequest) (<-chan sdk.Event, error) {
	t, err := c.s.target(c.generation)
	if err != nil {
		return nil, err
	}
	in, err := t.Subscribe(ctx, req)
	if err != nil {
		return nil, c.observe(err)
	}
	out := make(chan sdk.Event, cap(in))
	go func() {
		defer close(out)
		for ev := range in {
			if se, ok := ev.Payload.(sdk.StreamError); ok {
				c.observe(se.Err)
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				// The caller stopped listening; drain so the SDK's reader can finish and close in.
				for range in {
				}
				return
			}
		}
	}()
	return out, nil
}
