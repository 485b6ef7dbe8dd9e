// Package interchange reads and writes the file formats of `mm journal import` and `mm journal export`
// (docs/CSV.md): fills, marks and balances as CSV, and Binance spot myTrades JSON. It turns outside input into
// journal records and reports bad input as an *InputError naming the file, row, line and column; it never touches
// the database.
package interchange

import (
	"fmt"
	"strings"
)

// InputError is bad input in an import file. The CLI prints it on one line and exits 2 (DESIGN.md §1).
type InputError struct {
	File   string // the file name as the user gave it
	Row    int    // 1-based data row (CSV, header excluded) or array item (JSON); 0 for the header or the file
	Line   int    // 1-based line of the row in the file; 0 when unknown
	Column string // the column (CSV) or field (JSON) at fault; "" when the whole row is
	JSON   bool   // the file is JSON: rows are items and columns are fields
	Msg    string
}

func (e *InputError) Error() string {
	row, column := "row", "column"
	if e.JSON {
		row, column = "item", "field"
	}
	var where []string
	switch {
	case e.Row > 0 && e.Line > 0:
		where = append(where, fmt.Sprintf("%s %d (line %d)", row, e.Row, e.Line))
	case e.Row > 0:
		where = append(where, fmt.Sprintf("%s %d", row, e.Row))
	case e.Line > 0:
		where = append(where, fmt.Sprintf("line %d", e.Line))
	}
	if e.Column != "" {
		where = append(where, column+" "+e.Column)
	}
	if len(where) == 0 {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + strings.Join(where, ", ") + ": " + e.Msg
}
