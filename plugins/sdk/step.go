package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// Lockstep serves Step on one stream: each request is answered, in order, by what Step answers.
func (s *connectorServer) Lockstep(stream pb.ConnectorService_LockstepServer) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		resp, err := s.Step(stream.Context(), req)
		if err != nil {
			return err
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// Step serves a lockstep replay (Stepper) when the plugin's connector can replay. The actions a Step carries
// are applied first, through the same handlers as CancelOrders, PlaceOrders and Balances, so a plugin gets them
// for free: its Stepper only ever steps.
func (s *connectorServer) Step(ctx context.Context, req *pb.StepRequest) (*pb.StepResponse, error) {
	stepper, ok := s.impl.(Stepper)
	if !ok {
		return &pb.StepResponse{Error: errorToProto(Errorf(CodeInvalidRequest,
			"this connector cannot replay under the host's control (no Step); use its stream"))}, nil
	}
	var applied *pb.StepActionResults
	if a := req.GetActions(); a != nil {
		var err error
		if applied, err = s.applyActions(ctx, a); err != nil {
			return nil, err
		}
		if a.GetNoStep() {
			return &pb.StepResponse{Actions: applied}, nil
		}
	}
	res, err := stepper.StepUntil(ctx, StepRequest{Until: timeFromProto(req.GetUntilUnixNano()),
		DepthLevels: int(req.GetDepthLevels())})
	if err != nil {
		return &pb.StepResponse{Error: errorToProto(asDomainError(err)), Actions: applied}, nil
	}
	out := &pb.StepResponse{Events: make([]*pb.Event, len(res.Events)), NowUnixNano: timeToProto(res.Now),
		EndOfData: res.EndOfData, Actions: applied}
	for i, ev := range res.Events {
		pe, err := eventToProto(uint64(i+1), ev)
		if err != nil {
			return nil, fmt.Errorf("step: %w", err)
		}
		out.Events[i] = pe
	}
	return out, nil
}

// applyActions applies a Step's actions in their order: cancels, places, then the balance read.
func (s *connectorServer) applyActions(ctx context.Context, a *pb.StepActions) (*pb.StepActionResults, error) {
	out := &pb.StepActionResults{}
	var err error
	if a.GetCancel() != nil {
		if out.Cancel, err = s.CancelOrders(ctx, a.GetCancel()); err != nil {
			return nil, err
		}
	}
	if a.GetPlace() != nil {
		if out.Place, err = s.PlaceOrders(ctx, a.GetPlace()); err != nil {
			return nil, err
		}
	}
	if a.GetBalances() {
		if out.Balances, err = s.Balances(ctx, &pb.BalancesRequest{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StepUntil asks the plugin to advance its replay (Stepper). A plugin that cannot replay answers with
// CodeInvalidRequest.
func (c *grpcClient) StepUntil(ctx context.Context, req StepRequest) (StepResult, error) {
	resp, err := c.step(ctx, req, nil)
	if err != nil {
		return StepResult{}, err
	}
	return stepResultFromResponse(resp)
}

// StepWithActions sends a tick's actions with the Step after it (ActionStepper). An action the plugin refused
// as a whole (a CancelOrders or PlaceOrders answered with an error) fails the call, as the call alone would
// have; an order it refused is a result.
func (c *grpcClient) StepWithActions(ctx context.Context, a StepActions, req StepRequest) (StepActionResults,
	StepResult, bool, error) {
	actions := &pb.StepActions{Balances: a.Balances, NoStep: a.NoStep}
	if len(a.Cancels) > 0 {
		actions.Cancel = &pb.CancelOrdersRequest{Market: pairToProto(a.Market), ClientOrderIds: a.Cancels}
	}
	if len(a.Places) > 0 {
		actions.Place = placeOrdersRequest(a.Places)
	}
	resp, err := c.step(ctx, req, actions)
	if err != nil {
		return StepActionResults{}, StepResult{}, false, err
	}
	applied := resp.GetActions()
	if applied == nil {
		step, err := stepResultFromResponse(resp)
		return StepActionResults{}, step, false, err
	}
	var res StepActionResults
	if len(a.Cancels) > 0 {
		if res.Cancels, err = cancelResultsFromResponse(applied.GetCancel(), a.Cancels); err != nil {
			return StepActionResults{}, StepResult{}, true, err
		}
	}
	if len(a.Places) > 0 {
		if res.Places, err = placeResultsFromResponse(applied.GetPlace(), a.Places); err != nil {
			return StepActionResults{}, StepResult{}, true, err
		}
	}
	if a.Balances {
		if res.Balances, err = balancesFromResponse(applied.GetBalances()); err != nil {
			return StepActionResults{}, StepResult{}, true, err
		}
	}
	if a.NoStep {
		return res, StepResult{}, true, nil
	}
	step, err := stepResultFromResponse(resp)
	return res, step, true, err
}

// step sends one Step on the Lockstep stream, or as a unary call to a plugin that has no stream.
func (c *grpcClient) step(ctx context.Context, req StepRequest, actions *pb.StepActions) (*pb.StepResponse, error) {
	in := &pb.StepRequest{UntilUnixNano: timeToProto(req.Until), DepthLevels: uint32(max(req.DepthLevels, 0)),
		Actions: actions}
	resp, unimplemented, err := c.lockstep.step(ctx, c.connector, in)
	if !unimplemented {
		return resp, err
	}
	resp, err = c.connector.Step(ctx, in)
	if err != nil {
		return nil, callErr(ctx, "step", err)
	}
	return resp, nil
}

// lockstepStream is the host's end of the Lockstep stream: opened on the first Step, one response read per
// request sent. A call whose context ends, or any stream error, closes it (the next Step opens another: the
// plugin's replay is where the last answered Step left it, or one Step further, as after a cut unary call).
type lockstepStream struct {
	mu            sync.Mutex
	stream        pb.ConnectorService_LockstepClient
	stop          context.CancelFunc
	unimplemented bool // the plugin predates Lockstep: Step is called instead
}

// step sends req and reads its response; unimplemented says the plugin has no Lockstep (req was not applied).
func (l *lockstepStream) step(ctx context.Context, c pb.ConnectorServiceClient, req *pb.StepRequest) (
	*pb.StepResponse, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unimplemented {
		return nil, true, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, false, callErr(ctx, "step", err)
	}
	if l.stream == nil {
		streamCtx, stop := context.WithCancel(context.Background())
		stream, err := c.Lockstep(streamCtx)
		if err != nil {
			stop()
			return nil, false, callErr(ctx, "step", err)
		}
		l.stream, l.stop = stream, stop
	}
	cut := context.AfterFunc(ctx, l.stop)
	defer cut()
	err := l.stream.Send(req)
	var resp *pb.StepResponse
	if err == nil || errors.Is(err, io.EOF) { // io.EOF: the stream ended; Recv says why
		resp, err = l.stream.Recv()
	}
	if err == nil {
		return resp, false, nil
	}
	l.stop()
	l.stream = nil
	if status.Code(err) == codes.Unimplemented {
		l.unimplemented = true
		return nil, true, nil
	}
	return nil, false, callErr(ctx, "step", err)
}

func stepResultFromResponse(resp *pb.StepResponse) (StepResult, error) {
	const method = "step"
	if err := answer(method, resp.GetError(), nil); err != nil {
		return StepResult{}, err
	}
	d := &decoder{}
	res := StepResult{Now: timeFromProto(resp.GetNowUnixNano()), EndOfData: resp.GetEndOfData(),
		Events: make([]Event, len(resp.GetEvents()))}
	for i, pe := range resp.GetEvents() {
		res.Events[i] = eventFromProto(d, fmt.Sprintf("events[%d]", i), pe)
		res.Events[i].Seq = 0 // numbered per response; a step has no stream sequence
	}
	return res, answer(method, nil, d)
}

var (
	_ Stepper       = (*grpcClient)(nil)
	_ ActionStepper = (*grpcClient)(nil)
)
