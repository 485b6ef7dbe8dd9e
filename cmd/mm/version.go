package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
)

// version is set at build time by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

// VersionOptions holds what mm version prints.
type VersionOptions struct {
	*GlobalOptions
}

type versionInfo struct {
	Version       string `json:"version"`
	Commit        string `json:"commit,omitempty"`
	GoVersion     string `json:"go_version"`
	Platform      string `json:"platform"`
	JournalSchema int    `json:"journal_schema"`
}

// NewCmdVersion builds `mm version`; runF replaces the run function in tests.
func NewCmdVersion(global *GlobalOptions, runF func(context.Context, *VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{GlobalOptions: global}
	return &cobra.Command{
		Use:   "version",
		Short: "Print mm's version, build and journal schema version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return versionRun(cmd.Context(), opts)
		},
	}
}

func versionRun(_ context.Context, opts *VersionOptions) error {
	info := versionInfo{
		Version:       version,
		GoVersion:     runtime.Version(),
		Platform:      runtime.GOOS + "/" + runtime.GOARCH,
		JournalSchema: journal.LatestSchemaVersion(),
	}
	if build, ok := debug.ReadBuildInfo(); ok {
		for _, s := range build.Settings {
			if s.Key == "vcs.revision" {
				info.Commit = s.Value
			}
		}
	}
	out := opts.IO.Out
	if opts.Output == outputJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Fprintf(out, "mm %s (%s, %s)\njournal schema %d\n", info.Version, info.GoVersion, info.Platform, info.JournalSchema)
	return nil
}
