package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/journal/interchange"
	"github.com/mmtoolkit/mm/market"
)

// JournalImportOptions are the inputs of mm journal import.
type JournalImportOptions struct {
	*GlobalOptions

	FillsPath      string
	MarksPath      string
	BalancesPath   string
	HedgeFillsPath string
	HedgeMarksPath string
	FundingPath    string
	Connector      string
	Account        string
	Market         string

	connectorGiven bool
}

// Default connectors of imported rows that name none: CSV rows are "import"; Binance myTrades JSON is "binance",
// the connector name mm's Binance plugin journals under, so a later reconcile recognises the same trades.
const (
	defaultImportConnector  = "import"
	defaultBinanceConnector = "binance"
	defaultImportAccount    = "main"
)

// NewCmdJournalImport builds `mm journal import`; runF replaces the run function in tests.
func NewCmdJournalImport(global *GlobalOptions, runF func(context.Context, *JournalImportOptions) error) *cobra.Command {
	opts := &JournalImportOptions{GlobalOptions: global}
	cmd := &cobra.Command{
		Use:   "import [--fills FILE] [--marks FILE] [--balances FILE] [--hedge-fills FILE] [--hedge-marks FILE] [--funding FILE]",
		Short: "Import fills, marks, balances and hedges from CSV (or Binance myTrades JSON) into the journal",
		Long: `Import fills, marks and balance snapshots into the journal (created if missing), so that history and pnl
work on trades mm did not make. The formats are in docs/CSV.md: a header row is required, columns may come in any
order and their names are case-insensitive; timestamps are RFC 3339 or Unix milliseconds. A --fills file that ends
in .json or starts with '[' is read as the JSON array of Binance spot GET /api/v3/myTrades; its symbols are split
with --market, or at the longest known quote asset (USDT, USDC, FDUSD, BTC, ETH, BNB, EUR, ...). "-" reads stdin.

Hedges (perpetuals, futures) are imported the same way: --hedge-fills (trades in contracts, with the contract terms:
linear or inverse, contract size or face value, quote and settlement asset), --hedge-marks (the instrument's mark
price over time, which values an open hedge position) and --funding (payments, positive received). Their venue is
the venue column, or --connector.

Every file is parsed and checked before anything is written, and everything is written in one transaction: bad
input exits 2 naming the file, row, line and column, with nothing written. Importing is idempotent: a fill is
identified by (connector, market, trade_id), and a row without trade_id gets an id derived from its content, so
importing the same file twice stores each fill once; identical marks and balances are skipped too.

The summary (table, json or csv) lists each file with its rows and how many records were new or duplicates.

` + exitStatusHelp,
		Example: `  # fills, the marks around them and a starting balance snapshot
  mm journal import --fills fills.csv --marks marks.csv --balances balances.csv

  # Binance myTrades JSON, saved from GET /api/v3/myTrades?symbol=BTCUSDT
  mm journal import --fills trades.json --market BTC-USDT -o json

  # another bot's export on stdin, journaled under its own connector name
  other-bot export | mm journal import --fills - --connector kraken

  # a coin-margined hedge: trades, the perpetual's mark price and its funding payments
  mm journal import --hedge-fills hedge.csv --hedge-marks hedge_marks.csv --funding funding.csv --connector deribit`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.connectorGiven = cmd.Flags().Changed("connector")
			if err := opts.Finalize(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return journalImportRun(cmd.Context(), opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.FillsPath, "fills", "", "fills CSV, or Binance myTrades JSON (.json); - for stdin")
	flags.StringVar(&opts.MarksPath, "marks", "", "marks CSV: timestamp, market, mid[, best_bid, best_ask]")
	flags.StringVar(&opts.BalancesPath, "balances", "", "balances CSV: timestamp, asset, total[, available]")
	flags.StringVar(&opts.HedgeFillsPath, "hedge-fills", "",
		"hedge fills CSV: timestamp, instrument, side, price, amount (contracts), fee, fee_asset[, contract terms]")
	flags.StringVar(&opts.HedgeMarksPath, "hedge-marks", "", "hedge marks CSV: timestamp, instrument, mark")
	flags.StringVar(&opts.FundingPath, "funding", "", "funding CSV: timestamp, instrument, amount (+ received), asset")
	flags.StringVar(&opts.Connector, "connector", defaultImportConnector,
		`connector of rows without a connector column, venue of hedge rows without a venue column (Binance JSON: default "binance")`)
	flags.StringVar(&opts.Account, "account", defaultImportAccount, "account of balance rows without an account column")
	flags.StringVar(&opts.Market, "market", "", "Binance JSON: the market BASE-QUOTE its symbol spells")
	return cmd
}

// importFlags are the input file flags, in the order of paths in Finalize, for its errors.
const importFlags = "--fills, --marks, --balances, --hedge-fills, --hedge-marks, --funding"

// Finalize checks the flags: at least one file, stdin used at most once, names not empty.
func (o *JournalImportOptions) Finalize() error {
	paths := []string{o.FillsPath, o.MarksPath, o.BalancesPath, o.HedgeFillsPath, o.HedgeMarksPath, o.FundingPath}
	given, stdin := 0, 0
	for _, p := range paths {
		if p != "" {
			given++
		}
		if p == "-" {
			stdin++
		}
	}
	switch {
	case given == 0:
		return usageErrorf("mm journal import needs at least one of %s", importFlags)
	case stdin > 1:
		return usageErrorf("only one of %s can read stdin (-)", importFlags)
	case o.Connector == "":
		return usageErrorf("--connector must not be empty")
	case o.Account == "":
		return usageErrorf("--account must not be empty")
	}
	if o.Market != "" {
		if _, err := market.ParsePair(o.Market); err != nil {
			return usageErrorf("--market: %v", err)
		}
	}
	return nil
}

// importFile is one input file and what became of it.
type importFile struct {
	// rows maps a record of the file to its data row when they are not one to one (hedge instruments: the row
	// that first gave the terms); nil means record i is row i.
	rows      []int
	File      string `json:"file"`
	Kind      string `json:"kind"`   // fills, marks, balances, hedge_instruments, hedge_fills, hedge_marks or funding
	Format    string `json:"format"` // csv or binance-json
	Rows      int    `json:"rows"`
	New       int    `json:"new"`
	Duplicate int    `json:"duplicate"`
}

type importSummary struct {
	Files []importFile `json:"files"`
}

func journalImportRun(ctx context.Context, opts *JournalImportOptions) error {
	batch, summary, err := readImportFiles(opts)
	if err != nil {
		var inputErr *interchange.InputError
		if errors.As(err, &inputErr) {
			return &ExitError{Code: exitUsage, Err: err}
		}
		return err
	}
	j, err := journal.Open(ctx, opts.JournalPath)
	if err != nil {
		return err
	}
	result, err := j.Import(ctx, batch)
	if errors.Is(err, journal.ErrInvalidRecord) {
		j.Discard(context.WithoutCancel(ctx)) //nolint:errcheck // the refusal is the error to report
		return &ExitError{Code: exitUsage, Err: locateRecordError(summary, err)}
	}
	if closeErr := j.Close(context.WithoutCancel(ctx)); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	counts := map[string]journal.ImportCounts{"fills": result.Fills, "marks": result.Marks,
		"balances": result.Balances, "hedge_instruments": result.HedgeInstruments, "hedge_fills": result.HedgeFills,
		"hedge_marks": result.HedgeMarks, "funding": result.Funding}
	for i := range summary.Files {
		c := counts[summary.Files[i].Kind]
		summary.Files[i].New, summary.Files[i].Duplicate = c.New, c.Duplicate
	}
	return renderImportSummary(opts, summary)
}

// recordFiles are the summary kinds of the files each kind of journal.ImportRecordError comes from.
var recordFiles = map[string]string{journal.KindHedgeInstrument: "hedge_instruments",
	journal.KindHedgeFill: "hedge_fills", journal.KindHedgeMark: "hedge_marks", journal.KindFunding: "funding"}

// locateRecordError turns a record the journal refused into an error naming the file, row and column it came from,
// like the readers' errors; other errors are returned as they are.
func locateRecordError(summary importSummary, err error) error {
	var recErr *journal.ImportRecordError
	if !errors.As(err, &recErr) {
		return err
	}
	for _, f := range summary.Files {
		if f.Kind != recordFiles[recErr.Kind] {
			continue
		}
		row := recErr.Index
		if f.rows != nil && row >= 1 && row <= len(f.rows) {
			row = f.rows[row-1]
		}
		return &interchange.InputError{File: f.File, Row: row, Column: recErr.Column, Msg: recErr.Reason()}
	}
	return err
}

// readImportFiles parses every given file before the journal is touched, so bad input writes nothing (and does not
// even create the journal).
func readImportFiles(opts *JournalImportOptions) (journal.ImportBatch, importSummary, error) {
	var (
		batch   journal.ImportBatch
		summary importSummary
	)
	parseOpts := interchange.Options{Connector: opts.Connector, Account: opts.Account}
	if opts.Market != "" {
		pair, _ := market.ParsePair(opts.Market) // checked by Finalize
		parseOpts.Market = &pair
	}
	// Each reader parses one file into the batch and returns its format and row count.
	sources := []struct {
		path, kind string
		read       func(name string, r *bufio.Reader, opts interchange.Options) (format string, rows int, err error)
	}{
		{opts.FillsPath, "fills", func(name string, r *bufio.Reader, parseOpts interchange.Options) (_ string, _ int, err error) {
			if head, _ := r.Peek(512); interchange.LooksLikeJSON(name, head) {
				jsonOpts := parseOpts
				if !opts.connectorGiven {
					jsonOpts.Connector = defaultBinanceConnector
				}
				batch.Fills, err = interchange.ReadBinanceTrades(name, r, jsonOpts)
				return "binance-json", len(batch.Fills), err
			}
			batch.Fills, err = interchange.ReadFills(name, r, parseOpts)
			return "csv", len(batch.Fills), err
		}},
		{opts.MarksPath, "marks", func(name string, r *bufio.Reader, parseOpts interchange.Options) (_ string, _ int, err error) {
			batch.Marks, err = interchange.ReadMarks(name, r, parseOpts)
			return "csv", len(batch.Marks), err
		}},
		{opts.BalancesPath, "balances", func(name string, r *bufio.Reader, parseOpts interchange.Options) (_ string, _ int, err error) {
			batch.Balances, err = interchange.ReadBalances(name, r, parseOpts)
			return "csv", len(batch.Balances), err
		}},
		{opts.HedgeFillsPath, "hedge_fills", func(name string, r *bufio.Reader, parseOpts interchange.Options) (_ string, _ int, err error) {
			hedge, err := interchange.ReadHedgeFills(name, r, parseOpts)
			batch.HedgeFills, batch.HedgeInstruments = hedge.Fills, hedge.Instruments
			if err == nil && len(hedge.Instruments) > 0 {
				// The contract terms the file gave get a summary line of their own.
				summary.Files = append(summary.Files, importFile{File: name, Kind: "hedge_instruments", Format: "csv",
					Rows: len(hedge.Instruments), rows: hedge.InstrumentRows})
			}
			return "csv", len(batch.HedgeFills), err
		}},
		{opts.HedgeMarksPath, "hedge_marks", func(name string, r *bufio.Reader, parseOpts interchange.Options) (_ string, _ int, err error) {
			batch.HedgeMarks, err = interchange.ReadHedgeMarks(name, r, parseOpts)
			return "csv", len(batch.HedgeMarks), err
		}},
		{opts.FundingPath, "funding", func(name string, r *bufio.Reader, parseOpts interchange.Options) (_ string, _ int, err error) {
			batch.Funding, err = interchange.ReadFunding(name, r, parseOpts)
			return "csv", len(batch.Funding), err
		}},
	}
	for _, source := range sources {
		if source.path == "" {
			continue
		}
		err := withInput(opts, source.path, func(name string, r *bufio.Reader, rowsHint int) error {
			fileOpts := parseOpts
			fileOpts.RowsHint = rowsHint
			format, rows, err := source.read(name, r, fileOpts)
			summary.Files = append(summary.Files, importFile{File: name, Kind: source.kind, Format: format, Rows: rows})
			return err
		})
		if err != nil {
			return batch, summary, err
		}
	}
	return batch, summary, nil
}

// withInput opens path ("-" is stdin) and hands it to read under the name errors should use, with the file's line
// count as a hint of how many rows it holds (0 for stdin).
func withInput(opts *JournalImportOptions, path string, read func(name string, r *bufio.Reader, rowsHint int) error) error {
	if path == "-" {
		return read("stdin", bufio.NewReaderSize(opts.IO.In, 1<<16), 0)
	}
	file, err := os.Open(path)
	if err != nil {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import: %w", err)}
	}
	defer file.Close()
	lines, err := countLines(file)
	if err != nil {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("import: read %s: %w", path, err)}
	}
	return read(path, bufio.NewReaderSize(file, 1<<16), lines)
}

// countLines counts the newlines of a file and rewinds it. Reading a file twice costs far less than growing the
// record slice of a million-row import step by step.
func countLines(file *os.File) (int, error) {
	buf := make([]byte, 1<<20)
	lines := 0
	for {
		n, err := file.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	_, err := file.Seek(0, io.SeekStart)
	return lines, err
}

func renderImportSummary(opts *JournalImportOptions, summary importSummary) error {
	out := opts.IO.Out
	if opts.Output == outputJSON {
		return writeJSON(out, summary)
	}
	t := Table{Header: []string{"file", "kind", "format", "rows", "new", "duplicate"},
		Right: map[int]bool{3: true, 4: true, 5: true}}
	for _, f := range summary.Files {
		t.Rows = append(t.Rows, []string{f.File, f.Kind, f.Format, strconv.Itoa(f.Rows), strconv.Itoa(f.New),
			strconv.Itoa(f.Duplicate)})
	}
	if opts.Output == outputCSV {
		return t.WriteCSV(out)
	}
	return t.Render(out)
}
