package analysis

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/journal"
)

var (
	hedgeT0        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	inverseBTCPerp = journal.HedgeInstrument{Venue: "deribit", Instrument: "BTC-PERPETUAL", Contract: journal.ContractInverse, ContractSize: dec("100"), QuoteAsset: "USD", SettleAsset: "BTC"}
	linearBTCUSDT  = journal.HedgeInstrument{Venue: "binance-usdm", Instrument: "BTCUSDT", Contract: journal.ContractLinear, ContractSize: dec("0.01"), QuoteAsset: "USDT", SettleAsset: "USDT"}
	hedgeAt        = func(s int) time.Time { return hedgeT0.Add(time.Duration(s) * time.Second) }
)

func hedgeFill(terms journal.HedgeInstrument, s int, side, contracts, price, fee, feeAsset string) journal.HedgeFill {
	return journal.HedgeFill{Venue: terms.Venue, Instrument: terms.Instrument, TradeID: side + price, Side: side,
		Amount: dec(contracts), Price: dec(price), Fee: dec(fee), FeeAsset: feeAsset, Time: hedgeAt(s)}
}

func hedgeMark(terms journal.HedgeInstrument, s int, mark string) journal.HedgeMark {
	return journal.HedgeMark{Venue: terms.Venue, Instrument: terms.Instrument, Time: hedgeAt(s), Mark: dec(mark)}
}

// closeTo compares with the vectors' tolerance: relative 1e-9, absolute 1e-9 near zero (quant.md §8).
func closeTo(got decimal.Decimal, want float64) bool {
	g := got.InexactFloat64()
	return math.Abs(g-want) <= 1e-9 || math.Abs(g-want) <= 1e-9*math.Abs(want)
}

func requireIdentity(t *testing.T, p PnL) {
	t.Helper()
	if !p.Residual.IsZero() || !p.EquityChange.Equal(p.Total) {
		t.Errorf("equity change %s, total %s, residual %s: want residual exactly 0", p.EquityChange, p.Total, p.Residual)
	}
	want := p.SpreadCapture.Add(p.InventoryPnL).Sub(p.Fees).Add(p.HedgePnL).Add(p.Funding).Add(p.FXTranslation)
	if !p.Total.Equal(want) {
		t.Errorf("total %s, want the sum of the components %s", p.Total, want)
	}
}

// INV-01: 1,000 inverse contracts of 100 USD from F0 = 50,000 to F1 = 55,000.
func TestInverseHedgeReproducesINV01(t *testing.T) {
	var want map[string]float64
	sharedtest.Decode(t, sharedtest.Vectors(t, "quant.json")["INV-01"].Expected, &want)
	for _, tc := range []struct {
		name, side        string
		coinKey           string
		usdValue, expoSgn float64
	}{
		{"long", journal.SideBuy, "coin_pnl_long", want["usd_value_at_F1_long"], 1},
		{"short", journal.SideSell, "coin_pnl_short", -want["usd_value_at_F1_long"], -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := HedgeReplayInputs{Instrument: inverseBTCPerp, Method: MethodAvgCost,
				Fills: []journal.HedgeFill{hedgeFill(inverseBTCPerp, 1, tc.side, "1000", "50000", "0", "BTC")},
				Marks: []journal.HedgeMark{hedgeMark(inverseBTCPerp, 0, "50000"), hedgeMark(inverseBTCPerp, 2, "55000")}}

			// At F0, before the move: exposure N·Vc/F0 and coin delta N·Vc/F0².
			atF0 := in
			atF0.Marks = in.Marks[:1]
			h0 := ReplayHedge(atF0)
			if !closeTo(h0.ExposureCoin.Decimal, tc.expoSgn*want["usd_exposure_in_coin_at_F0"]) ||
				!closeTo(h0.DeltaCoin.Decimal, tc.expoSgn*want["coin_delta_per_usd_at_F0"]) {
				t.Errorf("at F0: exposure %s, delta %s; want %v, %v", h0.ExposureCoin.Decimal, h0.DeltaCoin.Decimal,
					want["usd_exposure_in_coin_at_F0"], want["coin_delta_per_usd_at_F0"])
			}

			h := ReplayHedge(in)
			if !closeTo(h.PnLCoin.Decimal, want[tc.coinKey]) {
				t.Errorf("coin PnL %s, want %v", h.PnLCoin.Decimal, want[tc.coinKey])
			}
			// The USD value of the coin PnL at F1 is N·Vc·(F1/F0 − 1), exactly 10,000 here: no rounding shows.
			if !h.Window.HedgePnL.Equal(decimal.NewFromFloat(tc.usdValue)) || !h.InventoryPnL.Equal(h.Window.HedgePnL) ||
				!h.SpreadCapture.IsZero() {
				t.Errorf("hedge PnL %s (spread %s, inventory %s), want %v", h.Window.HedgePnL, h.SpreadCapture,
					h.InventoryPnL, tc.usdValue)
			}
			if !h.PnLCoin.Decimal.Mul(dec("55000")).Round(8).Equal(h.Window.HedgePnL) {
				t.Errorf("coin PnL %s × F1 is not the hedge PnL %s", h.PnLCoin.Decimal, h.Window.HedgePnL)
			}
			requireIdentity(t, h.Window)
			if lots := h.Window.Realized.Add(h.Window.Unrealized).Round(12); !lots.Equal(h.Window.HedgePnL) {
				t.Errorf("realized + unrealized = %s, want the hedge PnL %s", lots, h.Window.HedgePnL)
			}
		})
	}
}

