package paper

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// book100 is a book with a best bid of 100 (1 BTC) and a best ask of 101 (1 BTC).
func book100() []string { return []string{"100:1", "99:2"} }
func asks101() []string { return []string{"101:1", "102:2"} }

func TestRejectsLikeBinance(t *testing.T) {
	tests := []struct {
		name     string
		minSize  string
		req      sdk.OrderRequest
		wantCode sdk.ErrorCode
		wantMsg  string
	}{
		{"price off the tick", "", limit("a", market.Buy, "99.995", "1"), sdk.CodeFilter, "Filter failure: PRICE_FILTER"},
		{"amount off the step", "", limit("a", market.Buy, "99", "0.100001"), sdk.CodeFilter, "Filter failure: LOT_SIZE"},
		{"amount below min size", "0.1", limit("a", market.Buy, "99", "0.06"), sdk.CodeFilter, "Filter failure: LOT_SIZE"},
		{"notional below 5", "", limit("a", market.Buy, "99", "0.05"), sdk.CodeFilter, "Filter failure: NOTIONAL"},
		{"buy beyond the quote balance", "", limit("a", market.Buy, "100", "10000.00001"), sdk.CodeInsufficientBalance,
			"Account has insufficient balance for requested action."},
		{"sell beyond the base balance", "", limit("a", market.Sell, "110", "10.00001"), sdk.CodeInsufficientBalance,
			"Account has insufficient balance"},
		{"post-only buy at the best ask", "", maker("a", market.Buy, "101", "1"), sdk.CodeWouldTake,
			"Order would immediately match and take."},
		{"post-only sell through the best bid", "", maker("a", market.Sell, "99.5", "1"), sdk.CodeWouldTake,
			"Order would immediately match and take."},
		{"another market", "", sdk.OrderRequest{ClientOrderID: "a", Market: market.Pair{Base: "ETH", Quote: "USDT"},
			Side: market.Buy, Type: sdk.Limit, Price: d("99"), Amount: d("1")}, sdk.CodeUnknownMarket, "ETH-USDT"},
		{"no client id", "", limit("", market.Buy, "99", "1"), sdk.CodeInvalidRequest, "client order id"},
		{"bad side", "", limit("a", "hold", "99", "1"), sdk.CodeInvalidRequest, "side"},
		{"market order", "", sdk.OrderRequest{ClientOrderID: "a", Market: btcusdt, Side: market.Buy, Type: "market",
			Price: d("99"), Amount: d("1")}, sdk.CodeInvalidRequest, "order type"},
		{"zero price", "", limit("a", market.Buy, "0", "1"), sdk.CodeInvalidRequest, "price"},
		{"negative amount", "", limit("a", market.Buy, "99", "-1"), sdk.CodeInvalidRequest, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(snapshot(book100(), asks101()))
			if tt.minSize != "" {
				cfg.Rules.MinSize = d(tt.minSize)
			}
			e := newExchange(t, cfg)
			stepN(t, e, 1)
			res, err := e.PlaceOrders(ctx, []sdk.OrderRequest{tt.req})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Err == nil {
				t.Fatalf("accepted %+v, want %v", res[0].Order, tt.wantCode)
			}
			if res[0].Err.Code != tt.wantCode || !strings.Contains(res[0].Err.Message, tt.wantMsg) {
				t.Errorf("got %v, want %v containing %q", res[0].Err, tt.wantCode, tt.wantMsg)
			}
			if open, _ := e.OpenOrders(ctx, btcusdt); len(open) != 0 {
				t.Errorf("a rejected order is open: %+v", open)
			}
			wantBalance(t, e, "BTC", "10", "10")
			wantBalance(t, e, "USDT", "1000000", "1000000")
			// A rejected request created nothing, so the same id may be used again.
			if res := mustPlace(t, e, limit(tt.req.ClientOrderID+"x", market.Buy, "99", "1")); res[0].Duplicate {
				t.Error("duplicate after a reject")
			}
		})
	}
}

