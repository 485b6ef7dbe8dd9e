package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// ErrRestarting is wrapped (together with ErrUnreachable) by the errors of a supervised Connector whose plugin
// process has ended: the caller stops using it and waits for the next one with Supervisor.Await.
var ErrRestarting = errors.New("plugin is being restarted")

// SuperviseConfig says how to start a plugin and how hard to try to keep it running.
type SuperviseConfig struct {
	Config
	// OnRestart runs after every successful restart, before the new connector is handed out. The run loop
	// reconciles there (open orders, trades since the last journaled fill; DESIGN.md §3–4). An error counts as a
	// failed restart: the new process is closed and the next attempt follows the backoff. It must return when
	// ctx ends, which Close waits for.
	OnRestart func(ctx context.Context, c sdk.Connector) error
	// MaxFailures is how many consecutive failures end supervision; 0 means 5. A start attempt fails when the
	// process, the handshake or OnRestart fails; a restart also counts as failed when the new process dies
	// within StableAfter, so a plugin in a crash loop is given up on too (reference/go.md §1.12 P10).
	MaxFailures int
	// Backoff is the wait before the first retry, doubled for each consecutive failure; 0 means 100 ms.
	// Every restart is a retry; the very first start is not.
	Backoff time.Duration
	// MaxBackoff caps the wait; 0 means 5 s.
	MaxBackoff time.Duration
	// StableAfter is how long a restarted plugin must run before its crash starts a fresh failure count;
	// 0 means 1 minute.
	StableAfter time.Duration
	// PollInterval is how often the process is checked for having exited; 0 means 100 ms. go-plugin notices
	// a dead process within milliseconds (reference/go.md §1.7), so a crash is seen within a second.
	PollInterval time.Duration
	// Sleep waits between attempts and returns early with ctx's error; nil means a timer. Tests inject one.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for StableAfter; nil means time.Now.
	Now func() time.Time
}

