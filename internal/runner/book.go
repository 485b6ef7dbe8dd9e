package runner

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/sdk"
	"github.com/mmtoolkit/mm/strategy"
)

// depthLevels is how many levels per side the runner asks for when order optimization is on: a plugin
// subscribes to BookDepth with it. In-process the runner asks the paper book for more while these do not hold
// the volume the walk needs (see refreshDepth), up to maxDepthLevels.
const (
	depthLevels    = 20
	maxDepthLevels = 1280
)

// wantsDepth says whether the strategy reads the book beyond its top: only order optimization walks it
// (reference/hummingbot.md §1.4). Without it no depth is fetched or subscribed to.
func (r *run) wantsDepth() bool { return r.params.OrderOptimizationEnabled }

// depthReader is the in-process paper exchange's read-only book accessor.
type depthReader interface {
	Depth(n int) (bids, asks []sdk.Level)
}

// refreshDepth reads the in-process book before a tick. Order optimization walks bid_order_optimization_depth
// plus the size of the strategy's last buy (§1.4); the runner asks for depthLevels and, while a side's levels
// hold less than the depth plus everything its own orders on that side could add, for more.
func (r *run) refreshDepth() {
	s, ok := r.src.(*stepSource)
	if !ok || !r.wantsDepth() {
		return
	}
	var ex depthReader = s.ex
	needBid, needAsk := r.params.BidOrderOptimizationDepth, r.params.AskOrderOptimizationDepth
	for _, o := range r.state.Orders {
		if o.Side == market.Buy {
			needBid = needBid.Add(o.Amount)
		} else {
			needAsk = needAsk.Add(o.Amount)
		}
	}
	for n := depthLevels; ; n *= 4 {
		r.depthBids, r.depthAsks = ex.Depth(n)
		short := (len(r.depthBids) == n && volume(r.depthBids).LessThan(needBid)) ||
			(len(r.depthAsks) == n && volume(r.depthAsks).LessThan(needAsk))
		if !short || n >= maxDepthLevels {
			return
		}
	}
}

func volume(levels []sdk.Level) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range levels {
		sum = sum.Add(l.Amount)
	}
	return sum
}

// bookSide is one side of the snapshot's book, best first: the top as the last BookTop gave it, then the
// depth levels strictly behind it. A depth snapshot may be older than the top (a bookTicker moves with every
// change, depth in batches), so its levels at or in front of the top are dropped, as the paper exchange's
// matching does. Without a top the side is empty. The levels are appended to out[:0].
func bookSide(out []strategy.BookLevel, side market.Side, best, size decimal.Decimal, depth []sdk.Level) []strategy.BookLevel {
	if best.Sign() <= 0 {
		return nil
	}
	out = append(out[:0], strategy.BookLevel{Price: best, Amount: size})
	for _, l := range depth {
		c := l.Price.Cmp(best)
		if (side == market.Buy && c < 0) || (side == market.Sell && c > 0) {
			out = append(out, strategy.BookLevel{Price: l.Price, Amount: l.Amount})
		}
	}
	return out
}

// seedInventoryCost starts Hummingbot's InventoryCost record for price_type inventory_cost as the client does
// when inventory_price is set: the current base balance at inventory_price (reference/hummingbot.md §6.3).
// The run's fills then move it (addInventoryFill).
func (r *run) seedInventoryCost() {
	if r.params.PriceType != strategy.PriceInventoryCost {
		return
	}
	base := r.balanceTotal(r.pair.Base)
	r.invBase, r.invQuote = base, base.Mul(r.params.InventoryPrice)
}

