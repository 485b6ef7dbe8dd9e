package main

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/analysis"
	"github.com/mmtoolkit/mm/journal"
)

// pnlJSON is the --output json document of mm pnl; decimals are strings.
type pnlJSON struct {
	By       string          `json:"by"`
	Method   string          `json:"method"`
	Rows     []pnlRowJSON    `json:"rows"`
	Markets  []pnlMarketJSON `json:"markets"`
	Hedges   []pnlHedgeJSON  `json:"hedges"`
	Totals   []pnlRowJSON    `json:"totals"`
	Warnings []string        `json:"warnings"`
}

type pnlRowJSON struct {
	Connector     string `json:"connector,omitempty"`
	Market        string `json:"market,omitempty"`
	Bucket        string `json:"bucket,omitempty"`
	QuoteAsset    string `json:"quote_asset"`
	Fills         int    `json:"fills"`
	VolumeBase    string `json:"volume_base,omitempty"`
	VolumeQuote   string `json:"volume_quote"`
	SpreadCapture string `json:"spread_capture"`
	InventoryPnL  string `json:"inventory_pnl"`
	Fees          string `json:"fees"`
	HedgePnL      string `json:"hedge_pnl"`
	Funding       string `json:"funding"`
	FXTranslation string `json:"fx_translation"`
	Total         string `json:"total"`
	EquityChange  string `json:"equity_change"`
	Residual      string `json:"residual"`
	Realized      string `json:"realized"`
	Unrealized    string `json:"unrealized"`
	// Rows of inverse hedge instruments: the coin PnL of the row, in the settlement asset.
	SettleAsset  string `json:"settle_asset,omitempty"`
	HedgePnLCoin string `json:"hedge_pnl_coin,omitempty"`
}

// pnlHedgeJSON is one hedge instrument over the window: its terms, its position at the end, the components of its
// PnL in the quote asset and, for an inverse contract, the coin figures of reference/quant.md §5.2.
type pnlHedgeJSON struct {
	Venue             string `json:"venue"`
	Instrument        string `json:"instrument"`
	Contract          string `json:"contract"`
	ContractSize      string `json:"contract_size"`
	QuoteAsset        string `json:"quote_asset"`
	SettleAsset       string `json:"settle_asset"`
	Fills             int    `json:"fills"`
	VolumeContracts   string `json:"volume_contracts"`
	VolumeQuote       string `json:"volume_quote"`
	PositionContracts string `json:"position_contracts"`
	Mark              string `json:"mark,omitempty"`
	SpreadCapture     string `json:"spread_capture"`
	InventoryPnL      string `json:"inventory_pnl"`
	HedgePnL          string `json:"hedge_pnl"`
	Fees              string `json:"fees"`
	Funding           string `json:"funding"`
	FXTranslation     string `json:"fx_translation"`
	Total             string `json:"total"`
	EquityChange      string `json:"equity_change"`
	Residual          string `json:"residual"`
	Realized          string `json:"realized"`
	Unrealized        string `json:"unrealized"`
	ExposureBase      string `json:"exposure_base,omitempty"`
	HedgePnLCoin      string `json:"hedge_pnl_coin,omitempty"`
	RealizedCoin      string `json:"realized_coin,omitempty"`
	UnrealizedCoin    string `json:"unrealized_coin,omitempty"`
	ExposureCoin      string `json:"exposure_coin,omitempty"`
	CoinDelta         string `json:"coin_delta,omitempty"`
}

// nullString prints a decimal that may be absent: "" (omitted from JSON) when it is.
func nullString(d decimal.NullDecimal) string {
	if !d.Valid {
		return ""
	}
	return d.Decimal.String()
}

// hedgeRow is one bucket of a hedge instrument as a row of the decomposition.
func hedgeRow(h analysis.HedgePnL, p analysis.PnL, coin decimal.NullDecimal) pnlRowJSON {
	row := pnlRow(p)
	row.Connector, row.Market, row.QuoteAsset = h.Instrument.Venue, h.Instrument.Instrument, h.Instrument.QuoteAsset
	if h.Instrument.Contract != journal.ContractLinear {
		row.VolumeBase = ""
	}
	if coin.Valid {
		row.SettleAsset, row.HedgePnLCoin = h.Instrument.SettleAsset, coin.Decimal.String()
	}
	return row
}

