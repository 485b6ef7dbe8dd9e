package analysis

import (
	"context"
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
// As in the spot replay (Replay), every event's change of V is attributed, so the identity holds exactly:
//
//	a mark F → F':      ΔV = N·size·(F' − F)  or  C_coin·(F' − F)           hedge inventory PnL
//	a fill (ε, n, p):   ΔV = ε·n·size·(F − p)  or  ε·coin(n, p)·F − ε·n·face hedge spread capture
//	                         − fee valued in quote                            fees
//	a funding payment:  ΔV = amount valued in quote                           funding
//
// hedge_pnl is spread capture plus inventory PnL, gross of fees and funding, which have their own columns. For an
// inverse contract the inventory term C_coin·ΔF also revalues the coin the hedge account already holds (earlier
// coin PnL, coin fees and funding): that is quant.md §4.3's FX-translation term, and it is real money for a
// coin-margined account, so it stays in hedge_pnl. The coin PnL itself is reported beside it (PnLCoin). mm does not
// journal transfers out of a hedge account (yet), so coin left there after a position closes keeps being revalued
// in later windows, and the instrument keeps its row while its marks move.
//
// Realized and unrealized PnL come from the lots (quant.md §4.4): for a linear contract of N·size base units at the
// fill prices, as for spot; for an inverse contract of −N·face quote at 1/p coin per quote, which gives them in coin
// (RealizedCoin, UnrealizedCoin). In quote, realized coin is valued at the mark when it is realized and unrealized
// coin at the last mark, so for an inverse contract realized + unrealized differs from hedge_pnl by the revaluation
// of coin realized earlier.
//
// The only divisions are coin(n, p) = n·face/p, the coin an inverse trade moves, rounded half away from zero to
// coinPlaces decimals (far below any venue's coin precision), and the reported coin figures; every term of the
// identity is then exact, so residual is exactly 0.
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
	exposure   decimal.Decimal // inverse: N·face/F rounded to coinPlaces
	lots       numLotBook      // linear: base units at quote prices; inverse: −N·face at 1/p (coin per quote)
	buckets    map[string]*hedgeSums
	order      []*hedgeSums
	current    *hedgeSums
	active     bool // the window saw a fill, a funding payment, or a mark that moved the account's value
	unpriced   map[string]bool
	warnings   []string
	cumulative decimal.Decimal // Σ equity changes of the window so far, for the curve
	curve      []curveValue    // every window event's cumulative total, sampled by finish
}

// hedgeSums is a hedge bucket while the replay runs: amounts in the quote asset, coin ones in the settlement coin.
type hedgeSums struct {
	key                                                string
	spread, inventory, fees, funding, equity, realized decimal.Decimal
	unrealized                                         decimal.Decimal // set when the bucket is left
	coin, realizedCoin                                 decimal.Decimal
	fills                                              int
	volumeBase, volumeQuote, volumeContracts           decimal.Decimal
}

func newHedgeReplayer(terms journal.HedgeInstrument, since time.Time, method string,
	bucket func(time.Time, int64) string, feeRate func(string) (decimal.Decimal, bool)) *hedgeReplayer {
	return &hedgeReplayer{terms: terms, inverse: terms.Contract == journal.ContractInverse, size: terms.ContractSize,
		since: since, bucket: bucket, feeRate: feeRate, lots: newNumLotBook(method), buckets: map[string]*hedgeSums{},
		unpriced: map[string]bool{}}
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
	if r.current != nil {
		r.current.unrealized, _ = r.unrealized()
	}
	b, ok := r.buckets[key]
	if !ok {
		b = &hedgeSums{key: key}
		r.buckets[key] = b
		r.order = append(r.order, b)
	}
	r.current = b
	return b
}

