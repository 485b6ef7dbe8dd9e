package journal

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestDecimalsAreStoredAsCanonicalText(t *testing.T) {
	tests := []struct {
		name                     string
		price, amount, fee, mid  string
		wantPrice, wantAmt, wFee string
		wantMid                  string
	}{
		{"trailing zeros", "100.00", "1.500", "0.10", "100.0", "100", "1.5", "0.1", "100"},
		{"already canonical", "100", "1.5", "0.1", "100", "100", "1.5", "0.1", "100"},
		{"exponent form", "1e3", "25e-3", "0", "1.0e3", "1000", "0.025", "0", "1000"},
		{"eighteen decimals kept", "0.000000000000000001", "123456789.123456789123456789", "-0.000001",
			"0.0000000000000000010", "0.000000000000000001", "123456789.123456789123456789", "-0.000001",
			"0.000000000000000001"},
	}
	j := openTemp(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFill(i)
			f.Price, f.Amount, f.Fee = dec(tt.price), dec(tt.amount), dec(tt.fee)
			f.Mid = decimal.NewNullDecimal(dec(tt.mid))
			if _, err := j.InsertFills(ctx, []Fill{f}); err != nil {
				t.Fatal(err)
			}
			var price, amount, fee, mid string
			err := j.readerDB.QueryRow(`SELECT price, amount, fee, mid FROM fills WHERE exchange_trade_id = ?`,
				f.ExchangeTradeID).Scan(&price, &amount, &fee, &mid)
			if err != nil {
				t.Fatal(err)
			}
			got := [4]string{price, amount, fee, mid}
			want := [4]string{tt.wantPrice, tt.wantAmt, tt.wFee, tt.wantMid}
			if got != want {
				t.Fatalf("stored %q, want %q", got, want)
			}
		})
	}
}

