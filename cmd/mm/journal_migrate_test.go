package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mmtoolkit/mm/journal"
)

// A journal written by the previous mm (schema 1) is refused by the read-only commands with a hint, migrated by
// `mm journal migrate` (with a backup), and then read; a second migrate leaves it alone.
func TestJournalMigrateBringsAnOlderJournalToThisSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	j.Close(ctx)
	// Undo migration 0002 by hand: the file is then what schema 1 wrote.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"DROP INDEX funding_instrument_ts", "DROP TABLE hedge_marks",
		"DROP TABLE hedge_instruments", "PRAGMA user_version = 1"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	code, _, stderr := run(t, "history", "--journal", path)
	if code != exitUsage || !strings.Contains(stderr, "schema v1") || !strings.Contains(stderr, "mm journal migrate") {
		t.Fatalf("history on a schema-1 journal: exit %d, %q; want 2 naming the migrate command", code, stderr)
	}
	code, stdout, stderr := run(t, "journal", "migrate", "--journal", path)
	if code != exitOK || !strings.Contains(stdout, "migrated to schema v"+strconv.Itoa(journal.LatestSchemaVersion())) {
		t.Fatalf("migrate: exit %d, %q %q", code, stdout, stderr)
	}
	// The message names the backup itself, not a pattern.
	if !strings.HasSuffix(stdout, "the journal as it was is kept as "+path+".bak-v1\n") {
		t.Errorf("migrate says %q; want the backup's path %s.bak-v1", stdout, path)
	}
	if _, err := os.Stat(path + ".bak-v1"); err != nil {
		t.Errorf("no backup of the schema-1 journal: %v", err)
	}
	if code, _, stderr := run(t, "journal", "check", "--journal", path); code != exitOK {
		t.Fatalf("check after migrate: exit %d, %s", code, stderr)
	}
	code, stdout, _ = run(t, "journal", "migrate", "--journal", path)
	if code != exitOK || !strings.Contains(stdout, "already current") {
		t.Fatalf("second migrate: exit %d, %q", code, stdout)
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	if code, _, _ := run(t, "journal", "migrate", "--journal", missing); code == exitOK {
		t.Error("migrate created a journal that did not exist")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("migrate left %s behind", missing)
	}
}
