package journal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// randomRecords is a random mix of everything the writer journals, in an order that a run could queue it: orders
// placed, upserted again with any status, hanging flag and exchange id, events of every kind (so every status
// transition, terminal ones included), fills with duplicate trade ids, marks and balances.
func randomRecords(seed uint64, n int) []func(context.Context, *Journal) error {
	rng := rand.New(rand.NewPCG(seed, 1))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var ids []string
	var ops []func(context.Context, *Journal) error
	for i := range n {
		at := t0.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)
		switch k := rng.IntN(10); {
		case k < 3 || len(ids) == 0:
			id := fmt.Sprintf("mm-1-%d", rng.IntN(n/4+1))
			if rng.IntN(3) > 0 && len(ids) > 0 {
				id = ids[rng.IntN(len(ids))] // upserted again
			}
			ids = append(ids, id)
			level := rng.IntN(3)
			o := Order{ClientOrderID: id, Connector: "paper", Market: "BTC-USDT", Side: pick(sides),
				OrderType: pick(orderTypes), Price: decimal.New(int64(64000+rng.IntN(100)), -1),
				Amount: dec("0.0015"), Level: &level, IsHanging: rng.IntN(2) == 0, CreatedAt: at,
				Status: pick(statuses), UpdatedAt: at}
			if rng.IntN(2) == 0 {
				o.ExchangeOrderID = fmt.Sprintf("x%d", i)
			}
			ops = append(ops, func(ctx context.Context, j *Journal) error { return j.AddOrder(ctx, o) })
			// Often, events of the order right after it, as `mm run` journals "created" after the order, and
			// often with the status the order was journaled with (see batchWriter.unchanged).
			for range rng.IntN(4) * rng.IntN(2) {
				e := OrderEvent{ClientOrderID: id, Time: at.Add(-time.Duration(rng.IntN(3)) * time.Millisecond),
					Event: pick(events)}
				if rng.IntN(2) == 0 {
					e.Event = eventTo[o.Status]
				}
				ops = append(ops, func(ctx context.Context, j *Journal) error { return j.AddOrderEvent(ctx, e) })
			}
		case k < 6:
			e := OrderEvent{ClientOrderID: ids[rng.IntN(len(ids))], Time: at, Event: pick(events),
				Detail: pick([]string{"", "why"})}
			ops = append(ops, func(ctx context.Context, j *Journal) error { return j.AddOrderEvent(ctx, e) })
		case k < 8:
			f := testFill(rng.IntN(n / 2))
			f.Time = at
			ops = append(ops, func(ctx context.Context, j *Journal) error { return j.AddFill(ctx, f) })
		case k < 9:
			m := Mark{Connector: "paper", Market: "BTC-USDT", Time: at, Mid: decimal.New(int64(rng.IntN(1e6)), -2)}
			if rng.IntN(2) == 0 {
				m.BestBid = decimal.NewNullDecimal(m.Mid.Sub(dec("0.5")))
			}
			ops = append(ops, func(ctx context.Context, j *Journal) error { return j.AddMark(ctx, m) })
		default:
			b := Balance{Connector: "paper", Account: "main", Asset: pick([]string{"BTC", "USDT"}), Time: at,
				Total: decimal.New(int64(rng.IntN(1e6)), -3), Kind: pick(balanceKinds)}
			ops = append(ops, func(ctx context.Context, j *Journal) error { return j.AddBalance(ctx, b) })
		}
	}
	return ops
}

// eventTo is the event that moves an order to a status (statusAfter's inverse).
var eventTo = map[string]string{StatusOpen: EventCreated, StatusPartiallyFilled: EventPartiallyFilled,
	StatusFilled: EventFilled, StatusCancelled: EventCancelled, StatusRejected: EventRejected,
	StatusExpired: EventExpired, StatusUnknown: EventUnknown}

// dump reads every row the writer wrote, in rowid order, as text.
func dump(t *testing.T, j *Journal) string {
	t.Helper()
	var out strings.Builder
	for _, table := range []string{"orders", "order_events", "fills", "marks", "balances"} {
		rows, err := j.readerDB.Query("SELECT rowid, * FROM " + table + " ORDER BY rowid")
		if err != nil {
			t.Fatal(err)
		}
		columns, _ := rows.Columns()
		values := make([]any, len(columns))
		pointers := make([]any, len(columns))
		for i := range values {
			pointers[i] = &values[i]
		}
		for rows.Next() {
			if err := rows.Scan(pointers...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s %#v\n", table, values)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out.String()
}

// TestBatchedWriterMatchesOneRecordPerBatch checks that grouping a batch into multi-row statements (batch.go)
// writes exactly what writing every record in its own transaction writes: the same rows with the same ids, the
// same order statuses, the same duplicate fills skipped.
func TestBatchedWriterMatchesOneRecordPerBatch(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(4) { // 4 × 1,200 records keep the race-detector run near 10 s
		ops := randomRecords(seed, 1200)
		write := func(batchSize int) (string, WriterStats) {
			j := openTemp(t, WithBatchSize(batchSize), WithFlushInterval(time.Hour))
			for _, op := range ops {
				if err := op(ctx, j); err != nil {
					t.Fatal(err)
				}
			}
			if err := j.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			stats := j.WriterStats()
			stats.Batches = 0
			return dump(t, j), stats
		}
		want, wantStats := write(1)
		for _, batchSize := range []int{7, 100, 1000, 5000} {
			got, gotStats := write(batchSize)
			if got != want {
				t.Fatalf("seed %d, batches of %d: the journal differs from one record per batch:\n%s",
					seed, batchSize, firstDifference(got, want))
			}
			if !reflect.DeepEqual(gotStats, wantStats) {
				t.Fatalf("seed %d, batches of %d: stats %+v, want %+v", seed, batchSize, gotStats, wantStats)
			}
		}
	}
}

func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "got  " + g[i] + "\nwant " + w[i]
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

// TestFailedBatchNamesTheRecord checks that a batch failing in a multi-row statement is rolled back whole and
// reports the record that failed, as one statement per record did.
func TestFailedBatchNamesTheRecord(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t, WithFlushInterval(time.Hour))
	for i := range 300 {
		if err := j.AddFill(ctx, testFill(i)); err != nil {
			t.Fatal(err)
		}
		if i == 200 {
			if err := j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: "ghost", Time: t0, Event: EventCreated}); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := j.Flush(ctx)
	want := "write batch of 301 records: order event for ghost (was the order journaled first?)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Flush = %v, want the ghost order event named", err)
	}
	if n := countRows(t, j, "fills"); n != 0 {
		t.Fatalf("%d fills committed from a failed batch", n)
	}
}
