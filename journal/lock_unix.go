//go:build unix

package journal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// RunLock is the exclusive lock one `mm run` holds for an account and market, so that cron cannot start two market
// makers quoting the same book from the same account (DESIGN.md §3, reference/go.md §2.2).
//
// It is flock(2) on a lock file beside the journal. flock locks belong to the open file description, so the kernel
// releases the lock when the process exits for any reason, kill -9 included: a stale lock file never blocks the
// next run. (flock is advisory and, on NFS, may be emulated or absent; keep journals on local disks.)
type RunLock struct {
	file *os.File
	path string
}

// LockPath is the lock file of account and market beside the journal: "<journal>.lock-<account>-<market>", with
// every byte outside [A-Za-z0-9._-] in account and market replaced by '_'. Two different pairs can map to the same
// name (for example accounts "a b" and "a_b"); that only makes the lock stricter than needed, never looser.
func LockPath(journalPath, account, market string) string {
	return journalPath + ".lock-" + sanitize(account) + "-" + sanitize(market)
}

func sanitize(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
}

// AcquireRunLock takes the run lock for account and market without waiting. If another process (or another
// AcquireRunLock in this process) holds it, the error wraps ErrLocked and names the account, the market and, when
// the lock file says, the holder's pid. The lock file is created with mode 0600 and keeps the holder's pid.
func AcquireRunLock(journalPath, account, market string) (*RunLock, error) {
	abs, err := filepath.Abs(journalPath)
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	path := LockPath(abs, account, market)
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	if err := flock(file, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := holderPID(file)
		file.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("account %q market %q: %w%s (lock file %s)", account, market, ErrLocked, holder, path)
		}
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	// Record who holds the lock, for the error message of the next process that tries. The pid is informational
	// only: the flock, not the file's content, is the lock.
	content := fmt.Sprintf("%d\naccount=%s\nmarket=%s\n", os.Getpid(), account, market)
	if err := errors.Join(file.Truncate(0), writeAt0(file, content)); err != nil {
		file.Close()
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	return &RunLock{file: file, path: path}, nil
}

// Path is the lock file's name.
func (l *RunLock) Path() string { return l.path }

// Release gives the lock up. The lock file stays: deleting it would race with a process that has just opened it
// and is about to lock the deleted inode, letting two runs each hold "the" lock.
func (l *RunLock) Release() error {
	if l == nil || l.file == nil {
		return nil
	}
	err := errors.Join(flock(l.file, syscall.LOCK_UN), l.file.Close())
	l.file = nil
	if err != nil {
		return fmt.Errorf("run lock %s: release: %w", l.path, err)
	}
	return nil
}

// flock retries on EINTR, which a signal arriving during the call can cause.
func flock(file *os.File, how int) error {
	for {
		err := syscall.Flock(int(file.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

func writeAt0(file *os.File, content string) error {
	_, err := file.WriteAt([]byte(content), 0)
	return err
}

// holderPID reads the pid the holder wrote, as ", held by pid N", or "" if the file does not say.
func holderPID(file *os.File) string {
	content, err := io.ReadAll(io.NewSectionReader(file, 0, 4096))
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(content), "\n")
	if pid, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && pid > 0 {
		return fmt.Sprintf(", held by pid %d", pid)
	}
	return ""
}
