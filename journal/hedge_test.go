package journal

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testInverse = HedgeInstrument{Venue: "deribit", Instrument: "BTC-PERPETUAL", Contract: ContractInverse,
	ContractSize: dec("100"), QuoteAsset: "USD", SettleAsset: "BTC"}

func testHedgeBatch() ImportBatch {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	return ImportBatch{
		HedgeInstruments: []HedgeInstrument{testInverse},
		HedgeFills: []HedgeFill{
			{Venue: "deribit", Instrument: "BTC-PERPETUAL", TradeID: "D2", Side: SideSell, Price: dec("55000"),
				Amount: dec("400"), Fee: dec("0.0000036"), FeeAsset: "BTC", Time: at(2)},
			{Venue: "deribit", Instrument: "BTC-PERPETUAL", TradeID: "D1", Side: SideBuy, Price: dec("50000"),
				Amount: dec("1000"), Fee: dec("0.00001"), FeeAsset: "BTC", Time: at(1)},
		},
		HedgeMarks: []HedgeMark{
			{Venue: "deribit", Instrument: "BTC-PERPETUAL", Time: at(0), Mark: dec("50000")},
			{Venue: "deribit", Instrument: "BTC-PERPETUAL", Time: at(3), Mark: dec("55000")},
		},
		Funding: []Funding{{Venue: "deribit", Instrument: "BTC-PERPETUAL", Time: at(2), Amount: dec("-0.0000012"),
			Asset: "BTC"}},
	}
}

func TestImportHedgesTwiceStoresThemOnce(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	first, err := j.Import(ctx, testHedgeBatch())
	if err != nil {
		t.Fatal(err)
	}
	want := ImportResult{HedgeInstruments: ImportCounts{New: 1}, HedgeFills: ImportCounts{New: 2},
		HedgeMarks: ImportCounts{New: 2}, Funding: ImportCounts{New: 1}}
	if first != want {
		t.Fatalf("first import = %+v, want %+v", first, want)
	}
	second, err := j.Import(ctx, testHedgeBatch())
	if err != nil {
		t.Fatal(err)
	}
	want = ImportResult{HedgeInstruments: ImportCounts{Duplicate: 1}, HedgeFills: ImportCounts{Duplicate: 2},
		HedgeMarks: ImportCounts{Duplicate: 2}, Funding: ImportCounts{Duplicate: 1}}
	if second != want {
		t.Fatalf("second import = %+v, want %+v", second, want)
	}

	// Fills, marks and funding come back in time order, exactly as imported.
	var trades []string
	err = j.ScanHedgeFills(ctx, HedgeFilter{Venue: "deribit"}, func(h *HedgeFill) error {
		trades = append(trades, h.TradeID+" "+h.Side+" "+h.Amount.String()+"@"+h.Price.String()+" fee "+h.Fee.String())
		return nil
	})
	if err != nil || strings.Join(trades, "; ") != "D1 buy 1000@50000 fee 0.00001; D2 sell 400@55000 fee 0.0000036" {
		t.Errorf("hedge fills %q, %v", trades, err)
	}
	var marks []string
	if err := j.ScanHedgeMarks(ctx, HedgeFilter{Instrument: "BTC-PERPETUAL", Since: t0.Add(time.Second)},
		func(m *HedgeMark) error {
			marks = append(marks, m.Mark.String())
			return nil
		}); err != nil || strings.Join(marks, ",") != "55000" {
		t.Errorf("hedge marks since 1 s %q, %v", marks, err)
	}
	var funding []string
	if err := j.ScanFunding(ctx, HedgeFilter{}, func(f *Funding) error {
		funding = append(funding, f.Amount.String()+" "+f.Asset)
		return nil
	}); err != nil || strings.Join(funding, ",") != "-0.0000012 BTC" {
		t.Errorf("funding %q, %v", funding, err)
	}
	instruments, err := j.HedgeInstruments(ctx, HedgeFilter{})
	if err != nil || len(instruments) != 1 || instruments[0].Venue != testInverse.Venue ||
		instruments[0].Instrument != testInverse.Instrument || !instruments[0].SameTerms(testInverse) {
		t.Errorf("instruments %+v, %v; want %+v", instruments, err, testInverse)
	}
	// Selected by the end of the window: nothing traded or was paid before t0 + 1 s.
	if instruments, err := j.HedgeInstruments(ctx, HedgeFilter{Until: t0.Add(time.Second)}); err != nil ||
		len(instruments) != 0 {
		t.Errorf("instruments before the first fill: %+v, %v", instruments, err)
	}
}

