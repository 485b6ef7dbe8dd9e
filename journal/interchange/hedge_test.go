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
