package paper

import (
	"context"
	"errors"
	"io"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// maxStepEvents bounds the events one StepUntil returns, so that a far-away until (a long gap in a feed, a
// host asking for a day at once) cannot build one huge response; the host simply steps again.
const maxStepEvents = 100_000

// StepUntil is the lockstep replay of sdk.Stepper, what mm-plugin-paper serves for `mm run` through the plugin:
// it steps the feed until the simulated clock reaches req.Until (one step when it is zero) and returns every
// event, exactly as Step would have returned them one step at a time. It is refused while a Subscribe stream
// runs. At the end of the feed it reports EndOfData; a feed error is returned as an error. A StepUntil that
// starts after the end of the feed, with a non-zero Until, settles the pending actions due by then (Settle).
func (e *Exchange) StepUntil(_ context.Context, req sdk.StepRequest) (sdk.StepResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return sdk.StepResult{}, err
	}
	if e.subscribed {
		return sdk.StepResult{}, sdk.Errorf(sdk.CodeInvalidRequest, "paper exchange: a stream is running; step or stream, not both")
	}
	if req.DepthLevels < 0 {
		return sdk.StepResult{}, sdk.Errorf(sdk.CodeInvalidRequest, "depth levels %d: must be ≥ 0", req.DepthLevels)
	}
	e.depthLevels = req.DepthLevels
	var res sdk.StepResult
	if e.lookahead == nil && errors.Is(e.feedErr, io.EOF) && !req.Until.IsZero() {
		// After the end of the data a Step settles instead, as Settle does in-process: the pending arrivals
		// and cancels due by Until are applied at their own times (the host's drain after its last cancels).
		events, err := e.settle(req.Until)
		return sdk.StepResult{Events: events, Now: e.now, EndOfData: true}, err
	}
	for {
		events, err := e.step()
		res.Events = append(res.Events, events...)
		if errors.Is(err, io.EOF) {
			res.EndOfData = true
			break
		}
		if err != nil {
			return sdk.StepResult{}, err
		}
		if req.Until.IsZero() || !e.now.Before(req.Until) || len(res.Events) >= maxStepEvents {
			break
		}
	}
	res.Now = e.now
	return res, nil
}

var _ sdk.Stepper = (*Exchange)(nil)
