package sdk

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// steppingFake is the fake exchange with a replay clock: each StepUntil records which orders were open when it
// ran, so a test sees whether a Step's actions were applied before it.
type steppingFake struct {
	*fakeExchange
	now       time.Time
	quiet     bool // records nothing (the benchmark)
	openAtRun [][]string
}

func (f *steppingFake) StepUntil(ctx context.Context, req StepRequest) (StepResult, error) {
	if !f.quiet {
		open, _ := f.OpenOrders(ctx, btcusdt)
		ids := make([]string, 0, len(open))
		for _, o := range open {
			ids = append(ids, o.ClientOrderID)
		}
		slices.Sort(ids)
		f.openAtRun = append(f.openAtRun, ids)
	}
	f.now = req.Until
	return StepResult{Now: f.now, Events: []Event{{Time: f.now, Payload: BookTop{Market: btcusdt,
		BidPrice: bestBid, BidAmount: decimal.NewFromInt(1), AskPrice: bestAsk, AskAmount: decimal.NewFromInt(1)}}}}, nil
}

// A Step's actions reach the plugin through the same adapters as CancelOrders, PlaceOrders and Balances, and
// are applied in that order before the step; with NoStep nothing is stepped.
func TestStepWithActionsAppliesThemBeforeTheStep(t *testing.T) {
	fake := &steppingFake{fakeExchange: newFakeExchange()}
	c := inProcess(t, fake).(ActionStepper)
	ctx := t.Context()
	t1 := time.Date(2024, 8, 8, 0, 1, 0, 0, time.UTC)
	order := func(id string, side market.Side, price, amount string) OrderRequest {
		return OrderRequest{ClientOrderID: id, Market: btcusdt, Side: side, Type: LimitMaker,
			Price: decimal.RequireFromString(price), Amount: decimal.RequireFromString(amount)}
	}

	res, step, applied, err := c.StepWithActions(ctx, StepActions{Market: btcusdt, Balances: true,
		Places: []OrderRequest{order("b1", market.Buy, "99.50", "2"), order("a1", market.Sell, "102", "0.5")}},
		StepRequest{Until: t1})
	if err != nil || !applied {
		t.Fatalf("applied %v, err %v", applied, err)
	}
	if len(res.Places) != 2 || res.Places[0].Err != nil || res.Places[1].Err != nil ||
		res.Places[0].Order.Status != StatusOpen || res.Places[1].ClientOrderID != "a1" {
		t.Fatalf("place results %+v", res.Places)
	}
	// 2 × 99.50 = 199 USDT and 0.5 BTC locked by the places, before the balances were read.
	if got := balanceText(res.Balances); got != "BTC 1 0.5, USDT 10000 9801" {
		t.Errorf("balances after the places: %s", got)
	}
	if !step.Now.Equal(t1) || len(step.Events) != 1 {
		t.Errorf("step: now %v, %d events", step.Now, len(step.Events))
	}
	if want := [][]string{{"a1", "b1"}}; !slicesEqual(fake.openAtRun, want) {
		t.Errorf("open orders when the step ran: %v, want %v", fake.openAtRun, want)
	}

	res, step, applied, err = c.StepWithActions(ctx, StepActions{Market: btcusdt, Cancels: []string{"b1", "zz"},
		Places: []OrderRequest{order("b2", market.Buy, "99.505", "1")}, NoStep: true}, StepRequest{Until: t1.Add(time.Minute)})
	if err != nil || !applied {
		t.Fatalf("applied %v, err %v", applied, err)
	}
	if len(res.Cancels) != 2 || res.Cancels[0].Err != nil || res.Cancels[0].Order.Status != StatusCancelled ||
		res.Cancels[1].Err == nil || res.Cancels[1].Err.Code != CodeUnknownOrder {
		t.Errorf("cancel results %+v", res.Cancels)
	}
	if len(res.Places) != 1 || res.Places[0].Err == nil || res.Places[0].Err.Code != CodeFilter {
		t.Errorf("a price off the tick: place results %+v", res.Places)
	}
	if res.Balances != nil || len(fake.openAtRun) != 1 || !step.Now.IsZero() {
		t.Errorf("NoStep: balances %v, %d steps, now %v", res.Balances, len(fake.openAtRun), step.Now)
	}
}

// A plugin built before StepActions steps without applying them; the host learns it from the answer.
func TestStepWithActionsSeesAPluginThatIgnoresThem(t *testing.T) {
	c := rogue(t, &rogueServer{}).(ActionStepper)
	_, step, applied, err := c.StepWithActions(t.Context(), StepActions{Balances: true},
		StepRequest{Until: time.Unix(60, 0)})
	if err != nil || applied {
		t.Fatalf("applied %v, err %v; want a step without actions", applied, err)
	}
	if !step.Now.Equal(time.Unix(60, 0)) {
		t.Errorf("step now %v", step.Now)
	}
}

func (r *rogueServer) Step(_ context.Context, req *pb.StepRequest) (*pb.StepResponse, error) {
	return &pb.StepResponse{NowUnixNano: req.GetUntilUnixNano()}, nil
}

func balanceText(bs []Balance) string {
	var out string
	for i, b := range bs {
		if i > 0 {
			out += ", "
		}
		out += b.Asset + " " + b.Total.String() + " " + b.Available.String()
	}
	return out
}

func slicesEqual(a, b [][]string) bool { return slices.EqualFunc(a, b, slices.Equal) }

// Steps share one Lockstep stream; a Step whose context has ended fails with that cause, and the next one opens
// a new stream on which the replay carries on.
func TestLockstepStreamSurvivesACancelledStep(t *testing.T) {
	fake := &steppingFake{fakeExchange: newFakeExchange()}
	c := inProcess(t, fake).(Stepper)
	t1 := time.Unix(60, 0)
	if res, err := c.StepUntil(t.Context(), StepRequest{Until: t1}); err != nil || !res.Now.Equal(t1) {
		t.Fatalf("first step: now %v, err %v", res.Now, err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.StepUntil(cancelled, StepRequest{Until: t1.Add(time.Minute)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled step: err %v, want context.Canceled", err)
	}
	t3 := t1.Add(2 * time.Minute)
	if res, err := c.StepUntil(t.Context(), StepRequest{Until: t3}); err != nil || !res.Now.Equal(t3) {
		t.Fatalf("step after the cancelled one: now %v, err %v", res.Now, err)
	}
	if len(fake.openAtRun) != 2 {
		t.Errorf("%d steps reached the plugin, want 2 (the cancelled one never left)", len(fake.openAtRun))
	}
}
