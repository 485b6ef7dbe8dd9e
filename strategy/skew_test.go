package strategy

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/market"
)

// The skew_* vectors come from Hummingbot's test_inventory_skew_calculator.py; "computed" is a float64
// re-implementation of the .pyx, so a faithful port matches it bit for bit, and the asserted values to 7 places.
func TestBidAskRatiosReproduceHummingbotVectors(t *testing.T) {
	vectors := sharedtest.Vectors(t, "hummingbot.json")
	ids := []string{"skew_balanced", "skew_heavy_low_base", "skew_heavy_high_base",
		"skew_cap_range_half_portfolio_1", "skew_empty_portfolio", "skew_zero_base"}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			v, ok := vectors[id]
			if !ok {
				t.Fatalf("vector %s missing", id)
			}
			var in struct {
				Base   float64 `json:"base_asset_amount"`
				Quote  float64 `json:"quote_asset_amount"`
				Price  float64 `json:"price"`
				Target float64 `json:"target_base_asset_ratio"`
				Range  float64 `json:"base_asset_range"`
			}
			var ratios struct {
				Bid float64 `json:"bid_ratio"`
				Ask float64 `json:"ask_ratio"`
			}
			var computed = ratios
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &ratios)
			sharedtest.Decode(t, v.Computed, &computed)

			bid, ask := BidAskRatios(in.Base, in.Quote, in.Price, in.Target, in.Range)
			if bid != computed.Bid || ask != computed.Ask {
				t.Errorf("ratios = (%v, %v), want exactly (%v, %v)", bid, ask, computed.Bid, computed.Ask)
			}
			if math.Abs(bid-ratios.Bid) > 5e-8 || math.Abs(ask-ratios.Ask) > 5e-8 {
				t.Errorf("ratios = (%v, %v), want (%v, %v) to 7 places", bid, ask, ratios.Bid, ratios.Ask)
			}
		})
	}
}

// pmm_skew_single_level and pmm_skew_multi_level: Hummingbot's PMM tests, sizes quantized by the mock market
// (6 significant digits, 6 decimals). The second proposal follows a fill of the first ask (1.5 at 101) in the
// fee-free mock market: base 500 − 1.5, quote 5000 + 1.5·101.
func TestInventorySkewReproducesPMMVectors(t *testing.T) {
	vectors := sharedtest.Vectors(t, "hummingbot.json")
	quantize := func(d decimal.Decimal) string { return market.FloorSignificant(d, 6, 6).String() }
	dec := decimal.RequireFromString

	t.Run("pmm_skew_single_level", func(t *testing.T) {
		var want struct {
			BidSize string `json:"bid_size"`
			AskSize string `json:"ask_size"`
		}
		sharedtest.Decode(t, vectors["pmm_skew_single_level"].Expected, &want)
		total := TotalOrderSize(dec("1"), decimal.Zero, 1)
		baseRange := total.Mul(dec("5.0"))
		bid, ask := BidAskRatios(500, 5000, 100, 0.9, baseRange.InexactFloat64())
		if got := quantize(dec("1").Mul(market.ExactFromFloat(bid))); got != want.BidSize {
			t.Errorf("bid size = %s, want %s", got, want.BidSize)
		}
		if got := quantize(dec("1").Mul(market.ExactFromFloat(ask))); got != want.AskSize {
			t.Errorf("ask size = %s, want %s", got, want.AskSize)
		}
	})

	t.Run("pmm_skew_multi_level", func(t *testing.T) {
		v := vectors["pmm_skew_multi_level"]
		var computed struct {
			Total     string   `json:"total_order_size"`
			Levels    []string `json:"level_sizes"`
			AfterBids []string `json:"after_fill_bid_sizes"`
			AfterAsks []string `json:"after_fill_ask_sizes"`
		}
		sharedtest.Decode(t, v.Computed, &computed)
		total := TotalOrderSize(dec("1"), dec("0.5"), 5)
		if !total.Equal(dec(computed.Total)) {
			t.Fatalf("total order size = %s, want %s", total, computed.Total)
		}
		baseRange := total.Mul(dec("0.5")).InexactFloat64()

		bid, ask := BidAskRatios(500, 5000, 100, 0.9, baseRange)
		if bid != 0.5 || ask != 1.5 {
			t.Fatalf("ratios before the fill = (%v, %v), want (0.5, 1.5)", bid, ask)
		}
		base := dec("500").Sub(dec("1.5"))
		quote := dec("5000").Add(dec("1.5").Mul(dec("101")))
		bid, ask = BidAskRatios(base.InexactFloat64(), quote.InexactFloat64(), 100, 0.9, baseRange)
		for i, size := range computed.Levels {
			if got := quantize(dec(size).Mul(market.ExactFromFloat(bid))); !dec(got).Equal(dec(computed.AfterBids[i])) {
				t.Errorf("level %d bid size after fill = %s, want %s", i, got, computed.AfterBids[i])
			}
			if got := quantize(dec(size).Mul(market.ExactFromFloat(ask))); !dec(got).Equal(dec(computed.AfterAsks[i])) {
				t.Errorf("level %d ask size after fill = %s, want %s", i, got, computed.AfterAsks[i])
			}
		}
	})
}

