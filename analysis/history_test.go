package analysis

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/journal"
)

var dec = decimal.RequireFromString

func fill(side, amount, price string, at time.Time) journal.Fill {
	return journal.Fill{Connector: "import", Market: "HBOT-USDT", BaseAsset: "HBOT", QuoteAsset: "USDT",
		Side: side, Amount: dec(amount), Price: dec(price), Fee: decimal.Zero, FeeAsset: "USDT", Time: at}
}

// Vector perf_spot: Hummingbot's PerformanceMetrics test. No start snapshot, so start balances are inferred as
// Hummingbot infers them; every intermediate value of the vector's "computed" block is checked.
func TestHistoryReproducesPerfSpot(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["perf_spot"]
	var want map[string]any
	sharedtest.Decode(t, v.Computed, &want)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := ComputeMarketHistory(MarketInputs{
		Summary:         SummarizeFills([]journal.Fill{fill("buy", "10", "100", t0), fill("sell", "15", "120", t0.Add(time.Second))}),
		CurrentBalances: map[string]decimal.Decimal{"HBOT": dec("100"), "USDT": dec("10000")},
		Price:           decimal.NewNullDecimal(dec("0.2")),
	})
	got := map[string]decimal.Decimal{
		"b_vol_base": h.Buy.VolumeBase, "s_vol_base": h.Sell.VolumeBase, "tot_vol_base": h.Total.VolumeBase,
		"b_vol_quote": h.Buy.VolumeQuote, "s_vol_quote": h.Sell.VolumeQuote, "tot_vol_quote": h.Total.VolumeQuote,
		"avg_b_price": h.Buy.AvgPrice, "avg_s_price": h.Sell.AvgPrice, "avg_tot_price": h.Total.AvgPrice,
		"start_base_bal": h.Base.Start, "start_quote_bal": h.Quote.Start, "start_price": h.StartPrice,
		"cur_price": h.CurrentPrice, "start_base_ratio_pct": h.StartBasePct, "cur_base_ratio_pct": h.CurrentBasePct,
		"hold_value": h.HoldValue, "cur_value": h.CurrentValue, "trade_pnl": h.TradePnL,
		"fee_in_quote": h.FeeInQuote, "total_pnl": h.TotalPnL, "return_pct": h.ReturnPct,
	}
	for name, value := range got {
		if !value.Equal(dec(want[name].(string))) {
			t.Errorf("%s = %s, want %s", name, value, want[name])
		}
	}
	if h.StartSource != StartInferred {
		t.Errorf("start source = %s, want inferred", h.StartSource)
	}
	if got := FormatPercent(h.ReturnPct); got != want["return_pct_display"] {
		t.Errorf("return %% shown as %s, want %s", got, want["return_pct_display"])
	}
	rounded := want["smart_round"].(map[string]any)
	for name, value := range map[string]decimal.Decimal{"hold": h.HoldValue, "current": h.CurrentValue, "trade_pnl": h.TradePnL} {
		if got := FormatRounded(value, -1); got != rounded[name] {
			t.Errorf("smart_round(%s) = %s, want %s", name, got, rounded[name])
		}
	}
}

// Vector docs_history_example: start 155248 / 23.331, current 202671 / 16.419 at 0.0000809, fees 0.428 in quote.
// Hummingbot inferred those start balances, so the fills here trade exactly the difference (47423 base for
// 6.912 quote) and no start snapshot exists.
func TestHistoryReproducesDocsExample(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["docs_history_example"]
	var want, computed map[string]string
	sharedtest.Decode(t, v.Expected, &want)
	sharedtest.Decode(t, v.Computed, &computed)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	buy1 := fill("buy", "47422", "0.0001", t0)
	buy2 := fill("buy", "1", "2.1698", t0.Add(time.Second))
	buy2.Fee = dec("0.428")
	h := ComputeMarketHistory(MarketInputs{
		Summary:         SummarizeFills([]journal.Fill{buy1, buy2}),
		CurrentBalances: map[string]decimal.Decimal{"HBOT": dec("202671"), "USDT": dec("16.419")},
		Price:           decimal.NewNullDecimal(dec("0.0000809")),
	})
	if !h.Base.Start.Equal(dec("155248")) || !h.Quote.Start.Equal(dec("23.331")) {
		t.Fatalf("inferred start = %s / %s, want 155248 / 23.331", h.Base.Start, h.Quote.Start)
	}
	checks := []struct {
		name  string
		value decimal.Decimal
	}{{"hold_value", h.HoldValue}, {"current_value", h.CurrentValue}, {"trade_pnl", h.TradePnL}}
	for _, c := range checks {
		if !c.value.Equal(dec(computed[c.name])) {
			t.Errorf("%s = %s, want %s", c.name, c.value, computed[c.name])
		}
	}
	// The docs print total P&L as -3.504; the formula gives trade − fees = -3.0754793 − 0.428 = -3.5034793,
	// which the docs' own return (-9.76 %) agrees with.
	if !h.TotalPnL.Equal(dec("-3.5034793")) {
		t.Errorf("total_pnl = %s, want -3.5034793", h.TotalPnL)
	}
	if got := FormatPercent(h.ReturnPct); got != want["return"] {
		t.Errorf("return = %s, want %s", got, want["return"])
	}
}

