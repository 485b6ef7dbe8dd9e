package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmtoolkit/mm/strategy"
)

// Quoting models of mm skew-calc --model (issue 6 item 2). Flags are named after the `inputs` of the vectors in
// ../shared/vectors/quant.json, and the JSON output after their `expected` fields, so a vector can be replayed
// through the CLI without translation. pflag names are case-sensitive: --A and --Delta are GLFT's A and Δ.

const (
	modelAvellaneda   = "avellaneda"
	modelGLFT         = "glft"
	modelHummingbotAS = "hummingbot-avellaneda"
)

// modelFlag is one float input of a model. Models read them as float64: they are model parameters, not money
// (STYLE.md rule 1), and nothing here is sent to an exchange.
type modelFlag struct {
	name, usage string
	def         float64
	value       float64
}

// skewModelOptions hold --model, --horizon and the model inputs.
type skewModelOptions struct {
	Model   string
	Horizon string
	flags   map[string]*modelFlag
	order   []string
}

var skewModelFlagSpecs = []modelFlag{
	{name: "s", usage: "model: reference (mid) price s; with glft, prints bid and ask"},
	{name: "q", usage: "model: signed inventory q (avellaneda, glft), in the unit of gamma"},
	{name: "gamma", usage: "model: risk aversion γ (> 0); hummingbot-avellaneda: risk_factor", def: 1},
	{name: "sigma", usage: "model: absolute volatility σ (≥ 0), price/√time"},
	{name: "k", usage: "model: fill-intensity decay k (> 0), per price unit"},
	{name: "tau", usage: "avellaneda: time left to the horizon τ = T − t (≥ 0)"},
	{name: "q-max", usage: "avellaneda --horizon infinite: largest admissible |q|; glft: inventory bound Q (0 = none)"},
	{name: "omega", usage: "avellaneda --horizon infinite: discount ω (0 = ½γ²σ²(q-max+1)²)"},
	{name: "A", usage: "glft: arrival rate A of takers reaching depth 0 (> 0)"},
	{name: "Delta", usage: "glft: lot size Δ per fill in inventory units (> 0)", def: 1},
	{name: "xi", usage: "glft: objective parameter ξ (≥ 0; default γ, the GLFT model; 0 = Guéant's model B)"},
	{name: "mid", usage: "hummingbot-avellaneda: mid price"},
	{name: "base-bal", usage: "hummingbot-avellaneda: total base balance"},
	{name: "quote-bal", usage: "hummingbot-avellaneda: total quote balance"},
	{name: "vol", usage: "hummingbot-avellaneda: InstantVolatilityIndicator σ, price per tick (≥ 0)"},
	{name: "kappa", usage: "hummingbot-avellaneda: κ from the TradingIntensityIndicator (> 0)"},
	{name: "eta", usage: "hummingbot-avellaneda: order_amount_shape_factor η in [0, 1]"},
	{name: "min-spread-pct", usage: "hummingbot-avellaneda: min_spread, percent of mid (≥ 0)"},
	{name: "tau-frac", usage: "hummingbot-avellaneda: time left / closing time in [0, 1]; 1 = infinite mode", def: 1},
}

// The flags each model needs on the command line (the others have defaults or are optional).
var skewModelRequired = map[string][]string{
	modelAvellaneda + "/finite":   {"s", "q", "gamma", "sigma", "k", "tau"},
	modelAvellaneda + "/infinite": {"s", "q", "gamma", "sigma"},
	modelGLFT:                     {"A", "k", "gamma", "sigma", "q"},
	modelHummingbotAS:             {"mid", "base-bal", "quote-bal", "vol", "kappa"},
}

func (m *skewModelOptions) addFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringVar(&m.Model, "model", "", "quote with a model instead of the inventory skew: avellaneda, glft or hummingbot-avellaneda")
	flags.StringVar(&m.Horizon, "horizon", "finite", "avellaneda: finite (τ) or infinite (discounted, ω)")
	m.flags = map[string]*modelFlag{}
	for _, spec := range skewModelFlagSpecs {
		f := spec
		f.value = f.def
		m.flags[f.name] = &f
		m.order = append(m.order, f.name)
		flags.Float64Var(&f.value, f.name, f.def, f.usage)
	}
}

