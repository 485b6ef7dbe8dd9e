package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/plugins/host"
)

// Exit codes, documented in README.md and in each command's help (DESIGN.md §1).
const (
	exitOK          = 0
	exitFailure     = 1   // a runtime failure
	exitUsage       = 2   // bad usage, bad config or bad input; nothing was written
	exitRiskLimit   = 3   // mm run stopped by a risk limit
	exitLocked      = 4   // another mm run holds the lock for this account and market
	exitUnreachable = 5   // a plugin or exchange could not be reached
	exitInterrupted = 130 // a command other than mm run was cancelled by a signal
)

const exitStatusHelp = `EXIT STATUS
  0    success
  1    runtime failure
  2    bad usage, bad config or bad input (nothing written)
  3    stopped by a risk limit (kill switch, loss limit)
  4    another mm run holds the lock for this account and market
  5    a plugin or exchange could not be reached
  130  interrupted by a signal (commands other than mm run)`

// ExitError carries the exit code a command chose; commands return it instead of calling os.Exit.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usageErrorf reports bad usage or bad input (exit 2).
func usageErrorf(format string, args ...any) error {
	return &ExitError{Code: exitUsage, Err: fmt.Errorf(format, args...)}
}

// exitCode is the one place that maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var exitErr *ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.Code
	case errors.Is(err, journal.ErrLocked):
		return exitLocked
	case errors.Is(err, host.ErrUnreachable):
		return exitUnreachable
	case errors.Is(err, journal.ErrNotJournal), errors.Is(err, journal.ErrTooNew),
		errors.Is(err, journal.ErrTooOld), errors.Is(err, journal.ErrNotFound):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case isCobraUsageError(err):
		return exitUsage
	}
	return exitFailure
}

// isCobraUsageError recognises the usage errors cobra returns as plain errors (unknown command, wrong number of
// arguments), matched on their text as cli/cli does.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command ", "accepts ", "requires at least ", "requires at most ",
		"accepts at most ", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument "} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}
