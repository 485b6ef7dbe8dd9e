package analysis

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// replayer is the state machine of Replay (quant.md §4.1), fed one event at a time so that LoadPnL can stream a
// journal through it without holding the events. Every running sum is a market.Num: exact like decimal.Decimal,
// without its allocation per operation while the numbers fit an int64 mantissa.
type replayer struct {
	q, cash, mid market.Num
	midKnown     bool
	lots         numLotBook
	bucket       func(time.Time, int64) string
	feeRate      func(asset string) (decimal.Decimal, bool)
	buckets      map[string]*bucketSums
	order        []*bucketSums // buckets in the order their first event came
	current      *bucketSums
	unpriced     map[string]bool
	startValue   market.Num // V_0 for the curve, taken when the mid first becomes known
	out          MarketReplay
	keepMids     bool
	markouts     *markoutStream // nil: no mark-outs in the pass

	// The curve samples every stride-th event and the last. With events unknown (−1, a stream), every event's
	// value is kept compactly and sampled at the end.
	events int
	n      int
	stride int
	all    []curveValue
}

type curveValue struct {
	ms    int64
	total float64
}

// bucketSums is a bucket's PnL while the replay runs.
type bucketSums struct {
	key                                       string
	spread, inventory, fees, equity, realized market.Num
	volumeBase, volumeQuote                   market.Num
	fills                                     int
	unrealized                                market.Num
}

func newReplayer(startBase, startQuote decimal.Decimal, startMid decimal.NullDecimal, method string,
	bucket func(time.Time, int64) string, feeRate func(string) (decimal.Decimal, bool), events int, keepMids bool,
	markouts *markoutStream) *replayer {
	r := &replayer{q: market.NumFromDecimal(startBase), cash: market.NumFromDecimal(startQuote),
		lots: newNumLotBook(method), bucket: bucket, feeRate: feeRate, buckets: map[string]*bucketSums{},
		unpriced: map[string]bool{}, keepMids: keepMids, markouts: markouts, events: events}
	if startMid.Valid {
		r.mid, r.midKnown = market.NumFromDecimal(startMid.Decimal), true
	}
	if !startBase.IsZero() && r.midKnown {
		r.lots.trade(r.q, r.mid) // initial inventory counts as bought at m_0 (§4.4)
	}
	r.startValue = r.value()
	if events >= 0 {
		r.stride = max(1, (events+maxCurvePoints-1)/maxCurvePoints)
	}
	return r
}

func (r *replayer) value() market.Num { return r.cash.Add(r.q.Mul(r.mid)) }

func (r *replayer) bucketFor(t time.Time, runID int64) *bucketSums {
	key := r.bucket(t, runID)
	if r.current != nil && r.current.key == key {
		return r.current
	}
	// Leaving a bucket: its unrealized PnL is the open position's value at its last event.
	if r.current != nil {
		r.current.unrealized = r.lots.unrealized(r.mid)
	}
	b, ok := r.buckets[key]
	if !ok {
		b = &bucketSums{key: key}
		r.buckets[key] = b
		r.order = append(r.order, b)
	}
	r.current = b
	return b
}

func (r *replayer) moveMid(b *bucketSums, mid market.Num) {
	if !r.midKnown {
		r.mid, r.midKnown = mid, true
		r.startValue = r.value()
		return
	}
	// ΔV = q·(m_j − m_{j−1}) exactly (cash and q do not move), so the equity change is the same number.
	d := r.q.Mul(mid.Sub(r.mid))
	b.inventory = b.inventory.Add(d)
	r.mid = mid
	b.equity = b.equity.Add(d)
}

func (r *replayer) sample(t time.Time) {
	n := r.n
	r.n++
	if r.events < 0 {
		r.all = append(r.all, curveValue{ms: t.UnixMilli(), total: numFloat(r.value().Sub(r.startValue))})
		return
	}
	if n%r.stride == 0 || n == r.events-1 {
		r.out.Curve = append(r.out.Curve, CurvePoint{Time: t, Total: numFloat(r.value().Sub(r.startValue))})
	}
}

// numFloat is decimal.Decimal's InexactFloat64 of n (the nearest float64), without the conversion when one
// correctly rounded operation on exact operands gives it.
func numFloat(n market.Num) float64 {
	if f, ok := n.Fixed(); ok {
		m, e := f.Mantissa(), f.Exponent()
		if m >= -1<<53 && m <= 1<<53 && e >= -22 && e <= 22 {
			if e < 0 {
				return float64(m) / floatPow10[-e]
			}
			return float64(m) * floatPow10[e]
		}
	}
	return n.Decimal().InexactFloat64()
}

