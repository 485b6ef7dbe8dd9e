package main

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/analysis"
	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
)

// HistoryOptions are the inputs of mm history.
type HistoryOptions struct {
	*GlobalOptions

	Days      float64
	Since     timeFlag
	Until     timeFlag
	RunID     int64
	Market    string
	Connector string
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
	flags.Float64Var(&opts.Days, "days", 0, "only trades of the last N days (fractions allowed)")
	flags.Var(&opts.Since, "since", "only trades at or after this time (RFC 3339, YYYY-MM-DD or Unix ms; UTC)")
	flags.Var(&opts.Until, "until", "only trades before this time; balances and marks are taken at it")
	flags.Int64Var(&opts.RunID, "run", 0, "only trades of this mm run (journal run id)")
	flags.StringVar(&opts.Market, "market", "", "only this market (BASE-QUOTE)")
	flags.StringVar(&opts.Connector, "connector", "", "only this connector")
	flags.BoolVarP(&opts.Verbose, "verbose", "v", false, "list every trade (no cap)")
	flags.IntVarP(&opts.Precision, "precision", "p", -1, "decimals of the table's numbers (default: Hummingbot's smart rounding)")
	flags.Var(opts.Price, "price", "current price of the market (default: the journal's latest mark)")
	return cmd
}

// Finalize validates the flags and builds the query.
func (o *HistoryOptions) Finalize() error {
	switch {
	case o.Days < 0:
		return usageErrorf("--days must be ≥ 0 (got %v)", o.Days)
	case o.Days > 0 && !o.Since.t.IsZero():
		return usageErrorf("--days and --since both set the start of the window: give one")
	case o.RunID < 0:
		return usageErrorf("--run must be a run id ≥ 1 (got %d)", o.RunID)
	case o.Precision < -1 || o.Precision > 18:
		return usageErrorf("--precision must be between 0 and 18 (got %d)", o.Precision)
	case o.Price.set && o.Price.value.Sign() <= 0:
		return usageErrorf("--price must be > 0 (got %s)", o.Price.value)
	}
	q := analysis.HistoryQuery{Connector: o.Connector, RunID: o.RunID, Since: o.Since.t, Until: o.Until.t}
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
