package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/internal/runner"
	"github.com/mmtoolkit/mm/plugins/host"
)

// RunOptions are the inputs of mm run.
type RunOptions struct {
	*GlobalOptions
	ConfigPath     string
	Duration       time.Duration
	ClearTrip      bool
	Explain        bool
	KeepOrders     bool
	StatusInterval time.Duration
}

// NewCmdRun builds `mm run`; runF replaces the run function in tests.
func NewCmdRun(global *GlobalOptions, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{GlobalOptions: global}
	cmd := &cobra.Command{
		Use:   "run --config FILE",
		Short: "Run the market maker from a bot config",
		Long: `Run one market maker (one connector, one market) from a bot config until the data ends, --duration of
event time passes, a risk guard trips, or SIGINT/SIGTERM arrives. strategy.kind picks the quoting:
pure_market_making (Hummingbot's pipeline), avellaneda or glft (model quotes from live-calibrated volatility and
order-flow intensity; nothing is quoted until the estimators are ready). Everything is journaled: the run row,
orders and their events (run.journal_orders: filled keeps only orders with fills), fills with the mid at fill, a
mark per tick, balance snapshots and risk events.

Start-up takes a lock per account and market (a second run exits 4), refuses while a risk guard is still
tripped (exit 3; --clear-trip clears it), then reconciles with the exchange before quoting: fills made while
mm was down are journaled once, own open orders (client id prefix "mm-") are adopted, other orders are left
alone. With connector name paper the paper exchange runs in-process, stepped event by event, so the same
config gives the same orders, fills and marks; with plugin: paper the same replay runs in lockstep through
mm-plugin-paper; any other connector runs as a plugin (mm-plugin-NAME) and streams its events.

On SIGINT/SIGTERM mm cancels its own orders (unless --keep-orders or run.keep_orders), syncs fills one last
time, snapshots balances, closes the run row and exits 0. A summary goes to stdout, logs to stderr.

` + exitStatusHelp,
		Example: `  mm config example > bot.yaml
  mm run --config bot.yaml --duration 10m
  mm run --config bot.yaml --journal /var/lib/mm/mm.db --explain 2> explain.log
  mm run --config bot.yaml --clear-trip`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.ConfigPath == "" {
				return usageErrorf("mm run needs --config FILE (mm config example prints one)")
			}
			if opts.Duration < 0 || opts.StatusInterval < 0 {
				return usageErrorf("--duration and --status-interval must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVarP(&opts.ConfigPath, "config", "c", "", "bot config file (YAML)")
	flags.DurationVar(&opts.Duration, "duration", 0, "stop after this much event time (overrides run.duration)")
	flags.BoolVar(&opts.ClearTrip, "clear-trip", false, "clear tripped risk guards (journaled) and start")
	flags.BoolVar(&opts.Explain, "explain", false, "print each tick's pipeline trace to stderr")
	flags.BoolVar(&opts.KeepOrders, "keep-orders", false, "leave own orders open when stopping")
	flags.DurationVar(&opts.StatusInterval, "status-interval", 0,
		"status line interval when live or paced (overrides run.status_interval)")
	return cmd
}

func runRun(ctx context.Context, opts *RunOptions) error {
	cfg, err := config.Load(opts.ConfigPath)
	if err == nil {
		err = cfg.CheckFiles()
	}
	if err != nil {
		return &ExitError{Code: exitUsage, Err: err}
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(opts.IO.ErrOut, "mm: warning: %s\n", w)
	}
	res, err := runner.Run(ctx, runner.Options{
		Config: cfg, JournalPath: opts.JournalPath, Duration: opts.Duration, ClearTrip: opts.ClearTrip,
		Explain: opts.Explain, KeepOrders: opts.KeepOrders, StatusInterval: opts.StatusInterval,
		Progress: isTerminal(opts.IO.ErrOut), MMVersion: version, PluginLockPath: host.LockPath(opts.Getenv),
		Logger: opts.Logger, Stderr: opts.IO.ErrOut,
	})
	if res.RunID != 0 {
		if werr := writeRunSummary(opts, res); werr != nil && err == nil {
			err = werr
		}
	}
	switch {
	case err == nil:
		return nil
	case res.RunID != 0 && res.ExitCode != 0:
		// The exit status the run row records: a run that lost its plugin exits 5 even when the drain that
		// followed failed for the same reason.
		return &ExitError{Code: res.ExitCode, Err: err}
	case errors.Is(err, runner.ErrRiskLimit):
		return &ExitError{Code: exitRiskLimit, Err: err}
	case errors.Is(err, runner.ErrDrain):
		return &ExitError{Code: exitFailure, Err: err}
	}
	return err
}

// isTerminal says whether w is a terminal, so progress is drawn only for a person watching.
func isTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// runReport is the closing report: what the run traded and its PnL against holding the start balances,
// valued at the last mid (Hummingbot's "vs hold" figure; mm pnl --run ID decomposes it).
type runReport struct {
	RunID       int64                      `json:"run_id"`
	Connector   string                     `json:"connector"`
	Market      string                     `json:"market"`
	ExitReason  string                     `json:"exit_reason"`
	ExitCode    int                        `json:"exit_code"`
	Fills       int                        `json:"fills"`
	BaseVolume  decimal.Decimal            `json:"base_volume"`
	QuoteVolume decimal.Decimal            `json:"quote_volume"`
	Fees        map[string]decimal.Decimal `json:"fees"`
	BaseChange  decimal.Decimal            `json:"base_change"`
	QuoteChange decimal.Decimal            `json:"quote_change"`
	EndMid      decimal.Decimal            `json:"end_mid"`
	PnLVsHold   decimal.Decimal            `json:"pnl_vs_hold"`
}

func writeRunSummary(opts *RunOptions, res runner.Result) error {
	s := res.Summary
	out := runReport{RunID: res.RunID, Connector: res.Connector, Market: res.Market, ExitReason: res.Reason,
		ExitCode: res.ExitCode, Fills: s.Fills, BaseVolume: s.BaseVolume, QuoteVolume: s.QuoteVolume,
		Fees: s.Fees, BaseChange: s.EndBase.Sub(s.StartBase), QuoteChange: s.EndQuote.Sub(s.StartQuote),
		EndMid: s.EndMid}
	out.PnLVsHold = out.BaseChange.Mul(s.EndMid).Add(out.QuoteChange)
	fees := ""
	for _, asset := range slices.Sorted(maps.Keys(s.Fees)) {
		fees += fmt.Sprintf(" %s %s", s.Fees[asset], asset)
	}
	table := Table{Header: []string{"run", "exit", "fills", "volume", "fees", "inventory change", "pnl vs hold"},
		Rows: [][]string{{fmt.Sprint(out.RunID), out.ExitReason, fmt.Sprint(out.Fills),
			fmt.Sprintf("%s (%s)", out.BaseVolume, out.QuoteVolume.Round(8)), fees,
			fmt.Sprintf("%s / %s", out.BaseChange, out.QuoteChange.Round(8)), out.PnLVsHold.Round(8).String()}},
		Right: map[int]bool{2: true}}
	switch opts.Output {
	case outputJSON:
		return writeJSON(opts.IO.Out, out)
	case outputCSV:
		return table.WriteCSV(opts.IO.Out)
	}
	return table.Render(opts.IO.Out)
}
