package interchange

import (
	"io"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// The writers below and in export_stream.go emit RFC 4180 CSV with the import formats' column names, so export →
// import round-trips. Decimals are written as the journal stores them (canonical text), times with FormatTime.
// Export hands them one record at a time from a journal scan and never caps the rows (DESIGN.md §8).

// OrderColumns are the columns of the orders CSV: every column of the journal's orders table.
var OrderColumns = []string{"client_order_id", "run_id", "connector", "market", "side", "order_type", "price",
	"amount", "level", "is_hanging", "exchange_order_id", "created_at", "status", "updated_at"}

// NewFillWriter writes the header of a fills CSV (FillColumns); Write writes one fill a row.
func NewFillWriter(w io.Writer) (*Writer[journal.Fill], error) {
	return newWriter(w, FillColumns, func(f *journal.Fill, row []string) {
		row[0], row[1], row[2] = FormatTime(f.Time), f.Market, f.Side
		row[3], row[4], row[5], row[6] = f.Price.String(), f.Amount.String(), f.Fee.String(), f.FeeAsset
		row[7], row[8], row[9] = f.ExchangeTradeID, f.ClientOrderID, nullDecimal(f.Mid)
		row[10], row[11] = optionalBool(f.IsMaker), f.Connector
	})
}

// NewMarkWriter writes the header of a marks CSV (MarkColumns).
func NewMarkWriter(w io.Writer) (*Writer[journal.Mark], error) {
	return newWriter(w, MarkColumns, func(m *journal.Mark, row []string) {
		row[0], row[1], row[2] = FormatTime(m.Time), m.Market, m.Mid.String()
		row[3], row[4], row[5] = nullDecimal(m.BestBid), nullDecimal(m.BestAsk), m.Connector
	})
}

// NewOrderWriter writes the header of an orders CSV (OrderColumns); run_id and level are empty when the journal
// has none.
func NewOrderWriter(w io.Writer) (*Writer[journal.Order], error) {
	return newWriter(w, OrderColumns, func(o *journal.Order, row []string) {
		row[0], row[1], row[2], row[3] = o.ClientOrderID, "", o.Connector, o.Market
		if o.RunID != 0 {
			row[1] = strconv.FormatInt(o.RunID, 10)
		}
		row[4], row[5], row[6], row[7] = o.Side, o.OrderType, o.Price.String(), o.Amount.String()
		row[8] = ""
		if o.Level != nil {
			row[8] = strconv.Itoa(*o.Level)
		}
		row[9], row[10] = strconv.FormatBool(o.IsHanging), o.ExchangeOrderID
		row[11], row[12], row[13] = FormatTime(o.CreatedAt), o.Status, FormatTime(o.UpdatedAt)
	})
}

func nullDecimal(d decimal.NullDecimal) string {
	if !d.Valid {
		return ""
	}
	return d.Decimal.String()
}

func optionalBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}
