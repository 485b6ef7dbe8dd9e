package analysis

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// Hedge PnL (reference/quant.md §4.3, §5.1, §5.2). Each hedge instrument is an account of its own, valued in the
// instrument's quote asset at its mark F:
//
//	linear:  V = C_quote + N·size·F
//	inverse: V = C_coin·F + C_quote − N·face
//
// N is the position in contracts, C_quote and C_coin the cash the hedge's trades, fees and funding moved in the
// quote asset and in the settlement coin. The inverse form follows from the coin equity C_coin − N·face/F (a long
// of n contracts bought at p receives n·face/p coin of "cash" and owes n·face/F back at the mark, so its coin PnL is
// n·face·(1/p − 1/F), §5.2), converted to quote at F: quant.md values the coin PnL of an inverse contract at the
// contract's own mark (vector INV-01: +0.181818 BTC worth 10,000 USD at F₁ = 55,000).
//
// Every event's change of V is attributed to a component:
//
//	a mark F → F':      ΔV = N·size·(F' − F)                                   hedge inventory PnL (linear)
//	                    ΔV = K·(F' − F) + R·(F' − F)                           hedge inventory PnL + FX translation (inverse)
//	a fill (ε, n, p):   ΔV = ε·n·size·(F − p)  or  ε·coin(n, p)·F − ε·n·face   hedge spread capture
//	                         − fee valued in quote                             fees
//	a funding payment:  ΔV = amount valued in quote                            funding
//
// For an inverse contract the account's coin C_coin is K + R (coinBasis): K, the coin its open lots moved in at
// their fill prices, and R, the coin no open lot holds — realized coin PnL, coin fees and coin funding. K·ΔF is the
// position's own mark-to-market (with K·F − N·face its value, this is the USD value of its coin PnL at the mark);
// R·ΔF is quant.md §4.3's FX-translation term, the revaluation of coin already earned or paid, which the reference
// says to report separately: it is the fx_translation column, part of the identity, never of hedge_pnl. mm does not
// journal transfers out of a hedge account (yet), so coin left there after a position closes keeps being translated
// in later windows, and the instrument keeps its row while its marks move. A linear contract holds no coin: its
// FX translation is 0.
//
// hedge_pnl is spread capture plus inventory PnL, gross of fees and funding, which have their own columns. The
// equity change is not the sum of those components: it is V(end) − V(start) of each bucket, V computed from the
// account's state (cash in quote and coin, position, mark) when the window (or a bucket) opens and when it closes,
// so the residual equity change − total checks the attribution instead of restating it.
//
// Realized and unrealized PnL come from the lots (quant.md §4.4): for a linear contract of N·size base units at the
// fill prices, as for spot; for an inverse contract of −N·face quote at 1/p coin per quote, which gives them in coin
// (RealizedCoin, UnrealizedCoin). In quote, realized coin is valued at the mark when it is realized and unrealized
// coin at the last mark, so realized + unrealized is the hedge PnL of the positions' lives (not of the window when a
// position was opened before it: its lots keep their fill prices).
//
// The divisions are coin(n, p) = n·face/p, the coin an inverse trade moves, rounded half away from zero to
// coinPlaces decimals (far below any venue's coin precision), the pro-rata coin basis of partly closed lots
// (coinBasis), and the reported coin figures; every term of the identity is then exact, so residual is exactly 0.
const coinPlaces = 16

