package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// IOStreams are the process's standard streams, injected so tests drive commands in-process.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// GlobalOptions are the flags every command shares (DESIGN.md §1).
type GlobalOptions struct {
	IO          IOStreams
	JournalPath string
	Output      OutputFormat
	LogLevel    slog.Level
	LogFormat   logFormat
	Logger      *slog.Logger
	Getenv      func(string) string
}

// Main runs mm with args and returns the process exit code. Errors are printed once, here, as
// "mm: <message>"; usage errors add a pointer to --help.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, a second one gets the default behaviour: immediate exit.
		<-ctx.Done()
		stop()
	}()

	opts := &GlobalOptions{IO: IOStreams{In: stdin, Out: stdout, ErrOut: stderr}, Getenv: os.Getenv}
	root := NewRootCmd(opts)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil {
		fmt.Fprintf(stderr, "mm: %s\n", oneLine(err.Error()))
		if code == exitUsage && isCobraUsageError(err) {
			fmt.Fprintln(stderr, "Run 'mm --help' for usage.")
		}
	}
	return code
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

// NewRootCmd builds a fresh command tree; tests build one per case.
func NewRootCmd(opts *GlobalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "mm",
		Short: "Inventory-aware market making with a trade journal that explains the profit",
		Long: `mm runs a Hummingbot-style pure market maker with inventory-risk controls, records everything in a
SQLite trade journal, and answers afterwards whether the profit came from the spread or from the price moving.

` + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return opts.finalize(cmd)
		},
	}
	root.SetIn(opts.IO.In)
	root.SetOut(opts.IO.Out)
	root.SetErr(opts.IO.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: exitUsage, Err: err}
	})

	defaultJournal := "./mm.db"
	if env := opts.Getenv("MM_JOURNAL"); env != "" {
		defaultJournal = env
	}
	opts.Output = outputTable
	opts.LogLevel = slog.LevelInfo
	opts.LogFormat = logText
	flags := root.PersistentFlags()
	flags.StringVar(&opts.JournalPath, "journal", defaultJournal, "journal file (env MM_JOURNAL)")
	flags.VarP(&opts.Output, "output", "o", "output format: table, json or csv")
	flags.TextVar(&opts.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	flags.Var(&opts.LogFormat, "log-format", "log format on stderr: text or json")
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table\taligned table for people", "json\tone JSON document", "csv\tcomma-separated rows"},
			cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.RegisterFlagCompletionFunc("log-format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp
	})

	root.AddCommand(
		NewCmdVersion(opts, nil),
		NewCmdSkewCalc(opts, nil),
		NewCmdJournal(opts),
		NewCmdPlugins(opts),
		NewCmdHistory(opts, nil),
		NewCmdPnL(opts, nil),
		NewCmdConfig(opts),
		NewCmdRun(opts, nil),
	)
	return root
}

// finalize builds the logger once flags are parsed.
func (o *GlobalOptions) finalize(_ *cobra.Command) error {
	handlerOpts := &slog.HandlerOptions{Level: o.LogLevel}
	var handler slog.Handler = slog.NewTextHandler(o.IO.ErrOut, handlerOpts)
	if o.LogFormat == logJSON {
		handler = slog.NewJSONHandler(o.IO.ErrOut, handlerOpts)
	}
	o.Logger = slog.New(handler)
	return nil
}

type logFormat string

const (
	logText logFormat = "text"
	logJSON logFormat = "json"
)

func (f *logFormat) String() string { return string(*f) }
func (f *logFormat) Type() string   { return "format" }
func (f *logFormat) Set(s string) error {
	switch logFormat(s) {
	case logText, logJSON:
		*f = logFormat(s)
		return nil
	}
	return errors.New("must be text or json")
}
