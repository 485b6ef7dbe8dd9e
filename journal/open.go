package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// Journal is an open mm journal. Its write methods feed one writer goroutine; its read methods use a separate pool
// of query-only connections, so analysis works while a run writes. Methods are safe for concurrent use.
type Journal struct {
	path     string
	created  bool    // Open created the file (Discard removes it)
	backup   string  // the copy Open made before migrating, "" when it did not migrate
	writerDB *sql.DB // nil for OpenReadOnly
	readerDB *sql.DB
	writer   *writer // nil for OpenReadOnly

	closeOnce sync.Once
	closeErr  error
}

// Option tunes the writer of a journal opened with Open.
type Option func(*options)

type options struct {
	batchSize     int
	flushInterval time.Duration
	queueSize     int
}

// Defaults for the batched writer. 1000 rows per transaction is where modernc's insert rate levels off
// (reference/go.md §2.3), and 200 ms bounds how stale the journal is for a concurrent reader; a crash loses at most
// what was queued but not yet committed, which reconcile recovers from the exchange (DESIGN.md §3).
const (
	DefaultBatchSize     = 1000
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultQueueSize     = 4096
)

// WithBatchSize commits a batch as soon as it holds n records.
func WithBatchSize(n int) Option { return func(o *options) { o.batchSize = max(n, 1) } }

// WithFlushInterval commits a non-empty batch at most d after its first record was queued.
func WithFlushInterval(d time.Duration) Option {
	return func(o *options) { o.flushInterval = max(d, time.Millisecond) }
}

// WithQueueSize sets how many records may wait for the writer before Add* calls block.
func WithQueueSize(n int) Option { return func(o *options) { o.queueSize = max(n, 1) } }

// Open opens the journal at path for writing, creating it (mode 0600) if it does not exist, and migrates it to
// LatestSchemaVersion. It refuses files that are not mm journals (ErrNotJournal), are damaged (ErrCorrupt) or were
// written by a newer mm (ErrTooNew).
func Open(ctx context.Context, path string, opts ...Option) (*Journal, error) {
	o := options{batchSize: DefaultBatchSize, flushInterval: DefaultFlushInterval, queueSize: DefaultQueueSize}
	for _, opt := range opts {
		opt(&o)
	}
	path, err := prepare(path)
	if err != nil {
		return nil, err
	}
	migrations, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	created, err := createPrivate(path)
	if err != nil {
		return nil, err
	}
	id, err := inspect(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := id.writable(path, len(migrations)); err != nil {
		return nil, err
	}

	j := &Journal{path: path, created: created}
	j.writerDB, err = sql.Open("sqlite", dsn(path, writerParams))
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and a single connection makes the writer's prepared statements
	// and IMMEDIATE transactions strictly serial (reference/go.md §2.2).
	j.writerDB.SetMaxOpenConns(1)
	if j.backup, err = migrate(ctx, j.writerDB, path, id.userVersion, migrations); err != nil {
		j.writerDB.Close()
		return nil, classify(path, err)
	}
	if created {
		if err := privateSidecars(path); err != nil {
			j.writerDB.Close()
			return nil, err
		}
	}
	if j.readerDB, err = openReader(ctx, path, readerParams); err != nil {
		j.writerDB.Close()
		return nil, err
	}
	if j.writer, err = startWriter(ctx, j.path, j.writerDB, o); err != nil {
		j.readerDB.Close()
		j.writerDB.Close()
		return nil, err
	}
	return j, nil
}

// OpenReadOnly opens an existing journal for the analysis commands. It never creates a file (a missing path is
// ErrNotFound), never writes, and never migrates: a read-only command may be pointed at a backup, a copy on a
// read-only mount, or a journal an older `mm run` is still writing, and none of those should change under it.
// A journal older than this binary is therefore refused with ErrTooOld, whose message says to run a writing
// command (which migrates on open) first; a newer one with ErrTooNew.
func OpenReadOnly(ctx context.Context, path string) (*Journal, error) {
	path, err := prepare(path)
	if err != nil {
		return nil, err
	}
	migrations, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("journal %s: %w", path, ErrNotFound)
		}
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	id, err := inspect(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := id.readable(path, len(migrations)); err != nil {
		return nil, err
	}
	reader, err := openReader(ctx, path, readOnlyParams)
	if err != nil {
		return nil, err
	}
	return &Journal{path: path, readerDB: reader}, nil
}

// Path is the journal's absolute file name.
func (j *Journal) Path() string { return j.path }

// Close flushes and stops the writer (returning any write error not yet reported by Flush) and closes both
// database handles. ctx bounds the wait for the final flush. Calling Close again returns the first result.
func (j *Journal) Close(ctx context.Context) error {
	j.closeOnce.Do(func() {
		var errs []error
		if j.writer != nil {
			errs = append(errs, j.writer.close(ctx))
		}
		if j.readerDB != nil {
			errs = append(errs, j.readerDB.Close())
		}
		if j.writerDB != nil {
			errs = append(errs, j.writerDB.Close())
		}
		j.closeErr = errors.Join(errs...)
	})
	return j.closeErr
}

// MigrationBackup is the copy of the journal Open made before migrating it to this schema ("" when Open did not
// migrate an existing journal).
func (j *Journal) MigrationBackup() string { return j.backup }

// Discard closes the journal and, when Open created the file, removes it with its -wal and -shm files: a command
// refused on bad input leaves nothing behind, not even an empty journal. An existing journal is only closed.
func (j *Journal) Discard(ctx context.Context) error {
	err := j.Close(ctx)
	if j.created {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if rerr := os.Remove(j.path + suffix); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = errors.Join(err, rerr)
			}
		}
	}
	return err
}

