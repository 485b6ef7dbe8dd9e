package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/journal"
)

// run drives the real entry point in-process and returns the exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestSkewCalcExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"valid input", []string{"skew-calc", "--price", "100", "--order-amount", "1"}, exitOK},
		{"negative balance", []string{"skew-calc", "--base", "-1", "--price", "100", "--order-amount", "1"}, exitUsage},
		{"price zero", []string{"skew-calc", "--price", "0", "--order-amount", "1"}, exitUsage},
		{"target above 100", []string{"skew-calc", "--price", "1", "--order-amount", "1", "--target-base-pct", "101"}, exitUsage},
		{"target below 0", []string{"skew-calc", "--price", "1", "--order-amount", "1", "--target-base-pct", "-1"}, exitUsage},
		{"multiplier zero", []string{"skew-calc", "--price", "1", "--order-amount", "1", "--range-multiplier", "0"}, exitUsage},
		{"levels zero", []string{"skew-calc", "--price", "1", "--order-amount", "1", "--order-levels", "0"}, exitUsage},
		{"not a number", []string{"skew-calc", "--price", "1e", "--order-amount", "1"}, exitUsage},
		{"unknown flag", []string{"skew-calc", "--nope"}, exitUsage},
		{"unknown command", []string{"skew-calcx"}, exitUsage},
		{"extra argument", []string{"skew-calc", "extra", "--price", "1", "--order-amount", "1"}, exitUsage},
		{"bad output format", []string{"version", "-o", "yaml"}, exitUsage},
		{"missing journal", []string{"journal", "check", "--journal", filepath.Join(t.TempDir(), "none.db")}, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code = %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if code != exitOK {
				if stdout != "" {
					t.Errorf("stdout = %q, want nothing on an error", stdout)
				}
				if !strings.HasPrefix(stderr, "mm: ") || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
					t.Errorf("stderr = %q, want one 'mm: ' line (plus the usage hint)", stderr)
				}
			}
		})
	}
}

// Flag parsing through runF (cli/cli's first test tier): the options the run function receives.
func TestNewCmdSkewCalcResolvesDefaultsAndPercentUnits(t *testing.T) {
	var got *SkewCalcOptions
	opts := &GlobalOptions{IO: IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
	root := NewRootCmd(opts)
	for _, c := range root.Commands() {
		if c.Name() == "skew-calc" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdSkewCalc(opts, func(_ context.Context, o *SkewCalcOptions) error { got = o; return nil }))
	root.SetArgs([]string{"skew-calc", "--price", "60000.00", "--order-amount", "0.01", "--bid-spread", "0.5"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	in := got.input
	want := map[string][2]decimal.Decimal{
		"price":              {in.Price, decimal.RequireFromString("60000")},
		"target (config 50)": {in.TargetBasePct, decimal.NewFromInt(50)},
		"multiplier":         {in.RangeMultiplier, decimal.NewFromInt(1)},
		"level spread":       {in.OrderLevelSpreadPct, decimal.NewFromInt(1)},
		"bid spread":         {in.BidSpreadPct.Decimal, decimal.RequireFromString("0.5")},
	}
	for name, pair := range want {
		if !pair[0].Equal(pair[1]) {
			t.Errorf("%s = %s, want %s", name, pair[0], pair[1])
		}
	}
	if in.OrderLevels != 1 || in.AskSpreadPct.Valid {
		t.Errorf("levels = %d, ask spread valid = %v; want 1 level and no ask spread", in.OrderLevels, in.AskSpreadPct.Valid)
	}
}

// --from-journal takes the latest balance snapshot of each asset and the latest mark of the market from a real
// journal file; older snapshots and other markets must not leak in.
func TestSkewCalcFromJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	dec := decimal.RequireFromString
	balances := []journal.Balance{
		{Connector: "paper", Account: "main", Asset: "BTC", Time: t0, Total: dec("5"), Kind: journal.BalanceStart},
		{Connector: "paper", Account: "main", Asset: "USDT", Time: t0, Total: dec("1000"), Kind: journal.BalanceStart},
		{Connector: "paper", Account: "main", Asset: "BTC", Time: t0.Add(time.Hour), Total: dec("1.5"), Kind: journal.BalanceRefresh},
		{Connector: "paper", Account: "main", Asset: "USDT", Time: t0.Add(time.Hour), Total: dec("25000"), Kind: journal.BalanceRefresh},
	}
	for _, b := range balances {
		if err := j.AddBalance(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	marks := []journal.Mark{
		{Connector: "paper", Market: "BTC-USDT", Time: t0, Mid: dec("9000")},
		{Connector: "paper", Market: "BTC-USDT", Time: t0.Add(time.Hour), Mid: dec("10000")},
		{Connector: "paper", Market: "ETH-USDT", Time: t0.Add(2 * time.Hour), Mid: dec("3000")},
	}
	for _, m := range marks {
		if err := j.AddMark(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := run(t, "skew-calc", "--journal", path, "--from-journal", "--market", "BTC-USDT",
		"--order-amount", "0.5", "--range-multiplier", "1", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc skewJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// 1.5 BTC × 10000 + 25000 = 40000; base 15000 = 37.5 %; target 20000; range min(1 × 10000, 20000) = 10000;
	// below target: left ratio (15000 − 10000)/(20000 − 10000)·0.5 = 0.25 → bid 2 − 0.25/0.5 = 1.5.
	if doc.PortfolioValue != "40000" || doc.BaseValue != "15000" || doc.BasePct != 37.5 {
		t.Errorf("portfolio %s, base %s (%v %%), want 40000, 15000 (37.5 %%)", doc.PortfolioValue, doc.BaseValue, doc.BasePct)
	}
	if doc.BidRatio != 1.5 || doc.AskRatio != 0.5 {
		t.Errorf("ratios (%v, %v), want (1.5, 0.5)", doc.BidRatio, doc.AskRatio)
	}

	// A flag on the command line wins over the journal.
	code, stdout, _ = run(t, "skew-calc", "--journal", path, "--from-journal", "--market", "BTC-USDT",
		"--order-amount", "0.5", "--price", "20000", "-o", "json")
	if code != exitOK || !strings.Contains(stdout, `"portfolio_value": "55000"`) {
		t.Errorf("with --price 20000: exit %d, want portfolio 1.5 × 20000 + 25000 = 55000 in %s", code, stdout)
	}

	// A market with no balances of its base asset is a clear usage error.
	code, _, stderr = run(t, "skew-calc", "--journal", path, "--from-journal", "--market", "SOL-USDT", "--order-amount", "1")
	if code != exitUsage || !strings.Contains(stderr, "has no balance snapshot of SOL") {
		t.Errorf("SOL-USDT: exit %d, stderr %q; want exit 2 naming the missing SOL snapshot", code, stderr)
	}
}

func TestJournalCheckReportsAHealthyJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mm.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "journal", "check", "--journal", path, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		OK            bool   `json:"ok"`
		SchemaVersion int    `json:"schema_version"`
		JournalMode   string `json:"journal_mode"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.OK || doc.SchemaVersion != journal.LatestSchemaVersion() || doc.JournalMode != "wal" {
		t.Errorf("check = %+v, want ok, schema %d, wal", doc, journal.LatestSchemaVersion())
	}
}
