package sdk

import (
	"context"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// Connector is one exchange account as mm sees it (DESIGN.md §4). A plugin implements it; the host gets the
// same interface back from the gRPC client, so mm also links connectors in-process (the paper exchange for fast
// replays) without a second code path.
//
// Domain failures are returned as *Error (or as PlaceResult.Err / CancelResult.Err per order). Any other error
// returned by a plugin reaches the host as CodeInternal with the error's text.
type Connector interface {
	// Info must work before Configure.
	Info(ctx context.Context) (PluginInfo, error)
	// Configure receives the plugin's section of the mm config as JSON. Secrets never travel here: plugins
	// read API keys from their environment (DESIGN.md §1).
	Configure(ctx context.Context, configJSON []byte) error
	// Shutdown stops streams and releases exchange sessions; the host calls it before killing the process.
	Shutdown(ctx context.Context) error

	MarketRules(ctx context.Context, m market.Pair) (MarketRules, error)
	Balances(ctx context.Context) ([]Balance, error)
	OpenOrders(ctx context.Context, m market.Pair) ([]Order, error)
	// PlaceOrders returns one result per request, in request order. A client order id that already exists
	// yields that order with Duplicate set, so re-sending after a timeout is safe (DESIGN.md §3).
	PlaceOrders(ctx context.Context, orders []OrderRequest) ([]PlaceResult, error)
	// CancelOrders returns one result per client order id, in request order.
	CancelOrders(ctx context.Context, m market.Pair, clientOrderIDs []string) ([]CancelResult, error)
	CancelAll(ctx context.Context, m market.Pair) ([]Order, error)
	// TradesSince returns our fills after cursor (empty: the oldest the exchange keeps), at most limit of them
	// (0: the plugin chooses).
	TradesSince(ctx context.Context, m market.Pair, cursor string, limit int) (TradesPage, error)
	// Subscribe streams events until ctx is cancelled. The plugin closes the channel when it stops; the host
	// side closes it after a StreamError when the stream fails.
	Subscribe(ctx context.Context, req SubscribeRequest) (<-chan Event, error)
}

// Stepper is implemented by replay connectors (the paper exchange) whose data the host can advance itself,
// one tick at a time, instead of consuming a stream: a lockstep replay through a plugin is then as
// deterministic as one in-process. The host-side gRPC client always has the method; a plugin without it
// answers with CodeInvalidRequest.
type Stepper interface {
	// StepUntil applies the data until the connector's clock reaches req.Until (one feed event when it is
	// zero) and returns the events, public trades included, in order.
	StepUntil(ctx context.Context, req StepRequest) (StepResult, error)
}

// StepRequest says how far a Step goes and what it reports.
type StepRequest struct {
	Until time.Time
	// DepthLevels asks for a BookDepth event of that many levels a side whenever the book changed (0: none),
	// as SubscribeRequest.DepthLevels does for a stream.
	DepthLevels int
}

// ActionStepper is the host side of a lockstep replay that sends each tick's order actions with the Step that
// follows the tick: one call a tick instead of three (cancel, place, step). The host-side gRPC client has it.
type ActionStepper interface {
	// StepWithActions applies a's cancels, then its places, then reads the balances (when asked), all at the
	// connector's current clock, and then steps as StepUntil does (unless a.NoStep). applied is false when the
	// plugin predates StepActions: it has then stepped without applying them, so a host asks once, with
	// nothing to apply, before it relies on them.
	StepWithActions(ctx context.Context, a StepActions, req StepRequest) (res StepActionResults, step StepResult,
		applied bool, err error)
}

// StepActions are the order actions one Step carries (ActionStepper).
type StepActions struct {
	// Market is the market of Cancels.
	Market  market.Pair
	Cancels []string // client order ids, as CancelOrders takes them; none: no cancel
	Places  []OrderRequest
	// Balances asks for the balances after the cancels and places.
	Balances bool
	// NoStep applies the actions and returns without stepping.
	NoStep bool
}

// StepActionResults answer StepActions part by part, as CancelOrders, PlaceOrders and Balances would have.
type StepActionResults struct {
	Cancels  []CancelResult
	Places   []PlaceResult
	Balances []Balance
}

// StepResult is what one StepUntil applied.
type StepResult struct {
	Events []Event
	// Now is the connector's clock after the step.
	Now time.Time
	// EndOfData says the data ended: there is nothing more to step.
	EndOfData bool
}
