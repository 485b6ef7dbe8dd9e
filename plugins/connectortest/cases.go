package connectortest

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

func testInfo(t *testing.T, s *session) {
	info, err := s.c.Info(s.ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Name == "" || info.ProtocolVersion != sdk.ProtocolVersion {
		t.Errorf("Info = %+v, want a name and protocol version %d", info, sdk.ProtocolVersion)
	}
}

func testRules(t *testing.T, s *session) {
	s.subscribe()
	r := s.rules
	if r.Market != s.h.Market || r.TickSize.Sign() <= 0 || r.StepSize.Sign() <= 0 || r.MinSize.Sign() < 0 ||
		r.MinNotional.Sign() < 0 {
		t.Errorf("rules = %+v: want the market, tick and step > 0, minimums ≥ 0", r)
	}
	if !s.top.BidPrice.LessThan(s.top.AskPrice) {
		t.Errorf("top of book %s / %s is not a valid two-sided book", s.top.BidPrice, s.top.AskPrice)
	}
}

func testPlaceLocksFunds(t *testing.T, s *session) {
	s.subscribe()
	before := s.balance(s.h.Market.Quote)
	req := s.restingBid()
	res := s.place(req)
	if res.Err != nil {
		t.Fatalf("resting bid rejected: %v", res.Err)
	}
	if res.Order.Status != sdk.StatusOpen || !res.Order.Price.Equal(req.Price) || !res.Order.Amount.Equal(req.Amount) {
		t.Errorf("placed order = %+v, want open at %s × %s", res.Order, req.Price, req.Amount)
	}
	after := s.balance(s.h.Market.Quote)
	locked := req.Price.Mul(req.Amount)
	if !before.Available.Sub(after.Available).Equal(locked) || !after.Total.Equal(before.Total) {
		t.Errorf("quote available %s → %s, total %s → %s: want %s locked and the total unchanged",
			before.Available, after.Available, before.Total, after.Total, locked)
	}
	if !containsOrder(s.openOrders(), req.ClientOrderID) {
		t.Errorf("open orders do not list %s", req.ClientOrderID)
	}
}

func testIdempotentClientID(t *testing.T, s *session) {
	s.subscribe()
	req := s.restingBid()
	first := s.place(req)
	if first.Err != nil {
		t.Fatalf("first place rejected: %v", first.Err)
	}
	available := s.balance(s.h.Market.Quote).Available
	again := s.place(req)
	if again.Err != nil || !again.Duplicate || again.Order.ExchangeOrderID != first.Order.ExchangeOrderID {
		t.Errorf("re-sent place = %+v, want the same order marked duplicate", again)
	}
	if now := s.balance(s.h.Market.Quote).Available; !now.Equal(available) {
		t.Errorf("available quote %s → %s after a duplicate: nothing more may be locked", available, now)
	}
	if n := countOrder(s.openOrders(), req.ClientOrderID); n != 1 {
		t.Errorf("open orders list %s %d times, want once", req.ClientOrderID, n)
	}
}

func testFilterRejects(t *testing.T, s *session) {
	s.subscribe()
	base := s.restingBid()
	halfTick := s.rules.TickSize.Div(decimal.NewFromInt(2))
	cases := []struct {
		name string
		edit func(*sdk.OrderRequest)
		code sdk.ErrorCode
	}{
		{"price off the tick", func(r *sdk.OrderRequest) { r.Price = r.Price.Add(halfTick) }, sdk.CodeFilter},
		{"amount off the step", func(r *sdk.OrderRequest) { r.Amount = r.Amount.Add(s.rules.StepSize.Div(decimal.NewFromInt(2))) }, sdk.CodeFilter},
		{"notional below the minimum", func(r *sdk.OrderRequest) { r.Amount = s.rules.StepSize }, sdk.CodeFilter},
		{"more than the balance", func(r *sdk.OrderRequest) {
			r.Amount = market.FloorToStep(s.balance(s.h.Market.Quote).Total.Div(r.Price).Mul(decimal.NewFromInt(2)), s.rules.StepSize)
		}, sdk.CodeInsufficientBalance},
	}
	for _, tc := range cases {
		req := base
		req.ClientOrderID = s.clientID()
		tc.edit(&req)
		res := s.place(req)
		if res.Err == nil || res.Err.Code != tc.code {
			t.Errorf("%s: result %+v, want error code %q", tc.name, res.Err, tc.code)
		}
		if containsOrder(s.openOrders(), req.ClientOrderID) {
			t.Errorf("%s: the rejected order is listed as open", tc.name)
		}
	}
}

func testPostOnlyWouldTake(t *testing.T, s *session) {
	s.subscribe()
	// An ask priced at the best bid would match at once.
	req := sdk.OrderRequest{ClientOrderID: s.clientID(), Market: s.h.Market, Side: market.Sell, Type: sdk.LimitMaker,
		Price: s.top.BidPrice, Amount: s.minAmount(s.top.BidPrice)}
	res := s.place(req)
	if res.Err == nil {
		// With order-entry latency the venue may decide later: then the order must end rejected, not open.
		if res.Order.Status == sdk.StatusOpen && containsOrder(s.openOrders(), req.ClientOrderID) {
			t.Errorf("post-only ask at the best bid rests: %+v", res.Order)
		}
		return
	}
	if res.Err.Code != sdk.CodeWouldTake {
		t.Errorf("post-only ask at the best bid: %v, want code %q", res.Err, sdk.CodeWouldTake)
	}
}

func testCancel(t *testing.T, s *session) {
	s.subscribe()
	before := s.balance(s.h.Market.Quote)
	req := s.restingBid()
	if res := s.place(req); res.Err != nil {
		t.Fatalf("place: %v", res.Err)
	}
	results, err := s.c.CancelOrders(s.ctx, s.h.Market, []string{req.ClientOrderID, "ct-never-placed"})
	if err != nil || len(results) != 2 {
		t.Fatalf("CancelOrders: %v (%d results)", err, len(results))
	}
	if results[0].Err != nil || results[0].Order.Status != sdk.StatusCancelled {
		t.Errorf("cancel = %+v, want the order cancelled", results[0])
	}
	if results[1].Err == nil || results[1].Err.Code != sdk.CodeUnknownOrder {
		t.Errorf("cancel of an unknown id = %+v, want code %q", results[1].Err, sdk.CodeUnknownOrder)
	}
	if after := s.balance(s.h.Market.Quote); !after.Available.Equal(before.Available) {
		t.Errorf("available quote %s after cancel, want %s back", after.Available, before.Available)
	}
	if containsOrder(s.openOrders(), req.ClientOrderID) {
		t.Errorf("cancelled order still listed as open")
	}
}

func testCancelAll(t *testing.T, s *session) {
	s.subscribe()
	for range 3 {
		if res := s.place(s.restingBid()); res.Err != nil {
			t.Fatalf("place: %v", res.Err)
		}
	}
	if _, err := s.c.CancelAll(s.ctx, s.h.Market); err != nil {
		t.Fatalf("CancelAll: %v", err)
	}
	if open := s.openOrders(); len(open) != 0 {
		t.Errorf("%d orders open after CancelAll", len(open))
	}
}

func testFillAndCatchUp(t *testing.T, s *session) {
	s.subscribe()
	base, quote := s.h.Market.Base, s.h.Market.Quote
	baseBefore, quoteBefore := s.balance(base), s.balance(quote)
	// A marketable limit buy a few ticks through the best ask takes liquidity at once.
	price := s.top.AskPrice.Add(s.rules.TickSize.Mul(decimal.NewFromInt(5)))
	req := sdk.OrderRequest{ClientOrderID: s.clientID(), Market: s.h.Market, Side: market.Buy, Type: sdk.Limit,
		Price: price, Amount: s.minAmount(price)}
	if res := s.place(req); res.Err != nil {
		t.Fatalf("marketable buy rejected: %v", res.Err)
	}
	var fills []sdk.Fill
	filled := decimal.Zero
	for filled.LessThan(req.Amount) {
		if f, ok := s.next().Payload.(sdk.FillEvent); ok && f.Fill.ClientOrderID == req.ClientOrderID {
			fills = append(fills, f.Fill)
			filled = filled.Add(f.Fill.Amount)
		}
	}
	wantBase, wantQuote := baseBefore.Total, quoteBefore.Total
	for _, f := range fills {
		if f.Side != market.Buy || f.Price.GreaterThan(req.Price) || f.TradeID == "" {
			t.Errorf("fill %+v: want a buy at or under %s with a trade id", f, req.Price)
		}
		wantBase = wantBase.Add(f.Amount)
		wantQuote = wantQuote.Sub(f.Amount.Mul(f.Price))
		switch f.FeeAsset {
		case base:
			wantBase = wantBase.Sub(f.Fee)
		case quote:
			wantQuote = wantQuote.Sub(f.Fee)
		}
	}
	if got := s.balance(base).Total; !got.Equal(wantBase) {
		t.Errorf("%s total %s after the fills, want %s", base, got, wantBase)
	}
	if got := s.balance(quote).Total; !got.Equal(wantQuote) {
		t.Errorf("%s total %s after the fills, want %s", quote, got, wantQuote)
	}
	// Catch-up after downtime: the fills come back from TradesSince, once, and the cursor moves past them.
	page, err := s.c.TradesSince(s.ctx, s.h.Market, "", 0)
	if err != nil {
		t.Fatalf("TradesSince: %v", err)
	}
	for _, f := range fills {
		if n := countFill(page.Fills, f.TradeID); n != 1 {
			t.Errorf("TradesSince lists trade %s %d times, want once", f.TradeID, n)
		}
	}
	rest, err := s.c.TradesSince(s.ctx, s.h.Market, page.NextCursor, 0)
	if err != nil {
		t.Fatalf("TradesSince(next): %v", err)
	}
	for _, f := range fills {
		if countFill(rest.Fills, f.TradeID) != 0 {
			t.Errorf("TradesSince after the cursor repeats trade %s", f.TradeID)
		}
	}
}

func testStreamSequence(t *testing.T, s *session) {
	events, err := s.c.Subscribe(s.ctx, sdk.SubscribeRequest{Market: s.h.Market, PublicTrades: true})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	s.events = events
	for want := uint64(1); want <= 50; want++ {
		ev := s.next()
		if g, gap := ev.Payload.(sdk.Gap); gap {
			t.Fatalf("gap in the stream: %v", error(g))
		}
		if ev.Seq != want {
			t.Fatalf("event %d has sequence %d", want, ev.Seq)
		}
	}
}

func containsOrder(orders []sdk.Order, clientID string) bool { return countOrder(orders, clientID) > 0 }

func countOrder(orders []sdk.Order, clientID string) int {
	n := 0
	for _, o := range orders {
		if o.ClientOrderID == clientID {
			n++
		}
	}
	return n
}

func countFill(fills []sdk.Fill, tradeID string) int {
	n := 0
	for _, f := range fills {
		if f.TradeID == tradeID {
			n++
		}
	}
	return n
}
