package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/plugins/host"
)

const pluginsHelp = `Plugins are executables named mm-plugin-<name>, searched in this order: $MM_PLUGIN_DIR, ./plugins/bin, then
the directory of the mm binary; the first directory holding a name wins.

The lock file pins each plugin's SHA-256. It is ./plugins.lock (the directory you run mm from, beside
./plugins/bin and ./mm.db), or $MM_PLUGIN_LOCK, or --lock FILE. Every command that starts a plugin reads the
same file: without it plugins start unverified; with it, only pinned plugins start, and only if the binary
still matches its pin.`

// PluginsOptions are the inputs of the mm plugins subcommands.
type PluginsOptions struct {
	*GlobalOptions

	LockPath string
	// Timeout bounds each plugin's start-up and Info call in list.
	Timeout time.Duration
	// Names restricts lock to these plugins.
	Names []string

	searchPath func() []string
}

// NewCmdPlugins builds `mm plugins` and its subcommands.
func NewCmdPlugins(global *GlobalOptions) *cobra.Command {
	opts := &PluginsOptions{GlobalOptions: global, searchPath: host.SearchPath}
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List, pin and verify connector plugins",
		Long:  "List the connector plugins mm finds, pin their checksums in plugins.lock, and verify them.\n\n" + pluginsHelp,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("mm plugins needs a subcommand: %s", strings.Join(subcommandNames(cmd), ", "))
		},
	}
	cmd.PersistentFlags().StringVar(&opts.LockPath, "lock", host.LockPath(global.Getenv),
		"plugin lock file (env "+host.LockEnv+")")
	cmd.AddCommand(
		NewCmdPluginsList(opts, nil),
		NewCmdPluginsLock(opts, nil),
		NewCmdPluginsVerify(opts, nil),
	)
	return cmd
}

// NewCmdPluginsList builds `mm plugins list`; runF replaces the run function in tests.
func NewCmdPluginsList(opts *PluginsOptions, runF func(context.Context, *PluginsOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List discovered plugins with protocol version, checksum and lock status",
		Long: `List every plugin found on the search path, in search-path order: its name, the protocol version and
version it reports (each plugin is started and asked for its Info, then shut down), its path, the SHA-256 of
the binary, and its lock status: pinned (matches plugins.lock), unpinned (no entry) or mismatch (the binary
changed since it was pinned). While a lock file exists, a plugin that is not pinned and matching is not
started, here or anywhere else in mm. A plugin that fails to start is listed with its error; list still
exits 0.

Output: table (default), json (fields name, protocol_version, version, path, sha256, lock_status, error;
protocol_version is null when the plugin did not start), or csv.

` + pluginsHelp + `

` + exitStatusHelp,
		Example: `  mm plugins list
  MM_PLUGIN_DIR=./bin mm plugins list -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Timeout <= 0 {
				return usageErrorf("--timeout must be > 0 (got %s)", opts.Timeout)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pluginsListRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 10*time.Second, "limit on each plugin's start-up and Info call")
	return cmd
}

// NewCmdPluginsLock builds `mm plugins lock`; runF replaces the run function in tests.
func NewCmdPluginsLock(opts *PluginsOptions, runF func(context.Context, *PluginsOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "lock [NAME...]",
		Short: "Pin the SHA-256 of plugins in plugins.lock",
		Long: `Write the lock file. Without arguments it pins every discovered plugin and drops the pins of plugins no
longer found, so the file describes exactly what is installed; with names it pins (or re-pins) only those and
keeps the other entries. Plugins are hashed, not started. The file is replaced atomically.

Run it after installing or upgrading a plugin you trust; commit the file with your bot configs.

` + pluginsHelp + `

` + exitStatusHelp,
		Example: `  mm plugins lock
  mm plugins lock paper binance
  mm plugins lock --lock /etc/mm/plugins.lock`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pluginsLockRun(cmd.Context(), opts)
		},
	}
}

// NewCmdPluginsVerify builds `mm plugins verify`; runF replaces the run function in tests.
func NewCmdPluginsVerify(opts *PluginsOptions, runF func(context.Context, *PluginsOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check that every pinned plugin is present and matches plugins.lock",
		Long: `Check every plugin pinned in the lock file: it must be found on the search path and its SHA-256 must
equal the pin. Any missing or changed binary fails with exit status 5 and one line naming each such plugin with
the pinned and the actual checksum. Otherwise it prints the pinned plugins (and any discovered plugin that is
not pinned, which mm will refuse to start) and exits 0. Plugins are hashed, not started.

` + pluginsHelp + `

` + exitStatusHelp,
		Example: `  mm plugins verify
  mm plugins verify --lock deploy/plugins.lock && mm run --config bot.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pluginsVerifyRun(cmd.Context(), opts)
		},
	}
}

