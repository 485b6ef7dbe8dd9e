package journal

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func testMark(i int) Mark {
	return Mark{Connector: "import", Market: "BTC-USDT", Time: t0.Add(time.Duration(i) * time.Second),
		Mid: dec("64125.5"), BestBid: decimal.NewNullDecimal(dec("64125")), BestAsk: decimal.NewNullDecimal(dec("64126"))}
}

func testBalance(asset, total string) Balance {
	return Balance{Connector: "import", Account: "main", Asset: asset, Time: t0, Total: dec(total), Kind: BalanceImport}
}

func testBatch(fills int) ImportBatch {
	batch := ImportBatch{Balances: []Balance{testBalance("BTC", "1.5"), testBalance("USDT", "60000")}}
	for i := range fills {
		batch.Fills = append(batch.Fills, testFill(i))
	}
	for i := range 3 {
		batch.Marks = append(batch.Marks, testMark(i))
	}
	return batch
}

func TestImportTwiceStoresEverythingOnce(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	// 130 fills span two full multi-row statements and a partial one.
	batch := testBatch(130)
	first, err := j.Import(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := ImportResult{Fills: ImportCounts{New: 130}, Marks: ImportCounts{New: 3}, Balances: ImportCounts{New: 2}}
	if first != want {
		t.Fatalf("first import = %+v, want %+v", first, want)
	}
	second, err := j.Import(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want = ImportResult{Fills: ImportCounts{Duplicate: 130}, Marks: ImportCounts{Duplicate: 3},
		Balances: ImportCounts{Duplicate: 2}}
	if second != want {
		t.Fatalf("second import = %+v, want %+v", second, want)
	}
	for table, n := range map[string]int{"fills": 130, "marks": 3, "balances": 2} {
		if got := countRows(t, j, table); got != n {
			t.Errorf("%s: %d rows, want %d", table, got, n)
		}
	}
}

func TestImportDuplicateWithinOneBatchIsCountedOnce(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	batch := ImportBatch{Fills: []Fill{testFill(1), testFill(2), testFill(1)}, Marks: []Mark{testMark(1), testMark(1)}}
	got, err := j.Import(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := ImportResult{Fills: ImportCounts{New: 2, Duplicate: 1}, Marks: ImportCounts{New: 1, Duplicate: 1}}
	if got != want {
		t.Fatalf("import = %+v, want %+v", got, want)
	}
}

// A mark or balance that differs in its value is a new observation, not a duplicate.
func TestImportKeepsMarksAndBalancesThatDiffer(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	other := testMark(1)
	other.Mid = dec("64130")
	otherAccount := testBalance("BTC", "1.5")
	otherAccount.Account = "sub"
	batch := ImportBatch{Marks: []Mark{testMark(1), other},
		Balances: []Balance{testBalance("BTC", "1.5"), testBalance("BTC", "1.50000001"), otherAccount}}
	got, err := j.Import(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if got.Marks.New != 2 || got.Balances.New != 3 {
		t.Fatalf("import = %+v, want 2 new marks and 3 new balances", got)
	}
}

func TestImportWritesNothingWhenARecordIsInvalid(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		modify func(*ImportBatch)
		want   string
	}{
		{"a fill in the middle", func(b *ImportBatch) { b.Fills[60].Amount = dec("-1") },
			"import fill 61: invalid journal record: fill t0000060: amount -1 is not positive"},
		{"the last mark", func(b *ImportBatch) { b.Marks[2].Mid = decimal.Zero },
			"import mark 3: invalid journal record: mark BTC-USDT: mid 0 is not positive"},
		{"a balance", func(b *ImportBatch) { b.Balances[1].Account = "" },
			"import balance 2: invalid journal record: balance USDT: account is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := openTemp(t)
			batch := testBatch(100)
			tc.modify(&batch)
			_, err := j.Import(ctx, batch)
			if !errors.Is(err, ErrInvalidRecord) || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q wrapping ErrInvalidRecord", err, tc.want)
			}
			assertEmpty(t, j)
		})
	}
}

// A failure SQLite finds in the middle of the transaction (here a fill naming a run that does not exist, which
// only the foreign key catches) rolls back the fills inserted before it and everything else in the batch.
func TestImportIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	batch := testBatch(200)
	batch.Fills[150].RunID = 42
	if _, err := j.Import(ctx, batch); err == nil {
		t.Fatal("import with a dangling run id succeeded")
	}
	assertEmpty(t, j)
	// The journal is still usable: the same batch without the bad fill goes in whole.
	batch.Fills[150].RunID = 0
	got, err := j.Import(ctx, batch)
	if err != nil || got.Fills.New != 200 {
		t.Fatalf("import after rollback = %+v, %v; want 200 new fills", got, err)
	}
}

func TestImportOnReadOnlyJournal(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	ro, err := OpenReadOnly(ctx, j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(ctx)
	if _, err := ro.Import(ctx, testBatch(1)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("err = %v, want ErrReadOnly", err)
	}
}

func assertEmpty(t *testing.T, j *Journal) {
	t.Helper()
	for _, table := range []string{"fills", "marks", "balances"} {
		if n := countRows(t, j, table); n != 0 {
			t.Errorf("%s has %d rows after a failed import, want 0", table, n)
		}
	}
}

// BenchmarkImportFills measures Journal.Import of b.N fills in one transaction (multi-row inserts).
func BenchmarkImportFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	batch := ImportBatch{Fills: make([]Fill, b.N)}
	for i := range batch.Fills {
		batch.Fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := j.Import(ctx, batch); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}
