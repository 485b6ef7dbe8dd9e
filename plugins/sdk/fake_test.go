package sdk

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// fakeExchange is a minimal in-memory exchange for the SDK's own tests: one market (BTC-USDT) with a fixed
// book of 100 bid / 101 ask, Binance-like filters, locked balances, idempotent client ids and immediate taker
// fills for crossing limit orders. The real reference connector is the paper exchange (plugins/paper).
type fakeExchange struct {
	mu       sync.Mutex
	cfg      fakeConfig
	balances map[string]*Balance
	orders   map[string]*Order
	fills    []Fill
	subs     []chan Event
	nextID   int
	shutdown bool
}

// fakeConfig drives the fake's stream from Configure, so the same behaviour can be asked of a subprocess.
type fakeConfig struct {
	// Burst: events sent as fast as possible right after Subscribe (the throughput benchmark).
	Burst int `json:"burst"`
	// TickEvery: a book top every interval until the stream ends (the crash test).
	TickEvery time.Duration `json:"tick_every"`
}

var (
	btcusdt = market.Pair{Base: "BTC", Quote: "USDT"}
	bestBid = decimal.RequireFromString("100")
	bestAsk = decimal.RequireFromString("101")
)

func newFakeExchange() *fakeExchange {
	return &fakeExchange{
		balances: map[string]*Balance{
			"BTC":  {Asset: "BTC", Total: decimal.RequireFromString("1"), Available: decimal.RequireFromString("1")},
			"USDT": {Asset: "USDT", Total: decimal.RequireFromString("10000"), Available: decimal.RequireFromString("10000")},
		},
		orders: map[string]*Order{},
	}
}

func (f *fakeExchange) Info(context.Context) (PluginInfo, error) {
	return PluginInfo{Name: "fake", Version: "0.1.0", Capabilities: Capabilities{LimitMaker: true, BalanceUpdates: true}}, nil
}

func (f *fakeExchange) Configure(_ context.Context, configJSON []byte) error {
	var cfg fakeConfig
	if err := json.Unmarshal(configJSON, &cfg); err != nil {
		return Errorf(CodeInvalidRequest, "config: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	return nil
}

func (f *fakeExchange) Shutdown(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shutdown = true
	return nil
}

func (f *fakeExchange) rules() MarketRules {
	return MarketRules{
		Market: btcusdt, TickSize: decimal.RequireFromString("0.01"), StepSize: decimal.RequireFromString("0.0001"),
		MinSize: decimal.RequireFromString("0.0001"), MinNotional: decimal.RequireFromString("5"),
		MakerFee: decimal.RequireFromString("-0.0001"), TakerFee: decimal.RequireFromString("0.001"),
	}
}

func (f *fakeExchange) MarketRules(_ context.Context, m market.Pair) (MarketRules, error) {
	if m != btcusdt {
		return MarketRules{}, Errorf(CodeUnknownMarket, "%s", m)
	}
	return f.rules(), nil
}

func (f *fakeExchange) Balances(context.Context) ([]Balance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []Balance{*f.balances["BTC"], *f.balances["USDT"]}, nil
}

func (f *fakeExchange) OpenOrders(_ context.Context, m market.Pair) ([]Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Order
	for _, o := range f.orders {
		if o.Market == m && (o.Status == StatusOpen || o.Status == StatusPartiallyFilled) {
			out = append(out, *o)
		}
	}
	return out, nil
}

func (f *fakeExchange) PlaceOrders(_ context.Context, reqs []OrderRequest) ([]PlaceResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]PlaceResult, len(reqs))
	for i, r := range reqs {
		out[i] = f.place(r)
	}
	return out, nil
}

// place checks filters, then locks funds; a limit order through the fixed book fills at once as a taker.
func (f *fakeExchange) place(r OrderRequest) PlaceResult {
	if o, ok := f.orders[r.ClientOrderID]; ok {
		return PlaceResult{ClientOrderID: r.ClientOrderID, Order: *o, Duplicate: true}
	}
	reject := func(code ErrorCode, format string, args ...any) PlaceResult {
		return PlaceResult{ClientOrderID: r.ClientOrderID, Err: Errorf(code, format, args...)}
	}
	rules := f.rules()
	switch {
	case r.Market != btcusdt:
		return reject(CodeUnknownMarket, "%s", r.Market)
	case !r.Price.Mod(rules.TickSize).IsZero():
		return reject(CodeFilter, "price %s is not a multiple of tick %s", r.Price, rules.TickSize)
	case !r.Amount.Mod(rules.StepSize).IsZero() || r.Amount.LessThan(rules.MinSize):
		return reject(CodeFilter, "amount %s breaks step %s / min size %s", r.Amount, rules.StepSize, rules.MinSize)
	case r.Price.Mul(r.Amount).LessThan(rules.MinNotional):
		return reject(CodeFilter, "notional %s below %s", r.Price.Mul(r.Amount), rules.MinNotional)
	}
	crosses := (r.Side == market.Buy && r.Price.GreaterThanOrEqual(bestAsk)) ||
		(r.Side == market.Sell && r.Price.LessThanOrEqual(bestBid))
	if crosses && r.Type == LimitMaker {
		return reject(CodeWouldTake, "%s at %s crosses the book", r.Side, r.Price)
	}
	asset, need := "USDT", r.Price.Mul(r.Amount)
	if r.Side == market.Sell {
		asset, need = "BTC", r.Amount
	}
	if f.balances[asset].Available.LessThan(need) {
		return reject(CodeInsufficientBalance, "need %s %s, have %s", need, asset, f.balances[asset].Available)
	}
	f.nextID++
	now := time.Unix(1_700_000_000, int64(f.nextID)).UTC()
	o := &Order{
		ClientOrderID: r.ClientOrderID, ExchangeOrderID: strconv.Itoa(f.nextID), Market: r.Market, Side: r.Side,
		Type: r.Type, Price: r.Price, Amount: r.Amount, FilledAmount: decimal.Zero, Status: StatusOpen,
		Created: now, Updated: now,
	}
	f.orders[r.ClientOrderID] = o
	if crosses {
		f.fillTaker(o, now)
	} else {
		f.lock(asset, need)
	}
	f.emit(Event{Time: now, Payload: OrderUpdate{Order: *o}})
	return PlaceResult{ClientOrderID: r.ClientOrderID, Order: *o}
}

