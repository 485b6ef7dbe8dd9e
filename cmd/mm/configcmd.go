package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/internal/config"
	"github.com/mmtoolkit/mm/market"
)

// NewCmdConfig builds `mm config` and its subcommands example and validate.
func NewCmdConfig(global *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print an example bot config or validate one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("mm config needs a subcommand: %s", strings.Join(subcommandNames(cmd), ", "))
		},
	}
	cmd.AddCommand(NewCmdConfigExample(global, nil), NewCmdConfigValidate(global, nil))
	return cmd
}

// ConfigExampleOptions are the inputs of mm config example.
type ConfigExampleOptions struct {
	*GlobalOptions
}

// NewCmdConfigExample builds `mm config example`; runF replaces the run function in tests.
func NewCmdConfigExample(global *GlobalOptions, runF func(context.Context, *ConfigExampleOptions) error) *cobra.Command {
	opts := &ConfigExampleOptions{GlobalOptions: global}
	return &cobra.Command{
		Use:   "example",
		Short: "Print a complete, commented bot config",
		Long: `Print a complete bot config with every key, its default, its unit and its accepted range in a comment. It runs
as it stands: mm's paper exchange on a seeded synthetic BTC-USDT feed. Strategy keys are Hummingbot's
pure_market_making keys, with the same names and percent units (bid_spread: 1 means 1 %). docs/CONFIG.md
describes every key.

` + exitStatusHelp,
		Example: `  mm config example > bot.yaml
  mm config validate bot.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			_, err := opts.IO.Out.Write(config.Example())
			return err
		},
	}
}

// ConfigValidateOptions are the inputs of mm config validate.
type ConfigValidateOptions struct {
	*GlobalOptions
	Path string
}

// NewCmdConfigValidate builds `mm config validate FILE`; runF replaces the run function in tests.
func NewCmdConfigValidate(global *GlobalOptions, runF func(context.Context, *ConfigValidateOptions) error) *cobra.Command {
	opts := &ConfigValidateOptions{GlobalOptions: global}
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a bot config without running it",
		Long: `Check a bot config exactly as mm run reads it: strict YAML (an unknown key is an error naming the key, its line
and its section), every value in its accepted range, no secrets in the file, and the feed files present. On
success it prints "FILE: ok (...)" and the effective settings, defaults included; with -o json, the effective
config as JSON (decimals as strings). On error it prints one line, "FILE:LINE: KEY must be ... (got ...)", and
exits 2. Warnings (valid but easy to get wrong, such as a kill_switch_rate of -0.1, which is 0.1 %) go to stderr.

` + exitStatusHelp,
		Example: `  mm config validate bot.yaml
  mm config validate bot.yaml -o json | jq .strategy`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("mm config validate takes one config file (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return configValidateRun(cmd.Context(), opts)
		},
	}
}

func configValidateRun(_ context.Context, opts *ConfigValidateOptions) error {
	cfg, err := config.Load(opts.Path)
	if err == nil {
		err = cfg.CheckFiles()
	}
	if err != nil {
		return &ExitError{Code: exitUsage, Err: err}
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(opts.IO.ErrOut, "mm: warning: %s\n", w)
	}
	summary := configSummary(cfg)
	switch opts.Output {
	case outputJSON:
		return writeJSON(opts.IO.Out, cfg)
	case outputCSV:
		return summary.WriteCSV(opts.IO.Out)
	}
	fmt.Fprintf(opts.IO.Out, "%s: ok (%s on %s %s)\n", opts.Path, cfg.Strategy.Kind, cfg.Connector.Name, cfg.Connector.Market)
	return summary.Render(opts.IO.Out)
}

// configSummary is the effective settings in a few rows, in the config's own units.
func configSummary(cfg *config.Config) Table {
	conn, s, risk, run := cfg.Connector, cfg.Strategy, cfg.Risk, cfg.Run
	base := conn.Market
	if pair, err := market.ParsePair(conn.Market); err == nil {
		base = pair.Base
	}
	rows := [][]string{{"connector", connectorSummary(cfg)}, {"market", conn.Market + ", account " + conn.Account}}
	if p := conn.Paper; p != nil {
		rows = append(rows,
			[]string{"feed", feedSummary(p.Feed)},
			[]string{"balances", balancesSummary(p.Balances)},
			[]string{"fills", fmt.Sprintf("%s, maker %s %%, taker %s %%", p.FillModel, p.MakerFeePct, p.TakerFeePct)})
	}
	refresh := []string{"refresh", fmt.Sprintf("every %s s, tolerance %s %%, max age %s s, after a fill wait %s s",
		s.OrderRefreshTime, s.OrderRefreshTolerancePct, s.MaxOrderAge, s.FilledOrderDelay)}
	if cfg.IsModel() {
		rows = append(append(rows, modelSummaryRows(cfg)...), refresh) // configcmd_model.go
	} else {
		rows = append(rows,
			[]string{"spreads", fmt.Sprintf("bid %s %%, ask %s %%", s.BidSpread, s.AskSpread)},
			[]string{"orders", ordersSummary(s, base)},
			refresh,
			[]string{"reference price", priceSummary(s)},
			[]string{"inventory skew", onOff(s.InventorySkewEnabled, fmt.Sprintf("target %s %% base, range × %s",
				s.InventoryTargetBasePct, s.InventoryRangeMultiplier))},
			[]string{"hanging orders", onOff(s.HangingOrdersEnabled, fmt.Sprintf("cancel beyond %s %%", s.HangingOrdersCancelPct))},
			[]string{"ping pong", onOff(s.PingPongEnabled, "on")},
			[]string{"order optimization", onOff(s.OrderOptimizationEnabled, fmt.Sprintf("depth bid %s, ask %s %s",
				s.BidOrderOptimizationDepth, s.AskOrderOptimizationDepth, base))})
	}
	rows = append(rows,
		[]string{"kill switch", killSwitchSummary(risk.KillSwitchRate)},
		[]string{"risk guards", guardsSummary(risk, base)},
		[]string{"run", runSummary(run)},
	)
	rows = append(rows, sizingSummaryRows(cfg)...) // configcmd_sizing.go: only when configured
	rows = append(rows, []string{"config hash", cfg.Hash()})
	return Table{Header: []string{"setting", "value"}, Rows: rows}
}

func connectorSummary(cfg *config.Config) string {
	switch {
	case cfg.InProcess():
		return cfg.Connector.Name + ", in-process"
	case cfg.Connector.Paper != nil:
		return cfg.Connector.Name + ", plugin mm-plugin-paper"
	}
	return fmt.Sprintf("%s, plugin mm-plugin-%s (%d settings)", cfg.Connector.Name, cfg.Connector.Plugin, len(cfg.Connector.Settings))
}

func feedSummary(f config.Feed) string {
	if f.Kind == "synthetic" {
		seed := int64(1)
		if f.Seed != nil {
			seed = *f.Seed
		}
		return fmt.Sprintf("synthetic, seed %d, %s of simulated time", seed, f.Duration)
	}
	files := f.Paths
	if f.Path != "" {
		files = append([]string{f.Path}, files...)
	}
	return f.Kind + " " + strings.Join(files, ", ")
}

func balancesSummary(balances map[string]decimal.Decimal) string {
	var parts []string
	for _, asset := range slices.Sorted(maps.Keys(balances)) {
		parts = append(parts, asset+" "+balances[asset].String())
	}
	return strings.Join(parts, ", ")
}

func ordersSummary(s config.Strategy, base string) string {
	switch {
	case s.SplitOrderLevelsEnabled:
		return fmt.Sprintf("split levels: %d bids, %d asks", len(s.BidOrderLevelSpreads), len(s.AskOrderLevelSpreads))
	case len(s.OrderOverride) > 0:
		return fmt.Sprintf("order_override: %d orders", len(s.OrderOverride))
	}
	return fmt.Sprintf("%d per side, %s %s first, %s %s and %s %% more per level",
		s.OrderLevels, s.OrderAmount, base, s.OrderLevelAmount, base, s.OrderLevelSpread)
}

func priceSummary(s config.Strategy) string {
	parts := []string{s.PriceType}
	if !s.PriceCeiling.Equal(decimal.NewFromInt(-1)) || !s.PriceFloor.Equal(decimal.NewFromInt(-1)) {
		parts = append(parts, fmt.Sprintf("band floor %s, ceiling %s", s.PriceFloor, s.PriceCeiling))
	}
	if s.MovingPriceBandEnabled {
		parts = append(parts, fmt.Sprintf("moving band %s %% to %s %% every %s s", s.PriceFloorPct, s.PriceCeilingPct, s.PriceBandRefreshTime))
	}
	if s.MinimumSpread.GreaterThan(decimal.NewFromInt(-100)) {
		parts = append(parts, fmt.Sprintf("minimum spread %s %%", s.MinimumSpread))
	}
	if s.AddTransactionCosts {
		parts = append(parts, "fees added to prices")
	}
	if s.TakeIfCrossed {
		parts = append(parts, "take if crossed")
	}
	return strings.Join(parts, ", ")
}

func killSwitchSummary(rate decimal.Decimal) string {
	switch rate.Sign() {
	case 0:
		return "off"
	case -1:
		return fmt.Sprintf("stop at a %s %% loss (return since the run started, checked every 10 s)", rate.Abs())
	}
	return fmt.Sprintf("stop at a %s %% gain (return since the run started, checked every 10 s)", rate)
}

func guardsSummary(r config.Risk, base string) string {
	var parts []string
	if r.MaxInventoryBase.Valid {
		parts = append(parts, fmt.Sprintf("max inventory %s %s", r.MaxInventoryBase.Decimal, base))
	}
	if r.DailyLossLimitQuote.Valid {
		parts = append(parts, fmt.Sprintf("daily loss %s", r.DailyLossLimitQuote.Decimal))
	}
	if r.MaxDrawdownPct.Valid {
		parts = append(parts, fmt.Sprintf("drawdown %s %% from peak", r.MaxDrawdownPct.Decimal))
	}
	if r.StaleDataTimeout > 0 {
		parts = append(parts, fmt.Sprintf("stale data after %s", r.StaleDataTimeout))
	}
	if len(parts) == 0 {
		return "none"
	}
	if r.ReduceOnlyAfterTrip {
		parts = append(parts, "reduce-only after a trip")
	}
	return strings.Join(parts, ", ")
}

func runSummary(r config.Run) string {
	until := "until the data ends"
	if r.Duration > 0 {
		until = "for " + r.Duration.String()
	}
	parts := []string{"tick " + r.TickInterval.String(), until}
	if r.StatusInterval > 0 {
		parts = append(parts, "status every "+r.StatusInterval.String())
	}
	if r.KeepOrders {
		parts = append(parts, "orders kept on shutdown")
	}
	if r.JournalOrders == "filled" {
		parts = append(parts, "journals only orders with fills")
	}
	return strings.Join(parts, ", ")
}

func onOff(on bool, detail string) string {
	if on {
		return detail
	}
	return "off"
}
