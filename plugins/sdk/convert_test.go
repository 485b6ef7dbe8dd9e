package sdk

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sameValue compares SDK values with decimal.Equal semantics: "1.50" and "1.5" are the same price.
func sameValue(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(normalize(reflect.ValueOf(got)), normalize(reflect.ValueOf(want))) {
		t.Fatalf("round trip changed the value\n got: %+v\nwant: %+v", got, want)
	}
}

// normalize rewrites every decimal to its canonical string so DeepEqual ignores the exponent.
func normalize(v reflect.Value) any {
	if d, ok := v.Interface().(decimal.Decimal); ok {
		return d.String()
	}
	if tm, ok := v.Interface().(time.Time); ok {
		return tm.UnixNano()
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{"type": v.Type().String()}
		for i := range v.NumField() {
			out[v.Type().Field(i).Name] = normalize(v.Field(i))
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return normalize(v.Elem())
	}
	return v.Interface()
}

var (
	t0    = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)
	order = Order{
		ClientOrderID: "mm-1-b0", ExchangeOrderID: "42", Market: btcusdt, Side: market.Buy, Type: LimitMaker,
		Price: dec("60000.01"), Amount: dec("0.000123456789012345678901"), FilledAmount: dec("0"),
		Status: StatusPartiallyFilled, Created: t0, Updated: t0.Add(time.Second),
	}
	fill = Fill{
		TradeID: "t1", ClientOrderID: "mm-1-b0", ExchangeOrderID: "42", Market: btcusdt, Side: market.Sell,
		Price: dec("123456789012345678.123456789"), Amount: dec("1e-8"), Fee: dec("-0.00000001"), FeeAsset: "USDT",
		Maker: true, Time: t0,
	}
)

func TestRoundTripIsExact(t *testing.T) {
	roundTrip := map[string]struct{ in any }{
		"market rules with a maker rebate": {
			in: MarketRules{Market: btcusdt, TickSize: dec("0.01"), StepSize: dec("0.00001"), MinSize: dec("0.00001"),
				MinNotional: dec("5"), MakerFee: dec("-0.0001"), TakerFee: dec("0.001")},
		},
		"balance": {in: Balance{Asset: "BTC", Total: dec("1.00000001"), Available: dec("0.5")}},
		"order request": {in: OrderRequest{ClientOrderID: "c1", Market: btcusdt, Side: market.Sell, Type: Limit,
			Price: dec("0.1"), Amount: dec("3")}},
		"order with 24 decimals": {in: order},
		"place result duplicate": {in: PlaceResult{ClientOrderID: "mm-1-b0", Order: order, Duplicate: true}},
		"place result rejected":  {in: PlaceResult{ClientOrderID: "x", Err: Errorf(CodeFilter, "tick")}},
		"cancel result":          {in: CancelResult{ClientOrderID: "mm-1-b0", Order: order}},
		"cancel result unknown":  {in: CancelResult{ClientOrderID: "y", Err: Errorf(CodeUnknownOrder, "y")}},
		"fill with huge price":   {in: fill},
	}
	for name, tc := range roundTrip {
		t.Run(name, func(t *testing.T) {
			d := &decoder{}
			var got any
			switch v := tc.in.(type) {
			case MarketRules:
				got = rulesFromProto(d, rulesToProto(v))
			case Balance:
				got = balanceFromProto(d, "b", balanceToProto(v))
			case OrderRequest:
				got = orderRequestFromProto(d, "r", orderRequestToProto(v))
			case Order:
				got = orderFromProto(d, "o", orderToProto(v))
			case PlaceResult:
				got = placeResultFromProto(d, "p", placeResultToProto(v))
			case CancelResult:
				got = cancelResultFromProto(d, "c", cancelResultToProto(v))
			case Fill:
				got = fillFromProto(d, "f", fillToProto(v))
			}
			if d.err != nil {
				t.Fatal(d.err)
			}
			sameValue(t, got, tc.in)
		})
	}
}

func TestEventPayloadsRoundTrip(t *testing.T) {
	payloads := []Payload{
		BookTop{Market: btcusdt, BidPrice: dec("100.5"), BidAmount: dec("2"), AskPrice: dec("100.6"), AskAmount: dec("0.1"), UpdateID: 9},
		BookTop{Market: btcusdt, AskPrice: dec("100.6"), AskAmount: dec("0.1")}, // empty bid side
		BookDepth{Market: btcusdt, Bids: []Level{{dec("100"), dec("1")}, {dec("99.99"), dec("2")}},
			Asks: []Level{{dec("101"), dec("3")}}, UpdateID: 10},
		PublicTrade{Market: btcusdt, TradeID: "p1", Price: dec("100.5"), Amount: dec("0.25"), TakerSide: market.Sell},
		OrderUpdate{Order: order},
		FillEvent{Fill: fill},
		BalanceUpdate{Balance: Balance{Asset: "USDT", Total: dec("10"), Available: dec("9.99")}},
		Resync{Reason: "websocket reconnected"},
		EndOfData{},
	}
	for _, p := range payloads {
		t.Run(reflect.TypeOf(p).Name(), func(t *testing.T) {
			pe, err := eventToProto(7, Event{Time: t0, Payload: p})
			if err != nil {
				t.Fatal(err)
			}
			d := &decoder{}
			got := eventFromProto(d, "e", pe)
			if d.err != nil {
				t.Fatal(d.err)
			}
			sameValue(t, got, Event{Seq: 7, Time: t0, Payload: p})
		})
	}
}

func TestHostOnlyPayloadsAreNotSent(t *testing.T) {
	for _, p := range []Payload{Gap{1, 3}, StreamError{Err: errors.New("x")}, nil} {
		if _, err := eventToProto(1, Event{Payload: p}); err == nil {
			t.Errorf("eventToProto(%T) succeeded, want an error", p)
		}
	}
}

