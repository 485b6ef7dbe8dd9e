package analysis

import (
	"github.com/mmtoolkit/mm/market"
)

// Lot accounting methods for realized and unrealized PnL (reference/quant.md §4.4). Both give the same
// realized + unrealized; only the split differs. Fees are kept out of the cost basis (the recommended choice of
// §4.4): they are their own column, so "realized" is gross of fees.
const (
	MethodAvgCost = "avg-cost"
	MethodFIFO    = "fifo"
)

// numLotBook is the replayer's lot book. Amounts are market.Num: exact, an int64 mantissa while they fit,
// decimal.Decimal otherwise; the results equal the decimal reference books of lots_reference_test.go.
type numLotBook interface {
	// trade applies a signed quantity (+ buy, − sell) at price and returns the PnL it realized.
	trade(qty, price market.Num) market.Num
	// unrealized values the open position at mid.
	unrealized(mid market.Num) market.Num
}

func newNumLotBook(method string) numLotBook {
	if method == MethodFIFO {
		return &numFifoBook{}
	}
	return &numAvgCostBook{}
}

// numAvgCostBook keeps (q, c̄): increasing fills move the average cost, reducing fills realize against it,
// a flip closes at c̄ and opens the rest at the fill price.
type numAvgCostBook struct {
	qty  market.Num
	cost market.Num
}

// costPlaces is the precision of the average cost: c̄ = (|q|·c̄ + n·p)/(|q| + n) rounded to 28 decimals.
const costPlaces = 28

func (b *numAvgCostBook) trade(qty, price market.Num) market.Num {
	if qty.IsZero() {
		return market.Num{}
	}
	if b.qty.IsZero() || b.qty.Sign() == qty.Sign() {
		if f, ok := price.Fixed(); ok && b.qty.IsZero() && f.Exponent() >= -costPlaces {
			b.cost = price // (0·c̄ + n·p)/n = p, which 28 decimals hold exactly
		} else {
			total := b.qty.Abs().Add(qty.Abs())
			sum := b.qty.Abs().Mul(b.cost).Add(qty.Abs().Mul(price))
			b.cost = market.NumFromDecimal(sum.Decimal().DivRound(total.Decimal(), costPlaces))
		}
		b.qty = b.qty.Add(qty)
		return market.Num{}
	}
	closed := qty.Abs()
	if open := b.qty.Abs(); open.Cmp(closed) < 0 {
		closed = open
	}
	// Long: closed·(p − c̄); short: closed·(c̄ − p). sign(q) folds both into one expression.
	realized := closed.Mul(price.Sub(b.cost))
	if b.qty.Sign() < 0 {
		realized = realized.Neg()
	}
	b.qty = b.qty.Add(qty)
	switch {
	case b.qty.IsZero():
		b.cost = market.Num{}
	case b.qty.Sign() == qty.Sign(): // flipped: the remainder opens at the fill price
		b.cost = price
	}
	return realized
}

func (b *numAvgCostBook) unrealized(mid market.Num) market.Num {
	return b.qty.Mul(mid.Sub(b.cost))
}

// numFifoBook keeps open lots oldest first; a reducing fill consumes the oldest lots.
type numFifoBook struct {
	lots []numLot
}

type numLot struct {
	qty   market.Num // signed
	price market.Num
}

func (b *numFifoBook) trade(qty, price market.Num) market.Num {
	var realized market.Num
	for !qty.IsZero() && len(b.lots) > 0 && b.lots[0].qty.Sign() != qty.Sign() {
		head := &b.lots[0]
		matched := qty.Abs()
		if open := head.qty.Abs(); open.Cmp(matched) < 0 {
			matched = open
		}
		r := matched.Mul(price.Sub(head.price))
		if head.qty.Sign() < 0 {
			r = r.Neg()
		}
		realized = realized.Add(r)
		if head.qty.Sign() > 0 {
			head.qty = head.qty.Sub(matched)
			qty = qty.Add(matched)
		} else {
			head.qty = head.qty.Add(matched)
			qty = qty.Sub(matched)
		}
		if head.qty.IsZero() {
			b.lots = b.lots[1:]
		}
	}
	if !qty.IsZero() {
		b.lots = append(b.lots, numLot{qty: qty, price: price})
	}
	return realized
}

func (b *numFifoBook) unrealized(mid market.Num) market.Num {
	var total market.Num
	for _, l := range b.lots {
		total = total.Add(l.qty.Mul(mid.Sub(l.price)))
	}
	return total
}
