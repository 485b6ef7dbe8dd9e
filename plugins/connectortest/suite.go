// Package connectortest is the behaviour every mm connector must show, whatever exchange it speaks to and
// whether it runs in-process or as a plugin over gRPC (DESIGN.md §4, reference/exchanges.md §1d). A connector's
// tests call Run with a Harness that builds a configured connector on a live (or replayed) market.
package connectortest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Harness builds the connector under test.
type Harness struct {
	Market market.Pair
	// Connect returns a configured connector for Market whose account holds enough base and quote for a few
	// minimum-size orders on both sides, and whose Subscribe delivers a two-sided top of book. Connect registers
	// its own cleanup (Shutdown, process kill) with t.Cleanup.
	Connect func(t *testing.T) sdk.Connector
	// Timeout bounds each test; zero means 20 s.
	Timeout time.Duration
}

// Run runs every conformance test as a subtest.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		run  func(*testing.T, *session)
	}{
		{"info names the plugin and the protocol version", testInfo},
		{"market rules are positive and consistent", testRules},
		{"a resting order locks funds and is listed", testPlaceLocksFunds},
		{"a client order id is idempotent", testIdempotentClientID},
		{"filter breaches are rejected with the filter code", testFilterRejects},
		{"a post-only order that would take is rejected", testPostOnlyWouldTake},
		{"cancel releases funds and unknown ids are errors", testCancel},
		{"cancel all leaves no open order", testCancelAll},
		{"a fill is streamed, reflected in balances and caught up by trades since", testFillAndCatchUp},
		{"stream sequence numbers start at 1 and have no gaps", testStreamSequence},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := h.Timeout
			if timeout == 0 {
				timeout = 20 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			s := &session{t: t, ctx: ctx, h: h, c: h.Connect(t)}
			tc.run(t, s)
		})
	}
}

// session is one test's connector plus what it has learned about the market.
type session struct {
	t      *testing.T
	ctx    context.Context
	h      Harness
	c      sdk.Connector
	events <-chan sdk.Event
	rules  sdk.MarketRules
	top    sdk.BookTop
	ids    int
}

// subscribe opens the stream and waits for a two-sided top of book.
func (s *session) subscribe() {
	s.t.Helper()
	events, err := s.c.Subscribe(s.ctx, sdk.SubscribeRequest{Market: s.h.Market, PublicTrades: true})
	if err != nil {
		s.t.Fatalf("Subscribe: %v", err)
	}
	s.events = events
	for {
		ev := s.next()
		if top, ok := ev.Payload.(sdk.BookTop); ok && top.BidPrice.Sign() > 0 && top.AskPrice.Sign() > 0 {
			s.top = top
			break
		}
	}
	rules, err := s.c.MarketRules(s.ctx, s.h.Market)
	if err != nil {
		s.t.Fatalf("MarketRules: %v", err)
	}
	s.rules = rules
}

func (s *session) next() sdk.Event {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatalf("stream closed early")
		}
		if e, bad := ev.Payload.(sdk.StreamError); bad {
			s.t.Fatalf("stream failed: %v", e.Err)
		}
		return ev
	case <-s.ctx.Done():
		s.t.Fatalf("timed out waiting for a stream event")
	}
	return sdk.Event{}
}

func (s *session) clientID() string {
	s.ids++
	return fmt.Sprintf("ct-%d-%d", time.Now().UnixNano(), s.ids)
}

// minAmount is the smallest amount, on the step, that passes both the size and notional minimums at price.
func (s *session) minAmount(price decimal.Decimal) decimal.Decimal {
	amount := s.rules.MinSize
	if s.rules.MinNotional.Sign() > 0 {
		needed := s.rules.MinNotional.Div(price)
		if needed.GreaterThan(amount) {
			amount = needed
		}
	}
	amount = amount.Mul(decimal.NewFromFloat(1.5)) // a margin, then back onto the step, rounding up
	steps := amount.Div(s.rules.StepSize).Ceil()
	return steps.Mul(s.rules.StepSize)
}

// restingBid is a post-only bid 10 % under the best bid, on the tick.
func (s *session) restingBid() sdk.OrderRequest {
	price := market.FloorToStep(s.top.BidPrice.Mul(decimal.RequireFromString("0.9")), s.rules.TickSize)
	return sdk.OrderRequest{ClientOrderID: s.clientID(), Market: s.h.Market, Side: market.Buy, Type: sdk.LimitMaker,
		Price: price, Amount: s.minAmount(price)}
}

func (s *session) place(req sdk.OrderRequest) sdk.PlaceResult {
	s.t.Helper()
	results, err := s.c.PlaceOrders(s.ctx, []sdk.OrderRequest{req})
	if err != nil {
		s.t.Fatalf("PlaceOrders: %v", err)
	}
	if len(results) != 1 || results[0].ClientOrderID != req.ClientOrderID {
		s.t.Fatalf("PlaceOrders returned %d results for one request", len(results))
	}
	return results[0]
}

func (s *session) balance(asset string) sdk.Balance {
	s.t.Helper()
	balances, err := s.c.Balances(s.ctx)
	if err != nil {
		s.t.Fatalf("Balances: %v", err)
	}
	for _, b := range balances {
		if b.Asset == asset {
			return b
		}
	}
	return sdk.Balance{Asset: asset, Total: decimal.Zero, Available: decimal.Zero}
}

func (s *session) openOrders() []sdk.Order {
	s.t.Helper()
	orders, err := s.c.OpenOrders(s.ctx, s.h.Market)
	if err != nil {
		s.t.Fatalf("OpenOrders: %v", err)
	}
	return orders
}
