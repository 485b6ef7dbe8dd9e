package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// Balances and hedges export in the columns import reads, so that import → export → import into an empty journal
// → export gives the same file, and that file is the input as the journal stores it: canonical decimals, upper-case
// assets, times in UTC with milliseconds, the flag defaults filled in, rows in time order (then file order), and
// hedge fills with their instrument's contract terms on every row. Hedge marks and funding are refused without
// terms, so they travel with a hedge fills file.
func TestJournalExportBalancesAndHedgesRoundTrip(t *testing.T) {
	hedgeFills := `timestamp,venue,instrument,side,price,amount,fee,fee_asset,trade_id,contract,contract_size,quote_asset,settle_asset
2026-01-01T00:00:00Z,deribit,BTC-PERPETUAL,buy,50000.0,1000,0.00100,btc,D1,Inverse,100.0,usd,btc
2026-01-01T01:00:00+01:00,binance-usdm,BTCUSDT,SELL,50010,300,0.15,USDT,B1,linear,0.001,USDT,USDT
2026-01-01T02:00:00Z,deribit,BTC-PERPETUAL,sell,51000,400,-0.0001,BTC,,,,,
`
	// The third fill has no trade id: docs/CSV.md derives it from the stored values and its rank among identical
	// rows (0).
	derivedMs := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC).UnixMilli()
	content := fmt.Sprintf("%d|deribit|BTC-PERPETUAL|sell|51000|400|-0.0001|BTC|0", derivedMs)
	sum := sha256.Sum256([]byte(content))
	derivedID := fmt.Sprintf("csv:%d:%s", derivedMs, hex.EncodeToString(sum[:])[:24])

	tests := []struct {
		name   string
		what   string
		inputs [][2]string // (kind, CSV): imported together, each kind exported; inputs[0] is the kind under test
		want   string
	}{
		{
			name: "balances: any column order, defaults account main and connector import",
			what: "balances",
			inputs: [][2]string{{"balances", `Asset, timestamp ,total,available,account,connector
btc,2026-11-22T11:00:00+01:00,1.50,1.250,,
USDT,1795341600000,60000.00,,,
eth,2026-11-22T10:00:00.5Z,0,0,sub,binance
BTC,2026-11-22T09:59:59.9999Z,1,,main,binance
`}},
			want: `timestamp,asset,total,available,account,connector
2026-11-22T09:59:59.999Z,BTC,1,,main,binance
2026-11-22T10:00:00.000Z,BTC,1.5,1.25,main,import
2026-11-22T10:00:00.000Z,USDT,60000,,main,import
2026-11-22T10:00:00.500Z,ETH,0,0,sub,binance
`,
		},
		{
			name:   "hedge fills: the terms given once per instrument are written on every row",
			what:   "hedge-fills",
			inputs: [][2]string{{"hedge-fills", hedgeFills}},
			want: `timestamp,instrument,side,price,amount,fee,fee_asset,trade_id,venue,contract,contract_size,quote_asset,settle_asset
2026-01-01T00:00:00.000Z,BTC-PERPETUAL,buy,50000,1000,0.001,BTC,D1,deribit,inverse,100,USD,BTC
2026-01-01T00:00:00.000Z,BTCUSDT,sell,50010,300,0.15,USDT,B1,binance-usdm,linear,0.001,USDT,USDT
2026-01-01T02:00:00.000Z,BTC-PERPETUAL,sell,51000,400,-0.0001,BTC,` + derivedID + `,deribit,inverse,100,USD,BTC
`,
		},
		{
			name: "hedge marks",
			what: "hedge-marks",
			inputs: [][2]string{{"hedge-marks", `timestamp,instrument,mark,venue
2026-01-01T00:00:00.25Z,BTCUSDT,50011,binance-usdm
1767225600000,BTC-PERPETUAL,50000.50,deribit
2026-01-01T00:00:00.250+00:00,BTC-PERPETUAL,50001,deribit
`}, {"hedge-fills", hedgeFills}},
			want: `timestamp,instrument,mark,venue
2026-01-01T00:00:00.000Z,BTC-PERPETUAL,50000.5,deribit
2026-01-01T00:00:00.250Z,BTCUSDT,50011,binance-usdm
2026-01-01T00:00:00.250Z,BTC-PERPETUAL,50001,deribit
`,
		},
		{
			name: "funding: signed amounts as stored",
			what: "funding",
			inputs: [][2]string{{"funding", `timestamp,instrument,amount,asset,venue
2026-01-01T08:00:00Z,BTCUSDT,1.50,usdt,binance-usdm
2026-01-01T08:00:00Z,BTC-PERPETUAL,-0.0000125,BTC,deribit
`}, {"hedge-fills", hedgeFills}},
			want: `timestamp,instrument,amount,asset,venue
2026-01-01T08:00:00.000Z,BTCUSDT,1.5,USDT,binance-usdm
2026-01-01T08:00:00.000Z,BTC-PERPETUAL,-0.0000125,BTC,deribit
`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first, second := filepath.Join(dir, "first.db"), filepath.Join(dir, "second.db")
			var importArgs, reimportArgs []string
			for _, in := range tc.inputs {
				path := filepath.Join(dir, in[0]+".csv")
				if err := os.WriteFile(path, []byte(in[1]), 0o600); err != nil {
					t.Fatal(err)
				}
				importArgs = append(importArgs, "--"+in[0], path)
			}
			if code, _, stderr := run(t, append([]string{"--journal", first, "journal", "import"}, importArgs...)...); code != exitOK {
				t.Fatalf("import: exit %d: %s", code, stderr)
			}
			exports := map[string]string{}
			for _, in := range tc.inputs {
				path := filepath.Join(dir, in[0]+"-export.csv")
				code, _, stderr := run(t, "--journal", first, "journal", "export", "--what", in[0], "--out", path)
				if code != exitOK {
					t.Fatalf("export --what %s: exit %d: %s", in[0], code, stderr)
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				exports[in[0]] = string(data)
				reimportArgs = append(reimportArgs, "--"+in[0], path)
			}
			if exports[tc.what] != tc.want {
				t.Fatalf("export --what %s:\n%s\nwant:\n%s", tc.what, exports[tc.what], tc.want)
			}
			if code, _, stderr := run(t, append([]string{"--journal", second, "journal", "import"}, reimportArgs...)...); code != exitOK {
				t.Fatalf("import of the export into an empty journal: exit %d: %s", code, stderr)
			}
			for _, in := range tc.inputs {
				code, again, stderr := run(t, "--journal", second, "journal", "export", "--what", in[0])
				if code != exitOK || again != exports[in[0]] {
					t.Errorf("export --what %s after the round trip differs (exit %d, %s):\n%s\nwant:\n%s", in[0], code,
						stderr, again, exports[in[0]])
				}
			}
		})
	}
}