// record adds an attributed change of value to the curve.
func (r *hedgeReplayer) record(t time.Time, change decimal.Decimal) {
	r.cumulative = r.cumulative.Add(change)
	r.curve = append(r.curve, curveValue{ms: t.UnixMilli(), total: r.cumulative.InexactFloat64()})
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
	var change, coin decimal.Decimal
	before := r.exposure
	if r.inverse {
		change = r.cashCoin.Mul(m.Mark.Sub(r.mark))
	} else {
		change = r.position.Mul(r.size).Mul(m.Mark.Sub(r.mark))
	}
	r.setMark(m.Mark)
	if r.inverse {
		coin = before.Sub(r.exposure) // the coin equity C − N·face/F moves by −Δ(N·face/F)
	}
	if b != nil {
		b.inventory = b.inventory.Add(change)
		b.equity = b.equity.Add(change)
		b.coin = b.coin.Add(coin)
		if !change.IsZero() {
			r.active = true
		}
		r.record(m.Time, change)
	}
}

func (r *hedgeReplayer) fill(h *journal.HedgeFill) {
	b := r.bucketFor(h.Time, h.RunID)
	if !r.markKnown {
		r.setMark(h.Price)
		r.warnings = append(r.warnings, fmt.Sprintf("no mark of %s %s before the hedge fill at %s: its price is "+
			"used as the mark", r.terms.Venue, r.terms.Instrument, h.Time.UTC().Format(time.RFC3339)))
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
		b.equity = b.equity.Add(spread.Sub(fee))
		b.coin = b.coin.Add(coin)
		b.realized = b.realized.Add(realized)
		b.realizedCoin = b.realizedCoin.Add(realizedCoin)
		b.fills++
		b.volumeBase = b.volumeBase.Add(volumeBase)
		b.volumeQuote = b.volumeQuote.Add(volumeQuote)
		b.volumeContracts = b.volumeContracts.Add(h.Amount)
		r.active = true
		r.record(h.Time, spread.Sub(fee))
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
		b.equity = b.equity.Add(value)
		r.active = true
		r.record(f.Time, value)
	}
}

func (s *hedgeSums) pnl() PnL {
	p := zeroPnL()
	p.HedgePnL, p.Fees, p.Funding, p.EquityChange = s.spread.Add(s.inventory), s.fees, s.funding, s.equity
	p.Realized, p.Unrealized = s.realized, s.unrealized
	p.Fills, p.VolumeBase, p.VolumeQuote = s.fills, s.volumeBase, s.volumeQuote
	p.finish()
	return p
}

