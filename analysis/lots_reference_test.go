package analysis

// The decimal lot books below are the reference the replayer's market.Num books (lots_num.go) are checked
// against (replay_equiv_test.go). The average cost book is the pre-market.Num implementation (lots.go before the
// streaming replayer): the rule is its own definition, and this checks the port's arithmetic. The FIFO book is
// derived from FIFO's definition instead of restating the queue of lots_num.go, so a matching error shared by the
// two would show.

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

// fifoBook is FIFO written from its definition rather than as a queue that reducing fills consume: every unit
// sold is matched with the oldest unit bought, so once the position last left zero (or flipped) the open lots are the
// newest |q| units of the trades that opened it, and realized + unrealized is the lots' cash plus q·m (each unit's
// PnL is its sale price less its purchase price). Realized is therefore C + Σ_open q_l·p_l, open lots taken from the
// newest; a trade realizes the change of that.
type fifoBook struct {
	q, cash  decimal.Decimal
	opened   []lot // the trades that opened the position since it was last zero or flipped, oldest first
	realized decimal.Decimal
}

type lot struct {
	qty   decimal.Decimal // signed
	price decimal.Decimal
}

func (b *fifoBook) trade(qty, price decimal.Decimal) decimal.Decimal {
	after := b.q.Add(qty)
	switch {
	case after.IsZero():
		b.opened = nil
	case b.q.IsZero() || after.Sign() != b.q.Sign(): // opened, or flipped: what is left of the trade opens it
		b.opened = []lot{{qty: after, price: price}}
	case qty.Sign() == b.q.Sign():
		b.opened = append(b.opened, lot{qty: qty, price: price})
	}
	b.q, b.cash = after, b.cash.Sub(qty.Mul(price))
	realized := b.cash
	for _, l := range b.openLots() {
		realized = realized.Add(l.qty.Mul(l.price))
	}
	delta := realized.Sub(b.realized)
	b.realized = realized
	return delta
}

// openLots are the newest |q| units of the opening trades.
func (b *fifoBook) openLots() []lot {
	var open []lot
	left := b.q.Abs()
	for i := len(b.opened) - 1; i >= 0 && left.IsPositive(); i-- {
		l := b.opened[i]
		if l.qty.Abs().GreaterThan(left) {
			l.qty = left.Mul(decimal.NewFromInt(int64(l.qty.Sign())))
		}
		open = append(open, l)
		left = left.Sub(l.qty.Abs())
	}
	return open
}

func (b *fifoBook) unrealized(mid decimal.Decimal) decimal.Decimal {
	total := decimal.Zero
	for _, l := range b.openLots() {
		total = total.Add(l.qty.Mul(mid.Sub(l.price)))
	}
	return total
}
