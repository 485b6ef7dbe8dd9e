package feed

import (
	"testing"

	"github.com/mmtoolkit/mm/market"
)

func TestBookKeepsLevelsSortedBestFirst(t *testing.T) {
	b := NewBook()
	set := func(side market.Side, price, size string) {
		t.Helper()
		if err := b.Set(side, fx(price), fx(size)); err != nil {
			t.Fatal(err)
		}
	}
	set(market.Buy, "100.00000000", "1")
	set(market.Buy, "101.00000000", "2")
	set(market.Buy, "99.50000000", "3")
	set(market.Sell, "103.00000000", "4")
	set(market.Sell, "102.00000000", "5")
	set(market.Sell, "104.00000000", "0") // deleting an absent level is normal (Binance docs)
	set(market.Buy, "100.00000000", "0")  // delete
	set(market.Sell, "103.00000000", "6") // replace

	wantBids := []Level{{market.Buy, fx("101"), fx("2")}, {market.Buy, fx("99.5"), fx("3")}}
	wantAsks := []Level{{market.Sell, fx("102"), fx("5")}, {market.Sell, fx("103"), fx("6")}}
	if got := b.Levels(market.Buy, 0); !levelsEqual(got, wantBids) {
		t.Errorf("bids %v, want %v", got, wantBids)
	}
	if got := b.Levels(market.Sell, 1); !levelsEqual(got, wantAsks[:1]) {
		t.Errorf("best ask level %v, want %v", got, wantAsks[:1])
	}
	if bid, ok := b.BestBid(); !ok || !levelEqual(bid, wantBids[0]) {
		t.Errorf("best bid %v", bid)
	}
	// SizeAt matches the level whatever the number of decimals written.
	if got := b.SizeAt(market.Sell, fx("103")); !got.Equal(fx("6")) {
		t.Errorf("size at 103: %s", got)
	}
	if got := b.SizeAt(market.Buy, fx("100")); !got.IsZero() {
		t.Errorf("size at deleted 100: %s", got)
	}
	if err := b.Set(market.Buy, fx("1"), fx("-1")); err == nil {
		t.Error("negative size accepted")
	}
	if err := b.Set("hold", fx("1"), fx("1")); err == nil {
		t.Error("bad side accepted")
	}
}

// Thousands of levels inserted and deleted in scattered order split and merge chunks; the book must stay
// sorted and complete, like a plain sorted reference.
func TestBookChunksStaySortedUnderChurn(t *testing.T) {
	b := NewBook()
	ref := map[int64]int64{}
	x := uint64(12345)
	for i := range 20000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		price, size := int64(x%3000)+1, int64(i%4)
		if err := b.Set(market.Sell, decimalTicks(price), decimalTicks(size)); err != nil {
			t.Fatal(err)
		}
		if size == 0 {
			delete(ref, price)
		} else {
			ref[price] = size
		}
	}
	levels := b.Levels(market.Sell, 0)
	if len(levels) != len(ref) || b.Depth(market.Sell) != len(ref) {
		t.Fatalf("%d levels, reference %d", len(levels), len(ref))
	}
	for i, l := range levels {
		if i > 0 && levels[i-1].Price.Cmp(l.Price) >= 0 {
			t.Fatalf("asks not ascending at %d: %v then %v", i, levels[i-1], l)
		}
		if want := ref[l.Price.Decimal().Mul(dec("100")).IntPart()]; !l.Size.Equal(decimalTicks(want)) {
			t.Fatalf("level %v, reference size %d ticks", l, want)
		}
	}
}

func decimalTicks(n int64) market.Fixed { return market.NewFixed(n, -2) }