func (c *SuperviseConfig) setDefaults() {
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.Backoff <= 0 {
		c.Backoff = 100 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Second
	}
	if c.StableAfter <= 0 {
		c.StableAfter = time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 100 * time.Millisecond
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// backoff is the wait before attempt number failures+1: Backoff doubled per consecutive failure, capped.
func (c *SuperviseConfig) backoff(failures int) time.Duration {
	d := c.Backoff
	for range failures {
		if d >= c.MaxBackoff/2 {
			return c.MaxBackoff
		}
		d *= 2
	}
	return min(d, c.MaxBackoff)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Supervisor owns one plugin process and replaces it when it dies (DESIGN.md §4 "Supervision"). go-plugin
// does not restart plugins (reference/go.md §1.7), so the supervisor watches the process (Exited) and the
// errors of the connector it hands out (any error wrapping ErrUnreachable, including a stream's StreamError),
// closes the dead process, starts a new one with exponential backoff, runs OnRestart, and only then hands
// out the new connector. After MaxFailures consecutive failures it gives up: Done closes and Err wraps
// ErrUnreachable, which mm turns into exit status 5.
//
// All methods are safe for concurrent use.
type Supervisor struct {
	cfg    SuperviseConfig
	ctx    context.Context // ends when Close is called
	cancel context.CancelFunc
	wake   chan struct{} // a handed-out connector saw ErrUnreachable: check now
	exited chan struct{} // closed when the watch goroutine returns
	// failures counts consecutive failed starts and unstable restarts; only the starting goroutine (Supervise,
	// then watch) touches it.
	failures int

	mu         sync.Mutex
	plugin     *Plugin // nil while restarting
	generation uint64  // counts started processes; a connector is bound to one
	live       bool    // plugin is handed out (OnRestart done)
	liveSince  time.Time
	restarted  bool          // the current process is not the first one
	changed    chan struct{} // closed and replaced on every state change
	done       chan struct{} // closed when supervision ends
	err        error         // why supervision ended
}

// Supervise starts the plugin, trying up to MaxFailures times with backoff, and watches it until Close. The
// first start does not run OnRestart: the caller reconciles after Supervise returns, as at any start-up.
// ctx bounds the first start only; the supervisor lives until Close.
func Supervise(ctx context.Context, cfg SuperviseConfig) (*Supervisor, error) {
	cfg.setDefaults()
	supCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Supervisor{
		cfg: cfg, ctx: supCtx, cancel: cancel,
		wake: make(chan struct{}, 1), exited: make(chan struct{}),
		changed: make(chan struct{}), done: make(chan struct{}),
	}
	stop := context.AfterFunc(ctx, cancel)
	err := s.start(nil)
	if !stop() && err == nil {
		// ctx ended just as the plugin came up: nobody is waiting for it.
		_ = s.plugin.Close(context.WithoutCancel(ctx))
		err = fmt.Errorf("plugin %s: %w: %w", cfg.Name, ErrUnreachable, context.Cause(ctx))
	}
	if err != nil {
		cancel()
		return nil, err
	}
	go s.watch()
	return s, nil
}

// Connector returns the connector of the running plugin. While a restart is under way the error wraps
// ErrRestarting and ErrUnreachable; after supervision ended it is Err.
func (s *Supervisor) Connector() (sdk.Connector, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connectorLocked()
}

func (s *Supervisor) connectorLocked() (sdk.Connector, error) {
	switch {
	case s.err != nil:
		return nil, s.err
	case !s.live:
		return nil, fmt.Errorf("plugin %s: %w: %w", s.cfg.Name, ErrRestarting, ErrUnreachable)
	}
	return &supervisedConnector{s: s, generation: s.generation}, nil
}

// Await waits until a plugin is running and returns its connector, or returns Err once supervision ended,
// or ctx's error.
func (s *Supervisor) Await(ctx context.Context) (sdk.Connector, error) {
	for {
		s.mu.Lock()
		c, err := s.connectorLocked()
		changed := s.changed
		s.mu.Unlock()
		if err == nil || !errors.Is(err, ErrRestarting) {
			return c, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Done is closed when supervision ends: the supervisor gave up, or Close was called.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Err says why supervision ended; nil while it goes on.
func (s *Supervisor) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Info is what the running plugin answered to Info at its start; zero while restarting.
func (s *Supervisor) Info() sdk.PluginInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plugin == nil {
		return sdk.PluginInfo{}
	}
	return s.plugin.Info
}

// Pid is the process id of the current plugin process; 0 while restarting.
func (s *Supervisor) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plugin == nil {
		return 0
	}
	return s.plugin.Pid()
}

// Close ends supervision: it stops any restart in progress, then shuts the plugin down (Shutdown, bounded by
// ctx) and kills it, so no process is left behind (reference/go.md §1.12 P3). It returns the Shutdown error,
// for logging; the process is gone either way. Close is idempotent.
func (s *Supervisor) Close(ctx context.Context) error {
	s.cancel()
	<-s.exited
	s.mu.Lock()
	p := s.plugin
	s.plugin, s.live = nil, false
	s.finishLocked(fmt.Errorf("plugin %s: supervisor closed: %w", s.cfg.Name, ErrUnreachable))
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Close(ctx)
}

// watch waits for the plugin to die, then restarts it, until Close or until it gives up.
func (s *Supervisor) watch() {
	defer close(s.exited)
	ticker := time.NewTicker(s.cfg.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-ticker.C:
		case <-s.wake:
		}
		if !s.dead() {
			continue
		}
		if !s.restart() {
			return
		}
	}
}

// dead: the process exited, or a call through its connector found it unreachable (suspect).
func (s *Supervisor) dead() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.live || s.plugin.Exited()
}

// restart replaces a dead (or unreachable) plugin. It reports false when supervision ended.
func (s *Supervisor) restart() bool {
	s.mu.Lock()
	dead := s.plugin
	if s.restarted && s.cfg.Now().Sub(s.liveSince) < s.cfg.StableAfter {
		// The last restart did not hold: it failed too, so a crash loop is given up on like a failing start.
		s.failures++
	} else {
		s.failures = 0
	}
	s.plugin, s.live = nil, false
	s.broadcastLocked()
	s.mu.Unlock()

	cause := errors.New("the plugin process exited")
	if !dead.Exited() {
		cause = errors.New("the connection to the plugin failed")
	}
	s.cfg.Logger.Warn("plugin died; restarting it", "plugin", s.cfg.Name, "pid", dead.Pid(), "cause", cause)
	// Shutdown is skipped for an exited process; a live but unreachable one gets a second, then Kill.
	closeCtx, cancel := context.WithTimeout(s.ctx, time.Second)
	_ = dead.Close(closeCtx)
	cancel()
	return s.start(cause) == nil
}

// start tries to start the plugin until it runs or MaxFailures consecutive failures are reached; crash is
// nil for the first start and the reason of the restart otherwise. The n-th retry in a row waits
// Backoff·2^(n-1): a restart is always a retry, the first start is not. On success the plugin is live; on
// failure supervision has ended and the error (also in Err) wraps ErrUnreachable.
func (s *Supervisor) start(crash error) error {
	isRestart := crash != nil
	lastErr := crash
	for s.failures < s.cfg.MaxFailures {
		retry := s.failures
		if isRestart {
			retry++
		}
		if retry > 0 {
			if err := s.cfg.Sleep(s.ctx, s.cfg.backoff(retry-1)); err != nil {
				return s.giveUp(err)
			}
		}
		lastErr = s.attempt(isRestart)
		if lastErr == nil {
			return nil
		}
		s.failures++
		s.cfg.Logger.Warn("plugin start failed", "plugin", s.cfg.Name, "failures", s.failures, "err", lastErr)
		if s.ctx.Err() != nil || errors.Is(lastErr, plugin.ErrChecksumsDoNotMatch) || isHandshakeError(lastErr) {
			// Waiting does not change the binary on disk: a checksum mismatch or a failed handshake is final.
			return s.giveUp(lastErr)
		}
	}
	return s.giveUp(lastErr)
}

// attempt starts one process and, on a restart, runs OnRestart before handing it out.
func (s *Supervisor) attempt(isRestart bool) error {
	p, err := Launch(s.ctx, s.cfg.Config)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.generation++
	s.plugin = p
	c := &supervisedConnector{s: s, generation: s.generation}
	s.mu.Unlock()
	if isRestart && s.cfg.OnRestart != nil {
		if err := s.cfg.OnRestart(s.ctx, c); err != nil {
			s.mu.Lock()
			s.plugin = nil
			s.mu.Unlock()
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), time.Second)
			defer cancel()
			_ = p.Close(closeCtx)
			return fmt.Errorf("plugin %s: after restart: %w", s.cfg.Name, err)
		}
	}
	s.mu.Lock()
	s.live, s.liveSince, s.restarted = true, s.cfg.Now(), isRestart
	s.broadcastLocked()
	s.mu.Unlock()
	if isRestart {
		s.cfg.Logger.Info("plugin restarted", "plugin", s.cfg.Name, "pid", p.Pid())
	}
	return nil
}