// Linear contracts (quant.md §5.1): N·size·(F1 − F0), fees and funding in the quote asset.
func TestLinearHedgePnL(t *testing.T) {
	in := HedgeReplayInputs{Instrument: linearBTCUSDT, Method: MethodFIFO,
		// 300 contracts of 0.01 BTC bought at the mark 100, taker fee 5 bp of 300 notional = 0.15 USDT.
		Fills: []journal.HedgeFill{hedgeFill(linearBTCUSDT, 1, journal.SideBuy, "300", "100", "0.15", "USDT")},
		Marks: []journal.HedgeMark{hedgeMark(linearBTCUSDT, 0, "100"), hedgeMark(linearBTCUSDT, 2, "103"),
			hedgeMark(linearBTCUSDT, 4, "101")},
		// A long pays 0.5 USDT of funding.
		Funding: []journal.Funding{{Venue: linearBTCUSDT.Venue, Instrument: linearBTCUSDT.Instrument,
			Time: hedgeAt(3), Amount: dec("-0.5"), Asset: "USDT"}}}
	h := ReplayHedge(in)
	w := h.Window
	// hedge PnL = N·size·(F1 − F0) = 300 × 0.01 × (101 − 100) = 3; total = 3 − 0.15 − 0.5 = 2.35.
	for _, c := range []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"hedge pnl", w.HedgePnL, dec("3")}, {"fees", w.Fees, dec("0.15")}, {"funding", w.Funding, dec("-0.5")},
		{"total", w.Total, dec("2.35")}, {"equity change", w.EquityChange, dec("2.35")},
		{"exposure", h.ExposureBase.Decimal, dec("3")}, {"volume quote", w.VolumeQuote, dec("300")},
		{"unrealized", w.Unrealized, dec("3")}, {"realized", w.Realized, dec("0")},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	requireIdentity(t, w)
	if h.PnLCoin.Valid || h.ExposureCoin.Valid {
		t.Errorf("a linear contract has no coin figures: %v %v", h.PnLCoin, h.ExposureCoin)
	}
}

