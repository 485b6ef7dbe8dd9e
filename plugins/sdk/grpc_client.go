package sdk

import (
	"context"
	"fmt"

	"google.golang.org/grpc"

	"github.com/mmtoolkit/mm/market"
	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// grpcClient is the host side: it implements Connector by calling the plugin, and validates every answer as
// outside input before mm acts on it (DESIGN.md §9).
type grpcClient struct {
	base      pb.PluginServiceClient
	connector pb.ConnectorServiceClient
	lockstep  lockstepStream
}

var _ Connector = (*grpcClient)(nil)

func newGRPCClient(c *grpc.ClientConn) *grpcClient {
	return &grpcClient{base: pb.NewPluginServiceClient(c), connector: pb.NewConnectorServiceClient(c)}
}

// callErr classifies a failed call. If the caller's context ended, that is the cause (a timed-out place is
// "unknown" and resolved by client id, DESIGN.md §3); anything else is the plugin or the connection failing.
func callErr(ctx context.Context, method string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", method, context.Cause(ctx))
	}
	return fmt.Errorf("%s: %w: %w", method, ErrUnreachable, err)
}

// answer turns a response's domain error or a decoding failure into the caller's error.
func answer(method string, domain *pb.Error, d *decoder) error {
	if e := errorFromProto(domain); e != nil {
		return fmt.Errorf("%s: %w", method, e)
	}
	if d != nil && d.err != nil {
		return fmt.Errorf("%s: %w: %w", method, ErrProtocol, d.err)
	}
	return nil
}

func (c *grpcClient) Info(ctx context.Context) (PluginInfo, error) {
	resp, err := c.base.Info(ctx, &pb.InfoRequest{})
	if err != nil {
		return PluginInfo{}, callErr(ctx, "info", err)
	}
	return infoFromProto(resp), nil
}

func (c *grpcClient) Configure(ctx context.Context, configJSON []byte) error {
	resp, err := c.base.Configure(ctx, &pb.ConfigureRequest{ConfigJson: configJSON})
	if err != nil {
		return callErr(ctx, "configure", err)
	}
	return answer("configure", resp.GetError(), nil)
}

func (c *grpcClient) Shutdown(ctx context.Context) error {
	resp, err := c.base.Shutdown(ctx, &pb.ShutdownRequest{})
	if err != nil {
		return callErr(ctx, "shutdown", err)
	}
	return answer("shutdown", resp.GetError(), nil)
}

func (c *grpcClient) MarketRules(ctx context.Context, m market.Pair) (MarketRules, error) {
	resp, err := c.connector.MarketRules(ctx, &pb.MarketRulesRequest{Market: pairToProto(m)})
	if err != nil {
		return MarketRules{}, callErr(ctx, "market rules", err)
	}
	if err := answer("market rules", resp.GetError(), nil); err != nil {
		return MarketRules{}, err
	}
	d := &decoder{}
	rules := rulesFromProto(d, resp)
	return rules, answer("market rules", nil, d)
}

func (c *grpcClient) Balances(ctx context.Context) ([]Balance, error) {
	resp, err := c.connector.Balances(ctx, &pb.BalancesRequest{})
	if err != nil {
		return nil, callErr(ctx, "balances", err)
	}
	return balancesFromResponse(resp)
}

func balancesFromResponse(resp *pb.BalancesResponse) ([]Balance, error) {
	if err := answer("balances", resp.GetError(), nil); err != nil {
		return nil, err
	}
	d := &decoder{}
	out := make([]Balance, len(resp.GetBalances()))
	for i, b := range resp.GetBalances() {
		out[i] = balanceFromProto(d, fmt.Sprintf("balances[%d]", i), b)
	}
	return out, answer("balances", nil, d)
}

func ordersFromProto(d *decoder, path string, orders []*pb.Order) []Order {
	out := make([]Order, len(orders))
	for i, o := range orders {
		out[i] = orderFromProto(d, fmt.Sprintf("%s[%d]", path, i), o)
	}
	return out
}

func (c *grpcClient) OpenOrders(ctx context.Context, m market.Pair) ([]Order, error) {
	resp, err := c.connector.OpenOrders(ctx, &pb.OpenOrdersRequest{Market: pairToProto(m)})
	if err != nil {
		return nil, callErr(ctx, "open orders", err)
	}
	if err := answer("open orders", resp.GetError(), nil); err != nil {
		return nil, err
	}
	d := &decoder{}
	orders := ordersFromProto(d, "orders", resp.GetOrders())
	return orders, answer("open orders", nil, d)
}

