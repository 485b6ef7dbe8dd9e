package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/plugins/host"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// pluginStepSource is a lockstep replay through a plugin (sdk.Stepper, the paper exchange as mm-plugin-paper):
// instead of consuming a stream that runs ahead of the host, the run loop asks the plugin to apply its data up
// to the next tick, acts on the events, and only then asks for more. The fills, marks and journal are those of
// the same replay in-process (stepSource), whatever the speed of either process. Between two ticks the loop
// only journals events, so stepping to the next tick at once is the same as stepping one event at a time.
//
// The plugin runs without supervision: a restarted replay would start its data again, so a crash ends the run
// (exit 5) instead.
type pluginStepSource struct {
	p       *host.Plugin
	stepper sdk.Stepper
	lc      *lockstepConnector
	// actions is set once the first Step showed that the plugin applies the actions a Step carries: the run
	// then sends each tick's actions with the Step after it (run.act). probed says the first Step was made.
	actions sdk.ActionStepper
	probed  bool
	log     *slog.Logger
	// until is how far the next Step goes: the run's next tick (zero before the first event: one step).
	until       func() time.Time
	depthLevels int
	ended       bool
	now         time.Time // the plugin's clock after the last Step
}

// launchStepPlugin starts and configures a replay plugin for lockstep stepping (exit 5 on any failure).
func launchStepPlugin(ctx context.Context, cfg *config.Config, depthLevels int, lockPath string,
	log *slog.Logger) (*pluginStepSource, error) {
	hc, settings, err := resolvePlugin(cfg, lockPath, log)
	if err != nil {
		return nil, err
	}
	p, err := host.Launch(ctx, hc)
	if err != nil {
		return nil, err
	}
	stepper, ok := p.Connector.(sdk.Stepper)
	if !ok {
		_ = p.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("plugin %s: %w: its client cannot step a replay", cfg.Connector.Plugin, host.ErrUnreachable)
	}
	if err := p.Connector.Configure(ctx, settings); err != nil {
		_ = p.Close(context.WithoutCancel(ctx))
		return nil, unreachable("configure plugin", err)
	}
	return &pluginStepSource{p: p, stepper: stepper, lc: &lockstepConnector{Connector: p.Connector},
		depthLevels: depthLevels, log: log}, nil
}

func (s *pluginStepSource) Connector() sdk.Connector { return s.lc }

// Live is false: a lockstep replay runs on simulated time, with a progress bar rather than status lines.
func (s *pluginStepSource) Live() bool { return false }

// Next steps the replay to the run's next tick.
func (s *pluginStepSource) Next(ctx context.Context) (batch, error) {
	var until time.Time
	if s.until != nil {
		until = s.until()
	}
	return s.stepTo(ctx, until)
}

// stepTo steps the replay until its clock reaches until (one event when zero).
func (s *pluginStepSource) stepTo(ctx context.Context, until time.Time) (batch, error) {
	if err := ctx.Err(); err != nil {
		return batch{}, err
	}
	if s.ended {
		return batch{}, io.EOF
	}
	req := sdk.StepRequest{Until: until, DepthLevels: s.depthLevels}
	if !s.probed {
		// The first Step asks for the balances, which only a plugin that applies a Step's actions answers.
		s.probed = true
		if as, ok := s.stepper.(sdk.ActionStepper); ok {
			_, res, applied, err := as.StepWithActions(ctx, sdk.StepActions{Balances: true}, req)
			if applied {
				s.actions = as
				s.log.Info("lockstep", "tick orders", "sent with the next Step: one call a tick")
			} else if err == nil {
				s.log.Warn("lockstep", "tick orders", "sent call by call: the plugin does not apply a Step's "+
					"actions (built with an older mm); three calls a tick")
			}
			return s.stepped(res, err)
		}
	}
	return s.stepped(s.stepper.StepUntil(ctx, req))
}

// lockstepCallTimeout bounds a Step that carries a tick's actions, which a signal does not cancel: a Step stops
// after a bounded number of events, so only a hung plugin takes this long.
const lockstepCallTimeout = 30 * time.Second

// stepWith steps to the run's next tick with a tick's carried actions (or applies them only, a.NoStep). The
// results are nil when the actions did not reach the plugin (the call failed); the step's error then is the
// call's.
func (s *pluginStepSource) stepWith(ctx context.Context, a sdk.StepActions) (batch, *sdk.StepActionResults, error) {
	if s.ended && !a.NoStep {
		a.NoStep = true // the data has ended: nothing to step, the actions still apply (the drain's)
	}
	var until time.Time
	if s.until != nil {
		until = s.until()
	}
	// A signal must not cut the call short: the plugin may have applied the actions already, and their results
	// are what journals the orders. The loop sees the signal on its next turn.
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lockstepCallTimeout)
	defer cancel()
	res, step, applied, err := s.actions.StepWithActions(callCtx, a, sdk.StepRequest{Until: until,
		DepthLevels: s.depthLevels})
	if !applied {
		if err == nil {
			err = fmt.Errorf("%w: the plugin stepped without applying the tick's actions", sdk.ErrProtocol)
		}
		return batch{}, nil, unreachable("step the replay", err)
	}
	if a.NoStep {
		if err != nil {
			return batch{Now: s.now}, &res, unreachable("apply the tick's actions", err)
		}
		if s.ended {
			return batch{Now: s.now}, &res, io.EOF
		}
		return batch{Now: s.now}, &res, nil
	}
	b, err := s.stepped(step, err)
	return b, &res, err
}

// stepped turns a Step's outcome into the loop's batch: a domain error is the replay's data failing (exit 1),
// any other the plugin failing (exit 5).
func (s *pluginStepSource) stepped(res sdk.StepResult, err error) (batch, error) {
	var domain *sdk.Error
	if errors.As(err, &domain) {
		return batch{}, fmt.Errorf("paper feed (plugin): %w", err) // the replay's data failed: exit 1
	}
	if err != nil {
		return batch{}, unreachable("step the replay", err)
	}
	s.ended, s.now = res.EndOfData, res.Now
	if s.ended && len(res.Events) == 0 {
		return batch{Now: res.Now}, io.EOF
	}
	return batch{Events: res.Events, Now: res.Now}, nil
}

// stepOnce applies one event of the data, for the drain (awaitCancels); io.EOF once the data has ended.
func (s *pluginStepSource) stepOnce(ctx context.Context) (batch, error) {
	if s.ended {
		return batch{}, io.EOF
	}
	return s.stepTo(ctx, time.Time{})
}

// settle applies, after the end of the data, the pending arrivals and cancels due by until (the paper
// exchange's Settle, reached through a Step that starts after the end).
func (s *pluginStepSource) settle(ctx context.Context, until time.Time) (batch, error) {
	res, err := s.stepper.StepUntil(ctx, sdk.StepRequest{Until: until, DepthLevels: s.depthLevels})
	if err != nil {
		return batch{}, err
	}
	s.now = res.Now
	return batch{Events: res.Events, Now: res.Now}, nil
}

// stepTarget is how far a lockstep replay steps next: to the next tick, or to the end of --duration when that
// comes first; zero (one step) before the first event.
func (r *run) stepTarget() time.Time {
	if r.firstEvent.IsZero() {
		return time.Time{}
	}
	until := r.nextTick
	if r.duration > 0 {
		if end := r.firstEvent.Add(r.duration); end.Before(until) {
			until = end
		}
	}
	return until
}

// Close shuts the plugin down (its paper state file is written then) and kills it.
func (s *pluginStepSource) Close(ctx context.Context) error { return s.p.Close(ctx) }
