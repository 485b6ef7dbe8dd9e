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
	"github.com/mmtoolkit/mm/plugins/paper"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// batch is what one pull from an event source yields: the events in order and the event clock after them.
type batch struct {
	Events []sdk.Event
	Now    time.Time
}

// eventSource hides whether orders go to the in-process paper exchange, stepped synchronously, or to a plugin
// whose stream is consumed. Next returns io.EOF when the data ends.
type eventSource interface {
	Connector() sdk.Connector
	Next(ctx context.Context) (batch, error)
	// Live says whether the source runs on a wall clock (a plugin, or a paced replay): status lines are printed
	// then, a progress bar otherwise.
	Live() bool
	Close(ctx context.Context) error
}

// stepSource drives the in-process paper exchange with Step: the run loop acts on each step's events before the
// next is pulled, so orders placed between steps take effect at the simulated time and a replay is
// deterministic, whatever the pace.
type stepSource struct {
	ex   *paper.Exchange
	pace float64
	// cancelLatency is the paper exchange's: how long the drain waits for its last cancels (awaitCancels).
	cancelLatency time.Duration
	sleep         func(ctx context.Context, d time.Duration) error

	started              bool
	wallStart, feedStart time.Time
}

func newStepSource(cfg *config.Config) (*stepSource, error) {
	data, err := cfg.PaperJSON()
	if err != nil {
		return nil, err
	}
	pc, err := paper.ParseConfigJSON(data)
	if err != nil {
		return nil, fmt.Errorf("paper exchange: %w", err)
	}
	ex, err := paper.New(pc)
	if err != nil {
		return nil, fmt.Errorf("paper exchange: %w", err)
	}
	return &stepSource{ex: ex, pace: pc.Pace, cancelLatency: pc.CancelLatency, sleep: sleepCtx}, nil
}

func (s *stepSource) Connector() sdk.Connector { return s.ex }
func (s *stepSource) Live() bool               { return s.pace > 0 }

// Next steps the exchange once. With a pace it first waits until the step's event is due on the wall clock
// (pace 1 is real time relative to the first event), so a paced replay rehearses a live run.
func (s *stepSource) Next(ctx context.Context) (batch, error) {
	if err := ctx.Err(); err != nil {
		return batch{}, err
	}
	events, err := s.ex.Step()
	now := s.ex.Now()
	if err != nil && len(events) == 0 {
		if errors.Is(err, io.EOF) {
			return batch{Now: now}, io.EOF
		}
		return batch{Now: now}, fmt.Errorf("paper feed: %w", err)
	}
	if s.pace > 0 && !now.IsZero() {
		if !s.started {
			s.started, s.wallStart, s.feedStart = true, time.Now(), now
		}
		due := s.wallStart.Add(time.Duration(float64(now.Sub(s.feedStart)) / s.pace))
		if err := s.sleep(ctx, time.Until(due)); err != nil {
			return batch{Events: events, Now: now}, nil // the caller sees ctx on its next call
		}
	}
	return batch{Events: events, Now: now}, nil
}

// Close writes the paper state file (if any) and closes the feed.
func (s *stepSource) Close(ctx context.Context) error { return s.ex.Shutdown(ctx) }

