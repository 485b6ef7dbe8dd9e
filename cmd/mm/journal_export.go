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
	"time"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/journal/interchange"
	"github.com/mmtoolkit/mm/market"
)

// JournalExportOptions are the inputs of mm journal export.
type JournalExportOptions struct {
	*GlobalOptions

	What      string
	Market    string
	Connector string
	RunID     int64
	SinceText string
	UntilText string
	OutPath   string

	since, until time.Time
}

// NewCmdJournalExport builds `mm journal export`; runF replaces the run function in tests.
func NewCmdJournalExport(global *GlobalOptions, runF func(context.Context, *JournalExportOptions) error) *cobra.Command {
	opts := &JournalExportOptions{GlobalOptions: global}
	cmd := &cobra.Command{
		Use:   "export --what fills|orders|marks",
		Short: "Export fills, orders or marks as CSV, complete",
		Long: `Write every fill, order or mark of the journal that matches the filters as CSV, to stdout or --out. Nothing
is capped or sampled. Fills and marks use the column names of mm journal import (docs/CSV.md), so an export imports
back unchanged; orders carry every column of the journal's orders table. Decimals are written exactly as stored,
times as RFC 3339 UTC with milliseconds. The window is --since ≤ time < --until (for orders, their creation time);
both take RFC 3339, Unix milliseconds or a date (2026-11-22, midnight UTC).

--out writes to a temporary file beside FILE and renames it when complete, so FILE never holds a partial export.
The journal is opened read-only; export works while mm run writes.

` + exitStatusHelp,
		Example: `  # every fill, to a file
  mm journal export --what fills --out fills.csv

  # one run's orders
  mm journal export --what orders --run 3

  # a day of BTC-USDT marks
  mm journal export --what marks --market BTC-USDT --since 2026-11-22 --until 2026-11-23 > marks.csv`,
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
	flags.StringVar(&opts.What, "what", "", "what to export: fills, orders or marks (required)")
	flags.StringVar(&opts.Market, "market", "", "only this market BASE-QUOTE")
	flags.StringVar(&opts.Connector, "connector", "", "only this connector")
	flags.Int64Var(&opts.RunID, "run", 0, "only rows of this run id")
	flags.StringVar(&opts.SinceText, "since", "", "only rows at or after this time")
	flags.StringVar(&opts.UntilText, "until", "", "only rows before this time")
	flags.StringVar(&opts.OutPath, "out", "", "write to FILE instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("what", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"fills", "orders", "marks"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// Finalize checks the flags and parses the window.
func (o *JournalExportOptions) Finalize() error {
	switch o.What {
	case "fills", "orders", "marks":
	case "":
		return usageErrorf("--what is required: fills, orders or marks")
	default:
		return usageErrorf("--what %q: want fills, orders or marks", o.What)
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
	var write func(io.Writer) error
	switch opts.What {
	case "fills":
		fills, err := j.Fills(ctx, journal.FillFilter{Connector: opts.Connector, Market: opts.Market,
			RunID: opts.RunID, Since: opts.since, Until: opts.until})
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return interchange.WriteFills(w, fills) }
	case "orders":
		orders, err := j.Orders(ctx, journal.OrderFilter{Connector: opts.Connector, Market: opts.Market,
			RunID: opts.RunID, Since: opts.since, Until: opts.until})
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return interchange.WriteOrders(w, orders) }
	default:
		marks, err := j.Marks(ctx, journal.MarkFilter{Connector: opts.Connector, Market: opts.Market,
			RunID: opts.RunID, Since: opts.since, Until: opts.until})
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return interchange.WriteMarks(w, marks) }
	}
	if opts.OutPath == "" {
		out := bufio.NewWriterSize(opts.IO.Out, 1<<16)
		if err := write(out); err != nil {
			return err
		}
		return out.Flush()
	}
	return writeFileAtomically(opts.OutPath, write)
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