// Every malformed field from the wire is rejected with an error that names it by path.
func TestMalformedWireValuesNameTheField(t *testing.T) {
	good := func() *pb.Order { return orderToProto(order) }
	tests := []struct {
		name   string
		mutate func(o *pb.Order)
		want   string
	}{
		{"malformed price", func(o *pb.Order) { o.Price = "60,000.01" }, `o.price: malformed decimal "60,000.01"`},
		{"NaN", func(o *pb.Order) { o.Amount = "NaN" }, `o.amount: malformed decimal "NaN"`},
		{"missing filled amount", func(o *pb.Order) { o.FilledAmount = "" }, "o.filled_amount: missing decimal"},
		{"negative amount", func(o *pb.Order) { o.Amount = "-1" }, "o.amount: negative value -1"},
		{"unknown side", func(o *pb.Order) { o.Side = pb.Side_SIDE_UNSPECIFIED }, "o.side: want buy or sell"},
		{"unknown type", func(o *pb.Order) { o.Type = 99 }, "o.type: want limit or limit_maker"},
		{"unknown status", func(o *pb.Order) { o.Status = 0 }, "o.status: unknown order status"},
		{"bad market", func(o *pb.Order) { o.Market = "BTCUSDT" }, "o.market: market \"BTCUSDT\": want BASE-QUOTE"},
		{"spaces", func(o *pb.Order) { o.Price = " 1" }, `o.price: malformed decimal " 1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good()
			tc.mutate(o)
			d := &decoder{}
			orderFromProto(d, "o", o)
			if d.err == nil || !strings.Contains(d.err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", d.err, tc.want)
			}
		})
	}
}

func TestMalformedEventsNameTheField(t *testing.T) {
	tests := []struct {
		name string
		ev   *pb.Event
		want string
	}{
		{"book top with half a side", &pb.Event{Payload: &pb.Event_BookTop{BookTop: &pb.BookTop{Market: "BTC-USDT", BidPrice: "1"}}},
			"e.book_top.bid_amount: missing decimal"},
		{"depth level", &pb.Event{Payload: &pb.Event_BookDepth{BookDepth: &pb.BookDepth{Market: "BTC-USDT",
			Asks: []*pb.Level{{Price: "1", Amount: "1"}, {Price: "x", Amount: "1"}}}}}, `e.book_depth.asks[1].price: malformed decimal "x"`},
		{"fill fee", &pb.Event{Payload: &pb.Event_Fill{Fill: &pb.Fill{TradeId: "t", Market: "BTC-USDT", Side: pb.Side_SIDE_BUY,
			Price: "1", Amount: "1", Fee: "1..0"}}}, `e.fill.fee: malformed decimal "1..0"`},
		{"fill without trade id", &pb.Event{Payload: &pb.Event_Fill{Fill: &pb.Fill{}}}, "e.fill.trade_id: missing"},
		{"order update without order", &pb.Event{Payload: &pb.Event_OrderUpdate{OrderUpdate: &pb.OrderUpdate{}}}, "e.order_update.order: missing"},
		{"no payload", &pb.Event{Seq: 1}, "e.payload: missing or unknown payload"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &decoder{}
			eventFromProto(d, "e", tc.ev)
			if d.err == nil || !strings.Contains(d.err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", d.err, tc.want)
			}
		})
	}
}

func TestDomainErrors(t *testing.T) {
	if got := asDomainError(errors.New("boom")); got.Code != CodeInternal || got.Message != "boom" {
		t.Errorf("plain error became %+v, want internal with its text", got)
	}
	wrapped := asDomainError(errors.Join(errors.New("ctx"), Errorf(CodeFilter, "tick 0.01")))
	if wrapped.Code != CodeFilter {
		t.Errorf("wrapped filter error became %v", wrapped.Code)
	}
	e := errorFromProto(errorToProto(Errorf(CodeInsufficientBalance, "need 5 USDT")))
	if !errors.Is(e, &Error{Code: CodeInsufficientBalance}) || e.Error() != "insufficient balance: need 5 USDT" {
		t.Errorf("round-tripped error = %q", e)
	}
}

// Each status has its own wire value and comes back as itself; "cancelled" (the journal's spelling) travels as
// the proto's ORDER_STATUS_CANCELED.
func TestEveryOrderStatusCrossesTheWire(t *testing.T) {
	wire := map[OrderStatus]pb.OrderStatus{
		StatusOpen:            pb.OrderStatus_ORDER_STATUS_OPEN,
		StatusPartiallyFilled: pb.OrderStatus_ORDER_STATUS_PARTIALLY_FILLED,
		StatusFilled:          pb.OrderStatus_ORDER_STATUS_FILLED,
		StatusCancelled:       pb.OrderStatus_ORDER_STATUS_CANCELED,
		StatusRejected:        pb.OrderStatus_ORDER_STATUS_REJECTED,
		StatusExpired:         pb.OrderStatus_ORDER_STATUS_EXPIRED,
	}
	for status, want := range wire {
		o := order
		o.Status = status
		p := orderToProto(o)
		if p.GetStatus() != want {
			t.Errorf("%q went out as %v, want %v", status, p.GetStatus(), want)
		}
		d := &decoder{}
		if back := orderFromProto(d, "o", p); d.err != nil || back.Status != status {
			t.Errorf("%q came back as %q (%v)", status, back.Status, d.err)
		}
	}
	if got := orderToProto(Order{Status: "canceled"}).GetStatus(); got != pb.OrderStatus_ORDER_STATUS_UNSPECIFIED {
		t.Errorf("the American spelling went out as %v, want UNSPECIFIED (rejected by the host)", got)
	}
}