// Vector perf_fees_multi_token: fees in the quote asset count as they are; a fee in USDT reaches COINALPHA
// through USDT-DAI (0.9) and DAI-COINALPHA (2). The trade's three fee parts are three partial fills here, one
// fee asset each, since a journal fill carries one fee.
func TestHistoryConvertsFeesThroughMarks(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["perf_fees_multi_token"]
	var want struct {
		FeeInQuote string `json:"fee_in_quote"`
	}
	sharedtest.Decode(t, v.Expected, &want)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	part := func(amount, fee, asset string) journal.Fill {
		return journal.Fill{Connector: "import", Market: "HBOT-COINALPHA", BaseAsset: "HBOT", QuoteAsset: "COINALPHA",
			Side: "buy", Amount: dec(amount), Price: dec("1000"), Fee: dec(fee), FeeAsset: asset, Time: t0}
	}
	h := ComputeMarketHistory(MarketInputs{
		Summary: SummarizeFills([]journal.Fill{part("0.5", "100", "COINALPHA"), part("0.25", "10", "USDT"),
			part("0.25", "5", "DAI"), part("0.000001", "7", "BNB")}),
		CurrentBalances: map[string]decimal.Decimal{"HBOT": dec("1"), "COINALPHA": dec("0")},
		Rates:           NewRates(map[string]decimal.Decimal{"USDT-DAI": dec("0.9"), "DAI-COINALPHA": dec("2")}),
	})
	if !h.FeeInQuote.Equal(dec(want.FeeInQuote)) {
		t.Errorf("fee in quote = %s, want %s", h.FeeInQuote, want.FeeInQuote)
	}
	var bnb FeeLine
	for _, f := range h.Fees {
		if f.Asset == "BNB" {
			bnb = f
		}
	}
	if bnb.InQuote.Valid || !bnb.Amount.Equal(dec("7")) {
		t.Errorf("BNB fee line = %+v, want 7 BNB unpriced", bnb)
	}
	if len(h.Warnings) != 1 {
		t.Errorf("warnings = %q, want exactly one (for BNB)", h.Warnings)
	}
}

// With a recorded start snapshot the balances already include the fees; total P&L is current − hold and is not
// reduced by the fees a second time.
func TestHistoryWithStartSnapshotCountsFeesOnce(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	buy := fill("buy", "1", "100", t0)
	buy.Fee, buy.FeeAsset = dec("0.1"), "USDT"
	// Start 0 HBOT / 1000 USDT; bought 1 at 100 paying 0.1 USDT → 1 HBOT / 899.9 USDT; price now 110.
	h := ComputeMarketHistory(MarketInputs{
		Summary:         SummarizeFills([]journal.Fill{buy}),
		StartBalances:   map[string]decimal.Decimal{"HBOT": dec("0"), "USDT": dec("1000")},
		CurrentBalances: map[string]decimal.Decimal{"HBOT": dec("1"), "USDT": dec("899.9")},
		Price:           decimal.NewNullDecimal(dec("110")),
	})
	// hold = 0·110 + 1000 = 1000; current = 110 + 899.9 = 1009.9; total = 9.9; trade = 9.9 + 0.1 = 10.
	if h.StartSource != StartFromSnapshot || !h.TotalPnL.Equal(dec("9.9")) || !h.TradePnL.Equal(dec("10")) {
		t.Errorf("source %s total %s trade %s, want snapshot, 9.9, 10", h.StartSource, h.TotalPnL, h.TradePnL)
	}
}
