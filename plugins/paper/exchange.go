package paper

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Exchange is the paper/replay exchange. Its methods are safe for concurrent use: one mutex serializes them,
// because the gRPC server calls them from several goroutines while Subscribe steps the feed.
type Exchange struct {
	mu  sync.Mutex
	cfg Config
	// configured is false for an Unconfigured exchange until Configure, and again after Shutdown.
	configured bool

	// book is read through view. With sharedBook it is the source's own (feed.BookSource), which applies
	// each event before the exchange plays it: bookAhead says it holds the event pulled but not yet played,
	// bookReverted that view has reverted that event (feed.Book.Revert), so apply must apply it again.
	book                                *feed.Book
	sharedBook, bookAhead, bookReverted bool

	ticker    top           // the last top-of-book event
	tickerID  uint64        // its update id
	useTicker bool          // the ticker is fresher than the depth book (see currentTop)
	lastTop   top           // the top last reported as BookTop
	prices    *decimalCache // feed prices as the decimals sdk events carry
	sizes     *decimalCache // feed sizes likewise
	lookahead *feed.Event
	now       time.Time
	feedErr   error

	fixedRules fixedRules // cfg.Rules in fixed point
	orders     map[string]*order
	memory     []*order // the orders in the order they were placed, for forgetting the oldest (remember)
	memoryHead int
	bids       []*order // active resting bids, best first (price descending, then time)
	asks       []*order // active resting asks, best first (price ascending, then time)
	pending    []action // order arrivals and cancels waiting out their latency, by (at, seq)

	balances map[string]*balance
	touched  []string // assets whose balance changed in the current operation, in order
	fills    []sdk.Fill

	nextOrderID  uint64 // last exchange order id handed out
	nextPriority uint64 // time priority of our orders, also orders pending actions
	events       []sdk.Event
	eventSeq     uint64
	dirty        bool // the account changed since the state file was last written

	depthLevels int           // BookDepth levels the subscriber asked for (0: none)
	subscribed  bool          // a Subscribe stream is running
	notify      chan struct{} // wakes a paced Subscribe when a call queued events
	stop        context.CancelFunc
	streamDone  chan struct{}
}

// top is the best bid and ask with their sizes, exact as the feed gives them (a zero price: unknown). It stays
// in market.Fixed, compared with integers on every event, and becomes decimals only when reported.
type top struct {
	bid, bidSize, ask, askSize market.Fixed
}

func (t top) equal(o top) bool {
	return t.bid.Equal(o.bid) && t.bidSize.Equal(o.bidSize) && t.ask.Equal(o.ask) && t.askSize.Equal(o.askSize)
}

type balance struct {
	total, locked decimal.Decimal
	avail         decimal.Decimal // total − locked, valid while availOK (lock, unlock, credit and debit clear it)
	availOK       bool
}

// available is total − locked, computed once per change: BalanceUpdate events and every place's balance check
// ask for it far more often than a fill or an order changes it.
func (b *balance) available() decimal.Decimal {
	if !b.availOK {
		b.avail, b.availOK = b.total.Sub(b.locked), true
	}
	return b.avail
}

// lock, unlock, credit and debit are the only changes of a balance, so the cached available amount cannot go
// stale.
func (b *balance) lock(d decimal.Decimal)   { b.locked, b.availOK = b.locked.Add(d), false }
func (b *balance) unlock(d decimal.Decimal) { b.locked, b.availOK = b.locked.Sub(d), false }
func (b *balance) credit(d decimal.Decimal) { b.total, b.availOK = b.total.Add(d), false }
func (b *balance) debit(d decimal.Decimal)  { b.total, b.availOK = b.total.Sub(d), false }

// order is one of our orders with what the matching engine keeps beside it.
type order struct {
	sdk.Order
	price    market.Fixed    // Price for comparing with feed prices, when fixed is true
	fixed    bool            // Price fits a market.Fixed (see cmpFeed)
	priority uint64          // time priority: lower was placed earlier
	queue    decimal.Decimal // conservative model: book size ahead of us at our price
	locked   decimal.Decimal // still locked by this order: quote for a buy, base for a sell
	active   bool            // has reached the matching engine (order latency elapsed)
	canceled bool            // a cancel is on its way (cancel latency)
}

func (o *order) remaining() decimal.Decimal { return o.Amount.Sub(o.FilledAmount) }

// cmpFeed compares the order's price with a feed price: −1 if below, 0 if equal, +1 if above.
func (o *order) cmpFeed(p market.Fixed) int {
	if o.fixed {
		return o.price.Cmp(p)
	}
	return o.Price.Cmp(p.Decimal())
}

// newOrder wraps an sdk order with its price as a market.Fixed for matching.
func newOrder(so sdk.Order) *order {
	o := &order{Order: so}
	o.price, o.fixed = market.FixedFromDecimal(so.Price)
	return o
}

func (o *order) isOpen() bool {
	return o.Status == sdk.StatusOpen || o.Status == sdk.StatusPartiallyFilled
}

