package main

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/market"
	"github.com/mmtoolkit/mm/strategy"
)

// SkewCalcOptions are the inputs of mm skew-calc. Values resolve as: Hummingbot's config defaults, then
// --config, then --from-journal (balances and price), then flags given on the command line.
type SkewCalcOptions struct {
	*GlobalOptions

	ConfigPath  string
	FromJournal bool
	Market      string
	Connector   string
	Account     string
	Sweep       bool
	OrderLevels int

	decimals  map[string]*decimalFlag // by flag name
	sweepStep *decimalFlag
	model     *skewModelOptions // --model and its inputs (skewcalc_model.go)

	changed func(name string) bool
	input   strategy.SkewInput
	pair    *market.Pair
	notes   []string // where values came from, for the table output
	sources map[string]string
}

// The decimal flags of skew-calc, with Hummingbot's config defaults (reference/hummingbot.md §1.1).
var skewDecimalFlags = []struct{ name, def, usage string }{
	{"base", "0", "base asset balance (total)"},
	{"quote", "0", "quote asset balance (total)"},
	{"price", "", "reference price, quote per base"},
	{"target-base-pct", "50", "inventory_target_base_pct: target share of portfolio value in base, percent"},
	{"range-multiplier", "1", "inventory_range_multiplier: band half-width in total order sizes"},
	{"order-amount", "", "order_amount: size of the first level on each side, base units"},
	{"order-level-amount", "0", "order_level_amount: size added per level, base units (may be negative)"},
	{"order-level-spread", "1", "order_level_spread: extra spread per level, percent"},
	{"bid-spread", "", "bid_spread: first bid's distance from the price, percent (shows level prices)"},
	{"ask-spread", "", "ask_spread: first ask's distance from the price, percent (shows level prices)"},
	{"step", "0", "amount step: sizes are floored to a multiple of it (0 = exact)"},
	{"tick", "0", "price tick: level prices are floored to a multiple of it (0 = exact)"},
	{"min-order-size", "0", "exchange minimum order size, base units: smaller levels are flagged"},
	{"min-notional", "0", "exchange minimum order value, quote: smaller levels are flagged"},
}