// sampleCurve keeps every stride-th value and the last, at most maxCurvePoints, as sample does when the number
// of events is known.
func sampleCurve(values []curveValue) []CurvePoint {
	var curve []CurvePoint
	stride := max(1, (len(values)+maxCurvePoints-1)/maxCurvePoints)
	for n, v := range values {
		if n%stride == 0 || n == len(values)-1 {
			curve = append(curve, CurvePoint{Time: time.UnixMilli(v.ms).UTC(), Total: v.total})
		}
	}
	return curve
}

var floatPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func (r *replayer) mark(m *journal.MarkRecord) {
	b := r.bucketFor(m.Time, m.RunID)
	if r.markouts != nil {
		r.markouts.mark(m.Time, m.Mid)
	}
	r.moveMid(b, m.Mid)
	r.sample(m.Time)
}

func (r *replayer) fill(f *journal.FillRecord) {
	b := r.bucketFor(f.Time, f.RunID)
	if f.HasMid && (!r.midKnown || !f.Mid.Equal(r.mid)) {
		r.moveMid(b, f.Mid)
	}
	if !r.midKnown {
		// No mid before the first fill: its own price is the only reference; its spread capture is 0.
		r.mid, r.midKnown = f.Price, true
		r.startValue = r.value()
		r.out.Warnings = append(r.out.Warnings, fmt.Sprintf("no mid before the fill at %s: its price is used as the mid",
			f.Time.UTC().Format(time.RFC3339)))
	}
	if r.keepMids {
		r.out.FillMids = append(r.out.FillMids, r.mid.Decimal())
	}
	if r.markouts != nil {
		r.markouts.fill(f, r.mid)
	}
	r.applyFill(b, f)
	r.sample(f.Time)
}

func (r *replayer) applyFill(b *bucketSums, f *journal.FillRecord) {
	signed := f.Amount
	if f.Sell {
		signed = signed.Neg()
	}
	notional := f.Amount.Mul(f.Price)

	var fee, baseFee market.Num
	switch {
	case f.FeeIn == journal.FeeInQuote || f.Fee.IsZero():
		fee = f.Fee
	case f.FeeIn == journal.FeeInBase:
		baseFee, fee = f.Fee, f.Fee.Mul(r.mid)
	default:
		rate, ok := r.feeRate(f.FeeAsset)
		if !ok {
			if !r.unpriced[f.FeeAsset] {
				r.unpriced[f.FeeAsset] = true
				r.out.Warnings = append(r.out.Warnings, fmt.Sprintf(
					"fees in %s have no known rate to %s: left out of the fees column", f.FeeAsset, f.QuoteAsset))
			}
			rate = decimal.Zero
		}
		fee = f.Fee.Mul(market.NumFromDecimal(rate))
	}

	// V = C + q·m with m fixed: ΔV = ΔC + Δq·m, computed from the deltas (exact, so equal to V_after − V_before).
	dq := signed.Sub(baseFee)
	dc := signed.Mul(f.Price).Neg()
	if baseFee.IsZero() {
		dc = dc.Sub(fee)
	}
	r.q = r.q.Add(dq)
	r.cash = r.cash.Add(dc)
	b.spread = b.spread.Add(signed.Mul(r.mid.Sub(f.Price)))
	b.fees = b.fees.Add(fee)
	b.equity = b.equity.Add(dc.Add(dq.Mul(r.mid)))
	b.fills++
	b.volumeBase = b.volumeBase.Add(f.Amount)
	b.volumeQuote = b.volumeQuote.Add(notional)
	b.realized = b.realized.Add(r.lots.trade(signed, f.Price))
	if !baseFee.IsZero() {
		// For the lots a base fee is a sale of φ at the mid whose proceeds pay the fee (§4.6).
		b.realized = b.realized.Add(r.lots.trade(baseFee.Neg(), r.mid))
	}
}

func (s *bucketSums) pnl() PnL {
	p := zeroPnL()
	p.SpreadCapture, p.InventoryPnL, p.Fees = s.spread.Decimal(), s.inventory.Decimal(), s.fees.Decimal()
	p.EquityChange, p.Realized, p.Unrealized = s.equity.Decimal(), s.realized.Decimal(), s.unrealized.Decimal()
	p.Fills, p.VolumeBase, p.VolumeQuote = s.fills, s.volumeBase.Decimal(), s.volumeQuote.Decimal()
	return p
}

