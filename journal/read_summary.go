package journal

import (
	"context"
	"database/sql"
	"time"

	"github.com/shopspring/decimal"
)

// SideTotals are one side's trades of a market: count, Σ amount and Σ price × amount, exact.
type SideTotals struct {
	Trades int64
	Base   decimal.Decimal
	Quote  decimal.Decimal
}

// FillSummary aggregates the fills of one (connector, market) in a window without reading them one by one:
// what history needs when it does not list every trade.
type FillSummary struct {
	Connector, Market     string
	BaseAsset, QuoteAsset string
	Buys, Sells           SideTotals
	Fees                  map[string]decimal.Decimal // by fee asset
	FirstTime, LastTime   time.Time
	FirstPrice, LastPrice decimal.Decimal
}

// FillSummaries sums the window's fills per connector and market in SQL, exactly (dsum and dsumprod over
// canonical decimal text, never SQLite's float SUM), ordered by connector and market.
func (j *Journal) FillSummaries(ctx context.Context, filter FillFilter) ([]FillSummary, error) {
	var w where
	w.text("connector", filter.Connector)
	w.text("market", filter.Market)
	w.runID(filter.RunID)
	w.window("ts", filter.Since, filter.Until)

	var out []FillSummary
	index := map[[2]string]int{}
	get := func(connector, market string) *FillSummary {
		key := [2]string{connector, market}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, FillSummary{Connector: connector, Market: market, Fees: map[string]decimal.Decimal{},
				Buys: SideTotals{Base: decimal.Zero, Quote: decimal.Zero}, Sells: SideTotals{Base: decimal.Zero, Quote: decimal.Zero}})
		}
		return &out[i]
	}
	// One pass over the window: sides and fee assets are grouped together, then folded per market in Go.
	err := j.query(ctx, "fill totals", `SELECT connector, market, base_asset, quote_asset, side, fee_asset, count(*),
		dsum(amount), dsumprod(price, amount), dsum(fee), min(ts), max(ts) FROM fills`+w.String()+
		" GROUP BY connector, market, side, fee_asset ORDER BY connector, market", w.args, func(rows *sql.Rows) error {
		var (
			connector, market, base, quote, side, feeAsset, amount, notional, fee string
			trades, first, last                                                   int64
		)
		if err := rows.Scan(&connector, &market, &base, &quote, &side, &feeAsset, &trades, &amount, &notional, &fee,
			&first, &last); err != nil {
			return err
		}
		s := get(connector, market)
		s.BaseAsset, s.QuoteAsset = base, quote
		baseSum, errBase := parseDecimal("dsum(fills.amount)", amount)
		quoteSum, errQuote := parseDecimal("dsumprod(fills.price, fills.amount)", notional)
		feeSum, errFee := parseDecimal("dsum(fills.fee)", fee)
		totals := &s.Sells
		if side == SideBuy {
			totals = &s.Buys
		}
		totals.Trades += trades
		totals.Base = totals.Base.Add(baseSum)
		totals.Quote = totals.Quote.Add(quoteSum)
		s.Fees[feeAsset] = s.Fees[feeAsset].Add(feeSum)
		if s.FirstTime.IsZero() || fromMillis(first).Before(s.FirstTime) {
			s.FirstTime = fromMillis(first)
		}
		if fromMillis(last).After(s.LastTime) {
			s.LastTime = fromMillis(last)
		}
		return firstErr(errBase, errQuote, errFee)
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		s := &out[i]
		if s.FirstPrice, err = j.priceAt(ctx, s.Connector, s.Market, s.FirstTime, "ASC"); err != nil {
			return nil, err
		}
		if s.LastPrice, err = j.priceAt(ctx, s.Connector, s.Market, s.LastTime, "DESC"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// priceAt is the price of the first (order ASC) or last (DESC) fill of a market at time t, in journal order.
func (j *Journal) priceAt(ctx context.Context, connector, market string, t time.Time, order string) (decimal.Decimal, error) {
	var price decimal.Decimal
	err := j.query(ctx, "fill price", `SELECT price FROM fills WHERE connector = ? AND market = ? AND ts = ?
		ORDER BY id `+order+" LIMIT 1", []any{connector, market, toMillis(t)}, func(rows *sql.Rows) error {
		var text string
		if err := rows.Scan(&text); err != nil {
			return err
		}
		var err error
		price, err = parseDecimal("fills.price", text)
		return err
	})
	return price, err
}
