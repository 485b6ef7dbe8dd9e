package journal

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Validation turns a record into the exact arguments of its INSERT. It runs in the caller's goroutine, before the
// record is queued, so that a bad record is reported to the code that produced it (ErrInvalidRecord, nothing written)
// instead of failing a whole batch later, and so that decimal formatting is not done on the writer goroutine.
// Decimals are stored as d.String(), the canonical form: "100" and "100.00" are the same value and the same text
// (market.DecimalText writes that text with one allocation).

var (
	sides      = []string{SideBuy, SideSell}
	orderTypes = []string{OrderTypeLimit, OrderTypeLimitMaker, OrderTypeMarket}
	statuses   = []string{StatusOpen, StatusPartiallyFilled, StatusFilled, StatusCancelled, StatusRejected,
		StatusExpired, StatusUnknown}
	events = []string{EventCreated, EventFilled, EventPartiallyFilled, EventCancelled, EventRejected, EventExpired,
		EventUnknown, EventAdopted}
	balanceKinds = []string{BalanceStart, BalanceRefresh, BalanceEnd, BalanceImport, BalanceSnapshot}
	riskActions  = []string{RiskTrip, RiskClear}
)

// checker collects the first validation failure of one record, so each validator reads as a list of rules.
type checker struct {
	record string
	err    error
}

func (c *checker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = invalid(c.record, format, args...)
	}
}

func (c *checker) required(field, value string) {
	if value == "" {
		c.fail("%s is empty", field)
	}
}

func (c *checker) oneOf(field, value string, allowed []string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.fail("%s %q is not one of %v", field, value, allowed)
}

func (c *checker) positive(field string, d decimal.Decimal) {
	if !d.IsPositive() {
		c.fail("%s %s is not positive", field, d.String())
	}
}

func (c *checker) notNegative(field string, d decimal.Decimal) {
	if d.IsNegative() {
		c.fail("%s %s is negative", field, d.String())
	}
}

// time refuses the zero time: it would be stored as a date in year 1 and silently sort before everything.
func (c *checker) time(field string, t time.Time) {
	if t.IsZero() {
		c.fail("%s is zero", field)
	}
}

func (c *checker) runID(id int64) {
	if id < 0 {
		c.fail("run id %d is negative", id)
	}
}

func fillArgs(f *Fill) ([]any, error) {
	c := checker{record: "fill " + f.ExchangeTradeID}
	c.runID(f.RunID)
	c.required("connector", f.Connector)
	c.required("market", f.Market)
	c.required("base asset", f.BaseAsset)
	c.required("quote asset", f.QuoteAsset)
	c.required("exchange trade id", f.ExchangeTradeID)
	c.oneOf("side", f.Side, sides)
	c.positive("price", f.Price)
	c.positive("amount", f.Amount)
	// Rebates make maker fees negative on some venues, so the fee's sign is not checked.
	c.required("fee asset", f.FeeAsset)
	c.time("time", f.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(f.RunID), f.Connector, f.Market, f.BaseAsset, f.QuoteAsset, f.ExchangeTradeID,
		nullText(f.ClientOrderID), f.Side, market.DecimalText(f.Price), market.DecimalText(f.Amount),
		market.DecimalText(f.Fee), f.FeeAsset, nullBool(f.IsMaker), nullDecimal(f.Mid), toMillis(f.Time)}, nil
}

func orderArgs(o *Order) ([]any, error) {
	c := checker{record: "order " + o.ClientOrderID}
	c.required("client order id", o.ClientOrderID)
	c.runID(o.RunID)
	c.required("connector", o.Connector)
	c.required("market", o.Market)
	c.oneOf("side", o.Side, sides)
	c.oneOf("order type", o.OrderType, orderTypes)
	c.notNegative("price", o.Price)
	c.positive("amount", o.Amount)
	c.oneOf("status", o.Status, statuses)
	c.time("created at", o.CreatedAt)
	c.time("updated at", o.UpdatedAt)
	if c.err != nil {
		return nil, c.err
	}
	var level any
	if o.Level != nil {
		level = int64(*o.Level)
	}
	hanging := int64(0)
	if o.IsHanging {
		hanging = 1
	}
	return []any{o.ClientOrderID, nullRunID(o.RunID), o.Connector, o.Market, o.Side, o.OrderType,
		market.DecimalText(o.Price), market.DecimalText(o.Amount), level, hanging, nullText(o.ExchangeOrderID),
		toMillis(o.CreatedAt), o.Status, toMillis(o.UpdatedAt)}, nil
}