// loadInventoryCost continues the InventoryCost record across runs, as Hummingbot's database row does (it is
// overwritten only when inventory_price is set). mm's journal holds every fill, so the record is rebuilt: the
// series is the latest runs of this account, connector and market with price_type inventory_cost and the same
// inventory_price, back to the first that differs; the record is seeded from the series' first run's start
// balance snapshot at inventory_price and moved by every fill of an own order (client id "mm-…") journaled at or
// after that snapshot, fills made while mm was down included. The first run of a series, and a throwaway paper
// account (no state file: a new account every run), seed from the current balance.
func (r *run) loadInventoryCost(ctx context.Context) error {
	if r.params.PriceType != strategy.PriceInventoryCost {
		return nil
	}
	r.seedInventoryCost()
	if r.connName != r.cfg.Connector.Name {
		return nil
	}
	runs, err := r.j.Runs(ctx)
	if err != nil {
		return err
	}
	var first int64
	for i := len(runs) - 1; i >= 0; i-- {
		prev := runs[i]
		if prev.ID >= r.runID || prev.Account != r.account || prev.Market != r.marketName ||
			prev.Connector != r.cfg.Connector.Name {
			continue
		}
		if !sameInventoryPrice(prev.Config, r.params.InventoryPrice) {
			break
		}
		first = prev.ID
	}
	if first == 0 {
		return nil
	}
	start, err := r.j.StartBalancesOfRun(ctx, first, []string{r.pair.Base})
	if err != nil {
		return err
	}
	seed, ok := start[r.pair.Base]
	if !ok {
		return nil // the series' first run died before its first event: this run starts the series
	}
	if err := r.j.Flush(ctx); err != nil { // the fills this run's reconcile queued
		return err
	}
	fills, err := r.j.Fills(ctx, journal.FillFilter{Connector: r.connName, Market: r.marketName, Since: seed.Time})
	if err != nil {
		return err
	}
	r.invBase, r.invQuote = seed.Total, seed.Total.Mul(r.params.InventoryPrice)
	for _, f := range fills {
		if strings.HasPrefix(f.ClientOrderID, ClientIDPrefix) {
			r.addInventoryFill(sdk.Fill{Side: market.Side(f.Side), Price: f.Price, Amount: f.Amount, Fee: f.Fee,
				FeeAsset: f.FeeAsset})
		}
	}
	r.log.Info("inventory cost record continued", "since_run", first, "base", r.invBase, "quote", r.invQuote)
	return nil
}

// sameInventoryPrice says a journaled run config priced with inventory_cost at inventory_price.
func sameInventoryPrice(configJSON string, price decimal.Decimal) bool {
	var c struct {
		Strategy struct {
			PriceType      string          `json:"price_type"`
			InventoryPrice decimal.Decimal `json:"inventory_price"`
		} `json:"strategy"`
	}
	if err := json.Unmarshal([]byte(configJSON), &c); err != nil {
		return false
	}
	return c.Strategy.PriceType == string(strategy.PriceInventoryCost) && c.Strategy.InventoryPrice.Equal(price)
}

// addInventoryFill is InventoryCostPriceDelegate.process_order_fill_event (§6.3): a buy adds (amount,
// amount·price), less a fee charged in base from the amount, plus a fee charged in quote to the cost; a sell
// removes its amount of base and quote at the recorded average cost, so realised profit leaves the cost basis
// alone. A sell larger than the record empties it (Hummingbot would let the record go negative).
func (r *run) addInventoryFill(f sdk.Fill) {
	if r.params.PriceType != strategy.PriceInventoryCost {
		return
	}
	if f.Side == market.Buy {
		base, quote := f.Amount, f.Amount.Mul(f.Price)
		switch f.FeeAsset {
		case r.pair.Base:
			base = base.Sub(f.Fee)
		case r.pair.Quote:
			quote = quote.Add(f.Fee)
		}
		r.invBase, r.invQuote = r.invBase.Add(base), r.invQuote.Add(quote)
		return
	}
	if r.invBase.Sign() <= 0 {
		return
	}
	if f.Amount.GreaterThanOrEqual(r.invBase) {
		r.invBase, r.invQuote = decimal.Zero, decimal.Zero
		return
	}
	r.invQuote = r.invQuote.Sub(r.invQuote.Mul(f.Amount).Div(r.invBase))
	r.invBase = r.invBase.Sub(f.Amount)
}

// inventoryCost is the record's price, quote_volume/base_volume; invalid (Hummingbot's None) without a
// record or with no base in it.
func (r *run) inventoryCost() decimal.NullDecimal {
	if r.params.PriceType != strategy.PriceInventoryCost || r.invBase.Sign() <= 0 {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(r.invQuote.Div(r.invBase))
}
