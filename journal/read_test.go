package journal

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestLatestBalancesIsTheLatestSnapshotAtOrBeforeTheTime(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	at := func(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }
	for _, b := range []Balance{
		{Connector: "paper", Account: "main", Asset: "BTC", Time: at(0), Total: dec("1.00"), Kind: BalanceStart},
		{Connector: "paper", Account: "main", Asset: "BTC", Time: at(10), Total: dec("1.25"), Kind: BalanceRefresh},
		{Connector: "paper", Account: "main", Asset: "USDT", Time: at(5), Total: dec("5000"), Kind: BalanceStart,
			Available: decimal.NewNullDecimal(dec("4000.50"))},
		{Connector: "paper", Account: "other", Asset: "BTC", Time: at(20), Total: dec("9"), Kind: BalanceRefresh},
		{Connector: "binance", Account: "main", Asset: "BTC", Time: at(20), Total: dec("7"), Kind: BalanceRefresh},
	} {
		if err := j.AddBalance(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		assets []string
		at     time.Time
		want   map[string]string // asset → total
	}{
		{"latest overall, all assets", nil, time.Time{}, map[string]string{"BTC": "1.25", "USDT": "5000"}},
		{"exactly at a snapshot", []string{"BTC", "USDT"}, at(10), map[string]string{"BTC": "1.25", "USDT": "5000"}},
		{"between snapshots", []string{"BTC", "USDT"}, at(9), map[string]string{"BTC": "1", "USDT": "5000"}},
		{"before one asset's first snapshot", []string{"BTC", "USDT"}, at(1), map[string]string{"BTC": "1"}},
		{"before everything", []string{"BTC"}, at(-1), map[string]string{}},
		{"unknown asset", []string{"ETH"}, time.Time{}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			balances, err := j.LatestBalances(ctx, "paper", "main", tt.assets, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for asset, b := range balances {
				got[asset] = b.Total.String()
				if b.Asset != asset || b.Account != "main" || b.Connector != "paper" {
					t.Fatalf("balance %+v under key %s", b, asset)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("balances = %v, want %v", got, tt.want)
			}
			for asset, total := range tt.want {
				if got[asset] != total {
					t.Fatalf("balances = %v, want %v", got, tt.want)
				}
			}
		})
	}
	balances, _ := j.LatestBalances(ctx, "paper", "main", []string{"USDT"}, time.Time{})
	if usdt := balances["USDT"]; usdt.Available.Decimal.String() != "4000.5" || !usdt.Time.Equal(at(5)) ||
		usdt.Time.Location() != time.UTC || usdt.Kind != BalanceStart {
		t.Fatalf("USDT balance = %+v", usdt)
	}
}

func TestLatestMarkAndMarks(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	for i, mid := range []string{"100", "101.5", "99.25"} {
		m := Mark{Connector: "paper", Market: "BTC-USDT", Time: t0.Add(time.Duration(i) * time.Second), Mid: dec(mid),
			BestBid: decimal.NewNullDecimal(dec(mid).Sub(dec("0.5")))}
		if err := j.AddMark(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		at      time.Time
		wantMid string
		wantOK  bool
	}{
		{"latest overall", time.Time{}, "99.25", true},
		{"between marks", t0.Add(1500 * time.Millisecond), "101.5", true},
		{"before the first", t0.Add(-time.Millisecond), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark, ok, err := j.LatestMark(ctx, "BTC-USDT", tt.at)
			if err != nil || ok != tt.wantOK || (ok && mark.Mid.String() != tt.wantMid) {
				t.Fatalf("LatestMark = %s, %v, %v; want %s, %v", mark.Mid, ok, err, tt.wantMid, tt.wantOK)
			}
		})
	}
	marks, err := j.Marks(ctx, MarkFilter{Market: "BTC-USDT", Since: t0.Add(time.Second)})
	if err != nil || len(marks) != 2 || marks[0].BestBid.Decimal.String() != "101" || marks[1].BestAsk.Valid {
		t.Fatalf("Marks = %+v, %v", marks, err)
	}
}

func TestFillsAreCompleteOrderedAndRoundTrip(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	runID, err := j.StartRun(ctx, Run{Account: "main", Connector: "paper", Market: "BTC-USDT", ConfigHash: "abc",
		Config: "{}", StartedAt: t0, MMVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	fills := make([]Fill, 0, 2000)
	for i := 1999; i >= 0; i-- { // journaled newest first: Fills must sort by time
		f := testFill(i)
		if i%2 == 0 {
			f.RunID = runID
		}
		fills = append(fills, f)
	}
	if _, err := j.InsertFills(ctx, fills); err != nil {
		t.Fatal(err)
	}
	all, err := j.Fills(ctx, FillFilter{})
	if err != nil || len(all) != 2000 {
		t.Fatalf("Fills = %d, %v; want all 2000, uncapped", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time.Before(all[i-1].Time) {
			t.Fatalf("fill %d is before fill %d", i, i-1)
		}
	}
	got, want := all[3], testFill(3)
	want.ID = got.ID
	if got.Price.String() != "64123.45" || got.Mid.Decimal.String() != "64125" || *got.IsMaker != true ||
		got.Time != want.Time || got.Side != SideSell || got.RunID != 0 || got.ClientOrderID != want.ClientOrderID {
		t.Fatalf("fill 3 read back as %+v", got)
	}
	tests := []struct {
		name   string
		filter FillFilter
		want   int
	}{
		{"by run", FillFilter{RunID: runID}, 1000},
		{"by window", FillFilter{Since: t0.Add(10 * time.Millisecond), Until: t0.Add(20 * time.Millisecond)}, 10},
		{"by market", FillFilter{Market: "ETH-USDT"}, 0},
		{"by connector", FillFilter{Connector: "paper"}, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fills, err := j.Fills(ctx, tt.filter)
			if err != nil || len(fills) != tt.want {
				t.Fatalf("Fills = %d, %v; want %d", len(fills), err, tt.want)
			}
		})
	}
	last, ok, err := j.LastFill(ctx, "paper", "BTC-USDT")
	if err != nil || !ok || last.ExchangeTradeID != "t0001999" {
		t.Fatalf("LastFill = %s, %v, %v", last.ExchangeTradeID, ok, err)
	}
}

func TestFillSummariesAreExact(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	// reference/go.md §2.4: SQLite's float SUM turns 1e6 × 12345678.12345678 into ...779; the exact sum of 2000 is
	// 24691356246.91356 and the quote volume 2000 × 0.1 × 12345678.12345678 = 2469135624.691356.
	fills := make([]Fill, 2000)
	for i := range fills {
		fills[i] = testFill(i)
		fills[i].Side = SideBuy
		fills[i].Amount = dec("12345678.12345678")
		fills[i].Price = dec("0.1")
	}
	if _, err := j.InsertFills(ctx, fills); err != nil {
		t.Fatal(err)
	}
	sums, err := j.FillSummaries(ctx, FillFilter{Market: "BTC-USDT"})
	if err != nil || len(sums) != 1 {
		t.Fatalf("FillSummaries = %+v, %v", sums, err)
	}
	v := sums[0].Buys
	if v.Trades != 2000 || v.Base.String() != "24691356246.91356" || v.Quote.String() != "2469135624.691356" {
		t.Fatalf("volume = %d trades, base %s, quote %s", v.Trades, v.Base, v.Quote)
	}
	var sum *string
	if err := j.readerDB.QueryRow("SELECT dsum(amount) FROM fills WHERE market = 'none'").Scan(&sum); err != nil ||
		sum != nil {
		t.Fatalf("dsum of nothing = %v, %v; want NULL like SUM", sum, err)
	}
}

func TestOrderStatusFollowsItsEvents(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		events []string
		want   string
	}{
		{"created", []string{EventCreated}, StatusOpen},
		{"partially then fully filled", []string{EventCreated, EventPartiallyFilled, EventFilled}, StatusFilled},
		{"a late partial fill does not reopen a cancelled order",
			[]string{EventCreated, EventCancelled, EventPartiallyFilled}, StatusCancelled},
		{"a fill that raced the cancel wins", []string{EventCreated, EventCancelled, EventFilled}, StatusFilled},
		{"unknown after a timeout", []string{EventCreated, EventUnknown}, StatusUnknown},
		{"adopted", []string{EventAdopted}, StatusOpen},
	}
	j := openTemp(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "mm-o-" + string(rune('a'+i))
			level := 2
			if err := j.AddOrder(ctx, Order{ClientOrderID: id, Connector: "paper", Market: "BTC-USDT",
				Side: SideBuy, OrderType: OrderTypeLimitMaker, Price: dec("64000.10"), Amount: dec("0.01"),
				Level: &level, CreatedAt: t0, UpdatedAt: t0, Status: StatusOpen}); err != nil {
				t.Fatal(err)
			}
			for k, event := range tt.events {
				e := OrderEvent{ClientOrderID: id, Time: t0.Add(time.Duration(k+1) * time.Second), Event: event}
				if err := j.AddOrderEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			if err := j.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			orders, err := j.Orders(ctx, OrderFilter{Market: "BTC-USDT"})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range orders {
				if o.ClientOrderID == id && (o.Status != tt.want || o.Price.String() != "64000.1" || *o.Level != 2) {
					t.Fatalf("order = %+v, want status %s", o, tt.want)
				}
			}
			events, err := j.OrderEvents(ctx, id)
			if err != nil || len(events) != len(tt.events) {
				t.Fatalf("events = %+v, %v", events, err)
			}
		})
	}
}

func TestRunsStartAndEnd(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	id, err := j.StartRun(ctx, Run{Account: "main", Connector: "paper", Market: "BTC-USDT", ConfigHash: "h",
		Config: "bid_spread: 1", StartedAt: t0, MMVersion: "v0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.AddFill(ctx, testFillInRun(id)); err != nil {
		t.Fatal(err)
	}
	if err := j.EndRun(ctx, id, t0.Add(time.Hour), "risk limit", 3); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, j, "fills"); n != 1 {
		t.Fatalf("EndRun did not flush the run's fills first: %d", n)
	}
	runs, err := j.Runs(ctx)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs = %+v, %v", runs, err)
	}
	r := runs[0]
	if r.ID != id || r.ExitReason != "risk limit" || *r.ExitCode != 3 || !r.EndedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("run = %+v", r)
	}
	if err := j.EndRun(ctx, id+1, t0, "x", 0); err == nil {
		t.Fatal("EndRun of a missing run succeeded")
	}
}

