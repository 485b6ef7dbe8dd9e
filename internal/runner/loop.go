package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// errStop ends the loop without an error: the data ended or the duration passed (r.reason says which).
var errStop = errors.New("run stop")

// loop pulls event batches until a stop condition. Time is the event clock: simulated time in a replay, event
// time live (DESIGN.md §3). A tick runs on the first batch at or after each multiple of run.tick_interval from
// the first event; a replay with gaps ticks once per batch at most, never at a time no event reached.
func (r *run) loop(ctx context.Context) error {
	for {
		b, err := r.next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				r.reason = ReasonFeedEnd
				return errStop
			}
			return err
		}
		if err := r.onBatch(ctx, b); err != nil {
			return err
		}
		select {
		case err := <-r.j.Err():
			return fmt.Errorf("journal: %w", err)
		default:
		}
	}
}

func (r *run) onBatch(ctx context.Context, b batch) error {
	if b.Now.IsZero() {
		return r.applyEvents(ctx, b.Events)
	}
	if r.firstEvent.IsZero() {
		r.firstEvent, r.now, r.nextTick, r.nextStatus = b.Now, b.Now, b.Now, b.Now.Add(r.statusInterval)
	}
	if end := r.firstEvent.Add(r.duration); r.duration > 0 && !b.Now.Before(end) {
		// A batch of several steps (a lockstep plugin replay) may hold events from before the end: they are
		// applied, as one step at a time would have applied them, and the first event at or after it is not.
		var before []sdk.Event
		for _, ev := range b.Events {
			if !ev.Time.IsZero() && !ev.Time.Before(end) {
				break
			}
			before = append(before, ev)
		}
		if len(before) > 0 {
			if err := r.applyEvents(ctx, before); err != nil {
				return err
			}
		}
		r.reason = ReasonDuration
		return errStop
	}
	if b.Now.After(r.now) {
		r.now = b.Now
	}
	if r.startBalancesDue {
		r.startBalancesDue = false
		if err := r.journalBalances(ctx, journal.BalanceStart); err != nil {
			return err
		}
	}
	if err := r.applyEvents(ctx, b.Events); err != nil {
		return err
	}
	if !r.now.Before(r.nextTick) {
		for !r.now.Before(r.nextTick) {
			r.nextTick = r.nextTick.Add(r.tickInterval)
		}
		if err := r.tick(ctx); err != nil {
			return err
		}
	}
	r.report()
	return nil
}