// Describe is the paper exchange's fill model and assumptions, printed at start (DESIGN.md §5).
func (s *stepSource) Describe() string { return s.ex.Describe() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// streamSource runs a connector plugin under host supervision and consumes its Subscribe stream. Its event
// clock is the stream's event time; when the stream is quiet for a heartbeat, the clock moves on by the wall
// time that passed, so ticks and the stale-data guard still run.
type streamSource struct {
	sup       *host.Supervisor
	conn      sdk.Connector
	settings  []byte
	req       sdk.SubscribeRequest
	heartbeat time.Duration

	events   <-chan sdk.Event
	stop     context.CancelFunc
	now      time.Time
	lastWall time.Time
}

// launchPlugin resolves, verifies and starts the plugin under supervision, and configures it. Every failure
// wraps host.ErrUnreachable (exit 5). After a crash the supervisor configures the new process (OnRestart); the
// run loop then reconciles before it quotes again, in its own goroutine (a Resync event, see Next).
func launchPlugin(ctx context.Context, cfg *config.Config, req sdk.SubscribeRequest, heartbeat time.Duration,
	lockPath string, log *slog.Logger) (*streamSource, error) {
	hc, settings, err := resolvePlugin(cfg, lockPath, log)
	if err != nil {
		return nil, err
	}
	sup, err := host.Supervise(ctx, host.SuperviseConfig{Config: hc,
		OnRestart: func(ctx context.Context, c sdk.Connector) error { return c.Configure(ctx, settings) }})
	if err != nil {
		return nil, err
	}
	s := &streamSource{sup: sup, settings: settings, req: req, heartbeat: heartbeat}
	if err := s.connect(ctx, true); err != nil {
		_ = sup.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

// resolvePlugin finds and verifies the configured plugin (host.Resolve, plugins.lock) and reads the settings it
// is to be configured with.
func resolvePlugin(cfg *config.Config, lockPath string, log *slog.Logger) (host.Config, []byte, error) {
	settings, err := cfg.PluginSettingsJSON()
	if err != nil {
		return host.Config{}, nil, err
	}
	hc, err := host.Resolve(cfg.Connector.Plugin, host.SearchPath(), lockPath)
	if err != nil {
		return host.Config{}, nil, err
	}
	hc.Logger = log
	return hc, settings, nil
}

// connect takes the supervisor's current connector, configures it on the first start, and subscribes.
func (s *streamSource) connect(ctx context.Context, first bool) error {
	conn, err := s.sup.Await(ctx)
	if err != nil {
		return err
	}
	if first {
		if err := conn.Configure(ctx, s.settings); err != nil {
			return unreachable("configure plugin", err)
		}
	}
	streamCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	events, err := conn.Subscribe(streamCtx, s.req)
	if err != nil {
		stop()
		return unreachable("subscribe", err)
	}
	s.conn, s.events, s.stop, s.lastWall = conn, events, stop, time.Now()
	return nil
}

// unreachable makes a plugin's refusal to start serving an exit-5 failure: a plugin that cannot be configured
// or subscribed to cannot be reached for trading either.
func unreachable(what string, err error) error {
	if errors.Is(err, host.ErrUnreachable) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w: %w", what, host.ErrUnreachable, err)
}

func (s *streamSource) Connector() sdk.Connector { return s.conn }
func (s *streamSource) Live() bool               { return true }

// Next waits for the next event. A broken stream (the plugin crashed) waits for the supervisor's restart and
// returns a Resync, so the loop reconciles before quoting again; a supervisor that gave up ends the run with
// its error (exit 5). A stream the plugin closed is the end of its data.
func (s *streamSource) Next(ctx context.Context) (batch, error) {
	timer := time.NewTimer(s.heartbeat)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return batch{Now: s.now}, ctx.Err()
	case <-timer.C:
		if !s.now.IsZero() {
			s.now = s.now.Add(time.Since(s.lastWall))
		}
		s.lastWall = time.Now()
		return batch{Now: s.now}, nil
	case ev, ok := <-s.events:
		if !ok {
			return batch{Now: s.now}, io.EOF
		}
		if se, isErr := ev.Payload.(sdk.StreamError); isErr {
			return s.restart(ctx, se.Err)
		}
		if _, end := ev.Payload.(sdk.EndOfData); end {
			if ev.Time.After(s.now) {
				s.now = ev.Time
			}
			return batch{Now: s.now}, io.EOF // a replay through a plugin reached the end of its data
		}
		if ev.Time.After(s.now) {
			s.now = ev.Time
		}
		s.lastWall = time.Now()
		return batch{Events: []sdk.Event{ev}, Now: s.now}, nil
	}
}

func (s *streamSource) restart(ctx context.Context, cause error) (batch, error) {
	s.stop()
	if !errors.Is(cause, host.ErrUnreachable) {
		return batch{Now: s.now}, fmt.Errorf("plugin stream: %w", cause)
	}
	if err := s.connect(ctx, false); err != nil {
		return batch{Now: s.now}, fmt.Errorf("plugin stream broke (%v); restart: %w", cause, err)
	}
	resync := sdk.Event{Time: s.now, Payload: sdk.Resync{Reason: "plugin restarted: " + cause.Error()}}
	return batch{Events: []sdk.Event{resync}, Now: s.now}, nil
}

// Close ends the stream and the supervision; the plugin process is shut down and killed.
func (s *streamSource) Close(ctx context.Context) error {
	if s.stop != nil {
		s.stop()
	}
	return s.sup.Close(ctx)
}