// HedgePnL is one hedge instrument's PnL over the window, in its quote asset.
type HedgePnL struct {
	Instrument journal.HedgeInstrument
	Buckets    []HedgeBucket
	Window     PnL // HedgePnL, Fees, Funding, Total, EquityChange, Residual, Realized, Unrealized, Fills, volumes
	// SpreadCapture + InventoryPnL = Window.HedgePnL (quant.md §4.3): the hedge's edge at the fill against the
	// mark (usually negative: hedges are taker trades) and its position times the mark's moves.
	SpreadCapture, InventoryPnL decimal.Decimal
	VolumeContracts             decimal.Decimal
	Position                    decimal.Decimal     // contracts at the end of the window, signed
	Mark                        decimal.NullDecimal // the mark at the end of the window (invalid: never known)
	// Inverse contracts only (Valid), in Instrument.SettleAsset: the coin PnL of the window N·face·(1/F0 − 1/F1)
	// summed over fills and marks, its realized and unrealized parts, the USD exposure in coin N·face/F and the
	// coin delta ∂PnL_coin/∂F = N·face/F² (quant.md §5.2).
	PnLCoin, RealizedCoin, UnrealizedCoin, ExposureCoin, DeltaCoin decimal.NullDecimal
	// Linear contracts only: the position in base units, N·size.
	ExposureBase decimal.NullDecimal
	// Curve samples the cumulative hedge total (equity change since the window opened) for charts only.
	Curve    []CurvePoint
	Warnings []string
}

// HedgeBucket is one bucket of a hedge instrument; PnLCoin is valid for inverse contracts.
type HedgeBucket struct {
	Key string
	PnL
	PnLCoin decimal.NullDecimal
}

// lotPlaces is the precision of 1/p, the price of an inverse contract's lots in coin per quote.
const lotPlaces = 28

// hedgeReplayer is the state machine of one hedge instrument. Events before since only move the state (the
// position held when the window opens); events in the window are attributed to buckets.
type hedgeReplayer struct {
	terms      journal.HedgeInstrument
	inverse    bool
	size       decimal.Decimal
	since      time.Time
	bucket     func(time.Time, int64) string
	feeRate    func(asset string) (decimal.Decimal, bool)
	position   decimal.Decimal // N, contracts
	cashQuote  decimal.Decimal
	cashCoin   decimal.Decimal // inverse only
	mark       decimal.Decimal
	markKnown  bool
	markOfFill bool            // the mark is the last fill's price: no mark has been journaled yet
	basis      *coinBasis      // inverse only: K, the coin basis of the open lots
	windowOpen bool            // an event of the window has been seen
	startValue decimal.Decimal // V when the window opened, for the curve
	segStart   decimal.Decimal // V when the current bucket was entered
	exposure   decimal.Decimal // inverse: N·face/F rounded to coinPlaces
	lots       numLotBook      // linear: base units at quote prices; inverse: −N·face at 1/p (coin per quote)
	buckets    map[string]*hedgeSums
	order      []*hedgeSums
	current    *hedgeSums
	active     bool // the window saw a fill, a funding payment, or a mark on an open position or moving its value
	unpriced   map[string]bool
	warnings   []string
	curve      []curveValue // every window event's cumulative total, sampled by finish (sampleCurve)
}

// hedgeSums is a hedge bucket while the replay runs: amounts in the quote asset, coin ones in the settlement coin.
type hedgeSums struct {
	key                                                    string
	spread, inventory, fx, fees, funding, equity, realized decimal.Decimal
	unrealized                                             decimal.Decimal // set when the bucket is left
	coin, realizedCoin                                     decimal.Decimal
	fills                                                  int
	volumeBase, volumeQuote, volumeContracts               decimal.Decimal
}

func newHedgeReplayer(terms journal.HedgeInstrument, since time.Time, method string,
	bucket func(time.Time, int64) string, feeRate func(string) (decimal.Decimal, bool)) *hedgeReplayer {
	return &hedgeReplayer{terms: terms, inverse: terms.Contract == journal.ContractInverse, size: terms.ContractSize,
		since: since, bucket: bucket, feeRate: feeRate, lots: newNumLotBook(method), basis: newCoinBasis(method),
		buckets: map[string]*hedgeSums{}, unpriced: map[string]bool{}}
}

// value is V, the hedge account's value in the quote asset at the mark (see the top of the file). Before any mark
// or fill price the position and the coin are 0 (pay leaves coin out until a price is known), so V is the quote
// cash.
func (r *hedgeReplayer) value() decimal.Decimal {
	if r.inverse {
		return r.cashCoin.Mul(r.mark).Add(r.cashQuote).Sub(r.position.Mul(r.size))
	}
	return r.cashQuote.Add(r.position.Mul(r.size).Mul(r.mark))
}

