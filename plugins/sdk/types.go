package sdk

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// ProtocolVersion is the go-plugin protocol version this package speaks; it is also the major version in the
// proto package name (mm.plugin.v1). Bump both together, and only for breaking changes (reference/go.md §1.3).
const ProtocolVersion = 1

// PluginInfo is what Info returns. ProtocolVersion is filled in by the SDK, not by the plugin author.
type PluginInfo struct {
	Name            string
	Version         string
	ProtocolVersion int
	Capabilities    Capabilities
}

// Capabilities announces optional features, so additive protocol changes need no version bump
// (Terraform's ServerCapabilities, reference/go.md §1.3).
type Capabilities struct {
	Depth          bool
	PublicTrades   bool
	LimitMaker     bool
	BalanceUpdates bool
}

// MarketRules are the exchange filters and fees of one market. Fees are fractions (0.001 = 0.1 %); a maker
// rebate is negative.
type MarketRules struct {
	Market      market.Pair
	TickSize    decimal.Decimal
	StepSize    decimal.Decimal
	MinSize     decimal.Decimal
	MinNotional decimal.Decimal
	MakerFee    decimal.Decimal
	TakerFee    decimal.Decimal
}

// Balance of one asset. Available is Total minus what open orders lock.
type Balance struct {
	Asset     string
	Total     decimal.Decimal
	Available decimal.Decimal
}

// OrderType is limit or limit_maker (post-only).
type OrderType string

// The order types mm places. Market orders are deliberately absent: a market maker quotes.
const (
	Limit      OrderType = "limit"
	LimitMaker OrderType = "limit_maker"
)

// OrderStatus is the lifecycle state of an order.
type OrderStatus string

// Order states, spelled exactly as the journal's orders.status CHECK constraint spells them (journal/records.go,
// journal/migrations/0001_init.sql), so a status goes from the wire to the journal unconverted. The British
// "cancelled" is the journal's spelling; the proto enum keeps the name ORDER_STATUS_CANCELED, and toproto/fromproto
// map between the two (the wire carries the number, so renaming the enum would buy nothing).
// status_journal_test.go holds the two spellings together.
const (
	StatusOpen            OrderStatus = "open"
	StatusPartiallyFilled OrderStatus = "partially_filled"
	StatusFilled          OrderStatus = "filled"
	StatusCancelled       OrderStatus = "cancelled"
	StatusRejected        OrderStatus = "rejected"
	StatusExpired         OrderStatus = "expired"
)

// OrderRequest asks for one new order. ClientOrderID is chosen by mm and makes the request idempotent.
type OrderRequest struct {
	ClientOrderID string
	Market        market.Pair
	Side          market.Side
	Type          OrderType
	Price         decimal.Decimal
	Amount        decimal.Decimal
}

// Order is an order as the exchange knows it.
type Order struct {
	ClientOrderID   string
	ExchangeOrderID string
	Market          market.Pair
	Side            market.Side
	Type            OrderType
	Price           decimal.Decimal
	Amount          decimal.Decimal
	FilledAmount    decimal.Decimal
	Status          OrderStatus
	Created         time.Time
	Updated         time.Time
}

// PlaceResult answers one OrderRequest: either Order (accepted, or Duplicate when the client order id already
// existed and Order is that existing order) or Err (rejected).
type PlaceResult struct {
	ClientOrderID string
	Order         Order
	Duplicate     bool
	Err           *Error
}

// CancelResult answers one cancel: Order is the order's state afterwards (it may have filled first), or Err.
type CancelResult struct {
	ClientOrderID string
	Order         Order
	Err           *Error
}

// Fill is one execution of one of our orders. TradeID is unique per market on the exchange.
type Fill struct {
	TradeID         string
	ClientOrderID   string
	ExchangeOrderID string
	Market          market.Pair
	Side            market.Side
	Price           decimal.Decimal
	Amount          decimal.Decimal
	Fee             decimal.Decimal
	FeeAsset        string
	Maker           bool
	Time            time.Time
}

// TradesPage is one page of TradesSince. Pass NextCursor back to continue; More says whether to.
type TradesPage struct {
	Fills      []Fill
	NextCursor string
	More       bool
}

// SubscribeRequest selects what a stream carries. Top of book is always included.
type SubscribeRequest struct {
	Market       market.Pair
	DepthLevels  int
	PublicTrades bool
}
