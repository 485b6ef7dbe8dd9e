package strategy

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// randomScenario is a tick input drawn across the parameters the fixed-point stages cover (and some they hand
// back to the decimal ones): levels, spreads and sizes of varied precision, skew, ping pong, hanging orders,
// transaction costs, price bands, exchange minimums, budgets that run out, and live orders near the price.
func randomScenario(rng *rand.Rand) (PMMParams, PMMState, MarketSnapshot) {
	d := func(m int64, exp int32) decimal.Decimal { return decimal.New(m, exp) }
	pick := func(values ...decimal.Decimal) decimal.Decimal { return values[rng.IntN(len(values))] }
	p := oneLevelParams()
	p.OrderLevels = 1 + rng.IntN(6)
	p.BidSpread, p.AskSpread = d(rng.Int64N(300), -4), d(rng.Int64N(3000), -5)
	p.OrderAmount = pick(d(1, 0), d(15, -1), d(rng.Int64N(100_000), -4), d(1234567, -6))
	p.OrderLevelAmount = pick(decimal.Zero, d(5, -1), d(-2, -1), d(rng.Int64N(1000), -3))
	p.OrderLevelSpread = pick(d(1, -2), d(rng.Int64N(500), -5), d(25, -4))
	p.OrderRefreshTolerancePct = pick(d(-1, 0), decimal.Zero, d(1, -2), d(rng.Int64N(100), -4))
	p.MinimumSpread = pick(d(-1, 0), d(rng.Int64N(50), -4))
	p.InventorySkewEnabled = rng.IntN(3) > 0
	p.InventoryTargetBasePct = pick(d(5, -1), d(rng.Int64N(100), -2))
	p.InventoryRangeMultiplier = pick(d(1, 0), d(2, 0), d(rng.Int64N(50), -1))
	p.HangingOrdersEnabled = rng.IntN(2) == 0
	p.HangingOrdersCancelPct = pick(decimal.Zero, d(1, -1), d(rng.Int64N(50), -3))
	p.PingPongEnabled = rng.IntN(2) == 0
	p.AddTransactionCosts = rng.IntN(3) == 0
	p.TakeIfCrossed = rng.IntN(4) == 0
	p.PriceCeiling = pick(d(-1, 0), d(-1, 0), d(101, 0), d(99, 0))
	p.PriceFloor = pick(d(-1, 0), d(-1, 0), d(99, 0), d(101, 0))
	p.MovingPriceBandEnabled = rng.IntN(4) == 0
	p.PriceCeilingPct, p.PriceFloorPct = pick(d(1, 0), d(5, -1)), pick(d(-1, 0), d(-5, -1))
	if rng.IntN(8) == 0 {
		p.OrderOptimizationEnabled = true
	}

	mid := d(100_000+rng.Int64N(2_000)-1_000, -3)
	spread := d(rng.Int64N(400), -3)
	m := MarketSnapshot{Now: simStart.Add(time.Duration(10+rng.IntN(30)) * time.Second),
		Mid: mid, BestBid: mid.Sub(spread), BestAsk: mid.Add(spread)}
	if rng.IntN(10) == 0 {
		m.BestAsk = decimal.Zero
	}
	m.Rules = MarketRules{
		Tick:     pick(d(1, -2), d(5, -2), d(1, -3), d(25, -3), d(1, 0)),
		Step:     pick(d(1, -3), d(1, -2), d(5, -3), d(1, -6), d(1, 0)),
		MakerFee: pick(decimal.Zero, d(1, -3), d(75, -5)), TakerFee: d(1, -3),
		MinSize: pick(decimal.Zero, d(5, -1)), MinNotional: pick(decimal.Zero, d(10, 0), d(150, 0)),
	}
	if rng.IntN(10) == 0 {
		m.Quantizer = hbMock // not covered: the decimal stages run
	}
	base := pick(d(500, 0), d(rng.Int64N(5_000_000), -4), decimal.Zero, d(2, 0))
	quote := pick(d(5000, 0), d(rng.Int64N(50_000_000), -4), decimal.Zero, d(150, 0))

	var s PMMState
	s.FilledBuys, s.FilledSells = rng.IntN(3), rng.IntN(3)
	if rng.IntN(3) > 0 {
		s.CancelAt = simStart.Add(5 * time.Second)
	} else {
		s.CancelAt = simStart.Add(time.Hour)
	}
	if rng.IntN(4) == 0 {
		s.CreateAt = simStart.Add(time.Hour)
	}
	baseLocked, quoteLocked := decimal.Zero, decimal.Zero
	for i := range max(rng.IntN(16)-8, 0) {
		side := market.Buy
		price := mid.Mul(d(1000-rng.Int64N(30), -3)).Truncate(2)
		if i%2 == 1 {
			side, price = market.Sell, mid.Mul(d(1000+rng.Int64N(30), -3)).Truncate(2)
		}
		o := Order{ClientID: fmt.Sprintf("live-%d", i), Side: side, Price: price, Amount: d(1+rng.Int64N(3000), -3),
			Created: simStart.Add(-time.Duration(rng.IntN(2000)) * time.Second), Level: i / 2,
			Hanging: rng.IntN(5) == 0, CancelInFlight: rng.IntN(8) == 0, Acknowledged: true}
		switch rng.IntN(8) {
		case 0:
			o.Filled = o.Amount.Mul(d(5, -1))
		case 1:
			o.Filled = o.Amount.Div(d(3, 0)) // 16 decimals: too many digits for the fixed-point stages
		}
		if side == market.Buy {
			quoteLocked = quoteLocked.Add(o.Remaining().Mul(o.Price))
		} else {
			baseLocked = baseLocked.Add(o.Remaining())
		}
		s.Orders = append(s.Orders, o)
		if i%2 == 1 && rng.IntN(2) == 0 {
			s.HangingPairs = append(s.HangingPairs, HangingPair{BuyID: s.Orders[i-1].ClientID, SellID: o.ClientID,
				FilledBuy: rng.IntN(2) == 0})
		}
	}
	m.Balances = Balances{BaseTotal: base.Add(baseLocked), BaseAvailable: base,
		QuoteTotal: quote.Add(quoteLocked), QuoteAvailable: quote}
	return p, s, m
}