// PlaceOrders insists on one result per order, matched by client order id: mm must never attribute one
// order's fate to another.
func (c *grpcClient) PlaceOrders(ctx context.Context, orders []OrderRequest) ([]PlaceResult, error) {
	const method = "place orders"
	resp, err := c.connector.PlaceOrders(ctx, placeOrdersRequest(orders))
	if err != nil {
		return nil, callErr(ctx, method, err)
	}
	return placeResultsFromResponse(resp, orders)
}

func placeOrdersRequest(orders []OrderRequest) *pb.PlaceOrdersRequest {
	req := &pb.PlaceOrdersRequest{Orders: make([]*pb.OrderRequest, len(orders))}
	for i, o := range orders {
		req.Orders[i] = orderRequestToProto(o)
	}
	return req
}

// placeResultsFromResponse decodes a PlaceOrders answer, one result per order sent, in order.
func placeResultsFromResponse(resp *pb.PlaceOrdersResponse, orders []OrderRequest) ([]PlaceResult, error) {
	const method = "place orders"
	if err := answer(method, resp.GetError(), nil); err != nil {
		return nil, err
	}
	if len(resp.GetResults()) != len(orders) {
		return nil, fmt.Errorf("%s: %w: %d results for %d orders", method, ErrProtocol, len(resp.GetResults()), len(orders))
	}
	d := &decoder{}
	out := make([]PlaceResult, len(orders))
	for i, r := range resp.GetResults() {
		path := fmt.Sprintf("results[%d]", i)
		out[i] = placeResultFromProto(d, path, r)
		if out[i].ClientOrderID != orders[i].ClientOrderID {
			d.fail(path+".client_order_id", "got %q, want %q", out[i].ClientOrderID, orders[i].ClientOrderID)
		}
	}
	return out, answer(method, nil, d)
}

func (c *grpcClient) CancelOrders(ctx context.Context, m market.Pair, clientOrderIDs []string) ([]CancelResult, error) {
	const method = "cancel orders"
	resp, err := c.connector.CancelOrders(ctx, &pb.CancelOrdersRequest{Market: pairToProto(m), ClientOrderIds: clientOrderIDs})
	if err != nil {
		return nil, callErr(ctx, method, err)
	}
	return cancelResultsFromResponse(resp, clientOrderIDs)
}

// cancelResultsFromResponse decodes a CancelOrders answer, one result per id sent, in order.
func cancelResultsFromResponse(resp *pb.CancelOrdersResponse, clientOrderIDs []string) ([]CancelResult, error) {
	const method = "cancel orders"
	if err := answer(method, resp.GetError(), nil); err != nil {
		return nil, err
	}
	if len(resp.GetResults()) != len(clientOrderIDs) {
		return nil, fmt.Errorf("%s: %w: %d results for %d ids", method, ErrProtocol, len(resp.GetResults()), len(clientOrderIDs))
	}
	d := &decoder{}
	out := make([]CancelResult, len(clientOrderIDs))
	for i, r := range resp.GetResults() {
		path := fmt.Sprintf("results[%d]", i)
		out[i] = cancelResultFromProto(d, path, r)
		if out[i].ClientOrderID != clientOrderIDs[i] {
			d.fail(path+".client_order_id", "got %q, want %q", out[i].ClientOrderID, clientOrderIDs[i])
		}
	}
	return out, answer(method, nil, d)
}

func (c *grpcClient) CancelAll(ctx context.Context, m market.Pair) ([]Order, error) {
	resp, err := c.connector.CancelAll(ctx, &pb.CancelAllRequest{Market: pairToProto(m)})
	if err != nil {
		return nil, callErr(ctx, "cancel all", err)
	}
	if err := answer("cancel all", resp.GetError(), nil); err != nil {
		return nil, err
	}
	d := &decoder{}
	orders := ordersFromProto(d, "canceled", resp.GetCanceled())
	return orders, answer("cancel all", nil, d)
}

func (c *grpcClient) TradesSince(ctx context.Context, m market.Pair, cursor string, limit int) (TradesPage, error) {
	const method = "trades since"
	resp, err := c.connector.TradesSince(ctx, &pb.TradesSinceRequest{
		Market: pairToProto(m), Cursor: cursor, Limit: uint32(max(limit, 0)),
	})
	if err != nil {
		return TradesPage{}, callErr(ctx, method, err)
	}
	if err := answer(method, resp.GetError(), nil); err != nil {
		return TradesPage{}, err
	}
	d := &decoder{}
	page := TradesPage{NextCursor: resp.GetNextCursor(), More: resp.GetMore(), Fills: make([]Fill, len(resp.GetFills()))}
	for i, f := range resp.GetFills() {
		page.Fills[i] = fillFromProto(d, fmt.Sprintf("fills[%d]", i), f)
	}
	return page, answer(method, nil, d)
}