// A taker hedge away from the mark, a coin fee, coin funding and a mark move: every term is valued at the mark in
// force, and the identity stays exact although n·face/p does not terminate.
func TestInverseHedgeFeesFundingKeepTheIdentityExact(t *testing.T) {
	in := HedgeReplayInputs{Instrument: inverseBTCPerp, Method: MethodAvgCost,
		Fills: []journal.HedgeFill{hedgeFill(inverseBTCPerp, 1, journal.SideBuy, "10", "50010", "0.00001", "BTC")},
		Marks: []journal.HedgeMark{hedgeMark(inverseBTCPerp, 0, "50000"), hedgeMark(inverseBTCPerp, 3, "51000")},
		Funding: []journal.Funding{{Venue: inverseBTCPerp.Venue, Instrument: inverseBTCPerp.Instrument,
			Time: hedgeAt(2), Amount: dec("0.000002"), Asset: "BTC"}}}
	h := ReplayHedge(in)
	w := h.Window
	// The coin the buy moves: 10·100/50010, rounded to 16 decimals (coinPlaces).
	coin := dec("1000").DivRound(dec("50010"), 16)
	spread := coin.Mul(dec("50000")).Sub(dec("1000")) // ε·n·Vc·(F/p − 1), at F = 50,000
	fee := dec("0.00001").Mul(dec("50000"))           // φ·F = 0.5
	funding := dec("0.000002").Mul(dec("50000"))      // 0.1
	// The mark move 50,000 → 51,000 revalues the coin basis of the open lot, K = coin, as hedge PnL, and the coin
	// the fee and the funding moved, R = −0.00001 + 0.000002 BTC, as FX translation (quant.md §4.3).
	inventory := coin.Mul(dec("1000"))
	fx := dec("-0.000008").Mul(dec("1000"))
	for _, c := range []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"spread", h.SpreadCapture, spread}, {"inventory", h.InventoryPnL, inventory},
		{"hedge pnl", w.HedgePnL, spread.Add(inventory)}, {"fees", w.Fees, fee}, {"funding", w.Funding, funding},
		{"fx translation", w.FXTranslation, fx}, {"total", w.Total, spread.Add(inventory).Sub(fee).Add(funding).Add(fx)},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	requireIdentity(t, w)
	// Spread capture is ε·n·Vc·(F/p − 1) = 1000·(50000/50010 − 1) = −0.19996000799840…
	if !closeTo(spread, 1000*(50000.0/50010-1)) {
		t.Errorf("spread %s, want ε·n·Vc·(F/p − 1)", spread)
	}
	// The coin PnL is N·Vc·(1/p − 1/F1) = 1000·(1/50010 − 1/51000): fees and funding are not part of it.
	if !closeTo(h.PnLCoin.Decimal, 1000*(1/50010.0-1/51000.0)) {
		t.Errorf("coin PnL %s, want %v", h.PnLCoin.Decimal, 1000*(1/50010.0-1/51000.0))
	}
}

// A position opened before the window is held in it: the window's PnL is its mark move only.
func TestHedgeOpenedBeforeTheWindow(t *testing.T) {
	in := HedgeReplayInputs{Instrument: inverseBTCPerp, Method: MethodAvgCost, Since: hedgeAt(2),
		Fills: []journal.HedgeFill{hedgeFill(inverseBTCPerp, 1, journal.SideBuy, "1000", "50000", "0.001", "BTC")},
		Marks: []journal.HedgeMark{hedgeMark(inverseBTCPerp, 0, "50000"), hedgeMark(inverseBTCPerp, 3, "55000")}}
	h := ReplayHedge(in)
	w := h.Window
	// The position's coin basis K = 1000·100/50,000 = 2 BTC, revalued by 5,000: hedge PnL 10,000 USD, INV-01's
	// usd_value_at_F1_long. The 0.001 BTC fee paid before the window is coin the account no longer has: its
	// revaluation, −0.001 × 5,000 = −5 USD, is FX translation, not hedge PnL (quant.md §4.3; this test asserted a
	// hedge PnL of 9,995 before the two were split). Total 9,995.
	if w.Fills != 0 || !w.Fees.IsZero() || !w.HedgePnL.Equal(dec("10000")) || !w.FXTranslation.Equal(dec("-5")) ||
		!w.Total.Equal(dec("9995")) || !h.Position.Equal(dec("1000")) {
		t.Errorf("fills %d, fees %s, hedge PnL %s, fx %s, total %s, position %s; want 0, 0, 10000, -5, 9995, 1000",
			w.Fills, w.Fees, w.HedgePnL, w.FXTranslation, w.Total, h.Position)
	}
	requireIdentity(t, w)
}

