package analysis

import "github.com/shopspring/decimal"

// coinBasis is the coin cost basis K of an inverse contract's open lots: the coin the trades that opened them moved
// into the hedge account's cash (n·face/p each, coinOf). The account's coin is K plus R, the coin that is no
// longer tied to an open lot — realized coin PnL, coin fees and coin funding — and a mark move F → F' revalues the
// two apart (quant.md §4.3): K·ΔF is the position's own mark-to-market, hedge PnL; R·ΔF is the FX translation of
// coin already earned or paid, reported on its own.
//
// Lots are matched as the realized/unrealized lots are (--method): average cost releases a reduced position's basis
// pro rata, FIFO the oldest lots' first. The part of a lot's (or of a trade's) coin that goes with part of its
// contracts is coin·part/whole, rounded half away from zero to coinPlaces decimals: the only division here, far
// below any venue's coin precision, and it moves money only between hedge_pnl and fx_translation, never their sum.
// A lot closed whole releases exactly the coin it holds, so a position opened and closed in full leaves R exact.
type coinBasis struct {
	fifo bool
	// Average cost: the open position (signed contracts) and its basis. FIFO: the lots, oldest first, and the
	// sum of their coin in coin.
	contracts, coin decimal.Decimal
	lots            []coinLot
}

type coinLot struct {
	contracts, coin decimal.Decimal // signed alike
}

func newCoinBasis(method string) *coinBasis {
	return &coinBasis{fifo: method == MethodFIFO}
}

// basis is K.
func (b *coinBasis) basis() decimal.Decimal { return b.coin }

// proRata is the part of coin that goes with part of whole contracts (|part| ≤ |whole|).
func proRata(coin, part, whole decimal.Decimal) decimal.Decimal {
	if part.Abs().Equal(whole.Abs()) {
		return coin
	}
	return coin.Mul(part.Abs()).DivRound(whole.Abs(), coinPlaces)
}

// trade books a fill of signed contracts that moved coin (same sign) into the account.
func (b *coinBasis) trade(contracts, coin decimal.Decimal) {
	if contracts.IsZero() {
		return
	}
	if b.fifo {
		b.tradeFIFO(contracts, coin)
		return
	}
	if b.contracts.IsZero() || b.contracts.Sign() == contracts.Sign() {
		b.contracts, b.coin = b.contracts.Add(contracts), b.coin.Add(coin)
		return
	}
	closed := decimal.Min(contracts.Abs(), b.contracts.Abs())
	b.coin = b.coin.Sub(proRata(b.coin, closed, b.contracts))
	rest := contracts.Abs().Sub(closed)
	if rest.IsPositive() { // a flip: the rest opens a position of the trade's sign with its share of the trade's coin
		b.contracts = rest.Mul(decimal.NewFromInt(int64(contracts.Sign())))
		b.coin = proRata(coin, rest, contracts)
		return
	}
	b.contracts = b.contracts.Add(contracts)
}

func (b *coinBasis) tradeFIFO(contracts, coin decimal.Decimal) {
	whole, wholeCoin := contracts, coin
	for !contracts.IsZero() && len(b.lots) > 0 && b.lots[0].contracts.Sign() != contracts.Sign() {
		head := &b.lots[0]
		matched := decimal.Min(contracts.Abs(), head.contracts.Abs())
		released := proRata(head.coin, matched, head.contracts)
		b.coin = b.coin.Sub(released)
		head.coin = head.coin.Sub(released)
		if head.contracts.IsPositive() {
			head.contracts, contracts = head.contracts.Sub(matched), contracts.Add(matched)
		} else {
			head.contracts, contracts = head.contracts.Add(matched), contracts.Sub(matched)
		}
		if head.contracts.IsZero() {
			b.lots = b.lots[1:]
		}
	}
	if contracts.IsZero() {
		return
	}
	opened := proRata(wholeCoin, contracts, whole)
	b.lots = append(b.lots, coinLot{contracts: contracts, coin: opened})
	b.coin = b.coin.Add(opened)
}
