package sdk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// inProcess serves impl through go-plugin's in-process gRPC test helper: real gRPC and the real adapters,
// no subprocess (go-plugin's own server_test.go technique, reference/go.md §5.3).
func inProcess(t *testing.T, impl Connector) Connector {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{PluginName: &ConnectorPlugin{Impl: impl}})
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(Connector)
}

func TestEveryRPCInProcess(t *testing.T) {
	exerciseConnector(t, inProcess(t, newFakeExchange()))
}

// rogueServer speaks the protocol by hand, the way a plugin written without this SDK (or a buggy one) could.
type rogueServer struct {
	pb.UnimplementedConnectorServiceServer
	seqs   []uint64
	events func(seq uint64) *pb.Event
	rules  *pb.MarketRulesResponse
	place  *pb.PlaceOrdersResponse
	closes bool // the stream ends after its events instead of waiting for the host
}

func (r *rogueServer) Subscribe(_ *pb.SubscribeRequest, s pb.ConnectorService_SubscribeServer) error {
	if err := s.Send(&pb.SubscribeResponse{}); err != nil {
		return err
	}
	for _, seq := range r.seqs {
		if err := s.Send(&pb.SubscribeResponse{Events: []*pb.Event{r.events(seq)}}); err != nil {
			return err
		}
	}
	if r.closes {
		return nil
	}
	<-s.Context().Done()
	return nil
}

func (r *rogueServer) MarketRules(context.Context, *pb.MarketRulesRequest) (*pb.MarketRulesResponse, error) {
	return r.rules, nil
}

func (r *rogueServer) PlaceOrders(context.Context, *pb.PlaceOrdersRequest) (*pb.PlaceOrdersResponse, error) {
	return r.place, nil
}

func rogue(t *testing.T, srv *rogueServer) Connector {
	t.Helper()
	conn, _ := plugin.TestGRPCConn(t, func(s *grpc.Server) { pb.RegisterConnectorServiceServer(s, srv) })
	t.Cleanup(func() { conn.Close() })
	return newGRPCClient(conn)
}

func topEvent(seq uint64) *pb.Event {
	return &pb.Event{Seq: seq, Payload: &pb.Event_BookTop{BookTop: &pb.BookTop{Market: "BTC-USDT", BidPrice: "1", BidAmount: "1"}}}
}

func collect(t *testing.T, events <-chan Event) []Event {
	t.Helper()
	var out []Event
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return out
			}
			out = append(out, ev)
			if _, end := ev.Payload.(StreamError); end {
				return out
			}
		case <-timeout:
			return out
		}
	}
}

func TestSequenceGapBecomesAGapEvent(t *testing.T) {
	c := rogue(t, &rogueServer{seqs: []uint64{1, 2, 5, 6, 6}, events: topEvent})
	events, err := c.Subscribe(t.Context(), SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, events)
	var kinds []string
	for _, ev := range got {
		switch p := ev.Payload.(type) {
		case BookTop:
			kinds = append(kinds, "top")
		case Gap:
			if p.Expected != 3 || p.Got != 5 {
				t.Errorf("gap = %+v, want expected 3, got 5", p)
			}
			kinds = append(kinds, "gap")
		case StreamError:
			if !errors.Is(p.Err, ErrProtocol) || !strings.Contains(p.Err.Error(), "sequence went from 6 to 6") {
				t.Errorf("stream error = %v, want a protocol violation about the repeated sequence", p.Err)
			}
			kinds = append(kinds, "error")
		}
	}
	if strings.Join(kinds, ",") != "top,top,gap,top,top,error" {
		t.Fatalf("events = %s, want top,top,gap,top,top,error", strings.Join(kinds, ","))
	}
}

