package sdk

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// fromproto converts wire messages into SDK values and validates them: whatever arrives from the other process
// is outside input (DESIGN.md §9). Every error names the field by its path ("results[1].order.price") so a
// plugin author can find the bug from the host's log line.

// decoder keeps the first error, so the conversions read as plain field-by-field assignments.
type decoder struct{ err error }

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
	}
}

// decimal parses a required decimal string. Empty is an error: a missing price must never read as zero.
func (d *decoder) decimal(field, s string) decimal.Decimal {
	if s == "" {
		d.fail(field, "missing decimal")
		return decimal.Zero
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		d.fail(field, "malformed decimal %q", s)
		return decimal.Zero
	}
	return v
}

// nonNegative parses a price, amount or balance, which can never be negative. Fees can (maker rebates).
func (d *decoder) nonNegative(field, s string) decimal.Decimal {
	v := d.decimal(field, s)
	if v.Sign() < 0 {
		d.fail(field, "negative value %s", s)
	}
	return v
}

// optionalPair allows an empty market; a present one must parse.
func (d *decoder) optionalPair(field, s string) market.Pair {
	if s == "" {
		return market.Pair{}
	}
	return d.pair(field, s)
}

func (d *decoder) pair(field, s string) market.Pair {
	p, err := market.ParsePair(s)
	if err != nil {
		d.fail(field, "%v", err)
	}
	return p
}

func (d *decoder) side(field string, s pb.Side) market.Side {
	switch s {
	case pb.Side_SIDE_BUY:
		return market.Buy
	case pb.Side_SIDE_SELL:
		return market.Sell
	}
	d.fail(field, "want buy or sell, got %v", s)
	return ""
}

func (d *decoder) orderType(field string, t pb.OrderType) OrderType {
	switch t {
	case pb.OrderType_ORDER_TYPE_LIMIT:
		return Limit
	case pb.OrderType_ORDER_TYPE_LIMIT_MAKER:
		return LimitMaker
	}
	d.fail(field, "want limit or limit_maker, got %v", t)
	return ""
}

func (d *decoder) status(field string, s pb.OrderStatus) OrderStatus {
	for st, p := range statusToProtoMap {
		if p == s {
			return st
		}
	}
	d.fail(field, "unknown order status %v", s)
	return ""
}

func (d *decoder) present(field string, isNil bool) bool {
	if isNil {
		d.fail(field, "missing")
	}
	return !isNil
}

