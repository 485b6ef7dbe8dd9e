package journal

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Migrations are embedded SQL files applied in order, each in one IMMEDIATE transaction together with
// PRAGMA user_version = N, forward-only (reference/go.md §2.5). A failing migration rolls back whole and leaves
// user_version at the previous step.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// mmApplicationID is PRAGMA application_id of every mm journal: 0x6D6D6A6C, "mmjl" in ASCII. Migration 0001 sets it.
const mmApplicationID = 0x6D6D6A6C

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded files once. Their names must be NNNN_name.sql numbered 1, 2, 3, ... without
// gaps; a violation is a build mistake that every test run reports.
var loadMigrations = sync.OnceValues(func() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var migrations []migration
	for i, entry := range entries { // ReadDir sorts by name
		number, _, ok := strings.Cut(entry.Name(), "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil || version != i+1 {
			return nil, fmt.Errorf("migration file %s: want prefix %04d_", entry.Name(), i+1)
		}
		text, err := fs.ReadFile(migrationFiles, path.Join("migrations", entry.Name()))
		if err != nil {
			return nil, err
		}
		migrations = append(migrations, migration{version: version, name: entry.Name(), sql: string(text)})
	}
	return migrations, nil
})

// LatestSchemaVersion is the schema version (PRAGMA user_version) this binary writes.
func LatestSchemaVersion() int {
	migrations, _ := loadMigrations()
	return len(migrations)
}

// migrate brings the journal at path from schema version from to the last of migrations. An existing journal is
// first copied with VACUUM INTO to path.bak-v<from> (reference/go.md §2.5), because migrations are forward-only
// and the copy is the only way back; a brand-new file (from == 0) has nothing worth copying. It returns the
// backup's path ("" when none was made).
func migrate(ctx context.Context, db *sql.DB, journalPath string, from int, migrations []migration) (string, error) {
	if from >= len(migrations) {
		return "", nil
	}
	var saved string
	if from > 0 {
		var err error
		if saved, err = backup(ctx, db, journalPath, from); err != nil {
			return "", err
		}
	}
	for _, m := range migrations[from:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return saved, fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return saved, nil
}

// applyMigration runs one migration file and the user_version bump in one transaction. It re-reads user_version
// inside the transaction (which is IMMEDIATE, so it holds the write lock): if another process opening the same
// journal applied this migration first, it is skipped rather than applied twice.
func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	// PRAGMA arguments cannot be bound parameters; m.version is an int from our own file names.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

// backup copies the journal to path.bak-v<version> (or, if that exists from an earlier attempt, to a name with a
// timestamp added). The target is created first with mode 0600, because VACUUM INTO would create it with the
// umask's default mode and the journal may hold account balances.
func backup(ctx context.Context, db *sql.DB, journalPath string, version int) (string, error) {
	target := fmt.Sprintf("%s.bak-v%d", journalPath, version)
	file, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		target = fmt.Sprintf("%s.%d", target, time.Now().UnixMilli())
		file, err = os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	}
	if err != nil {
		return "", fmt.Errorf("back up before migration: %w", err)
	}
	if err := file.Close(); err != nil {
		return "", fmt.Errorf("back up before migration: %w", err)
	}
	// VACUUM INTO accepts an existing empty file as its target.
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", target); err != nil {
		return "", fmt.Errorf("back up to %s before migration: %w", target, err)
	}
	return target, nil
}