func testFillInRun(runID int64) Fill {
	f := testFill(1)
	f.RunID = runID
	return f
}

func TestTrippedGuardsStayTrippedUntilCleared(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	events := []RiskEvent{
		{Guard: "daily_loss", Action: RiskTrip, Value: decimal.NewNullDecimal(dec("-105.5")),
			LimitValue: decimal.NewNullDecimal(dec("-100"))},
		{Guard: "drawdown", Action: RiskTrip},
		{Guard: "drawdown", Action: RiskClear},
		{Guard: "kill_switch", Action: RiskClear},
	}
	for i, e := range events {
		e.Account, e.Market, e.Time = "main", "BTC-USDT", t0.Add(time.Duration(i)*time.Second)
		if err := j.AddRiskEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	tripped, err := j.TrippedGuards(ctx, "main", "BTC-USDT")
	if err != nil || len(tripped) != 1 || tripped[0].Guard != "daily_loss" || tripped[0].Value.Decimal.String() != "-105.5" {
		t.Fatalf("tripped = %+v, %v; want daily_loss only", tripped, err)
	}
}

func TestHedgeFillsAndFundingAreStoredOnce(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	for range 2 {
		if err := j.AddHedgeFill(ctx, HedgeFill{Venue: "binance-usdm", Instrument: "BTCUSDT-PERP", TradeID: "h1",
			Side: SideSell, Price: dec("64100"), Amount: dec("0.003"), Fee: dec("0.08"), FeeAsset: "USDT",
			Time: t0}); err != nil {
			t.Fatal(err)
		}
		if err := j.AddFunding(ctx, Funding{Venue: "binance-usdm", Instrument: "BTCUSDT-PERP", Time: t0,
			Amount: dec("-0.0123"), Asset: "USDT"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if h, f := countRows(t, j, "hedge_fills"), countRows(t, j, "funding"); h != 1 || f != 1 {
		t.Fatalf("hedge fills = %d, funding = %d; want 1 each", h, f)
	}
}

func TestCheckReportsAHealthyJournal(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	if _, err := j.InsertFills(ctx, []Fill{testFill(1), testFill(2)}); err != nil {
		t.Fatal(err)
	}
	report, err := j.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() || report.JournalMode != "wal" || report.ApplicationID != mmApplicationID ||
		report.SchemaVersion != LatestSchemaVersion() || report.Count("fills") != 2 || report.Count("runs") != 0 {
		t.Fatalf("report = %+v", report)
	}
	if len(report.RowCounts) != len(checkedTables) {
		t.Fatalf("row counts = %+v", report.RowCounts)
	}
}

func TestCheckFindsForeignKeyViolations(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	// Simulate a hand edit: insert a fill that points at a run that does not exist, with enforcement off.
	conn, err := j.writerDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF")
	if err == nil {
		args, _ := fillArgs(&Fill{RunID: 42, Connector: "c", Market: "m", BaseAsset: "B", QuoteAsset: "Q",
			ExchangeTradeID: "x", Side: SideBuy, Price: dec("1"), Amount: dec("1"), FeeAsset: "Q", Time: t0})
		_, err = conn.ExecContext(ctx, writerSQL[stmtFill], args...)
	}
	conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	report, err := j.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if report.OK() || len(report.ForeignKeyViolations) != 1 || report.ForeignKeyViolations[0].Parent != "runs" {
		t.Fatalf("report = %+v", report)
	}
}
