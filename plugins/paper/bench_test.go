package paper

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
)

// benchReplay steps a source to its end with three bids and three asks resting near the touch from the
// first trade on, and reports feed messages per second (issue 3's target for the capture: ≥ 300,000/s).
func benchReplay(b *testing.B, open func() feed.Source) {
	var messages int
	for b.Loop() {
		cfg := testConfig()
		cfg.Source = open()
		e := newExchange(b, cfg)
		placed := false
		for {
			evs, err := e.Step()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			messages++
			if !placed {
				if top := e.lastTop; top.bid.Sign() > 0 && top.ask.Sign() > 0 && len(evs) > 0 {
					placed = true
					for i, off := range []string{"0.5", "2", "10"} {
						mustPlace(b, e, maker("b"+string(rune('1'+i)), market.Buy, top.bid.Sub(d(off)).String(), "0.2"),
							maker("a"+string(rune('1'+i)), market.Sell, top.ask.Add(d(off)).String(), "0.2"))
					}
				}
			}
		}
		if err := e.Shutdown(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(messages)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkReplayCapture replays the spot 20240808 capture (gzip, JSON parsing and book building included).
func BenchmarkReplayCapture(b *testing.B) {
	path := spotCapture(b)
	benchReplay(b, func() feed.Source {
		src, err := feed.OpenCapture(path)
		if err != nil {
			b.Fatal(err)
		}
		return src
	})
}

// BenchmarkReplaySynthetic replays ten simulated minutes of feed.NewSynthetic's default market.
func BenchmarkReplaySynthetic(b *testing.B) {
	sc := feed.DefaultSyntheticConfig()
	sc.Duration = 10 * time.Minute
	benchReplay(b, func() feed.Source {
		src, err := feed.NewSynthetic(sc)
		if err != nil {
			b.Fatal(err)
		}
		return src
	})
}

// BenchmarkStepEngine replays a prepared in-memory market, so it measures the engine alone, without parsing.
func BenchmarkStepEngine(b *testing.B) {
	events := randomMarket(1, 100_000)
	benchReplay(b, func() feed.Source { return &sliceSource{events: events} })
}
