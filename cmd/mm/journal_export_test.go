package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// Users' report (issue 5): Hummingbot's history stops at 100 trades. Export writes every fill, and what it writes
// imports back into a fresh journal and exports identically.
func TestJournalExportIsCompleteAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "fills.csv")
	writeFillsCSV(t, csvPath, 150, false)
	first, second := filepath.Join(dir, "first.db"), filepath.Join(dir, "second.db")
	if code, _, stderr := run(t, "--journal", first, "journal", "import", "--fills", csvPath); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	exported := filepath.Join(dir, "exported.csv")
	if code, _, stderr := run(t, "--journal", first, "journal", "export", "--what", "fills", "--out", exported); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 151 {
		t.Fatalf("export has %d lines, want a header and 150 fills", len(lines))
	}
	if info, err := os.Stat(exported); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("export file mode = %v, %v; want 0600 (it holds trades)", info.Mode().Perm(), err)
	}
	if code, _, stderr := run(t, "--journal", second, "journal", "import", "--fills", exported); code != exitOK {
		t.Fatalf("re-import: exit %d: %s", code, stderr)
	}
	code, again, stderr := run(t, "--journal", second, "journal", "export", "--what", "fills")
	if code != exitOK || again != string(data) {
		t.Fatalf("export after round trip differs (exit %d, %s):\n%s\nwant:\n%s", code, stderr, again, data)
	}
}

// Orders are exported with every column of the orders table.
func TestJournalExportOrders(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 22, 10, 0, 0, 250_000_000, time.UTC)
	level := 2
	orders := []journal.Order{
		{ClientOrderID: "mm-1-b2", Connector: "paper", Market: "BTC-USDT", Side: journal.SideBuy,
			OrderType: journal.OrderTypeLimitMaker, Price: decimal.RequireFromString("63900.10"),
			Amount: decimal.RequireFromString("0.0150"), Level: &level, ExchangeOrderID: "88",
			CreatedAt: created, Status: journal.StatusOpen, UpdatedAt: created.Add(time.Second)},
		{ClientOrderID: "manual,1", Connector: "paper", Market: "BTC-USDT", Side: journal.SideSell,
			OrderType: journal.OrderTypeLimit, Price: decimal.RequireFromString("64100"),
			Amount: decimal.RequireFromString("0.01"), IsHanging: true, CreatedAt: created.Add(time.Minute),
			Status: journal.StatusCancelled, UpdatedAt: created.Add(2 * time.Minute)},
	}
	for _, o := range orders {
		if err := j.AddOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "--journal", path, "journal", "export", "--what", "orders")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `client_order_id,run_id,connector,market,side,order_type,price,amount,level,is_hanging,exchange_order_id,created_at,status,updated_at
mm-1-b2,,paper,BTC-USDT,buy,limit_maker,63900.1,0.015,2,false,88,2026-11-22T10:00:00.250Z,open,2026-11-22T10:00:01.250Z
"manual,1",,paper,BTC-USDT,sell,limit,64100,0.01,,true,,2026-11-22T10:01:00.250Z,cancelled,2026-11-22T10:02:00.250Z
`
	if stdout != want {
		t.Fatalf("orders export:\n%s\nwant:\n%s", stdout, want)
	}
}
