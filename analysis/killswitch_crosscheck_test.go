package analysis

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/strategy"
)

// The kill switch must fire on the return % that `mm history` prints (reference/hummingbot.md §6.1: Hummingbot's
// kill switch calls the same calculate_profitability as history). strategy cannot import analysis, so it carries
// its own few lines of the formula (strategy.KillSwitchReturn); this test holds the two to the same number, to
// the last digit, on the same inputs: recorded start and current balances, the mark as the current price, fees
// in quote, in base and in an asset with no rate.
func TestKillSwitchReturnEqualsHistoryReturn(t *testing.T) {
	t0 := time.Date(2024, 8, 8, 12, 0, 0, 0, time.UTC)
	btcFill := func(side, amount, price, fee, feeAsset string, sec int) journal.Fill {
		return journal.Fill{Connector: "paper", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
			Side: side, Amount: dec(amount), Price: dec(price), Fee: dec(fee), FeeAsset: feeAsset,
			Time: t0.Add(time.Duration(sec) * time.Second)}
	}
	tests := []struct {
		name                  string
		fills                 []journal.Fill
		startBase, startQuote string
		curBase, curQuote     string
		mid                   string
		want                  string // the return as a fraction, worked out by hand
	}{
		{
			// hold = 1·10000 + 20000 = 30000; current = 1·10000 + 18500 = 28500; −1500/30000.
			name:      "a 5 % loss",
			fills:     []journal.Fill{btcFill("buy", "0.1", "10000", "0", "USDT", 1), btcFill("sell", "0.1", "9850", "0", "USDT", 2)},
			startBase: "1", startQuote: "20000", curBase: "1", curQuote: "18500", mid: "10000",
			want: "-0.05",
		},
		{
			// Bought 0.5 at 10000 paying 5 USDT: 1.5 BTC, 14995 USDT. At 9000: hold = 9000 + 20000 = 29000,
			// current = 13500 + 14995 = 28495, return = −505/29000 = −0.0174137931034482758620689655|17…,
			// 28 significant digits.
			name:      "quote fee, non-terminating division",
			fills:     []journal.Fill{btcFill("buy", "0.5", "10000", "5", "USDT", 1)},
			startBase: "1", startQuote: "20000", curBase: "1.5", curQuote: "14995", mid: "9000",
			want: "-0.01741379310344827586206896552",
		},
		{
			// Sold 0.3 at 10100 paying 0.0003 BTC: 0.6997 BTC, 23030 USDT. At 10050: hold = 10050 + 20000 = 30050,
			// current = 7031.985 + 23030 = 30061.985, return = 11.985/30050 = 0.000398835274542429284525790349|4…
			name:      "base fee, a gain",
			fills:     []journal.Fill{btcFill("sell", "0.3", "10100", "0.0003", "BTC", 1)},
			startBase: "1", startQuote: "20000", curBase: "0.6997", curQuote: "23030", mid: "10050",
			want: "0.0003988352745424292845257903494",
		},
		{
			// A BNB fee with no BNB rate is unpriced in history; the balances hold the whole story either way.
			// hold = 2·3000 + 1000 = 7000; current = 2.1·3000 + 690 = 6990; −10/7000 = −0.001428571428571428571428571429.
			name:      "unpriced fee asset",
			fills:     []journal.Fill{btcFill("buy", "0.1", "3100", "0.01", "BNB", 1)},
			startBase: "2", startQuote: "1000", curBase: "2.1", curQuote: "690", mid: "3000",
			want: "-0.001428571428571428571428571429",
		},
		{
			// Hummingbot's divide(x, 0) = 0.
			name:      "zero hold value",
			fills:     []journal.Fill{btcFill("buy", "0.1", "3100", "0", "USDT", 1)},
			startBase: "0", startQuote: "0", curBase: "0.1", curQuote: "0", mid: "3000",
			want: "0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := ComputeMarketHistory(MarketInputs{
				Summary:         SummarizeFills(tc.fills),
				Fills:           tc.fills,
				StartBalances:   map[string]decimal.Decimal{"BTC": dec(tc.startBase), "USDT": dec(tc.startQuote)},
				CurrentBalances: map[string]decimal.Decimal{"BTC": dec(tc.curBase), "USDT": dec(tc.curQuote)},
				Mark:            decimal.NewNullDecimal(dec(tc.mid)),
			})
			if h.StartSource != StartFromSnapshot || h.PriceSource != PriceFromMark {
				t.Fatalf("history used start %s and price %s, want snapshot and mark", h.StartSource, h.PriceSource)
			}
			got := strategy.KillSwitchReturn(dec(tc.startBase), dec(tc.startQuote), dec(tc.curBase), dec(tc.curQuote),
				dec(tc.mid), len(tc.fills))
			if !h.ReturnPct.Equal(dec(tc.want)) {
				t.Errorf("history return = %s, want %s", h.ReturnPct, tc.want)
			}
			if !got.Equal(h.ReturnPct) {
				t.Errorf("kill switch return = %s, history return = %s", got, h.ReturnPct)
			}
			if h.ReturnPct.IsZero() {
				return
			}
			// At a rate equal to history's return (in percent) the kill switch fires: the comparison is on the
			// very number history prints, not a rounding of it.
			p := strategy.DefaultRiskParams()
			p.KillSwitchRatePct = h.ReturnPct.Mul(decimal.NewFromInt(100))
			s := strategy.NewRiskState(t0, dec(tc.startBase), dec(tc.startQuote), dec(tc.mid))
			_, trips := strategy.EvaluateRisk(p, s, strategy.RiskInput{Now: t0, Mid: dec(tc.mid),
				BaseBalance: decimal.NewNullDecimal(dec(tc.curBase)), QuoteBalance: decimal.NewNullDecimal(dec(tc.curQuote)),
				FillsSinceStart: len(tc.fills), LastMarketData: t0})
			if len(trips) != 1 || trips[0].Guard != strategy.GuardKillSwitch {
				t.Errorf("kill switch at rate %s %% (history's return): changes %v, want one kill_switch trip",
					p.KillSwitchRatePct, trips)
			}
		})
	}
}
