package journal

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// BenchmarkWriterFills measures fills per second through the batched writer (AddFill, then one Flush), with the
// default batch size and real files: validation and decimal formatting in the caller, inserts and commits in the
// writer goroutine, as in `mm run`.
func BenchmarkWriterFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	fills := make([]Fill, b.N)
	for i := range fills {
		fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range fills {
		if err := j.AddFill(ctx, fills[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}

// BenchmarkInsertFills measures the synchronous import path, 1000 fills per call.
func BenchmarkInsertFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	fills := make([]Fill, b.N)
	for i := range fills {
		fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for start := 0; start < len(fills); start += 1000 {
		if _, err := j.InsertFills(ctx, fills[start:min(start+1000, len(fills))]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}

// BenchmarkWriterMarks measures marks per second through the batched writer, as `mm run` journals one per tick.
func BenchmarkWriterMarks(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	marks := make([]Mark, b.N)
	for i := range marks {
		marks[i] = Mark{Connector: "paper", Market: "BTC-USDT", Time: t0.Add(time.Duration(i) * time.Minute),
			Mid: dec("64125.5").Add(decimal.New(int64(i%1000), -1)), BestBid: decimal.NewNullDecimal(dec("64125")),
			BestAsk: decimal.NewNullDecimal(dec("64126"))}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range marks {
		if err := j.AddMark(ctx, marks[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// runMinute is the orders and order events `mm run` journals per minute of a klines backtest that refreshes one
// order a minute (internal/runner, tick.go): the previous order's cancellation, the new order twice (placed with
// status unknown, then acknowledged open) and its "created" event. Each op is one record.
func runMinute(i int) []func(context.Context, *Journal) error {
	at := t0.Add(time.Duration(i) * time.Minute)
	id := fmt.Sprintf("mm-1-%d", i)
	level := 0
	order := Order{ClientOrderID: id, Connector: "paper", Market: "BTC-USDT", Side: SideBuy,
		OrderType: OrderTypeLimitMaker, Price: dec("64100.5"), Amount: dec("0.0015"), Level: &level,
		CreatedAt: at, Status: StatusUnknown, UpdatedAt: at}
	acked := order
	acked.Status, acked.ExchangeOrderID = StatusOpen, "x"+id
	ops := []func(context.Context, *Journal) error{}
	if i > 0 {
		prev := fmt.Sprintf("mm-1-%d", i-1)
		ops = append(ops, func(ctx context.Context, j *Journal) error {
			return j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: prev, Time: at, Event: EventCancelled})
		})
	}
	return append(ops,
		func(ctx context.Context, j *Journal) error { return j.AddOrder(ctx, order) },
		func(ctx context.Context, j *Journal) error { return j.AddOrder(ctx, acked) },
		func(ctx context.Context, j *Journal) error {
			return j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: id, Time: at, Event: EventCreated})
		})
}

// BenchmarkWriterOrderEvents measures orders and order events (with the status updates they imply) through the
// batched writer, in the order `mm run` queues them (runMinute); rows/s counts records.
func BenchmarkWriterOrderEvents(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	var ops []func(context.Context, *Journal) error
	for i := 0; len(ops) < b.N; i++ {
		ops = append(ops, runMinute(i)...)
	}
	ops = ops[:b.N]
	b.ReportAllocs()
	b.ResetTimer()
	for _, op := range ops {
		if err := op(ctx, j); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// The year `mm run --config examples/klines-backtest.yaml` journals: 525,600 one-minute ticks and, under
// run.journal_orders "filled", only the orders that filled, each in one of four lifecycles. The counts are those of
// the journal of a real run (sqlite3 counts); writerYearRows is its rows per table, which the plan reproduces.
const (
	writerYearMinutes = 525_600
	writerYearRunID   = 1 // a new journal's first run: the records carry it, and "paper:run-1" as the runner names it
)

var writerYearRows = map[string]int{"runs": 1, "marks": 525_600, "orders": 53_103, "fills": 53_342,
	"order_events": 106_692, "balances": 106_208}

// writerYearLifecycle is one way a journaled order ended, with its count in the real year.
type writerYearLifecycle struct {
	orders    int
	fills     []string // the amounts of its fills, of an order of 0.01 BTC, 15 s apart
	cancelled bool     // partly filled, then cancelled at the next tick
}

var writerYearLifecycles = [...]writerYearLifecycle{
	{orders: 52_741, fills: []string{"0.01"}},                             // created, filled
	{orders: 115, fills: []string{"0.00467", "0.00533"}},                  // created, partially_filled, filled
	{orders: 123, fills: []string{"0.00467"}, cancelled: true},            // created, partially_filled, cancelled
	{orders: 124, fills: []string{"0.00256", "0.00258"}, cancelled: true}, // two partially_filled, cancelled
}

// Which Add* call a writerYearOp is.
const (
	writerYearMark uint8 = iota
	writerYearOrder
	writerYearEvent
	writerYearFill
	writerYearBalance
)

// writerYearOp is one Add* call of the year; index is the record's in the plan's slice of that kind.
type writerYearOp struct {
	call  uint8
	index int32
}

// writerYearPlan is the year's records, built before the timer starts, and the Add* calls that queue them in the
// runner's order. Building records (decimals, ids) is the caller's cost, not the writer's, so it is left out of
// the measurement, which is the writer's floor: validation and formatting in Add*, then the writer goroutine.
type writerYearPlan struct {
	start    time.Time
	end      time.Time // the drain's end, one minute after the last tick
	run      Run
	marks    []Mark
	orders   []Order
	events   []OrderEvent
	fills    []Fill
	balances []Balance
	ops      []writerYearOp

	want       map[string]int // rows per table, the run's row included
	wantStatus map[string]int // orders per final status
	wantEvents map[string]int // order events per event
}

func writerYearQueue[T any](p *writerYearPlan, call uint8, records *[]T, record T) {
	p.ops = append(p.ops, writerYearOp{call: call, index: int32(len(*records))})
	*records = append(*records, record)
}

// at is minute m of the year plus seconds.
func (p *writerYearPlan) at(m int, seconds int) time.Time {
	return p.start.Add(time.Duration(m)*time.Minute + time.Duration(seconds)*time.Second)
}

// writerYearKinds is the lifecycle of each of the year's orders (1/scale of them), spread evenly over the year by
// smooth weighted round robin, which picks each lifecycle exactly its count of times.
func writerYearKinds(scale int) []int {
	var weights, current [len(writerYearLifecycles)]int
	total := 0
	for i, l := range writerYearLifecycles {
		weights[i] = l.orders / scale
		total += weights[i]
	}
	kinds := make([]int, 0, total)
	for range total {
		best := 0
		for i := range weights {
			current[i] += weights[i]
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		kinds = append(kinds, best)
	}
	return kinds
}

// writerYearBids is a best bid in cents for every minute: a seeded random walk from 60,000 USDT, kept between
// 40,000 and 80,000. The ask is one cent above it (the feed's spread_ticks: 1), the mid half a cent.
func writerYearBids(minutes int) []int64 {
	rng := rand.New(rand.NewPCG(2025, 1))
	bids := make([]int64, minutes)
	bid := int64(60_000_00)
	for m := range bids {
		bid += rng.Int64N(5001) - 2500
		if bid < 40_000_00 || bid > 80_000_00 {
			bid = 2*min(max(bid, 40_000_00), 80_000_00) - bid
		}
		bids[m] = bid
	}
	return bids
}

// newWriterYearPlan builds 1/scale of the year in the runner's order (internal/runner: loop.go onFill, tick.go,
// journal_orders.go). Order k is placed at tick placed(k), the first at minute 0, the last at the last tick. The
// kline before tick m fills the order placed at m-1 (fillOrder). Tick m journals the mark, cancels a partly filled
// order, and after the next place a refresh snapshot of both assets, the totals having moved (after a complete
// fill one tick later: filled_order_delay 60). The last order fills in the drain, after the last tick, and the
// end snapshot records it.
func newWriterYearPlan(scale int) *writerYearPlan {
	minutes := writerYearMinutes / scale
	kinds := writerYearKinds(scale)
	bids := writerYearBids(minutes)
	placed := func(k int) int { return k * (minutes - 1) / max(len(kinds)-1, 1) }
	p := &writerYearPlan{start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	p.run = Run{Account: "backtest", Connector: "paper", Market: "BTC-USDT",
		ConfigHash: "7e2335c1b20c886c4ce1df46372f718993240707f66f3c75f3f96f54517c1f4e",
		Config: `{"connector":{"name":"paper","market":"BTC-USDT","account":"backtest"},"strategy":` +
			`{"kind":"pure_market_making","bid_spread":"0.1","ask_spread":"0.1","order_amount":"0.01"},` +
			`"run":{"tick_interval":"1m0s","journal_orders":"filled"}}`,
		StartedAt: p.start, MMVersion: "dev"}
	wallet := &writerYearWallet{btc: dec("1"), usdt: dec("60000")}
	p.snapshot(BalanceStart, p.at(0, 0), wallet, bids[0])
	refreshDue := map[int]bool{}
	next := 0 // the next order to fill
	for m := 0; m <= minutes; m++ {
		var cancels []string
		for ; next < len(kinds) && placed(next)+1 == m; next++ {
			id := p.fillOrder(next, kinds[next], m-1, bids[m-1], wallet)
			if writerYearLifecycles[kinds[next]].cancelled {
				cancels = append(cancels, id)
				refreshDue[m] = true
			} else {
				refreshDue[m+1] = true
			}
		}
		if m < minutes {
			writerYearQueue(p, writerYearMark, &p.marks, Mark{RunID: writerYearRunID, Connector: "paper:run-1",
				Market: "BTC-USDT", Time: p.at(m, 0), Mid: decimal.New(10*bids[m]+5, -3),
				BestBid: decimal.NewNullDecimal(decimal.New(bids[m], -2)),
				BestAsk: decimal.NewNullDecimal(decimal.New(bids[m]+1, -2))})
		}
		for _, id := range cancels {
			writerYearQueue(p, writerYearEvent, &p.events, OrderEvent{ClientOrderID: id, Time: p.at(m, 0),
				Event: EventCancelled})
		}
		if m < minutes && refreshDue[m] {
			p.snapshot(BalanceRefresh, p.at(m, 0), wallet, bids[m])
		}
	}
	p.end = p.at(minutes, 0)
	p.snapshot(BalanceEnd, p.end, wallet, 0)
	p.count()
	return p
}

// writerYearWallet is the account's totals, moved by each fill as the paper exchange moves them.
type writerYearWallet struct{ btc, usdt decimal.Decimal }

// fillOrder queues what the runner journals when the kline after tick m fills order k (a bid 0.1 % under the mid
// for even k, an ask 0.1 % over it for odd k): each fill, and after the first fill the order's held-back rows (one
// record, the runner having merged placed and acknowledged, then its "created" event), then the fill's event.
// The maker fee is 0.1 %, in the asset received. It returns the client order id.
func (p *writerYearPlan) fillOrder(k, kind, m int, bid int64, wallet *writerYearWallet) string {
	mid2 := 2*bid + 1 // the mid in half cents
	side, suffix, price := SideBuy, "b0", decimal.New(mid2*999/2000, -2)
	if k%2 == 1 {
		side, suffix, price = SideSell, "s0", decimal.New((mid2*1001+1999)/2000, -2)
	}
	id := fmt.Sprintf("mm-%d-%d-%s", writerYearRunID, m, suffix)
	level, maker := 0, true
	order := Order{ClientOrderID: id, RunID: writerYearRunID, Connector: "paper:run-1", Market: "BTC-USDT",
		Side: side, OrderType: OrderTypeLimitMaker, Price: price, Amount: dec("0.01"), Level: &level,
		ExchangeOrderID: strconv.Itoa(m + 1), CreatedAt: p.at(m, 0), Status: StatusOpen, UpdatedAt: p.at(m, 0)}
	life := writerYearLifecycles[kind]
	filled := decimal.Zero
	for i, text := range life.fills {
		amount := dec(text)
		fill := Fill{RunID: writerYearRunID, Connector: "paper:run-1", Market: "BTC-USDT", BaseAsset: "BTC",
			QuoteAsset: "USDT", ExchangeTradeID: fmt.Sprintf("P%d", len(p.fills)+1), ClientOrderID: id,
			Side: side, Price: price, Amount: amount, IsMaker: &maker,
			Mid: decimal.NewNullDecimal(decimal.New(5*mid2, -3)), Time: p.at(m, 30+15*i)}
		quote := price.Mul(amount)
		if side == SideBuy {
			fill.Fee, fill.FeeAsset = amount.Mul(dec("0.001")), "BTC"
			wallet.btc, wallet.usdt = wallet.btc.Add(amount).Sub(fill.Fee), wallet.usdt.Sub(quote)
		} else {
			fill.Fee, fill.FeeAsset = quote.Mul(dec("0.001")), "USDT"
			wallet.btc, wallet.usdt = wallet.btc.Sub(amount), wallet.usdt.Add(quote).Sub(fill.Fee)
		}
		writerYearQueue(p, writerYearFill, &p.fills, fill)
		if i == 0 {
			writerYearQueue(p, writerYearOrder, &p.orders, order)
			writerYearQueue(p, writerYearEvent, &p.events, OrderEvent{ClientOrderID: id, Time: order.CreatedAt,
				Event: EventCreated})
		}
		filled = filled.Add(amount)
		event := EventPartiallyFilled
		if filled.Equal(order.Amount) {
			event = EventFilled
		}
		writerYearQueue(p, writerYearEvent, &p.events, OrderEvent{ClientOrderID: id, Time: fill.Time, Event: event,
			Detail: fmt.Sprintf("trade %s: %s at %s", fill.ExchangeTradeID, amount, price)})
	}
	return id
}

// snapshot queues both assets' balances. Available is what the next ask (0.01 BTC) and bid (0.01 BTC at bid
// cents) leave free; at the end, with no order open, everything.
func (p *writerYearPlan) snapshot(kind string, at time.Time, wallet *writerYearWallet, bid int64) {
	assets := [...]string{"BTC", "USDT"}
	totals := [...]decimal.Decimal{wallet.btc, wallet.usdt}
	locked := [...]decimal.Decimal{dec("0.01"), decimal.New(bid, -4)}
	for i, asset := range assets {
		available := totals[i]
		if kind != BalanceEnd {
			available = available.Sub(locked[i])
		}
		writerYearQueue(p, writerYearBalance, &p.balances, Balance{RunID: writerYearRunID, Connector: "paper:run-1",
			Account: "backtest", Asset: asset, Time: at, Total: totals[i],
			Available: decimal.NewNullDecimal(available), Kind: kind})
	}
}

// count sets what the journal must hold once the plan is written: an order's final status is that of its last
// event (the upsert's "open" moved by "created", then by its fills and cancel).
func (p *writerYearPlan) count() {
	p.want = map[string]int{"runs": 1, "marks": len(p.marks), "orders": len(p.orders), "fills": len(p.fills),
		"order_events": len(p.events), "balances": len(p.balances)}
	p.wantEvents, p.wantStatus = map[string]int{}, map[string]int{}
	last := map[string]string{}
	for _, e := range p.events {
		p.wantEvents[e.Event]++
		last[e.ClientOrderID] = statusAfter(e.Event)
	}
	for _, status := range last {
		p.wantStatus[status]++
	}
}

// marksOnly is the plan's marks alone, with what the journal then holds.
func (p *writerYearPlan) marksOnly() *writerYearPlan {
	q := &writerYearPlan{start: p.start, end: p.end, run: p.run, marks: p.marks}
	for _, op := range p.ops {
		if op.call == writerYearMark {
			q.ops = append(q.ops, op)
		}
	}
	q.count()
	return q
}

// writerYearScale is MM_BENCH_YEAR_SCALE, the divisor of the year for a quick check (default 1, the whole year).
func writerYearScale(b *testing.B) int {
	s := os.Getenv("MM_BENCH_YEAR_SCALE")
	if s == "" {
		return 1
	}
	scale, err := strconv.Atoi(s)
	if err != nil || scale < 1 || scale > writerYearMinutes/2 {
		b.Fatalf("MM_BENCH_YEAR_SCALE=%q: want an integer from 1 to %d", s, writerYearMinutes/2)
	}
	return scale
}

// BenchmarkWriterYear is the journal writer's floor for the year `mm run` journals with
// examples/klines-backtest.yaml (≈845,000 rows): one op is the whole year (run it with -benchtime 1x), from
// StartRun through every Add* in the runner's order to EndRun and Close, so that every row is on disk. The plan
// is checked against the real journal's counts, and the journal written against the plan. MM_BENCH_YEAR_SCALE=N
// writes 1/N of the year.
func BenchmarkWriterYear(b *testing.B) {
	scale := writerYearScale(b)
	plan := newWriterYearPlan(scale)
	if scale == 1 && !maps.Equal(plan.want, writerYearRows) {
		b.Fatalf("the plan has %v rows, the real year %v", plan.want, writerYearRows)
	}
	benchWriterYear(b, plan)
}

// BenchmarkWriterYearMarksOnly is BenchmarkWriterYear's marks alone (with the run row), for their share of it.
func BenchmarkWriterYearMarksOnly(b *testing.B) {
	benchWriterYear(b, newWriterYearPlan(writerYearScale(b)).marksOnly())
}

func benchWriterYear(b *testing.B, plan *writerYearPlan) {
	ctx := context.Background()
	rows := 0
	for _, n := range plan.want {
		rows += n
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "mm.db")
		j, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC() // the plan's garbage is not the writer's
		b.StartTimer()
		err = writeYear(ctx, j, plan)
		b.StopTimer()
		if err != nil {
			j.Close(ctx)
			b.Fatal(err)
		}
		checkYear(b, path, plan)
		b.StartTimer()
	}
	b.StopTimer()
	seconds := b.Elapsed().Seconds()
	b.ReportMetric(float64(rows), "rows/op")
	b.ReportMetric(float64(rows*b.N)/seconds, "rows/s")
	b.ReportMetric(seconds/float64(b.N), "s/op")
}

// writeYear journals the plan as `mm run` does: the run row, the queued records, the end of the run, and Close,
// which returns once the last batch is committed.
func writeYear(ctx context.Context, j *Journal, plan *writerYearPlan) error {
	runID, err := j.StartRun(ctx, plan.run)
	if err != nil {
		return err
	}
	if runID != writerYearRunID {
		return fmt.Errorf("run id %d in a new journal: the records carry %d", runID, writerYearRunID)
	}
	for _, op := range plan.ops {
		switch op.call {
		case writerYearMark:
			err = j.AddMark(ctx, plan.marks[op.index])
		case writerYearOrder:
			err = j.AddOrder(ctx, plan.orders[op.index])
		case writerYearEvent:
			err = j.AddOrderEvent(ctx, plan.events[op.index])
		case writerYearFill:
			err = j.AddFill(ctx, plan.fills[op.index])
		case writerYearBalance:
			err = j.AddBalance(ctx, plan.balances[op.index])
		}
		if err != nil {
			return err
		}
	}
	if err := j.EndRun(ctx, runID, plan.end, "feed_end", 0); err != nil {
		return err
	}
	return j.Close(ctx)
}

// checkYear fails the benchmark unless the closed journal at path holds every row of the plan: rows per table,
// orders per status, events per kind.
func checkYear(b *testing.B, path string, plan *writerYearPlan) {
	ctx := context.Background()
	j, err := OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close(ctx)
	for _, table := range slices.Sorted(maps.Keys(plan.want)) {
		if got := countRows(b, j, table); got != plan.want[table] {
			b.Fatalf("%s: %d rows journaled, want %d", table, got, plan.want[table])
		}
	}
	groups := func(query string) map[string]int {
		counts := map[string]int{}
		rows, err := j.readerDB.QueryContext(ctx, query)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var n int
			if err := rows.Scan(&key, &n); err != nil {
				b.Fatal(err)
			}
			counts[key] = n
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		return counts
	}
	if got := groups("SELECT status, count(*) FROM orders GROUP BY status"); !maps.Equal(got, plan.wantStatus) {
		b.Fatalf("orders per status %v, want %v", got, plan.wantStatus)
	}
	if got := groups("SELECT event, count(*) FROM order_events GROUP BY event"); !maps.Equal(got, plan.wantEvents) {
		b.Fatalf("order events %v, want %v", got, plan.wantEvents)
	}
}