func toHedgeJSON(h analysis.HedgePnL) pnlHedgeJSON {
	w, terms := h.Window, h.Instrument
	out := pnlHedgeJSON{Venue: terms.Venue, Instrument: terms.Instrument, Contract: terms.Contract,
		ContractSize: terms.ContractSize.String(), QuoteAsset: terms.QuoteAsset, SettleAsset: terms.SettleAsset,
		Fills: w.Fills, VolumeContracts: h.VolumeContracts.String(), VolumeQuote: w.VolumeQuote.String(),
		PositionContracts: h.Position.String(), Mark: nullString(h.Mark), SpreadCapture: h.SpreadCapture.String(),
		InventoryPnL: h.InventoryPnL.String(), HedgePnL: w.HedgePnL.String(), Fees: w.Fees.String(),
		Funding: w.Funding.String(), FXTranslation: w.FXTranslation.String(), Total: w.Total.String(),
		EquityChange: w.EquityChange.String(), Residual: w.Residual.String(), Realized: lotPnL(w.Realized), Unrealized: lotPnL(w.Unrealized),
		ExposureBase: nullString(h.ExposureBase), HedgePnLCoin: nullString(h.PnLCoin),
		ExposureCoin: nullString(h.ExposureCoin), CoinDelta: nullString(h.DeltaCoin)}
	if h.RealizedCoin.Valid {
		out.RealizedCoin, out.UnrealizedCoin = lotPnL(h.RealizedCoin.Decimal), lotPnL(h.UnrealizedCoin.Decimal)
	}
	return out
}

type pnlMarketJSON struct {
	pnlRowJSON
	BalanceCheck *balanceCheckJSON `json:"balance_check"`
	Markouts     []markoutJSON     `json:"markouts"`
}

type balanceCheckJSON struct {
	EquityChange string `json:"equity_change"`
	Total        string `json:"total"`
	Residual     string `json:"residual"`
}

type markoutJSON struct {
	Horizon     string  `json:"horizon"`
	Seconds     float64 `json:"horizon_seconds"`
	Fills       int     `json:"fills"`
	Excluded    int     `json:"excluded"`
	TotalQuote  string  `json:"total_quote"`
	DriftQuote  string  `json:"drift_quote"`
	Notional    string  `json:"notional"`
	WeightedBps string  `json:"weighted_bps"`
}

func pnlRow(p analysis.PnL) pnlRowJSON {
	return pnlRowJSON{Fills: p.Fills, VolumeBase: p.VolumeBase.String(), VolumeQuote: p.VolumeQuote.String(),
		SpreadCapture: p.SpreadCapture.String(), InventoryPnL: p.InventoryPnL.String(), Fees: p.Fees.String(),
		HedgePnL: p.HedgePnL.String(), Funding: p.Funding.String(), FXTranslation: p.FXTranslation.String(),
		Total:        p.Total.String(),
		EquityChange: p.EquityChange.String(), Residual: p.Residual.String(), Realized: lotPnL(p.Realized),
		Unrealized: lotPnL(p.Unrealized)}
}

// lotPnL prints realized or unrealized PnL. An average cost is a quotient (28 significant digits inside the
// replay), so these two carry a repeating tail the other columns never have; they are shown rounded half-even
// to 12 decimals, far below any asset's smallest unit. The identity columns stay exact.
func lotPnL(d decimal.Decimal) string { return d.RoundBank(12).String() }