// orderEventArgs returns the event insert's four arguments followed by the status the order moves to.
func orderEventArgs(e *OrderEvent) ([]any, error) {
	c := checker{record: "order event " + e.ClientOrderID}
	c.required("client order id", e.ClientOrderID)
	c.oneOf("event", e.Event, events)
	c.time("time", e.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{e.ClientOrderID, toMillis(e.Time), e.Event, nullText(e.Detail), statusAfter(e.Event)}, nil
}

// statusAfter is the order status an event implies. An adopted order is one found open on the exchange.
func statusAfter(event string) string {
	switch event {
	case EventCreated, EventAdopted:
		return StatusOpen
	default: // the other events are named after the status they lead to
		return event
	}
}

func markArgs(m *Mark) ([]any, error) {
	c := checker{record: "mark " + m.Market}
	c.runID(m.RunID)
	c.required("connector", m.Connector)
	c.required("market", m.Market)
	c.positive("mid", m.Mid)
	c.time("time", m.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(m.RunID), m.Connector, m.Market, toMillis(m.Time), market.DecimalText(m.Mid),
		nullDecimal(m.BestBid), nullDecimal(m.BestAsk)}, nil
}

func balanceArgs(b *Balance) ([]any, error) {
	c := checker{record: "balance " + b.Asset}
	c.runID(b.RunID)
	c.required("connector", b.Connector)
	c.required("account", b.Account)
	c.required("asset", b.Asset)
	c.oneOf("kind", b.Kind, balanceKinds)
	c.time("time", b.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(b.RunID), b.Connector, b.Account, b.Asset, toMillis(b.Time), market.DecimalText(b.Total),
		nullDecimal(b.Available), b.Kind}, nil
}

func riskEventArgs(r *RiskEvent) ([]any, error) {
	c := checker{record: "risk event " + r.Guard}
	c.runID(r.RunID)
	c.required("account", r.Account)
	c.required("market", r.Market)
	c.required("guard", r.Guard)
	c.oneOf("action", r.Action, riskActions)
	c.time("time", r.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(r.RunID), r.Account, r.Market, toMillis(r.Time), r.Guard, r.Action,
		nullDecimal(r.Value), nullDecimal(r.LimitValue), r.Detail}, nil
}

func hedgeFillArgs(h *HedgeFill) ([]any, error) {
	c := checker{record: "hedge fill " + h.TradeID}
	c.runID(h.RunID)
	c.required("venue", h.Venue)
	c.required("instrument", h.Instrument)
	c.required("trade id", h.TradeID)
	c.oneOf("side", h.Side, sides)
	c.positive("price", h.Price)
	c.positive("amount", h.Amount)
	c.required("fee asset", h.FeeAsset)
	c.time("time", h.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(h.RunID), h.Venue, h.Instrument, h.TradeID, h.Side, h.Price.String(), h.Amount.String(),
		h.Fee.String(), h.FeeAsset, toMillis(h.Time)}, nil
}

func fundingArgs(f *Funding) ([]any, error) {
	c := checker{record: "funding " + f.Instrument}
	c.runID(f.RunID)
	c.required("venue", f.Venue)
	c.required("instrument", f.Instrument)
	c.required("asset", f.Asset)
	c.time("time", f.Time)
	if c.err != nil {
		return nil, c.err
	}
	return []any{nullRunID(f.RunID), f.Venue, f.Instrument, toMillis(f.Time), market.DecimalText(f.Amount), f.Asset}, nil
}

func runArgs(r *Run) ([]any, error) {
	c := checker{record: "run"}
	c.required("account", r.Account)
	c.required("connector", r.Connector)
	c.required("market", r.Market)
	c.time("started at", r.StartedAt)
	if c.err != nil {
		return nil, c.err
	}
	return []any{r.Account, r.Connector, r.Market, r.ConfigHash, r.Config, toMillis(r.StartedAt),
		r.MMVersion}, nil
}