func TestDuplicateFillIsStoredOnce(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, j *Journal)
	}{
		{"twice in one batch", func(t *testing.T, j *Journal) {
			for _, f := range []Fill{testFill(1), testFill(1)} {
				if err := j.AddFill(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			if err := j.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			if s := j.WriterStats(); s.FillsInserted != 1 || s.FillsDuplicate != 1 || s.Batches != 1 {
				t.Fatalf("stats = %+v, want 1 inserted, 1 duplicate in 1 batch", s)
			}
		}},
		{"in two batches", func(t *testing.T, j *Journal) {
			for range 2 {
				if err := j.AddFill(ctx, testFill(1)); err != nil {
					t.Fatal(err)
				}
				if err := j.Flush(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if s := j.WriterStats(); s.FillsInserted != 1 || s.FillsDuplicate != 1 || s.Batches != 2 {
				t.Fatalf("stats = %+v, want 1 inserted, 1 duplicate in 2 batches", s)
			}
		}},
		{"InsertFills with a repeat and an old fill", func(t *testing.T, j *Journal) {
			if n, err := j.InsertFills(ctx, []Fill{testFill(1)}); err != nil || n != 1 {
				t.Fatalf("first import inserted %d, %v; want 1", n, err)
			}
			n, err := j.InsertFills(ctx, []Fill{testFill(1), testFill(2), testFill(2)})
			if err != nil || n != 1 {
				t.Fatalf("second import inserted %d, %v; want 1", n, err)
			}
			if err := j.AddFill(ctx, testFill(2)); err != nil {
				t.Fatal(err)
			}
			if err := j.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, j, "fills"); n != 2 {
				t.Fatalf("fills = %d, want 2", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := openTemp(t, WithFlushInterval(time.Hour))
			tt.run(t, j)
			if n := countRows(t, j, "fills WHERE exchange_trade_id = 't0000001'"); n != 1 {
				t.Fatalf("fill t0000001 stored %d times", n)
			}
		})
	}
}

func TestSameTradeIDOnAnotherMarketIsAnotherFill(t *testing.T) {
	j := openTemp(t)
	other := testFill(1)
	other.Market = "ETH-USDT"
	n, err := j.InsertFills(context.Background(), []Fill{testFill(1), other})
	if err != nil || n != 2 {
		t.Fatalf("inserted %d, %v; want 2", n, err)
	}
}

func TestFlushCommitsEverythingQueuedBeforeIt(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t, WithBatchSize(1_000_000), WithFlushInterval(time.Hour))
	for i := range 10 {
		if err := j.AddFill(ctx, testFill(i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if n := countRows(t, j, "fills"); n != 0 {
		t.Fatalf("before Flush a reader sees %d fills; the batch should still be open", n)
	}
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, j, "fills"); n != 10 {
		t.Fatalf("after Flush a reader sees %d fills, want 10", n)
	}
	if err := j.Flush(ctx); err != nil { // nothing queued: still fine
		t.Fatal(err)
	}
}

func TestBatchCommitsByItselfAfterTheFlushInterval(t *testing.T) {
	j := openTemp(t, WithFlushInterval(10*time.Millisecond))
	if err := j.AddFill(context.Background(), testFill(1)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for countRows(t, j, "fills") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the batch was not committed after its flush interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBatchCommitsByItselfWhenFull(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t, WithBatchSize(3), WithFlushInterval(time.Hour))
	for i := range 7 {
		if err := j.AddFill(ctx, testFill(i)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for j.WriterStats().Batches != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("stats = %+v, want 2 full batches committed", j.WriterStats())
		}
		time.Sleep(time.Millisecond)
	}
	if n := countRows(t, j, "fills"); n != 6 {
		t.Fatalf("fills = %d, want 6 (two batches of 3, the 7th still open)", n)
	}
}

func TestAWriteErrorIsNeverSwallowed(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t, WithFlushInterval(time.Hour))
	if err := j.AddFill(ctx, testFill(1)); err != nil {
		t.Fatal(err)
	}
	// An event for an order that was never journaled violates the foreign key and fails the whole batch.
	if err := j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: "ghost", Time: t0, Event: EventCancelled}); err != nil {
		t.Fatal(err)
	}
	err := j.Flush(ctx)
	if err == nil {
		t.Fatal("Flush hid the failed batch")
	}
	select {
	case notified := <-j.Err():
		if notified.Error() != err.Error() {
			t.Fatalf("Err() = %v, Flush = %v", notified, err)
		}
	default:
		t.Fatal("Err() delivered nothing")
	}
	if n := countRows(t, j, "fills"); n != 0 {
		t.Fatalf("the failed batch left %d fills; a batch is all or nothing", n)
	}
	if err2 := j.AddFill(ctx, testFill(2)); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("AddFill after the failure = %v, want the failure", err2)
	}
	if err2 := j.Flush(ctx); err2 == nil {
		t.Fatal("the second Flush forgot the failure")
	}
	if err2 := j.Close(ctx); err2 == nil {
		t.Fatal("Close forgot the failure")
	}
}

func TestInvalidRecordsAreRefusedBeforeTheQueue(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	mutate := func(change func(*Fill)) Fill { f := testFill(1); change(&f); return f }
	tests := []struct {
		name string
		add  func() error
	}{
		{"fill side", func() error { return j.AddFill(ctx, mutate(func(f *Fill) { f.Side = "BUY" })) }},
		{"fill zero amount", func() error { return j.AddFill(ctx, mutate(func(f *Fill) { f.Amount = decimal.Zero })) }},
		{"fill negative price", func() error { return j.AddFill(ctx, mutate(func(f *Fill) { f.Price = dec("-1") })) }},
		{"fill no trade id", func() error { return j.AddFill(ctx, mutate(func(f *Fill) { f.ExchangeTradeID = "" })) }},
		{"fill zero time", func() error { return j.AddFill(ctx, mutate(func(f *Fill) { f.Time = time.Time{} })) }},
		{"order type", func() error {
			return j.AddOrder(ctx, Order{ClientOrderID: "a", Connector: "paper", Market: "BTC-USDT", Side: SideBuy,
				OrderType: "stop", Price: dec("1"), Amount: dec("1"), Status: StatusOpen, CreatedAt: t0, UpdatedAt: t0})
		}},
		{"order event", func() error {
			return j.AddOrderEvent(ctx, OrderEvent{ClientOrderID: "a", Time: t0, Event: "done"})
		}},
		{"balance kind", func() error {
			return j.AddBalance(ctx, Balance{Connector: "paper", Account: "main", Asset: "BTC", Time: t0, Kind: "x"})
		}},
		{"risk action", func() error {
			return j.AddRiskEvent(ctx, RiskEvent{Account: "main", Market: "BTC-USDT", Time: t0, Guard: "drawdown",
				Action: "tripped"})
		}},
		{"mark mid", func() error {
			return j.AddMark(ctx, Mark{Connector: "paper", Market: "BTC-USDT", Time: t0})
		}},
		{"import with one bad fill", func() error {
			_, err := j.InsertFills(ctx, []Fill{testFill(7), mutate(func(f *Fill) { f.FeeAsset = "" })})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.add(); !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("error = %v, want ErrInvalidRecord", err)
			}
		})
	}
	if err := j.Flush(ctx); err != nil {
		t.Fatalf("invalid records poisoned the writer: %v", err)
	}
	if n := countRows(t, j, "fills"); n != 0 {
		t.Fatalf("fills = %d, want 0: nothing of a refused import is written", n)
	}
}

func TestReadersWorkWhileTheWriterCommits(t *testing.T) {
	ctx := context.Background()
	const batch, batches = 200, 10
	j := openTemp(t, WithBatchSize(batch), WithFlushInterval(time.Hour))
	var wg sync.WaitGroup
	writerDone := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(writerDone)
		for b := range batches {
			for i := range batch {
				if err := j.AddFill(ctx, testFill(b*batch+i)); err != nil {
					t.Error(err)
					return
				}
			}
			if err := j.Flush(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for reads := 0; ; reads++ {
				select {
				case <-writerDone:
					if reads == 0 {
						t.Error("the reader never read")
					}
					return
				default:
				}
				fills, err := j.Fills(ctx, FillFilter{Market: "BTC-USDT"})
				if err != nil {
					t.Error(err)
					return
				}
				// Each batch commits whole, so a reader sees whole batches, and never fewer than before.
				if len(fills)%batch != 0 || len(fills) < last {
					t.Errorf("reader saw %d fills after %d", len(fills), last)
					return
				}
				last = len(fills)
			}
		}()
	}
	wg.Wait()
	if n := countRows(t, j, "fills"); n != batch*batches {
		t.Fatalf("fills = %d, want %d", n, batch*batches)
	}
}

func TestCloseFlushesAndThenRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/mm.db"
	j, err := Open(ctx, path, WithFlushInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.AddFill(ctx, testFill(1)); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := j.AddFill(ctx, testFill(2)); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddFill after Close = %v, want ErrClosed", err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	r, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	if n := countRows(t, r, "fills"); n != 1 {
		t.Fatalf("fills after Close = %d, want 1", n)
	}
}
