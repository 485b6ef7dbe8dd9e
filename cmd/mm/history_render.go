package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/analysis"
	"github.com/mmtoolkit/mm/journal"
)

// historyJSON is the --output json contract of mm history; decimals are strings, ratios are fractions as
// Hummingbot computes them (return_pct 0.0867 is 8.67 %).
type historyJSON struct {
	Window            historyWindowJSON   `json:"window"`
	Markets           []historyMarketJSON `json:"markets"`
	AveragedReturnPct *string             `json:"averaged_return_pct"`
}

type historyWindowJSON struct {
	Since      *string `json:"since"`
	Until      *string `json:"until"`
	FirstTrade *string `json:"first_trade"`
	LastTrade  *string `json:"last_trade"`
}

type historyMarketJSON struct {
	Connector   string                     `json:"connector"`
	Market      string                     `json:"market"`
	Trades      map[string]tradeStatsJSON  `json:"trades"`
	Assets      map[string]assetChangeJSON `json:"assets"`
	StartSource string                     `json:"start_source,omitempty"`
	Price       pairJSON                   `json:"price"`
	PriceSource string                     `json:"price_source"`
	BasePct     *pairJSON                  `json:"base_pct"`
	Performance *performanceJSON           `json:"performance"`
	Warnings    []string                   `json:"warnings"`
	Fills       []fillJSON                 `json:"fills,omitempty"`
}

type tradeStatsJSON struct {
	Count       int    `json:"count"`
	VolumeBase  string `json:"volume_base"`
	VolumeQuote string `json:"volume_quote"`
	AvgPrice    string `json:"avg_price"`
}

type assetChangeJSON struct {
	Asset   string `json:"asset"`
	Start   string `json:"start"`
	Current string `json:"current"`
	Change  string `json:"change"`
}

type pairJSON struct {
	Start   string `json:"start"`
	Current string `json:"current"`
}

type performanceJSON struct {
	HoldValue    string        `json:"hold_value"`
	CurrentValue string        `json:"current_value"`
	TradePnL     string        `json:"trade_pnl"`
	Fees         []feeLineJSON `json:"fees"`
	FeeInQuote   string        `json:"fee_in_quote"`
	TotalPnL     string        `json:"total_pnl"`
	ReturnPct    string        `json:"return_pct"`
}

type feeLineJSON struct {
	Asset   string  `json:"asset"`
	Amount  string  `json:"amount"`
	InQuote *string `json:"in_quote"`
}

type fillJSON struct {
	Time     string `json:"timestamp"`
	TradeID  string `json:"trade_id"`
	Side     string `json:"side"`
	Price    string `json:"price"`
	Amount   string `json:"amount"`
	Fee      string `json:"fee"`
	FeeAsset string `json:"fee_asset"`
}

