package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/journal/interchange"
	"github.com/mmtoolkit/mm/market"
)

// JournalExportOptions are the inputs of mm journal export.
type JournalExportOptions struct {
	*GlobalOptions

	What       string
	Market     string
	Connector  string
	Account    string
	Instrument string
	RunID      int64
	SinceText  string
	UntilText  string
	OutPath    string

	since, until time.Time
}

// exportKind is one kind of record export writes (--what) and the filter flag it takes besides --connector, --run,
// --since and --until, which all take. A filter flag given to a kind it does not apply to is refused rather than
// ignored, so that `--what balances --market BTC-USDT` does not silently export every balance.
type exportKind struct {
	what, filter string
}

var exportKinds = []exportKind{
	{"fills", "market"}, {"orders", "market"}, {"marks", "market"}, {"balances", "account"},
	{"hedge-fills", "instrument"}, {"hedge-marks", "instrument"}, {"funding", "instrument"},
}

func exportKindNames() []string {
	names := make([]string, len(exportKinds))
	for i, k := range exportKinds {
		names[i] = k.what
	}
	return names
}

// exportKindList names the kinds as help and errors do: "fills, orders, ... or funding".
func exportKindList() string {
	names := exportKindNames()
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// NewCmdJournalExport builds `mm journal export`; runF replaces the run function in tests.
func NewCmdJournalExport(global *GlobalOptions, runF func(context.Context, *JournalExportOptions) error) *cobra.Command {
	opts := &JournalExportOptions{GlobalOptions: global}
	cmd := &cobra.Command{
		Use:   "export --what fills|orders|marks|balances|hedge-fills|hedge-marks|funding",
		Short: "Export fills, orders, marks, balances or hedges as CSV, complete",
		Long: `Write every record of one kind that matches the filters as CSV, to stdout or --out. Nothing is capped or
sampled. Fills, marks, balances, hedge fills, hedge marks and funding use the column names of mm journal import
(docs/CSV.md), so an export imports back unchanged; hedge fills carry their instrument's contract terms on every
row, so they import into an empty journal (import hedge marks and funding with them or after them). Orders carry
every column of the journal's orders table. Decimals are written exactly as stored, times as RFC 3339 UTC with
milliseconds. Run ids, and the kind of a balance snapshot, are not exported.

Filters: --connector (the venue, for hedge rows) and --run for every kind; --market for fills, orders and marks;
--account for balances; --instrument for hedge fills, hedge marks and funding. The window is --since ≤ time <
--until (for orders, their creation time); both take RFC 3339, Unix milliseconds or a date (2026-11-22, midnight
UTC).

--out writes to a temporary file beside FILE and renames it when complete, so FILE never holds a partial export.
The journal is opened read-only; export works while mm run writes.

` + exitStatusHelp,
		Example: `  # every fill, to a file
  mm journal export --what fills --out fills.csv

  # one run's orders
  mm journal export --what orders --run 3

  # a day of BTC-USDT marks
  mm journal export --what marks --market BTC-USDT --since 2026-11-22 --until 2026-11-23 > marks.csv

  # a hedge, complete: its trades with their contract terms, its marks and its funding
  mm journal export --what hedge-fills --instrument BTC-PERPETUAL --out hedge.csv
  mm journal export --what hedge-marks --instrument BTC-PERPETUAL --out hedge_marks.csv
  mm journal export --what funding --instrument BTC-PERPETUAL --out funding.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Finalize(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return journalExportRun(cmd.Context(), opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.What, "what", "", "what to export: "+exportKindList()+" (required)")
	flags.StringVar(&opts.Market, "market", "", "only this market BASE-QUOTE (fills, orders, marks)")
	flags.StringVar(&opts.Connector, "connector", "", "only this connector (hedge rows: this venue)")
	flags.StringVar(&opts.Account, "account", "", "only this account (balances)")
	flags.StringVar(&opts.Instrument, "instrument", "", "only this hedge instrument (hedge-fills, hedge-marks, funding)")
	flags.Int64Var(&opts.RunID, "run", 0, "only rows of this run id")
	flags.StringVar(&opts.SinceText, "since", "", "only rows at or after this time")
	flags.StringVar(&opts.UntilText, "until", "", "only rows before this time")
	flags.StringVar(&opts.OutPath, "out", "", "write to FILE instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("what", fixedCompletion(exportKindNames()...))
	return cmd
}

// Finalize checks the flags and parses the window.
func (o *JournalExportOptions) Finalize() error {
	if o.What == "" {
		return usageErrorf("--what is required: %s", exportKindList())
	}
	i := slices.IndexFunc(exportKinds, func(k exportKind) bool { return k.what == o.What })
	if i < 0 {
		return usageErrorf("--what %q: want %s", o.What, exportKindList())
	}
	kind := exportKinds[i]
	for _, f := range []struct{ flag, value string }{
		{"market", o.Market}, {"account", o.Account}, {"instrument", o.Instrument},
	} {
		if f.value != "" && f.flag != kind.filter {
			return usageErrorf("--%s does not apply to --what %s; its filters are --%s, --connector, --run, --since "+
				"and --until", f.flag, o.What, kind.filter)
		}
	}
	if o.Output == outputJSON {
		return usageErrorf("mm journal export writes CSV only; -o json is not supported")
	}
	if o.Market != "" {
		pair, err := market.ParsePair(o.Market)
		if err != nil {
			return usageErrorf("--market: %v", err)
		}
		o.Market = pair.String() // the journal stores markets upper-case
	}
	if o.RunID < 0 {
		return usageErrorf("--run must be a run id ≥ 1 (got %d)", o.RunID)
	}
	var err error
	if o.since, err = parseWindowTime("--since", o.SinceText); err != nil {
		return err
	}
	if o.until, err = parseWindowTime("--until", o.UntilText); err != nil {
		return err
	}
	if !o.since.IsZero() && !o.until.IsZero() && !o.since.Before(o.until) {
		return usageErrorf("--since %s is not before --until %s", o.SinceText, o.UntilText)
	}
	return nil
}

// parseWindowTime reads --since/--until (see parseTime); empty means no bound.
func parseWindowTime(flag, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	t, err := parseTime(value)
	if err != nil {
		return time.Time{}, usageErrorf("%s: %v", flag, err)
	}
	return t, nil
}

func journalExportRun(ctx context.Context, opts *JournalExportOptions) error {
	j, err := journal.OpenReadOnly(ctx, opts.JournalPath)
	if err != nil {
		return err
	}
	defer j.Close(ctx)
	write := streamExport(ctx, j, opts)
	if opts.OutPath == "" {
		out := bufio.NewWriterSize(opts.IO.Out, 1<<16)
		if err := write(out); err != nil {
			return err
		}
		return out.Flush()
	}
	return writeFileAtomically(opts.OutPath, write)
}

// streamExport returns the writer of an export: it scans the journal while it writes, one row at a time, so the
// export's size is not bounded by memory. A read error midway leaves a partial stdout (and exit 1); --out is still
// all or nothing.
func streamExport(ctx context.Context, j *journal.Journal, opts *JournalExportOptions) func(io.Writer) error {
	hedges := journal.HedgeFilter{Venue: opts.Connector, Instrument: opts.Instrument, RunID: opts.RunID,
		Since: opts.since, Until: opts.until}
	fills := journal.FillFilter{Connector: opts.Connector, Market: opts.Market, RunID: opts.RunID,
		Since: opts.since, Until: opts.until}
	switch opts.What {
	case "fills":
		return streamRows(interchange.NewFillWriter, func(fn func(*journal.Fill) error) error {
			return j.ScanFillRows(ctx, fills, fn)
		})
	case "orders":
		return streamRows(interchange.NewOrderWriter, func(fn func(*journal.Order) error) error {
			return j.ScanOrders(ctx, journal.OrderFilter{Connector: opts.Connector, Market: opts.Market,
				RunID: opts.RunID, Since: opts.since, Until: opts.until}, fn)
		})
	case "marks":
		return streamRows(interchange.NewMarkWriter, func(fn func(*journal.Mark) error) error {
			return j.ScanMarkRows(ctx, journal.MarkFilter(fills), fn)
		})
	case "balances":
		return streamRows(interchange.NewBalanceWriter, func(fn func(*journal.Balance) error) error {
			return j.ScanBalances(ctx, journal.BalanceFilter{Connector: opts.Connector, Account: opts.Account,
				RunID: opts.RunID, Since: opts.since, Until: opts.until}, fn)
		})
	case "hedge-fills":
		return streamRows(interchange.NewHedgeFillWriter, func(fn func(*journal.HedgeFillWithTerms) error) error {
			return j.ScanHedgeFillsWithTerms(ctx, hedges, fn)
		})
	case "hedge-marks":
		return streamRows(interchange.NewHedgeMarkWriter, func(fn func(*journal.HedgeMark) error) error {
			return j.ScanHedgeMarks(ctx, hedges, fn)
		})
	default: // funding; Finalize accepts no other kind
		return streamRows(interchange.NewFundingWriter, func(fn func(*journal.Funding) error) error {
			return j.ScanFunding(ctx, hedges, fn)
		})
	}
}

// streamRows is an export's writer: the header, then every record scan yields, then a flush.
func streamRows[T any](newWriter func(io.Writer) (*interchange.Writer[T], error),
	scan func(func(*T) error) error) func(io.Writer) error {
	return func(w io.Writer) error {
		rows, err := newWriter(w)
		if err != nil {
			return err
		}
		if err := scan(rows.Write); err != nil {
			return err
		}
		return rows.Flush()
	}
}

// writeFileAtomically writes through a temporary file in the target's directory (mode 0600: exports hold trades)
// and renames it over path only when everything was written and synced.
func writeFileAtomically(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err // the temporary name would only confuse
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buffered := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(buffered); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err := errors.Join(buffered.Flush(), tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
