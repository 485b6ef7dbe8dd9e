package strategy

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// OrderAgeExceeded is max_order_age's test (§1.5): age = int(now − created) in whole seconds, strictly greater
// than max_order_age.
func OrderAgeExceeded(created, now time.Time, maxOrderAge time.Duration) bool {
	age := now.Sub(created).Truncate(time.Second)
	return age > maxOrderAge
}

// cancelOnMaxAge is c_cancel_active_orders_on_max_age_limit (§1.2 step 4, §1.5): if any active non-hanging order
// is too old, every active non-hanging order is cancelled, regardless of timers and tolerance.
func cancelOnMaxAge(p PMMParams, s *PMMState, now time.Time, out *[]CancelRequest) bool {
	old := slices.ContainsFunc(s.Orders, func(o Order) bool {
		return !o.Hanging && OrderAgeExceeded(o.Created, now, p.MaxOrderAge)
	})
	if !old {
		return false
	}
	cancelNonHanging(s, CancelMaxOrderAge, out)
	return true
}

// cancelNonHanging cancels every active non-hanging order whose cancel is not already in flight: a cancel is
// sent once (users.md (c): "cancel sent once at max age", HB #3790), where Hummingbot re-sends it every tick.
func cancelNonHanging(s *PMMState, reason CancelReason, out *[]CancelRequest) {
	for i := range s.Orders {
		o := &s.Orders[i]
		if !o.Hanging && !o.CancelInFlight {
			o.CancelInFlight = true
			*out = append(*out, CancelRequest{ClientID: o.ClientID, Reason: reason})
		}
	}
}

// WithinTolerance is c_is_within_tolerance (§3.4, vector refresh_tolerance): the lists must have the same length
// and, both sorted ascending, every |proposed − current|/current ≤ tolerance. It compares |proposed − current| ≤
// tolerance·current, which is the same test without a rounded division.
func WithinTolerance(current, proposed []decimal.Decimal, tolerance decimal.Decimal) bool {
	if len(current) != len(proposed) {
		return false
	}
	current, proposed = sortedPrices(current), sortedPrices(proposed)
	for i := range current {
		if proposed[i].Sub(current[i]).Abs().GreaterThan(tolerance.Mul(current[i])) {
			return false
		}
	}
	return true
}

func sortedPrices(prices []decimal.Decimal) []decimal.Decimal {
	if slices.IsSortedFunc(prices, decimal.Decimal.Cmp) {
		return prices
	}
	sorted := slices.Clone(prices)
	slices.SortFunc(sorted, decimal.Decimal.Cmp)
	return sorted
}

// refreshDeferred is the tolerance half of c_cancel_active_orders (§3.4): with a proposal and a tolerance ≥ 0,
// keep the live non-hanging orders when both sides are within tolerance. Sizes are not compared.
func refreshDeferred(p PMMParams, orders []Order, proposal *Proposal) bool {
	if proposal == nil || p.OrderRefreshTolerancePct.Sign() < 0 {
		return false
	}
	return WithinTolerance(livePrices(orders, market.Buy), proposalPrices(proposal.Buys), p.OrderRefreshTolerancePct) &&
		WithinTolerance(livePrices(orders, market.Sell), proposalPrices(proposal.Sells), p.OrderRefreshTolerancePct)
}

func livePrices(orders []Order, side market.Side) []decimal.Decimal {
	prices := make([]decimal.Decimal, 0, len(orders))
	for _, o := range orders {
		if !o.Hanging && o.Side == side {
			prices = append(prices, o.Price)
		}
	}
	return prices
}

func proposalPrices(entries []ProposedOrder) []decimal.Decimal {
	prices := make([]decimal.Decimal, len(entries))
	for i, o := range entries {
		prices[i] = o.Price
	}
	return prices
}

// cancelActiveOrders is c_cancel_active_orders (§1.2 step 5, §1.5, §3.4). At cancel_timestamp <= now (inclusive)
// with active non-hanging orders: unless the tolerance check defers, half-filled pairs promote their other side
// to hanging and every other non-hanging order is cancelled. A nil proposal (filled_order_delay) never defers.
// PMM does not reset its timers when it defers, so the check repeats every tick (§3.4).
func cancelActiveOrders(p PMMParams, s *PMMState, proposal *Proposal, now time.Time, out *[]CancelRequest, e *Explain) {
	if s.CancelAt.After(now) || !slices.ContainsFunc(s.Orders, func(o Order) bool { return !o.Hanging }) {
		return
	}
	if refreshDeferred(p, s.Orders, proposal) {
		e.notef("refresh: live orders kept, every proposed price is within %s of the live one",
			p.OrderRefreshTolerancePct)
		return
	}
	promoteHanging(s, e)
	cancelNonHanging(s, CancelRefresh, out)
}

// cancelBelowMinSpread is c_cancel_orders_below_min_spread (§1.2 step 6, §1.5): a non-hanging order whose spread
// to the reference price, (ref − price)/ref for buys and (price − ref)/ref for sells, is below minimum_spread is
// cancelled; crossed orders have negative spreads.
func cancelBelowMinSpread(p PMMParams, s *PMMState, price decimal.Decimal, out *[]CancelRequest) {
	if price.Sign() <= 0 {
		return
	}
	limit := p.MinimumSpread.Mul(price)
	for i := range s.Orders {
		o := &s.Orders[i]
		if o.Hanging || o.CancelInFlight {
			continue
		}
		distance := o.Price.Sub(price)
		if o.Side == market.Buy {
			distance = distance.Neg()
		}
		if distance.LessThan(limit) {
			o.CancelInFlight = true
			*out = append(*out, CancelRequest{ClientID: o.ClientID, Reason: CancelMinimumSpread})
		}
	}
}
