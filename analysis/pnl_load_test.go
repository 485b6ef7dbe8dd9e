package analysis

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// importedJournal is a new journal holding batch.
func importedJournal(t *testing.T, batch journal.ImportBatch) *journal.Journal {
	t.Helper()
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "mm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(ctx) })
	if _, err := j.Import(ctx, batch); err != nil {
		t.Fatal(err)
	}
	return j
}

// windowJournal journals the given fills and marks of BTC-USDT.
func windowJournal(t *testing.T, fills []journal.Fill, marks []journal.Mark) *journal.Journal {
	t.Helper()
	return importedJournal(t, journal.ImportBatch{Fills: fills, Marks: marks})
}

func windowFill(id string, at time.Time, side, amount, price, mid string) journal.Fill {
	return journal.Fill{Connector: "import", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
		ExchangeTradeID: id, Side: side, Amount: dec(amount), Price: dec(price), Fee: dec("0"), FeeAsset: "USDT",
		Mid: decimal.NewNullDecimal(dec(mid)), Time: at}
}

func windowMark(at time.Time, mid string) journal.Mark {
	return journal.Mark{Connector: "import", Market: "BTC-USDT", Time: at, Mid: dec(mid)}
}

// Review H1: a window without a fill of a market still holds the position its earlier fills left, and the marks
// in it move that position's value (quant.md §4.2, inventory PnL q·Δm).
func TestPnLWindowWithoutFillsKeepsTheCarriedPosition(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	j := windowJournal(t, []journal.Fill{windowFill("S1", t0, "buy", "2", "60000", "60000")},
		[]journal.Mark{windowMark(t0, "60000"), windowMark(t0.Add(8*time.Hour), "59500")})
	report, err := LoadPnL(context.Background(), j, PnLQuery{Since: t0.Add(time.Second), By: ByMarket,
		Method: MethodAvgCost})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Markets) != 1 {
		t.Fatalf("%d markets, want BTC-USDT: 2 BTC held from 60,000 to 59,500", len(report.Markets))
	}
	// q·Δm = 2 × (59,500 − 60,000) = −1,000; no fill, so no spread and no fees. The carried position counts as
	// bought at the mid the window opens with (§4.4): unrealized −1,000.
	w := report.Markets[0].Replay.Window
	for _, c := range []struct{ name, got, want string }{
		{"inventory", w.InventoryPnL.String(), "-1000"}, {"spread", w.SpreadCapture.String(), "0"},
		{"total", w.Total.String(), "-1000"}, {"equity change", w.EquityChange.String(), "-1000"},
		{"residual", w.Residual.String(), "0"}, {"unrealized", w.Unrealized.String(), "-1000"},
		{"USDT total", report.Totals["USDT"].Total.String(), "-1000"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if w.Fills != 0 {
		t.Errorf("fills %d, want 0", w.Fills)
	}
}

// The position a window opens with also counts when the window has fills: 2 BTC carried in, marked down 1,000,
// one sold 10 above the mid, the one left marked up 500.
func TestPnLWindowWithFillsStartsFromTheCarriedPosition(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hour := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	j := windowJournal(t, []journal.Fill{windowFill("S1", t0, "buy", "2", "60000", "60000"),
		windowFill("S2", hour(3), "sell", "1", "59010", "59000")},
		[]journal.Mark{windowMark(t0, "60000"), windowMark(hour(2), "59000"), windowMark(hour(4), "59500")})
	report, err := LoadPnL(context.Background(), j, PnLQuery{Since: hour(1), By: ByMarket, Method: MethodAvgCost})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Markets) != 1 {
		t.Fatalf("%d markets, want 1", len(report.Markets))
	}
	// inventory 2 × (59,000 − 60,000) + 1 × (59,500 − 59,000) = −1,500; spread −1 × 1 × (59,000 − 59,010) = +10.
	w := report.Markets[0].Replay.Window
	for _, c := range []struct{ name, got, want string }{
		{"inventory", w.InventoryPnL.String(), "-1500"}, {"spread", w.SpreadCapture.String(), "10"},
		{"total", w.Total.String(), "-1490"}, {"residual", w.Residual.String(), "0"},
		// bought at the window's opening mid 60,000: the sale realizes 59,010 − 60,000 = −990, the one left is
		// 59,500 − 60,000 = −500 under water.
		{"realized", w.Realized.String(), "-990"}, {"unrealized", w.Unrealized.String(), "-500"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

// A market flat before the window has nothing to show in it; an open one without a mark in the window is named in
// a warning rather than silently dropped.
func TestPnLWindowWithoutFillsOrMarks(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	flat := windowJournal(t, []journal.Fill{windowFill("S1", t0, "buy", "2", "60000", "60000"),
		windowFill("S2", t0.Add(time.Minute), "sell", "2", "60100", "60100")},
		[]journal.Mark{windowMark(t0, "60000"), windowMark(t0.Add(8*time.Hour), "59500")})
	report, err := LoadPnL(context.Background(), flat, PnLQuery{Since: t0.Add(time.Hour), By: ByMarket,
		Method: MethodAvgCost})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Empty() || len(report.Warnings) != 0 {
		t.Errorf("flat before the window: %d markets, warnings %q; want none", len(report.Markets), report.Warnings)
	}

	open := windowJournal(t, []journal.Fill{windowFill("S1", t0, "buy", "2", "60000", "60000")},
		[]journal.Mark{windowMark(t0, "60000")})
	report, err = LoadPnL(context.Background(), open, PnLQuery{Since: t0.Add(time.Hour), By: ByMarket,
		Method: MethodAvgCost})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Empty() || len(report.Warnings) != 1 || !strings.Contains(report.Warnings[0],
		"import BTC-USDT holds 2 BTC through the window but has no mark in it") {
		t.Errorf("open without marks: %d markets, warnings %q; want one warning", len(report.Markets), report.Warnings)
	}
}
