package interchange

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// The writers below emit RFC 4180 CSV with the import formats' column names, so export → import round-trips.
// Decimals are written as the journal stores them (canonical text), times with FormatTime. They write every row
// they are given: export is never capped (DESIGN.md §8).

// OrderColumns are the columns of the orders CSV: every column of the journal's orders table.
var OrderColumns = []string{"client_order_id", "run_id", "connector", "market", "side", "order_type", "price",
	"amount", "level", "is_hanging", "exchange_order_id", "created_at", "status", "updated_at"}

// WriteFills writes fills in FillColumns order.
func WriteFills(w io.Writer, fills []journal.Fill) error {
	return writeCSV(w, FillColumns, len(fills), func(i int, row []string) {
		f := &fills[i]
		row[0], row[1], row[2] = FormatTime(f.Time), f.Market, f.Side
		row[3], row[4], row[5], row[6] = f.Price.String(), f.Amount.String(), f.Fee.String(), f.FeeAsset
		row[7], row[8], row[9] = f.ExchangeTradeID, f.ClientOrderID, nullDecimal(f.Mid)
		row[10], row[11] = optionalBool(f.IsMaker), f.Connector
	})
}

// WriteMarks writes marks in MarkColumns order.
func WriteMarks(w io.Writer, marks []journal.Mark) error {
	return writeCSV(w, MarkColumns, len(marks), func(i int, row []string) {
		m := &marks[i]
		row[0], row[1], row[2] = FormatTime(m.Time), m.Market, m.Mid.String()
		row[3], row[4], row[5] = nullDecimal(m.BestBid), nullDecimal(m.BestAsk), m.Connector
	})
}

// WriteOrders writes orders in OrderColumns order; run_id and level are empty when the journal has none.
func WriteOrders(w io.Writer, orders []journal.Order) error {
	return writeCSV(w, OrderColumns, len(orders), func(i int, row []string) {
		o := &orders[i]
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

func writeCSV(w io.Writer, header []string, n int, fill func(i int, row []string)) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for i := range n {
		fill(i, row)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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
