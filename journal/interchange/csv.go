package interchange

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// column is one column a CSV format accepts.
type column struct {
	name     string
	required bool
}

// table reads one CSV file row by row: the header maps column names (case-insensitive, any order) to positions,
// and every error names the file, the 1-based data row, its line and the column.
type table struct {
	file   string
	reader *csv.Reader
	index  map[string]int
	record []string
	row    int
	line   int
	pairs  map[string]market.Pair // parsed markets, so a million rows of one market parse it once
	texts  map[string]string      // interned short texts (assets, connectors, sides)
}

// openTable reads the header. Unknown and repeated columns are errors, so that a misspelt optional column
// (trade_idd) is reported instead of silently ignored.
func openTable(file string, r io.Reader, columns []column) (*table, error) {
	reader := csv.NewReader(r)
	reader.ReuseRecord = true
	t := &table{file: file, reader: reader, index: map[string]int{}, pairs: map[string]market.Pair{},
		texts: map[string]string{}}
	header, err := reader.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{File: file, Msg: "empty file: want a header row naming the columns"}
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	known := map[string]bool{}
	var names []string
	for _, c := range columns {
		known[c.name] = true
		names = append(names, c.name)
	}
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a spreadsheet's UTF-8 byte order mark
		}
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case !known[name]:
			return nil, &InputError{File: file, Line: 1, Column: strconv.Quote(name),
				Msg: "unknown column; accepted: " + strings.Join(names, ", ")}
		case t.has(name):
			return nil, &InputError{File: file, Line: 1, Column: name, Msg: "column appears twice"}
		}
		t.index[name] = i
	}
	var missing []string
	for _, c := range columns {
		if c.required && !t.has(c.name) {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, &InputError{File: file, Line: 1, Msg: "missing column(s) " + strings.Join(missing, ", ")}
	}
	return t, nil
}

func (t *table) has(name string) bool {
	_, ok := t.index[name]
	return ok
}

// next reads the next data row; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	record, err := t.reader.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	t.row++
	var parseErr *csv.ParseError
	if errors.As(err, &parseErr) && errors.Is(parseErr.Err, csv.ErrFieldCount) {
		return false, &InputError{File: t.file, Row: t.row, Line: parseErr.StartLine,
			Msg: fmt.Sprintf("%d fields, but the header has %d", len(record), len(t.index))}
	}
	if err != nil {
		return false, t.csvError(err)
	}
	t.record = record
	t.line, _ = t.reader.FieldPos(0)
	return true, nil
}

func (t *table) csvError(err error) error {
	var parseErr *csv.ParseError
	if errors.As(err, &parseErr) {
		return &InputError{File: t.file, Row: t.row, Line: parseErr.StartLine, Msg: parseErr.Err.Error()}
	}
	return &InputError{File: t.file, Row: t.row, Msg: err.Error()}
}

// get returns the trimmed value of a column, "" when the file has no such column.
func (t *table) get(name string) string {
	i, ok := t.index[name]
	if !ok {
		return ""
	}
	return strings.TrimSpace(t.record[i])
}

func (t *table) fail(name, format string, args ...any) error {
	return &InputError{File: t.file, Row: t.row, Line: t.line, Column: name, Msg: fmt.Sprintf(format, args...)}
}

// intern returns s as a string that does not share the record's memory, the same string for equal values.
func (t *table) intern(s string) string {
	if v, ok := t.texts[s]; ok {
		return v
	}
	v := strings.Clone(s)
	t.texts[v] = v
	return v
}

// required returns a column's value, failing if it is empty.
func (t *table) required(name string) (string, error) {
	value := t.get(name)
	if value == "" {
		return "", t.fail(name, "empty")
	}
	return value, nil
}

func (t *table) time(name string) (time.Time, error) {
	value, err := t.required(name)
	if err != nil {
		return time.Time{}, err
	}
	ts, err := ParseTime(value)
	if err != nil {
		return time.Time{}, t.fail(name, "%v", err)
	}
	return ts, nil
}

