package strategy

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// One evaluation per tick with every guard on and nothing tripping: the cost the run loop pays on each tick.
func BenchmarkEvaluateRiskAllGuards(b *testing.B) {
	p := DefaultRiskParams()
	p.KillSwitchRatePct = dec("-5")
	p.MaxInventoryBase = dec("10")
	p.DailyLossLimitQuote = dec("1000000")
	p.MaxDrawdownPct = dec("50")
	p.StaleDataTimeout = time.Minute
	mids := []decimal.Decimal{dec("60000"), dec("60000.5"), dec("59999.5"), dec("60001")}
	in := riskIn(riskT0, "60000", "1", "60000", 10)
	s := NewRiskState(riskT0, dec("1"), dec("60000"), dec("60000"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in.Now = riskT0.Add(time.Duration(i) * time.Second)
		in.LastMarketData = in.Now
		in.Mid = mids[i%len(mids)]
		var changes []RiskTrip
		s, changes = EvaluateRisk(p, s, in)
		if len(changes) > 0 {
			b.Fatalf("unexpected change %v", changes)
		}
	}
}

// With every guard off the evaluation must cost next to nothing: the default config has none.
func BenchmarkEvaluateRiskNoGuards(b *testing.B) {
	p := DefaultRiskParams()
	in := riskIn(riskT0, "60000", "1", "60000", 10)
	var s RiskState
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in.Now = riskT0.Add(time.Duration(i) * time.Second)
		in.LastMarketData = in.Now
		s, _ = EvaluateRisk(p, s, in)
	}
}