func (r *hedgeReplayer) finish() HedgePnL {
	out := HedgePnL{Instrument: r.terms, Window: zeroPnL(), SpreadCapture: decimal.Zero, InventoryPnL: decimal.Zero,
		VolumeContracts: decimal.Zero, Position: r.position, Warnings: r.warnings}
	if r.current != nil {
		r.current.unrealized, _ = r.unrealized()
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
	stride := max(1, (len(r.curve)+maxCurvePoints-1)/maxCurvePoints)
	for n, v := range r.curve {
		if n%stride == 0 || n == len(r.curve)-1 {
			out.Curve = append(out.Curve, CurvePoint{Time: time.UnixMilli(v.ms).UTC(), Total: v.total})
		}
	}
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

// HedgeReplayInputs is one hedge instrument's events for ReplayHedge, each in time order.
type HedgeReplayInputs struct {
	Instrument journal.HedgeInstrument
	Fills      []journal.HedgeFill
	Marks      []journal.HedgeMark
	Funding    []journal.Funding
	Since      time.Time // events before it only build the position the window starts with
	Method     string
	Bucket     func(t time.Time, runID int64) string // nil: one bucket named after the instrument
	FeeRate    func(asset string) (decimal.Decimal, bool)
}

// ReplayHedge values one hedge instrument's fills, marks and funding in one total order: by time, and at one
// instant a fill, then a funding payment, then a mark (quant.md §4.1: a fill before the book update of the same
// timestamp). LoadPnL streams the journal through the same replayer.
func ReplayHedge(in HedgeReplayInputs) HedgePnL {
	bucket, feeRate := in.Bucket, in.FeeRate
	if bucket == nil {
		bucket = bucketFunc(ByMarket, in.Instrument.Instrument)
	}
	if feeRate == nil {
		feeRate = func(string) (decimal.Decimal, bool) { return decimal.Decimal{}, false }
	}
	r := newHedgeReplayer(in.Instrument, in.Since, in.Method, bucket, feeRate)
	fi, pi, mi := 0, 0, 0
	for fi < len(in.Fills) || pi < len(in.Funding) || mi < len(in.Marks) {
		var f *journal.HedgeFill
		var p *journal.Funding
		var m *journal.HedgeMark
		if fi < len(in.Fills) {
			f = &in.Fills[fi]
		}
		if pi < len(in.Funding) {
			p = &in.Funding[pi]
		}
		if mi < len(in.Marks) {
			m = &in.Marks[mi]
		}
		switch nextHedgeEvent(f, p, m) {
		case hedgeEventFill:
			r.fill(f)
			fi++
		case hedgeEventFunding:
			r.funding(p)
			pi++
		default:
			r.markEvent(m)
			mi++
		}
	}
	return r.finish()
}

const (
	hedgeEventFill = iota
	hedgeEventFunding
	hedgeEventMark
)

// nextHedgeEvent picks the earliest of the next fill, funding payment and mark (nil: none left); at one instant a
// fill goes first, then funding, then the mark.
func nextHedgeEvent(f *journal.HedgeFill, p *journal.Funding, m *journal.HedgeMark) int {
	next, at := -1, time.Time{}
	consider := func(kind int, t time.Time) {
		if next < 0 || t.Before(at) {
			next, at = kind, t
		}
	}
	if f != nil {
		consider(hedgeEventFill, f.Time)
	}
	if p != nil {
		consider(hedgeEventFunding, p.Time)
	}
	if m != nil {
		consider(hedgeEventMark, m.Time)
	}
	return next
}

// loadHedgePnL streams one hedge instrument's fills, funding and marks up to the end of the window through the
// hedge replayer: three cursors merged in time order, as loadMarketPnL merges fills and marks. Events before the
// window are read too, because the position the window opens with is the sum of the fills before it.
func loadHedgePnL(ctx context.Context, j *journal.Journal, terms journal.HedgeInstrument, q PnLQuery,
	rates Rates) (HedgePnL, bool, error) {
	filter := journal.HedgeFilter{Venue: terms.Venue, Instrument: terms.Instrument, RunID: q.RunID, Until: q.Until}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fills := startCursor(ctx, func(ctx context.Context, fn func(*journal.HedgeFill) error) error {
		return j.ScanHedgeFills(ctx, filter, fn)
	})
	payments := startCursor(ctx, func(ctx context.Context, fn func(*journal.Funding) error) error {
		return j.ScanFunding(ctx, filter, fn)
	})
	// Marks are the instrument's price whichever run journaled them.
	markFilter := filter
	markFilter.RunID = 0
	marks := startCursor(ctx, func(ctx context.Context, fn func(*journal.HedgeMark) error) error {
		return j.ScanHedgeMarks(ctx, markFilter, fn)
	})
	r := newHedgeReplayer(terms, q.Since, q.Method, bucketFunc(q.By, terms.Instrument),
		func(asset string) (decimal.Decimal, bool) { return rates.Rate(asset, terms.QuoteAsset) })
	for {
		f, p, m := fills.peek(), payments.peek(), marks.peek()
		if f == nil && p == nil && m == nil {
			break
		}
		switch nextHedgeEvent(f, p, m) {
		case hedgeEventFill:
			r.fill(f)
			fills.next()
		case hedgeEventFunding:
			r.funding(p)
			payments.next()
		default:
			r.markEvent(m)
			marks.next()
		}
	}
	if err := firstError(fills.err(), payments.err(), marks.err()); err != nil {
		return HedgePnL{}, false, err
	}
	return r.finish(), r.active, nil
}
