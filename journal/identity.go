package journal

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// identity is what a file says about itself before mm writes to it.
type identity struct {
	applicationID int64
	userVersion   int
	tables        int
}

// inspect identifies the file at path without changing it: first its header, read directly (SQLite would report a
// truncated file only later, page by page), then application_id, user_version and the number of tables through a
// read-only connection. The writer's DSN is not used here because its journal_mode(WAL) would convert another
// application's database before we had a chance to refuse it.
func inspect(ctx context.Context, path string) (identity, error) {
	if err := checkHeader(path); err != nil {
		return identity{}, err
	}
	db, err := sql.Open("sqlite", dsn(path, []string{"mode=ro", "_pragma=busy_timeout(5000)"}))
	if err != nil {
		return identity{}, fmt.Errorf("journal %s: %w", path, err)
	}
	defer db.Close()
	var id identity
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_schema WHERE type = 'table')`).Scan(&id.applicationID, &id.userVersion, &id.tables)
	if err != nil {
		return identity{}, classify(path, err)
	}
	return id, nil
}

// writable decides whether Open may use (and migrate) a file with this identity.
func (id identity) writable(path string, latest int) error {
	switch {
	case id.applicationID == 0 && id.userVersion == 0 && id.tables == 0:
		return nil // a new or empty database: Open initialises it
	case id.applicationID != mmApplicationID:
		return pathError(path, ErrNotJournal, "application_id 0x%x, has %d tables", id.applicationID, id.tables)
	case id.userVersion == 0:
		// Migration 0001 sets application_id and user_version in one transaction; one without the other means the
		// file was edited by hand.
		return pathError(path, ErrCorrupt, "mm application_id but user_version 0")
	case id.userVersion > latest:
		return pathError(path, ErrTooNew, "schema v%d, this mm knows up to v%d; upgrade mm", id.userVersion, latest)
	}
	return nil
}

// readable decides whether OpenReadOnly may read a file with this identity: only a journal at exactly this
// binary's schema version, because OpenReadOnly never migrates.
func (id identity) readable(path string, latest int) error {
	if id.applicationID == 0 && id.userVersion == 0 && id.tables == 0 {
		return pathError(path, ErrNotJournal, "empty database")
	}
	if err := id.writable(path, latest); err != nil {
		return err
	}
	if id.userVersion < latest {
		return pathError(path, ErrTooOld, "schema v%d, this mm reads v%d; run `mm journal migrate` (or any "+
			"writing command such as `mm run`) once to migrate it", id.userVersion, latest)
	}
	return nil
}

// sqliteMagic starts every SQLite 3 database file (https://sqlite.org/fileformat2.html#the_database_header).
const sqliteMagic = "SQLite format 3\x00"

// checkHeader reads the 100-byte database header and refuses what is not SQLite (ErrNotJournal) and what is
// truncated (ErrCorrupt). An empty file is accepted: it is a new database, or a WAL database whose pages are all
// still in the -wal file.
func checkHeader(path string) error {
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	size := info.Size()
	if size == 0 {
		return nil
	}
	if info.IsDir() {
		return pathError(path, ErrNotJournal, "a directory")
	}
	header := make([]byte, 100)
	n, err := io.ReadFull(file, header)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	if n < len(sqliteMagic) || string(header[:len(sqliteMagic)]) != sqliteMagic {
		return pathError(path, ErrNotJournal, "not an SQLite database")
	}
	if n < len(header) {
		return pathError(path, ErrCorrupt, "truncated to %d bytes", size)
	}
	pageSize := int64(binary.BigEndian.Uint16(header[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return pathError(path, ErrCorrupt, "invalid page size %d", pageSize)
	}
	if size%pageSize != 0 {
		return pathError(path, ErrCorrupt, "truncated: %d bytes is not a whole number of %d-byte pages", size, pageSize)
	}
	// The header's page count is valid when its change counter matches version-valid-for; the file can be longer
	// than that count (pages freed by a later write) but never shorter, not even in WAL mode, where a checkpoint
	// writes the pages before it writes the header.
	pages := int64(binary.BigEndian.Uint32(header[28:32]))
	counterValid := binary.BigEndian.Uint32(header[24:28]) == binary.BigEndian.Uint32(header[92:96])
	if counterValid && pages > 0 && size < pages*pageSize {
		return pathError(path, ErrCorrupt, "truncated: %d of %d pages", size/pageSize, pages)
	}
	return nil
}

// classify maps SQLite's "not a database" and "malformed" result codes to the package's sentinels, so the CLI can
// tell a damaged journal from a runtime failure. checkHeader has already refused files without the SQLite magic,
// so SQLITE_NOTADB here means a damaged header.
func classify(path string, err error) error {
	if err == nil {
		return nil
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff { // extended result codes carry the primary code in the low byte
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("journal %s: %w: %v", path, ErrCorrupt, err)
		}
	}
	return fmt.Errorf("journal %s: %w", path, err)
}