// NewCmdSkewCalc builds `mm skew-calc`; runF replaces the run function in tests.
func NewCmdSkewCalc(global *GlobalOptions, runF func(context.Context, *SkewCalcOptions) error) *cobra.Command {
	opts := &SkewCalcOptions{GlobalOptions: global, decimals: map[string]*decimalFlag{}, sweepStep: newDecimalFlag("5"),
		model: &skewModelOptions{}}
	cmd := &cobra.Command{
		Use:   "skew-calc",
		Short: "Compute inventory-skew ranges, bid/ask ratios and per-level order sizes",
		Long: `Compute Hummingbot's inventory skew for a portfolio: the total order size, the tolerated band of base share
around the target (range = total order size × multiplier, capped at half the portfolio value, lower limit at 0),
the bid and ask ratios (computed in float64 exactly as Hummingbot does), and each level's size before and after
the skew. Levels that fall below the exchange's minimum size or notional are named, because a skewed level that
silently disappears is the most common surprise.

Percent flags are in percent (50 means 50 %). Inputs come from flags, from the strategy keys of --config bot.yaml,
or, with --from-journal, from the journal's latest balance snapshot and mark of --market. Flags given on the
command line win. --sweep prints the ratios for base shares from 0 to 100 %.

Output: table (default), json (field names are a contract for scripts), or csv (one row per level; with --sweep,
one row per base share; warnings go to stderr).

--model avellaneda | glft | hummingbot-avellaneda prints a quoting model's reservation price, spread and quotes
instead (reference/quant.md §1–3, reference/hummingbot.md §5.3). Its flags are named after the inputs of the
test vectors and its JSON fields after their expected values: --s --q --gamma --sigma --k --tau for
Avellaneda–Stoikov (--horizon infinite with --q-max or --omega); --A --k --gamma --sigma --q --Delta --xi (and
--q-max, --s) for GLFT; --mid --base-bal --quote-bal --target-base-pct --vol --kappa --gamma --eta
--min-spread-pct --tau-frac for Hummingbot's variant. Flag names are case-sensitive.

` + exitStatusHelp,
		Example: `  # 1 BTC and 60000 USDT at 60000: 50 % base, on target
  mm skew-calc --base 1 --quote 60000 --price 60000 --order-amount 0.01 --order-levels 3 --order-level-amount 0.005

  # same orders with exchange minimums, as JSON
  mm skew-calc --base 1.6 --quote 24000 --price 60000 --order-amount 0.01 --step 0.0001 --min-notional 5 -o json

  # ratios across base shares 0-100 %
  mm skew-calc --base 1 --quote 60000 --price 60000 --order-amount 0.05 --range-multiplier 2 --sweep

  # strategy keys from a bot config, balances and price from the journal
  mm skew-calc --config bot.yaml --from-journal --market BTC-USDT

  # Avellaneda–Stoikov quotes, long 3, half the horizon left
  mm skew-calc --model avellaneda --s 100 --q 3 --gamma 0.1 --sigma 2 --k 1.5 --tau 0.5

  # GLFT quotes in ticks, as JSON
  mm skew-calc --model glft --A 0.9 --k 0.3 --gamma 0.01 --sigma 0.3 --q -3 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.changed = cmd.Flags().Changed
			useModel, err := opts.modelRequested()
			if err != nil {
				return err
			}
			if useModel {
				return opts.runModel(cmd.Context(), runF)
			}
			if err := opts.Finalize(cmd.Context()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return skewCalcRun(cmd.Context(), opts)
		},
	}
	opts.AddFlags(cmd)
	opts.model.addFlags(cmd)
	return cmd
}

// AddFlags registers skew-calc's flags on cmd.
func (o *SkewCalcOptions) AddFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	for _, f := range skewDecimalFlags {
		value := newDecimalFlag(f.def)
		o.decimals[f.name] = value
		flags.Var(value, f.name, f.usage)
	}
	flags.IntVar(&o.OrderLevels, "order-levels", 1, "order_levels: orders per side")
	flags.StringVar(&o.ConfigPath, "config", "", "read strategy keys (and paper balances) from this bot config")
	flags.BoolVar(&o.FromJournal, "from-journal", false, "read balances and price from the journal's latest snapshot and mark of --market")
	flags.StringVar(&o.Market, "market", "", "market BASE-QUOTE (needed with --from-journal; names the assets)")
	flags.StringVar(&o.Connector, "connector", "", "with --from-journal: only balances of this connector")
	flags.StringVar(&o.Account, "account", "", "with --from-journal: only balances of this account")
	flags.BoolVar(&o.Sweep, "sweep", false, "print the bid/ask ratios for base share 0-100 %")
	flags.Var(o.sweepStep, "sweep-step", "base share step of --sweep, percent")
}

// Finalize resolves every input and validates it; errors name the flag or config key and the accepted range.
func (o *SkewCalcOptions) Finalize(ctx context.Context) error {
	o.sources = map[string]string{}
	values := map[string]decimal.Decimal{}
	for name, flag := range o.decimals {
		values[name] = flag.value
		o.sources[name] = "--" + name
	}
	levels, levelsSource := o.OrderLevels, "--order-levels"
	given := map[string]bool{}

	if o.Market != "" {
		pair, err := market.ParsePair(o.Market)
		if err != nil {
			return usageErrorf("--market: %v", err)
		}
		o.pair = &pair
	}
	if o.ConfigPath != "" {
		cfg, err := readSkewConfig(o.ConfigPath)
		if err != nil {
			return &ExitError{Code: exitUsage, Err: err}
		}
		for name, v := range cfg.values {
			if o.changed(name) {
				continue
			}
			values[name], o.sources[name], given[name] = v.value, v.source, true
		}
		if cfg.levels != nil && !o.changed("order-levels") {
			levels, levelsSource = cfg.levels.n, cfg.levels.source
		}
		if o.pair == nil && cfg.pair != nil {
			o.pair = cfg.pair
		}
		o.notes = append(o.notes, cfg.notes...)
	}
	if o.FromJournal {
		if err := o.readJournal(ctx, values, given); err != nil {
			return err
		}
	}
	for name := range o.decimals {
		if o.changed(name) {
			given[name] = true
		}
	}
	for _, required := range []string{"price", "order-amount"} {
		if !given[required] {
			return usageErrorf("--%s is required (or give it in --config / --from-journal)", required)
		}
	}
	o.input = strategy.SkewInput{
		Base: values["base"], Quote: values["quote"], Price: values["price"],
		TargetBasePct: values["target-base-pct"], RangeMultiplier: values["range-multiplier"],
		OrderAmount: values["order-amount"], OrderLevels: levels, OrderLevelAmount: values["order-level-amount"],
		OrderLevelSpreadPct: values["order-level-spread"],
		Step:                values["step"], Tick: values["tick"],
		MinOrderSize: values["min-order-size"], MinNotional: values["min-notional"],
	}
	if given["bid-spread"] {
		o.input.BidSpreadPct = decimal.NewNullDecimal(values["bid-spread"])
	}
	if given["ask-spread"] {
		o.input.AskSpreadPct = decimal.NewNullDecimal(values["ask-spread"])
	}
	return o.validate(values, levels, levelsSource)
}

// validate applies Hummingbot's config validators (reference/hummingbot.md §1.1) plus mm's own bounds.
func (o *SkewCalcOptions) validate(values map[string]decimal.Decimal, levels int, levelsSource string) error {
	zero, hundred := decimal.Zero, decimal.NewFromInt(100)
	checks := []rangeCheck{
		{"base", nonNegative, "≥ 0"},
		{"quote", nonNegative, "≥ 0"},
		{"price", positive, "> 0"},
		{"target-base-pct", func(d decimal.Decimal) bool { return d.GreaterThanOrEqual(zero) && d.LessThanOrEqual(hundred) }, "between 0 and 100"},
		{"range-multiplier", positive, "> 0"},
		{"order-amount", positive, "> 0"},
		{"order-level-spread", openPercent, "> 0 and < 100"},
		{"step", nonNegative, "≥ 0"},
		{"tick", nonNegative, "≥ 0"},
		{"min-order-size", nonNegative, "≥ 0"},
		{"min-notional", nonNegative, "≥ 0"},
	}
	if o.input.BidSpreadPct.Valid {
		checks = append(checks, rangeCheck{"bid-spread", openPercent, "> 0 and < 100"})
	}
	if o.input.AskSpreadPct.Valid {
		checks = append(checks, rangeCheck{"ask-spread", openPercent, "> 0 and < 100"})
	}
	for _, c := range checks {
		if v := values[c.name]; !c.ok(v) {
			return usageErrorf("%s must be %s (got %s)", o.sources[c.name], c.accept, v)
		}
	}
	if levels < 1 || levels > maxOrderLevels {
		return usageErrorf("%s must be between 1 and %d (got %d)", levelsSource, maxOrderLevels, levels)
	}
	if step := o.sweepStep.value; o.Sweep && (step.Sign() <= 0 || step.GreaterThan(hundred)) {
		return usageErrorf("--sweep-step must be > 0 and ≤ 100 (got %s)", step)
	}
	if o.Sweep && o.input.Base.Mul(o.input.Price).Add(o.input.Quote).Sign() <= 0 {
		return usageErrorf("--sweep needs a non-empty portfolio: give --base or --quote > 0")
	}
	return nil
}

// rangeCheck is one accepted range of a decimal input, named as the error message prints it.
type rangeCheck struct {
	name   string
	ok     func(decimal.Decimal) bool
	accept string
}

// maxOrderLevels bounds --order-levels; no exchange accepts more open orders per side than this.
const maxOrderLevels = 1000

func nonNegative(d decimal.Decimal) bool { return d.Sign() >= 0 }
func positive(d decimal.Decimal) bool    { return d.Sign() > 0 }
func openPercent(d decimal.Decimal) bool {
	return d.Sign() > 0 && d.LessThan(decimal.NewFromInt(100))
}

// readJournal takes the latest balance snapshot of the market's assets and its latest mark from the journal.
func (o *SkewCalcOptions) readJournal(ctx context.Context, values map[string]decimal.Decimal, given map[string]bool) error {
	if o.pair == nil {
		return usageErrorf("--from-journal needs --market BASE-QUOTE (or connector.market in --config)")
	}
	j, err := journal.OpenReadOnly(ctx, o.JournalPath)
	if err != nil {
		return err
	}
	defer j.Close(ctx)
	assets := []string{o.pair.Base, o.pair.Quote}
	balances, err := j.LatestBalances(ctx, o.Connector, o.Account, assets, time.Time{})
	if err != nil {
		return fmt.Errorf("read balances: %w", err)
	}
	for flag, asset := range map[string]string{"base": o.pair.Base, "quote": o.pair.Quote} {
		if o.changed(flag) {
			continue
		}
		b, ok := balances[asset]
		if !ok {
			return usageErrorf("journal %s has no balance snapshot of %s; give --%s", o.JournalPath, asset, flag)
		}
		values[flag], given[flag] = b.Total, true
		o.sources[flag] = fmt.Sprintf("journal balance of %s", asset)
		o.notes = append(o.notes, fmt.Sprintf("%s balance %s from the journal snapshot of %s", asset, b.Total,
			b.Time.UTC().Format(time.RFC3339)))
	}
	if !o.changed("price") {
		mark, ok, err := j.LatestMark(ctx, o.pair.String(), time.Time{})
		if err != nil {
			return fmt.Errorf("read mark: %w", err)
		}
		if !ok {
			return usageErrorf("journal %s has no mark of %s; give --price", o.JournalPath, o.pair)
		}
		values["price"], given["price"] = mark.Mid, true
		o.sources["price"] = fmt.Sprintf("journal mark of %s", o.pair)
		o.notes = append(o.notes, fmt.Sprintf("price %s: mid of %s at %s from the journal", mark.Mid, o.pair,
			mark.Time.UTC().Format(time.RFC3339)))
	}
	return nil
}

func skewCalcRun(_ context.Context, opts *SkewCalcOptions) error {
	if opts.Sweep {
		return renderSweep(opts)
	}
	report := strategy.ExplainSkew(opts.input)
	return renderSkew(opts, report)
}
