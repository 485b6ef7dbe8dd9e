package journal

import (
	"database/sql"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Values of the enumerated TEXT columns. The schema CHECKs the same sets, so a value outside them is refused twice:
// by validation in Go (a clear ErrInvalidRecord before anything is written) and by SQLite.
const (
	SideBuy  = "buy"
	SideSell = "sell"

	OrderTypeLimit      = "limit"
	OrderTypeLimitMaker = "limit_maker"
	OrderTypeMarket     = "market"

	StatusOpen            = "open"
	StatusPartiallyFilled = "partially_filled"
	StatusFilled          = "filled"
	StatusCancelled       = "cancelled"
	StatusRejected        = "rejected"
	StatusExpired         = "expired"
	StatusUnknown         = "unknown"

	EventCreated         = "created"
	EventFilled          = "filled"
	EventPartiallyFilled = "partially_filled"
	EventCancelled       = "cancelled"
	EventRejected        = "rejected"
	EventExpired         = "expired"
	EventUnknown         = "unknown"
	EventAdopted         = "adopted"

	BalanceStart    = "start"
	BalanceRefresh  = "refresh"
	BalanceEnd      = "end"
	BalanceImport   = "import"
	BalanceSnapshot = "snapshot"

	RiskTrip  = "trip"
	RiskClear = "clear"
)

// Run is one `mm run` invocation. ID is assigned by StartRun.
type Run struct {
	ID         int64
	Account    string
	Connector  string
	Market     string
	ConfigHash string
	Config     string // the effective config, secrets removed by the caller (DESIGN.md §1: never journaled)
	StartedAt  time.Time
	EndedAt    time.Time // zero while the run is going on, or if it died without EndRun
	ExitReason string    // "" until EndRun
	ExitCode   *int      // nil until EndRun
	MMVersion  string
}

// Order is an order mm placed or adopted, keyed by its client order id. RunID 0 means "no run" (adopted or imported
// orders); it is stored as NULL.
type Order struct {
	ClientOrderID   string
	RunID           int64
	Connector       string
	Market          string
	Side            string
	OrderType       string
	Price           decimal.Decimal // for market orders, the reference price at placement
	Amount          decimal.Decimal
	Level           *int // nil for orders outside the level ladder
	IsHanging       bool
	ExchangeOrderID string // "" until the exchange acknowledges the order
	CreatedAt       time.Time
	Status          string
	UpdatedAt       time.Time
}

// OrderEvent is one step in an order's lifecycle. Journaling it also moves orders.status, in the same transaction.
type OrderEvent struct {
	ID            int64
	ClientOrderID string
	Time          time.Time
	Event         string
	Detail        string // "" is stored as NULL
}

// Fill is one trade of mm's maker orders (or an imported trade). (Connector, Market, ExchangeTradeID) identifies it;
// journaling the same fill twice stores it once (DESIGN.md §3).
type Fill struct {
	ID              int64
	RunID           int64 // 0 = not from a run (imported); stored as NULL
	Connector       string
	Market          string
	BaseAsset       string
	QuoteAsset      string
	ExchangeTradeID string
	ClientOrderID   string // "" = unknown; stored as NULL
	Side            string
	Price           decimal.Decimal
	Amount          decimal.Decimal
	Fee             decimal.Decimal
	FeeAsset        string
	IsMaker         *bool               // nil when the venue does not say
	Mid             decimal.NullDecimal // mid price at fill time, for mark-outs and spread capture
	Time            time.Time
}

// Mark is a snapshot of the top of book, journaled at least every strategy tick (DESIGN.md §3).
type Mark struct {
	ID        int64
	RunID     int64
	Connector string
	Market    string
	Time      time.Time
	Mid       decimal.Decimal
	BestBid   decimal.NullDecimal
	BestAsk   decimal.NullDecimal
}

// Balance is one asset's balance on one account at one moment.
type Balance struct {
	ID        int64
	RunID     int64
	Connector string
	Account   string
	Asset     string
	Time      time.Time
	Total     decimal.Decimal
	Available decimal.NullDecimal
	Kind      string // BalanceStart, BalanceRefresh, BalanceEnd, BalanceImport or BalanceSnapshot
}

// RiskEvent is a risk guard tripping or clearing (DESIGN.md §6).
type RiskEvent struct {
	ID         int64
	RunID      int64
	Account    string
	Market     string
	Time       time.Time
	Guard      string // kill_switch, max_inventory, daily_loss, drawdown, stale_data, ...
	Action     string // RiskTrip or RiskClear
	Value      decimal.NullDecimal
	LimitValue decimal.NullDecimal
	Detail     string
}

// HedgeFill is a trade on a hedge venue (perpetual, future), unique on (Venue, Instrument, TradeID).
type HedgeFill struct {
	ID         int64
	RunID      int64
	Venue      string
	Instrument string
	TradeID    string
	Side       string
	Price      decimal.Decimal
	Amount     decimal.Decimal
	Fee        decimal.Decimal
	FeeAsset   string
	Time       time.Time
}

// Funding is one funding payment on a hedge position; positive Amount is received. Unique on
// (Venue, Instrument, Time, Asset).
type Funding struct {
	ID         int64
	RunID      int64
	Venue      string
	Instrument string
	Time       time.Time
	Amount     decimal.Decimal
	Asset      string
}

// toMillis converts to the journal's timestamp unit: unix milliseconds, UTC.
func toMillis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis is the inverse of toMillis; journal times always come back in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullRunID stores run id 0 as NULL: rows outside a run must not reference runs(id).
func nullRunID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullText stores "" as NULL for optional text columns.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullDecimal stores an invalid NullDecimal as NULL and a valid one as canonical text.
func nullDecimal(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return market.DecimalText(d.Decimal)
}

// nullBool stores nil as NULL and a bool as 0/1 (SQLite has no boolean type).
func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	if *b {
		return int64(1)
	}
	return int64(0)
}

// parseDecimal reads a canonical decimal TEXT column.
func parseDecimal(column, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, corruptValue(column, s, err)
	}
	return d, nil
}

// parseNullDecimal reads an optional decimal TEXT column.
func parseNullDecimal(column string, s sql.NullString) (decimal.NullDecimal, error) {
	if !s.Valid {
		return decimal.NullDecimal{}, nil
	}
	d, err := parseDecimal(column, s.String)
	if err != nil {
		return decimal.NullDecimal{}, err
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}
