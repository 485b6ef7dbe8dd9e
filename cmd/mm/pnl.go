package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/analysis"
	"github.com/mmtoolkit/mm/journal"
)

// PnLOptions are the inputs of mm pnl.
type PnLOptions struct {
	*GlobalOptions

	windowFlags
	By         string
	Method     string
	Markouts   []string
	Plot       string
	Instrument string

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

  total = spread capture + inventory PnL − fees + hedge PnL + funding + fx translation

Spread capture is each fill against the mid at fill, ε·n·(m_fill − p): the edge the maker earned. Inventory PnL
is the position times every mid change, q·Δm: what holding inventory made or lost while the price moved. Fees are
a cost (maker rebates make them negative); a fee paid in the base asset is valued at the mid at fill and reduces
the inventory, a fee in a third asset is converted at the journal's latest mark.

Hedge instruments (perpetuals and futures imported with mm journal import --hedge-fills/--hedge-marks/--funding)
get rows of their own, in their quote asset: hedge PnL is the position's mark-to-market plus the edge of its fills
against the mark, gross of fees and funding. A linear contract makes N·size·(F1 − F0); an inverse (coin-margined)
contract makes N·face·(1/F0 − 1/F1) coin, valued at the contract's mark (reference/quant.md §5.2), and the coin
figures are in the hedges section. An inverse hedge account's coin is revalued at every mark: the coin basis of the
open lots goes to hedge PnL, the rest (realized coin, coin fees and funding) to fx translation, quant.md §4.3's
FX-translation term. Funding is the payments received (positive) or paid. Totals add markets and hedges of the same
quote asset. A position opened before --since is held in the window and valued at its marks, with or without fills
in it.

equity_change is each row's change of value (cash + position × mid) computed directly from the replayed
balances (a hedge's from its account's value at the row's start and end), and residual = equity_change − total,
which is exactly 0 when the attribution is right. When the journal
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
  mm pnl --by run --plot pnl.svg
  mm pnl --instrument BTC-PERPETUAL -o json   # one hedge instrument only`,
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
	opts.addFlags(flags, "fills and marks")
	flags.StringVar(&opts.By, "by", analysis.ByMarket, "rows per: market, run, day or hour (UTC)")
	flags.StringVar(&opts.Method, "method", analysis.MethodAvgCost, "realized/unrealized by: avg-cost or fifo")
	flags.StringSliceVar(&opts.Markouts, "markout", []string{"1s", "10s", "60s"}, "mark-out horizons (Go durations; empty for none)")
	flags.StringVar(&opts.Plot, "plot", "", "also draw the cumulative PnL to FILE.png or FILE.svg")
	flags.StringVar(&opts.Instrument, "instrument", "",
		"only this hedge instrument (with --market: that market and this hedge; --market alone: no hedges)")
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
	w, err := o.resolve(o.now())
	if err != nil {
		return err
	}
	q := analysis.PnLQuery{Connector: w.Connector, Market: w.Market, RunID: w.RunID, Since: w.Since, Until: w.Until,
		Instrument: o.Instrument, By: o.By, Method: o.Method}
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
	if opts.Plot != "" && !report.Empty() {
		curves := map[string][]analysis.CurvePoint{}
		for _, m := range report.Markets {
			curves[m.Connector+" "+m.Market] = m.Replay.Curve
		}
		for _, h := range report.Hedges {
			curves[h.Instrument.Venue+" "+h.Instrument.Instrument] = h.Curve
		}
		if err := analysis.PlotCurves(opts.Plot, "mm pnl: cumulative PnL", curves); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "wrote %s\n", opts.Plot)
	}
	return renderPnL(opts, report)
}
