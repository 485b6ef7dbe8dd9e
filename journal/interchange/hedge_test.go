package interchange

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestReadHedgeFillsCollectsTermsOncePerInstrument(t *testing.T) {
	in := `timestamp,venue,instrument,side,price,amount,fee,fee_asset,contract,contract_size,quote_asset,settle_asset
2026-01-01T00:00:00Z,deribit,BTC-PERPETUAL,BUY,50000.0,1000,0.00001,btc,Inverse,100,usd,btc
2026-01-01T00:00:01Z,deribit,BTC-PERPETUAL,sell,50010,10,0,BTC,,,,
2026-01-01T00:00:02Z,,BTCUSDT,sell,50010,3,0.075,USDT,linear,0.001,USDT,USDT
`
	got, err := ReadHedgeFills("hedge.csv", strings.NewReader(in), Options{Connector: "binance-usdm"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Fills) != 3 || len(got.Instruments) != 2 {
		t.Fatalf("%d fills, %d instruments; want 3, 2", len(got.Fills), len(got.Instruments))
	}
	inverse, linear := got.Instruments[0], got.Instruments[1]
	if inverse.Venue != "deribit" || inverse.Contract != journal.ContractInverse || !inverse.ContractSize.Equal(dec("100")) ||
		inverse.QuoteAsset != "USD" || inverse.SettleAsset != "BTC" {
		t.Errorf("inverse terms %+v", inverse)
	}
	if linear.Venue != "binance-usdm" || linear.Instrument != "BTCUSDT" || linear.Contract != journal.ContractLinear ||
		!linear.ContractSize.Equal(dec("0.001")) || linear.SettleAsset != "USDT" {
		t.Errorf("linear terms %+v", linear)
	}
	first := got.Fills[0]
	if first.Side != journal.SideBuy || !first.Price.Equal(dec("50000")) || first.FeeAsset != "BTC" ||
		!strings.HasPrefix(first.TradeID, DerivedIDPrefix+"1767225600000:") {
		t.Errorf("first fill %+v", first)
	}
	again, err := ReadHedgeFills("hedge.csv", strings.NewReader(in), Options{Connector: "binance-usdm"})
	if err != nil || again.Fills[0].TradeID != first.TradeID || again.Fills[1].TradeID == first.TradeID {
		t.Errorf("derived ids are not stable and distinct: %v", err)
	}
}

// FuzzReadHedgeFills: bad input is an InputError, and what is accepted is valid.
func FuzzReadHedgeFills(f *testing.F) {
	f.Add("timestamp,instrument,side,price,amount,fee,fee_asset\n2026-01-01T00:00:00Z,BTC-PERPETUAL,buy,50000,1000,0,BTC\n")
	f.Add("timestamp,instrument,side,price,amount,fee,fee_asset,contract,contract_size,quote_asset,settle_asset\n" +
		"1767225600000,X,SELL,1e3,1,-1,x,inverse,100,USD,BTC\n")
	f.Add("timestamp,instrument\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ReadHedgeFills("fuzz.csv", strings.NewReader(in), Options{Connector: "import"})
		if err != nil {
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for _, h := range got.Fills {
			if !h.Price.IsPositive() || !h.Amount.IsPositive() || h.TradeID == "" || h.Instrument == "" ||
				h.FeeAsset == "" || h.Time.IsZero() {
				t.Fatalf("accepted an invalid hedge fill %+v", h)
			}
		}
		for _, i := range got.Instruments {
			if !i.ContractSize.IsPositive() || (i.Contract == journal.ContractLinear) != (i.SettleAsset == i.QuoteAsset) {
				t.Fatalf("accepted invalid terms %+v", i)
			}
		}
	})
}

// Review H4 and M4: two rows with one key (a hedge fill's trade_id; a payment's instrument, time and asset) are one
// record in the journal. Identical rows are the same record seen twice and stay accepted; different ones would lose
// one silently, so they are refused naming the file, both rows and the column.
func TestReadHedgeRowsWithOneKeyMustAgree(t *testing.T) {
	const fillsHeader = "timestamp,instrument,side,price,amount,fee,fee_asset,trade_id\n"
	const fundingHeader = "timestamp,instrument,amount,asset\n"
	for _, tc := range []struct {
		name, in string
		read     func(string) (int, error)
		want     string // "" accepted
	}{
		{"same trade twice", fillsHeader + "2026-01-01T00:00:00Z,P,buy,100,10,0,USDT,T1\n" +
			"1767225600000,P,BUY,100.0,10,0,usdt,T1\n", readHedgeFillRows, ""},
		{"two trades under one id", fillsHeader + "2026-01-01T00:00:00Z,P,buy,100,10,0,USDT,T1\n" +
			"2026-01-01T00:00:00Z,P,sell,120,10,0,USDT,T1\n", readHedgeFillRows,
			"hedge.csv: row 2 (line 3), column trade_id: trade T1 of P on import differs from row 1, which has the same trade_id: sell 10 at 120"},
		{"one id on two instruments", fillsHeader + "2026-01-01T00:00:00Z,P,buy,100,10,0,USDT,T1\n" +
			"2026-01-01T00:00:00Z,Q,sell,120,10,0,USDT,T1\n", readHedgeFillRows, ""},
		{"same payment twice", fundingHeader + "2026-01-01T08:00:00Z,P,-1.2,USDT\n2026-01-01T08:00:00Z,P,-1.20,USDT\n",
			readFundingRows, ""},
		{"two payments at one time", fundingHeader + "2026-01-01T08:00:00Z,P,-1.2,USDT\n" +
			"2026-01-01T08:00:00Z,P,0.4,USDT\n", readFundingRows,
			"hedge.csv: row 2 (line 3), column amount: 0.4 USDT of P on import at 2026-01-01T08:00:00Z differs from row 1"},
		{"two assets at one time", fundingHeader + "2026-01-01T08:00:00Z,P,-1.2,USDT\n2026-01-01T08:00:00Z,P,0.4,BNB\n",
			readFundingRows, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := tc.read(tc.in)
			switch {
			case tc.want == "" && (err != nil || rows != 2):
				t.Errorf("rows %d, error %v; want 2 rows accepted", rows, err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}

func readHedgeFillRows(in string) (int, error) {
	got, err := ReadHedgeFills("hedge.csv", strings.NewReader(in), Options{Connector: "import"})
	return len(got.Fills), err
}

func readFundingRows(in string) (int, error) {
	got, err := ReadFunding("hedge.csv", strings.NewReader(in), Options{Connector: "import"})
	return len(got), err
}

// FuzzReadHedgeMarks: bad input is an InputError, and what is accepted is valid.
func FuzzReadHedgeMarks(f *testing.F) {
	f.Add("timestamp,instrument,mark\n2026-01-01T00:00:00Z,BTC-PERPETUAL,50000\n")
	f.Add("timestamp,venue,instrument,mark\n1767225600000,deribit,X,1e3\n")
	f.Add("timestamp,instrument,mark\n2026-01-01T00:00:00Z,BTC PERP,-1\n")
	f.Fuzz(func(t *testing.T, in string) {
		marks, err := ReadHedgeMarks("fuzz.csv", strings.NewReader(in), Options{Connector: "import"})
		if err != nil {
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for _, m := range marks {
			if !m.Mark.IsPositive() || m.Instrument == "" || m.Venue == "" || m.Time.IsZero() {
				t.Fatalf("accepted an invalid hedge mark %+v", m)
			}
		}
	})
}

// FuzzReadFunding: bad input is an InputError, and what is accepted is valid and has one amount per key.
func FuzzReadFunding(f *testing.F) {
	f.Add("timestamp,instrument,amount,asset\n2026-01-01T08:00:00Z,BTCUSDT,-1.2,USDT\n")
	f.Add("timestamp,instrument,amount,asset\n2026-01-01T08:00:00Z,P,-1.2,USDT\n2026-01-01T08:00:00Z,P,0.4,USDT\n")
	f.Add("timestamp,venue,instrument,amount,asset\n1767225600000,deribit,X,0,btc\n")
	f.Fuzz(func(t *testing.T, in string) {
		payments, err := ReadFunding("fuzz.csv", strings.NewReader(in), Options{Connector: "import"})
		if err != nil {
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		amounts := map[fundingKey]decimal.Decimal{}
		for _, p := range payments {
			if p.Instrument == "" || p.Asset == "" || p.Venue == "" || p.Time.IsZero() {
				t.Fatalf("accepted an invalid payment %+v", p)
			}
			key := fundingKey{venue: p.Venue, instrument: p.Instrument, ms: p.Time.UnixMilli(), asset: p.Asset}
			if a, ok := amounts[key]; ok && !a.Equal(p.Amount) {
				t.Fatalf("accepted two amounts for one payment: %s and %s", a, p.Amount)
			}
			amounts[key] = p.Amount
		}
	})
}