func (m *skewModelOptions) v(name string) float64 { return m.flags[name].value }

// required are the flags the chosen model needs on the command line.
func (m *skewModelOptions) required() []string {
	key := m.Model
	if key == modelAvellaneda {
		key += "/" + m.Horizon
	}
	return skewModelRequired[key]
}

// modelRequested tells whether skew-calc runs a model; model inputs without --model are an error rather than
// silently ignored.
func (o *SkewCalcOptions) modelRequested() (bool, error) {
	if o.model.Model != "" {
		return true, nil
	}
	for _, name := range append([]string{"horizon"}, o.model.order...) {
		if o.changed(name) {
			return false, usageErrorf("--%s needs --model avellaneda, glft or hummingbot-avellaneda", name)
		}
	}
	return false, nil
}

// finalizeModel checks that the flags fit the chosen model; ranges are checked by the model itself.
func (o *SkewCalcOptions) finalizeModel() error {
	m := o.model
	switch m.Model {
	case modelAvellaneda:
		if m.Horizon != "finite" && m.Horizon != "infinite" {
			return usageErrorf("--horizon must be finite or infinite (got %q)", m.Horizon)
		}
	case modelGLFT, modelHummingbotAS:
		if o.changed("horizon") {
			return usageErrorf("--horizon applies to --model avellaneda only")
		}
	default:
		return usageErrorf("--model must be avellaneda, glft or hummingbot-avellaneda (got %q)", m.Model)
	}
	for name := range o.decimals {
		if o.changed(name) && !(m.Model == modelHummingbotAS && name == "target-base-pct") {
			return usageErrorf("--%s does not apply to --model %s", name, m.Model)
		}
	}
	for _, name := range m.required() {
		if !o.changed(name) {
			return usageErrorf("--%s is required with --model %s", name, describeModel(m))
		}
	}
	if m.Model == modelGLFT && !o.changed("xi") {
		m.flags["xi"].value = m.v("gamma") // ξ = γ: the GLFT model (quant.md §2.3)
	}
	return nil
}

func describeModel(m *skewModelOptions) string {
	if m.Model == modelAvellaneda {
		return m.Model + " --horizon " + m.Horizon
	}
	return m.Model
}

// modelError turns a model's validation error into exit 2 naming the flag.
func modelError(err error) error {
	var paramErr *strategy.ModelParamError
	if errors.As(err, &paramErr) {
		return usageErrorf("--%s", err)
	}
	return usageErrorf("%v", err)
}

// runModel validates the model flags and runs the model (or runF in tests).
func (o *SkewCalcOptions) runModel(ctx context.Context, runF func(context.Context, *SkewCalcOptions) error) error {
	if err := o.finalizeModel(); err != nil {
		return err
	}
	if runF != nil {
		return runF(ctx, o)
	}
	return skewModelRun(ctx, o)
}