func toPnLJSON(r analysis.PnLReport) pnlJSON {
	doc := pnlJSON{By: r.Query.By, Method: r.Query.Method, Rows: []pnlRowJSON{}, Markets: []pnlMarketJSON{},
		Hedges: []pnlHedgeJSON{}, Totals: []pnlRowJSON{}, Warnings: []string{}}
	for _, m := range r.Markets {
		for _, b := range m.Replay.Buckets {
			row := pnlRow(b.PnL)
			row.Connector, row.Market, row.Bucket, row.QuoteAsset = m.Connector, m.Market, b.Key, m.Quote
			doc.Rows = append(doc.Rows, row)
		}
		mj := pnlMarketJSON{pnlRowJSON: pnlRow(m.Replay.Window), Markouts: []markoutJSON{}}
		mj.Connector, mj.Market, mj.QuoteAsset = m.Connector, m.Market, m.Quote
		if c := m.BalanceCheck; c != nil {
			mj.BalanceCheck = &balanceCheckJSON{EquityChange: c.EquityChange.String(), Total: c.Total.String(),
				Residual: c.Residual.String()}
		}
		for _, mo := range m.Markouts {
			mj.Markouts = append(mj.Markouts, markoutJSON{Horizon: mo.Horizon.String(), Seconds: mo.Horizon.Seconds(),
				Fills: mo.Fills, Excluded: mo.Excluded, TotalQuote: mo.TotalQuote.String(),
				DriftQuote: mo.DriftQuote.String(), Notional: mo.Notional.String(), WeightedBps: mo.WeightedBps.String()})
		}
		doc.Markets = append(doc.Markets, mj)
		doc.Warnings = append(doc.Warnings, m.Replay.Warnings...)
	}
	doc.Warnings = append(doc.Warnings, r.Warnings...)
	for _, h := range r.Hedges {
		for _, b := range h.Buckets {
			row := hedgeRow(h, b.PnL, b.PnLCoin)
			row.Bucket = b.Key
			doc.Rows = append(doc.Rows, row)
		}
		doc.Hedges = append(doc.Hedges, toHedgeJSON(h))
		doc.Warnings = append(doc.Warnings, h.Warnings...)
	}
	for _, quote := range sortedQuotes(r) {
		row := pnlRow(r.Totals[quote])
		row.QuoteAsset = quote
		row.VolumeBase = "" // base volumes of different markets do not add up
		doc.Totals = append(doc.Totals, row)
	}
	return doc
}

func sortedQuotes(r analysis.PnLReport) []string {
	quotes := make([]string, 0, len(r.Totals))
	for q := range r.Totals {
		quotes = append(quotes, q)
	}
	sort.Strings(quotes)
	return quotes
}

func renderPnL(opts *PnLOptions, r analysis.PnLReport) error {
	out := opts.IO.Out
	if opts.Output == outputJSON {
		return writeJSON(out, toPnLJSON(r))
	}
	rows := pnlTable(r, opts.Output == outputCSV)
	if opts.Output == outputCSV {
		return rows.WriteCSV(out)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "mm: warning: %s\n", w)
	}
	if r.Empty() {
		fmt.Fprintln(out, "No trades in the window.")
		return nil
	}
	if err := rows.Render(out); err != nil {
		return err
	}
	for _, quote := range sortedQuotes(r) {
		t := r.Totals[quote]
		fmt.Fprintf(out, "total (%s): spread %s + inventory %s − fees %s + hedge %s + funding %s + fx translation %s = %s; "+
			"equity change %s, residual %s\n", quote, t.SpreadCapture, t.InventoryPnL, t.Fees, t.HedgePnL, t.Funding,
			t.FXTranslation, t.Total, t.EquityChange, t.Residual)
	}
	for _, m := range r.Markets {
		if c := m.BalanceCheck; c != nil {
			fmt.Fprintf(out, "balances %s %s: equity change %s, components %s, residual %s\n", m.Connector, m.Market,
				c.EquityChange, c.Total, c.Residual)
		}
		if line := analysis.Sparkline(m.Replay.Curve, 60); line != "" {
			fmt.Fprintf(out, "cumulative %s %s: %s\n", m.Connector, m.Market, line)
		}
		for _, w := range m.Replay.Warnings {
			fmt.Fprintf(out, "warning: %s\n", w)
		}
	}
	for _, h := range r.Hedges {
		fmt.Fprintln(out, hedgeLine(h))
		if line := analysis.Sparkline(h.Curve, 60); line != "" {
			fmt.Fprintf(out, "cumulative %s %s: %s\n", h.Instrument.Venue, h.Instrument.Instrument, line)
		}
		for _, w := range h.Warnings {
			fmt.Fprintf(out, "warning: %s\n", w)
		}
	}
	if len(opts.query.Markouts) > 0 && len(r.Markets) > 0 {
		fmt.Fprintln(out)
		if err := markoutTable(r).Render(out); err != nil {
			return err
		}
	}
	return nil
}

