package analysis

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// The journal's streamed aggregation must give exactly what summing the fills one by one gives.
func TestFillSummariesInSQLEqualSummingFills(t *testing.T) {
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "mm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	byMarket := map[string][]journal.Fill{}
	var all []journal.Fill
	for i := range 2000 {
		market, base := "BTC-USDT", "BTC"
		if i%3 == 0 {
			market, base = "ETH-USDT", "ETH"
		}
		side := journal.SideBuy
		if rng.IntN(2) == 0 {
			side = journal.SideSell
		}
		feeAsset := []string{"USDT", base, "BNB"}[rng.IntN(3)]
		f := journal.Fill{Connector: "paper", Market: market, BaseAsset: base, QuoteAsset: "USDT",
			ExchangeTradeID: strconv.Itoa(i), Side: side,
			Price:  decimal.New(int64(5_000_000+rng.IntN(1_000_000)), -2),
			Amount: decimal.New(int64(1+rng.IntN(100_000)), -8),
			Fee:    decimal.New(int64(rng.IntN(10_000)-1_000), -9), FeeAsset: feeAsset,
			Time: t0.Add(time.Duration(i/2) * time.Second)}
		all = append(all, f)
		byMarket[market] = append(byMarket[market], f)
	}
	if _, err := j.InsertFills(ctx, all); err != nil {
		t.Fatal(err)
	}
	sums, err := j.FillSummaries(ctx, journal.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 {
		t.Fatalf("%d summaries, want 2", len(sums))
	}
	for _, got := range sums {
		want := SummarizeFills(byMarket[got.Market])
		if got.Buys.Trades != want.Buys.Trades || !got.Buys.Base.Equal(want.Buys.Base) || !got.Buys.Quote.Equal(want.Buys.Quote) ||
			got.Sells.Trades != want.Sells.Trades || !got.Sells.Base.Equal(want.Sells.Base) || !got.Sells.Quote.Equal(want.Sells.Quote) {
			t.Errorf("%s: SQL %+v / %+v, Go %+v / %+v", got.Market, got.Buys, got.Sells, want.Buys, want.Sells)
		}
		if !got.FirstPrice.Equal(want.FirstPrice) || !got.LastPrice.Equal(want.LastPrice) ||
			!got.FirstTime.Equal(want.FirstTime) || !got.LastTime.Equal(want.LastTime) {
			t.Errorf("%s: first/last %s %s %v %v, want %s %s %v %v", got.Market, got.FirstPrice, got.LastPrice,
				got.FirstTime, got.LastTime, want.FirstPrice, want.LastPrice, want.FirstTime, want.LastTime)
		}
		for asset, fee := range want.Fees {
			if !got.Fees[asset].Equal(fee) {
				t.Errorf("%s: fees in %s = %s, want %s", got.Market, asset, got.Fees[asset], fee)
			}
		}
	}
}
