package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/journal"
)

// issue 6: replaying the real spot capture with avellaneda and glft (the example configs): the not-ready phase
// is logged and places nothing, no quote crosses the touch or inverts, the inventory stays within Q, and the
// PnL identity holds to the last digit.
func TestModelReplayOfTheSpotCapture(t *testing.T) {
	data := sharedtest.DataDir(t)
	for _, name := range []string{"avellaneda", "glft"} {
		t.Run(name, func(t *testing.T) {
			example, err := os.ReadFile(filepath.Join("..", "..", "examples", name+"-replay.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := strings.ReplaceAll(string(example), "../../shared/data", data)
			dir := t.TempDir()
			cfgPath, db := filepath.Join(dir, "bot.yaml"), filepath.Join(dir, "mm.db")
			if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := run(t, "run", "--config", cfgPath, "--journal", db)
			if code != exitOK {
				t.Fatalf("mm run: exit %d: %s", code, stderr)
			}
			if strings.Count(stderr, "model not ready: no quotes") != 1 || strings.Count(stderr, "model ready: quoting") != 1 {
				t.Errorf("want the not-ready phase logged once on entering and once on leaving:\n%s", stderr)
			}
			checkModelJournal(t, db)
			checkPnLResidualZero(t, db)
		})
	}
}

func checkModelJournal(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	j, err := journal.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	orders, err := j.Orders(ctx, journal.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	marks, err := j.Marks(ctx, journal.MarkFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fills, err := j.Fills(ctx, journal.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) < 20 || len(marks) == 0 || len(fills) < 10 {
		t.Fatalf("%d orders, %d marks, %d fills: the replay should quote and trade", len(orders), len(marks), len(fills))
	}
	// Not ready for the first 60 ticks (volatility_buffer_size and trading_intensity_buffer_size 60 at 1 s).
	if first := orders[0].CreatedAt; first.Sub(marks[0].Time) < 59*time.Second {
		t.Errorf("first order at %s, %s after the first tick: quoted before the estimators were ready",
			first, first.Sub(marks[0].Time))
	}
	touch := map[time.Time]journal.Mark{}
	for _, m := range marks {
		touch[m.Time] = m
	}
	type quotes struct{ bestBuy, bestSell decimal.NullDecimal }
	byTick := map[time.Time]*quotes{}
	for _, o := range orders {
		m, ok := touch[o.CreatedAt]
		if !ok {
			t.Fatalf("order %s at %s: no mark journaled at its tick", o.ClientOrderID, o.CreatedAt)
		}
		q := byTick[o.CreatedAt]
		if q == nil {
			q = &quotes{}
			byTick[o.CreatedAt] = q
		}
		if o.Side == "buy" {
			if !o.Price.LessThan(m.BestAsk.Decimal) {
				t.Errorf("buy %s at %s crosses the best ask %s", o.Price, o.CreatedAt, m.BestAsk.Decimal)
			}
			if !q.bestBuy.Valid || o.Price.GreaterThan(q.bestBuy.Decimal) {
				q.bestBuy = decimal.NewNullDecimal(o.Price)
			}
		} else {
			if !o.Price.GreaterThan(m.BestBid.Decimal) {
				t.Errorf("sell %s at %s crosses the best bid %s", o.Price, o.CreatedAt, m.BestBid.Decimal)
			}
			if !q.bestSell.Valid || o.Price.LessThan(q.bestSell.Decimal) {
				q.bestSell = decimal.NewNullDecimal(o.Price)
			}
		}
	}
	for at, q := range byTick {
		if q.bestBuy.Valid && q.bestSell.Valid && !q.bestBuy.Decimal.LessThan(q.bestSell.Decimal) {
			t.Errorf("quotes at %s inverted: bid %s, ask %s", at, q.bestBuy.Decimal, q.bestSell.Decimal)
		}
	}
	// q = base − target, target = 50 % of the portfolio in base floored to the step, as the strategy measures it
	// (hummingbot.md §5.3); Q = max_inventory_orders × order_amount = 0.02 BTC. The target moves with the mid
	// between placement and fill, so a fill may land a hair beyond Q; a thousandth of Q allows for that.
	base, quote := decimal.RequireFromString("0.5"), decimal.RequireFromString("30000")
	bound := decimal.RequireFromString("0.02")
	slack := bound.Shift(-3)
	for _, f := range fills {
		if f.Side == "buy" {
			base, quote = base.Add(f.Amount), quote.Sub(f.Amount.Mul(f.Price))
		} else {
			base, quote = base.Sub(f.Amount), quote.Add(f.Amount.Mul(f.Price))
		}
		if f.FeeAsset == "BTC" {
			base = base.Sub(f.Fee)
		} else {
			quote = quote.Sub(f.Fee)
		}
		target := base.Add(quote.Div(f.Mid.Decimal)).Shift(-1).Mul(decimal.NewFromInt(5)).Truncate(5)
		if q := base.Sub(target); q.Abs().GreaterThan(bound.Add(slack)) {
			t.Errorf("fill %s at %s: inventory q = %s beyond Q = %s", f.ExchangeTradeID, f.Time, q, bound)
		}
	}
}

func checkPnLResidualZero(t *testing.T, db string) {
	t.Helper()
	code, stdout, stderr := run(t, "pnl", "--journal", db, "-o", "json")
	if code != exitOK {
		t.Fatalf("mm pnl: exit %d: %s", code, stderr)
	}
	var pnl pnlJSON
	if err := json.Unmarshal([]byte(stdout), &pnl); err != nil {
		t.Fatal(err)
	}
	if len(pnl.Markets) == 0 {
		t.Fatalf("mm pnl shows no market: %s", stdout)
	}
	for _, m := range pnl.Markets {
		if !decimal.RequireFromString(m.Residual).IsZero() {
			t.Errorf("pnl residual %s, want exactly 0", m.Residual)
		}
	}
	for _, row := range pnl.Rows {
		if !decimal.RequireFromString(row.Residual).IsZero() {
			t.Errorf("%s: residual %s, want exactly 0", row.Bucket, row.Residual)
		}
	}
}

// A model parameter out of range is a bad config: exit 2, nothing journaled (the messages are in
// testdata/script/run_model_bad_config.txtar).
func TestModelBadConfigExitsTwo(t *testing.T) {
	dir := t.TempDir()
	cfgPath, db := filepath.Join(dir, "bot.yaml"), filepath.Join(dir, "mm.db")
	cfg := `connector:
  name: paper
  market: BTC-USDT
  paper:
    feed: {kind: synthetic, seed: 1, duration: 10m}
    balances: {BTC: 1, USDT: 60000}
strategy:
  kind: glft
  order_amount: 0.01
  order_refresh_time: 10
  max_inventory: 0.1
  risk_factor: -1
`
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "run", "--config", cfgPath, "--journal", db)
	if code != exitUsage || !strings.Contains(stderr, "bot.yaml:12: strategy.risk_factor must be > 0 (got -1)") {
		t.Errorf("exit %d, stderr %q: want 2 naming the key, line and range", code, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the journal exists after a bad config (%v)", err)
	}
	// The holes of review M3: each is exit 2 with its key and line, not a run that fails later or never quotes.
	base := strings.TrimSuffix(cfg, "  max_inventory: 0.1\n  risk_factor: -1\n")
	for _, tc := range []struct{ extra, want string }{
		{"  kind: avellaneda\n  horizon: 0\n", "bot.yaml:11: strategy.horizon must be > 0"},
		{"  kind: avellaneda\n  max_inventory: 0.1\n  sigma: 0\n", "bot.yaml:12: strategy.sigma must be > 0 for the infinite-horizon textbook model"},
		{"  kind: avellaneda\n  horizon: 30\n  omega: 1\n", "bot.yaml:12: strategy.omega is the discount of the infinite-horizon textbook model"},
		{"  max_inventory: 0.1\n  order_levels: 0\n", "bot.yaml:12: strategy.order_levels must be between 1 and"},
	} {
		text := strings.Replace(base, "  kind: glft\n", "", 1) + tc.extra
		if !strings.Contains(tc.extra, "kind:") {
			text = base + tc.extra
		}
		if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, "run", "--config", cfgPath, "--journal", db)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q: want 2 and %q", tc.extra, code, stderr, tc.want)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("%q: the journal exists after a bad config (%v)", tc.extra, err)
		}
	}
}
