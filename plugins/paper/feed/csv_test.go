package feed

import (
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// writeCSV writes rows to name in a temporary directory: plain, gzip or inside a zip, chosen by the extension.
func writeCSV(t *testing.T, name string, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	content := strings.Join(rows, "\n") + "\n"
	var w io.Writer = f
	var closeW func() error = func() error { return nil }
	switch filepath.Ext(name) {
	case ".gz":
		gz := gzip.NewWriter(f)
		w, closeW = gz, gz.Close
	case ".zip":
		zw := zip.NewWriter(f)
		entry, err := zw.Create(strings.TrimSuffix(name, ".zip") + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		w, closeW = entry, zw.Close
	}
	if _, err := io.WriteString(w, content); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(closeW(), f.Close()); err != nil {
		t.Fatal(err)
	}
	return path
}

func collect(t *testing.T, src Source) []Event {
	t.Helper()
	var out []Event
	for {
		ev, err := src.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
}

// describe formats the fields a test asserts, independently of Event.String.
func describe(ev Event) string {
	at := ev.Time.UTC().Format("15:04:05.000000")
	switch ev.Kind {
	case KindTrade:
		return fmt.Sprintf("%s trade #%d %s %s@%s", at, ev.TradeID, ev.TakerSide, ev.Size, ev.Price)
	case KindTopOfBook:
		return fmt.Sprintf("%s top %s/%s", at, ev.BidPrice, ev.AskPrice)
	}
	return fmt.Sprintf("%s %s", at, ev.Kind)
}

func describeAll(events []Event) string {
	lines := make([]string, len(events))
	for i, ev := range events {
		lines[i] = describe(ev)
	}
	return strings.Join(lines, "\n")
}

const tradesHeader = "id,price,qty,quote_qty,time,is_buyer_maker,is_best_match"

var tradeRows = []string{
	"3735683259,61837.63000000,0.02000000,1236.75260000,1723161255342,True,True",
	"3735683260,61837.64000000,0.00100000,61.83764000,1723161255342,False,True",
	"3735683261,61837.64000000,0.15000000,9275.64600000,1723161255400,False,True",
}

// Hand-read from tradeRows: is_buyer_maker True means the taker sold; 1723161255342 ms is 23:54:15.342 UTC.
const wantTrades = `23:54:15.342000 trade #3735683259 sell 0.02@61837.63
23:54:15.342000 trade #3735683260 buy 0.001@61837.64
23:54:15.400000 trade #3735683261 buy 0.15@61837.64`

func TestTradesCSVInEveryShippedForm(t *testing.T) {
	for _, tt := range []struct {
		name string
		rows []string
	}{
		{"trades.csv", append([]string{tradesHeader}, tradeRows...)},
		{"trades.csv.gz", tradeRows},
		{"BTCUSDT-trades-2024-08-08.zip", append([]string{tradesHeader}, tradeRows...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := OpenTradesCSV(writeCSV(t, tt.name, tt.rows...))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			events := collect(t, src)
			if got := describeAll(events); got != wantTrades {
				t.Errorf("got\n%s\nwant\n%s", got, wantTrades)
			}
			for i, ev := range events {
				if ev.Seq != uint64(i+1) || !ev.ExchangeTime.Equal(ev.Time) {
					t.Errorf("event %d: seq %d exchange time %v", i, ev.Seq, ev.ExchangeTime)
				}
			}
		})
	}
}

// Binance's spot dumps are in microseconds from 2025: 1735689600123456 µs is 2025-01-01 00:00:00.123456 UTC.
func TestDumpTimestampsInMicroseconds(t *testing.T) {
	src, err := OpenAggTradesCSV(writeCSV(t, "agg.csv",
		"agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match",
		"26129,93576.00000000,0.00400000,27781,27783,1735689600123456,false,true"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	events := collect(t, src)
	want := time.Date(2025, 1, 1, 0, 0, 0, 123456000, time.UTC)
	if len(events) != 1 || !events[0].Time.Equal(want) || events[0].TradeID != 26129 ||
		events[0].TakerSide != market.Buy || events[0].Size.String() != "0.004" {
		t.Errorf("got %s, want agg trade 26129 buy 0.004 at %s", describeAll(events), want)
	}
}

func TestBadCSVRowsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name    string
		row     string
		wantErr string
	}{
		{"time goes backwards", "3735683262,61837.64000000,0.1,1,1723161255341,False,True", "goes backwards"},
		{"price not a decimal", "3735683262,61837.64e0,0.1,1,1723161255400,False,True", `price "61837.64e0"`},
		{"zero quantity", "3735683262,61837.64,0,0,1723161255400,False,True", `qty "0"`},
		{"missing column", "3735683262,61837.64,0.1,1,1723161255400,False", "6 columns, want 7"},
		{"extra column", "3735683262,61837.64,0.1,1,1723161255400,False,True,x", "more than 7 columns"},
		{"bad boolean", "3735683262,61837.64,0.1,1,1723161255400,maybe,True", "is_buyer_maker"},
		{"quoted field", `3735683262,"61837.64",0.1,1,1723161255400,False,True`, "quoted"},
		{"empty line", "", "empty line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCSV(t, "t.csv", tradesHeader, tradeRows[2], tt.row)
			src, err := OpenTradesCSV(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			_, err = src.Next()
			if err != nil {
				t.Fatalf("row 1: %v", err)
			}
			_, err = src.Next()
			if err == nil || !strings.HasPrefix(err.Error(), path+":3: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want %s:3: ...%s...", err, path, tt.wantErr)
			}
		})
	}
	t.Run("wrong header", func(t *testing.T) {
		path := writeCSV(t, "t.csv", "id,qty,price,quote_qty,time,is_buyer_maker,is_best_match", tradeRows[0])
		src, err := OpenTradesCSV(path)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if _, err := src.Next(); err == nil || !strings.HasPrefix(err.Error(), path+":1: header column 2") {
			t.Errorf("got %v, want a header error on line 1", err)
		}
	})
}

const klinesHeader = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore"

var klineRows = []string{
	// Rises: path open, low, high, close.
	"1723161240000,61800.00000000,61850.50000000,61790.00000000,61840.00000000,10.00000003,1723161299999,617000.1,120,5.1,315000.2,0",
	// Falls, with a volume too small to quarter: only the close trades.
	"1723161300000,61840.00000000,61845.00000000,61700.00000000,61750.00000000,0.00000002,1723161359999,0.001,2,0,0,0",
	// No trades at all; opens two minutes later (a missing minute is fine).
	"1723161420000,61750.00000000,61750.00000000,61750.00000000,61750.00000000,0.00000000,1723161479999,0,0,0,0,0",
}

// Derived by hand from klineRows with the rule in the KlinesCSV doc comment, tick 0.01, spread 1 tick.
// Row 1 rises, so the path is 61800 (open, buy: close ≥ open) → 61790 (low, sell) → 61850.5 (high, buy) →
// 61840 (close, below the high: sell); 10.00000003 splits as 2.5 ×3 + 2.50000003. Row 2 falls: 61840 (sell) →
// 61845 (high, buy) → 61700 (low, sell) → 61750 (close, buy); 0.00000002 / 4 floors to 0, so only the close
// trades, 0.00000002. Row 3 never moves: four buys-side tops, no trade.
const wantKlines = `23:54:00.000000 top 61799.99/61800
23:54:00.000000 trade #1 buy 2.5@61800
23:54:15.000000 top 61790/61790.01
23:54:15.000000 trade #2 sell 2.5@61790
23:54:30.000000 top 61850.49/61850.5
23:54:30.000000 trade #3 buy 2.5@61850.5
23:54:45.000000 top 61840/61840.01
23:54:45.000000 trade #4 sell 2.50000003@61840
23:55:00.000000 top 61840/61840.01
23:55:15.000000 top 61844.99/61845
23:55:30.000000 top 61700/61700.01
23:55:45.000000 top 61749.99/61750
23:55:45.000000 trade #5 buy 0.00000002@61750
23:57:00.000000 top 61749.99/61750
23:57:15.000000 top 61749.99/61750
23:57:30.000000 top 61749.99/61750
23:57:45.000000 top 61749.99/61750`

func TestKlineFillRuleProducesTheDocumentedSequence(t *testing.T) {
	for _, name := range []string{"klines.csv", "BTCUSDT-1m-2024-08-08.zip"} {
		t.Run(name, func(t *testing.T) {
			src, err := OpenKlinesCSV(writeCSV(t, name, append([]string{klinesHeader}, klineRows...)...),
				KlineOptions{Tick: dec("0.01")})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			events := collect(t, src)
			if got := describeAll(events); got != wantKlines {
				t.Errorf("got\n%s\nwant\n%s", got, wantKlines)
			}
			volume := dec("0")
			for _, ev := range events {
				volume = volume.Add(ev.Size.Decimal())
			}
			if !volume.Equal(dec("10.00000005")) {
				t.Errorf("traded volume %s, want the rows' 10.00000003 + 0.00000002", volume)
			}
		})
	}
}

func TestKlineSpreadAndMicrosecondRows(t *testing.T) {
	// 2025-01-01 00:00 UTC in µs; falls, three-tick spread: 93500 (sell) → 93600 (buy) → 93400 (sell) →
	// 93450 (buy); 0.004 splits as 0.001 ×4.
	path := writeCSV(t, "k.csv.gz",
		"1735689600000000,93500.00,93600.00,93400.00,93450.00,0.004,1735689659999999,0,0,0,0,0")
	src, err := OpenKlinesCSV(path, KlineOptions{Tick: dec("0.01"), SpreadTicks: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	want := `00:00:00.000000 top 93500/93500.03
00:00:00.000000 trade #1 sell 0.001@93500
00:00:15.000000 top 93599.97/93600
00:00:15.000000 trade #2 buy 0.001@93600
00:00:30.000000 top 93400/93400.03
00:00:30.000000 trade #3 sell 0.001@93400
00:00:45.000000 top 93449.97/93450
00:00:45.000000 trade #4 buy 0.001@93450`
	if got := describeAll(collect(t, src)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestBadKlineRowsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, row, wantErr string
	}{
		{"low above open", "1723161300000,61840,61845,61841,61842,1,1723161359999,0,0,0,0,0", "prices out of order"},
		{"high below close", "1723161300000,61840,61841,61700,61842,1,1723161359999,0,0,0,0,0", "prices out of order"},
		{"overlaps the previous row", "1723161299999,61840,61845,61700,61750,1,1723161359999,0,0,0,0,0", "previous row's close_time"},
		{"closes before it opens", "1723161300000,61840,61845,61700,61750,1,1723161300000,0,0,0,0,0", "not after open_time"},
		{"volume not a decimal", "1723161300000,61840,61845,61700,61750,-1,1723161359999,0,0,0,0,0", `volume "-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCSV(t, "k.csv", klineRows[0], tt.row)
			src, err := OpenKlinesCSV(path, KlineOptions{Tick: dec("0.01")})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			err = drainAll(src)
			if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want %s:2: ...%s...", err, path, tt.wantErr)
			}
		})
	}
	if _, err := OpenKlinesCSV(writeCSV(t, "k.csv", klineRows[0]), KlineOptions{}); err == nil {
		t.Error("no tick: want an error")
	}
}