func (f *fakeExchange) lock(asset string, amount decimal.Decimal) {
	b := f.balances[asset]
	b.Available = b.Available.Sub(amount)
	f.emit(Event{Payload: BalanceUpdate{Balance: *b}})
}

func (f *fakeExchange) fillTaker(o *Order, now time.Time) {
	price := bestAsk
	if o.Side == market.Sell {
		price = bestBid
	}
	fee := o.Amount.Mul(price).Mul(f.rules().TakerFee)
	fill := Fill{
		TradeID: "t" + o.ExchangeOrderID, ClientOrderID: o.ClientOrderID, ExchangeOrderID: o.ExchangeOrderID,
		Market: o.Market, Side: o.Side, Price: price, Amount: o.Amount, Fee: fee, FeeAsset: "USDT", Time: now,
	}
	o.FilledAmount, o.Status = o.Amount, StatusFilled
	f.fills = append(f.fills, fill)
	base, quote := f.balances["BTC"], f.balances["USDT"]
	sign := decimal.NewFromInt(1)
	if o.Side == market.Sell {
		sign = sign.Neg()
	}
	base.Total, base.Available = base.Total.Add(o.Amount.Mul(sign)), base.Available.Add(o.Amount.Mul(sign))
	cost := price.Mul(o.Amount).Mul(sign).Add(fee)
	quote.Total, quote.Available = quote.Total.Sub(cost), quote.Available.Sub(cost)
	f.emit(Event{Time: now, Payload: FillEvent{Fill: fill}})
	f.emit(Event{Time: now, Payload: BalanceUpdate{Balance: *base}})
	f.emit(Event{Time: now, Payload: BalanceUpdate{Balance: *quote}})
}

func (f *fakeExchange) cancel(id string) CancelResult {
	o, ok := f.orders[id]
	if !ok {
		return CancelResult{ClientOrderID: id, Err: Errorf(CodeUnknownOrder, "%s", id)}
	}
	if o.Status == StatusOpen {
		o.Status = StatusCancelled
		if o.Side == market.Buy {
			f.lock("USDT", o.Price.Mul(o.Amount).Neg())
		} else {
			f.lock("BTC", o.Amount.Neg())
		}
		f.emit(Event{Payload: OrderUpdate{Order: *o}})
	}
	return CancelResult{ClientOrderID: id, Order: *o}
}

func (f *fakeExchange) CancelOrders(_ context.Context, _ market.Pair, ids []string) ([]CancelResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]CancelResult, len(ids))
	for i, id := range ids {
		out[i] = f.cancel(id)
	}
	return out, nil
}

func (f *fakeExchange) CancelAll(_ context.Context, m market.Pair) ([]Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Order
	for id, o := range f.orders {
		if o.Market == m && o.Status == StatusOpen {
			out = append(out, f.cancel(id).Order)
		}
	}
	return out, nil
}

// TradesSince uses the index of the next fill as its cursor.
func (f *fakeExchange) TradesSince(_ context.Context, _ market.Pair, cursor string, limit int) (TradesPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	from := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 || n > len(f.fills) {
			return TradesPage{}, Errorf(CodeInvalidRequest, "cursor %q", cursor)
		}
		from = n
	}
	to := len(f.fills)
	if limit > 0 && from+limit < to {
		to = from + limit
	}
	return TradesPage{Fills: append([]Fill(nil), f.fills[from:to]...), NextCursor: strconv.Itoa(to), More: to < len(f.fills)}, nil
}

func (f *fakeExchange) top(updateID uint64) Event {
	return Event{Payload: BookTop{Market: btcusdt, BidPrice: bestBid, BidAmount: decimal.RequireFromString("1.5"),
		AskPrice: bestAsk, AskAmount: decimal.RequireFromString("2.25"), UpdateID: updateID}}
}

func (f *fakeExchange) Subscribe(ctx context.Context, req SubscribeRequest) (<-chan Event, error) {
	if req.Market != btcusdt {
		return nil, Errorf(CodeUnknownMarket, "%s", req.Market)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan Event, 1024)
	f.subs = append(f.subs, ch)
	cfg := f.cfg
	ch <- f.top(1)
	go func() {
		for i := range cfg.Burst {
			select {
			case ch <- f.top(uint64(i + 2)):
			case <-ctx.Done():
				return
			}
		}
		if cfg.TickEvery <= 0 {
			return
		}
		for i := uint64(0); ; i++ {
			select {
			case <-time.After(cfg.TickEvery):
				ch <- f.top(i)
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// emit fans out to subscribers; the fake's buffers are large enough for the tests, and a full buffer is
// dropped rather than blocking the exchange under its lock.
func (f *fakeExchange) emit(ev Event) {
	for _, ch := range f.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}