// A hedge adapter may journal fills before anyone gave their instrument's terms: export writes such a fill with
// empty term columns rather than inventing terms, and importing it into an empty journal is then refused with the
// missing terms named, as for any hedge fill without terms.
func TestJournalExportHedgeFillWithoutTerms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fill := journal.HedgeFill{Venue: "okx", Instrument: "BTC-USD-SWAP", TradeID: "X1", Side: journal.SideSell,
		Price: decimal.RequireFromString("64000.5"), Amount: decimal.RequireFromString("3"),
		Fee: decimal.RequireFromString("0.0000012"), FeeAsset: "BTC", Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	if err := j.AddHedgeFill(ctx, fill); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	exported := filepath.Join(dir, "hedge.csv")
	if code, _, stderr := run(t, "--journal", path, "journal", "export", "--what", "hedge-fills", "--out", exported); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	want := `timestamp,instrument,side,price,amount,fee,fee_asset,trade_id,venue,contract,contract_size,quote_asset,settle_asset
2026-11-22T10:00:00.000Z,BTC-USD-SWAP,sell,64000.5,3,0.0000012,BTC,X1,okx,,,,
`
	if string(data) != want {
		t.Fatalf("export:\n%s\nwant:\n%s", data, want)
	}
	code, _, stderr := run(t, "--journal", filepath.Join(dir, "empty.db"), "journal", "import", "--hedge-fills", exported)
	if code != exitUsage || !strings.Contains(stderr, "BTC-USD-SWAP on venue okx has no contract terms") {
		t.Fatalf("import into an empty journal: exit %d, %q; want exit 2 naming the missing terms", code, stderr)
	}
}

// A --what export does not know is a usage error that lists the kinds it does know.
func TestJournalExportBadWhat(t *testing.T) {
	for _, what := range []string{"trades", "hedge_fills", "Balances", ""} {
		code, stdout, stderr := run(t, "--journal", filepath.Join(t.TempDir(), "mm.db"), "journal", "export",
			"--what", what)
		wantKinds := "fills, orders, marks, balances, hedge-fills, hedge-marks or funding\n"
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "mm: ") || !strings.HasSuffix(stderr, wantKinds) {
			t.Errorf("--what %q: exit %d, stdout %q, stderr %q; want exit 2 and one line ending %q", what, code,
				stdout, stderr, wantKinds)
		}
	}
}
