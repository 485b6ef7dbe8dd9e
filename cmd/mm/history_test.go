package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// writeJournal creates a journal file holding the given records.
func writeJournal(t *testing.T, fills []journal.Fill, balances []journal.Balance, marks []journal.Mark) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(fills) > 0 {
		if _, err := j.InsertFills(ctx, fills); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range balances {
		if err := j.AddBalance(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range marks {
		if err := j.AddMark(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return path
}

// perf_spot through the journal and mm history -o json: buy 10 @ 100, sell 15 @ 120, current balances
// HBOT 100 / USDT 10000, current price 0.2 from the journal's latest mark (Hummingbot's values in the vector).
func TestHistoryJSONFromJournal(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	dec := decimal.RequireFromString
	f := func(id, side, amount, price string, at time.Time) journal.Fill {
		return journal.Fill{Connector: "paper", Market: "HBOT-USDT", BaseAsset: "HBOT", QuoteAsset: "USDT",
			ExchangeTradeID: id, Side: side, Amount: dec(amount), Price: dec(price), Fee: decimal.Zero,
			FeeAsset: "USDT", Time: at}
	}
	path := writeJournal(t,
		[]journal.Fill{f("1", "buy", "10", "100", t0), f("2", "sell", "15", "120", t0.Add(time.Minute))},
		[]journal.Balance{
			{Connector: "paper", Account: "main", Asset: "HBOT", Time: t0.Add(time.Hour), Total: dec("100"), Kind: journal.BalanceSnapshot},
			{Connector: "paper", Account: "main", Asset: "USDT", Time: t0.Add(time.Hour), Total: dec("10000"), Kind: journal.BalanceSnapshot},
		},
		[]journal.Mark{{Connector: "paper", Market: "HBOT-USDT", Time: t0.Add(time.Hour), Mid: dec("0.2")}})

	code, stdout, stderr := run(t, "history", "--journal", path, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc historyJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Markets) != 1 {
		t.Fatalf("markets = %d, want 1", len(doc.Markets))
	}
	m := doc.Markets[0]
	perf := m.Performance
	if perf == nil || m.StartSource != "inferred" || m.PriceSource != "mark" {
		t.Fatalf("performance %v, start source %q, price source %q; want figures, inferred, mark", perf, m.StartSource, m.PriceSource)
	}
	want := map[string]string{
		"hold_value": "9221", "current_value": "10020", "trade_pnl": "799", "total_pnl": "799",
		"return_pct": "0.08665003795683765318295195749", "start base": "105", "start quote": "9200",
		"avg_price total": "112",
	}
	got := map[string]string{
		"hold_value": perf.HoldValue, "current_value": perf.CurrentValue, "trade_pnl": perf.TradePnL,
		"total_pnl": perf.TotalPnL, "return_pct": perf.ReturnPct, "start base": m.Assets["base"].Start,
		"start quote": m.Assets["quote"].Start, "avg_price total": m.Trades["total"].AvgPrice,
	}
	for name, w := range want {
		if !dec(got[name]).Equal(dec(w)) {
			t.Errorf("%s = %s, want %s", name, got[name], w)
		}
	}

	// The table: smart-rounded as Hummingbot prints it.
	code, stdout, _ = run(t, "history", "--journal", path)
	for _, line := range []string{"| Hold portfolio value    | 9221.0 USDT |", "| Return %                |       8.67% |",
		"start (inferred)"} {
		if code != exitOK || !strings.Contains(stdout, line) {
			t.Errorf("table lacks %q:\n%s", line, stdout)
		}
	}
}

func TestHistoryEmptyWindowSaysSo(t *testing.T) {
	path := writeJournal(t, nil, nil, nil)
	code, stdout, _ := run(t, "history", "--journal", path)
	if code != exitOK || strings.TrimSpace(stdout) != "No past trades to report." {
		t.Errorf("exit %d, stdout %q; want 0 and 'No past trades to report.'", code, stdout)
	}
	code, stdout, _ = run(t, "history", "--journal", path, "-o", "json")
	if code != exitOK || !strings.Contains(stdout, `"markets": []`) {
		t.Errorf("json: exit %d, stdout %q; want an empty markets list", code, stdout)
	}
}

func TestHistoryBadFlags(t *testing.T) {
	path := writeJournal(t, nil, nil, nil)
	for _, args := range [][]string{
		{"--days", "-1"}, {"--precision", "19"}, {"--price", "0"}, {"--since", "yesterday"},
		{"--market", "BTCUSDT"}, {"--days", "1", "--since", "2026-01-01"},
		{"--since", "2026-02-01", "--until", "2026-01-01"},
	} {
		code, _, stderr := run(t, append([]string{"history", "--journal", path}, args...)...)
		if code != exitUsage || !strings.HasPrefix(stderr, "mm: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with one mm: line", args, code, stderr)
		}
	}
}