// action is an order arrival or a cancel that reaches the matching engine at time at.
type action struct {
	at       time.Time
	priority uint64
	cancel   bool
	ord      *order
}

var _ sdk.Connector = (*Exchange)(nil)

// New builds a configured exchange. With a StatePath whose file exists, the saved account replaces
// Config.Balances (users.md HB #3096).
func New(cfg Config) (*Exchange, error) {
	e := Unconfigured()
	if err := e.init(cfg); err != nil {
		return nil, err
	}
	return e, nil
}

// Unconfigured returns an exchange that answers Info and waits for Configure; every other call fails with
// sdk.CodeNotConfigured until then. It is what mm-plugin-paper serves.
func Unconfigured() *Exchange {
	return &Exchange{notify: make(chan struct{}, 1)}
}

func (e *Exchange) init(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.FillModel = cfg.fillModel()
	e.cfg, e.fixedRules = cfg, newFixedRules(cfg.Rules)
	e.book, e.sharedBook = feed.NewBook(), false
	if bs, ok := cfg.Source.(feed.BookSource); ok && bs.Book() != nil {
		e.book, e.sharedBook = bs.Book(), true
		e.book.KeepUndo()
	}
	e.bookAhead, e.bookReverted = false, false
	e.ticker, e.tickerID, e.useTicker, e.lastTop = top{}, 0, false, top{}
	e.prices, e.sizes = &decimalCache{}, &decimalCache{}
	e.lookahead, e.now, e.feedErr = nil, time.Time{}, nil
	e.orders, e.memory, e.memoryHead = map[string]*order{}, nil, 0
	e.bids, e.asks, e.pending, e.fills, e.events, e.touched = nil, nil, nil, nil, nil, nil
	e.nextOrderID, e.nextPriority, e.eventSeq = 0, 0, 0
	e.balances = map[string]*balance{}
	for asset, amount := range cfg.Balances {
		e.balances[strings.ToUpper(asset)] = &balance{total: amount}
	}
	for _, asset := range []string{cfg.Market.Base, cfg.Market.Quote} {
		if e.balances[asset] == nil {
			e.balances[asset] = &balance{}
		}
	}
	if cfg.StatePath != "" {
		if err := e.loadState(); err != nil {
			return err
		}
	}
	e.configured = true
	return nil
}

// Describe is the one-line description of the fill model and the assumptions of this exchange, which the
// caller prints at start (DESIGN.md §5).
func (e *Exchange) Describe() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg.describe()
}

// Now is the simulated time: the time of the last feed event stepped (zero before the first).
func (e *Exchange) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// Info describes the plugin; it works before Configure.
func (e *Exchange) Info(context.Context) (sdk.PluginInfo, error) {
	return sdk.PluginInfo{
		Name:            "paper",
		Version:         "1.0.0",
		ProtocolVersion: sdk.ProtocolVersion,
		Capabilities:    sdk.Capabilities{Depth: true, PublicTrades: true, LimitMaker: true, BalanceUpdates: true},
	}, nil
}

// Configure (re)configures the exchange from mm's connector.paper section as JSON (see ParseConfigJSON). The
// previous feed, orders and stream are dropped; a state file, if configured, is loaded.
func (e *Exchange) Configure(_ context.Context, configJSON []byte) error {
	cfg, err := ParseConfigJSON(configJSON)
	if err != nil {
		return &sdk.Error{Code: sdk.CodeInvalidRequest, Message: err.Error()}
	}
	e.shutdownStream()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closeSource()
	if err := e.init(cfg); err != nil {
		closeSource(cfg.Source)
		return &sdk.Error{Code: sdk.CodeInvalidRequest, Message: err.Error()}
	}
	return nil
}

// Shutdown stops the stream, writes the state file and closes the feed. Afterwards the exchange answers only
// Info and Configure.
func (e *Exchange) Shutdown(context.Context) error {
	e.shutdownStream()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.configured {
		return nil
	}
	err := e.saveState()
	e.closeSource()
	e.configured = false
	return err
}

func (e *Exchange) closeSource() {
	if e.configured {
		closeSource(e.cfg.Source)
	}
}

func closeSource(src feed.Source) {
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
}

// usable is checked under the lock by every call but Info and Configure.
func (e *Exchange) usable() error {
	if !e.configured {
		return sdk.Errorf(sdk.CodeNotConfigured, "paper exchange: Configure first")
	}
	return nil
}

func (e *Exchange) checkMarket(m market.Pair) *sdk.Error {
	if m != e.cfg.Market {
		return sdk.Errorf(sdk.CodeUnknownMarket, "Invalid symbol: this paper exchange trades %s, not %s",
			e.cfg.Market, m)
	}
	return nil
}