func pnlTable(r analysis.PnLReport, forCSV bool) Table {
	header := []string{"connector", "market", "bucket", "fills", "spread_capture", "inventory_pnl", "fees",
		"hedge_pnl", "funding", "fx_translation", "total", "equity_change", "residual", "realized", "unrealized"}
	if !forCSV {
		header = []string{"connector", "market", r.Query.By, "fills", "spread capture", "inventory", "fees",
			"hedge", "funding", "fx translation", "total", "equity change", "residual", "realized", "unrealized"}
	}
	// Per market, the bucket column would only repeat the market.
	byMarket := r.Query.By == analysis.ByMarket
	if byMarket {
		header = append(header[:2:2], header[3:]...)
	}
	t := Table{Header: header, Right: map[int]bool{}}
	for i := 2; i < len(header); i++ {
		t.Right[i] = header[i] != r.Query.By
	}
	addRow := func(connector, market, bucket string, p analysis.PnL) {
		row := []string{connector, market, bucket, strconv.Itoa(p.Fills),
			p.SpreadCapture.String(), p.InventoryPnL.String(), p.Fees.String(), p.HedgePnL.String(),
			p.Funding.String(), p.FXTranslation.String(), p.Total.String(), p.EquityChange.String(), p.Residual.String(),
			lotPnL(p.Realized), lotPnL(p.Unrealized)}
		if byMarket {
			row = append(row[:2:2], row[3:]...)
		}
		t.Rows = append(t.Rows, row)
	}
	for _, m := range r.Markets {
		for _, b := range m.Replay.Buckets {
			addRow(m.Connector, m.Market, b.Key, b.PnL)
		}
	}
	for _, h := range r.Hedges {
		for _, b := range h.Buckets {
			addRow(h.Instrument.Venue, h.Instrument.Instrument, b.Key, b.PnL)
		}
	}
	return t
}

// hedgeLine describes a hedge instrument at the end of the window in one line.
func hedgeLine(h analysis.HedgePnL) string {
	terms := h.Instrument
	line := fmt.Sprintf("hedge %s %s (%s): position %s contracts", terms.Venue, terms.Instrument, terms.Terms(),
		h.Position)
	if h.Mark.Valid {
		line += " at mark " + h.Mark.Decimal.String()
	}
	line += fmt.Sprintf("; hedge PnL %s %s (spread %s, inventory %s)", h.Window.HedgePnL, terms.QuoteAsset,
		h.SpreadCapture, h.InventoryPnL)
	if h.PnLCoin.Valid {
		// Two figures side by side, not an equation: the coin PnL is valued at each mark, and the coin the account
		// already held is revalued apart (fx translation).
		line += fmt.Sprintf("; coin PnL %s %s; fx translation %s %s", h.PnLCoin.Decimal, terms.SettleAsset,
			h.Window.FXTranslation, terms.QuoteAsset)
	}
	if h.ExposureCoin.Valid {
		line += fmt.Sprintf("; exposure %s %s, coin delta %s %s per %s", h.ExposureCoin.Decimal, terms.SettleAsset,
			h.DeltaCoin.Decimal, terms.SettleAsset, terms.QuoteAsset)
	}
	if h.ExposureBase.Valid {
		line += fmt.Sprintf("; exposure %s base units", h.ExposureBase.Decimal)
	}
	return line
}

func markoutTable(r analysis.PnLReport) Table {
	t := Table{Header: []string{"connector", "market", "horizon", "fills", "excluded", "mark-out (quote)",
		"post-fill drift", "weighted bps"}, Right: map[int]bool{3: true, 4: true, 5: true, 6: true, 7: true}}
	for _, m := range r.Markets {
		for _, mo := range m.Markouts {
			t.Rows = append(t.Rows, []string{m.Connector, m.Market, mo.Horizon.String(), strconv.Itoa(mo.Fills),
				strconv.Itoa(mo.Excluded), mo.TotalQuote.String(), mo.DriftQuote.String(), mo.WeightedBps.StringFixed(4)})
		}
	}
	return t
}
