package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/analysis"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// PnLOptions are the inputs of mm pnl.
type PnLOptions struct {
	*GlobalOptions

	Days      float64
	Since     timeFlag
	Until     timeFlag
	RunID     int64
	Market    string
	Connector string
	By        string
	Method    string
	Markouts  []string
	Plot      string

	now   func() time.Time
	query analysis.PnLQuery
}

// NewCmdPnL builds `mm pnl`; runF replaces the run function in tests.
func NewCmdPnL(global *GlobalOptions, runF func(context.Context, *PnLOptions) error) *cobra.Command {
	opts := &PnLOptions{GlobalOptions: global, now: time.Now}
	cmd := &cobra.Command{
		Use:   "pnl",
		Short: "Decompose PnL into spread capture, inventory mark-to-market, fees and hedge PnL",
		Long: `Decompose the profit of the journal's fills (reference/quant.md §4):

  total = spread capture + inventory PnL − fees + hedge PnL + funding

Spread capture is each fill against the mid at fill, ε·n·(m_fill − p): the edge the maker earned. Inventory PnL
is the position times every mid change, q·Δm: what holding inventory made or lost while the price moved. Fees are
a cost (maker rebates make them negative); a fee paid in the base asset is valued at the mid at fill and reduces
the inventory, a fee in a third asset is converted at the journal's latest mark. Hedge PnL and funding stay zero
until hedge adapters journal hedge fills.

equity_change is each row's change of value (cash + position × mid) computed directly from the replayed
balances, and residual = equity_change − total, which is exactly 0 when the attribution is right. When the journal
has balance snapshots at the start and end of the window, the equity change between them is printed as a check
too; a non-zero residual there is a flow the fills do not explain (a deposit, a withdrawal, a missing fill).

Realized and unrealized PnL split the same money by closed and open lots, by average cost or FIFO (--method);
fees are not capitalised into the cost basis. Mark-outs (--markout) measure each fill against the mid h later:
a healthy maker's mark-out is positive at 0 and decays; its level after the decay is the edge net of adverse
selection.

` + exitStatusHelp,
		Example: `  mm pnl
  mm pnl --by day --method fifo
  mm pnl --market BTC-USDT --since 2026-11-01 --markout 1s,10s,60s,300s -o json
  mm pnl --by run --plot pnl.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Finalize(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pnlRun(cmd.Context(), opts)
		},
	}
	flags := cmd.Flags()
	flags.Float64Var(&opts.Days, "days", 0, "only the last N days (fractions allowed)")
	flags.Var(&opts.Since, "since", "only events at or after this time (RFC 3339, YYYY-MM-DD or Unix ms; UTC)")
	flags.Var(&opts.Until, "until", "only events before this time")
	flags.Int64Var(&opts.RunID, "run", 0, "only fills and marks of this mm run")
	flags.StringVar(&opts.Market, "market", "", "only this market (BASE-QUOTE)")
	flags.StringVar(&opts.Connector, "connector", "", "only this connector")
	flags.StringVar(&opts.By, "by", analysis.ByMarket, "rows per: market, run, day or hour (UTC)")
	flags.StringVar(&opts.Method, "method", analysis.MethodAvgCost, "realized/unrealized by: avg-cost or fifo")
	flags.StringSliceVar(&opts.Markouts, "markout", []string{"1s", "10s", "60s"}, "mark-out horizons (Go durations; empty for none)")
	flags.StringVar(&opts.Plot, "plot", "", "also draw the cumulative PnL to FILE.png or FILE.svg")
	_ = cmd.RegisterFlagCompletionFunc("by", fixedCompletion("market", "run", "day", "hour"))
	_ = cmd.RegisterFlagCompletionFunc("method", fixedCompletion("avg-cost", "fifo"))
	return cmd
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// Finalize validates the flags and builds the query.
func (o *PnLOptions) Finalize() error {
	if err := analysis.ValidBy(o.By); err != nil {
		return usageErrorf("--by %v", err)
	}
	if o.Method != analysis.MethodAvgCost && o.Method != analysis.MethodFIFO {
		return usageErrorf("--method %q: want avg-cost or fifo", o.Method)
	}
	switch {
	case o.Days < 0:
		return usageErrorf("--days must be ≥ 0 (got %v)", o.Days)
	case o.Days > 0 && !o.Since.t.IsZero():
		return usageErrorf("--days and --since both set the start of the window: give one")
	case o.RunID < 0:
		return usageErrorf("--run must be a run id ≥ 1 (got %d)", o.RunID)
	}
	q := analysis.PnLQuery{Connector: o.Connector, RunID: o.RunID, Since: o.Since.t, Until: o.Until.t, By: o.By,
		Method: o.Method}
	if o.Days > 0 {
		q.Since = o.now().Add(-time.Duration(o.Days * float64(24*time.Hour))).UTC()
	}
	if !q.Until.IsZero() && !q.Since.IsZero() && !q.Until.After(q.Since) {
		return usageErrorf("--until must be after the start of the window (%s)", q.Since.Format(time.RFC3339))
	}
	if o.Market != "" {
		pair, err := market.ParsePair(o.Market)
		if err != nil {
			return usageErrorf("--market: %v", err)
		}
		q.Market = pair.String()
	}
	for _, h := range o.Markouts {
		if strings.TrimSpace(h) == "" {
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(h))
		if err != nil || d < 0 || d > 24*time.Hour {
			return usageErrorf("--markout %q: want durations between 0s and 24h such as 1s,10s,60s", h)
		}
		q.Markouts = append(q.Markouts, d)
	}
	if o.Plot != "" && !strings.HasSuffix(strings.ToLower(o.Plot), ".png") && !strings.HasSuffix(strings.ToLower(o.Plot), ".svg") {
		return usageErrorf("--plot %s: want a .png or .svg file", o.Plot)
	}
	o.query = q
	return nil
}

func pnlRun(ctx context.Context, opts *PnLOptions) error {
	j, err := journal.OpenReadOnly(ctx, opts.JournalPath)
	if err != nil {
		return err
	}
	defer j.Close(ctx)
	report, err := analysis.LoadPnL(ctx, j, opts.query)
	if err != nil {
		return err
	}
	if opts.Plot != "" && len(report.Markets) > 0 {
		curves := map[string][]analysis.CurvePoint{}
		for _, m := range report.Markets {
			curves[m.Connector+" "+m.Market] = m.Replay.Curve
		}
		if err := analysis.PlotCurves(opts.Plot, "mm pnl: cumulative PnL", curves); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "wrote %s\n", opts.Plot)
	}
	return renderPnL(opts, report)
}