// bucketFor returns the bucket of an event, nil before the window.
func (r *hedgeReplayer) bucketFor(t time.Time, runID int64) *hedgeSums {
	if t.Before(r.since) {
		return nil
	}
	key := r.bucket(t, runID)
	if r.current != nil && r.current.key == key {
		return r.current
	}
	value := r.value()
	if !r.windowOpen {
		r.windowOpen, r.startValue = true, value
	}
	if r.current != nil {
		r.leave(value)
	}
	r.segStart = value
	b, ok := r.buckets[key]
	if !ok {
		b = &hedgeSums{key: key}
		r.buckets[key] = b
		r.order = append(r.order, b)
	}
	r.current = b
	return b
}

// leave closes the current bucket's stretch of events at V = value: its equity change grows by V − V(entered).
func (r *hedgeReplayer) leave(value decimal.Decimal) {
	r.current.equity = r.current.equity.Add(value.Sub(r.segStart))
	r.current.unrealized, _ = r.unrealized()
}

// record adds the account's value after a window event to the curve.
func (r *hedgeReplayer) record(t time.Time) {
	r.curve = append(r.curve, curveValue{ms: t.UnixMilli(), total: r.value().Sub(r.startValue).InexactFloat64()})
}

// unrealized values the open lots at the mark: in quote, and for an inverse contract also in coin.
func (r *hedgeReplayer) unrealized() (quote, coin decimal.Decimal) {
	if !r.markKnown {
		return decimal.Zero, decimal.Zero
	}
	if !r.inverse {
		return r.lots.unrealized(market.NumFromDecimal(r.mark)).Decimal(), decimal.Zero
	}
	coin = r.lots.unrealized(market.NumFromDecimal(inverseOf(r.mark))).Decimal()
	return coin.Mul(r.mark), coin
}

func inverseOf(price decimal.Decimal) decimal.Decimal { return d1.DivRound(price, lotPlaces) }

// coinOf is the coin n contracts of face value face are worth at price p: n·face/p, rounded to coinPlaces.
func coinOf(contracts, face, price decimal.Decimal) decimal.Decimal {
	return contracts.Mul(face).DivRound(price, coinPlaces)
}

func (r *hedgeReplayer) setMark(mark decimal.Decimal) {
	r.mark, r.markKnown = mark, true
	if r.inverse {
		r.exposure = coinOf(r.position, r.size, mark)
	}
}

func (r *hedgeReplayer) markEvent(m *journal.HedgeMark) {
	if !r.markKnown { // the first price: nothing to value before it, and no bucket to open for it
		r.setMark(m.Mark)
		return
	}
	b := r.bucketFor(m.Time, m.RunID)
	r.markOfFill = false
	if b != nil && !r.position.IsZero() { // an open position marked in the window has a row even if the mark stands
		r.active = true
	}
	r.moveMark(b, m.Time, m.Mark)
}

// moveMark moves the mark to F' and attributes the change of V: N·size·ΔF (linear), or K·ΔF to inventory and
// R·ΔF to FX translation (inverse); nil b is before the window.
func (r *hedgeReplayer) moveMark(b *hedgeSums, t time.Time, mark decimal.Decimal) {
	var inventory, fx, coin decimal.Decimal
	move := mark.Sub(r.mark)
	before := r.exposure
	if r.inverse {
		basis := r.basis.basis()
		inventory = basis.Mul(move)
		fx = r.cashCoin.Sub(basis).Mul(move)
	} else {
		inventory = r.position.Mul(r.size).Mul(move)
	}
	r.setMark(mark)
	if r.inverse {
		coin = before.Sub(r.exposure) // the coin equity C − N·face/F moves by −Δ(N·face/F)
	}
	if b != nil {
		b.inventory = b.inventory.Add(inventory)
		b.fx = b.fx.Add(fx)
		b.coin = b.coin.Add(coin)
		if !inventory.IsZero() || !fx.IsZero() {
			r.active = true
		}
		r.record(t)
	}
}

