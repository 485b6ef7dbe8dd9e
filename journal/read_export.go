package journal

import (
	"context"
	"database/sql"
	"time"
)

// Reads for mm journal export of the records that have no list query of their own: balance snapshots, and hedge
// fills together with their instrument's contract terms. Like the Scan* methods they stream: one row at a time
// into a reused record, so an export of any size holds one row in memory.

// BalanceFilter selects balance snapshots. Zero fields do not filter; the window is Since <= ts < Until.
type BalanceFilter struct {
	Connector string
	Account   string
	RunID     int64
	Since     time.Time
	Until     time.Time
}

// ScanBalances calls fn with every balance snapshot matching the filter, ordered by time and then by journal
// order. The record is reused: fn must copy what it keeps. An error from fn stops the scan and is returned as is.
func (j *Journal) ScanBalances(ctx context.Context, filter BalanceFilter, fn func(*Balance) error) error {
	var w where
	w.text("connector", filter.Connector)
	w.text("account", filter.Account)
	w.runID(filter.RunID)
	w.window("ts", filter.Since, filter.Until)
	var rec Balance
	return j.scan(ctx, "balances", "SELECT "+balanceColumns+" FROM balances"+w.String()+" ORDER BY ts, id", w.args,
		func(rows *sql.Rows) error {
			var err error
			rec, err = scanBalance(rows)
			return err
		}, func() error { return fn(&rec) })
}

// HedgeFillWithTerms is a hedge fill and the contract terms of its instrument. HasTerms is false, and Terms zero,
// when the journal has no terms for the instrument (a hedge adapter may journal fills before anyone gave them).
type HedgeFillWithTerms struct {
	HedgeFill
	Terms    HedgeInstrument
	HasTerms bool
}

// ScanHedgeFillsWithTerms calls fn with every hedge fill matching the filter and its instrument's terms, in the
// order of ScanHedgeFills (time, then journal order). The terms are joined in the same query, and so read from the
// same snapshot as the fills: a second query for them could miss an instrument journaled in between by a writer
// running alongside. The record is reused.
func (j *Journal) ScanHedgeFillsWithTerms(ctx context.Context, filter HedgeFilter,
	fn func(*HedgeFillWithTerms) error) error {
	var w where
	w.text("f.venue", filter.Venue)
	w.text("f.instrument", filter.Instrument)
	if filter.RunID != 0 {
		w.conds = append(w.conds, "f.run_id = ?")
		w.args = append(w.args, filter.RunID)
	}
	w.window("f.ts", filter.Since, filter.Until)
	var rec HedgeFillWithTerms
	return j.scan(ctx, "hedge fills", `SELECT f.id, coalesce(f.run_id, 0), f.venue, f.instrument, f.trade_id, f.side,
		f.price, f.amount, f.fee, f.fee_asset, f.ts, i.contract, i.contract_size, i.quote_asset, i.settle_asset
		FROM hedge_fills f LEFT JOIN hedge_instruments i ON i.venue = f.venue AND i.instrument = f.instrument`+
		w.String()+" ORDER BY f.ts, f.id", w.args, func(rows *sql.Rows) error {
		var (
			price, amount, fee                      string
			ts                                      int64
			contract, size, quoteAsset, settleAsset sql.NullString
			errs                                    [4]error
		)
		f := &rec.HedgeFill
		if err := rows.Scan(&f.ID, &f.RunID, &f.Venue, &f.Instrument, &f.TradeID, &f.Side, &price, &amount, &fee,
			&f.FeeAsset, &ts, &contract, &size, &quoteAsset, &settleAsset); err != nil {
			return err
		}
		f.Time = fromMillis(ts)
		f.Price, errs[0] = parseDecimal("hedge_fills.price", price)
		f.Amount, errs[1] = parseDecimal("hedge_fills.amount", amount)
		f.Fee, errs[2] = parseDecimal("hedge_fills.fee", fee)
		rec.Terms, rec.HasTerms = HedgeInstrument{}, contract.Valid
		if rec.HasTerms {
			rec.Terms = HedgeInstrument{Venue: f.Venue, Instrument: f.Instrument, Contract: contract.String,
				QuoteAsset: quoteAsset.String, SettleAsset: settleAsset.String}
			rec.Terms.ContractSize, errs[3] = parseDecimal("hedge_instruments.contract_size", size.String)
		}
		return firstErr(errs[:]...)
	}, func() error { return fn(&rec) })
}
