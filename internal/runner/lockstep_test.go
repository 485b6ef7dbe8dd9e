package runner

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// While a tick's carried actions are applied, the lockstep connector answers exactly the calls the Step carried,
// once each, from the Step's results, and refuses anything else: the plugin has stepped on since.
func TestLockstepConnectorAnswersOnlyWhatTheStepCarried(t *testing.T) {
	ctx := context.Background()
	pair := market.Pair{Base: "BTC", Quote: "USDT"}
	place := sdk.OrderRequest{ClientOrderID: "mm-1-2-b0", Market: pair, Side: market.Buy, Type: sdk.LimitMaker,
		Price: decimal.RequireFromString("64000.5"), Amount: decimal.RequireFromString("0.01")}
	sent := sdk.StepActions{Market: pair, Cancels: []string{"mm-1-1-b0"}, Places: []sdk.OrderRequest{place},
		Balances: true}
	results := &sdk.StepActionResults{Cancels: []sdk.CancelResult{{ClientOrderID: "mm-1-1-b0"}},
		Places: []sdk.PlaceResult{{ClientOrderID: "mm-1-2-b0"}}, Balances: []sdk.Balance{{Asset: "BTC"}}}
	c := &lockstepConnector{}
	c.answer(sent, results)

	if err := c.done(); !errors.Is(err, sdk.ErrProtocol) {
		t.Errorf("done before the calls: %v, want a protocol error", err)
	}
	if _, err := c.CancelOrders(ctx, pair, []string{"mm-1-9-b0"}); !errors.Is(err, sdk.ErrProtocol) {
		t.Errorf("a cancel that was not sent: %v, want a protocol error", err)
	}
	if got, err := c.CancelOrders(ctx, pair, []string{"mm-1-1-b0"}); err != nil || len(got) != 1 {
		t.Errorf("the cancel sent: %v, %v", got, err)
	}
	if _, err := c.CancelOrders(ctx, pair, []string{"mm-1-1-b0"}); !errors.Is(err, sdk.ErrProtocol) {
		t.Errorf("the same cancel twice: %v, want a protocol error", err)
	}
	other := place
	other.Price = decimal.RequireFromString("64000.6")
	if _, err := c.PlaceOrders(ctx, []sdk.OrderRequest{other}); !errors.Is(err, sdk.ErrProtocol) {
		t.Errorf("a place at another price: %v, want a protocol error", err)
	}
	if got, err := c.PlaceOrders(ctx, []sdk.OrderRequest{place}); err != nil || got[0].ClientOrderID != "mm-1-2-b0" {
		t.Errorf("the place sent: %v, %v", got, err)
	}
	if _, err := c.OpenOrders(ctx, pair); !errors.Is(err, sdk.ErrProtocol) {
		t.Errorf("open orders while replaying: %v, want a protocol error", err)
	}
	if got, err := c.Balances(ctx); err != nil || len(got) != 1 {
		t.Errorf("the balance read sent: %v, %v", got, err)
	}
	if err := c.done(); err != nil {
		t.Errorf("done after every call: %v", err)
	}

	// A Step whose answer lost the place results (it failed to decode): the place's outcome is unknown.
	c.answer(sdk.StepActions{Market: pair, Places: []sdk.OrderRequest{place}}, &sdk.StepActionResults{})
	if _, err := c.PlaceOrders(ctx, []sdk.OrderRequest{place}); !errors.Is(err, sdk.ErrProtocol) {
		t.Errorf("a place without results: %v, want a protocol error", err)
	}
}
