package strategy

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// OrderCreated reports that the exchange accepted an order, or, for a client id the state does not know, an
// own order found on the exchange at start-up (reconcile).
type OrderCreated struct {
	ClientID string
	Side     market.Side
	Price    decimal.Decimal
	Amount   decimal.Decimal
	Time     time.Time
}

// OrderFilled reports a fill of Amount at Price. Complete is true for the fill that completes the order
// (Hummingbot's BuyOrderCompleted/SellOrderCompleted); partial fills leave it false.
type OrderFilled struct {
	ClientID string
	Price    decimal.Decimal
	Amount   decimal.Decimal
	Complete bool
	Time     time.Time
}

// OrderCancelled reports a confirmed cancel (or an expiry).
type OrderCancelled struct {
	ClientID string
	Time     time.Time
}

// OrderRejected reports that the exchange refused an order, or that placing it failed for good.
type OrderRejected struct {
	ClientID string
	Reason   string
	Time     time.Time
}

// OnOrderCreated marks a tracked order as acknowledged. An unknown client id is an own order adopted at start-up:
// with hanging orders enabled it becomes a hanging order, as Hummingbot restores orders from its MarketState
// (§3.1 "Other behaviour"); otherwise it is an ordinary active order that the next refresh cancels.
func OnOrderCreated(p PMMParams, s PMMState, ev OrderCreated) PMMState {
	s = s.clone()
	if i := orderIndex(s.Orders, ev.ClientID); i >= 0 {
		s.Orders[i].Acknowledged = true
		return s
	}
	s.Orders = append(s.Orders, Order{ClientID: ev.ClientID, Side: ev.Side, Price: ev.Price, Amount: ev.Amount,
		Created: ev.Time, Level: -1, Hanging: p.HangingOrdersEnabled, Acknowledged: true})
	return s
}

// OnOrderFilled applies a fill (§1.6). A partial fill only reduces what the order still locks: it flips no
// ping-pong side and starts no delay (users.md §3 #76). A complete fill removes the order; if it was not hanging
// it starts filled_order_delay (create_timestamp = now + delay, cancel_timestamp pulled to it if earlier),
// counts for ping pong, sets the last own trade price to the order's limit price and marks its hanging pair.
// A completed hanging order is only forgotten (§3.1). Fills of unknown orders change nothing.
func OnOrderFilled(p PMMParams, s PMMState, ev OrderFilled) PMMState {
	i := orderIndex(s.Orders, ev.ClientID)
	if i < 0 {
		return s
	}
	s = s.clone()
	order := s.Orders[i]
	if !ev.Complete {
		s.Orders[i].Filled = order.Filled.Add(ev.Amount)
		return s
	}
	s.Orders = append(s.Orders[:i], s.Orders[i+1:]...)
	if order.Hanging {
		return s
	}
	s.CreateAt = ev.Time.Add(p.FilledOrderDelay)
	if s.CreateAt.Before(s.CancelAt) {
		s.CancelAt = s.CreateAt
	}
	if order.Side == market.Buy {
		s.FilledBuys++
	} else {
		s.FilledSells++
	}
	s.LastOwnTradePrice = decimal.NewNullDecimal(order.Price)
	for j := range s.HangingPairs {
		pair := &s.HangingPairs[j]
		switch ev.ClientID {
		case pair.BuyID:
			pair.FilledBuy = true
		case pair.SellID:
			pair.FilledSell = true
		}
	}
	return s
}

// OnOrderCancelled forgets a cancelled order. A hanging order cancelled for renewal is queued to be placed again
// with the same side and price on the next tick (§3.1), for the amount still open (Hummingbot re-places the
// original amount even after partial fills; mm does not re-buy what already filled). An unknown id changes nothing, so a cancel
// confirmation for an order that is already gone cannot loop (HB #4879).
func OnOrderCancelled(p PMMParams, s PMMState, ev OrderCancelled) PMMState {
	i := orderIndex(s.Orders, ev.ClientID)
	if i < 0 {
		return s
	}
	s = s.clone()
	order := s.Orders[i]
	s.Orders = append(s.Orders[:i], s.Orders[i+1:]...)
	if order.Hanging && order.Renewing {
		s.Renewals = append(s.Renewals, HangingRenewal{Side: order.Side, Price: order.Price,
			Amount: order.Remaining(), Level: order.Level})
	}
	return s
}

// OnOrderRejected forgets an order the exchange refused. Nothing is retried: the next proposal decides again.
func OnOrderRejected(p PMMParams, s PMMState, ev OrderRejected) PMMState {
	i := orderIndex(s.Orders, ev.ClientID)
	if i < 0 {
		return s
	}
	s = s.clone()
	s.Orders = append(s.Orders[:i], s.Orders[i+1:]...)
	return s
}
