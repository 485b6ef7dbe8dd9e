package analysis

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// pnl01 builds the events of vector PNL-01 (quant.json) as journal records: t in seconds, fees in quote. The
// vector's float fees are written here as the exact decimals they approximate (−1 bp of 99.85 is −0.009985).
func pnl01(t *testing.T) ([]journal.Fill, []journal.Mark) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	fill := func(id string, s int, side, qty, px, fee string) journal.Fill {
		return journal.Fill{Connector: "import", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
			ExchangeTradeID: id, Side: side, Amount: dec(qty), Price: dec(px), Fee: dec(fee), FeeAsset: "USDT", Time: at(s)}
	}
	mark := func(s int, mid string) journal.Mark {
		return journal.Mark{Connector: "import", Market: "BTC-USDT", Time: at(s), Mid: dec(mid)}
	}
	fills := []journal.Fill{
		fill("1", 2, "buy", "2", "100", "-0.02"),
		fill("2", 4, "buy", "1", "99.85", "-0.009985"),
		fill("3", 6, "sell", "1.5", "100.25", "-0.0150375"),
		fill("4", 8, "sell", "1", "100.35", "0.050175"),
		fill("5", 10, "buy", "0.5", "100.25", "-0.0050125"),
	}
	marks := []journal.Mark{mark(1, "100.05"), mark(3, "99.9"), mark(5, "100.2"), mark(7, "100.4"),
		mark(9, "100.3"), mark(11, "100")}
	return fills, marks
}

func oneBucket(time.Time, int64) string { return "all" }

func TestReplayReproducesPNL01Identity(t *testing.T) {
	var want struct {
		Spread, Inventory, Fees, Total float64
		FinalQ                         float64 `json:"final_q"`
		FinalCash                      float64 `json:"final_cash"`
	}
	var raw map[string]float64
	sharedtest.Decode(t, sharedtest.Vectors(t, "quant.json")["PNL-01"].Expected, &raw)
	want.Spread, want.Inventory, want.Fees, want.Total = raw["spread_capture"], raw["inventory_pnl"], raw["fees"], raw["identity_total"]
	fills, marks := pnl01(t)
	r := Replay(ReplayInputs{Fills: fills, Marks: marks, StartQuote: dec("10000"),
		StartMid: decimal.NewNullDecimal(dec("100")), Method: MethodAvgCost, Bucket: oneBucket})
	w := r.Window
	checks := []struct {
		name string
		got  decimal.Decimal
		want float64
	}{
		{"spread capture", w.SpreadCapture, want.Spread}, {"inventory pnl", w.InventoryPnL, want.Inventory},
		{"fees", w.Fees, want.Fees}, {"total", w.Total, want.Total}, {"equity change", w.EquityChange, raw["total_pnl_direct"]},
		{"final q", r.EndBase, raw["final_q"]}, {"final cash", r.EndQuote, raw["final_cash"]},
	}
	for _, c := range checks {
		// The vector's values are 10-significant-digit renderings of exact decimals; ours must be those decimals.
		if !c.got.Equal(decimal.NewFromFloat(c.want)) {
			t.Errorf("%s = %s, want %v", c.name, c.got, c.want)
		}
	}
	if !w.Residual.IsZero() {
		t.Errorf("residual = %s, want exactly 0", w.Residual)
	}
}

func TestReplayRealizedUnrealizedMatchesPNL02(t *testing.T) {
	var want map[string]any
	sharedtest.Decode(t, sharedtest.Vectors(t, "quant.json")["PNL-02"].Expected, &want)
	fills, marks := pnl01(t)
	for _, tc := range []struct{ method, realized, unrealized string }{
		{MethodAvgCost, "avg_cost_realized", "avg_cost_unrealized"},
		{MethodFIFO, "fifo_realized", "fifo_unrealized"},
	} {
		r := Replay(ReplayInputs{Fills: fills, Marks: marks, StartQuote: dec("10000"),
			StartMid: decimal.NewNullDecimal(dec("100")), Method: tc.method, Bucket: oneBucket})
		if got := r.Window.Realized; !got.Equal(decimal.NewFromFloat(want[tc.realized].(float64))) {
			t.Errorf("%s realized = %s, want %v", tc.method, got, want[tc.realized])
		}
		if got := r.Window.Unrealized; !got.Equal(decimal.NewFromFloat(want[tc.unrealized].(float64))) {
			t.Errorf("%s unrealized = %s, want %v", tc.method, got, want[tc.unrealized])
		}
		gross := r.Window.Realized.Add(r.Window.Unrealized)
		if !gross.Equal(decimal.NewFromFloat(want["gross_pnl"].(float64))) {
			t.Errorf("%s realized + unrealized = %s, want gross %v", tc.method, gross, want["gross_pnl"])
		}
	}
}