func TestImportHedgesRefusesWhatItCannotValue(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(*ImportBatch)
		want   string
	}{
		{"fill without terms", func(b *ImportBatch) { b.HedgeInstruments = nil },
			"hedge fill 1: invalid journal record: hedge fill BTC-PERPETUAL: instrument BTC-PERPETUAL on venue deribit has no contract terms"},
		{"linear settled in the coin", func(b *ImportBatch) {
			b.HedgeInstruments[0].Contract = ContractLinear
		}, "a linear contract settles in its quote asset USD, not BTC"},
		{"inverse settled in the quote", func(b *ImportBatch) { b.HedgeInstruments[0].SettleAsset = "USD" },
			"an inverse contract settles in the coin"},
		{"zero contract size", func(b *ImportBatch) { b.HedgeInstruments[0].ContractSize = dec("0") },
			"contract size 0 is not positive"},
		{"negative amount", func(b *ImportBatch) { b.HedgeFills[1].Amount = dec("-1") }, "amount -1 is not positive"},
		{"unknown side", func(b *ImportBatch) { b.HedgeFills[0].Side = "long" }, `side "long" is not one of`},
		{"zero mark", func(b *ImportBatch) { b.HedgeMarks[1].Mark = dec("0") }, "mark 0 is not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := openTemp(t)
			batch := testHedgeBatch()
			tc.change(&batch)
			batch.Fills = []Fill{testFill(0)} // a valid spot fill in the same batch is not written either
			_, err := j.Import(ctx, batch)
			if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidRecord containing %q", err, tc.want)
			}
			for _, table := range []string{"fills", "hedge_instruments", "hedge_fills", "hedge_marks", "funding"} {
				if n := countRows(t, j, table); n != 0 {
					t.Errorf("%s has %d rows after a refused import, want 0", table, n)
				}
			}
		})
	}
}

func TestImportHedgeTermsCannotChange(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	if _, err := j.Import(ctx, testHedgeBatch()); err != nil {
		t.Fatal(err)
	}
	// Terms already journaled serve later imports that give none.
	later := testHedgeBatch()
	later.HedgeInstruments = nil
	later.HedgeFills[0].TradeID = "D3"
	if result, err := j.Import(ctx, later); err != nil || result.HedgeFills.New != 1 {
		t.Fatalf("import without terms = %+v, %v; want one new fill", result, err)
	}
	changed := testHedgeBatch()
	changed.HedgeInstruments[0].ContractSize = dec("10")
	changed.HedgeFills[0].TradeID = "D4"
	_, err := j.Import(ctx, changed)
	if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(),
		"the journal has it as inverse, 100 USD per contract, settled in BTC; the file says inverse, 10 USD per contract") {
		t.Fatalf("err = %v", err)
	}
	if n := countRows(t, j, "hedge_fills"); n != 3 {
		t.Errorf("hedge_fills has %d rows, want 3 (the refused import wrote nothing)", n)
	}
}

// A journal of schema 1 (hedge fills, no contract terms) opens migrated to schema 2: its hedge fills are kept, and
// importing the terms afterwards makes them valuable.
func TestMigrationAddsHedgeTermsToAnExistingJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	migrations, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, writerParams))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := migrate(ctx, db, path, 0, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	args, err := hedgeFillArgs(&testHedgeBatch().HedgeFills[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, writerSQL[stmtHedgeFill], args...); err != nil {
		t.Fatal(err)
	}
	db.Close()

	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if v, err := j.SchemaVersion(ctx); err != nil || v != 2 {
		t.Fatalf("schema version %d, %v; want 2", v, err)
	}
	if _, err := os.Stat(path + ".bak-v1"); err != nil {
		t.Errorf("no backup of the schema-1 journal: %v", err)
	}
	if got := j.MigrationBackup(); got != path+".bak-v1" {
		t.Errorf("MigrationBackup() = %q, want %q", got, path+".bak-v1")
	}
	// The fill written before the migration has no terms yet, so it is not reported until they are imported.
	if got, err := j.HedgeInstruments(ctx, HedgeFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("instruments before the terms: %+v, %v", got, err)
	}
	if got, err := j.UnvaluedHedges(ctx, HedgeFilter{}); err != nil || len(got) != 1 ||
		got[0] != [2]string{"deribit", "BTC-PERPETUAL"} {
		t.Fatalf("unvalued hedges before the terms: %v, %v", got, err)
	}
	// The window's start does not apply: a position opened before the window is still held in it.
	if got, err := j.UnvaluedHedges(ctx, HedgeFilter{Since: t0.Add(time.Hour)}); err != nil || len(got) != 1 {
		t.Fatalf("unvalued hedges since after the fill: %v, %v; want the fill's instrument", got, err)
	}
	if _, err := j.Import(ctx, ImportBatch{HedgeInstruments: []HedgeInstrument{testInverse}}); err != nil {
		t.Fatal(err)
	}
	if got, err := j.HedgeInstruments(ctx, HedgeFilter{}); err != nil || len(got) != 1 {
		t.Fatalf("instruments after the terms: %+v, %v", got, err)
	}
	if got, err := j.HedgeInstruments(ctx, HedgeFilter{Since: t0.Add(time.Hour)}); err != nil || len(got) != 1 {
		t.Fatalf("instruments since after the fill: %+v, %v; want the fill's instrument", got, err)
	}
	if got, err := j.UnvaluedHedges(ctx, HedgeFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("unvalued hedges after the terms: %v, %v", got, err)
	}
}