func (r *hedgeReplayer) fill(h *journal.HedgeFill) {
	b := r.bucketFor(h.Time, h.RunID)
	switch {
	case !r.markKnown:
		r.setMark(h.Price)
		r.markOfFill = true
		r.warnings = append(r.warnings, fmt.Sprintf("no mark of %s %s before the hedge fill at %s: fill prices are "+
			"used as the mark until one comes", r.terms.Venue, r.terms.Instrument, h.Time.UTC().Format(time.RFC3339)))
	case r.markOfFill && !h.Price.Equal(r.mark):
		// Still no mark: the position is valued at each fill's price, the only price known, moved to before the fill
		// (so the fill's spread capture is 0), as the spot replay uses a fill's price when it has no mid.
		r.moveMark(b, h.Time, h.Price)
	}
	contracts := h.Amount
	if h.Side == journal.SideSell {
		contracts = contracts.Neg()
	}
	var spread, coin, realized, realizedCoin, volumeBase, volumeQuote decimal.Decimal
	if r.inverse {
		face := contracts.Mul(r.size) // ε·n·face, quote
		coinMoved := coinOf(h.Amount, r.size, h.Price)
		if contracts.IsNegative() {
			coinMoved = coinMoved.Neg()
		}
		r.cashCoin = r.cashCoin.Add(coinMoved)
		r.basis.trade(contracts, coinMoved)
		spread = coinMoved.Mul(r.mark).Sub(face)
		before := r.exposure
		r.position = r.position.Add(contracts)
		r.exposure = coinOf(r.position, r.size, r.mark)
		coin = coinMoved.Sub(r.exposure.Sub(before))
		// Lots of an inverse contract are a short of n·face quote at 1/p coin per quote.
		realizedCoin = r.lots.trade(market.NumFromDecimal(face.Neg()), market.NumFromDecimal(inverseOf(h.Price))).Decimal()
		realized = realizedCoin.Mul(r.mark)
		volumeQuote = h.Amount.Mul(r.size)
	} else {
		base := contracts.Mul(r.size)
		spread = base.Mul(r.mark.Sub(h.Price))
		r.cashQuote = r.cashQuote.Sub(base.Mul(h.Price))
		r.position = r.position.Add(contracts)
		realized = r.lots.trade(market.NumFromDecimal(base), market.NumFromDecimal(h.Price)).Decimal()
		volumeBase = h.Amount.Mul(r.size)
		volumeQuote = volumeBase.Mul(h.Price)
	}
	fee := r.pay(h.Fee.Neg(), h.FeeAsset, "fees").Neg()
	if b != nil {
		b.spread = b.spread.Add(spread)
		b.fees = b.fees.Add(fee)
		b.coin = b.coin.Add(coin)
		b.realized = b.realized.Add(realized)
		b.realizedCoin = b.realizedCoin.Add(realizedCoin)
		b.fills++
		b.volumeBase = b.volumeBase.Add(volumeBase)
		b.volumeQuote = b.volumeQuote.Add(volumeQuote)
		b.volumeContracts = b.volumeContracts.Add(h.Amount)
		r.active = true
		r.record(h.Time)
	}
}

