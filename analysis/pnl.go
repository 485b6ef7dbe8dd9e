package analysis

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// PnL is the decomposition of reference/quant.md §4.2 for one bucket of events:
//
//	total = spread capture + inventory PnL − fees + hedge PnL + funding
//
// EquityChange is V_end − V_start of the bucket computed directly from the replayed cash and inventory
// (V = C + q·m), not by adding the components, and Residual = EquityChange − Total, which is exactly zero when
// the attribution is right. Realized + Unrealized is the same money split by closed and open lots (§4.4).
type PnL struct {
	SpreadCapture decimal.Decimal
	InventoryPnL  decimal.Decimal
	Fees          decimal.Decimal // a cost: rebates make it negative
	HedgePnL      decimal.Decimal // zero until hedge adapters journal hedge fills
	Funding       decimal.Decimal
	Total         decimal.Decimal
	EquityChange  decimal.Decimal
	Residual      decimal.Decimal
	Realized      decimal.Decimal
	Unrealized    decimal.Decimal
	Fills         int
	VolumeBase    decimal.Decimal // Σ n over fills
	VolumeQuote   decimal.Decimal // Σ n·p over fills
}

func zeroPnL() PnL {
	z := decimal.Zero
	return PnL{SpreadCapture: z, InventoryPnL: z, Fees: z, HedgePnL: z, Funding: z, Total: z, EquityChange: z,
		Residual: z, Realized: z, Unrealized: z, VolumeBase: z, VolumeQuote: z}
}

// add accumulates b's flows into a (unrealized is a state, not a flow: the caller sets it).
func (a PnL) add(b PnL) PnL {
	a.SpreadCapture = a.SpreadCapture.Add(b.SpreadCapture)
	a.InventoryPnL = a.InventoryPnL.Add(b.InventoryPnL)
	a.Fees = a.Fees.Add(b.Fees)
	a.HedgePnL = a.HedgePnL.Add(b.HedgePnL)
	a.Funding = a.Funding.Add(b.Funding)
	a.Total = a.Total.Add(b.Total)
	a.EquityChange = a.EquityChange.Add(b.EquityChange)
	a.Residual = a.Residual.Add(b.Residual)
	a.Realized = a.Realized.Add(b.Realized)
	a.Fills += b.Fills
	a.VolumeBase = a.VolumeBase.Add(b.VolumeBase)
	a.VolumeQuote = a.VolumeQuote.Add(b.VolumeQuote)
	return a
}

// finish sets Total and Residual from the components.
func (a *PnL) finish() {
	a.Total = a.SpreadCapture.Add(a.InventoryPnL).Sub(a.Fees).Add(a.HedgePnL).Add(a.Funding)
	a.Residual = a.EquityChange.Sub(a.Total)
}

// ReplayInputs is one market's events for the decomposition.
type ReplayInputs struct {
	Fills []journal.Fill // time order
	Marks []journal.Mark // time order
	// StartBase and StartQuote are the position and cash before the first event (zero when unknown: only
	// differences matter). StartMid is the mid in force before the first event (invalid: the first mark is).
	StartBase, StartQuote decimal.Decimal
	StartMid              decimal.NullDecimal
	Method                string
	// Bucket names the bucket an event belongs to (a day, an hour, a run, or one bucket for the market).
	Bucket func(t time.Time, runID int64) string
	// FeeRate converts a fee paid in a third asset to the quote asset; ok false leaves it out with a warning.
	FeeRate func(asset string) (decimal.Decimal, bool)
}

// MarketReplay is the result for one market: its buckets in time order and the whole window.
type MarketReplay struct {
	Buckets  []BucketPnL
	Window   PnL
	EndBase  decimal.Decimal // q after the last event
	EndQuote decimal.Decimal // C after the last event
	EndMid   decimal.Decimal
	// FillMids is the mid at fill of each fill, in the order of ReplayInputs.Fills: the reference the spread
	// capture used, which mark-outs at horizon 0 must use too (quant.md §4.5).
	FillMids []decimal.Decimal
	// Curve samples the cumulative PnL (V_j − V_0) over the window, at most maxCurvePoints points, for charts
	// only: float64 is fine there and nowhere else.
	Curve    []CurvePoint
	Warnings []string
}

// CurvePoint is one sample of the cumulative PnL.
type CurvePoint struct {
	Time  time.Time
	Total float64
}

const maxCurvePoints = 2000

// BucketPnL is one bucket's PnL.
type BucketPnL struct {
	Key string
	PnL
}

// replayState is the running state of §4.1: inventory q, cash C, reference mid m.
type replayState struct {
	q, cash, mid decimal.Decimal
	midKnown     bool
}

func (s replayState) value() decimal.Decimal { return s.cash.Add(s.q.Mul(s.mid)) }