func skewModelRun(_ context.Context, o *SkewCalcOptions) error {
	m := o.model
	var doc modelDoc
	switch {
	case m.Model == modelAvellaneda && m.Horizon == "infinite":
		res, err := strategy.AvellanedaStoikovInfinite(m.v("s"), m.v("q"),
			strategy.ASInfiniteParams{Gamma: m.v("gamma"), Sigma: m.v("sigma"), QMax: m.v("q-max"), Omega: m.v("omega")})
		if err != nil {
			return modelError(err)
		}
		doc = modelDoc{{"omega", &res.Omega}, {"reservation_bid", &res.ReservationBid},
			{"reservation_ask_exact", &res.ReservationAskExact}, {"reservation_ask_printed_form", &res.ReservationAskPrinted},
			{"mid_of_reservations", &res.MidOfReservations}}
	case m.Model == modelAvellaneda:
		res, err := strategy.AvellanedaStoikov(m.v("s"), m.v("q"),
			strategy.ASParams{Gamma: m.v("gamma"), Sigma: m.v("sigma"), K: m.v("k"), Tau: m.v("tau")})
		if err != nil {
			return modelError(err)
		}
		doc = modelDoc{{"reservation_price", &res.ReservationPrice}, {"optimal_spread", &res.OptimalSpread},
			{"bid", &res.Bid}, {"ask", &res.Ask}, {"delta_bid", &res.DeltaBid}, {"delta_ask", &res.DeltaAsk},
			{"reservation_bid_rb", &res.ReservationBid}, {"reservation_ask_ra", &res.ReservationAsk}}
	case m.Model == modelGLFT:
		res, err := strategy.GLFT(m.v("q"), strategy.GLFTParams{A: m.v("A"), K: m.v("k"), Gamma: m.v("gamma"),
			Sigma: m.v("sigma"), Delta: m.v("Delta"), Xi: m.v("xi"), QMax: m.v("q-max")})
		if err != nil {
			return modelError(err)
		}
		doc = glftDoc(res, m.v("s"), o.changed("s"))
	default:
		res, err := strategy.HummingbotAvellaneda(strategy.HummingbotASInput{Mid: m.v("mid"), BaseBalance: m.v("base-bal"),
			QuoteBalance: m.v("quote-bal"), TargetBasePct: o.decimals["target-base-pct"].value.InexactFloat64(),
			Gamma: m.v("gamma"), Vol: m.v("vol"), Kappa: m.v("kappa"), Eta: m.v("eta"),
			MinSpreadPct: m.v("min-spread-pct"), TauFrac: m.v("tau-frac")})
		if err != nil {
			return modelError(err)
		}
		doc = modelDoc{{"q_normalised", &res.QNormalised}, {"inventory_in_base", &res.InventoryInBase},
			{"target_base", &res.TargetBase}, {"reservation_price", &res.ReservationPrice},
			{"optimal_spread", &res.OptimalSpread}, {"bid", &res.Bid}, {"ask", &res.Ask},
			{"buy_size_multiplier", &res.BuySizeMultiplier}, {"sell_size_multiplier", &res.SellSizeMultiplier}}
	}
	return renderModel(o, doc)
}

// glftDoc lists GLFT's fields; a side not quoted at the inventory bound is null (quant.md §8).
func glftDoc(res strategy.GLFTQuote, s float64, hasS bool) modelDoc {
	deltaBid, deltaAsk := &res.DeltaBid, &res.DeltaAsk
	if !res.BidQuoted {
		deltaBid = nil
	}
	if !res.AskQuoted {
		deltaAsk = nil
	}
	doc := modelDoc{{"c1", &res.C1}, {"c2", &res.C2}, {"half_spread", &res.HalfSpread}, {"skew", &res.Skew},
		{"delta_bid", deltaBid}, {"delta_ask", deltaAsk}, {"total_spread", &res.TotalSpread},
		{"quote_centre_offset", &res.QuoteCentreOffset}}
	if hasS {
		var bid, ask *float64
		if deltaBid != nil {
			bid = ptr(s - res.DeltaBid)
		}
		if deltaAsk != nil {
			ask = ptr(s + res.DeltaAsk)
		}
		doc = append(doc, modelField{"reservation_price", ptr(s + res.QuoteCentreOffset)}, modelField{"bid", bid},
			modelField{"ask", ask})
	}
	return doc
}

func ptr(v float64) *float64 { return &v }

// modelField is one output value; nil prints as null (not quoted).
type modelField struct {
	name  string
	value *float64
}

// modelDoc keeps the fields in the vectors' order, so the JSON key order is stable.
type modelDoc []modelField

