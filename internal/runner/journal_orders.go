package runner

import (
	"context"
	"time"

	"github.com/mmtoolkit/mm/journal"
)

// With run.journal_orders "filled" an order's journal rows wait in its ownOrder until something worth keeping
// happens to it: a fill, a rejection, an unknown place outcome, or the run ending with the order still open.
// An order cancelled or expired without a fill is left out, with its "created" and "cancelled" events; they stay
// held (bounded by the order retention) in case a fill of it still arrives, which then journals them all, as
// "all" would have. Adopted orders are journaled at once (reconcile). With "all" (the default) every record goes
// to the journal as it happens.

// deferredOrder is an order's journal rows held back under run.journal_orders "filled".
type deferredOrder struct {
	record journal.Order
	events []journal.OrderEvent
	left   bool // the order ended without a fill: counted in ordersLeftOut unless a late fill journals it
}

// addOrder journals (or holds back) an order record; a second record of the same order replaces the first,
// as the journal's upsert would merge them (same identity and terms, later status and exchange id).
func (r *run) addOrder(ctx context.Context, o journal.Order) error {
	own := r.orders[o.ClientOrderID]
	if !r.deferOrders || own == nil || own.journaled {
		return r.j.AddOrder(ctx, o)
	}
	if own.deferred == nil {
		own.deferred = &deferredOrder{record: o}
		return nil
	}
	created := own.deferred.record.CreatedAt
	own.deferred.record = o
	own.deferred.record.CreatedAt = created
	return nil
}

// orderEvent journals an event of an order, or holds it back with the order's record (see addOrder).
func (r *run) orderEvent(ctx context.Context, id string, at time.Time, event, detail string) error {
	ev := journal.OrderEvent{ClientOrderID: id, Time: at, Event: event, Detail: detail}
	own := r.orders[id]
	if !r.deferOrders || own == nil || own.journaled {
		return r.j.AddOrderEvent(ctx, ev)
	}
	switch event {
	case journal.EventCreated:
		if own.deferred != nil {
			own.deferred.events = append(own.deferred.events, ev)
			return nil
		}
	case journal.EventCancelled, journal.EventExpired:
		if own.deferred != nil {
			if !own.deferred.left {
				own.deferred.left = true
				r.ordersLeftOut++
			}
			own.deferred.events = append(own.deferred.events, ev)
			return nil
		}
	}
	if err := r.flushDeferred(ctx, own); err != nil {
		return err
	}
	return r.j.AddOrderEvent(ctx, ev)
}

// flushDeferred journals an order's held-back rows; from then on its records go to the journal as they happen.
func (r *run) flushDeferred(ctx context.Context, own *ownOrder) error {
	own.journaled = true
	d := own.deferred
	own.deferred = nil
	if d == nil {
		return nil
	}
	if d.left {
		r.ordersLeftOut--
	}
	if err := r.j.AddOrder(ctx, d.record); err != nil {
		return err
	}
	for _, ev := range d.events {
		if err := r.j.AddOrderEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// flushOpenDeferred journals the held-back rows of the orders still open at the end of a run (keep_orders, or
// a drain that could not cancel them), so that the journal knows every order that outlives the run.
func (r *run) flushOpenDeferred(ctx context.Context) error {
	if !r.deferOrders {
		return nil
	}
	for _, id := range r.openOrderIDs() {
		if own := r.orders[id]; own.deferred != nil {
			if err := r.flushDeferred(ctx, own); err != nil {
				return err
			}
		}
	}
	return nil
}
