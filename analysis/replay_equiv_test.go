package analysis

// The replay as it was before the streaming, market.Num replayer (decimal.Decimal everywhere, slices in memory),
// kept as the reference the replayer must match to the last digit on random inputs.

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// refState is the running state of §4.1: inventory q, cash C, reference mid m.
type refState struct {
	q, cash, mid decimal.Decimal
	midKnown     bool
}

func (s refState) value() decimal.Decimal { return s.cash.Add(s.q.Mul(s.mid)) }

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
func refReplay(in ReplayInputs) MarketReplay {
	state := refState{q: in.StartBase, cash: in.StartQuote}
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
		refApplyFill(&state, b, lots, f, in, unpriced, &out)
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

func refApplyFill(state *refState, b *BucketPnL, lots lotBook, f journal.Fill, in ReplayInputs,
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

func randomEvents(rng *rand.Rand, n int) ([]journal.Fill, []journal.Mark) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	num := func() decimal.Decimal {
		switch rng.IntN(10) {
		case 0: // more digits than an int64 holds: the decimal.Decimal path
			return decimal.RequireFromString("0." + strconv.FormatUint(rng.Uint64(), 10) + strconv.FormatUint(rng.Uint64(), 10))
		case 1:
			return decimal.New(rng.Int64N(1000)+1, 0)
		}
		return decimal.New(rng.Int64N(100000)+1, -int32(rng.IntN(9)))
	}
	var fills []journal.Fill
	var marks []journal.Mark
	ms := int64(0)
	for i := range n {
		ms += rng.Int64N(3000)
		at := t0.Add(time.Duration(ms) * time.Millisecond)
		if rng.IntN(2) == 0 {
			marks = append(marks, journal.Mark{Market: "M", RunID: int64(rng.IntN(3)), Time: at,
				Mid: decimal.New(6000000+rng.Int64N(2000)-1000, -2)})
			continue
		}
		f := journal.Fill{Connector: "c", Market: "M", BaseAsset: "B", QuoteAsset: "Q", ExchangeTradeID: strconv.Itoa(i),
			Side: journal.SideBuy, Amount: num(), Price: decimal.New(6000000+rng.Int64N(2000)-1000, -2), Fee: num(),
			FeeAsset: "Q", Time: at, RunID: int64(rng.IntN(3))}
		if rng.IntN(2) == 0 {
			f.Side = journal.SideSell
		}
		switch rng.IntN(6) {
		case 0:
			f.FeeAsset = "B"
			f.Fee = decimal.New(rng.Int64N(100), -6)
		case 1:
			f.FeeAsset = "BNB"
		case 2:
			f.Fee = f.Fee.Neg()
		}
		if rng.IntN(3) > 0 {
			f.Mid = decimal.NewNullDecimal(decimal.New(6000000+rng.Int64N(2000)-1000, -2))
		}
		if rng.IntN(20) == 0 {
			f.Price = num()
		}
		fills = append(fills, f)
	}
	return fills, marks
}

func pnlString(p PnL) string {
	return fmt.Sprint(p.SpreadCapture, p.InventoryPnL, p.Fees, p.HedgePnL, p.Funding, p.Total, p.EquityChange,
		p.Residual, p.Realized, p.Unrealized, p.Fills, p.VolumeBase, p.VolumeQuote)
}

func replayString(r MarketReplay) string {
	s := fmt.Sprint(pnlString(r.Window), r.EndBase, r.EndQuote, r.EndMid, r.FillMids, r.Curve, r.Warnings)
	for _, b := range r.Buckets {
		s += b.Key + pnlString(b.PnL)
	}
	return s
}

func TestReplayerMatchesTheDecimalReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	horizons := []time.Duration{0, time.Second, 5 * time.Second, time.Minute}
	for iter := range 24 {
		fills, marks := randomEvents(rng, 50+rng.IntN(2000))
		if len(fills) == 0 {
			continue
		}
		for _, method := range []string{MethodAvgCost, MethodFIFO} {
			in := ReplayInputs{Fills: fills, Marks: marks, Method: method, StartBase: decimal.New(rng.Int64N(5), -1),
				StartQuote: decimal.New(10000, 0), Bucket: bucketFunc([]string{ByMarket, ByRun, ByHour}[iter%3], "M"),
				FeeRate: func(asset string) (decimal.Decimal, bool) { return decimal.New(3, -1), iter%2 == 0 }}
			if iter%4 != 0 {
				in.StartMid = decimal.NewNullDecimal(decimal.New(6000000, -2))
			}
			want, got := refReplay(in), Replay(in)
			if w, g := replayString(want), replayString(got); w != g {
				t.Fatalf("iter %d %s: replay differs\nwant %.400s\ngot  %.400s", iter, method, w, g)
			}
			end := time.Time{}
			if iter%2 == 1 {
				end = fills[len(fills)-1].Time.Add(-10 * time.Second)
			}
			wantMO, _ := refMarkouts(fills, want.FillMids, marks, horizons, end)
			// The streaming path: unknown event count, mark-outs in the pass.
			mo := newMarkoutStream(horizons, end)
			r := newReplayer(in.StartBase, in.StartQuote, in.StartMid, in.Method, in.Bucket, in.FeeRate, -1, true, mo)
			var fr journal.FillRecord
			fi, mi := 0, 0
			for fi < len(fills) || mi < len(marks) {
				if mi >= len(marks) || (fi < len(fills) && !fills[fi].Time.After(marks[mi].Time)) {
					fillRecordOf(&fills[fi], &fr)
					r.fill(&fr)
					fi++
					continue
				}
				m := marks[mi]
				mi++
				r.mark(&journal.MarkRecord{RunID: m.RunID, Time: m.Time, Mid: numOf(m.Mid)})
			}
			stream := r.finish()
			if w, g := replayString(want), replayString(stream); w != g {
				t.Fatalf("iter %d %s: streamed replay differs\nwant %.400s\ngot  %.400s", iter, method, w, g)
			}
			if w, g := fmt.Sprint(wantMO), fmt.Sprint(mo.finish()); w != g {
				t.Fatalf("iter %d %s: mark-outs differ\nwant %s\ngot  %s", iter, method, w, g)
			}
		}
	}
}

func numOf(d decimal.Decimal) market.Num { return market.NumFromDecimal(d) }