func (t *table) market(name string) (market.Pair, error) {
	value, err := t.required(name)
	if err != nil {
		return market.Pair{}, err
	}
	if pair, ok := t.pairs[value]; ok {
		return pair, nil
	}
	pair, err := market.ParsePair(value)
	if err != nil {
		return market.Pair{}, t.fail(name, "%v", err)
	}
	pair = market.Pair{Base: t.intern(pair.Base), Quote: t.intern(pair.Quote)}
	t.pairs[strings.Clone(value)] = pair
	return pair, nil
}

func (t *table) asset(name string) (string, error) {
	value, err := t.required(name)
	if err != nil {
		return "", err
	}
	return t.intern(strings.ToUpper(value)), nil
}

// decimal parses a required decimal column; sign is the accepted sign: +1 (> 0), 0 (≥ 0) or -2 (any).
func (t *table) decimal(name string, sign int) (decimal.Decimal, error) {
	value, err := t.required(name)
	if err != nil {
		return decimal.Decimal{}, err
	}
	d, msg := parseDecimal(value, sign)
	if msg != "" {
		return decimal.Decimal{}, t.fail(name, "%s", msg)
	}
	return d, nil
}

// optionalDecimal parses an optional decimal column; empty means absent.
func (t *table) optionalDecimal(name string, sign int) (decimal.NullDecimal, error) {
	value := t.get(name)
	if value == "" {
		return decimal.NullDecimal{}, nil
	}
	d, msg := parseDecimal(value, sign)
	if msg != "" {
		return decimal.NullDecimal{}, t.fail(name, "%s", msg)
	}
	return decimal.NewNullDecimal(d), nil
}

// Accepted signs of parseDecimal.
const (
	positive    = 1
	nonNegative = 0
	anySign     = -2
)

// parseDecimal returns the value, or a message saying what is wrong with it.
func parseDecimal(value string, sign int) (decimal.Decimal, string) {
	d, err := decimal.NewFromString(value)
	if err != nil {
		return decimal.Decimal{}, fmt.Sprintf("%q is not a decimal number", value)
	}
	switch {
	case sign >= nonNegative && d.IsNegative():
		return decimal.Decimal{}, fmt.Sprintf("%s is negative", value)
	case sign == positive && d.IsZero():
		return decimal.Decimal{}, fmt.Sprintf("%s is zero, want > 0", value)
	}
	return d, ""
}

// Unix milliseconds are accepted between 1973-03-03 (1e11) and 5138 (1e14): a value outside is almost certainly
// Unix seconds or microseconds, which would silently land in 1970 or far in the future.
const (
	minUnixMillis = 100_000_000_000
	maxUnixMillis = 100_000_000_000_000
)

// ParseTime reads a timestamp: RFC 3339 with a zone offset or Z (fractions of a second allowed), or Unix
// milliseconds. The result is UTC, truncated to the millisecond, which is what the journal stores.
func ParseTime(value string) (time.Time, error) {
	if value != "" && strings.Trim(value, "0123456789") == "" {
		ms, err := strconv.ParseInt(value, 10, 64)
		if err != nil || ms < minUnixMillis || ms >= maxUnixMillis {
			return time.Time{}, fmt.Errorf("%s is out of range for Unix milliseconds (seconds or microseconds?)", value)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	ts, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-11-22T10:00:00Z) nor Unix milliseconds", value)
	}
	if ts.Year() < 1973 {
		return time.Time{}, fmt.Errorf("%s is before 1973", value)
	}
	return ts.UTC().Truncate(time.Millisecond), nil
}

// FormatTime writes a journal time as export writes it: RFC 3339 in UTC with exactly three decimals, which
// ParseTime reads back to the same millisecond.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// parseBool reads an optional flag column: true/false, 1/0, yes/no in any case; empty is unknown.
func parseBool(value string) (*bool, error) {
	var b bool
	switch strings.ToLower(value) {
	case "":
		return nil, nil
	case "true", "1", "yes":
		b = true
	case "false", "0", "no":
		b = false
	default:
		return nil, fmt.Errorf("%q is not true or false", value)
	}
	return &b, nil
}