func TestMarkoutsReproducePNL03(t *testing.T) {
	var want map[string]struct {
		PerFill []struct {
			Quote float64 `json:"markout_quote"`
			Bps   float64 `json:"markout_bps"`
			Drift float64 `json:"post_fill_drift_quote"`
		} `json:"per_fill"`
		Total       float64 `json:"total_quote"`
		WeightedBps float64 `json:"notional_weighted_bps"`
	}
	sharedtest.Decode(t, sharedtest.Vectors(t, "quant.json")["PNL-03"].Expected, &want)
	fills, marks := pnl01(t)
	r := Replay(ReplayInputs{Fills: fills, Marks: marks, StartQuote: dec("10000"),
		StartMid: decimal.NewNullDecimal(dec("100")), Method: MethodAvgCost, Bucket: oneBucket})
	horizons := []time.Duration{0, time.Second, 3 * time.Second}
	got, perFill := refMarkouts(fills, r.FillMids, marks, horizons, time.Time{})
	for i, key := range []string{"h=0s", "h=1s", "h=3s"} {
		w, mo := want[key], got[i]
		if !closeTo(mo.TotalQuote, w.Total) || !closeTo(mo.WeightedBps, w.WeightedBps) {
			t.Errorf("%s: total %s (want %v), weighted %s bps (want %v)", key, mo.TotalQuote, w.Total, mo.WeightedBps, w.WeightedBps)
		}
		for k, pf := range w.PerFill {
			g := perFill[i][k]
			if !closeTo(g.Quote, pf.Quote) || !closeTo(g.Bps, pf.Bps) || !closeTo(g.DriftQuote, pf.Drift) {
				t.Errorf("%s fill %d: %s / %s bps / drift %s, want %v / %v / %v", key, k, g.Quote, g.Bps, g.DriftQuote,
					pf.Quote, pf.Bps, pf.Drift)
			}
		}
	}
}

// users.md (NT #1083): a flip from −1 to +0.5 realizes PnL on the closed unit only.
func TestAvgCostFlipRealizesOnlyTheClosedPart(t *testing.T) {
	num := func(s string) market.Num { return market.NumFromDecimal(dec(s)) }
	b := &numAvgCostBook{}
	b.trade(num("-1"), num("100"))
	realized := b.trade(num("1.5"), num("90"))
	if !realized.Decimal().Equal(dec("10")) || !b.qty.Decimal().Equal(dec("0.5")) || !b.cost.Decimal().Equal(dec("90")) {
		t.Errorf("flip: realized %s, q %s, cost %s; want 10, 0.5, 90", realized, b.qty, b.cost)
	}
	f := &numFifoBook{}
	f.trade(num("-1"), num("100"))
	if realized := f.trade(num("1.5"), num("90")); !realized.Decimal().Equal(dec("10")) {
		t.Errorf("fifo flip realized %s, want 10", realized)
	}
}

// A fee in the base asset (a Binance spot buy without BNB): inventory rises by n − φ, the fee is φ·m_fill, and
// the identity still holds to the last digit (quant.md §4.6, vector PNL-04's rule).
func TestReplayBaseFeeKeepsTheIdentityExact(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fills := []journal.Fill{{Connector: "x", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT", ExchangeTradeID: "1",
		Side: "buy", Amount: dec("1"), Price: dec("99.9"), Fee: dec("0.001"), FeeAsset: "BTC", Time: t0.Add(time.Second)}}
	marks := []journal.Mark{{Market: "BTC-USDT", Time: t0, Mid: dec("100")}, {Market: "BTC-USDT", Time: t0.Add(2 * time.Second), Mid: dec("101")}}
	r := Replay(ReplayInputs{Fills: fills, Marks: marks, StartQuote: dec("1000"), Method: MethodFIFO, Bucket: oneBucket})
	w := r.Window
	// spread 1·(100 − 99.9) = 0.1; fee 0.001·100 = 0.1; inventory 0.999·(101 − 100) = 0.999.
	if !w.SpreadCapture.Equal(dec("0.1")) || !w.Fees.Equal(dec("0.1")) || !w.InventoryPnL.Equal(dec("0.999")) ||
		!w.Residual.IsZero() || !r.EndBase.Equal(dec("0.999")) {
		t.Errorf("spread %s fees %s inventory %s residual %s q %s", w.SpreadCapture, w.Fees, w.InventoryPnL, w.Residual, r.EndBase)
	}
}

// The average cost is kept to 28 decimals (costPlaces), also for the first trade of a position, whose cost is its
// price only when the price has at most 28 decimals: 1.23e-28 is held as 1e-28.
func TestAvgCostOfAFirstTradeIsRoundedTo28Decimals(t *testing.T) {
	num := func(s string) market.Num { return market.NumFromDecimal(dec(s)) }
	b := &numAvgCostBook{}
	b.trade(num("1"), num("0.000000000000000000000000000123"))
	if want := dec("0.0000000000000000000000000001"); !b.cost.Decimal().Equal(want) {
		t.Errorf("cost %s, want %s (the price rounded to 28 decimals)", b.cost, want)
	}
	b = &numAvgCostBook{}
	b.trade(num("2"), num("61837.63"))
	if !b.cost.Decimal().Equal(dec("61837.63")) {
		t.Errorf("cost %s, want the price 61837.63", b.cost)
	}
}
