package analysis

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// PnL is the decomposition of reference/quant.md §4.2 for one bucket of events:
//
//	total = spread capture + inventory PnL − fees + hedge PnL + funding + FX translation
//
// EquityChange is V_end − V_start of the bucket computed directly from the replayed cash and inventory
// (V = C + q·m), not by adding the components, and Residual = EquityChange − Total, which is exactly zero when
// the attribution is right. Realized + Unrealized is the same money split by closed and open lots (§4.4).
type PnL struct {
	SpreadCapture decimal.Decimal
	InventoryPnL  decimal.Decimal
	Fees          decimal.Decimal // a cost: rebates make it negative
	HedgePnL      decimal.Decimal // hedge rows only (hedge.go): the hedge position's mark-to-market and edge
	Funding       decimal.Decimal
	// FXTranslation is the revaluation of coin an inverse hedge account already holds (realized coin PnL, coin fees
	// and funding) as its mark moves: quant.md §4.3's FX-translation term, reported apart (hedge.go). 0 elsewhere.
	FXTranslation decimal.Decimal
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
	return PnL{SpreadCapture: z, InventoryPnL: z, Fees: z, HedgePnL: z, Funding: z, FXTranslation: z, Total: z,
		EquityChange: z, Residual: z, Realized: z, Unrealized: z, VolumeBase: z, VolumeQuote: z}
}

// add accumulates b's flows into a (unrealized is a state, not a flow: the caller sets it).
func (a PnL) add(b PnL) PnL {
	a.SpreadCapture = a.SpreadCapture.Add(b.SpreadCapture)
	a.InventoryPnL = a.InventoryPnL.Add(b.InventoryPnL)
	a.Fees = a.Fees.Add(b.Fees)
	a.HedgePnL = a.HedgePnL.Add(b.HedgePnL)
	a.Funding = a.Funding.Add(b.Funding)
	a.FXTranslation = a.FXTranslation.Add(b.FXTranslation)
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
	a.Total = a.SpreadCapture.Add(a.InventoryPnL).Sub(a.Fees).Add(a.HedgePnL).Add(a.Funding).Add(a.FXTranslation)
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
//
// The arithmetic is exact (market.Num: int64 mantissas while they fit, decimal.Decimal beyond); LoadPnL runs the
// same replayer over streamed rows.
func Replay(in ReplayInputs) MarketReplay {
	r := newReplayer(in.StartBase, in.StartQuote, in.StartMid, in.Method, in.Bucket, in.FeeRate,
		len(in.Fills)+len(in.Marks), true, nil)
	var fr journal.FillRecord
	var mr journal.MarkRecord
	fi, mi := 0, 0
	for fi < len(in.Fills) || mi < len(in.Marks) {
		takeFill := mi >= len(in.Marks) || (fi < len(in.Fills) && !in.Fills[fi].Time.After(in.Marks[mi].Time))
		if !takeFill {
			m := &in.Marks[mi]
			mi++
			mr = journal.MarkRecord{ID: m.ID, RunID: m.RunID, Time: m.Time, Mid: market.NumFromDecimal(m.Mid)}
			r.mark(&mr)
			continue
		}
		fillRecordOf(&in.Fills[fi], &fr)
		fi++
		r.fill(&fr)
	}
	return r.finish()
}

// fillRecordOf converts a journal.Fill to the record the replayer reads.
func fillRecordOf(f *journal.Fill, rec *journal.FillRecord) {
	*rec = journal.FillRecord{ID: f.ID, RunID: f.RunID, Time: f.Time, Sell: f.Side == journal.SideSell,
		Price: market.NumFromDecimal(f.Price), Amount: market.NumFromDecimal(f.Amount),
		Fee: market.NumFromDecimal(f.Fee), HasMid: f.Mid.Valid}
	if f.Mid.Valid {
		rec.Mid = market.NumFromDecimal(f.Mid.Decimal)
	}
	switch f.FeeAsset {
	case f.QuoteAsset:
		rec.FeeIn = journal.FeeInQuote
	case f.BaseAsset:
		rec.FeeIn = journal.FeeInBase
	default:
		rec.FeeIn, rec.FeeAsset, rec.QuoteAsset = journal.FeeInOther, f.FeeAsset, f.QuoteAsset
	}
}