func (s *Supervisor) giveUp(lastErr error) error {
	err := fmt.Errorf("plugin %s: %w: gave up after %d consecutive failures: %w", s.cfg.Name, ErrUnreachable, s.failures, lastErr)
	if s.ctx.Err() != nil {
		err = fmt.Errorf("plugin %s: %w: supervision stopped: %w", s.cfg.Name, ErrUnreachable, lastErr)
	}
	s.mu.Lock()
	s.finishLocked(err)
	s.mu.Unlock()
	return err
}

// finishLocked ends supervision once; the first reason wins.
func (s *Supervisor) finishLocked(err error) {
	if s.err != nil {
		return
	}
	s.err = err
	close(s.done)
	s.broadcastLocked()
}

func (s *Supervisor) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// target returns the plugin of generation g, or an error if that process has been replaced: a connector
// handed out before a crash never reaches the new process behind the caller's back, because the caller has
// to reconcile first.
func (s *Supervisor) target(g uint64) (sdk.Connector, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plugin == nil || s.generation != g {
		if s.err != nil {
			return nil, s.err
		}
		return nil, fmt.Errorf("plugin %s: %w: %w", s.cfg.Name, ErrRestarting, ErrUnreachable)
	}
	return s.plugin.Connector, nil
}

// suspect is called when a call on generation g failed with ErrUnreachable: from now on Connector refuses the
// process, and the watcher replaces it at once instead of at its next tick. A failure of a process that is not
// live (still in OnRestart) fails that attempt through OnRestart's error instead.
func (s *Supervisor) suspect(g uint64) {
	s.mu.Lock()
	current := s.live && s.generation == g
	if current {
		s.live = false
		s.broadcastLocked()
	}
	s.mu.Unlock()
	if !current {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