// A flip from long to short closes the long and opens a short at the fill price (quant.md §4.4), in coin.
func TestInverseHedgeFlipRealizesTheClosedPart(t *testing.T) {
	in := HedgeReplayInputs{Instrument: inverseBTCPerp, Method: MethodAvgCost,
		Fills: []journal.HedgeFill{hedgeFill(inverseBTCPerp, 1, journal.SideBuy, "1000", "50000", "0", "BTC"),
			hedgeFill(inverseBTCPerp, 3, journal.SideSell, "1500", "40000", "0", "BTC")},
		Marks: []journal.HedgeMark{hedgeMark(inverseBTCPerp, 0, "50000"), hedgeMark(inverseBTCPerp, 2, "40000")}}
	h := ReplayHedge(in)
	// Realized coin: 1000·100·(1/50000 − 1/40000) = 2 − 2.5 = −0.5 BTC; the remaining short of 500 is flat at 40,000.
	if !h.RealizedCoin.Decimal.Equal(dec("-0.5")) || !h.UnrealizedCoin.Decimal.IsZero() || !h.Position.Equal(dec("-500")) {
		t.Errorf("realized %s, unrealized %s, position %s; want −0.5, 0, −500", h.RealizedCoin.Decimal,
			h.UnrealizedCoin.Decimal, h.Position)
	}
	// The coin PnL is the same −0.5 BTC, and in USD it is valued at the 40,000 mark: −20,000.
	if !h.PnLCoin.Decimal.Equal(dec("-0.5")) || !h.Window.HedgePnL.Equal(dec("-20000")) {
		t.Errorf("coin PnL %s, hedge PnL %s; want −0.5, −20000", h.PnLCoin.Decimal, h.Window.HedgePnL)
	}
	requireIdentity(t, h.Window)
}