func timeFromProto(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func errorFromProto(e *pb.Error) *Error {
	if e == nil {
		return nil
	}
	return &Error{Code: ErrorCode(e.GetCode()), Message: e.GetMessage()}
}

func infoFromProto(r *pb.InfoResponse) PluginInfo {
	c := r.GetCapabilities()
	return PluginInfo{
		Name: r.GetName(), Version: r.GetPluginVersion(), ProtocolVersion: int(r.GetProtocolVersion()),
		Capabilities: Capabilities{
			Depth: c.GetDepth(), PublicTrades: c.GetPublicTrades(), LimitMaker: c.GetLimitMaker(),
			BalanceUpdates: c.GetBalanceUpdates(),
		},
	}
}

func rulesFromProto(d *decoder, r *pb.MarketRulesResponse) MarketRules {
	return MarketRules{
		Market:      d.pair("market", r.GetMarket()),
		TickSize:    d.nonNegative("tick_size", r.GetTickSize()),
		StepSize:    d.nonNegative("step_size", r.GetStepSize()),
		MinSize:     d.nonNegative("min_size", r.GetMinSize()),
		MinNotional: d.nonNegative("min_notional", r.GetMinNotional()),
		MakerFee:    d.decimal("maker_fee", r.GetMakerFee()),
		TakerFee:    d.decimal("taker_fee", r.GetTakerFee()),
	}
}

func balanceFromProto(d *decoder, path string, b *pb.Balance) Balance {
	if !d.present(path, b == nil) {
		return Balance{}
	}
	if b.GetAsset() == "" {
		d.fail(path+".asset", "missing")
	}
	return Balance{
		Asset:     b.GetAsset(),
		Total:     d.nonNegative(path+".total", b.GetTotal()),
		Available: d.nonNegative(path+".available", b.GetAvailable()),
	}
}

func orderRequestFromProto(d *decoder, path string, r *pb.OrderRequest) OrderRequest {
	if !d.present(path, r == nil) {
		return OrderRequest{}
	}
	if r.GetClientOrderId() == "" {
		d.fail(path+".client_order_id", "missing")
	}
	return OrderRequest{
		ClientOrderID: r.GetClientOrderId(),
		Market:        d.pair(path+".market", r.GetMarket()),
		Side:          d.side(path+".side", r.GetSide()),
		Type:          d.orderType(path+".type", r.GetType()),
		Price:         d.nonNegative(path+".price", r.GetPrice()),
		Amount:        d.nonNegative(path+".amount", r.GetAmount()),
	}
}

func orderFromProto(d *decoder, path string, o *pb.Order) Order {
	if !d.present(path, o == nil) {
		return Order{}
	}
	return Order{
		ClientOrderID:   o.GetClientOrderId(),
		ExchangeOrderID: o.GetExchangeOrderId(),
		Market:          d.pair(path+".market", o.GetMarket()),
		Side:            d.side(path+".side", o.GetSide()),
		Type:            d.orderType(path+".type", o.GetType()),
		Price:           d.nonNegative(path+".price", o.GetPrice()),
		Amount:          d.nonNegative(path+".amount", o.GetAmount()),
		FilledAmount:    d.nonNegative(path+".filled_amount", o.GetFilledAmount()),
		Status:          d.status(path+".status", o.GetStatus()),
		Created:         timeFromProto(o.GetCreatedUnixNano()),
		Updated:         timeFromProto(o.GetUpdatedUnixNano()),
	}
}

func placeResultFromProto(d *decoder, path string, r *pb.PlaceResult) PlaceResult {
	if !d.present(path, r == nil) {
		return PlaceResult{}
	}
	out := PlaceResult{ClientOrderID: r.GetClientOrderId(), Duplicate: r.GetDuplicate(), Err: errorFromProto(r.GetError())}
	if out.Err == nil {
		out.Order = orderFromProto(d, path+".order", r.GetOrder())
	}
	return out
}

func cancelResultFromProto(d *decoder, path string, r *pb.CancelResult) CancelResult {
	if !d.present(path, r == nil) {
		return CancelResult{}
	}
	out := CancelResult{ClientOrderID: r.GetClientOrderId(), Err: errorFromProto(r.GetError())}
	if out.Err == nil {
		out.Order = orderFromProto(d, path+".order", r.GetOrder())
	}
	return out
}

func fillFromProto(d *decoder, path string, f *pb.Fill) Fill {
	if !d.present(path, f == nil) {
		return Fill{}
	}
	if f.GetTradeId() == "" {
		d.fail(path+".trade_id", "missing")
	}
	return Fill{
		TradeID:         f.GetTradeId(),
		ClientOrderID:   f.GetClientOrderId(),
		ExchangeOrderID: f.GetExchangeOrderId(),
		Market:          d.pair(path+".market", f.GetMarket()),
		Side:            d.side(path+".side", f.GetSide()),
		Price:           d.nonNegative(path+".price", f.GetPrice()),
		Amount:          d.nonNegative(path+".amount", f.GetAmount()),
		Fee:             d.decimal(path+".fee", f.GetFee()),
		FeeAsset:        f.GetFeeAsset(),
		Maker:           f.GetMaker(),
		Time:            timeFromProto(f.GetTimeUnixNano()),
	}
}

// bookSide reads one side of a BookTop; both strings empty means the side is empty.
func (d *decoder) bookSide(path, price, amount string) (decimal.Decimal, decimal.Decimal) {
	if price == "" && amount == "" {
		return decimal.Zero, decimal.Zero
	}
	return d.nonNegative(path+"_price", price), d.nonNegative(path+"_amount", amount)
}

func levelsFromProto(d *decoder, path string, levels []*pb.Level) []Level {
	out := make([]Level, len(levels))
	for i, l := range levels {
		p := fmt.Sprintf("%s[%d]", path, i)
		out[i] = Level{Price: d.nonNegative(p+".price", l.GetPrice()), Amount: d.nonNegative(p+".amount", l.GetAmount())}
	}
	return out
}

func eventFromProto(d *decoder, path string, e *pb.Event) Event {
	out := Event{Seq: e.GetSeq(), Time: timeFromProto(e.GetTimeUnixNano())}
	switch p := e.GetPayload().(type) {
	case *pb.Event_BookTop:
		bt := BookTop{Market: d.pair(path+".book_top.market", p.BookTop.GetMarket()), UpdateID: p.BookTop.GetUpdateId()}
		bt.BidPrice, bt.BidAmount = d.bookSide(path+".book_top.bid", p.BookTop.GetBidPrice(), p.BookTop.GetBidAmount())
		bt.AskPrice, bt.AskAmount = d.bookSide(path+".book_top.ask", p.BookTop.GetAskPrice(), p.BookTop.GetAskAmount())
		out.Payload = bt
	case *pb.Event_BookDepth:
		bd := p.BookDepth
		out.Payload = BookDepth{
			Market: d.pair(path+".book_depth.market", bd.GetMarket()), UpdateID: bd.GetUpdateId(),
			Bids: levelsFromProto(d, path+".book_depth.bids", bd.GetBids()),
			Asks: levelsFromProto(d, path+".book_depth.asks", bd.GetAsks()),
		}
	case *pb.Event_PublicTrade:
		t, tp := p.PublicTrade, path+".public_trade"
		out.Payload = PublicTrade{
			Market: d.pair(tp+".market", t.GetMarket()), TradeID: t.GetTradeId(),
			Price: d.nonNegative(tp+".price", t.GetPrice()), Amount: d.nonNegative(tp+".amount", t.GetAmount()),
			TakerSide: d.side(tp+".taker_side", t.GetTakerSide()),
		}
	case *pb.Event_OrderUpdate:
		out.Payload = OrderUpdate{Order: orderFromProto(d, path+".order_update.order", p.OrderUpdate.GetOrder())}
	case *pb.Event_Fill:
		out.Payload = FillEvent{Fill: fillFromProto(d, path+".fill", p.Fill)}
	case *pb.Event_BalanceUpdate:
		out.Payload = BalanceUpdate{Balance: balanceFromProto(d, path+".balance_update.balance", p.BalanceUpdate.GetBalance())}
	case *pb.Event_Resync:
		out.Payload = Resync{Reason: p.Resync.GetReason()}
	case *pb.Event_EndOfData:
		out.Payload = EndOfData{}
	default:
		d.fail(path+".payload", "missing or unknown payload")
	}
	return out
}
