package paper

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/plugins/paper/feed"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// users.md HB #3096: a restart must not reset paper balances. Balances, open orders, id counters and the
// fill log survive stop/start; the saved account wins over the configured balances.
func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paper.state")
	events := []feed.Event{
		snapshot([]string{"100:1"}, []string{"101:1"}),
		trade(market.Sell, "99", "0.25"),
	}
	cfg := testConfig(events...)
	cfg.StatePath = path
	e := newExchange(t, cfg)
	stepN(t, e, 1)
	mustPlace(t, e, maker("bid", market.Buy, "99.5", "1"), maker("ask", market.Sell, "105", "2"))
	stepAll(t, e)
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", st.Mode().Perm())
	}

	// Restart with different configured balances: the saved account wins.
	cfg2 := testConfig(events...)
	cfg2.Balances = map[string]decimal.Decimal{"BTC": d("1"), "USDT": d("5")}
	cfg2.StatePath = path
	e2 := newExchange(t, cfg2)
	// 0.25 bought at 99.5 = 24.875 USDT, fee 0.00025 BTC; 0.75 × 99.5 and 2 BTC still locked.
	wantBalance(t, e2, "USDT", "999975.125", "999900.5")
	wantBalance(t, e2, "BTC", "10.24975", "8.24975")
	open, err := e2.OpenOrders(ctx, btcusdt)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 || open[0].ClientOrderID != "bid" || !open[0].FilledAmount.Equal(d("0.25")) || open[1].ClientOrderID != "ask" {
		t.Fatalf("open orders after restart: %+v", open)
	}
	page, err := e2.TradesSince(ctx, btcusdt, "", 0)
	if err != nil || len(page.Fills) != 1 || page.Fills[0].TradeID != "P1" {
		t.Fatalf("fill log after restart: %v %+v", err, page)
	}
	// Counters continue, ids stay idempotent, and the restored bid still fills.
	res := mustPlace(t, e2, maker("bid", market.Buy, "99", "1"), maker("new", market.Buy, "90", "1"))
	if !res[0].Duplicate || res[1].Order.ExchangeOrderID != "3" {
		t.Errorf("after restart: duplicate %t, new exchange id %s (want 3)", res[0].Duplicate, res[1].Order.ExchangeOrderID)
	}
	stepN(t, e2, 1)
	fills := fillsOf(stepAll(t, e2))
	if len(fills) != 1 || fills[0].TradeID != "P2" || fills[0].ClientOrderID != "bid" || !fills[0].Amount.Equal(d("0.25")) {
		t.Errorf("fills after restart: %+v", fills)
	}
	if err := e2.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if leftovers, _ := filepath.Glob(path + ".tmp*"); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestStateFileForAnotherMarketIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paper.state")
	cfg := testConfig()
	cfg.StatePath = path
	e := newExchange(t, cfg)
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	cfg2 := testConfig()
	cfg2.Market, cfg2.StatePath = market.Pair{Base: "ETH", Quote: "USDT"}, path
	if _, err := New(cfg2); err == nil {
		t.Fatal("a state file of BTC-USDT was loaded for ETH-USDT")
	}
}

// TradesSince pages through our fills after a cursor (catch-up after downtime, DESIGN.md §3).
func TestTradesSincePages(t *testing.T) {
	e := newExchange(t, testConfig(
		snapshot([]string{"100:1"}, []string{"101:1"}),
		trade(market.Sell, "99", "0.1"), trade(market.Sell, "99", "0.1"), trade(market.Sell, "99", "0.1"),
	))
	stepN(t, e, 1)
	mustPlace(t, e, maker("b", market.Buy, "99.5", "1"))
	stepAll(t, e)
	var ids []string
	cursor := ""
	for {
		page, err := e.TradesSince(ctx, btcusdt, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Fills {
			ids = append(ids, f.TradeID)
		}
		cursor = page.NextCursor
		if !page.More {
			break
		}
	}
	if !slices.Equal(ids, []string{"P1", "P2", "P3"}) || cursor != "3" {
		t.Errorf("paged ids %v, cursor %q", ids, cursor)
	}
	if page, _ := e.TradesSince(ctx, btcusdt, cursor, 2); len(page.Fills) != 0 || page.NextCursor != "3" {
		t.Errorf("after the last fill: %+v", page)
	}
	if _, err := e.TradesSince(ctx, btcusdt, "P1", 2); err == nil {
		t.Error("a malformed cursor was accepted")
	}
	var _ sdk.Connector = e
}