// dumpTick prints a tick's result with every number's exact representation (coefficient and exponent), so two
// results print alike only if they place, cancel, track and explain exactly the same.
func dumpTick(r TickResult) string {
	var b strings.Builder
	n := func(x decimal.Decimal) string { return x.Coefficient().String() + "e" + fmt.Sprint(x.Exponent()) }
	for _, c := range r.Actions.Cancels {
		fmt.Fprintf(&b, "cancel %s %s\n", c.ClientID, c.Reason)
	}
	for _, pl := range r.Actions.Places {
		fmt.Fprintf(&b, "place %s %s %s %s %d %v %v\n", pl.ClientID, pl.Side, n(pl.Price), n(pl.Amount), pl.Level,
			pl.Hanging, pl.PostOnly)
	}
	st := r.State
	fmt.Fprintf(&b, "timers %s %s counters %d %d band %s %s %s last %v\n", st.CreateAt, st.CancelAt, st.FilledBuys,
		st.FilledSells, n(st.Band.Floor), n(st.Band.Ceiling), st.Band.SetAt, st.LastOwnTradePrice)
	for _, o := range st.Orders {
		fmt.Fprintf(&b, "order %s %s %s %s %s %s %d %v %v %v %v\n", o.ClientID, o.Side, n(o.Price), n(o.Amount),
			n(o.Filled), o.Created, o.Level, o.Hanging, o.CancelInFlight, o.Renewing, o.Acknowledged)
	}
	fmt.Fprintf(&b, "pairs %v renewals %d cancels-nil %v\n", st.HangingPairs, len(st.Renewals), r.Actions.Cancels == nil)
	fmt.Fprintf(&b, "built %v ref %s %s %s\n", r.Explain.ProposalBuilt, n(r.Explain.Ref.Price), n(r.Explain.Ref.BuyRef),
		n(r.Explain.Ref.SellRef))
	for _, dec := range r.Explain.Decisions {
		b.WriteString(dec + "\n")
	}
	return b.String()
}

