package sdk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// exerciseConnector drives every RPC and the stream of a connector backed by fakeExchange, through whatever
// transport c uses. The expected numbers follow from the fake's rules: book 100/101, taker fee 0.1 %.
func exerciseConnector(t *testing.T, c Connector) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	info, err := c.Info(ctx)
	if err != nil || info.Name != "fake" || info.ProtocolVersion != ProtocolVersion || !info.Capabilities.LimitMaker {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	if err := c.Configure(ctx, []byte("{not json")); !errors.Is(err, &Error{Code: CodeInvalidRequest}) {
		t.Fatalf("Configure(bad json) = %v, want invalid request", err)
	}
	if err := c.Configure(ctx, []byte(`{}`)); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	rules, err := c.MarketRules(ctx, btcusdt)
	if err != nil || !rules.TickSize.Equal(dec("0.01")) || !rules.MakerFee.Equal(dec("-0.0001")) {
		t.Fatalf("MarketRules = %+v, %v", rules, err)
	}
	if _, err := c.MarketRules(ctx, market.Pair{Base: "ETH", Quote: "USDT"}); !errors.Is(err, &Error{Code: CodeUnknownMarket}) {
		t.Fatalf("MarketRules(ETH-USDT) = %v, want unknown market", err)
	}

	events, err := c.Subscribe(ctx, SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if _, err := c.Subscribe(ctx, SubscribeRequest{Market: market.Pair{Base: "X", Quote: "Y"}}); !errors.Is(err, &Error{Code: CodeUnknownMarket}) {
		t.Fatalf("Subscribe(X-Y) = %v, want unknown market", err)
	}
	first := <-events
	if _, ok := first.Payload.(BookTop); !ok || first.Seq != 1 {
		t.Fatalf("first event = %+v, want a book top with seq 1", first)
	}

	placed, err := c.PlaceOrders(ctx, []OrderRequest{
		{ClientOrderID: "b1", Market: btcusdt, Side: market.Buy, Type: LimitMaker, Price: dec("99.5"), Amount: dec("0.1")},
		{ClientOrderID: "b2", Market: btcusdt, Side: market.Buy, Type: Limit, Price: dec("99.555"), Amount: dec("0.1")},
		{ClientOrderID: "b3", Market: btcusdt, Side: market.Buy, Type: LimitMaker, Price: dec("101"), Amount: dec("0.1")},
		{ClientOrderID: "b4", Market: btcusdt, Side: market.Buy, Type: Limit, Price: dec("99"), Amount: dec("1000")},
		{ClientOrderID: "t1", Market: btcusdt, Side: market.Buy, Type: Limit, Price: dec("101"), Amount: dec("0.05")},
	})
	if err != nil {
		t.Fatalf("PlaceOrders: %v", err)
	}
	wantCodes := []ErrorCode{CodeUnspecified, CodeFilter, CodeWouldTake, CodeInsufficientBalance, CodeUnspecified}
	for i, r := range placed {
		got := CodeUnspecified
		if r.Err != nil {
			got = r.Err.Code
		}
		if got != wantCodes[i] {
			t.Errorf("order %s: code %v (%v), want %v", r.ClientOrderID, got, r.Err, wantCodes[i])
		}
	}
	if placed[4].Order.Status != StatusFilled {
		t.Errorf("crossing limit order status = %s, want filled", placed[4].Order.Status)
	}
	again, err := c.PlaceOrders(ctx, []OrderRequest{
		{ClientOrderID: "b1", Market: btcusdt, Side: market.Buy, Type: LimitMaker, Price: dec("99.5"), Amount: dec("0.1")},
	})
	if err != nil || !again[0].Duplicate || again[0].Order.ExchangeOrderID != placed[0].Order.ExchangeOrderID {
		t.Fatalf("re-placing b1 = %+v, %v; want the existing order flagged duplicate", again, err)
	}

	open, err := c.OpenOrders(ctx, btcusdt)
	if err != nil || len(open) != 1 || open[0].ClientOrderID != "b1" || !open[0].Price.Equal(dec("99.5")) {
		t.Fatalf("OpenOrders = %+v, %v", open, err)
	}
	balances, err := c.Balances(ctx)
	if err != nil {
		t.Fatalf("Balances: %v", err)
	}
	// USDT: 10000 − 0.05·101 − fee 0.00505 = 9994.94495 total; 9.95 locked by b1.
	wantBalances := map[string][2]string{"BTC": {"1.05", "1.05"}, "USDT": {"9994.94495", "9984.99495"}}
	for _, b := range balances {
		if w := wantBalances[b.Asset]; !b.Total.Equal(dec(w[0])) || !b.Available.Equal(dec(w[1])) {
			t.Errorf("balance %s = %s/%s, want %s/%s", b.Asset, b.Total, b.Available, w[0], w[1])
		}
	}

	canceled, err := c.CancelOrders(ctx, btcusdt, []string{"b1", "nope"})
	if err != nil || canceled[0].Order.Status != StatusCancelled || !errors.Is(canceled[1].Err, &Error{Code: CodeUnknownOrder}) {
		t.Fatalf("CancelOrders = %+v, %v", canceled, err)
	}
	if _, err := c.PlaceOrders(ctx, []OrderRequest{
		{ClientOrderID: "s1", Market: btcusdt, Side: market.Sell, Type: Limit, Price: dec("105"), Amount: dec("0.1")},
	}); err != nil {
		t.Fatal(err)
	}
	all, err := c.CancelAll(ctx, btcusdt)
	if err != nil || len(all) != 1 || all[0].ClientOrderID != "s1" || all[0].Status != StatusCancelled {
		t.Fatalf("CancelAll = %+v, %v", all, err)
	}

	page, err := c.TradesSince(ctx, btcusdt, "", 10)
	if err != nil || len(page.Fills) != 1 || page.More || page.NextCursor != "1" || !page.Fills[0].Fee.Equal(dec("0.00505")) {
		t.Fatalf("TradesSince = %+v, %v", page, err)
	}
	if page, err = c.TradesSince(ctx, btcusdt, page.NextCursor, 10); err != nil || len(page.Fills) != 0 {
		t.Fatalf("TradesSince(after last) = %+v, %v", page, err)
	}
	if _, err := c.TradesSince(ctx, btcusdt, "x", 0); !errors.Is(err, &Error{Code: CodeInvalidRequest}) {
		t.Fatalf("TradesSince(bad cursor) = %v", err)
	}

	// Private events arrive on the stream in order, numbered without holes.
	var sawFill bool
	want := uint64(2)
	for !sawFill {
		select {
		case ev := <-events:
			if ev.Seq != want {
				t.Fatalf("event %+v has seq %d, want %d", ev.Payload, ev.Seq, want)
			}
			want++
			if f, ok := ev.Payload.(FillEvent); ok {
				sawFill = f.Fill.ClientOrderID == "t1" && f.Fill.Price.Equal(dec("101"))
			}
		case <-ctx.Done():
			t.Fatal("no fill event on the stream")
		}
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}