// Docs example (vector docs_inventory_skew_range): a portfolio worth 10 BTC, target 50 %, one set of orders
// totalling 1 BTC gives a band of 40–60 % at multiplier 1 and 30–70 % at multiplier 2; and the sample config
// (0.002, 3 levels, level amount 0.002) has a total order size of 0.024.
func TestInventoryRangeDocsExamples(t *testing.T) {
	vectors := sharedtest.Vectors(t, "hummingbot.json")
	var want struct {
		M1 string `json:"multiplier_1"`
		M2 string `json:"multiplier_2"`
	}
	sharedtest.Decode(t, vectors["docs_inventory_skew_range"].Expected, &want)
	dec := decimal.RequireFromString
	total := TotalOrderSize(dec("0.5"), decimal.Zero, 1) // 1 BTC over both sides
	if !total.Equal(dec("1")) {
		t.Fatalf("total order size = %s, want 1", total)
	}
	for _, tc := range []struct {
		multiplier string
		want       string
	}{{"1", want.M1}, {"2", want.M2}} {
		// 10 BTC of value held half in base: 5 BTC and 5 BTC worth of quote at price 1.
		r := NewInventoryRange(dec("5"), dec("5"), dec("1"), dec("0.5"), total.Mul(dec(tc.multiplier)))
		got := pctString(r.Pct(r.LowerValue)) + "% - " + pctString(r.Pct(r.UpperValue)) + "%"
		if got != tc.want {
			t.Errorf("multiplier %s: band %q, want %q", tc.multiplier, got, tc.want)
		}
	}
	if got := TotalOrderSize(dec("0.002"), dec("0.002"), 3); !got.Equal(dec("0.024")) {
		t.Errorf("sample config total order size = %s, want 0.024", got)
	}
}

func pctString(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(decimal.NewFromFloat(f).StringFixed(2), "0"), ".")
}

func TestTotalOrderSize(t *testing.T) {
	dec := decimal.RequireFromString
	tests := []struct {
		name             string
		amount, levelAmt string
		levels           int
		want             string
	}{
		{"single level counts both sides", "1", "0", 1, "2"},
		{"levels grow by the level amount", "1", "0.5", 5, "20"},
		{"negative level amount shrinks outer levels", "1", "-0.1", 3, "5.4"},
		{"zero levels", "1", "0", 0, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := TotalOrderSize(dec(tc.amount), dec(tc.levelAmt), tc.levels)
			if !got.Equal(dec(tc.want)) {
				t.Errorf("TotalOrderSize = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBidAskRatiosEdgeCases(t *testing.T) {
	tests := []struct {
		name                            string
		base, quote, price, target, rng float64
		bid, ask                        float64
	}{
		// reference/hummingbot.md §2.3
		{"range zero gives no orders, not neutral", 1, 100, 100, 0.5, 0, 0, 0},
		{"negative portfolio gives no orders", 0, -5, 100, 0.5, 1, 0, 0},
		{"exactly at target", 1, 100, 100, 0.5, 1, 1, 1},
		{"target zero with any base uses the right segment", 0.1, 1000, 100, 0, 1, 0.9, 1.1},
		{"target zero and no base sits on the target", 0, 100, 100, 0, 1, 1, 1},
		{"at the upper limit", 1.5, 50, 100, 0.5, 0.5, 0, 2},
		{"far above the upper limit", 10, 0, 100, 0.5, 0.1, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bid, ask := BidAskRatios(tc.base, tc.quote, tc.price, tc.target, tc.rng)
			if math.Abs(bid-tc.bid) > 1e-12 || math.Abs(ask-tc.ask) > 1e-12 {
				t.Errorf("ratios = (%v, %v), want (%v, %v)", bid, ask, tc.bid, tc.ask)
			}
		})
	}
}

// Properties from reference/hummingbot.md §2.2: the ratios sum to 2 (or are both 0), lie in [0, 2], equal 1 at
// the target, and the bid ratio never increases as the base value grows.
func TestBidAskRatiosProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		price := 0.001 + rng.Float64()*1000
		value := rng.Float64() * 1e6
		target := rng.Float64()
		baseRange := rng.Float64() * 2 * value / price
		prevBid := math.Inf(1)
		for step := 0; step <= 100; step++ {
			share := float64(step) / 100
			base := value * share / price
			quote := value * (1 - share)
			bid, ask := BidAskRatios(base, quote, price, target, baseRange)
			if bid == 0 && ask == 0 {
				if value > 0 && baseRange > 0 {
					t.Fatalf("(0,0) for a non-empty portfolio: value %v range %v", value, baseRange)
				}
				continue
			}
			if math.Abs(bid+ask-2) > 1e-12 || bid < 0 || bid > 2 {
				t.Fatalf("bid %v ask %v: must sum to 2 within [0, 2]", bid, ask)
			}
			if bid > prevBid+1e-12 {
				t.Fatalf("bid ratio rose from %v to %v as base share rose to %v", prevBid, bid, share)
			}
			prevBid = bid
		}
		// At the target itself.
		base := value * target / price
		if bid, _ := BidAskRatios(base, value-base*price, price, target, baseRange); value > 0 && baseRange > 0 &&
			math.Abs(bid-1) > 1e-9 {
			t.Fatalf("bid ratio at target = %v, want 1 (price %v value %v target %v)", bid, price, value, target)
		}
	}
}

func BenchmarkBidAskRatios(b *testing.B) {
	var sink float64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bid, ask := BidAskRatios(85000+float64(i&1023), 10000, 0.0036, 0.03, 20000)
		sink += bid + ask
	}
	_ = sink
}
