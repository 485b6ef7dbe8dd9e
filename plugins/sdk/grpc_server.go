package sdk

import (
	"context"
	"fmt"

	"github.com/mmtoolkit/mm/market"
	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// The plugin-side adapters: they decode requests from the host, call the plugin author's Connector and encode
// its answers. A malformed request or a failing call becomes a domain Error in the response; gRPC status is
// left to the transport (reference/go.md §1.13).

type pluginServer struct {
	pb.UnimplementedPluginServiceServer
	impl Connector
}

func (s *pluginServer) Info(ctx context.Context, _ *pb.InfoRequest) (*pb.InfoResponse, error) {
	info, err := s.impl.Info(ctx)
	if err != nil {
		// Info has no error field: a plugin that cannot describe itself is broken, which is a transport matter.
		return nil, fmt.Errorf("info: %w", err)
	}
	info.ProtocolVersion = ProtocolVersion
	return infoToProto(info), nil
}

func (s *pluginServer) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	return &pb.ConfigureResponse{Error: errorToProto(asDomainError(s.impl.Configure(ctx, req.GetConfigJson())))}, nil
}

func (s *pluginServer) Shutdown(ctx context.Context, _ *pb.ShutdownRequest) (*pb.ShutdownResponse, error) {
	return &pb.ShutdownResponse{Error: errorToProto(asDomainError(s.impl.Shutdown(ctx)))}, nil
}

type connectorServer struct {
	pb.UnimplementedConnectorServiceServer
	impl Connector
}

// invalid turns a request decoding failure into the domain error the host sees.
func invalid(err error) *pb.Error {
	return errorToProto(&Error{Code: CodeInvalidRequest, Message: err.Error()})
}

// requestPair decodes the market of a request; the host always names one.
func requestPair(s string) (market.Pair, *pb.Error) {
	d := &decoder{}
	p := d.pair("market", s)
	if d.err != nil {
		return p, invalid(d.err)
	}
	return p, nil
}

func (s *connectorServer) MarketRules(ctx context.Context, req *pb.MarketRulesRequest) (*pb.MarketRulesResponse, error) {
	m, perr := requestPair(req.GetMarket())
	if perr != nil {
		return &pb.MarketRulesResponse{Error: perr}, nil
	}
	rules, err := s.impl.MarketRules(ctx, m)
	if err != nil {
		return &pb.MarketRulesResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	return rulesToProto(rules), nil
}

func (s *connectorServer) Balances(ctx context.Context, _ *pb.BalancesRequest) (*pb.BalancesResponse, error) {
	balances, err := s.impl.Balances(ctx)
	if err != nil {
		return &pb.BalancesResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	out := &pb.BalancesResponse{Balances: make([]*pb.Balance, len(balances))}
	for i, b := range balances {
		out.Balances[i] = balanceToProto(b)
	}
	return out, nil
}

func ordersToProto(orders []Order) []*pb.Order {
	out := make([]*pb.Order, len(orders))
	for i, o := range orders {
		out[i] = orderToProto(o)
	}
	return out
}

func (s *connectorServer) OpenOrders(ctx context.Context, req *pb.OpenOrdersRequest) (*pb.OpenOrdersResponse, error) {
	m, perr := requestPair(req.GetMarket())
	if perr != nil {
		return &pb.OpenOrdersResponse{Error: perr}, nil
	}
	orders, err := s.impl.OpenOrders(ctx, m)
	if err != nil {
		return &pb.OpenOrdersResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	return &pb.OpenOrdersResponse{Orders: ordersToProto(orders)}, nil
}

// PlaceOrders rejects malformed orders one by one and passes the well-formed rest to the plugin, so one bad
// order in a batch does not sink the others.
func (s *connectorServer) PlaceOrders(ctx context.Context, req *pb.PlaceOrdersRequest) (*pb.PlaceOrdersResponse, error) {
	results := make([]*pb.PlaceResult, len(req.GetOrders()))
	var valid []OrderRequest
	var validAt []int
	for i, o := range req.GetOrders() {
		d := &decoder{}
		r := orderRequestFromProto(d, fmt.Sprintf("orders[%d]", i), o)
		if d.err != nil {
			results[i] = &pb.PlaceResult{ClientOrderId: o.GetClientOrderId(), Error: invalid(d.err)}
			continue
		}
		valid, validAt = append(valid, r), append(validAt, i)
	}
	if len(valid) > 0 {
		placed, err := s.impl.PlaceOrders(ctx, valid)
		if err != nil {
			return &pb.PlaceOrdersResponse{Error: errorToProto(asDomainError(err))}, nil
		}
		if len(placed) != len(valid) {
			return &pb.PlaceOrdersResponse{Error: errorToProto(Errorf(CodeInternal,
				"plugin returned %d results for %d orders", len(placed), len(valid)))}, nil
		}
		for j, r := range placed {
			if r.ClientOrderID == "" {
				r.ClientOrderID = valid[j].ClientOrderID
			}
			results[validAt[j]] = placeResultToProto(r)
		}
	}
	return &pb.PlaceOrdersResponse{Results: results}, nil
}

func (s *connectorServer) CancelOrders(ctx context.Context, req *pb.CancelOrdersRequest) (*pb.CancelOrdersResponse, error) {
	m, perr := requestPair(req.GetMarket())
	if perr != nil {
		return &pb.CancelOrdersResponse{Error: perr}, nil
	}
	ids := req.GetClientOrderIds()
	canceled, err := s.impl.CancelOrders(ctx, m, ids)
	if err != nil {
		return &pb.CancelOrdersResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	if len(canceled) != len(ids) {
		return &pb.CancelOrdersResponse{Error: errorToProto(Errorf(CodeInternal,
			"plugin returned %d results for %d cancels", len(canceled), len(ids)))}, nil
	}
	out := &pb.CancelOrdersResponse{Results: make([]*pb.CancelResult, len(canceled))}
	for i, r := range canceled {
		if r.ClientOrderID == "" {
			r.ClientOrderID = ids[i]
		}
		out.Results[i] = cancelResultToProto(r)
	}
	return out, nil
}

func (s *connectorServer) CancelAll(ctx context.Context, req *pb.CancelAllRequest) (*pb.CancelAllResponse, error) {
	m, perr := requestPair(req.GetMarket())
	if perr != nil {
		return &pb.CancelAllResponse{Error: perr}, nil
	}
	canceled, err := s.impl.CancelAll(ctx, m)
	if err != nil {
		return &pb.CancelAllResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	return &pb.CancelAllResponse{Canceled: ordersToProto(canceled)}, nil
}

func (s *connectorServer) TradesSince(ctx context.Context, req *pb.TradesSinceRequest) (*pb.TradesSinceResponse, error) {
	m, perr := requestPair(req.GetMarket())
	if perr != nil {
		return &pb.TradesSinceResponse{Error: perr}, nil
	}
	page, err := s.impl.TradesSince(ctx, m, req.GetCursor(), int(req.GetLimit()))
	if err != nil {
		return &pb.TradesSinceResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	out := &pb.TradesSinceResponse{NextCursor: page.NextCursor, More: page.More, Fills: make([]*pb.Fill, len(page.Fills))}
	for i, f := range page.Fills {
		out.Fills[i] = fillToProto(f)
	}
	return out, nil
}