// LoadPnL streams hedge fills, funding and marks from the journal through the same replayer as ReplayHedge: the
// same records give the same numbers, per bucket, with a position carried into the window.
func TestLoadPnLHedgesMatchReplayHedge(t *testing.T) {
	hour := func(h int) int { return h * 3600 }
	fills := []journal.HedgeFill{
		hedgeFill(inverseBTCPerp, hour(1), journal.SideBuy, "1000", "50010", "0.00001", "BTC"),
		hedgeFill(inverseBTCPerp, hour(30), journal.SideSell, "1500", "52003.5", "0.000015", "BTC"),
		hedgeFill(inverseBTCPerp, hour(50), journal.SideBuy, "200", "51000", "-0.000001", "BTC"),
	}
	marks := []journal.HedgeMark{hedgeMark(inverseBTCPerp, 0, "50000"), hedgeMark(inverseBTCPerp, hour(20), "51234.5"),
		hedgeMark(inverseBTCPerp, hour(30), "52000"), hedgeMark(inverseBTCPerp, hour(40), "49876"),
		hedgeMark(inverseBTCPerp, hour(60), "50500")}
	funding := []journal.Funding{
		{Venue: inverseBTCPerp.Venue, Instrument: inverseBTCPerp.Instrument, Time: hedgeAt(hour(8)), Amount: dec("-0.0000125"), Asset: "BTC"},
		{Venue: inverseBTCPerp.Venue, Instrument: inverseBTCPerp.Instrument, Time: hedgeAt(hour(32)), Amount: dec("0.0000031"), Asset: "BTC"},
	}
	j := importedJournal(t, journal.ImportBatch{HedgeInstruments: []journal.HedgeInstrument{inverseBTCPerp},
		HedgeFills: fills, HedgeMarks: marks, Funding: funding})
	since := hedgeAt(hour(24))
	report, err := LoadPnL(context.Background(), j, PnLQuery{Since: since, By: ByDay, Method: MethodFIFO})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Markets) != 0 || len(report.Hedges) != 1 {
		t.Fatalf("%d markets, %d hedges; want 0, 1", len(report.Markets), len(report.Hedges))
	}
	got := report.Hedges[0]
	want := ReplayHedge(HedgeReplayInputs{Instrument: inverseBTCPerp, Fills: fills, Marks: marks, Funding: funding,
		Since: since, Method: MethodFIFO, Bucket: bucketFunc(ByDay, inverseBTCPerp.Instrument)})
	if len(got.Buckets) != 2 || len(got.Buckets) != len(want.Buckets) {
		t.Fatalf("%d buckets, want 2 (the window's days, January 2 and 3), replay %d", len(got.Buckets), len(want.Buckets))
	}
	for i, b := range got.Buckets {
		w := want.Buckets[i]
		if b.Key != w.Key || !b.HedgePnL.Equal(w.HedgePnL) || !b.Fees.Equal(w.Fees) || !b.Funding.Equal(w.Funding) ||
			!b.EquityChange.Equal(w.EquityChange) || !b.Realized.Equal(w.Realized) || !b.PnLCoin.Decimal.Equal(w.PnLCoin.Decimal) {
			t.Errorf("bucket %s: %+v, want %+v", b.Key, b.PnL, w.PnL)
		}
		requireIdentity(t, b.PnL)
	}
	requireIdentity(t, got.Window)
	if !got.Window.Total.Equal(want.Window.Total) || !got.Position.Equal(dec("-300")) || got.Window.Fills != 2 {
		t.Errorf("window total %s (want %s), position %s (want −300), fills %d (want 2)", got.Window.Total,
			want.Window.Total, got.Position, got.Window.Fills)
	}
	if total := report.Totals["USD"]; !total.Total.Equal(got.Window.Total) || !total.Residual.IsZero() {
		t.Errorf("USD total %s, residual %s", total.Total, total.Residual)
	}
}

// A fee in a third asset is valued at the journal's rate, or left out with one warning when there is none; either
// way the identity holds, because what is left out of the fees column is left out of the account's cash too.
func TestHedgeFeeInAThirdAsset(t *testing.T) {
	in := HedgeReplayInputs{Instrument: linearBTCUSDT, Method: MethodAvgCost,
		Fills: []journal.HedgeFill{hedgeFill(linearBTCUSDT, 1, journal.SideBuy, "100", "100", "0.0004", "BNB"),
			hedgeFill(linearBTCUSDT, 2, journal.SideSell, "100", "101", "0.0004", "BNB")},
		Marks: []journal.HedgeMark{hedgeMark(linearBTCUSDT, 0, "100"), hedgeMark(linearBTCUSDT, 3, "101")}}
	unpriced := ReplayHedge(in)
	if !unpriced.Window.Fees.IsZero() || len(unpriced.Warnings) != 1 ||
		!strings.Contains(unpriced.Warnings[0], "fees of binance-usdm BTCUSDT in BNB have no known rate to USDT") {
		t.Errorf("fees %s, warnings %q; want 0 and one warning", unpriced.Window.Fees, unpriced.Warnings)
	}
	requireIdentity(t, unpriced.Window)

	in.FeeRate = func(asset string) (decimal.Decimal, bool) { return dec("600"), asset == "BNB" }
	priced := ReplayHedge(in)
	// 2 × 0.0004 BNB × 600 = 0.48 USDT; the round trip made 100 × 0.01 × (101 − 100) = 1 USDT, realized.
	if !priced.Window.Fees.Equal(dec("0.48")) || !priced.Window.Total.Equal(dec("0.52")) ||
		!priced.Window.Realized.Equal(dec("1")) || len(priced.Warnings) != 0 {
		t.Errorf("fees %s, total %s, realized %s, warnings %q; want 0.48, 0.52, 1, none", priced.Window.Fees,
			priced.Window.Total, priced.Window.Realized, priced.Warnings)
	}
	requireIdentity(t, priced.Window)
}
