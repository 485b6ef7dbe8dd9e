package feed

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

func syntheticDigest(t *testing.T, cfg SyntheticConfig) (string, int) {
	t.Helper()
	src, err := NewSynthetic(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n := 0
	for {
		ev, err := src.Next()
		if err == io.EOF {
			return fmt.Sprintf("%x", h.Sum(nil)), n
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, ev.String())
		n++
	}
}

func TestSyntheticSameSeedSameBytesOtherSeedOtherBytes(t *testing.T) {
	cfg := DefaultSyntheticConfig()
	cfg.Duration = time.Minute
	first, n := syntheticDigest(t, cfg)
	second, _ := syntheticDigest(t, cfg)
	if first != second {
		t.Errorf("seed %d: two runs differ: %s vs %s", cfg.Seed, first, second)
	}
	cfg.Seed = 2
	if other, _ := syntheticDigest(t, cfg); other == first {
		t.Error("seeds 1 and 2 gave the same events")
	}
	if n < 2000 {
		t.Errorf("a minute gave only %d events", n)
	}
}

// Every event of ten simulated minutes obeys the model's contract: exact ticks and steps, a book whose top is
// the top-of-book event, trades at the touch, a monotonic clock, and Poisson counts near the configured rate.
func TestSyntheticMarketInvariants(t *testing.T) {
	cfg := DefaultSyntheticConfig()
	cfg.Seed, cfg.Duration = 7, 10*time.Minute
	src, err := NewSynthetic(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	trades, volume := 0, decimal.Zero
	var top Event
	for seq := uint64(1); ; seq++ {
		ev, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Seq != seq || ev.Time.Before(last) || ev.Time.After(cfg.Start.Add(cfg.Duration)) {
			t.Fatalf("event %v: seq or time out of order (previous time %v)", ev, last)
		}
		last = ev.Time
		for _, l := range ev.Levels {
			onGrid(t, ev, l.Price.Decimal(), cfg.Tick)
			if l.Size.Sign() != 0 {
				onGrid(t, ev, l.Size.Decimal(), cfg.Step)
			}
		}
		switch ev.Kind {
		case KindTopOfBook:
			top = ev
			bid, _ := src.Book().BestBid()
			ask, _ := src.Book().BestAsk()
			if !bid.Price.Equal(ev.BidPrice) || !bid.Size.Equal(ev.BidSize) || !ask.Price.Equal(ev.AskPrice) ||
				!ask.Size.Equal(ev.AskSize) {
				t.Fatalf("%v: book top %v / %v", ev, bid, ask)
			}
			if !ev.AskPrice.Decimal().Sub(ev.BidPrice.Decimal()).Equal(cfg.Tick) {
				t.Fatalf("%v: spread is not one tick", ev)
			}
			if src.Book().Depth(market.Buy) != cfg.DepthLevels || src.Book().Depth(market.Sell) != cfg.DepthLevels {
				t.Fatalf("%v: depth %d/%d", ev, src.Book().Depth(market.Buy), src.Book().Depth(market.Sell))
			}
		case KindTrade:
			trades++
			volume = volume.Add(ev.Size.Decimal())
			onGrid(t, ev, ev.Size.Decimal(), cfg.Step)
			touch := top.AskPrice
			if ev.TakerSide == market.Sell {
				touch = top.BidPrice
			}
			if !ev.Price.Equal(touch) {
				t.Fatalf("%v: not at the touch %v", ev, top)
			}
		}
	}
	// Poisson: 28/s over 600 s is 16,800 trades, σ ≈ 130; allow 5σ.
	want := cfg.TradeRatePerSecond * cfg.Duration.Seconds()
	if math.Abs(float64(trades)-want) > 5*math.Sqrt(want) {
		t.Errorf("%d trades, want about %.0f", trades, want)
	}
	// Flooring an exponential to whole steps lowers its mean by about half a step; allow 5 % sampling error.
	mean := volume.Div(decimal.NewFromInt(int64(trades))).InexactFloat64()
	if math.Abs(mean-cfg.MeanTradeSize.InexactFloat64()) > 0.05*cfg.MeanTradeSize.InexactFloat64() {
		t.Errorf("mean trade size %.5f, want about %s", mean, cfg.MeanTradeSize)
	}
}

func onGrid(t *testing.T, ev Event, x, unit decimal.Decimal) {
	t.Helper()
	if x.Sign() <= 0 || !x.Mod(unit).IsZero() {
		t.Fatalf("%v: %s is not a positive multiple of %s", ev, x, unit)
	}
}

func TestSyntheticRejectsBadConfig(t *testing.T) {
	for name, mutate := range map[string]func(*SyntheticConfig){
		"zero tick":           func(c *SyntheticConfig) { c.Tick = decimal.Zero },
		"no spread":           func(c *SyntheticConfig) { c.SpreadTicks = 0 },
		"no depth":            func(c *SyntheticConfig) { c.DepthLevels = 0 },
		"mid below depth":     func(c *SyntheticConfig) { c.Mid = decimal.New(5, -2) },
		"no quote interval":   func(c *SyntheticConfig) { c.QuoteInterval = 0 },
		"negative rate":       func(c *SyntheticConfig) { c.TradeRatePerSecond = -1 },
		"mean below a step":   func(c *SyntheticConfig) { c.MeanTradeSize = decimal.New(1, -6) },
		"negative volatility": func(c *SyntheticConfig) { c.VolatilityBpsPerSqrtSecond = -0.1 },
	} {
		cfg := DefaultSyntheticConfig()
		mutate(&cfg)
		if _, err := NewSynthetic(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSyntheticWithoutTradesOnlyQuotes(t *testing.T) {
	cfg := DefaultSyntheticConfig()
	cfg.TradeRatePerSecond, cfg.Duration = 0, time.Second
	src, err := NewSynthetic(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := collect(t, src)
	// Quotes at 0, 0.1, ..., 1.0 s: 11 intervals of a book event and a top of book.
	if len(events) != 22 || events[0].Kind != KindBookSnapshot {
		t.Fatalf("%d events, first %v; want 22 starting with the snapshot", len(events), events[0].Kind)
	}
	for _, ev := range events {
		if ev.Kind == KindTrade {
			t.Fatalf("trade %v with a zero rate", ev)
		}
	}
}
