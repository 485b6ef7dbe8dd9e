package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/journal"
)

// run.journal_orders "filled" leaves out exactly the orders cancelled without a fill: the same run journals
// the same fills and marks, and every order it does journal has the rows "all" gives it.
func TestJournalOrdersFilledKeepsExactlyTheOrdersWithFills(t *testing.T) {
	dir := t.TempDir()
	cfgAll := writeConfig(t, dir, nil)
	cfgFilled := withRunKey(t, dir, "journal_orders: filled")
	ctx := context.Background()
	run := func(cfg *config.Config, name string) *journal.Journal {
		path := filepath.Join(dir, name)
		if _, err := runFor(t, ctx, cfg, path, 10*time.Minute, nil); err != nil {
			t.Fatal(err)
		}
		return openJournal(t, path)
	}
	all, filled := run(cfgAll, "all.db"), run(cfgFilled, "filled.db")

	fillsAll, _ := all.Fills(ctx, journal.FillFilter{})
	fillsFilled, _ := filled.Fills(ctx, journal.FillFilter{})
	if len(fillsAll) == 0 || !slices.EqualFunc(fillsAll, fillsFilled, func(a, b journal.Fill) bool {
		return fillRow(a) == fillRow(b)
	}) {
		t.Fatalf("fills differ: %d with all, %d with filled", len(fillsAll), len(fillsFilled))
	}
	marksAll, _ := all.Marks(ctx, journal.MarkFilter{})
	marksFilled, _ := filled.Marks(ctx, journal.MarkFilter{})
	if len(marksAll) != len(marksFilled) {
		t.Fatalf("marks: %d with all, %d with filled", len(marksAll), len(marksFilled))
	}

	withFill := map[string]bool{}
	for _, f := range fillsAll {
		withFill[f.ClientOrderID] = true
	}
	ordersAll, _ := all.Orders(ctx, journal.OrderFilter{})
	var want []string
	for _, o := range ordersAll {
		if withFill[o.ClientOrderID] || o.Status == journal.StatusRejected {
			want = append(want, o.ClientOrderID)
		}
	}
	ordersFilled, _ := filled.Orders(ctx, journal.OrderFilter{})
	var got []string
	for _, o := range ordersFilled {
		got = append(got, o.ClientOrderID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || len(want) == len(ordersAll) || !slices.Equal(got, want) {
		t.Fatalf("filled journals %d orders, want the %d of %d with a fill or a rejection", len(got), len(want),
			len(ordersAll))
	}
	byID := map[string]journal.Order{}
	for _, o := range ordersAll {
		byID[o.ClientOrderID] = o
	}
	for _, o := range ordersFilled {
		if a := byID[o.ClientOrderID]; orderRow(a) != orderRow(o) {
			t.Errorf("order differs:\nall    %+v\nfilled %+v", a, o)
		}
		evAll, _ := all.OrderEvents(ctx, o.ClientOrderID)
		evFilled, _ := filled.OrderEvents(ctx, o.ClientOrderID)
		if fmt.Sprint(stripIDs(evAll)) != fmt.Sprint(stripIDs(evFilled)) {
			t.Errorf("events of %s differ:\nall    %+v\nfilled %+v", o.ClientOrderID, evAll, evFilled)
		}
	}
	report, err := filled.Check(ctx)
	if err != nil || !report.OK() {
		t.Fatalf("journal check: %v %v", err, report.Problems)
	}
}

// A refresh balance snapshot is journaled only when a total changed since the previous snapshot; the start and
// end snapshots are always there.
func TestRefreshBalanceSnapshotsOnlyWhenATotalChanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mm.db")
	if _, err := runFor(t, context.Background(), writeConfig(t, dir, nil), path, 10*time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	var rows []journal.Balance
	err := openJournal(t, path).ScanBalances(context.Background(), journal.BalanceFilter{}, func(b *journal.Balance) error {
		rows = append(rows, *b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// journalBalances writes the base row, then the quote row, of one snapshot.
	if len(rows)%2 != 0 {
		t.Fatalf("%d balance rows: snapshots come in pairs", len(rows))
	}
	kinds := map[string]int{}
	var prev string
	for i := 0; i < len(rows); i += 2 {
		base, quote := rows[i], rows[i+1]
		if base.Asset != "BTC" || quote.Asset != "USDT" || base.Kind != quote.Kind {
			t.Fatalf("snapshot rows %s %s and %s %s, want BTC then USDT of one kind", base.Asset, base.Kind,
				quote.Asset, quote.Kind)
		}
		kinds[base.Kind]++
		totals := base.Total.String() + " " + quote.Total.String()
		if base.Kind == journal.BalanceRefresh && totals == prev {
			t.Errorf("refresh snapshot repeats the totals %s", totals)
		}
		prev = totals
	}
	if kinds[journal.BalanceStart] != 1 || kinds[journal.BalanceEnd] != 1 || kinds[journal.BalanceRefresh] == 0 {
		t.Fatalf("snapshots by kind %v, want 1 start, 1 end and some refresh", kinds)
	}
	// 10 minutes refreshing every 30 s places 20 times; only the refreshes after a fill are journaled.
	if kinds[journal.BalanceRefresh] >= 20 {
		t.Errorf("%d refresh snapshots: snapshots of unchanged totals were journaled", kinds[journal.BalanceRefresh])
	}
}

func orderRow(o journal.Order) string {
	level := "-"
	if o.Level != nil {
		level = fmt.Sprint(*o.Level)
	}
	o.Level = nil
	return fmt.Sprintf("%+v level %s", o, level)
}

func stripIDs(events []journal.OrderEvent) []journal.OrderEvent {
	out := slices.Clone(events)
	for i := range out {
		out[i].ID = 0
	}
	return out
}

// withRunKey is botConfig with one more key in its run section (the last section of the file).
func withRunKey(t *testing.T, dir, line string) *config.Config {
	t.Helper()
	writeConfig(t, dir, nil)
	text, err := os.ReadFile(filepath.Join(dir, "bot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return loadConfig(t, filepath.Join(dir, "bot-run-key.yaml"), string(text)+"  "+line+"\n")
}

// Under journal_orders "filled" a fill that arrives after the cancel of a held-back order (a reconcile's
// catch-up, say) journals the order with every event it had, in order, as "all" would have; an order that ends
// without a fill stays out of the journal and is counted as left out.
func TestJournalOrdersFilledKeepsACancelledOrderForALateFill(t *testing.T) {
	ctx := context.Background()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "mm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	runID, err := j.StartRun(ctx, journal.Run{Account: "a", Connector: "paper", Market: "BTC-USDT", ConfigHash: "h",
		Config: "{}", StartedAt: t0, MMVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	r := &run{j: j, runID: runID, connName: "paper", marketName: "BTC-USDT", deferOrders: true,
		orders: map[string]*ownOrder{}}
	place := func(id string) {
		r.track(id, &ownOrder{status: journal.StatusUnknown})
		for _, status := range []string{journal.StatusUnknown, journal.StatusOpen} {
			err := r.addOrder(ctx, journal.Order{ClientOrderID: id, RunID: runID, Connector: "paper",
				Market: "BTC-USDT", Side: "buy", OrderType: "limit", Price: decimal.NewFromInt(100),
				Amount: decimal.NewFromInt(1), CreatedAt: t0, Status: status, UpdatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	event := func(id string, at time.Duration, event string) {
		if err := r.orderEvent(ctx, id, t0.Add(at), event, ""); err != nil {
			t.Fatal(err)
		}
	}
	place("late")
	event("late", 0, journal.EventCreated)
	event("late", time.Second, journal.EventCancelled)
	place("never")
	event("never", 0, journal.EventCreated)
	event("never", time.Second, journal.EventCancelled)
	event("late", 2*time.Second, journal.EventPartiallyFilled)
	if err := j.Flush(ctx); err != nil {
		t.Fatalf("journaling the late fill's event: %v", err)
	}
	orders, _ := j.Orders(ctx, journal.OrderFilter{})
	if len(orders) != 1 || orders[0].ClientOrderID != "late" {
		t.Fatalf("journaled orders %+v, want only %q", orders, "late")
	}
	events, _ := j.OrderEvents(ctx, "late")
	var got []string
	for _, ev := range events {
		got = append(got, ev.Event)
	}
	want := []string{journal.EventCreated, journal.EventCancelled, journal.EventPartiallyFilled}
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if r.ordersLeftOut != 1 {
		t.Errorf("orders left out: %d, want 1 (only %q)", r.ordersLeftOut, "never")
	}
}