// A stream that ends with EndOfData ended normally (a replay's data ran out); one that just closes did not.
func TestOnlyEndOfDataEndsAStreamNormally(t *testing.T) {
	endAt3 := func(seq uint64) *pb.Event {
		if seq == 3 {
			return &pb.Event{Seq: seq, Payload: &pb.Event_EndOfData{EndOfData: &pb.EndOfData{}}}
		}
		return topEvent(seq)
	}
	for _, tt := range []struct {
		name   string
		events func(uint64) *pb.Event
		want   string
	}{
		{"end of data", endAt3, "top,top,end"},
		{"closed", topEvent, "top,top,top,error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := rogue(t, &rogueServer{seqs: []uint64{1, 2, 3}, events: tt.events, closes: true})
			events, err := c.Subscribe(t.Context(), SubscribeRequest{Market: btcusdt})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, ev := range collect(t, events) {
				switch p := ev.Payload.(type) {
				case BookTop:
					kinds = append(kinds, "top")
				case EndOfData:
					kinds = append(kinds, "end")
				case StreamError:
					if !errors.Is(p.Err, ErrStreamClosed) {
						t.Errorf("stream error %v, want ErrStreamClosed", p.Err)
					}
					kinds = append(kinds, "error")
				}
			}
			if got := strings.Join(kinds, ","); got != tt.want {
				t.Fatalf("events %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMalformedStreamEventEndsTheStream(t *testing.T) {
	bad := func(seq uint64) *pb.Event {
		return &pb.Event{Seq: seq, Payload: &pb.Event_PublicTrade{PublicTrade: &pb.PublicTrade{
			Market: "BTC-USDT", Price: "1e", Amount: "1", TakerSide: pb.Side_SIDE_BUY}}}
	}
	events, err := rogue(t, &rogueServer{seqs: []uint64{1}, events: bad}).Subscribe(t.Context(), SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, events)
	se, ok := got[len(got)-1].Payload.(StreamError)
	if len(got) != 1 || !ok || !errors.Is(se.Err, ErrProtocol) || !strings.Contains(se.Err.Error(), `public_trade.price: malformed decimal "1e"`) {
		t.Fatalf("events = %+v, want one StreamError naming public_trade.price", got)
	}
}

func TestMalformedResponsesAreProtocolErrors(t *testing.T) {
	c := rogue(t, &rogueServer{
		rules: &pb.MarketRulesResponse{Market: "BTC-USDT", TickSize: "0.01", StepSize: "abc", MinSize: "0",
			MinNotional: "5", MakerFee: "0", TakerFee: "0"},
		place: &pb.PlaceOrdersResponse{Results: []*pb.PlaceResult{{ClientOrderId: "other", Order: orderToProto(order)}}},
	})
	_, err := c.MarketRules(t.Context(), btcusdt)
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), `market rules: plugin protocol violation: step_size: malformed decimal "abc"`) {
		t.Errorf("MarketRules error = %v", err)
	}
	_, err = c.PlaceOrders(t.Context(), []OrderRequest{{ClientOrderID: "mine"}})
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), `results[0].client_order_id: got "other", want "mine"`) {
		t.Errorf("PlaceOrders error = %v", err)
	}
	_, err = c.PlaceOrders(t.Context(), []OrderRequest{{ClientOrderID: "a"}, {ClientOrderID: "b"}})
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "1 results for 2 orders") {
		t.Errorf("PlaceOrders count error = %v", err)
	}
}

// The plugin side rejects a malformed order alone and still places the rest of the batch.
func TestMalformedOrderInBatchIsRejectedAlone(t *testing.T) {
	srv := &connectorServer{impl: newFakeExchange()}
	good := orderRequestToProto(OrderRequest{ClientOrderID: "ok", Market: btcusdt, Side: "buy", Type: Limit,
		Price: dec("99"), Amount: dec("0.1")})
	resp, err := srv.PlaceOrders(t.Context(), &pb.PlaceOrdersRequest{Orders: []*pb.OrderRequest{
		{ClientOrderId: "bad", Market: "BTC-USDT", Side: pb.Side_SIDE_BUY, Type: pb.OrderType_ORDER_TYPE_LIMIT, Price: "99..", Amount: "1"},
		good,
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.GetResults()
	if r[0].GetError().GetCode() != pb.ErrorCode_ERROR_CODE_INVALID_REQUEST ||
		!strings.Contains(r[0].GetError().GetMessage(), `orders[0].price: malformed decimal "99.."`) {
		t.Errorf("bad order result = %v", r[0])
	}
	if r[1].GetError() != nil || r[1].GetOrder().GetStatus() != pb.OrderStatus_ORDER_STATUS_OPEN {
		t.Errorf("good order result = %v", r[1])
	}
}

func TestCancelledSubscriptionClosesQuietly(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	events, err := inProcess(t, newFakeExchange()).Subscribe(ctx, SubscribeRequest{Market: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	<-events
	cancel()
	for ev := range events {
		if _, bad := ev.Payload.(StreamError); bad {
			t.Fatalf("cancelled stream reported %v", ev.Payload)
		}
	}
}