// applyEvents applies market data to the snapshot and own order events to the journal and the strategy.
func (r *run) applyEvents(ctx context.Context, events []sdk.Event) error {
	for _, ev := range events {
		switch p := ev.Payload.(type) {
		case sdk.BookTop:
			r.bid, r.bidSize, r.ask, r.askSize = p.BidPrice, p.BidAmount, p.AskPrice, p.AskAmount
			r.midOK = false
			r.lastData = eventTime(ev, r.now)
		case sdk.BookDepth:
			if r.wantsDepth() {
				r.depthBids, r.depthAsks = p.Bids, p.Asks
			}
		case sdk.PublicTrade:
			r.lastTrade = p.Price
			r.modelTrade(ev, p)
			r.lastData = eventTime(ev, r.now)
		case sdk.FillEvent:
			// The mid in force before the fill: the book as the last BookTop left it (DESIGN.md §3).
			if err := r.onFill(ctx, p.Fill, r.nullMid()); err != nil {
				return err
			}
		case sdk.OrderUpdate:
			if err := r.onOrderUpdate(ctx, p.Order, eventTime(ev, r.now)); err != nil {
				return err
			}
		case sdk.BalanceUpdate:
			r.balances[p.Balance.Asset] = p.Balance
		case sdk.Resync:
			r.log.Warn("connector lost continuity; reconciling", "reason", p.Reason)
			if err := r.reconcile(ctx, false); err != nil {
				return err
			}
		case sdk.Gap:
			r.log.Warn("event stream gap; reconciling", "gap", p.Error())
			if err := r.reconcile(ctx, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func eventTime(ev sdk.Event, fallback time.Time) time.Time {
	if ev.Time.IsZero() {
		return fallback
	}
	return ev.Time
}

// onFill journals a fill once and applies it to the strategy when it is one of the run's tracked orders.
func (r *run) onFill(ctx context.Context, f sdk.Fill, mid decimal.NullDecimal) error {
	if r.seenTrades[f.TradeID] {
		return nil
	}
	r.seenTrades[f.TradeID] = true
	maker := f.Maker
	jf := journal.Fill{RunID: r.runID, Connector: r.connName, Market: r.marketName, BaseAsset: r.pair.Base,
		QuoteAsset: r.pair.Quote, ExchangeTradeID: f.TradeID, ClientOrderID: f.ClientOrderID, Side: string(f.Side),
		Price: f.Price, Amount: f.Amount, Fee: f.Fee, FeeAsset: f.FeeAsset, IsMaker: &maker, Mid: mid, Time: f.Time}
	if err := r.j.AddFill(ctx, jf); err != nil {
		return err
	}
	own, tracked := r.orders[f.ClientOrderID]
	if !tracked {
		return nil
	}
	r.fills++
	r.baseVolume = r.baseVolume.Add(f.Amount)
	r.quoteVol = r.quoteVol.Add(f.Amount.Mul(f.Price))
	r.fees[f.FeeAsset] = r.fees[f.FeeAsset].Add(f.Fee)
	r.addInventoryFill(f)
	own.filled = own.filled.Add(f.Amount)
	complete := own.filled.GreaterThanOrEqual(own.amount)
	r.state = strategy.OnOrderFilled(r.params, r.state, strategy.OrderFilled{ClientID: f.ClientOrderID,
		Price: f.Price, Amount: f.Amount, Complete: complete, Time: f.Time})
	event := journal.EventPartiallyFilled
	if complete {
		event = journal.EventFilled
		delete(r.unknown, f.ClientOrderID)
	}
	detail := fmt.Sprintf("trade %s: %s at %s", f.TradeID, f.Amount, f.Price)
	if err := r.orderEvent(ctx, f.ClientOrderID, f.Time, event, detail); err != nil {
		return err
	}
	own.status = event
	return nil
}

// onOrderUpdate journals status changes of own orders that fills do not already report (accepted, cancelled,
// rejected, expired) and tells the strategy. A repeated status is not journaled twice.
func (r *run) onOrderUpdate(ctx context.Context, o sdk.Order, at time.Time) error {
	own, tracked := r.orders[o.ClientOrderID]
	if !tracked {
		return nil
	}
	status := string(o.Status)
	switch o.Status {
	case sdk.StatusPartiallyFilled, sdk.StatusFilled:
		return nil // onFill journals these, from the fill itself
	case sdk.StatusOpen:
		if own.status != journal.StatusUnknown {
			return nil
		}
		delete(r.unknown, o.ClientOrderID)
		status = journal.EventCreated
	}
	if own.status == status || !own.open() {
		return nil
	}
	if err := r.orderEvent(ctx, o.ClientOrderID, at, status, ""); err != nil {
		return err
	}
	own.status = status
	if status == journal.EventCreated {
		own.status = journal.StatusOpen
		return nil
	}
	delete(r.unknown, o.ClientOrderID)
	switch o.Status {
	case sdk.StatusCancelled, sdk.StatusExpired:
		r.state = strategy.OnOrderCancelled(r.params, r.state, strategy.OrderCancelled{ClientID: o.ClientOrderID,
			Time: at})
	case sdk.StatusRejected:
		r.state = strategy.OnOrderRejected(r.params, r.state, strategy.OrderRejected{ClientID: o.ClientOrderID,
			Reason: "rejected by the exchange", Time: at})
	}
	return nil
}

var half = decimal.New(5, -1)

// mid is the snapshot's mid price, zero while either side of the book is unknown.
func (r *run) mid() decimal.Decimal {
	if r.midOK {
		return r.midValue
	}
	r.midValue, r.midOK = decimal.Zero, true
	if r.bid.Sign() > 0 && r.ask.Sign() > 0 {
		// Halving is exact (one more decimal digit), where Div would pad the quotient to 16 decimals, which the
		// strategy's fixed-point stages cannot hold (they then fall back to decimal arithmetic every tick).
		r.midValue = r.bid.Add(r.ask).Mul(half)
	}
	return r.midValue
}

func (r *run) nullMid() decimal.NullDecimal {
	if mid := r.mid(); mid.Sign() > 0 {
		return decimal.NewNullDecimal(mid)
	}
	return decimal.NullDecimal{}
}

// clock is the event clock, or the wall clock before the first event (records made while reconciling at
// start, before the feed has said what time it is).
func (r *run) clock() time.Time {
	if r.now.IsZero() {
		return time.Now().UTC()
	}
	return r.now
}
