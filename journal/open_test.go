package journal

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOpenCreatesMigratesAndReopensWithoutMigratingAgain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := j.SchemaVersion(ctx); err != nil || v != LatestSchemaVersion() || v < 1 {
		t.Fatalf("schema version = %d, %v; want %d", v, err, LatestSchemaVersion())
	}
	if _, err := j.InsertFills(ctx, []Fill{testFill(1)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		j, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := j.SchemaVersion(ctx); v != LatestSchemaVersion() {
			t.Fatalf("reopened schema version = %d", v)
		}
		if n := countRows(t, j, "fills"); n != 1 {
			t.Fatalf("fills after reopen = %d, want 1", n)
		}
		if err := j.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if backups, _ := filepath.Glob(path + ".bak*"); len(backups) != 0 {
		t.Fatalf("reopening an up-to-date journal made backups %v", backups)
	}
}

func TestNewJournalFilesAreMode0600WhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0) // the most permissive umask: the mode must come from the code, not the umask
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(context.Background())
	if _, err := j.InsertFills(context.Background(), []Fill{testFill(1)}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %o, want 600", filepath.Base(name), info.Mode().Perm())
		}
	}
}

// writeFile creates a file with the given content in a temporary directory.
func writeFile(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mm.db")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sqliteFile makes an SQLite database with statements run by a plain connection (another application).
func sqliteFile(t *testing.T, statements ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mm.db")
	db, err := sql.Open("sqlite", dsn(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

// journalFileFills is how many fills journalFile writes: enough for a file of several pages.
const journalFileFills = 500

// journalFile makes a real journal with some fills, closed, and returns its path.
func journalFile(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fills := make([]Fill, journalFileFills)
	for i := range fills {
		fills[i] = testFill(i)
	}
	if _, err := j.InsertFills(ctx, fills); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenRefusesWhatIsNotAHealthyMMJournal(t *testing.T) {
	tests := []struct {
		name     string
		file     func(t *testing.T) string
		want     error
		wantText string
	}{
		{"text file", func(t *testing.T) string { return writeFile(t, []byte("account,market\nmain,BTC-USDT\n")) },
			ErrNotJournal, "not an SQLite database"},
		{"short binary file", func(t *testing.T) string { return writeFile(t, []byte{0, 1, 2}) },
			ErrNotJournal, "not an SQLite database"},
		{"header cut short", func(t *testing.T) string { return writeFile(t, []byte(sqliteMagic+"\x10\x00")) },
			ErrCorrupt, "truncated to 18 bytes"},
		{"journal truncated mid-page", func(t *testing.T) string {
			path := journalFile(t)
			info, _ := os.Stat(path)
			if err := os.Truncate(path, info.Size()/2+100); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrCorrupt, "truncated"},
		{"journal truncated at a page boundary", func(t *testing.T) string {
			path := journalFile(t)
			if err := os.Truncate(path, 4*4096); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrCorrupt, "truncated: 4 of"},
		{"schema page overwritten", func(t *testing.T) string {
			path := journalFile(t)
			file, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", 256))
			if _, err := file.WriteAt(garbage, 100); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrCorrupt, ""},
		{"another application's database", func(t *testing.T) string {
			return sqliteFile(t, "CREATE TABLE a (x)", "CREATE TABLE b (x)", "CREATE TABLE c (x)")
		}, ErrNotJournal, "not an mm journal (application_id 0x0, has 3 tables)"},
		{"another application's id", func(t *testing.T) string {
			return sqliteFile(t, "PRAGMA application_id = 1196444237", "PRAGMA user_version = 3")
		}, ErrNotJournal, "application_id 0x47504a4d, has 0 tables"},
		{"schema newer than this mm", func(t *testing.T) string {
			path := journalFile(t)
			db, err := sql.Open("sqlite", dsn(path, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
				t.Fatal(err)
			}
			return path
		}, ErrTooNew, "schema v99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.file(t)
			before, _ := os.ReadFile(path)
			for name, open := range map[string]func(context.Context, string) (*Journal, error){
				"Open":         func(ctx context.Context, p string) (*Journal, error) { return Open(ctx, p) },
				"OpenReadOnly": OpenReadOnly,
			} {
				j, err := open(context.Background(), path)
				if err == nil {
					j.Close(context.Background())
					t.Fatalf("%s succeeded", name)
				}
				if !errors.Is(err, tt.want) {
					t.Fatalf("%s error = %v, want %v", name, err, tt.want)
				}
				if !strings.Contains(err.Error(), tt.wantText) || !strings.Contains(err.Error(), path) {
					t.Fatalf("%s error = %q, want it to name the file and say %q", name, err, tt.wantText)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("%s error is not one line: %q", name, err)
				}
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Fatal("a refused file was modified")
			}
		})
	}
}

func TestOpenReadOnlyNeverCreatesAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	_, err := OpenReadOnly(context.Background(), path)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error = %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenReadOnly created %s", path)
	}
}

func TestOpenReadOnlyReadsAndRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := journalFile(t)
	j, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	fills, err := j.Fills(ctx, FillFilter{})
	if err != nil || len(fills) != journalFileFills {
		t.Fatalf("Fills = %d, %v; want %d", len(fills), err, journalFileFills)
	}
	if err := j.AddFill(ctx, testFill(5000)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("AddFill error = %v, want ErrReadOnly", err)
	}
	if _, err := j.InsertFills(ctx, []Fill{testFill(5000)}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("InsertFills error = %v, want ErrReadOnly", err)
	}
	if _, err := j.readerDB.Exec("DELETE FROM fills"); err == nil {
		t.Fatal("the read-only handle deleted fills")
	}
}

func TestOpenReadOnlyRefusesAnOlderSchema(t *testing.T) {
	id := identity{applicationID: mmApplicationID, userVersion: 1, tables: 9}
	err := id.readable("/x/mm.db", 2)
	if !errors.Is(err, ErrTooOld) || !strings.Contains(err.Error(), "mm journal migrate") {
		t.Fatalf("error = %v, want ErrTooOld suggesting a writing command", err)
	}
	if err := id.writable("/x/mm.db", 2); err != nil {
		t.Fatalf("Open would refuse to migrate: %v", err)
	}
}

func TestMigratingAnExistingJournalBacksItUpFirst(t *testing.T) {
	ctx := context.Background()
	path := journalFile(t)
	migrations, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	next := append(migrations[:len(migrations):len(migrations)], migration{version: len(migrations) + 1,
		name: "9999_test.sql", sql: "CREATE TABLE test_added (x INTEGER) STRICT;"})
	db, err := sql.Open("sqlite", dsn(path, writerParams))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := migrate(ctx, db, path, len(migrations), next); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(next) {
		t.Fatalf("user_version = %d, %v; want %d", version, err, len(next))
	}
	backupPath := path + ".bak-v" + string(rune('0'+len(migrations)))
	info, err := os.Stat(backupPath)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode = %o, want 600", info.Mode().Perm())
	}
	backup, err := OpenReadOnly(ctx, backupPath)
	if err != nil {
		t.Fatal(err)
	}
	defer backup.Close(ctx)
	if n := countRows(t, backup, "fills"); n != journalFileFills {
		t.Fatalf("backup holds %d fills, want %d", n, journalFileFills)
	}
	// This binary only knows the real migrations, so the migrated journal is now too new for it.
	if _, err := Open(ctx, path); !errors.Is(err, ErrTooNew) {
		t.Fatalf("Open of a migrated-beyond journal = %v, want ErrTooNew", err)
	}
}

func TestPathsWithURISpecialCharactersAreEscaped(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "my bots?#%41")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mm?x=1#frag%20.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.InsertFills(ctx, []Fill{testFill(1)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the journal is not at the path given: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "mm?x=1#frag%20.db") {
			t.Fatalf("stray file %q: the path was not escaped", e.Name())
		}
	}
}

func TestOpenReadOnlySeesCommitsOfAWriterInAnotherHandle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	r, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	for i := range 3 {
		if err := w.AddFill(ctx, testFill(i)); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, r, "fills"); n != i+1 {
			t.Fatalf("read-only handle sees %d fills, want %d", n, i+1)
		}
	}
}

// Discard removes a journal its Open created (bad input leaves nothing behind) and only closes one that existed.
func TestDiscardRemovesOnlyAJournalItsOpenCreated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := j.MigrationBackup(); got != "" {
		t.Errorf("a new journal reports a migration backup %q", got)
	}
	if err := j.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); !os.IsNotExist(err) {
			t.Errorf("%s left behind: %v", path+suffix, err)
		}
	}
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	j.Close(ctx)
	if j, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := j.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Discard removed a journal that existed before its Open: %v", err)
	}
}
