package feed

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	lowSevenBits = 0x7f7f7f7f7f7f7f7f
	commas       = 0x2c2c2c2c2c2c2c2c
)

// commaMask has the high bit of each byte of w that is a comma set, and no other bit: the exact form of the
// zero-byte test (no borrow crosses bytes, so no false positives).
func commaMask(w uint64) uint64 {
	x := w ^ commas
	return ^((x&lowSevenBits + lowSevenBits) | x | lowSevenBits)
}

// csvFile reads a Binance public-dump CSV (data.binance.vision) line by line without encoding/csv: the dumps
// are plain comma-separated numbers and booleans with no quoting, and a hand split over one reused field array
// costs no allocation per row, which the 2,000,000 rows/s kline target needs (issue 3, BenchmarkKlinesCSV).
// Quotes are rejected rather than misread. A file may be .csv, .csv.gz or the .zip Binance ships (one CSV
// inside); it may start with a header row, which must then name the documented columns.
type csvFile struct {
	path    string
	closers []io.Closer
	scanner *bufio.Scanner
	line    int
	columns []string
	fields  [][]byte
	started bool
}

func openCSV(path string, columns []string) (*csvFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	c := &csvFile{path: path, closers: []io.Closer{f}, columns: columns, fields: make([][]byte, len(columns))}
	var r io.Reader = f
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gz":
		gz, err := gzip.NewReader(bufio.NewReaderSize(f, 64<<10))
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("%s: not gzip: %w", path, err)
		}
		c.closers = append(c.closers, gz)
		r = gz
	case ".zip":
		if r, err = openZipCSV(f, path); err != nil {
			_ = f.Close()
			return nil, err
		}
		c.closers = append(c.closers, r.(io.Closer))
	}
	c.scanner = bufio.NewScanner(r)
	c.scanner.Buffer(make([]byte, 0, 256<<10), 1<<20)
	return c, nil
}

// openZipCSV opens the single .csv entry of a Binance dump archive.
func openZipCSV(f *os.File, path string) (io.Reader, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip archive: %w", path, err)
	}
	var csvs []*zip.File
	for _, entry := range zr.File {
		if strings.EqualFold(filepath.Ext(entry.Name), ".csv") {
			csvs = append(csvs, entry)
		}
	}
	if len(csvs) != 1 {
		return nil, fmt.Errorf("%s: want exactly one .csv inside the zip, found %d", path, len(csvs))
	}
	rc, err := csvs[0].Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, csvs[0].Name, err)
	}
	return rc, nil
}

func (c *csvFile) close() error {
	var errs []error
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i].Close())
	}
	c.closers = nil
	return errors.Join(errs...)
}

func (c *csvFile) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", c.path, c.line, fmt.Sprintf(format, args...))
}

// next returns the fields of the next data row (valid until the following call), skipping a header row at
// the top, or io.EOF.
func (c *csvFile) next() ([][]byte, error) {
	for {
		if !c.scanner.Scan() {
			if err := c.scanner.Err(); err != nil {
				return nil, fmt.Errorf("%s: after line %d: %w", c.path, c.line, err)
			}
			return nil, io.EOF
		}
		c.line++
		line := bytes.TrimSuffix(c.scanner.Bytes(), []byte{'\r'})
		if len(line) == 0 {
			return nil, c.errorf("empty line")
		}
		if err := c.split(line); err != nil {
			return nil, err
		}
		first := !c.started
		c.started = true
		if first && !isDigits(c.fields[0]) {
			if err := c.checkHeader(); err != nil {
				return nil, err
			}
			continue
		}
		return c.fields, nil
	}
}

// split cuts line at its commas into c.fields. The fields are a few bytes long, shorter than a bytes.IndexByte
// call is worth, so commas are found eight bytes at a time (commaMask) and the quote check is one IndexByte
// over the line.
func (c *csvFile) split(line []byte) error {
	if bytes.IndexByte(line, '"') >= 0 {
		return c.errorf("quoted fields are not supported (Binance dumps have none)")
	}
	n, start := 0, 0
	fields := c.fields
	cut := func(comma int) bool {
		if n == len(fields)-1 {
			return false
		}
		fields[n] = line[start:comma]
		n, start = n+1, comma+1
		return true
	}
	i := 0
	for ; i+8 <= len(line); i += 8 {
		for m := commaMask(binary.LittleEndian.Uint64(line[i:])); m != 0; m &= m - 1 {
			if !cut(i + bits.TrailingZeros64(m)/8) {
				return c.errorf("more than %d columns, want %s", len(c.columns), strings.Join(c.columns, ","))
			}
		}
	}
	for ; i < len(line); i++ {
		if line[i] == ',' && !cut(i) {
			return c.errorf("more than %d columns, want %s", len(c.columns), strings.Join(c.columns, ","))
		}
	}
	fields[n] = line[start:]
	n++
	if n != len(fields) {
		return c.errorf("%d columns, want %d: %s", n, len(c.columns), strings.Join(c.columns, ","))
	}
	return nil
}

func (c *csvFile) checkHeader() error {
	for i, name := range c.columns {
		if !strings.EqualFold(strings.TrimSpace(string(c.fields[i])), name) {
			return c.errorf("header column %d is %q, want %q (columns %s)", i+1, c.fields[i], name,
				strings.Join(c.columns, ","))
		}
	}
	return nil
}

func isDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// dumpTime converts a dump timestamp. Binance's dumps used milliseconds since the epoch and switched the spot
// dumps to microseconds in 2025 (futures stay in ms), so the unit is told by magnitude: below 10^14 is
// milliseconds (10^14 ms is the year 5138), below 10^17 microseconds (10^17 µs is the year 5138 again).
// It also returns the unit, which a kline's close time needs (close = next open − 1 unit).
func dumpTime(field []byte) (time.Time, time.Duration, error) {
	v, err := parseUint(field)
	switch {
	case err != nil:
		return time.Time{}, 0, err
	case v < 1e14:
		return time.UnixMilli(int64(v)).UTC(), time.Millisecond, nil
	case v < 1e17:
		return time.UnixMicro(int64(v)).UTC(), time.Microsecond, nil
	}
	return time.Time{}, 0, fmt.Errorf("timestamp %d is neither milliseconds nor microseconds since the epoch", v)
}

// dumpBool parses is_buyer_maker and friends: Binance writes True/False.
func dumpBool(field []byte) (bool, error) {
	switch {
	case bytes.EqualFold(field, []byte("true")):
		return true, nil
	case bytes.EqualFold(field, []byte("false")):
		return false, nil
	}
	return false, fmt.Errorf("want True or False, got %q", field)
}
