package sdk

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// toproto converts SDK values into wire messages. It never fails on values a Connector can legitimately
// produce: an invalid enum becomes UNSPECIFIED, which fromproto on the other side rejects with a clear error.
// Decimals go out as decimal.String, which is exact (no exponent, no rounding).

func decToProto(d decimal.Decimal) string { return d.String() }

func pairToProto(p market.Pair) string {
	if p == (market.Pair{}) {
		return ""
	}
	return p.String()
}

func timeToProto(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func sideToProto(s market.Side) pb.Side {
	switch s {
	case market.Buy:
		return pb.Side_SIDE_BUY
	case market.Sell:
		return pb.Side_SIDE_SELL
	}
	return pb.Side_SIDE_UNSPECIFIED
}

func orderTypeToProto(t OrderType) pb.OrderType {
	switch t {
	case Limit:
		return pb.OrderType_ORDER_TYPE_LIMIT
	case LimitMaker:
		return pb.OrderType_ORDER_TYPE_LIMIT_MAKER
	}
	return pb.OrderType_ORDER_TYPE_UNSPECIFIED
}

var statusToProtoMap = map[OrderStatus]pb.OrderStatus{
	StatusOpen:            pb.OrderStatus_ORDER_STATUS_OPEN,
	StatusPartiallyFilled: pb.OrderStatus_ORDER_STATUS_PARTIALLY_FILLED,
	StatusFilled:          pb.OrderStatus_ORDER_STATUS_FILLED,
	StatusCancelled:       pb.OrderStatus_ORDER_STATUS_CANCELED,
	StatusRejected:        pb.OrderStatus_ORDER_STATUS_REJECTED,
	StatusExpired:         pb.OrderStatus_ORDER_STATUS_EXPIRED,
}

func errorToProto(e *Error) *pb.Error {
	if e == nil {
		return nil
	}
	return &pb.Error{Code: pb.ErrorCode(e.Code), Message: e.Message}
}

func infoToProto(i PluginInfo) *pb.InfoResponse {
	c := i.Capabilities
	return &pb.InfoResponse{
		Name: i.Name, PluginVersion: i.Version, ProtocolVersion: uint32(i.ProtocolVersion),
		Capabilities: &pb.Capabilities{
			Depth: c.Depth, PublicTrades: c.PublicTrades, LimitMaker: c.LimitMaker, BalanceUpdates: c.BalanceUpdates,
		},
	}
}

func rulesToProto(r MarketRules) *pb.MarketRulesResponse {
	return &pb.MarketRulesResponse{
		Market:   pairToProto(r.Market),
		TickSize: decToProto(r.TickSize), StepSize: decToProto(r.StepSize),
		MinSize: decToProto(r.MinSize), MinNotional: decToProto(r.MinNotional),
		MakerFee: decToProto(r.MakerFee), TakerFee: decToProto(r.TakerFee),
	}
}

func balanceToProto(b Balance) *pb.Balance {
	return &pb.Balance{Asset: b.Asset, Total: decToProto(b.Total), Available: decToProto(b.Available)}
}

func orderRequestToProto(r OrderRequest) *pb.OrderRequest {
	return &pb.OrderRequest{
		ClientOrderId: r.ClientOrderID, Market: pairToProto(r.Market), Side: sideToProto(r.Side),
		Type: orderTypeToProto(r.Type), Price: decToProto(r.Price), Amount: decToProto(r.Amount),
	}
}

func orderToProto(o Order) *pb.Order {
	return &pb.Order{
		ClientOrderId: o.ClientOrderID, ExchangeOrderId: o.ExchangeOrderID, Market: pairToProto(o.Market),
		Side: sideToProto(o.Side), Type: orderTypeToProto(o.Type),
		Price: decToProto(o.Price), Amount: decToProto(o.Amount), FilledAmount: decToProto(o.FilledAmount),
		Status:          statusToProtoMap[o.Status],
		CreatedUnixNano: timeToProto(o.Created), UpdatedUnixNano: timeToProto(o.Updated),
	}
}

func placeResultToProto(r PlaceResult) *pb.PlaceResult {
	out := &pb.PlaceResult{ClientOrderId: r.ClientOrderID, Duplicate: r.Duplicate, Error: errorToProto(r.Err)}
	if r.Err == nil {
		out.Order = orderToProto(r.Order)
	}
	return out
}

func cancelResultToProto(r CancelResult) *pb.CancelResult {
	out := &pb.CancelResult{ClientOrderId: r.ClientOrderID, Error: errorToProto(r.Err)}
	if r.Err == nil {
		out.Order = orderToProto(r.Order)
	}
	return out
}

func fillToProto(f Fill) *pb.Fill {
	return &pb.Fill{
		TradeId: f.TradeID, ClientOrderId: f.ClientOrderID, ExchangeOrderId: f.ExchangeOrderID,
		Market: pairToProto(f.Market), Side: sideToProto(f.Side),
		Price: decToProto(f.Price), Amount: decToProto(f.Amount), Fee: decToProto(f.Fee), FeeAsset: f.FeeAsset,
		Maker: f.Maker, TimeUnixNano: timeToProto(f.Time),
	}
}

// sideOfBook leaves an empty side of the book as empty strings, as the proto documents.
func sideOfBook(price, amount decimal.Decimal) (string, string) {
	if price.IsZero() && amount.IsZero() {
		return "", ""
	}
	return decToProto(price), decToProto(amount)
}

func levelsToProto(levels []Level) []*pb.Level {
	out := make([]*pb.Level, len(levels))
	for i, l := range levels {
		out[i] = &pb.Level{Price: decToProto(l.Price), Amount: decToProto(l.Amount)}
	}
	return out
}

// eventToProto converts a plugin's event. Gap and StreamError are produced by the host-side client only;
// a plugin that sends one has a bug, reported rather than forwarded.
func eventToProto(seq uint64, ev Event) (*pb.Event, error) {
	out := &pb.Event{Seq: seq, TimeUnixNano: timeToProto(ev.Time)}
	switch p := ev.Payload.(type) {
	case BookTop:
		bt := &pb.BookTop{Market: pairToProto(p.Market), UpdateId: p.UpdateID}
		bt.BidPrice, bt.BidAmount = sideOfBook(p.BidPrice, p.BidAmount)
		bt.AskPrice, bt.AskAmount = sideOfBook(p.AskPrice, p.AskAmount)
		out.Payload = &pb.Event_BookTop{BookTop: bt}
	case BookDepth:
		out.Payload = &pb.Event_BookDepth{BookDepth: &pb.BookDepth{
			Market: pairToProto(p.Market), Bids: levelsToProto(p.Bids), Asks: levelsToProto(p.Asks), UpdateId: p.UpdateID,
		}}
	case PublicTrade:
		out.Payload = &pb.Event_PublicTrade{PublicTrade: &pb.PublicTrade{
			Market: pairToProto(p.Market), TradeId: p.TradeID, Price: decToProto(p.Price), Amount: decToProto(p.Amount),
			TakerSide: sideToProto(p.TakerSide),
		}}
	case OrderUpdate:
		out.Payload = &pb.Event_OrderUpdate{OrderUpdate: &pb.OrderUpdate{Order: orderToProto(p.Order)}}
	case FillEvent:
		out.Payload = &pb.Event_Fill{Fill: fillToProto(p.Fill)}
	case BalanceUpdate:
		out.Payload = &pb.Event_BalanceUpdate{BalanceUpdate: &pb.BalanceUpdate{Balance: balanceToProto(p.Balance)}}
	case Resync:
		out.Payload = &pb.Event_Resync{Resync: &pb.Resync{Reason: p.Reason}}
	case EndOfData:
		out.Payload = &pb.Event_EndOfData{EndOfData: &pb.EndOfData{}}
	default:
		return nil, fmt.Errorf("event payload %T cannot be sent by a plugin", ev.Payload)
	}
	return out, nil
}
