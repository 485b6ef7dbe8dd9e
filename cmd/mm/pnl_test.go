package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// The PNL-01 scenario of ../shared/vectors/quant.json in a real journal: start flat with 10000 USDT at mid 100,
// five fills (three maker rebates, one taker fee), six mid updates; balance snapshots at the start and the end.
// Expected values are the vector's: spread 0.2, inventory 0.55, fees 0.00014, total 0.74986.
func pnl01Journal(t *testing.T) string {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	dec := decimal.RequireFromString
	f := func(id string, s int, side, qty, px, fee string) journal.Fill {
		return journal.Fill{Connector: "import", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
			ExchangeTradeID: id, Side: side, Amount: dec(qty), Price: dec(px), Fee: dec(fee), FeeAsset: "USDT", Time: at(s)}
	}
	mk := func(s int, mid string) journal.Mark {
		return journal.Mark{Connector: "import", Market: "BTC-USDT", Time: at(s), Mid: dec(mid)}
	}
	bal := func(s int, asset, total string) journal.Balance {
		return journal.Balance{Connector: "import", Account: "main", Asset: asset, Time: at(s), Total: dec(total),
			Kind: journal.BalanceSnapshot}
	}
	return writeJournal(t,
		[]journal.Fill{f("1", 2, "buy", "2", "100", "-0.02"), f("2", 4, "buy", "1", "99.85", "-0.009985"),
			f("3", 6, "sell", "1.5", "100.25", "-0.0150375"), f("4", 8, "sell", "1", "100.35", "0.050175"),
			f("5", 10, "buy", "0.5", "100.25", "-0.0050125")},
		[]journal.Balance{bal(0, "BTC", "0"), bal(0, "USDT", "10000"), bal(11, "BTC", "1"), bal(11, "USDT", "9900.74986")},
		[]journal.Mark{mk(0, "100"), mk(1, "100.05"), mk(3, "99.9"), mk(5, "100.2"), mk(7, "100.4"), mk(9, "100.3"), mk(11, "100")})
}

func TestPnLJSONReproducesPNL01(t *testing.T) {
	path := pnl01Journal(t)
	code, stdout, stderr := run(t, "pnl", "--journal", path, "--markout", "0s,1s,3s", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc pnlJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Markets) != 1 {
		t.Fatalf("markets = %d, want 1", len(doc.Markets))
	}
	m := doc.Markets[0]
	dec := decimal.RequireFromString
	for name, pair := range map[string][2]string{
		"spread_capture": {m.SpreadCapture, "0.2"}, "inventory_pnl": {m.InventoryPnL, "0.55"},
		"fees": {m.Fees, "0.00014"}, "total": {m.Total, "0.74986"}, "residual": {m.Residual, "0"},
		"realized (avg cost)": {m.Realized, "0.85"}, "unrealized (avg cost)": {m.Unrealized, "-0.1"},
	} {
		if !dec(pair[0]).Equal(dec(pair[1])) {
			t.Errorf("%s = %s, want %s", name, pair[0], pair[1])
		}
	}
	// Balances: 10000 at the start, 9900.74986 + 1 BTC × 100 at the end: the equity change equals the total.
	if c := m.BalanceCheck; c == nil || !dec(c.EquityChange).Equal(dec("0.74986")) || !dec(c.Residual).IsZero() {
		t.Errorf("balance check = %+v, want equity change 0.74986 and residual 0", c)
	}
	// PNL-03: total mark-out −0.15 at 1 s, 1.1 at 3 s; at 0 s it is the spread capture.
	wantMO := map[string]string{"0s": "0.2", "1s": "-0.15", "3s": "1.1"}
	for _, mo := range m.Markouts {
		if !dec(mo.TotalQuote).Equal(dec(wantMO[mo.Horizon])) {
			t.Errorf("mark-out %s = %s, want %s", mo.Horizon, mo.TotalQuote, wantMO[mo.Horizon])
		}
	}
}

func TestPnLByFIFOAndTable(t *testing.T) {
	path := pnl01Journal(t)
	code, stdout, stderr := run(t, "pnl", "--journal", path, "--method", "fifo", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc pnlJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// PNL-02: FIFO realized 0.80, unrealized −0.05.
	if m := doc.Markets[0]; m.Realized != "0.8" || m.Unrealized != "-0.05" {
		t.Errorf("fifo realized %s unrealized %s, want 0.8 and -0.05", m.Realized, m.Unrealized)
	}
	plot := filepath.Join(t.TempDir(), "pnl.svg")
	code, stdout, _ = run(t, "pnl", "--journal", path, "--by", "hour", "--plot", plot)
	if code != exitOK || !strings.Contains(stdout, "residual 0") || !strings.Contains(stdout, "2026-11-01T00") {
		t.Errorf("table: exit %d\n%s", code, stdout)
	}
	if st, err := os.Stat(plot); err != nil || st.Size() == 0 {
		t.Errorf("plot not written: %v", err)
	}
}

func TestPnLBadFlags(t *testing.T) {
	path := writeJournal(t, nil, nil, nil)
	for _, args := range [][]string{{"--by", "week"}, {"--method", "lifo"}, {"--markout", "soon"},
		{"--plot", "pnl.gif"}, {"--days", "-2"}} {
		code, _, stderr := run(t, append([]string{"pnl", "--journal", path}, args...)...)
		if code != exitUsage || !strings.HasPrefix(stderr, "mm: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2", args, code, stderr)
		}
	}
	code, stdout, _ := run(t, "pnl", "--journal", path)
	if code != exitOK || strings.TrimSpace(stdout) != "No trades in the window." {
		t.Errorf("empty journal: exit %d, %q", code, stdout)
	}
}
