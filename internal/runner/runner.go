// Package runner is `mm run`'s I/O orchestration (DESIGN.md §2–3): it takes the run lock, reconciles with the
// exchange, feeds market and order events to the pure strategy engine, sends the engine's cancels and places,
// evaluates the risk guards, journals everything, and shuts down cleanly. The strategy package stays pure; every
// side effect of a run happens here, in one goroutine, on one event clock.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// ErrRiskLimit is wrapped by the error of a run stopped by a risk guard, and of a start refused because a guard
// is still tripped (exit status 3, DESIGN.md §1).
var ErrRiskLimit = errors.New("risk limit")

// ErrDrain is wrapped when the shutdown could not finish its work (orders possibly still live): exit 1.
var ErrDrain = errors.New("drain failed")

// DefaultDrainTimeout bounds the shutdown work after a signal (reference/go.md §4).
const DefaultDrainTimeout = 10 * time.Second

// Exit reasons journaled in runs.exit_reason.
const (
	ReasonFeedEnd  = "feed_end"
	ReasonDuration = "duration"
	ReasonSignal   = "signal"
	ReasonRisk     = "risk_limit"
	ReasonError    = "error"
)

// Options are the inputs of one run. Config is loaded and validated by the caller.
type Options struct {
	Config      *config.Config
	JournalPath string
	// Duration, when positive, overrides run.duration: stop after this much event time.
	Duration time.Duration
	// ClearTrip clears every tripped guard (journaling a clear per guard) instead of refusing to start.
	ClearTrip bool
	// Explain prints each tick's explain trace to Stderr.
	Explain bool
	// KeepOrders leaves own orders open at the end (also set by run.keep_orders).
	KeepOrders bool
	// StatusInterval overrides run.status_interval when positive.
	StatusInterval time.Duration
	// Progress draws a progress line on Stderr during a replay (the caller checks that Stderr is a terminal).
	Progress bool
	// MMVersion is journaled in the run row.
	MMVersion string
	// PluginLockPath is the plugins.lock file for host.Resolve.
	PluginLockPath string
	DrainTimeout   time.Duration
	Logger         *slog.Logger
	Stderr         io.Writer
}

// Result is how a run ended and what it did.
type Result struct {
	RunID     int64
	Connector string // the connector name the journal uses for this run's fills and marks
	Market    string
	Reason    string
	ExitCode  int
	Summary   Summary
}

// Summary is what the run traded, for the closing lines on stdout.
type Summary struct {
	Fills       int
	BaseVolume  decimal.Decimal
	QuoteVolume decimal.Decimal
	Fees        map[string]decimal.Decimal // by fee asset
	StartBase   decimal.Decimal
	EndBase     decimal.Decimal
	StartQuote  decimal.Decimal
	EndQuote    decimal.Decimal
	EndMid      decimal.Decimal
}

// Run runs one market maker until the data ends, the duration passes, a risk guard trips or ctx is cancelled
// (SIGINT/SIGTERM). The returned Result is valid whenever a run row was started, also with an error.
func Run(ctx context.Context, opts Options) (Result, error) {
	r, err := newRun(opts)
	if err != nil {
		return Result{}, err
	}
	lock, err := journal.AcquireRunLock(opts.JournalPath, r.account, r.marketName)
	if err != nil {
		return Result{}, err
	}
	defer lock.Release()
	j, err := journal.Open(ctx, opts.JournalPath)
	if err != nil {
		return Result{}, err
	}
	r.j = j
	defer j.Close(context.WithoutCancel(ctx))
	if err := r.checkTrips(ctx); err != nil {
		return Result{}, err
	}
	if err := r.connect(ctx); err != nil {
		return Result{}, err
	}
	defer r.closeSource(ctx)
	if err := r.start(ctx); err != nil {
		return r.result(), err
	}
	runErr := r.loop(ctx)
	r.endBlackouts(ctx)
	return r.finish(ctx, runErr)
}

func newRun(opts Options) (*run, error) {
	cfg := opts.Config
	pair, err := market.ParsePair(cfg.Connector.Market)
	if err != nil {
		return nil, fmt.Errorf("connector.market: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = DefaultDrainTimeout
	}
	duration := time.Duration(cfg.Run.Duration)
	if opts.Duration > 0 {
		duration = opts.Duration
	}
	status := time.Duration(cfg.Run.StatusInterval)
	if opts.StatusInterval > 0 {
		status = opts.StatusInterval
	}
	risk := riskParams(cfg.Risk)
	if err := risk.Validate(); err != nil {
		return nil, err
	}
	model, err := newModelRun(cfg)
	if err != nil {
		return nil, err
	}
	r := &run{
		opts: opts, cfg: cfg, log: opts.Logger, pair: pair, marketName: pair.String(),
		account: cfg.Connector.Account, model: model,
		params: cfg.PMMParams(), riskParams: risk, tickInterval: time.Duration(cfg.Run.TickInterval),
		duration: duration, statusInterval: status, keepOrders: opts.KeepOrders || cfg.Run.KeepOrders,
		deferOrders: cfg.Run.JournalOrders == "filled",
		orders:      map[string]*ownOrder{}, balances: map[string]sdk.Balance{}, unknown: map[string]bool{},
		fees: map[string]decimal.Decimal{},
	}
	if r.sizer, err = newSizer(r); err != nil {
		return nil, err
	}
	return r, nil
}

// riskParams converts the config's risk section; an unset guard stays off (zero).
func riskParams(r config.Risk) strategy.RiskParams {
	p := strategy.DefaultRiskParams()
	p.KillSwitchRatePct = r.KillSwitchRate
	p.MaxInventoryBase = r.MaxInventoryBase.Decimal
	p.DailyLossLimitQuote = r.DailyLossLimitQuote.Decimal
	p.MaxDrawdownPct = r.MaxDrawdownPct.Decimal
	p.StaleDataTimeout = time.Duration(r.StaleDataTimeout)
	p.ReduceOnlyAfterTrip = r.ReduceOnlyAfterTrip
	return p
}

// checkTrips refuses to start while a guard is still tripped in the journal (users.md HB #1866), unless
// --clear-trip, whose clears are journaled once the run row exists (start).
func (r *run) checkTrips(ctx context.Context) error {
	tripped, err := r.j.TrippedGuards(ctx, r.account, r.marketName)
	if err != nil {
		return err
	}
	tripped = withoutBlackoutTrips(tripped) // a schedule, not a guard (sizing.go)
	r.pendingClears = tripped
	if len(tripped) == 0 || r.opts.ClearTrip {
		return nil
	}
	names := make([]string, 0, len(tripped))
	for _, t := range tripped {
		names = append(names, fmt.Sprintf("%s (%s, %s)", t.Guard, t.Time.UTC().Format(time.RFC3339), t.Detail))
	}
	return fmt.Errorf("account %q market %s: %w: guard still tripped: %s; run again with --clear-trip to resume",
		r.account, r.pair, ErrRiskLimit, strings.Join(names, "; "))
}

func (r *run) result() Result {
	return Result{RunID: r.runID, Connector: r.connName, Market: r.marketName, Reason: r.reason,
		ExitCode: r.exitCode, Summary: r.summary()}
}
