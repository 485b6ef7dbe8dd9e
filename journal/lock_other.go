//go:build !unix

package journal

import (
	"errors"
	"fmt"
	"runtime"
)

// RunLock is the run lock (see lock_unix.go). It is implemented with flock(2), so only on unix systems
// (linux and darwin are the supported ones); elsewhere AcquireRunLock fails rather than running unlocked.
type RunLock struct{}

// LockPath is the lock file of account and market beside the journal (see lock_unix.go).
func LockPath(journalPath, account, market string) string {
	return journalPath + ".lock-" + account + "-" + market
}

// AcquireRunLock is not supported on this platform.
func AcquireRunLock(journalPath, account, market string) (*RunLock, error) {
	return nil, fmt.Errorf("run lock on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// Path is empty on this platform.
func (l *RunLock) Path() string { return "" }

// Release does nothing on this platform.
func (l *RunLock) Release() error { return nil }
