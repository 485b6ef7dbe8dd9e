package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// OutputFormat is the --output flag: table for people, json and csv for scripts.
type OutputFormat string

const (
	outputTable OutputFormat = "table"
	outputJSON  OutputFormat = "json"
	outputCSV   OutputFormat = "csv"
)

func (f *OutputFormat) String() string { return string(*f) }
func (f *OutputFormat) Type() string   { return "format" }
func (f *OutputFormat) Set(s string) error {
	switch OutputFormat(s) {
	case outputTable, outputJSON, outputCSV:
		*f = OutputFormat(s)
		return nil
	}
	return errors.New("must be table, json or csv")
}

// Table is mm's own table value: commands fill it, and one place renders it for people (tablewriter) or as CSV.
// Keeping tablewriter behind it means golden files change only when we decide (reference/go.md §3).
type Table struct {
	Header []string
	Rows   [][]string
	// Right marks the columns to right-align in the human table (numbers).
	Right map[int]bool
}

// Render writes the table for people: ASCII borders, header as written, numbers right-aligned.
func (t Table) Render(w io.Writer) error {
	align := make([]tw.Align, len(t.Header))
	for i := range align {
		align[i] = tw.AlignLeft
		if t.Right[i] {
			align[i] = tw.AlignRight
		}
	}
	table := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	table.Header(t.Header)
	if err := table.Bulk(t.Rows); err != nil {
		return err
	}
	return table.Render()
}

// WriteCSV writes the header and rows as RFC 4180 CSV.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	if err := cw.WriteAll(t.Rows); err != nil {
		return err
	}
	return cw.Error()
}

// writeJSON writes v as one indented JSON document. Typed structs keep key order stable.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