// DSN parameters (reference/go.md §2.1). busy_timeout makes a connection wait for a lock instead of failing;
// _txlock=immediate takes the write lock at BEGIN, avoiding the SQLITE_BUSY a deferred read-then-write transaction
// gets without waiting (reference/go.md §2.2). The reader does not set journal_mode: it is a property of the file,
// already set by the writer, and setting it needs write access.
var (
	writerParams = []string{
		"_pragma=busy_timeout(5000)", "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)", "_txlock=immediate",
	}
	readerParams   = []string{"_pragma=busy_timeout(5000)", "_pragma=query_only(1)"}
	readOnlyParams = []string{"mode=ro", "_pragma=busy_timeout(5000)", "_pragma=query_only(1)"}
)

// dsn builds a file: URI. The path is percent-escaped, because in a URI '?', '#' and '%' in a file name would
// otherwise start the query, start a fragment or be decoded; and only the file: form keeps the query string for
// SQLite (reference/go.md §2.1: a plain path has it stripped, so mode=ro would be silently ignored).
func dsn(path string, params []string) string {
	escaped := (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()
	var query string
	for i, p := range params {
		if i > 0 {
			query += "&"
		}
		query += p
	}
	return "file:" + escaped + "?" + query
}

func openReader(ctx context.Context, path string, params []string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, params))
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// Each connection has its own page cache; four is plenty for the analysis commands (reference/go.md §2.2).
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, classify(path, err)
	}
	return db, nil
}

// prepare makes path absolute (so error messages and lock files name one file) and registers the SQL functions.
func prepare(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("journal: empty path")
	}
	if err := registerFunctions(); err != nil {
		return "", fmt.Errorf("journal: register SQL functions: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("journal %s: %w", path, err)
	}
	return abs, nil
}

// createPrivate creates a missing journal file with mode 0600 before SQLite touches it (DESIGN.md §7), so the file
// is never readable by others, whatever the umask. It reports whether it created the file.
func createPrivate(path string) (bool, error) {
	file, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("journal %s: create: %w", path, err)
	}
	// The umask can only clear bits, but a umask such as 0200 would leave the owner unable to write; chmod sets
	// exactly 0600.
	if err := errors.Join(file.Chmod(0o600), file.Close()); err != nil {
		return false, fmt.Errorf("journal %s: create: %w", path, err)
	}
	return true, nil
}

// privateSidecars gives the -wal and -shm files of a new journal the journal's own 0600. SQLite already creates them
// with the main file's mode; this makes the guarantee independent of the VFS.
func privateSidecars(path string) error {
	for _, suffix := range []string{"-wal", "-shm"} {
		info, err := os.Stat(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil && info.Mode().Perm()&0o077 != 0 {
			err = os.Chmod(path+suffix, 0o600)
		}
		if err != nil {
			return fmt.Errorf("journal %s: %w", path, err)
		}
	}
	return nil
}

// registerFunctions registers the exact-decimal SQL functions once per process; the driver adds them to every
// connection it opens afterwards.
var registerFunctions = sync.OnceValue(func() error {
	return sqlite.RegisterFunction("dsum", &sqlite.FunctionImpl{
		NArgs:         1,
		Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &decimalSum{}, nil },
	})
})
