package main

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/analysis"
	"github.com/mmtoolkit/mm/journal"
)

// HistoryOptions are the inputs of mm history.
type HistoryOptions struct {
	*GlobalOptions

	windowFlags
	Verbose   bool
	Precision int
	Price     *decimalFlag

	now   func() time.Time
	query analysis.HistoryQuery
}

// NewCmdHistory builds `mm history`; runF replaces the run function in tests.
func NewCmdHistory(global *GlobalOptions, runF func(context.Context, *HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{GlobalOptions: global, Price: newDecimalFlag(""), now: time.Now}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Past trades and how each asset's balance changed, with performance figures",
		Long: `Report the trades in the journal and, per connector and market, how the balances changed and what it
earned, with Hummingbot's definitions: trade counts and volumes (buys +base/−quote, sells −base/+quote), average
prices, start and current balances, base share, hold value (start balances at the current price), current value,
trade P&L (current − hold), fees per asset and in quote, total P&L (trade P&L − fees) and return % (total / hold).

Differences from Hummingbot, on purpose: start balances are the latest balance snapshot at or before the window's
first trade (current minus traded volume, as Hummingbot does, only when there is none — labelled "inferred");
with a recorded start the balances already include fees, so trade P&L adds them back and total P&L is current −
hold; every trade is reported (no 100-trade cap); a fee in an asset with no known rate is shown unpriced, never
valued at 1. The current price is --price, else the journal's latest mark, else the last trade's price.

Numbers in the table use Hummingbot's smart rounding (truncation to a step by magnitude) unless --precision is
given; JSON and CSV carry exact decimals as strings.

` + exitStatusHelp,
		Example: `  mm history
  mm history --days 1 --market BTC-USDT --verbose
  mm history --since 2026-11-01 --until 2026-11-08 -o json
  mm history --run 42 --price 61000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Finalize(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return historyRun(cmd.Context(), opts)
		},
	}
	flags := cmd.Flags()
	opts.addFlags(flags, "trades")
	flags.BoolVarP(&opts.Verbose, "verbose", "v", false, "list every trade (no cap)")
	flags.IntVarP(&opts.Precision, "precision", "p", -1, "decimals of the table's numbers (default: Hummingbot's smart rounding)")
	flags.Var(opts.Price, "price", "current price of the market (default: the journal's latest mark)")
	return cmd
}

// Finalize validates the flags and builds the query.
func (o *HistoryOptions) Finalize() error {
	switch {
	case o.Precision < -1 || o.Precision > 18:
		return usageErrorf("--precision must be between 0 and 18 (got %d)", o.Precision)
	case o.Price.set && o.Price.value.Sign() <= 0:
		return usageErrorf("--price must be > 0 (got %s)", o.Price.value)
	}
	w, err := o.resolve(o.now())
	if err != nil {
		return err
	}
	q := analysis.HistoryQuery{Connector: w.Connector, Market: w.Market, RunID: w.RunID, Since: w.Since, Until: w.Until}
	if o.Price.set {
		q.Price = decimal.NewNullDecimal(o.Price.value)
	}
	o.query = q
	return nil
}

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	j, err := journal.OpenReadOnly(ctx, opts.JournalPath)
	if err != nil {
		return err
	}
	defer j.Close(ctx)
	report, err := analysis.LoadHistory(ctx, j, opts.query, opts.Verbose)
	if errors.Is(err, analysis.ErrPriceNeedsOneMarket) {
		return usageErrorf("--price: %v", err)
	}
	if err != nil {
		return err
	}
	return renderHistory(opts, report)
}