// MarketRules returns the configured filters and fees.
func (e *Exchange) MarketRules(_ context.Context, m market.Pair) (sdk.MarketRules, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return sdk.MarketRules{}, err
	}
	if err := e.checkMarket(m); err != nil {
		return sdk.MarketRules{}, err
	}
	r := e.cfg.Rules
	return sdk.MarketRules{Market: m, TickSize: r.TickSize, StepSize: r.StepSize, MinSize: r.MinSize,
		MinNotional: r.MinNotional, MakerFee: r.MakerFee, TakerFee: r.TakerFee}, nil
}

// Balances returns every asset's total and available (total minus what open orders lock), by asset name.
func (e *Exchange) Balances(context.Context) ([]sdk.Balance, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	assets := make([]string, 0, len(e.balances))
	for asset := range e.balances {
		assets = append(assets, asset)
	}
	slices.Sort(assets)
	out := make([]sdk.Balance, len(assets))
	for i, asset := range assets {
		out[i] = e.balanceOf(asset)
	}
	return out, nil
}

func (e *Exchange) balanceOf(asset string) sdk.Balance {
	b := e.balances[asset]
	return sdk.Balance{Asset: asset, Total: b.total, Available: b.available()}
}

// OpenOrders returns the open orders, oldest first, including those still travelling (order latency).
func (e *Exchange) OpenOrders(_ context.Context, m market.Pair) ([]sdk.Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return nil, err
	}
	if err := e.checkMarket(m); err != nil {
		return nil, err
	}
	var out []sdk.Order
	for _, o := range e.openOrdersLocked() {
		out = append(out, o.Order)
	}
	return out, nil
}

func (e *Exchange) openOrdersLocked() []*order {
	var open []*order
	for _, o := range e.orders {
		if o.isOpen() {
			open = append(open, o)
		}
	}
	sortByPriority(open)
	return open
}

func sortByPriority(orders []*order) {
	slices.SortFunc(orders, func(a, b *order) int { return cmp.Compare(a.priority, b.priority) })
}

// defaultTradesPage is the page size when TradesSince is called with limit 0.
const defaultTradesPage = 1000

// TradesSince returns our fills after cursor, oldest first. The cursor is the sequence number of the last
// fill seen (trade id "P<n>" has sequence n); empty means from the first fill.
func (e *Exchange) TradesSince(_ context.Context, m market.Pair, cursor string, limit int) (sdk.TradesPage, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return sdk.TradesPage{}, err
	}
	if err := e.checkMarket(m); err != nil {
		return sdk.TradesPage{}, err
	}
	var after uint64
	if cursor != "" {
		n, err := strconv.ParseUint(cursor, 10, 64)
		if err != nil {
			return sdk.TradesPage{}, sdk.Errorf(sdk.CodeInvalidRequest, "cursor %q: want a fill sequence number", cursor)
		}
		after = n
	}
	if limit <= 0 {
		limit = defaultTradesPage
	}
	page := sdk.TradesPage{NextCursor: cursor}
	if after >= uint64(len(e.fills)) {
		return page, nil
	}
	end := min(after+uint64(limit), uint64(len(e.fills)))
	page.Fills = slices.Clone(e.fills[after:end])
	page.NextCursor = strconv.FormatUint(end, 10)
	page.More = end < uint64(len(e.fills))
	return page, nil
}

// emit queues an event for the next Step (or the running Subscribe), stamped with the simulated time.
func (e *Exchange) emit(p sdk.Payload) {
	e.eventSeq++
	if len(e.events) == cap(e.events) {
		// A new block for this and the next operations' events (see takeEvents), instead of a new slice
		// grown from nothing for every step.
		block := make([]sdk.Event, len(e.events), max(eventBlock, 2*len(e.events)))
		copy(block, e.events)
		e.events = block
	}
	e.events = append(e.events, sdk.Event{Seq: e.eventSeq, Time: e.now, Payload: p})
}

// touch records that an asset's balance changed, for the BalanceUpdate events of the current operation.
func (e *Exchange) touch(asset string) {
	if !slices.Contains(e.touched, asset) {
		e.touched = append(e.touched, asset)
	}
	e.dirty = true
}

// flushBalances emits one BalanceUpdate per asset changed by the operation that just ended.
func (e *Exchange) flushBalances() {
	for _, asset := range e.touched {
		e.emit(sdk.BalanceUpdate{Balance: e.balanceOf(asset)})
	}
	e.touched = e.touched[:0]
}

// eventBlock is how many events one allocation holds; the slices Step returns are cut from such blocks.
const eventBlock = 64

// takeEvents hands the queued events to the caller and wakes nobody: the caller is the stream or Step.
func (e *Exchange) takeEvents() []sdk.Event {
	if len(e.events) == 0 {
		return nil
	}
	// The caller owns out: its capacity ends at its length, so appending to it copies, and later events go to
	// the block's free tail, which no returned slice covers.
	out := e.events[:len(e.events):len(e.events)]
	e.events = e.events[len(e.events):]
	return out
}

// signal wakes a paced Subscribe so events queued by a call are delivered before the next feed event.
func (e *Exchange) signal() {
	select {
	case e.notify <- struct{}{}:
	default:
	}
}
