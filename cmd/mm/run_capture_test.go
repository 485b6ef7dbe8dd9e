package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/journal"
)

// A market maker replaying the real Binance spot capture, then the analysis of its journal: the PnL identity
// holds to the last digit in every row, the components equal the equity change computed from the journaled
// balance snapshots, and history and pnl report the same trades, volumes and fees as the fills themselves.
func TestCaptureReplayJournalAddsUp(t *testing.T) {
	data := sharedtest.DataDir(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`connector:
  name: paper
  market: BTC-USDT
  account: capture
  paper:
    feed:
      kind: binance-capture
      paths: [%q, %q]
    balances: {BTC: 0.5, USDT: 30000}
strategy:
  kind: pure_market_making
  bid_spread: 0.01
  ask_spread: 0.01
  order_amount: 0.002
  order_levels: 3
  order_level_amount: 0.001
  order_level_spread: 0.01
  order_refresh_time: 10
  filled_order_delay: 5
  inventory_skew_enabled: true
  inventory_range_multiplier: 2
`, filepath.Join(data, "binance-btcusdt/spot/btcusdt_20240808.gz"), filepath.Join(data, "binance-btcusdt/spot/btcusdt_20240809.gz"))
	cfgPath := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "mm.db")
	if code, _, stderr := run(t, "run", "--config", cfgPath, "--journal", db); code != exitOK {
		t.Fatalf("mm run: exit %d: %s", code, stderr)
	}

	// The fills as journaled, summed here independently of analysis.
	ctx := context.Background()
	j, err := journal.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	fills, err := j.Fills(ctx, journal.FillFilter{})
	j.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fills) < 100 {
		t.Fatalf("%d fills: the replay should trade a lot more", len(fills))
	}
	volBase, volQuote, feesInQuote := decimal.Zero, decimal.Zero, decimal.Zero
	feesByAsset := map[string]decimal.Decimal{}
	for _, f := range fills {
		if !f.Mid.Valid {
			t.Fatalf("fill %s has no mid at fill", f.ExchangeTradeID)
		}
		volBase = volBase.Add(f.Amount)
		volQuote = volQuote.Add(f.Amount.Mul(f.Price))
		feesByAsset[f.FeeAsset] = feesByAsset[f.FeeAsset].Add(f.Fee)
		switch f.FeeAsset {
		case "USDT":
			feesInQuote = feesInQuote.Add(f.Fee)
		case "BTC": // a base fee is valued at the mid at fill (quant.md §4.6)
			feesInQuote = feesInQuote.Add(f.Fee.Mul(f.Mid.Decimal))
		default:
			t.Fatalf("fee in %s", f.FeeAsset)
		}
	}

	code, stdout, stderr := run(t, "pnl", "--journal", db, "--by", "hour", "-o", "json")
	if code != exitOK {
		t.Fatalf("mm pnl: exit %d: %s", code, stderr)
	}
	var pnl pnlJSON
	if err := json.Unmarshal([]byte(stdout), &pnl); err != nil {
		t.Fatal(err)
	}
	dec := decimal.RequireFromString
	for _, row := range pnl.Rows {
		if !dec(row.Residual).IsZero() {
			t.Errorf("hour %s: residual %s, want exactly 0", row.Bucket, row.Residual)
		}
	}
	m := pnl.Markets[0]
	if !dec(m.Residual).IsZero() || m.BalanceCheck == nil || !dec(m.BalanceCheck.Residual).IsZero() {
		t.Errorf("window residual %s, balance check %+v: want both exactly 0", m.Residual, m.BalanceCheck)
	}
	if m.Fills != len(fills) || !dec(m.VolumeBase).Equal(volBase) || !dec(m.VolumeQuote).Equal(volQuote) ||
		!dec(m.Fees).Equal(feesInQuote) {
		t.Errorf("pnl fills %d vol %s/%s fees %s; fills say %d, %s/%s, %s", m.Fills, m.VolumeBase, m.VolumeQuote, m.Fees,
			len(fills), volBase, volQuote, feesInQuote)
	}

	code, stdout, stderr = run(t, "history", "--journal", db, "-o", "json")
	if code != exitOK {
		t.Fatalf("mm history: exit %d: %s", code, stderr)
	}
	var hist historyJSON
	if err := json.Unmarshal([]byte(stdout), &hist); err != nil {
		t.Fatal(err)
	}
	h := hist.Markets[0]
	buy, sell := h.Trades["buy"], h.Trades["sell"]
	if h.Trades["total"].Count != len(fills) ||
		!dec(buy.VolumeBase).Sub(dec(sell.VolumeBase)).Equal(volBase) ||
		!dec(sell.VolumeQuote).Sub(dec(buy.VolumeQuote)).Equal(volQuote) {
		t.Errorf("history trades %+v / %+v disagree with the fills (%d, %s, %s)", buy, sell, len(fills), volBase, volQuote)
	}
	if h.StartSource != "snapshot" || h.Performance == nil {
		t.Fatalf("history start %q, performance %v: want the run's start snapshot", h.StartSource, h.Performance)
	}
	for _, fee := range h.Performance.Fees {
		if !dec(fee.Amount).Equal(feesByAsset[fee.Asset]) {
			t.Errorf("history fees in %s = %s, fills say %s", fee.Asset, fee.Amount, feesByAsset[fee.Asset])
		}
	}
}

// users.md (HB #2851): the PnL of a run must not change when mm is restarted and keeps trading the same
// persistent paper account into the same journal.
func TestPnLOfARunIsTheSameAfterARestart(t *testing.T) {
	dir := t.TempDir()
	cfg := `connector:
  name: paper
  market: BTC-USDT
  account: restart
  paper:
    feed: {kind: synthetic, seed: 3, duration: 20m}
    balances: {BTC: 1, USDT: 60000}
    maker_fee_pct: 0.02
    state: paper.state
strategy:
  kind: pure_market_making
  bid_spread: 0.02
  ask_spread: 0.02
  order_amount: 0.01
  order_refresh_time: 10
  filled_order_delay: 5
`
	cfgPath := filepath.Join(dir, "bot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "mm.db")
	if code, _, stderr := run(t, "run", "--config", cfgPath, "--journal", db); code != exitOK {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	code, before, stderr := run(t, "pnl", "--journal", db, "--run", "1", "-o", "json")
	if code != exitOK || !json.Valid([]byte(before)) {
		t.Fatalf("pnl: exit %d: %s", code, stderr)
	}
	var doc pnlJSON
	if err := json.Unmarshal([]byte(before), &doc); err != nil || len(doc.Markets) == 0 || doc.Markets[0].Fills == 0 {
		t.Fatalf("the first run should have fills: %v %s", err, before)
	}
	if code, _, stderr := run(t, "run", "--config", cfgPath, "--journal", db); code != exitOK {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if _, after, _ := run(t, "pnl", "--journal", db, "--run", "1", "-o", "json"); after != before {
		t.Errorf("run 1's PnL changed after a restart:\nbefore %s\nafter  %s", before, after)
	}
}
