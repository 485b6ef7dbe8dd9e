package analysis

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// Where a market's start balances and current price came from.
const (
	StartFromSnapshot = "snapshot" // the latest balance snapshot at or before the window's first trade
	StartInferred     = "inferred" // current minus traded volume, as Hummingbot always does

	PriceFromFlag      = "flag"       // --price
	PriceFromMark      = "mark"       // the journal's latest mark of the market
	PriceFromLastTrade = "last_trade" // Hummingbot's fallback when the rate oracle has nothing
)

// TradeStats are one side's (or both sides') trades with Hummingbot's signs: buys add base and spend quote,
// sells the reverse (reference/hummingbot.md §4.3).
type TradeStats struct {
	Count       int
	VolumeBase  decimal.Decimal
	VolumeQuote decimal.Decimal
	AvgPrice    decimal.Decimal
}

// AssetChange is one asset's balance at the start and now.
type AssetChange struct {
	Asset   string
	Start   decimal.Decimal
	Current decimal.Decimal
	Change  decimal.Decimal
}

// FeeLine is what was paid in one asset; InQuote is invalid when no rate to the quote asset is known.
type FeeLine struct {
	Asset   string
	Amount  decimal.Decimal
	InQuote decimal.NullDecimal
}

// MarketHistory is Hummingbot's history report for one (connector, market).
type MarketHistory struct {
	Connector, Market string
	BaseAsset         string
	QuoteAsset        string
	Buy, Sell, Total  TradeStats
	Fills             []journal.Fill

	// Balances and performance need current balances; without a snapshot of both assets they are unknown.
	HasBalances    bool
	StartSource    string
	Base, Quote    AssetChange
	StartPrice     decimal.Decimal
	CurrentPrice   decimal.Decimal
	PriceSource    string
	StartBasePct   decimal.Decimal // fractions, as Hummingbot computes them
	CurrentBasePct decimal.Decimal
	HoldValue      decimal.Decimal
	CurrentValue   decimal.Decimal
	TradePnL       decimal.Decimal
	Fees           []FeeLine
	FeeInQuote     decimal.Decimal
	TotalPnL       decimal.Decimal
	ReturnPct      decimal.Decimal // a fraction: 0.0867 is 8.67 %
	Warnings       []string
}

// MarketInputs is everything one market's history needs, already read from the journal.
type MarketInputs struct {
	// Summary aggregates the market's fills in the window (at least one trade). Fills lists them, in time
	// order, only when the report shows every trade (--verbose); the figures come from Summary alone.
	Summary journal.FillSummary
	Fills   []journal.Fill
	// StartBalances and CurrentBalances hold the snapshots found, keyed by asset; a missing asset is absent.
	StartBalances   map[string]decimal.Decimal
	CurrentBalances map[string]decimal.Decimal
	// Price overrides the current price (--price); Mark is the latest mark's mid. Both optional.
	Price decimal.NullDecimal
	Mark  decimal.NullDecimal
	Rates Rates
}

// ComputeMarketHistory applies Hummingbot's PerformanceMetrics definitions (reference/hummingbot.md §4.3) with
// mm's improvements (DESIGN.md §8): recorded start balances when the journal has them, and fees without a known
// rate left unpriced instead of valued at 1.
//
// One deliberate difference follows from recorded start balances: balances already reflect the fees paid, so
// cur_value − hold_value is the P&L after fees. Trade P&L then adds the priced fees back and total P&L is
// cur_value − hold_value, keeping total = trade − fees without counting fees twice. With inferred start balances
// (current minus traded volume, fees not included) Hummingbot's formulas apply unchanged: trade = cur − hold.
func ComputeMarketHistory(in MarketInputs) MarketHistory {
	sum := in.Summary
	h := MarketHistory{
		Connector: sum.Connector, Market: sum.Market,
		BaseAsset: sum.BaseAsset, QuoteAsset: sum.QuoteAsset,
		Fills: in.Fills,
	}
	h.tradeStats(sum)
	h.priceNow(in)
	h.StartPrice = sum.FirstPrice
	h.fees(in)

	curBase, okBase := in.CurrentBalances[h.BaseAsset]
	curQuote, okQuote := in.CurrentBalances[h.QuoteAsset]
	if !okBase || !okQuote {
		h.warnf("no balance snapshot of %s and %s for connector %s: balances and performance need one "+
			"(mm journal import --balances, or a run of mm run)", h.BaseAsset, h.QuoteAsset, h.Connector)
		return h
	}
	h.HasBalances = true
	startBase, okStartBase := in.StartBalances[h.BaseAsset]
	startQuote, okStartQuote := in.StartBalances[h.QuoteAsset]
	h.StartSource = StartFromSnapshot
	if !okStartBase || !okStartQuote {
		h.StartSource = StartInferred
		startBase = curBase.Sub(h.Total.VolumeBase)
		startQuote = curQuote.Sub(h.Total.VolumeQuote)
	}
	h.Base = AssetChange{Asset: h.BaseAsset, Start: startBase, Current: curBase, Change: curBase.Sub(startBase)}
	h.Quote = AssetChange{Asset: h.QuoteAsset, Start: startQuote, Current: curQuote, Change: curQuote.Sub(startQuote)}

	h.StartBasePct = basePct(startBase, startQuote, h.StartPrice)
	h.CurrentBasePct = basePct(curBase, curQuote, h.CurrentPrice)
	h.HoldValue = startBase.Mul(h.CurrentPrice).Add(startQuote)
	h.CurrentValue = curBase.Mul(h.CurrentPrice).Add(curQuote)
	h.TradePnL = h.CurrentValue.Sub(h.HoldValue)
	if h.StartSource == StartFromSnapshot {
		h.TradePnL = h.TradePnL.Add(h.FeeInQuote)
	}
	h.TotalPnL = h.TradePnL.Sub(h.FeeInQuote)
	h.ReturnPct = divSignificant(h.TotalPnL, h.HoldValue)
	return h
}

