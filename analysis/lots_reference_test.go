package analysis

// The decimal lot books below are the reference the replayer's market.Num books (lots_num.go) are checked
// against (replay_equiv_test.go).

import (
	"github.com/shopspring/decimal"
)

// lotBook tracks a position for realized/unrealized PnL.
type lotBook interface {
	// trade applies a signed quantity (+ buy, − sell) at price and returns the PnL it realized.
	trade(qty, price decimal.Decimal) decimal.Decimal
	// unrealized values the open position at mid.
	unrealized(mid decimal.Decimal) decimal.Decimal
}

func newLotBook(method string) lotBook {
	if method == MethodFIFO {
		return &fifoBook{}
	}
	return &avgCostBook{}
}

// avgCostBook keeps (q, c̄): increasing fills move the average cost, reducing fills realize against it, a flip
// closes at c̄ and opens the rest at the fill price.
type avgCostBook struct {
	qty  decimal.Decimal
	cost decimal.Decimal
}

func (b *avgCostBook) trade(qty, price decimal.Decimal) decimal.Decimal {
	if qty.IsZero() {
		return decimal.Zero
	}
	if b.qty.IsZero() || b.qty.Sign() == qty.Sign() {
		total := b.qty.Abs().Add(qty.Abs())
		b.cost = b.qty.Abs().Mul(b.cost).Add(qty.Abs().Mul(price)).DivRound(total, 28)
		b.qty = b.qty.Add(qty)
		return decimal.Zero
	}
	closed := decimal.Min(qty.Abs(), b.qty.Abs())
	// Long: closed·(p − c̄); short: closed·(c̄ − p). sign(q) folds both into one expression.
	realized := closed.Mul(price.Sub(b.cost)).Mul(decimal.NewFromInt(int64(b.qty.Sign())))
	b.qty = b.qty.Add(qty)
	switch {
	case b.qty.IsZero():
		b.cost = decimal.Zero
	case b.qty.Sign() == qty.Sign(): // flipped: the remainder opens at the fill price
		b.cost = price
	}
	return realized
}

func (b *avgCostBook) unrealized(mid decimal.Decimal) decimal.Decimal {
	return b.qty.Mul(mid.Sub(b.cost))
}

// fifoBook keeps open lots oldest first; a reducing fill consumes the oldest lots.
type fifoBook struct {
	lots []lot
}

type lot struct {
	qty   decimal.Decimal // signed
	price decimal.Decimal
}

func (b *fifoBook) trade(qty, price decimal.Decimal) decimal.Decimal {
	realized := decimal.Zero
	for !qty.IsZero() && len(b.lots) > 0 && b.lots[0].qty.Sign() != qty.Sign() {
		head := &b.lots[0]
		matched := decimal.Min(qty.Abs(), head.qty.Abs())
		realized = realized.Add(matched.Mul(price.Sub(head.price)).Mul(decimal.NewFromInt(int64(head.qty.Sign()))))
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
		b.lots = append(b.lots, lot{qty: qty, price: price})
	}
	return realized
}

func (b *fifoBook) unrealized(mid decimal.Decimal) decimal.Decimal {
	total := decimal.Zero
	for _, l := range b.lots {
		total = total.Add(l.qty.Mul(mid.Sub(l.price)))
	}
	return total
}
