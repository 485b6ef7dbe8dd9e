package strategy

import (
	"testing"
)

// BenchmarkTick measures one tick that builds a full proposal: 5 levels, inventory skew, hanging orders and ping
// pong on, ten live orders, at a refresh point where the tolerance check keeps them (the common steady state:
// PMM re-checks every tick once the refresh time has passed, §3.4).
func BenchmarkTick(b *testing.B) {
	p := oneLevelParams()
	p.OrderLevels, p.OrderLevelAmount, p.OrderLevelSpread = 5, dec("0.5"), dec("0.01")
	p.InventorySkewEnabled, p.InventoryTargetBasePct, p.InventoryRangeMultiplier = true, dec("0.5"), dec("2")
	p.HangingOrdersEnabled, p.PingPongEnabled = true, true
	p.OrderRefreshTolerancePct = dec("0.01")
	x := newSim(&testing.T{}, p)
	// An exchange's fixed tick and step, as live and replay runs quantize (not the mock's significant digits).
	x.m.ExplainStages, x.m.Quantizer = false, nil
	x.m.Rules = MarketRules{Tick: dec("0.01"), Step: dec("0.001")}
	x.tick(1)
	m := x.m
	m.Now = x.at(7)
	base, quote := adjustedBalances(Balances{}, x.s.Orders, true)
	m.Balances = Balances{BaseTotal: x.base, BaseAvailable: x.base.Sub(base),
		QuoteTotal: x.quote, QuoteAvailable: x.quote.Sub(quote)}
	s := x.s
	if r := Tick(p, s, m); len(r.Actions.Cancels)+len(r.Actions.Places) != 0 || !r.Explain.ProposalBuilt {
		b.Fatalf("benchmark tick is not a deferred refresh: %+v\n%s", r.Actions, r.Explain)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = Tick(p, s, m)
	}
}
