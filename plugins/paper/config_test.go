package paper

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func TestConfigValidationNamesTheFields(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Rules.TickSize = d("0")
	cfg.Rules.MakerFee = d("1.5")
	cfg.FillModel = "psychic"
	cfg.OrderLatency = -time.Second
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, field := range []string{"tick_size", "maker_fee_pct", "fill_model", "order_latency", "feed"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %s: %v", field, err)
		}
	}
}

// mm's connector.paper section: percent fields in percent (Hummingbot's unit), decimals exact whether they
// arrive as JSON strings or numbers, unknown keys refused.
func TestParseConfigJSON(t *testing.T) {
	path := spotCapture(t)
	cfg, err := ParseConfigJSON([]byte(`{"market": "eth-usdt",
		"feed": {"kind": "binance-capture", "path": "` + path + `"},
		"balances": {"eth": 1.10000000000000000001, "USDT": "250.5"},
		"fill_model": "optimistic", "maker_fee_pct": 0.075, "taker_fee_pct": "0.1",
		"tick_size": 0.01, "min_notional": 10, "order_latency": "40ms", "pace": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	defer closeSource(cfg.Source)
	if cfg.Market != (market.Pair{Base: "ETH", Quote: "USDT"}) || cfg.FillModel != Optimistic ||
		cfg.OrderLatency != 40*time.Millisecond || cfg.Pace != 2 {
		t.Errorf("config %+v", cfg)
	}
	for name, got := range map[string]string{
		"maker fee": cfg.Rules.MakerFee.String(), "taker fee": cfg.Rules.TakerFee.String(),
		"ETH": cfg.Balances["ETH"].String(), "USDT": cfg.Balances["USDT"].String(),
		"min notional": cfg.Rules.MinNotional.String(), "step (default)": cfg.Rules.StepSize.String(),
	} {
		want := map[string]string{"maker fee": "0.00075", "taker fee": "0.001", "ETH": "1.10000000000000000001",
			"USDT": "250.5", "min notional": "10", "step (default)": "0.00001"}[name]
		if got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}

	for _, bad := range []struct{ json, want string }{
		{`{"feed": {"kind": "binance-capture", "path": "` + path + `"}, "maker_fee": 0.1}`, `unknown field "maker_fee"`},
		{`{"feed": {"kind": "binance-capture", "path": "` + path + `"}, "taker_fee_pct": null}`, "null"},
		{`{"feed": {"kind": "binance-capture", "path": "` + path + `"}, "fill_model": "psychic"}`, "fill_model"},
		{`{"feed": {"kind": "tape"}}`, `kind "tape"`},
		{`{"feed": {"kind": "binance-capture", "path": "/nonexistent.gz"}}`, "nonexistent"},
		{`{"feed": {"kind": "binance-capture", "path": "` + path + `", "seed": 3}}`, "seed"},
		{`{"feed": {"seed": -1}}`, "seed -1"},
		{`{"feed": {"kind": "binance-capture", "path": "` + path + `"}, "order_latency": "soon"}`, "order_latency"},
	} {
		if _, err := ParseConfigJSON([]byte(bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one mentioning %q", bad.json, err, bad.want)
		}
	}
}

// mm-plugin-paper serves an Unconfigured exchange; Configure makes it usable, Shutdown ends that.
func TestConfigureAndShutdown(t *testing.T) {
	e := Unconfigured()
	if info, err := e.Info(ctx); err != nil || info.Name != "paper" || !info.Capabilities.LimitMaker {
		t.Errorf("info %+v %v", info, err)
	}
	if _, err := e.Balances(ctx); err == nil {
		t.Error("balances before Configure")
	}
	err := e.Configure(ctx, []byte(`{"feed": {"kind": "binance-capture", "path": "`+spotCapture(t)+`"},
		"balances": {"USDT": 1000}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Describe(), "fill model: conservative — trade-through or queue-depleted at price, "+
		"partial fills up to trade size, touch never fills") {
		t.Errorf("describe: %s", e.Describe())
	}
	wantBalance(t, e, "USDT", "1000", "1000")
	wantBalance(t, e, "BTC", "0", "0")
	if err := e.Configure(ctx, []byte(`{"feed": {"kind": "binance-trades"}}`)); err == nil {
		t.Error("a trades feed without a path was accepted")
	}
	// No feed kind: the seeded synthetic market, the default that needs no files (DESIGN.md §5).
	if err := e.Configure(ctx, []byte(`{"feed": {"seed": 9, "duration": "2s"}, "balances": {"USDT": 1000}}`)); err != nil {
		t.Fatal(err)
	}
	if evs := stepAll(t, e); len(evs) == 0 {
		t.Error("the synthetic market produced nothing")
	}
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Step(); err == nil {
		t.Error("step after Shutdown")
	}
}

// Subscribe delivers the events of Step and of calls on one channel, numbered from 1 without gaps, and
// closes it at the end of the feed; calls from other goroutines meanwhile are safe (run with -race).
func TestSubscribeStreamsUntilTheEnd(t *testing.T) {
	e := newExchange(t, testConfig(randomMarket(7, 3000)...))
	if _, err := e.Subscribe(ctx, sdk.SubscribeRequest{Market: market.Pair{Base: "X", Quote: "Y"}}); err == nil {
		t.Error("subscribed to another market")
	}
	events, err := e.Subscribe(ctx, sdk.SubscribeRequest{Market: btcusdt, PublicTrades: true, DepthLevels: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Subscribe(ctx, sdk.SubscribeRequest{Market: btcusdt}); err == nil {
		t.Error("a second stream was opened")
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 20 {
			side, price := market.Buy, "59999.90"
			if i%2 == 1 {
				side, price = market.Sell, "60000.10"
			}
			if _, err := e.PlaceOrders(ctx, []sdk.OrderRequest{limit("c"+string(rune('a'+i)), side, price, "0.01")}); err != nil {
				t.Error(err)
			}
			_, _ = e.Balances(ctx)
			_, _ = e.OpenOrders(ctx, btcusdt)
		}
	})
	// The market has far more events than the stream's buffer, so the stream stalls until we read on: wait for
	// the orders first, so they go in while the feed is still running (they would race the end of the feed).
	first, ok := <-events
	if !ok {
		t.Fatal("stream closed at once")
	}
	wg.Wait()
	seq := uint64(1)
	if first.Seq != 1 {
		t.Fatalf("first seq %d, want 1", first.Seq)
	}
	kinds := map[string]int{}
	var last sdk.Event
	for ev := range events {
		last = ev
		seq++
		if ev.Seq != seq {
			t.Fatalf("seq %d, want %d", ev.Seq, seq)
		}
		switch ev.Payload.(type) {
		case sdk.PublicTrade:
			kinds["trade"]++
		case sdk.BookTop:
			kinds["top"]++
		case sdk.BookDepth:
			kinds["depth"]++
		case sdk.OrderUpdate:
			kinds["order"]++
		}
	}
	if kinds["trade"] == 0 || kinds["top"] == 0 || kinds["depth"] == 0 || kinds["order"] < 20 {
		t.Errorf("event kinds %v", kinds)
	}
	if _, end := last.Payload.(sdk.EndOfData); !end {
		t.Errorf("last event %T, want EndOfData: the feed ended cleanly", last.Payload)
	}
	if e.Err() != nil {
		t.Errorf("feed error %v", e.Err())
	}
	// The stream has ended, so a new one may start (and ends at once: the feed is over).
	again, err := e.Subscribe(ctx, sdk.SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	for range again {
	}
}

// Pace 1 replays in real time: 3 events 40 ms apart take about 80 ms.
func TestSubscribePacesInRealTime(t *testing.T) {
	cfg := testConfig(
		at(snapshot([]string{"100:1"}, []string{"101:1"}), 0),
		at(trade(market.Sell, "100", "1"), 40*time.Millisecond),
		at(trade(market.Sell, "100", "1"), 80*time.Millisecond),
	)
	cfg.Pace = 1
	e := newExchange(t, cfg)
	start := time.Now()
	events, err := e.Subscribe(ctx, sdk.SubscribeRequest{Market: btcusdt, PublicTrades: true})
	if err != nil {
		t.Fatal(err)
	}
	for range events {
	}
	if elapsed := time.Since(start); elapsed < 75*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("paced replay took %s, want about 80ms", elapsed)
	}
}
