// Package journal is mm's SQLite journal: schema, migrations, the single batched writer and the read queries used
// by analysis. It is the only package in mm that speaks SQL (DESIGN.md §2, STYLE.md house rule 3).
//
// A journal has two database handles: one writer connection, fed by one goroutine that commits records in batched
// IMMEDIATE transactions, and a small pool of query-only reader connections that work while the writer commits (WAL,
// reference/go.md §2.2). Money is decimal.Decimal in Go and canonical decimal text in SQLite (reference/go.md §2.4).
package journal

import (
	"errors"
	"fmt"
)

// Sentinel errors. The CLI maps them to exit codes with errors.Is; every error returned by this package that is
// caused by one of these conditions wraps the matching sentinel and names the journal file.
var (
	// ErrNotFound: OpenReadOnly was given a path that does not exist (read-only commands never create a journal).
	ErrNotFound = errors.New("journal not found")
	// ErrNotJournal: the file is not SQLite, or is another application's SQLite database.
	ErrNotJournal = errors.New("not an mm journal")
	// ErrCorrupt: the file is an SQLite database (or claims to be) but is truncated or malformed.
	ErrCorrupt = errors.New("journal is corrupt")
	// ErrTooNew: the journal's schema version is newer than this binary knows; a newer mm wrote it.
	ErrTooNew = errors.New("journal schema is newer than this mm")
	// ErrTooOld: OpenReadOnly found a journal that needs a migration, which a read-only open never performs.
	ErrTooOld = errors.New("journal schema is older than this mm")
	// ErrInvalidRecord: a record failed validation before it reached SQLite (nothing was written for it).
	ErrInvalidRecord = errors.New("invalid journal record")
	// ErrReadOnly: a write method was called on a journal opened with OpenReadOnly.
	ErrReadOnly = errors.New("journal is open read-only")
	// ErrClosed: a write was attempted after Close.
	ErrClosed = errors.New("journal is closed")
	// ErrLocked: another process holds the run lock for this account and market (exit code 4, DESIGN.md §1).
	ErrLocked = errors.New("run lock held by another process")
)

// pathError formats the one-line "journal <path>: <what>" message used for every open-time failure, wrapping the
// sentinel so that errors.Is works.
func pathError(path string, sentinel error, format string, args ...any) error {
	return fmt.Errorf("journal %s: %w (%s)", path, sentinel, fmt.Sprintf(format, args...))
}

// invalid reports a record that failed validation.
func invalid(record string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidRecord, record, fmt.Sprintf(format, args...))
}

// corruptValue reports a stored value that this package could not have written (for example a decimal column that
// does not parse), which means the file was edited by something else.
func corruptValue(column, value string, err error) error {
	return fmt.Errorf("%w: column %s holds %q: %v", ErrCorrupt, column, value, err)
}