func TestCancelRejects(t *testing.T) {
	e := newExchange(t, testConfig(snapshot(book100(), asks101())))
	stepN(t, e, 1)
	res, err := e.CancelOrders(ctx, btcusdt, []string{"nope"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err == nil || res[0].Err.Code != sdk.CodeUnknownOrder || !strings.Contains(res[0].Err.Message, "Unknown order sent.") {
		t.Errorf("cancel of an unknown id: %v, want unknown order", res[0].Err)
	}
	_, err = e.CancelOrders(ctx, market.Pair{Base: "ETH", Quote: "BTC"}, []string{"nope"})
	if !errors.Is(err, &sdk.Error{Code: sdk.CodeUnknownMarket}) {
		t.Errorf("cancel on another market: %v, want unknown market", err)
	}
}

// A resting buy locks price × amount of quote, a sell its amount of base; fills move totals and release the
// lock of what filled; a cancel releases the rest. Buy fees are paid in base, sell fees in quote.
func TestLockedAndAvailable(t *testing.T) {
	e := newExchange(t, testConfig(
		snapshot(book100(), asks101()),
		trade(market.Sell, "98", "0.3"),   // through our bid at 99.5: fills 0.3 of it
		trade(market.Buy, "103.5", "0.2"), // through our ask at 103: fills 0.2 of it
	))
	stepN(t, e, 1)
	mustPlace(t, e, maker("b", market.Buy, "99.5", "1"), maker("s", market.Sell, "103", "2"))
	// Locks: 99.5 × 1 = 99.5 USDT, and 2 BTC.
	wantBalance(t, e, "USDT", "1000000", "999900.5")
	wantBalance(t, e, "BTC", "10", "8")

	// Insufficient counts what is locked: 10100.1 × 99 = 999909.9 > 999900.5 available (but < the total).
	res, _ := e.PlaceOrders(ctx, []sdk.OrderRequest{maker("big", market.Buy, "99", "10100.1")})
	if res[0].Err == nil || res[0].Err.Code != sdk.CodeInsufficientBalance {
		t.Errorf("order beyond available: %v, want insufficient balance", res[0].Err)
	}

	stepN(t, e, 2)
	// Buy 0.3 at 99.5: −29.85 USDT; +0.3 BTC − 0.0003 fee. Lock left 0.7 × 99.5 = 69.65.
	// Sell 0.2 at 103: −0.2 BTC from total and lock; +20.6 USDT − 0.0206 fee. Lock left 1.8 BTC.
	wantUSDT := d("1000000").Sub(d("29.85")).Add(d("20.6")).Sub(d("0.0206"))
	wantBTC := d("10").Add(d("0.3")).Sub(d("0.0003")).Sub(d("0.2"))
	wantBalance(t, e, "USDT", wantUSDT.String(), wantUSDT.Sub(d("69.65")).String())
	wantBalance(t, e, "BTC", wantBTC.String(), wantBTC.Sub(d("1.8")).String())

	res2, err := e.CancelOrders(ctx, btcusdt, []string{"b", "s"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res2 {
		if r.Err != nil || r.Order.Status != sdk.StatusCancelled {
			t.Errorf("cancel %s: %v %s", r.ClientOrderID, r.Err, r.Order.Status)
		}
	}
	wantBalance(t, e, "USDT", wantUSDT.String(), wantUSDT.String())
	wantBalance(t, e, "BTC", wantBTC.String(), wantBTC.String())
	// A second cancel of a finished order returns it as it is.
	again, _ := e.CancelOrders(ctx, btcusdt, []string{"b"})
	if again[0].Err != nil || again[0].Order.Status != sdk.StatusCancelled {
		t.Errorf("second cancel: %v %s", again[0].Err, again[0].Order.Status)
	}
}

// DESIGN.md §3: a client order id makes placing idempotent, whatever the order's state.
func TestClientOrderIDIsIdempotent(t *testing.T) {
	e := newExchange(t, testConfig(snapshot(book100(), asks101()), trade(market.Sell, "97", "5")))
	stepN(t, e, 1)
	first := mustPlace(t, e, maker("open", market.Buy, "99", "1"), maker("fills", market.Buy, "98", "1"),
		maker("cancelled", market.Buy, "97.5", "1"))
	if _, err := e.CancelOrders(ctx, btcusdt, []string{"cancelled"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CancelOrders(ctx, btcusdt, []string{"open"}); err != nil {
		t.Fatal(err)
	}
	// Re-place "open" after its cancel, and "fills" after the trade filled it.
	stepN(t, e, 1)
	for i, id := range []string{"open", "fills", "cancelled"} {
		res := mustPlace(t, e, maker(id, market.Sell, "150", "2"))[0]
		if !res.Duplicate || res.Order.ExchangeOrderID != first[i].Order.ExchangeOrderID || res.Order.Side != market.Buy {
			t.Errorf("%s: duplicate %t, order %+v; want the original order", id, res.Duplicate, res.Order)
		}
	}
	if st := orderState(t, e, "fills").Status; st != sdk.StatusFilled {
		t.Errorf("fills: %s", st)
	}
	// Nothing new was locked by the duplicates: all three are done, so everything is available.
	b := balanceOf(t, e, "BTC")
	if !b.Total.Equal(b.Available) {
		t.Errorf("BTC locked by a duplicate: %+v", b)
	}
}

// A plain limit order that crosses executes at once as taker against the book's depth, one fill per level at
// the level's price, and the remainder rests (exchanges.md "New order").
func TestCrossingLimitWalksTheBook(t *testing.T) {
	e := newExchange(t, testConfig(snapshot(book100(), []string{"101:0.3", "102:0.5", "103:1"})))
	stepN(t, e, 1)
	res := mustPlace(t, e, limit("x", market.Buy, "102.5", "1"))[0]
	if res.Order.Status != sdk.StatusPartiallyFilled || !res.Order.FilledAmount.Equal(d("0.8")) {
		t.Fatalf("order after the walk: %+v", res.Order)
	}
	// The feed has ended: Step hands out the events of the call, then io.EOF.
	evs, err := e.Step()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Step(); !errors.Is(err, io.EOF) {
		t.Fatalf("want io.EOF, got %v", err)
	}
	fills := fillsOf(evs)
	want := []string{
		"x buy 0.3@101 fee=0.0003 BTC maker=false",
		"x buy 0.5@102 fee=0.0005 BTC maker=false",
	}
	if len(fills) != len(want) {
		t.Fatalf("fills %v, want %v", fills, want)
	}
	for i := range want {
		if got := fillKey(fills[i]); got != want[i] {
			t.Errorf("fill %d: %s, want %s", i, got, want[i])
		}
	}
	// Quote: −30.3 −51 spent; the rest of the order (0.2 at 102.5 = 20.5) stays locked.
	wantBalance(t, e, "USDT", "999918.7", "999898.2")
	wantBalance(t, e, "BTC", "10.7992", "10.7992")
	// The remainder rests at 102.5, ahead of the book: no queue.
	if q := e.bids[0].queue; !q.IsZero() {
		t.Errorf("queue of the remainder %s, want 0", q)
	}
}

// A long run forgets its oldest orders beyond OrderRetention, but never an open one: the first order, resting far
// from the touch, stays known while every cancelled order before the newest ones is gone.
func TestRemembersOnlyTheNewestOrders(t *testing.T) {
	e := newExchange(t, testConfig(snapshot(book100(), asks101())))
	stepN(t, e, 1)
	mustPlace(t, e, limit("resting", market.Buy, "50", "0.1"))
	total := 2*OrderRetention + 5
	for i := range total {
		id := "c" + strconv.Itoa(i)
		mustPlace(t, e, limit(id, market.Buy, "90", "0.1"))
		res, err := e.CancelOrders(ctx, btcusdt, []string{id})
		if err != nil || res[0].Err != nil {
			t.Fatalf("cancel %s: %v %v", id, err, res[0].Err)
		}
	}
	// The exchange keeps the newest OrderRetention orders it placed, "resting" among them (it goes back to the
	// end of the queue whenever its turn comes, being open): "resting" and c(total−retention+1)…c(total−1).
	if got := orderState(t, e, "resting"); got.Status != sdk.StatusOpen {
		t.Fatalf("resting order: %s, want open", got.Status)
	}
	for _, i := range []int{total - OrderRetention + 1, total - 1} {
		if got := orderState(t, e, "c"+strconv.Itoa(i)); got.Status != sdk.StatusCancelled {
			t.Fatalf("c%d: %s, want cancelled", i, got.Status)
		}
	}
	for _, i := range []int{0, total - OrderRetention} {
		res, err := e.CancelOrders(ctx, btcusdt, []string{"c" + strconv.Itoa(i)})
		if err != nil || res[0].Err == nil || res[0].Err.Code != sdk.CodeUnknownOrder {
			t.Fatalf("c%d: cancel %v %+v, want unknown order", i, err, res[0])
		}
	}
	if len(e.orders) != OrderRetention {
		t.Fatalf("remembers %d orders, want %d", len(e.orders), OrderRetention)
	}
}