func (r *replayer) finish() MarketReplay {
	out := r.out
	if r.current != nil {
		r.current.unrealized = r.lots.unrealized(r.mid)
	}
	if r.events < 0 {
		out.Curve = sampleCurve(r.all)
		r.all = nil
	}
	out.Window = zeroPnL()
	for _, s := range r.order {
		b := BucketPnL{Key: s.key, PnL: s.pnl()}
		b.finish()
		out.Buckets = append(out.Buckets, b)
		out.Window = out.Window.add(b.PnL)
	}
	out.Window.Unrealized = r.lots.unrealized(r.mid).Decimal()
	out.Window.finish()
	out.EndBase, out.EndQuote, out.EndMid = r.q.Decimal(), r.cash.Decimal(), r.mid.Decimal()
	return out
}

// markoutStream computes the mark-outs in the replay's pass: each horizon keeps the fills whose t + h has not been
// passed by a mark yet, oldest first; a mark after t + h settles them at the last mark before it.
type markoutStream struct {
	end      time.Time
	horizons []*horizonSums
	last     struct {
		t   time.Time
		mid market.Num
		ok  bool
	}
}

// horizonSums keeps Σ ε·n·m(t+h), Σ ε·n·p and Σ ε·n·m(t) apart: TotalQuote and DriftQuote are their exact
// differences, one product per settled fill instead of two.
type horizonSums struct {
	h                    time.Duration
	fills, excluded      int
	atH, atPrice, atFill market.Num
	notional             market.Num
	pending              []pendingFill
	head                 int
}

type pendingFill struct {
	t, at                               time.Time
	signed, mid, signedPrice, signedMid market.Num
	notional                            market.Num
}

func newMarkoutStream(horizons []time.Duration, end time.Time) *markoutStream {
	s := &markoutStream{end: end}
	for _, h := range horizons {
		s.horizons = append(s.horizons, &horizonSums{h: h})
	}
	return s
}

func (s *markoutStream) fill(f *journal.FillRecord, mid market.Num) {
	signed := f.Amount
	if f.Sell {
		signed = signed.Neg()
	}
	notional := f.Amount.Mul(f.Price)
	signedPrice, signedMid := signed.Mul(f.Price), signed.Mul(mid)
	for _, h := range s.horizons {
		at := f.Time.Add(h.h)
		if !s.end.IsZero() && at.After(s.end) {
			h.excluded++
			continue
		}
		h.pending = append(h.pending, pendingFill{t: f.Time, at: at, signed: signed, mid: mid,
			signedPrice: signedPrice, signedMid: signedMid, notional: notional})
	}
}

func (s *markoutStream) mark(t time.Time, mid market.Num) {
	for _, h := range s.horizons {
		for h.head < len(h.pending) && t.After(h.pending[h.head].at) {
			s.settle(h, &h.pending[h.head])
			h.head++
		}
		if h.head == len(h.pending) {
			h.pending, h.head = h.pending[:0], 0
		} else if h.head > 1024 && h.head*2 > len(h.pending) {
			h.pending = h.pending[:copy(h.pending, h.pending[h.head:])]
			h.head = 0
		}
	}
	s.last.t, s.last.mid, s.last.ok = t, mid, true
}

// settle measures a fill at the last mark seen, which is the last at or before its t + h; without a mark after
// the fill the mid at fill stands (the reference's midAfter, markout_reference_test.go).
func (s *markoutStream) settle(h *horizonSums, p *pendingFill) {
	atH := p.signedMid
	if s.last.ok && s.last.t.After(p.t) {
		atH = p.signed.Mul(s.last.mid)
	}
	h.fills++
	h.atH = h.atH.Add(atH)
	h.atPrice = h.atPrice.Add(p.signedPrice)
	h.atFill = h.atFill.Add(p.signedMid)
	h.notional = h.notional.Add(p.notional)
}

func (s *markoutStream) finish() []Markout {
	out := make([]Markout, 0, len(s.horizons))
	for _, h := range s.horizons {
		for ; h.head < len(h.pending); h.head++ {
			s.settle(h, &h.pending[h.head])
		}
		mo := Markout{Horizon: h.h, Fills: h.fills, Excluded: h.excluded, TotalQuote: h.atH.Sub(h.atPrice).Decimal(),
			DriftQuote: h.atH.Sub(h.atFill).Decimal(), Notional: h.notional.Decimal()}
		mo.WeightedBps = divSignificant(mo.TotalQuote.Mul(bps), mo.Notional)
		out = append(out, mo)
	}
	return out
}