// Replay processes fills and mid updates in one total order — by time, a fill before a mark of the same
// timestamp (quant.md §4.1) — and attributes each event's change of V to its bucket:
//
//   - a mid update: ΔV = q·(m_j − m_{j−1}), inventory PnL;
//   - a fill (side ε, size n, price p, fee f): ΔV = ε·n·(m_fill − p) − f, spread capture minus fees.
//
// The mid at fill is the fill's journaled mid when it has one, else the mid in force. When the journaled mid
// differs from the mid in force, the path first moves to it (inventory PnL), so the same m_fill is used in the
// spread term and in the mark path, which is what makes the identity exact (§4.2). A fee in the base asset
// reduces the inventory received and is valued at φ·m_fill (§4.6); a fee in a third asset is expensed at FeeRate.
func Replay(in ReplayInputs) MarketReplay {
	state := replayState{q: in.StartBase, cash: in.StartQuote}
	if in.StartMid.Valid {
		state.mid, state.midKnown = in.StartMid.Decimal, true
	}
	lots := newLotBook(in.Method)
	if !in.StartBase.IsZero() && state.midKnown {
		lots.trade(in.StartBase, state.mid) // initial inventory counts as bought at m_0 (§4.4)
	}
	var out MarketReplay
	buckets := map[string]*BucketPnL{}
	var order []string // buckets in the order their first event came
	var current *BucketPnL
	bucketFor := func(t time.Time, runID int64) *BucketPnL {
		key := in.Bucket(t, runID)
		if current != nil && current.Key == key {
			return current
		}
		// Leaving a bucket: its unrealized PnL is the open position's value at its last event.
		if current != nil {
			current.Unrealized = lots.unrealized(state.mid)
		}
		b, ok := buckets[key]
		if !ok {
			b = &BucketPnL{Key: key, PnL: zeroPnL()}
			buckets[key] = b
			order = append(order, key)
		}
		current = b
		return b
	}
	unpriced := map[string]bool{}
	// V_0 for the curve is taken when the mid first becomes known; before that the position has no value.
	startValue := state.value()

	moveMid := func(b *BucketPnL, mid decimal.Decimal) {
		if !state.midKnown {
			state.mid, state.midKnown = mid, true
			startValue = state.value()
			return
		}
		before := state.value()
		b.InventoryPnL = b.InventoryPnL.Add(state.q.Mul(mid.Sub(state.mid)))
		state.mid = mid
		b.EquityChange = b.EquityChange.Add(state.value().Sub(before))
	}

	events := len(in.Fills) + len(in.Marks)
	stride := max(1, (events+maxCurvePoints-1)/maxCurvePoints)
	sample := func(n int, t time.Time) {
		if n%stride == 0 || n == events-1 {
			out.Curve = append(out.Curve, CurvePoint{Time: t, Total: state.value().Sub(startValue).InexactFloat64()})
		}
	}
	fi, mi := 0, 0
	for fi < len(in.Fills) || mi < len(in.Marks) {
		n := fi + mi
		takeFill := mi >= len(in.Marks) || (fi < len(in.Fills) && !in.Fills[fi].Time.After(in.Marks[mi].Time))
		if !takeFill {
			m := in.Marks[mi]
			mi++
			b := bucketFor(m.Time, m.RunID)
			moveMid(b, m.Mid)
			sample(n, m.Time)
			continue
		}
		f := in.Fills[fi]
		fi++
		b := bucketFor(f.Time, f.RunID)
		if f.Mid.Valid && (!state.midKnown || !f.Mid.Decimal.Equal(state.mid)) {
			moveMid(b, f.Mid.Decimal)
		}
		if !state.midKnown {
			// No mid before the first fill: its own price is the only reference; its spread capture is 0.
			state.mid, state.midKnown = f.Price, true
			startValue = state.value()
			out.Warnings = append(out.Warnings, fmt.Sprintf("no mid before the fill at %s: its price is used as the mid",
				f.Time.UTC().Format(time.RFC3339)))
		}
		out.FillMids = append(out.FillMids, state.mid)
		applyFill(&state, b, lots, f, in, unpriced, &out)
		sample(n, f.Time)
	}

	if current != nil {
		current.Unrealized = lots.unrealized(state.mid)
	}
	out.Window = zeroPnL()
	for _, key := range order {
		b := buckets[key]
		b.finish()
		out.Buckets = append(out.Buckets, *b)
		out.Window = out.Window.add(b.PnL)
	}
	out.Window.Unrealized = lots.unrealized(state.mid)
	out.Window.finish()
	out.EndBase, out.EndQuote, out.EndMid = state.q, state.cash, state.mid
	return out
}

func applyFill(state *replayState, b *BucketPnL, lots lotBook, f journal.Fill, in ReplayInputs,
	unpriced map[string]bool, out *MarketReplay) {
	eps := decimal.NewFromInt(1)
	if f.Side == journal.SideSell {
		eps = decimal.NewFromInt(-1)
	}
	signed := eps.Mul(f.Amount)
	notional := f.Amount.Mul(f.Price)
	before := state.value()

	var fee, baseFee decimal.Decimal
	switch {
	case f.FeeAsset == f.QuoteAsset || f.Fee.IsZero():
		fee = f.Fee
	case f.FeeAsset == f.BaseAsset:
		baseFee, fee = f.Fee, f.Fee.Mul(state.mid)
	default:
		rate, ok := in.FeeRate(f.FeeAsset)
		if !ok {
			if !unpriced[f.FeeAsset] {
				unpriced[f.FeeAsset] = true
				out.Warnings = append(out.Warnings, fmt.Sprintf(
					"fees in %s have no known rate to %s: left out of the fees column", f.FeeAsset, f.QuoteAsset))
			}
			rate = decimal.Zero
		}
		fee = f.Fee.Mul(rate)
	}

	state.q = state.q.Add(signed).Sub(baseFee)
	state.cash = state.cash.Sub(signed.Mul(f.Price))
	if baseFee.IsZero() {
		state.cash = state.cash.Sub(fee)
	}
	b.SpreadCapture = b.SpreadCapture.Add(signed.Mul(state.mid.Sub(f.Price)))
	b.Fees = b.Fees.Add(fee)
	b.EquityChange = b.EquityChange.Add(state.value().Sub(before))
	b.Fills++
	b.VolumeBase = b.VolumeBase.Add(f.Amount)
	b.VolumeQuote = b.VolumeQuote.Add(notional)
	b.Realized = b.Realized.Add(lots.trade(signed, f.Price))
	if !baseFee.IsZero() {
		// For the lots a base fee is a sale of φ at the mid whose proceeds pay the fee (§4.6).
		b.Realized = b.Realized.Add(lots.trade(baseFee.Neg(), state.mid))
	}
}