// pay books an amount (positive received, negative paid) in asset into the hedge account's cash and returns its
// value in the quote asset: the quote asset as is, the settlement coin at the mark, a third asset at the journal's
// rate; an asset without a rate is left out of both, with one warning.
func (r *hedgeReplayer) pay(amount decimal.Decimal, asset, column string) decimal.Decimal {
	switch {
	case amount.IsZero():
		return decimal.Zero
	case asset == r.terms.QuoteAsset:
		r.cashQuote = r.cashQuote.Add(amount)
		return amount
	case r.inverse && asset == r.terms.SettleAsset && r.markKnown:
		r.cashCoin = r.cashCoin.Add(amount)
		return amount.Mul(r.mark)
	case r.inverse && asset == r.terms.SettleAsset:
		r.warnOnce(column+" "+asset, fmt.Sprintf("%s %s of %s %s before any mark or fill price: left out of the %s column",
			amount, asset, r.terms.Venue, r.terms.Instrument, column))
		return decimal.Zero
	}
	rate, ok := r.feeRate(asset)
	if !ok {
		r.warnOnce(column+" "+asset, fmt.Sprintf("%s of %s %s in %s have no known rate to %s: left out of the %s column",
			column, r.terms.Venue, r.terms.Instrument, asset, r.terms.QuoteAsset, column))
		return decimal.Zero
	}
	value := amount.Mul(rate)
	r.cashQuote = r.cashQuote.Add(value)
	return value
}

// warnOnce adds a warning the first time key (column and asset) needs one.
func (r *hedgeReplayer) warnOnce(key, warning string) {
	if !r.unpriced[key] {
		r.unpriced[key] = true
		r.warnings = append(r.warnings, warning)
	}
}

func (r *hedgeReplayer) funding(f *journal.Funding) {
	b := r.bucketFor(f.Time, f.RunID)
	value := r.pay(f.Amount, f.Asset, "funding")
	if b != nil {
		b.funding = b.funding.Add(value)
		r.active = true
		r.record(f.Time)
	}
}

func (s *hedgeSums) pnl() PnL {
	p := zeroPnL()
	p.HedgePnL, p.FXTranslation, p.Fees, p.Funding = s.spread.Add(s.inventory), s.fx, s.fees, s.funding
	p.EquityChange = s.equity
	p.Realized, p.Unrealized = s.realized, s.unrealized
	p.Fills, p.VolumeBase, p.VolumeQuote = s.fills, s.volumeBase, s.volumeQuote
	p.finish()
	return p
}

func (r *hedgeReplayer) finish() HedgePnL {
	out := HedgePnL{Instrument: r.terms, Window: zeroPnL(), SpreadCapture: decimal.Zero, InventoryPnL: decimal.Zero,
		VolumeContracts: decimal.Zero, Position: r.position, Warnings: r.warnings}
	if r.current != nil {
		r.leave(r.value())
	}
	coin, realizedCoin := decimal.Zero, decimal.Zero
	for _, s := range r.order {
		b := HedgeBucket{Key: s.key, PnL: s.pnl()}
		if r.inverse {
			b.PnLCoin = decimal.NewNullDecimal(s.coin)
		}
		out.Buckets = append(out.Buckets, b)
		out.Window = out.Window.add(b.PnL)
		out.SpreadCapture = out.SpreadCapture.Add(s.spread)
		out.InventoryPnL = out.InventoryPnL.Add(s.inventory)
		out.VolumeContracts = out.VolumeContracts.Add(s.volumeContracts)
		coin, realizedCoin = coin.Add(s.coin), realizedCoin.Add(s.realizedCoin)
	}
	out.Curve = sampleCurve(r.curve)
	unrealized, unrealizedCoin := r.unrealized()
	out.Window.Unrealized = unrealized
	out.Window.finish()
	if r.markKnown {
		out.Mark = decimal.NewNullDecimal(r.mark)
	}
	if r.inverse {
		out.PnLCoin = decimal.NewNullDecimal(coin)
		out.RealizedCoin = decimal.NewNullDecimal(realizedCoin)
		out.UnrealizedCoin = decimal.NewNullDecimal(unrealizedCoin)
		if r.markKnown {
			out.ExposureCoin = decimal.NewNullDecimal(r.exposure)
			out.DeltaCoin = decimal.NewNullDecimal(r.position.Mul(r.size).DivRound(r.mark.Mul(r.mark), coinPlaces))
		}
	} else {
		out.ExposureBase = decimal.NewNullDecimal(r.position.Mul(r.size))
	}
	return out
}