func renderHistory(opts *HistoryOptions, r analysis.HistoryReport) error {
	switch opts.Output {
	case outputJSON:
		return writeJSON(opts.IO.Out, toHistoryJSON(r, opts.Verbose))
	case outputCSV:
		return historyCSV(r).WriteCSV(opts.IO.Out)
	}
	return renderHistoryTable(opts, r)
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func toHistoryJSON(r analysis.HistoryReport, verbose bool) historyJSON {
	doc := historyJSON{
		Window: historyWindowJSON{Since: timePtr(r.Since), Until: timePtr(r.Until),
			FirstTrade: timePtr(r.FirstTrade), LastTrade: timePtr(r.LastTrade)},
		Markets: []historyMarketJSON{},
	}
	if r.AveragedReturnPct.Valid {
		s := r.AveragedReturnPct.Decimal.String()
		doc.AveragedReturnPct = &s
	}
	for _, m := range r.Markets {
		stats := func(s analysis.TradeStats) tradeStatsJSON {
			return tradeStatsJSON{Count: s.Count, VolumeBase: s.VolumeBase.String(), VolumeQuote: s.VolumeQuote.String(),
				AvgPrice: s.AvgPrice.String()}
		}
		mj := historyMarketJSON{
			Connector: m.Connector, Market: m.Market,
			Trades:      map[string]tradeStatsJSON{"buy": stats(m.Buy), "sell": stats(m.Sell), "total": stats(m.Total)},
			Price:       pairJSON{Start: m.StartPrice.String(), Current: m.CurrentPrice.String()},
			PriceSource: m.PriceSource,
			Warnings:    append([]string{}, m.Warnings...),
		}
		if m.HasBalances {
			change := func(a analysis.AssetChange) assetChangeJSON {
				return assetChangeJSON{Asset: a.Asset, Start: a.Start.String(), Current: a.Current.String(), Change: a.Change.String()}
			}
			mj.Assets = map[string]assetChangeJSON{"base": change(m.Base), "quote": change(m.Quote)}
			mj.StartSource = m.StartSource
			mj.BasePct = &pairJSON{Start: m.StartBasePct.String(), Current: m.CurrentBasePct.String()}
			perf := &performanceJSON{HoldValue: m.HoldValue.String(), CurrentValue: m.CurrentValue.String(),
				TradePnL: m.TradePnL.String(), Fees: []feeLineJSON{}, FeeInQuote: m.FeeInQuote.String(),
				TotalPnL: m.TotalPnL.String(), ReturnPct: m.ReturnPct.String()}
			for _, f := range m.Fees {
				line := feeLineJSON{Asset: f.Asset, Amount: f.Amount.String()}
				if f.InQuote.Valid {
					s := f.InQuote.Decimal.String()
					line.InQuote = &s
				}
				perf.Fees = append(perf.Fees, line)
			}
			mj.Performance = perf
		}
		if verbose {
			for _, f := range m.Fills {
				mj.Fills = append(mj.Fills, fillJSON{Time: f.Time.UTC().Format(time.RFC3339Nano), TradeID: f.ExchangeTradeID,
					Side: f.Side, Price: f.Price.String(), Amount: f.Amount.String(), Fee: f.Fee.String(), FeeAsset: f.FeeAsset})
			}
		}
		doc.Markets = append(doc.Markets, mj)
	}
	return doc
}

// historyCSV is one row per market with the headline figures; empty cells where balances are unknown.
func historyCSV(r analysis.HistoryReport) Table {
	t := Table{Header: []string{"connector", "market", "trades", "buys", "sells", "volume_base", "volume_quote",
		"start_source", "hold_value", "current_value", "trade_pnl", "fee_in_quote", "total_pnl", "return_pct"}}
	for _, m := range r.Markets {
		row := []string{m.Connector, m.Market, strconv.Itoa(m.Total.Count), strconv.Itoa(m.Buy.Count),
			strconv.Itoa(m.Sell.Count), m.Total.VolumeBase.String(), m.Total.VolumeQuote.String()}
		if m.HasBalances {
			row = append(row, m.StartSource, m.HoldValue.String(), m.CurrentValue.String(), m.TradePnL.String(),
				m.FeeInQuote.String(), m.TotalPnL.String(), m.ReturnPct.String())
		} else {
			row = append(row, "", "", "", "", "", "", "")
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func renderHistoryTable(opts *HistoryOptions, r analysis.HistoryReport) error {
	out := opts.IO.Out
	if len(r.Markets) == 0 {
		fmt.Fprintln(out, "No past trades to report.")
		return nil
	}
	start, end := r.Since, r.Until
	if start.IsZero() {
		start = r.FirstTrade
	}
	if end.IsZero() {
		end = opts.now().UTC()
	}
	fmt.Fprintf(out, "Start Time: %s\nCurrent Time: %s\nDuration: %s\n", start.Format(time.DateTime),
		end.Format(time.DateTime), formatDuration(end.Sub(start)))
	precision := int32(opts.Precision)
	for _, m := range r.Markets {
		fmt.Fprintf(out, "\n%s / %s\n", m.Connector, m.Market)
		if opts.Verbose {
			if err := tradesTable(m.Fills).Render(out); err != nil {
				return err
			}
		}
		if err := marketTables(out, m, precision); err != nil {
			return err
		}
		for _, w := range m.Warnings {
			fmt.Fprintf(out, "warning: %s\n", w)
		}
	}
	if len(r.Markets) > 1 && r.AveragedReturnPct.Valid {
		fmt.Fprintf(out, "\nAveraged Return = %s\n", analysis.FormatPercent(r.AveragedReturnPct.Decimal))
	}
	return nil
}

// formatDuration prints a duration as "N days HH:MM:SS", the shape of Hummingbot's pandas Timedelta.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	return fmt.Sprintf("%d days %02d:%02d:%02d", days, d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
}

func marketTables(out io.Writer, m analysis.MarketHistory, precision int32) error {
	num := func(d decimal.Decimal) string { return analysis.FormatRounded(d, precision) }
	trades := Table{
		Header: []string{"Trades", "buy", "sell", "total"},
		Right:  map[int]bool{1: true, 2: true, 3: true},
		Rows: [][]string{
			{"Number of trades", strconv.Itoa(m.Buy.Count), strconv.Itoa(m.Sell.Count), strconv.Itoa(m.Total.Count)},
			{"Total trade volume (" + m.BaseAsset + ")", num(m.Buy.VolumeBase), num(m.Sell.VolumeBase), num(m.Total.VolumeBase)},
			{"Total trade volume (" + m.QuoteAsset + ")", num(m.Buy.VolumeQuote), num(m.Sell.VolumeQuote), num(m.Total.VolumeQuote)},
			{"Avg price", num(m.Buy.AvgPrice), num(m.Sell.AvgPrice), num(m.Total.AvgPrice)},
		},
	}
	if err := trades.Render(out); err != nil {
		return err
	}
	if !m.HasBalances {
		fmt.Fprintf(out, "%s price: %s (%s)\n", m.Market, analysis.FormatRounded(m.CurrentPrice, -1), m.PriceSource)
		return nil
	}
	// The price row never uses --precision (reference/hummingbot.md §4.3).
	price := func(d decimal.Decimal) string { return analysis.FormatRounded(d, -1) }
	startLabel := "start"
	if m.StartSource == analysis.StartInferred {
		startLabel = "start (inferred)"
	}
	assets := Table{
		Header: []string{"Assets", startLabel, "current", "change"},
		Right:  map[int]bool{1: true, 2: true, 3: true},
		Rows: [][]string{
			{m.BaseAsset, num(m.Base.Start), num(m.Base.Current), num(m.Base.Change)},
			{m.QuoteAsset, num(m.Quote.Start), num(m.Quote.Current), num(m.Quote.Change)},
			{m.Market + " price", price(m.StartPrice), price(m.CurrentPrice), price(m.CurrentPrice.Sub(m.StartPrice))},
			{"Base asset %", analysis.FormatPercent(m.StartBasePct), analysis.FormatPercent(m.CurrentBasePct),
				analysis.FormatPercent(m.CurrentBasePct.Sub(m.StartBasePct))},
		},
	}
	if err := assets.Render(out); err != nil {
		return err
	}
	perf := Table{
		Header: []string{"Performance", "value"},
		Right:  map[int]bool{1: true},
		Rows: [][]string{
			{"Hold portfolio value", num(m.HoldValue) + " " + m.QuoteAsset},
			{"Current portfolio value", num(m.CurrentValue) + " " + m.QuoteAsset},
			{"Trade P&L", num(m.TradePnL) + " " + m.QuoteAsset},
		},
	}
	for _, f := range m.Fees {
		value := num(f.Amount) + " " + f.Asset
		if !f.InQuote.Valid {
			value += " (unpriced)"
		}
		perf.Rows = append(perf.Rows, []string{"Fees paid", value})
	}
	perf.Rows = append(perf.Rows,
		[]string{"Total P&L", num(m.TotalPnL) + " " + m.QuoteAsset},
		[]string{"Return %", analysis.FormatPercent(m.ReturnPct)})
	if err := perf.Render(out); err != nil {
		return err
	}
	fmt.Fprintf(out, "current price from %s\n", strings.ReplaceAll(m.PriceSource, "_", " "))
	return nil
}

// tradesTable lists every trade exactly as journaled (--verbose; no 100-trade cap).
func tradesTable(fills []journal.Fill) Table {
	t := Table{
		Header: []string{"Timestamp", "Trade id", "Side", "Price", "Amount", "Fee", "Fee asset"},
		Right:  map[int]bool{3: true, 4: true, 5: true},
	}
	for _, f := range fills {
		t.Rows = append(t.Rows, []string{f.Time.UTC().Format("2006-01-02 15:04:05.000"), f.ExchangeTradeID,
			strings.ToUpper(f.Side), f.Price.String(), f.Amount.String(), f.Fee.String(), f.FeeAsset})
	}
	return t
}
