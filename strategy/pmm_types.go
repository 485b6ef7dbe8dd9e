package strategy

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Order is one of the strategy's own orders as the engine last knew it. The engine tracks an order from the tick
// that asks for it, as Hummingbot's order tracker does from c_buy_with_specific_market, not from the exchange's
// acknowledgement (reference/hummingbot.md §1.2 step 7).
type Order struct {
	ClientID string
	Side     market.Side
	Price    decimal.Decimal
	Amount   decimal.Decimal // original quantity (Hummingbot's LimitOrder.quantity)
	Filled   decimal.Decimal // filled so far by partial fills
	Created  time.Time
	Level    int  // proposal level (0 = closest to the reference price); -1 for adopted orders
	Hanging  bool // in the hanging orders tracker's current set (§3.1)

	CancelInFlight bool // a cancel was sent and its confirmation has not arrived
	Renewing       bool // a hanging order cancelled past max_order_age, re-placed when the cancel arrives (§3.1)
	Acknowledged   bool // the exchange confirmed the order (OnOrderCreated)
}

// Remaining is the part of the order still open on the book.
func (o Order) Remaining() decimal.Decimal { return o.Amount.Sub(o.Filled) }

// HangingPair is Hummingbot's CreatedPairOfOrders: the buy and sell placed at the same index of one executed
// proposal, with the completion flags the hanging orders tracker accumulates until the next refresh (§3.1).
type HangingPair struct {
	BuyID, SellID         string
	FilledBuy, FilledSell bool
}

// HangingRenewal is a hanging order whose renewal cancel was confirmed: the next tick places it again with the
// same side, price and amount (§3.1).
type HangingRenewal struct {
	Side   market.Side
	Price  decimal.Decimal
	Amount decimal.Decimal
	Level  int
}

// MovingBand is the moving price band's state (moving_price_band.py): the band anchored at SetAt. The zero
// SetAt plays Hummingbot's set_time = 0, so the first check always anchors (§1.1, §1.4).
type MovingBand struct {
	Floor, Ceiling decimal.Decimal
	SetAt          time.Time
}

// PMMState is everything the pure market making engine remembers between ticks and events. Tick and the On*
// event functions take it by value and return a new one; they never modify the slices of the state they were
// given, so a caller may keep old states (for replays and tests). The new state may share a slice with the old
// one when nothing in it changed; neither may be written in place.
type PMMState struct {
	// CreateAt and CancelAt are Hummingbot's create_timestamp and cancel_timestamp (§1.2 "Timers"); the zero
	// time plays their initial value 0.
	CreateAt, CancelAt time.Time

	// FilledBuys and FilledSells are the ping-pong counters _filled_buys_balance/_filled_sells_balance (§3.2).
	FilledBuys, FilledSells int

	// LastOwnTradePrice is the limit price of the last completely filled non-hanging order (§1.6);
	// invalid until the first one, when last_own_trade_price falls back to the mid price (§1.3).
	LastOwnTradePrice decimal.NullDecimal

	Band MovingBand

	// Orders are the strategy's active orders in creation order (order optimization reads the last one, §1.4).
	Orders []Order

	// HangingPairs are the pairs of the proposals executed since the last non-deferred refresh (§3.1).
	HangingPairs []HangingPair
	// Renewals wait for the next tick to be placed again (§3.1 renewal).
	Renewals []HangingRenewal
}

// BookLevel is one price level of the order book.
type BookLevel struct {
	Price  decimal.Decimal
	Amount decimal.Decimal
}

// Balances are the account's balances of the market's two assets. Available excludes funds locked in open
// orders; the engine adds back what its own orders lock (§1.4 budget, §2.2 inputs).
type Balances struct {
	BaseTotal, BaseAvailable   decimal.Decimal
	QuoteTotal, QuoteAvailable decimal.Decimal
}

// MarketRules are the exchange's trading rules for the market. A zero MinSize or MinNotional is off. Fees are
// fractions (0.001 for 0.1 %).
type MarketRules struct {
	Tick        decimal.Decimal // price increment
	Step        decimal.Decimal // amount increment
	MinSize     decimal.Decimal
	MinNotional decimal.Decimal
	MakerFee    decimal.Decimal
	TakerFee    decimal.Decimal
}

// ClientIDFunc returns a new client order id for an order the engine is about to ask for. The runner supplies
// it (ids encode run and level and must be unique across processes, DESIGN §3); Tick calls it once per place
// request, in action order, so a deterministic generator gives deterministic ids in replays.
type ClientIDFunc func(side market.Side, level int) string

// MarketSnapshot is what Tick sees of the world at one instant. A zero price means "not available" (Hummingbot's
// NaN).
type MarketSnapshot struct {
	Now       time.Time // the injected clock: event time in replays, wall clock live
	BestBid   decimal.Decimal
	BestAsk   decimal.Decimal
	Mid       decimal.Decimal // zero means the market is not ready: Tick does nothing (§1.2 step 1)
	LastTrade decimal.Decimal // last public trade price (price_type last_price)

	// Bids and Asks are the book, best first; only order optimization reads them.
	Bids, Asks []BookLevel

	Balances Balances
	Rules    MarketRules

	// Quantizer overrides the rules' tick and step (nil: TickStep{Rules.Tick, Rules.Step}); tests use
	// SignificantDigits to reproduce Hummingbot's mock market (§7).
	Quantizer Quantizer

	// InventoryCost is the average cost of the held base (price_type inventory_cost), from the journal.
	InventoryCost decimal.NullDecimal

	NewClientID ClientIDFunc

	// AmountFactor multiplies every order amount of the tick's proposal (volatility sizing and blackout shrink,
	// strategy/sizing.go, PMMParams.WithAmountFactor); zero means off (1).
	AmountFactor decimal.Decimal

	// ExplainStages asks Tick to record each proposal stage's input and output in TickResult.Explain
	// (mm run --explain). Decisions and notes are always recorded.
	ExplainStages bool
}

// CancelReason says which rule cancelled an order.
type CancelReason string

// The rules that cancel orders, in the order Tick applies them (§1.2 steps 3–6).
const (
	CancelHangingFarFromPrice CancelReason = "hanging_orders_cancel_pct" // §3.1 remove_orders_far_from_price
	CancelHangingRenewal      CancelReason = "hanging_renewal"           // §3.1 renewal past max_order_age
	CancelMaxOrderAge         CancelReason = "max_order_age"             // §1.5
	CancelRefresh             CancelReason = "order_refresh"             // §1.5, §3.4
	CancelMinimumSpread       CancelReason = "minimum_spread"            // §1.5
)

// CancelRequest asks the runner to cancel one of the strategy's orders.
type CancelRequest struct {
	ClientID string
	Reason   CancelReason
}

// PlaceRequest asks the runner to place a limit order. PostOnly is set unless take_if_crossed (§1.1).
type PlaceRequest struct {
	ClientID string
	Side     market.Side
	Price    decimal.Decimal
	Amount   decimal.Decimal
	Level    int
	Hanging  bool
	PostOnly bool
}

// Actions are what one tick asks the runner to do: first the cancels, then the places, in this order.
type Actions struct {
	Cancels []CancelRequest
	Places  []PlaceRequest
}

// TickResult is the outcome of one Tick.
type TickResult struct {
	State   PMMState
	Actions Actions
	Explain Explain
}
