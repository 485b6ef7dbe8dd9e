package interchange

import (
	"encoding/csv"
	"io"

	"github.com/mmtoolkit/mm/journal"
)

// Streaming writers for the exports of balances and hedges (fills, marks and orders: export.go): export hands them
// one record at a time from a journal scan, so a window of any size is never held in memory. The columns are those the importer reads, in its order
// (taken from the readers' own column lists, so the two cannot drift apart), decimals as the journal stores them
// and times with FormatTime, as the writers in export.go.

// HedgeMarkColumns are the columns of the hedge marks CSV, in the order export writes them.
var HedgeMarkColumns = columnNames(hedgeMarkColumns)

// FundingColumns are the columns of the funding CSV, in the order export writes them.
var FundingColumns = columnNames(fundingColumns)

func columnNames(columns []column) []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.name
	}
	return names
}

// Writer writes records of one kind as CSV rows, after the header row NewXWriter wrote.
type Writer[T any] struct {
	csv  *csv.Writer
	row  []string
	fill func(*T, []string)
}

func newWriter[T any](w io.Writer, header []string, fill func(*T, []string)) (*Writer[T], error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	return &Writer[T]{csv: cw, row: make([]string, len(header)), fill: fill}, nil
}

// Write writes one record as a row. The record is not kept, so a scan may reuse it.
func (w *Writer[T]) Write(rec *T) error {
	w.fill(rec, w.row)
	return w.csv.Write(w.row)
}

// Flush writes what the CSV writer buffers; call it after the last record.
func (w *Writer[T]) Flush() error {
	w.csv.Flush()
	return w.csv.Error()
}

// NewBalanceWriter writes the header of a balances CSV (BalanceColumns). A snapshot's kind and run are not
// written: the importer journals every row as kind import, outside any run.
func NewBalanceWriter(w io.Writer) (*Writer[journal.Balance], error) {
	return newWriter(w, BalanceColumns, func(b *journal.Balance, row []string) {
		row[0], row[1], row[2] = FormatTime(b.Time), b.Asset, b.Total.String()
		row[3], row[4], row[5] = nullDecimal(b.Available), b.Account, b.Connector
	})
}

// NewHedgeFillWriter writes the header of a hedge fills CSV (HedgeFillColumns). Every row carries its instrument's
// contract terms, so any selection of rows imports into a journal that has never seen the instrument; the term
// columns are empty for a fill whose instrument has no terms in the journal.
func NewHedgeFillWriter(w io.Writer) (*Writer[journal.HedgeFillWithTerms], error) {
	return newWriter(w, HedgeFillColumns, func(h *journal.HedgeFillWithTerms, row []string) {
		row[0], row[1], row[2] = FormatTime(h.Time), h.Instrument, h.Side
		row[3], row[4], row[5], row[6] = h.Price.String(), h.Amount.String(), h.Fee.String(), h.FeeAsset
		row[7], row[8] = h.TradeID, h.Venue
		row[9], row[10], row[11], row[12] = "", "", "", ""
		if h.HasTerms {
			row[9], row[10] = h.Terms.Contract, h.Terms.ContractSize.String()
			row[11], row[12] = h.Terms.QuoteAsset, h.Terms.SettleAsset
		}
	})
}

// NewHedgeMarkWriter writes the header of a hedge marks CSV (HedgeMarkColumns).
func NewHedgeMarkWriter(w io.Writer) (*Writer[journal.HedgeMark], error) {
	return newWriter(w, HedgeMarkColumns, func(m *journal.HedgeMark, row []string) {
		row[0], row[1], row[2], row[3] = FormatTime(m.Time), m.Instrument, m.Mark.String(), m.Venue
	})
}

// NewFundingWriter writes the header of a funding CSV (FundingColumns).
func NewFundingWriter(w io.Writer) (*Writer[journal.Funding], error) {
	return newWriter(w, FundingColumns, func(f *journal.Funding, row []string) {
		row[0], row[1], row[2], row[3], row[4] = FormatTime(f.Time), f.Instrument, f.Amount.String(), f.Asset, f.Venue
	})
}