// pluginRow is one row of list. The JSON field names are a contract for scripts.
type pluginRow struct {
	Name            string `json:"name"`
	ProtocolVersion *int   `json:"protocol_version"`
	Version         string `json:"version"`
	Path            string `json:"path"`
	SHA256          string `json:"sha256"`
	LockStatus      string `json:"lock_status"`
	Error           string `json:"error"`
}

func pluginsListRun(ctx context.Context, opts *PluginsOptions) error {
	found, err := host.List(opts.searchPath())
	if err != nil {
		return err
	}
	lock, locked, err := readLockIfAny(opts.LockPath)
	if err != nil {
		return err
	}
	rows := make([]pluginRow, 0, len(found))
	for _, f := range found {
		rows = append(rows, describePlugin(ctx, opts, f, lock, locked))
	}
	table := Table{Header: []string{"NAME", "PROTOCOL", "VERSION", "LOCK", "SHA256", "PATH", "ERROR"}, Right: map[int]bool{1: true}}
	for _, r := range rows {
		protocol := ""
		if r.ProtocolVersion != nil {
			protocol = strconv.Itoa(*r.ProtocolVersion)
		}
		table.Rows = append(table.Rows, []string{r.Name, protocol, r.Version, r.LockStatus, r.SHA256, r.Path, r.Error})
	}
	return writeRows(opts, rows, table)
}

// describePlugin hashes one plugin and, when the lock file allows it to run, starts it for its Info.
func describePlugin(ctx context.Context, opts *PluginsOptions, f host.Found, lock host.Lock, locked bool) pluginRow {
	row := pluginRow{Name: f.Name, Path: f.Path, LockStatus: string(host.Unpinned)}
	sum, err := host.FileSHA256(f.Path)
	if err != nil {
		row.Error = err.Error()
		return row
	}
	row.SHA256 = hex.EncodeToString(sum)
	cfg := host.Config{Name: f.Name, Path: f.Path, Logger: opts.Logger, StartTimeout: opts.Timeout}
	if locked {
		status := lock.Status(f.Name, sum)
		row.LockStatus = string(status)
		switch status {
		case host.Unpinned:
			row.Error = fmt.Sprintf("not started: not pinned in %s (run mm plugins lock %s)", opts.LockPath, f.Name)
			return row
		case host.Mismatch:
			row.Error = fmt.Sprintf("not started: sha256 differs from the pin in %s", opts.LockPath)
			return row
		}
		cfg.Checksum = sum
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	p, err := host.Launch(ctx, cfg)
	if err != nil {
		row.Error = oneLine(err.Error())
		return row
	}
	protocol := p.Info.ProtocolVersion
	row.ProtocolVersion, row.Version = &protocol, p.Info.Version
	if err := p.Close(ctx); err != nil {
		opts.Logger.Warn("plugin did not shut down cleanly", "plugin", f.Name, "err", err)
	}
	return row
}

// lockRow is one row of lock's report.
type lockRow struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Path   string `json:"path"`
	// Change is added, updated, unchanged or removed.
	Change string `json:"change"`
}

