package sdk

import (
	"context"
	"fmt"

	pb "github.com/mmtoolkit/mm/plugins/internal/pb/mmpluginv1"
)

// Step serves a lockstep replay (Stepper) when the plugin's connector can replay.
func (s *connectorServer) Step(ctx context.Context, req *pb.StepRequest) (*pb.StepResponse, error) {
	stepper, ok := s.impl.(Stepper)
	if !ok {
		return &pb.StepResponse{Error: errorToProto(Errorf(CodeInvalidRequest,
			"this connector cannot replay under the host's control (no Step); use its stream"))}, nil
	}
	res, err := stepper.StepUntil(ctx, StepRequest{Until: timeFromProto(req.GetUntilUnixNano()),
		DepthLevels: int(req.GetDepthLevels())})
	if err != nil {
		return &pb.StepResponse{Error: errorToProto(asDomainError(err))}, nil
	}
	out := &pb.StepResponse{Events: make([]*pb.Event, len(res.Events)), NowUnixNano: timeToProto(res.Now),
		EndOfData: res.EndOfData}
	for i, ev := range res.Events {
		pe, err := eventToProto(uint64(i+1), ev)
		if err != nil {
			return nil, fmt.Errorf("step: %w", err)
		}
		out.Events[i] = pe
	}
	return out, nil
}

// StepUntil asks the plugin to advance its replay (Stepper). A plugin that cannot replay answers with
// CodeInvalidRequest.
func (c *grpcClient) StepUntil(ctx context.Context, req StepRequest) (StepResult, error) {
	const method = "step"
	resp, err := c.connector.Step(ctx, &pb.StepRequest{UntilUnixNano: timeToProto(req.Until),
		DepthLevels: uint32(max(req.DepthLevels, 0))})
	if err != nil {
		return StepResult{}, callErr(ctx, method, err)
	}
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

var _ Stepper = (*grpcClient)(nil)
