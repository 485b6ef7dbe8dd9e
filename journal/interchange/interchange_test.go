package interchange

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000Z", ""},
		{"2026-11-22T11:00:00.1234567+01:00", "2026-11-22T10:00:00.123Z", ""}, // below a millisecond is dropped
		{"1795348800123", "2026-11-22T12:00:00.123Z", ""},
		{"1795348800", "", "out of range for Unix milliseconds"},       // Unix seconds
		{"1795348800123000", "", "out of range for Unix milliseconds"}, // microseconds
		{"2026-11-22 10:00:00", "", "neither RFC 3339"},
		{"2026-11-22T10:00:00", "", "neither RFC 3339"}, // no zone: ambiguous
		{"0001-01-01T00:00:00Z", "", "before 1973"},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTime(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || FormatTime(got) != tc.want {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tc.in, FormatTime(got), err, tc.want)
		}
	}
}

func TestSplitBinanceSymbol(t *testing.T) {
	btcUSDT := &market.Pair{Base: "BTC", Quote: "USDT"}
	tests := []struct {
		symbol string
		given  *market.Pair
		want   string
	}{
		{"BTCUSDT", nil, "BTC-USDT"},
		{"ETHBTC", nil, "ETH-BTC"},
		{"BNBFDUSD", nil, "BNB-FDUSD"}, // FDUSD, not the USD-less "DUSD"
		{"USDCUSDT", nil, "USDC-USDT"},
		{"btcusdt", btcUSDT, "BTC-USDT"},
		{"FOOBAR", nil, ""},
		{"USDT", nil, ""}, // a quote alone has no base
		{"ETHUSDT", btcUSDT, ""},
	}
	for _, tc := range tests {
		got, err := splitSymbol(tc.symbol, tc.given)
		if (tc.want == "") != (err != nil) || (err == nil && got.String() != tc.want) {
			t.Errorf("splitSymbol(%q) = %s, %v; want %q", tc.symbol, got, err, tc.want)
		}
	}
}

// The reference ids were computed outside Go:
// printf '1795352400000|BTC-USDT|sell|64200|0.005|-0.0032|USDT||0' | sha256sum | cut -c1-24
func TestDerivedTradeIDIsSHA256OfTheNormalizedRow(t *testing.T) {
	content := "1795352400000|BTC-USDT|sell|64200|0.005|-0.0032|USDT|"
	if got := DerivedTradeID(1795352400000, content, 0); got != "csv:1795352400000:13ec6a58a91e8ea836a7cfaf" {
		t.Errorf("occurrence 0: %s", got)
	}
	if got := DerivedTradeID(1795352400000, content, 1); got != "csv:1795352400000:01f238c2d97163215b538e36" {
		t.Errorf("occurrence 1: %s", got)
	}
	// The same trade written differently (case, trailing zeros, time zone) gets the same id.
	a := "timestamp,market,side,price,amount,fee,fee_asset\n2026-11-22T13:00:00Z,BTC-USDT,sell,64200,0.005,-0.0032,USDT\n"
	b := "TIMESTAMP,Fee_Asset,market,side,price,amount,fee\n2026-11-22T14:00:00+01:00,usdt,btc-usdt,SELL,64200.00,0.0050,-0.00320\n"
	fillsA, errA := ReadFills("a.csv", strings.NewReader(a), Options{Connector: "import"})
	fillsB, errB := ReadFills("b.csv", strings.NewReader(b), Options{Connector: "import"})
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	if fillsA[0].ExchangeTradeID != "csv:1795352400000:13ec6a58a91e8ea836a7cfaf" || fillsB[0].ExchangeTradeID != fillsA[0].ExchangeTradeID {
		t.Errorf("ids %s and %s, want both csv:13ec6a58…", fillsA[0].ExchangeTradeID, fillsB[0].ExchangeTradeID)
	}
}

func TestReadFillsAcceptsSpreadsheetCSV(t *testing.T) {
	in := "\ufefftimestamp , market,side,price,amount,fee,fee_asset,is_maker\r\n" +
		"\"2026-11-22T10:00:00Z\",BTC-USDT, buy ,\"64,000\",0.01,0,BNB,yes\r\n"
	_, err := ReadFills("x.csv", strings.NewReader(in), Options{Connector: "import"})
	// A thousands separator is not a decimal: refused rather than read as 64.
	var inputErr *InputError
	if !errors.As(err, &inputErr) || inputErr.Column != "price" || inputErr.Row != 1 || inputErr.Line != 2 {
		t.Fatalf("err = %v, want an InputError at row 1, line 2, column price", err)
	}
	in = strings.Replace(in, "\"64,000\"", "64000", 1)
	fills, err := ReadFills("x.csv", strings.NewReader(in), Options{Connector: "import"})
	if err != nil || len(fills) != 1 || fills[0].Side != "buy" || fills[0].IsMaker == nil || !*fills[0].IsMaker ||
		!fills[0].Time.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("fills = %+v, %v", fills, err)
	}
}

// FuzzReadFills: any input either parses into fills the journal accepts or is an *InputError; never a panic.
func FuzzReadFills(f *testing.F) {
	f.Add("timestamp,market,side,price,amount,fee,fee_asset\n2026-11-22T10:00:00Z,BTC-USDT,buy,64000,0.01,0.064,USDT\n")
	f.Add("timestamp,market,side,price,amount,fee,fee_asset,trade_id,mid\n1795348800000,a-b,SELL,1e3,1,-1,x,,2\n")
	f.Add("timestamp,market\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		fills, err := ReadFills("fuzz.csv", strings.NewReader(in), Options{Connector: "import"})
		if err != nil {
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for _, fill := range fills {
			if !fill.Price.IsPositive() || !fill.Amount.IsPositive() || fill.ExchangeTradeID == "" ||
				fill.FeeAsset == "" || fill.BaseAsset == "" || fill.Time.IsZero() {
				t.Fatalf("accepted an invalid fill %+v", fill)
			}
		}
	})
}

// FuzzReadBinanceTrades: the same contract for myTrades JSON.
func FuzzReadBinanceTrades(f *testing.F) {
	f.Add(`[{"symbol":"BNBBTC","id":28457,"orderId":100234,"price":"4.00000100","qty":"12.00000000","commission":"10.10000000","commissionAsset":"BNB","time":1499865549590,"isBuyer":true,"isMaker":false}]`)
	f.Add(`[{"symbol":1}]`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, in string) {
		fills, err := ReadBinanceTrades("fuzz.json", bytes.NewReader([]byte(in)), Options{Connector: "binance"})
		if err != nil {
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for _, fill := range fills {
			if !fill.Price.IsPositive() || !fill.Amount.IsPositive() || fill.ExchangeTradeID == "" || fill.Time.IsZero() {
				t.Fatalf("accepted an invalid fill %+v", fill)
			}
		}
	})
}