func (h *MarketHistory) tradeStats(sum journal.FillSummary) {
	h.Buy = TradeStats{Count: int(sum.Buys.Trades), VolumeBase: sum.Buys.Base, VolumeQuote: sum.Buys.Quote.Neg()}
	h.Sell = TradeStats{Count: int(sum.Sells.Trades), VolumeBase: sum.Sells.Base.Neg(), VolumeQuote: sum.Sells.Quote}
	h.Total = TradeStats{
		Count:       h.Buy.Count + h.Sell.Count,
		VolumeBase:  h.Buy.VolumeBase.Add(h.Sell.VolumeBase),
		VolumeQuote: h.Buy.VolumeQuote.Add(h.Sell.VolumeQuote),
	}
	h.Buy.AvgPrice = divSignificant(h.Buy.VolumeQuote, h.Buy.VolumeBase).Abs()
	h.Sell.AvgPrice = divSignificant(h.Sell.VolumeQuote, h.Sell.VolumeBase).Abs()
	h.Total.AvgPrice = divSignificant(h.Buy.VolumeQuote.Abs().Add(h.Sell.VolumeQuote.Abs()),
		h.Buy.VolumeBase.Abs().Add(h.Sell.VolumeBase.Abs()))
}

// priceNow picks the current price: --price, else the latest mark, else the last trade's price.
func (h *MarketHistory) priceNow(in MarketInputs) {
	switch {
	case in.Price.Valid:
		h.CurrentPrice, h.PriceSource = in.Price.Decimal, PriceFromFlag
	case in.Mark.Valid:
		h.CurrentPrice, h.PriceSource = in.Mark.Decimal, PriceFromMark
	default:
		h.CurrentPrice, h.PriceSource = in.Summary.LastPrice, PriceFromLastTrade
	}
}

// fees sums what was paid per asset and values it in quote: the quote asset as is, the base asset at the
// current price, any other asset through the marks. Unpriced fees are listed and excluded from FeeInQuote with
// one warning per asset (users.md: a BNB fee with no BNB rate must not be valued at 1, nor warned about 1000×).
func (h *MarketHistory) fees(in MarketInputs) {
	sums := in.Summary.Fees
	assets := make([]string, 0, len(sums))
	for asset := range sums {
		assets = append(assets, asset)
	}
	sort.Strings(assets)
	h.FeeInQuote = decimal.Zero
	for _, asset := range assets {
		line := FeeLine{Asset: asset, Amount: sums[asset]}
		rate, ok := in.Rates.Rate(asset, h.QuoteAsset)
		if asset == h.BaseAsset {
			rate, ok = h.CurrentPrice, true
		}
		if ok {
			line.InQuote = decimal.NewNullDecimal(line.Amount.Mul(rate))
			h.FeeInQuote = h.FeeInQuote.Add(line.InQuote.Decimal)
		} else if !line.Amount.IsZero() {
			h.warnf("fees of %s %s have no known rate to %s: shown unpriced and left out of the fee total",
				line.Amount, asset, h.QuoteAsset)
		}
		h.Fees = append(h.Fees, line)
	}
}

func basePct(base, quote, price decimal.Decimal) decimal.Decimal {
	baseValue := base.Mul(price)
	return divSignificant(baseValue, baseValue.Add(quote))
}

func (h *MarketHistory) warnf(format string, args ...any) {
	h.Warnings = append(h.Warnings, fmt.Sprintf(format, args...))
}

// HistoryReport is the history of every market traded in a window.
type HistoryReport struct {
	Since, Until time.Time // the window asked for; zero = open
	FirstTrade   time.Time
	LastTrade    time.Time
	Markets      []MarketHistory
	// AveragedReturnPct is the simple mean of the markets' returns, as Hummingbot prints it with more than one
	// market; markets without performance figures are left out.
	AveragedReturnPct decimal.NullDecimal
}

// averageReturn fills AveragedReturnPct.
func (r *HistoryReport) averageReturn() {
	sum, n := decimal.Zero, 0
	for _, m := range r.Markets {
		if m.HasBalances {
			sum = sum.Add(m.ReturnPct)
			n++
		}
	}
	if n > 0 {
		r.AveragedReturnPct = decimal.NewNullDecimal(divSignificant(sum, decimal.NewFromInt(int64(n))))
	}
}