// The fixed-point stages must give exactly what the decimal stages give. With ExplainStages on, Tick runs the
// decimal stages (they record the trace); off, the fixed-point ones whenever they cover the configuration.
func TestFixedPipelineMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	placed, covered := 0, 0
	for i := range 20_000 {
		p, s, m := randomScenario(rng)
		m.NewClientID = DefaultClientIDs("f")
		fast := Tick(p, s, m)
		m.ExplainStages, m.NewClientID = true, DefaultClientIDs("f")
		reference := Tick(p, s, m)
		if got, want := dumpTick(fast), dumpTick(reference); got != want {
			t.Fatalf("scenario %d: fixed point\n%s\ndecimal\n%s\nparams %+v", i, got, want, p)
		}
		placed += len(fast.Actions.Places)
		m.ExplainStages = false
		if _, ok := buildFixedProposal(p, &tickState{PMMState: s}, &m, fast.Explain.Ref, &Explain{}, nil, nil); ok {
			covered++
		}
	}
	if placed < 10_000 || covered < 12_000 {
		t.Fatalf("%d orders placed, %d scenarios in fixed point: the scenarios do not exercise the proposal",
			placed, covered)
	}
}

// Tick never writes the slices of the state it was given, also now that it copies them only on the first write.
func TestTickLeavesCallerStateAlone(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 2_000 {
		p, s, m := randomScenario(rng)
		m.NewClientID = DefaultClientIDs("f")
		before := dumpTick(TickResult{State: s})
		ordersBefore := s.Orders[:len(s.Orders):len(s.Orders)]
		_ = Tick(p, s, m)
		if after := dumpTick(TickResult{State: PMMState{Orders: ordersBefore, HangingPairs: s.HangingPairs,
			CreateAt: s.CreateAt, CancelAt: s.CancelAt, FilledBuys: s.FilledBuys, FilledSells: s.FilledSells,
			Band: s.Band, LastOwnTradePrice: s.LastOwnTradePrice, Renewals: s.Renewals}}); after != before {
			t.Fatalf("Tick changed its input state:\n%s\nwas\n%s", after, before)
		}
	}
}

// The fixed-point comparisons of the cancel rules are the decimal ones: |x − price| > f·price for hanging orders
// too far away, signed spread < f·price for minimum_spread, and the refresh tolerance.
func TestFixedComparisonsMatchDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for range 20_000 {
		price := decimal.New(1+rng.Int64N(2_000_000), -int32(rng.IntN(6)))
		factor := decimal.New(rng.Int64N(2_000)-1_000, -int32(rng.IntN(6)))
		x := price.Add(decimal.New(rng.Int64N(20_000)-10_000, -int32(rng.IntN(6))))
		fixed, dec := newDistanceLimit(factor, price), newDistanceLimit(factor, price)
		dec.fixedFits = false
		if !fixed.fixedFits {
			t.Fatalf("%v·%v does not fit", factor, price)
		}
		if fixed.beyond(x) != dec.beyond(x) {
			t.Fatalf("beyond(%v) around %v·%v: fixed %v", x, factor, price, fixed.beyond(x))
		}
		for _, side := range []market.Side{market.Buy, market.Sell} {
			if fixed.below(x, side) != dec.below(x, side) {
				t.Fatalf("below(%v, %s) around %v·%v: fixed %v", x, side, factor, price, fixed.below(x, side))
			}
		}
	}
	for range 5_000 {
		p, s, m := randomScenario(rng)
		p.OrderRefreshTolerancePct = decimal.New(rng.Int64N(300), -int32(2+rng.IntN(4)))
		m.NewClientID = DefaultClientIDs("f")
		fs := &tickState{PMMState: s}
		fp, ok := buildFixedProposal(p, fs, &m, RefPrice{Price: m.Mid, BuyRef: m.Mid, SellRef: m.Mid}, &Explain{}, nil, nil)
		if !ok {
			continue
		}
		dp := fp.decimal()
		got, ok := refreshDeferredFixed(p, s.Orders, &fp)
		want := refreshDeferred(p, s.Orders, builtProposal{decimal: &dp})
		if !ok || got != want {
			t.Fatalf("tolerance %v: fixed %v (ok %v), decimal %v", p.OrderRefreshTolerancePct, got, ok, want)
		}
	}
}
