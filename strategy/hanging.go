package strategy

import (
	"time"

	"github.com/shopspring/decimal"
)

// defaultHangingCancelPct is the tracker's `hanging_orders_cancel_pct or Decimal("0.1")`: a configured 0
// silently becomes 10 % (§1.1, §3.1).
var defaultHangingCancelPct = decimal.New(1, -1)

// HangingCancelPct is the distance the tracker actually uses, with its `cancel_pct or 0.1` quirk.
func HangingCancelPct(p PMMParams) decimal.Decimal {
	if p.HangingOrdersCancelPct.IsZero() {
		return defaultHangingCancelPct
	}
	return p.HangingOrdersCancelPct
}

// PairExecutedProposal is add_current_pairs_of_proposal_orders_executed_by_strategy (§3.1): the first k =
// min(#buys, #sells) buys and sells just placed are paired by index; the rest are never tracked.
func PairExecutedProposal(pairs []HangingPair, buyIDs, sellIDs []string) []HangingPair {
	for i := range min(len(buyIDs), len(sellIDs)) {
		pairs = append(pairs, HangingPair{BuyID: buyIDs[i], SellID: sellIDs[i]})
	}
	return pairs
}

// HangingCandidates is _add_hanging_orders_based_on_partially_executed_pairs (§3.1, vector hanging_pairs): of
// each pair where exactly one side completed, the other side, if still active. Pairs where neither or both
// completed give nothing.
func HangingCandidates(pairs []HangingPair, orders []Order) []string {
	var ids []string
	for _, pair := range pairs {
		if pair.FilledBuy == pair.FilledSell {
			continue
		}
		unfilled := pair.BuyID
		if pair.FilledBuy {
			unfilled = pair.SellID
		}
		if orderIndex(orders, unfilled) >= 0 {
			ids = append(ids, unfilled)
		}
	}
	return ids
}

// promoteHanging is update_strategy_orders_with_equivalent_orders at a non-deferred refresh (§3.1): the
// candidates become hanging orders and the pair list is cleared, so a pair is judged only once.
func promoteHanging(s *tickState, e *Explain) {
	for _, id := range HangingCandidates(s.HangingPairs, s.Orders) {
		i := orderIndex(s.Orders, id)
		s.order(i).Hanging = true
		e.notef("hanging: %s %s %s@%s becomes a hanging order (its pair's other side filled)", id,
			s.Orders[i].Side, s.Orders[i].Remaining(), s.Orders[i].Price)
	}
	s.HangingPairs = nil
}

// hangingProcessTick is the tracker's process_tick (§1.2 step 3, §3.1): cancel hanging orders farther than
// cancel_pct from the reference price (strictly), once, then cancel hanging orders older than max_order_age for
// renewal. An order whose cancel is already in flight is neither cancelled again nor renewed (pinned: Hummingbot
// would also mark a far order for renewal and re-place it, only to cancel it again, HB #3790).
func hangingProcessTick(p PMMParams, s *tickState, now time.Time, price decimal.Decimal, out *[]CancelRequest) {
	if price.Sign() > 0 {
		far := newDistanceLimit(HangingCancelPct(p), price)
		for i := range s.Orders {
			o := &s.Orders[i]
			if o.Hanging && !o.CancelInFlight && far.beyond(o.Price) {
				o = s.order(i)
				o.CancelInFlight = true
				*out = append(*out, CancelRequest{ClientID: o.ClientID, Reason: CancelHangingFarFromPrice})
			}
		}
	}
	if p.MaxOrderAge <= 0 {
		return
	}
	for i := range s.Orders {
		o := &s.Orders[i]
		if o.Hanging && !o.CancelInFlight && !o.Renewing && now.Sub(o.Created) > p.MaxOrderAge {
			o = s.order(i)
			o.CancelInFlight, o.Renewing = true, true
			*out = append(*out, CancelRequest{ClientID: o.ClientID, Reason: CancelHangingRenewal})
		}
	}
}

// placeRenewals re-places the hanging orders whose renewal cancel arrived since the last tick, identical in side,
// price and amount, as new hanging orders created now (§3.1). Hummingbot places them from the cancel event
// itself; mm's events return no actions, so they go out on the next tick.
func placeRenewals(p PMMParams, s *tickState, m *MarketSnapshot, places *[]PlaceRequest) {
	if len(s.Renewals) > 0 {
		s.copyOrders()
	}
	for _, r := range s.Renewals {
		req := PlaceRequest{Side: r.Side, Price: r.Price, Amount: r.Amount, Level: r.Level, Hanging: true,
			PostOnly: !p.TakeIfCrossed}
		req.ClientID = m.NewClientID(r.Side, r.Level)
		s.Orders = append(s.Orders, Order{ClientID: req.ClientID, Side: r.Side, Price: r.Price, Amount: r.Amount,
			Created: m.Now, Level: r.Level, Hanging: true})
		*places = append(*places, req)
	}
	s.Renewals = nil
}

func orderIndex(orders []Order, id string) int {
	for i := range orders {
		if orders[i].ClientID == id {
			return i
		}
	}
	return -1
}