func pluginsLockRun(_ context.Context, opts *PluginsOptions) error {
	dirs := opts.searchPath()
	old, _, err := readLockIfAny(opts.LockPath)
	if err != nil {
		return err
	}
	var targets []host.Found
	if len(opts.Names) == 0 {
		if targets, err = host.List(dirs); err != nil {
			return err
		}
		if len(targets) == 0 {
			return fmt.Errorf("%w: no plugins found in %s; nothing to lock", host.ErrUnreachable, strings.Join(dirs, ", "))
		}
	}
	for _, name := range opts.Names {
		path, err := host.Find(name, dirs)
		if err != nil {
			return err
		}
		targets = append(targets, host.Found{Name: name, Path: path})
	}

	next := host.Lock{Plugins: map[string]host.LockEntry{}}
	if len(opts.Names) > 0 {
		for name, e := range old.Plugins {
			next.Plugins[name] = e
		}
	}
	var rows []lockRow
	for _, f := range targets {
		if err := next.Pin(f.Name, f.Path); err != nil {
			return err
		}
		e := next.Plugins[f.Name]
		change := "added"
		if prev, ok := old.Plugins[f.Name]; ok {
			change = "updated"
			if prev.SHA256 == e.SHA256 {
				change = "unchanged"
			}
		}
		rows = append(rows, lockRow{Name: f.Name, SHA256: e.SHA256, Path: f.Path, Change: change})
	}
	for _, name := range sortedNames(old) {
		if _, kept := next.Plugins[name]; !kept {
			e := old.Plugins[name]
			rows = append(rows, lockRow{Name: name, SHA256: e.SHA256, Path: e.Path, Change: "removed"})
		}
	}
	if err := host.WriteLock(opts.LockPath, next); err != nil {
		return err
	}
	table := Table{Header: []string{"NAME", "CHANGE", "SHA256", "PATH"}}
	for _, r := range rows {
		table.Rows = append(table.Rows, []string{r.Name, r.Change, r.SHA256, r.Path})
	}
	return writeRows(opts, rows, table)
}

// verifyRow is one row of verify's report.
type verifyRow struct {
	Name       string `json:"name"`
	LockStatus string `json:"lock_status"`
	SHA256     string `json:"sha256"`
	Path       string `json:"path"`
}

func pluginsVerifyRun(_ context.Context, opts *PluginsOptions) error {
	lock, locked, err := readLockIfAny(opts.LockPath)
	if err != nil {
		return err
	}
	if !locked {
		return usageErrorf("no plugin lock file at %s; run mm plugins lock first", opts.LockPath)
	}
	dirs := opts.searchPath()
	var rows []verifyRow
	var problems []string
	for _, name := range sortedNames(lock) {
		pinned := lock.Plugins[name].SHA256
		path, err := host.Find(name, dirs)
		if err != nil {
			problems = append(problems, fmt.Sprintf("plugin %s: missing: pinned sha256 %s, but no executable %s%s in %s",
				name, pinned, host.BinaryPrefix, name, strings.Join(dirs, ", ")))
			continue
		}
		sum, err := host.FileSHA256(path)
		if err != nil {
			return err
		}
		if lock.Status(name, sum) != host.Pinned {
			problems = append(problems, fmt.Sprintf("plugin %s: %s has sha256 %x, but %s pins %s",
				name, path, sum, opts.LockPath, pinned))
			continue
		}
		rows = append(rows, verifyRow{Name: name, LockStatus: string(host.Pinned), SHA256: pinned, Path: path})
	}
	if len(problems) > 0 {
		return &ExitError{Code: exitUnreachable, Err: errors.New(strings.Join(problems, "; "))}
	}
	found, err := host.List(dirs)
	if err != nil {
		return err
	}
	for _, f := range found {
		if _, ok := lock.Plugins[f.Name]; ok {
			continue
		}
		sum, err := host.FileSHA256(f.Path)
		if err != nil {
			return err
		}
		rows = append(rows, verifyRow{Name: f.Name, LockStatus: string(host.Unpinned), SHA256: hex.EncodeToString(sum), Path: f.Path})
	}
	table := Table{Header: []string{"NAME", "LOCK", "SHA256", "PATH"}}
	for _, r := range rows {
		table.Rows = append(table.Rows, []string{r.Name, r.LockStatus, r.SHA256, r.Path})
	}
	return writeRows(opts, rows, table)
}

// readLockIfAny reads the lock file; a missing one is no pins (locked false), a malformed one is bad input.
func readLockIfAny(path string) (lock host.Lock, locked bool, err error) {
	lock, err = host.ReadLock(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return host.Lock{}, false, nil
	case err != nil:
		return host.Lock{}, false, &ExitError{Code: exitUsage, Err: err}
	}
	return lock, true, nil
}

func sortedNames(l host.Lock) []string {
	names := make([]string, 0, len(l.Plugins))
	for name := range l.Plugins {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// writeRows renders a report: rows as one JSON array, table as a table or CSV.
func writeRows[T any](opts *PluginsOptions, rows []T, table Table) error {
	out := opts.IO.Out
	switch opts.Output {
	case outputJSON:
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(out, rows)
	case outputCSV:
		return table.WriteCSV(out)
	}
	return table.Render(out)
}
