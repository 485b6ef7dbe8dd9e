package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
)

// JournalMigrateOptions are the inputs of mm journal migrate.
type JournalMigrateOptions struct {
	*GlobalOptions
}

// NewCmdJournalMigrate builds `mm journal migrate`; runF replaces the run function in tests.
func NewCmdJournalMigrate(global *GlobalOptions, runF func(context.Context, *JournalMigrateOptions) error) *cobra.Command {
	opts := &JournalMigrateOptions{GlobalOptions: global}
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring an existing journal to this mm's schema version",
		Long: `Migrate an existing journal to the schema this mm writes. Read-only commands (history, pnl, journal check,
journal export) never migrate, so a journal written by an older mm must be migrated once: by this command or by
any writing command (mm run, mm journal import). The journal is first copied beside itself as <journal>.bak-v<N>
(migrations only go forward), then every migration runs in its own transaction. A journal that is already current
is left alone; a missing one is an error (nothing is created).

` + exitStatusHelp,
		Example: `  mm journal migrate --journal /var/lib/mm/btc.db`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return journalMigrateRun(cmd.Context(), opts)
		},
	}
}

func journalMigrateRun(ctx context.Context, opts *JournalMigrateOptions) error {
	ro, err := journal.OpenReadOnly(ctx, opts.JournalPath)
	if err == nil {
		version, verr := ro.SchemaVersion(ctx)
		ro.Close(ctx)
		if verr != nil {
			return verr
		}
		fmt.Fprintf(opts.IO.Out, "%s: schema v%d, already current\n", opts.JournalPath, version)
		return nil
	}
	if !errors.Is(err, journal.ErrTooOld) {
		return err
	}
	j, err := journal.Open(ctx, opts.JournalPath)
	if err != nil {
		return err
	}
	version, err := j.SchemaVersion(ctx)
	if cerr := j.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	backup := j.MigrationBackup()
	fmt.Fprintf(opts.IO.Out, "%s: migrated to schema v%d; the journal as it was is kept as %s\n",
		opts.JournalPath, version, backup)
	return nil
}
