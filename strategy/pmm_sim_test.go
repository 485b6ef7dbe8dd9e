package strategy

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

var dec = decimal.RequireFromString

// hbMock is Hummingbot's test market quantization: 6 significant digits, at most 6 decimals (§7).
var hbMock = SignificantDigits{PricePrecision: 6, PriceDecimals: 6, SizePrecision: 6, SizeDecimals: 6}

var simStart = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// oneLevelParams are the init_params of Hummingbot's test_pmm.py one_level_strategy.
func oneLevelParams() PMMParams {
	return PMMParams{
		BidSpread: dec("0.01"), AskSpread: dec("0.01"), OrderAmount: dec("1"),
		OrderRefreshTime: 5 * time.Second, FilledOrderDelay: 5 * time.Second,
		OrderRefreshTolerancePct: dec("-1"), MinimumSpread: dec("-1"),
		OrderLevels: 1, MaxOrderAge: 1800 * time.Second,
		PriceCeiling: dec("-1"), PriceFloor: dec("-1"),
		PriceCeilingPct: dec("1"), PriceFloorPct: dec("-1"), PriceBandRefreshTime: 86400 * time.Second,
		HangingOrdersCancelPct: dec("0.1"), PriceType: PriceMid, ShouldWaitOrderCancelConfirmation: true,
	}
}

// sim plays Hummingbot's mock paper exchange around the engine: places and cancels are confirmed at once, fills
// move balances, and every tick sees available = total − what own orders lock.
type sim struct {
	t           *testing.T
	p           PMMParams
	s           PMMState
	m           MarketSnapshot
	base, quote decimal.Decimal
	last        TickResult
}

func newSim(t *testing.T, p PMMParams) *sim {
	return &sim{t: t, p: p, base: dec("500"), quote: dec("5000"), m: MarketSnapshot{
		BestBid: dec("99.5"), BestAsk: dec("100.5"), Mid: dec("100"),
		Quantizer: hbMock, NewClientID: DefaultClientIDs("t"), ExplainStages: true,
	}}
}

func (x *sim) at(sec float64) time.Time {
	return simStart.Add(time.Duration(sec * float64(time.Second)))
}

func (x *sim) tick(sec float64) TickResult {
	x.t.Helper()
	m := x.m
	m.Now = x.at(sec)
	baseLocked, quoteLocked := decimal.Zero, decimal.Zero
	for _, o := range x.s.Orders {
		if o.Side == market.Buy {
			quoteLocked = quoteLocked.Add(o.Remaining().Mul(o.Price))
		} else {
			baseLocked = baseLocked.Add(o.Remaining())
		}
	}
	m.Balances = Balances{BaseTotal: x.base, BaseAvailable: x.base.Sub(baseLocked),
		QuoteTotal: x.quote, QuoteAvailable: x.quote.Sub(quoteLocked)}
	r := Tick(x.p, x.s, m)
	x.s = r.State
	for _, c := range r.Actions.Cancels {
		x.s = OnOrderCancelled(x.p, x.s, OrderCancelled{ClientID: c.ClientID, Time: m.Now})
	}
	for _, pl := range r.Actions.Places {
		x.s = OnOrderCreated(x.p, x.s, OrderCreated{ClientID: pl.ClientID, Time: m.Now})
	}
	x.last = r
	return r
}

// run ticks every second from `from` to `to` inclusive, as Hummingbot's backtest clock does.
func (x *sim) run(from, to int) {
	for sec := from; sec <= to; sec++ {
		x.tick(float64(sec))
	}
}

// fill completes an own order at its limit price.
func (x *sim) fill(o Order, sec float64) {
	x.t.Helper()
	if o.Side == market.Buy {
		x.base, x.quote = x.base.Add(o.Remaining()), x.quote.Sub(o.Remaining().Mul(o.Price))
	} else {
		x.base, x.quote = x.base.Sub(o.Remaining()), x.quote.Add(o.Remaining().Mul(o.Price))
	}
	x.s = OnOrderFilled(x.p, x.s, OrderFilled{ClientID: o.ClientID, Price: o.Price, Amount: o.Remaining(),
		Complete: true, Time: x.at(sec)})
}

func (x *sim) side(side market.Side) []Order {
	var out []Order
	for _, o := range x.s.Orders {
		if o.Side == side {
			out = append(out, o)
		}
	}
	return out
}

func (x *sim) buys() []Order  { return x.side(market.Buy) }
func (x *sim) sells() []Order { return x.side(market.Sell) }

func (x *sim) hanging() []Order {
	var out []Order
	for _, o := range x.s.Orders {
		if o.Hanging {
			out = append(out, o)
		}
	}
	return out
}

func (x *sim) wantCounts(when string, buys, sells int) {
	x.t.Helper()
	if b, s := len(x.buys()), len(x.sells()); b != buys || s != sells {
		x.t.Fatalf("%s: %d buys / %d sells, want %d / %d\n%s", when, b, s, buys, sells, x.last.Explain)
	}
}