func renderModel(o *SkewCalcOptions, doc modelDoc) error {
	inputs := o.modelInputs()
	switch o.Output {
	case outputJSON:
		return writeModelJSON(o.IO.Out, o.model, inputs, doc)
	case outputCSV:
		t := Table{Header: []string{"field", "value"}}
		for _, f := range doc {
			t.Rows = append(t.Rows, []string{f.name, formatModelValue(f.value, 'g', -1)})
		}
		return t.WriteCSV(o.IO.Out)
	}
	t := Table{Header: []string{describeModel(o.model), "value"}, Right: map[int]bool{1: true}}
	for _, f := range doc {
		t.Rows = append(t.Rows, []string{f.name, formatModelValue(f.value, 'g', 10)})
	}
	if err := t.Render(o.IO.Out); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "inputs: %s\n", formatInputs(inputs))
	fmt.Fprintln(o.IO.Out, "prices are unquantized model output; an order floors the bid and ceils the ask to the tick")
	return nil
}

// modelInputs are the values the model used, by flag name, for the output to echo.
func (o *SkewCalcOptions) modelInputs() map[string]float64 {
	inputs := map[string]float64{}
	for _, name := range o.model.required() {
		inputs[name] = o.model.v(name)
	}
	for _, name := range o.model.order {
		if o.changed(name) {
			inputs[name] = o.model.v(name)
		}
	}
	switch o.model.Model {
	case modelGLFT:
		inputs["Delta"], inputs["xi"] = o.model.v("Delta"), o.model.v("xi")
	case modelHummingbotAS:
		inputs["gamma"], inputs["eta"] = o.model.v("gamma"), o.model.v("eta")
		inputs["min-spread-pct"], inputs["tau-frac"] = o.model.v("min-spread-pct"), o.model.v("tau-frac")
		inputs["target-base-pct"] = o.decimals["target-base-pct"].value.InexactFloat64()
	}
	return inputs
}

func formatModelValue(v *float64, format byte, prec int) string {
	if v == nil {
		return "not quoted"
	}
	return strconv.FormatFloat(*v, format, prec, 64)
}

func formatInputs(inputs map[string]float64) string {
	var flags []string
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		flags = append(flags, "--"+name+" "+strconv.FormatFloat(inputs[name], 'g', -1, 64))
	}
	return strings.Join(flags, " ")
}

// writeModelJSON writes {"model", "horizon"?, "inputs", <fields in order>} with encoding/json's shortest
// round-trip float formatting, so the numbers are deterministic.
func writeModelJSON(w io.Writer, m *skewModelOptions, inputs map[string]float64, doc modelDoc) error {
	var buf []byte
	buf = append(buf, "{\n  \"model\": "...)
	buf = strconv.AppendQuote(buf, m.Model)
	if m.Model == modelAvellaneda {
		buf = append(buf, ",\n  \"horizon\": "...)
		buf = strconv.AppendQuote(buf, m.Horizon)
	}
	buf = append(buf, ",\n  \"inputs\": {"...)
	for i, name := range slices.Sorted(maps.Keys(inputs)) {
		if i > 0 {
			buf = append(buf, ","...)
		}
		buf = append(buf, "\n    "...)
		buf = strconv.AppendQuote(buf, name)
		buf = append(buf, ": "...)
		value := inputs[name]
		buf = appendJSONFloat(buf, &value)
	}
	buf = append(buf, "\n  }"...)
	for _, f := range doc {
		buf = append(buf, ",\n  "...)
		buf = strconv.AppendQuote(buf, f.name)
		buf = append(buf, ": "...)
		buf = appendJSONFloat(buf, f.value)
	}
	buf = append(buf, "\n}\n"...)
	_, err := w.Write(buf)
	return err
}

// appendJSONFloat appends v as encoding/json formats a float64 (shortest round-trip form), or null.
func appendJSONFloat(buf []byte, v *float64) []byte {
	if v == nil {
		return append(buf, "null"...)
	}
	text, err := json.Marshal(*v)
	if err != nil { // NaN or ±Inf: validated inputs do not produce them
		return append(buf, "null"...)
	}
	return append(buf, text...)
}
