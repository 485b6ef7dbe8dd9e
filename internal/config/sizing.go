package config

import (
	"fmt"
	"os"
	"reflect"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/mmtoolkit/mm/journal/interchange"
	"github.com/mmtoolkit/mm/strategy"
)

// Sizing is strategy.sizing: volatility-targeted order amounts (quant.md §5.4–5.5, issue 6 item 3). Every order
// amount is multiplied by clamp(target_vol/σ̂, min_factor, max_factor), σ̂ the realized volatility of the mid
// over the last window bars (or max(realized, implied) with iv_source). Volatilities are annualised percent.
type Sizing struct {
	Estimator  string          `yaml:"estimator" json:"estimator"`
	Window     int             `yaml:"window" json:"window"`
	EWMALambda decimal.Decimal `yaml:"ewma_lambda" json:"ewma_lambda,omitzero"` // ewma only
	Bar        Duration        `yaml:"bar" json:"bar"`
	TargetVol  decimal.Decimal `yaml:"target_vol" json:"target_vol"`
	MinFactor  decimal.Decimal `yaml:"min_factor" json:"min_factor"`
	MaxFactor  decimal.Decimal `yaml:"max_factor" json:"max_factor"`
	IVSource   *IVSource       `yaml:"iv_source" json:"iv_source,omitempty"`
}

// IVSource is strategy.sizing.iv_source: implied volatility for event-aware sizing.
type IVSource struct {
	Kind string `yaml:"kind" json:"kind"` // file: a CSV of timestamp,iv (docs/CSV.md)
	Path string `yaml:"path" json:"path"`
	// Use is how implied and realized combine: max (the larger, so an expected event shrinks orders before
	// realized volatility sees it) or implied (implied alone).
	Use string `yaml:"use" json:"use"`
}

// Blackout is one entry of risk.blackouts: a window, absolute (start, end) or daily ("HH:MM-HH:MM" UTC), during
// which quoting pauses or shrinks (issue 6 item 4).
type Blackout struct {
	Name   string              `yaml:"name" json:"name,omitempty"`
	Start  string              `yaml:"start" json:"start,omitempty"`
	End    string              `yaml:"end" json:"end,omitempty"`
	Daily  string              `yaml:"daily" json:"daily,omitempty"`
	Action string              `yaml:"action" json:"action"`
	Factor decimal.NullDecimal `yaml:"factor" json:"factor,omitzero"` // shrink only
}

// Blackouts are risk.blackouts, in document order.
type Blackouts []Blackout

// The sizing defaults: a month of daily-ish memory is too slow for quoting, so 30 one-minute bars; factors that
// only ever shrink the configured amounts unless max_factor says otherwise.
func defaultSizing() Sizing {
	return Sizing{Estimator: string(strategy.EstimatorCloseToClose), Window: 30, Bar: Duration(time.Minute),
		MinFactor: decimal.RequireFromString("0.1"), MaxFactor: decimal.NewFromInt(1)}
}

// decodeNode fills the defaults before the keys the file gives, so that a partial sizing section is complete.
func (s *Sizing) decodeNode(d *decoder, node *yaml.Node, key string) error {
	*s = defaultSizing()
	return d.decodeStruct(node, reflect.ValueOf(s).Elem(), key)
}

func (s *IVSource) decodeNode(d *decoder, node *yaml.Node, key string) error {
	*s = IVSource{Kind: "file", Use: "max"}
	return d.decodeStruct(node, reflect.ValueOf(s).Elem(), key)
}

// decodeNode reads the list of windows, each a mapping with the keys of Blackout.
func (b *Blackouts) decodeNode(d *decoder, node *yaml.Node, key string) error {
	if node.Kind != yaml.SequenceNode {
		return d.invalid(node, key, `must be a list of windows, for example [{daily: "13:25-13:40", action: pause}] (got %s)`,
			describe(node))
	}
	list := make(Blackouts, 0, len(node.Content))
	for i, item := range node.Content {
		item = resolveAlias(item)
		entry := fmt.Sprintf("%s[%d]", key, i)
		d.cfg.lines[entry] = item.Line
		var w Blackout
		if err := d.decodeStruct(item, reflect.ValueOf(&w).Elem(), entry); err != nil {
			return err
		}
		list = append(list, w)
	}
	*b = list
	return nil
}

const maxSizingWindow = 10000

func (c *Config) validateSizing(ck *checker) {
	s := c.Strategy.Sizing
	if s == nil {
		return
	}
	const p = "strategy.sizing."
	ck.oneOf(p+"estimator", s.Estimator, string(strategy.EstimatorCloseToClose), string(strategy.EstimatorParkinson),
		string(strategy.EstimatorEWMA))
	if s.Window < 2 || s.Window > maxSizingWindow {
		ck.fail(p+"window", "must be between 2 and %d bars (got %d)", maxSizingWindow, s.Window)
	}
	switch {
	case s.Estimator == string(strategy.EstimatorEWMA) && !c.IsSet(p+"ewma_lambda"):
		s.EWMALambda = decimal.RequireFromString("0.94") // RiskMetrics' λ, quant.md §5.4
	case s.Estimator == string(strategy.EstimatorEWMA):
		ck.decimal(p+"ewma_lambda", s.EWMALambda, openRange("0", "1"))
	case c.IsSet(p + "ewma_lambda"):
		ck.fail(p+"ewma_lambda", "is for estimator ewma only (estimator is %s)", s.Estimator)
	}
	ck.duration(p+"bar", s.Bar, time.Second, 24*time.Hour, "")
	if tick := c.Run.TickInterval; s.Bar < tick {
		ck.fail(p+"bar", "must be ≥ run.tick_interval %s: bars are built from the mid at each tick (got %s)", tick, s.Bar)
	} else if s.Estimator == string(strategy.EstimatorParkinson) && s.Bar < 2*tick {
		// Parkinson reads each bar's high and low: with one mid per bar they are equal and σ̂ is always 0.
		ck.fail(p+"bar", "must be ≥ 2 × run.tick_interval (%s) for estimator parkinson: a bar needs several mids to have a high and a low (got %s)",
			Duration(2*time.Duration(tick)), s.Bar)
	}
	if !c.IsSet(p + "target_vol") {
		ck.fail(p+"target_vol", "is required: the annualised volatility in percent at which orders keep their configured amounts (for example 60)")
	}
	ck.decimal(p+"target_vol", s.TargetVol, bound{func(v decimal.Decimal) bool {
		return v.Sign() > 0 && v.LessThanOrEqual(num("1000"))
	}, "> 0 and ≤ 1000 (annualised percent)"})
	factorRange := bound{func(v decimal.Decimal) bool { return v.Sign() > 0 && v.LessThanOrEqual(num("100")) }, "> 0 and ≤ 100"}
	ck.decimal(p+"min_factor", s.MinFactor, factorRange)
	ck.decimal(p+"max_factor", s.MaxFactor, factorRange)
	if s.MinFactor.GreaterThan(s.MaxFactor) {
		ck.fail(p+"min_factor", "must be ≤ strategy.sizing.max_factor (got %s > %s)", s.MinFactor, s.MaxFactor)
	}
	if iv := s.IVSource; iv != nil {
		ck.oneOf(p+"iv_source.kind", iv.Kind, "file")
		if iv.Path == "" {
			ck.fail(p+"iv_source.path", "is required: a CSV of timestamp,iv (docs/CSV.md)")
		}
		ck.oneOf(p+"iv_source.use", iv.Use, "max", "implied")
	}
}

func (c *Config) validateBlackouts(ck *checker) {
	for i, w := range c.Risk.Blackouts {
		key := fmt.Sprintf("risk.blackouts[%d]", i)
		absolute := w.Start != "" || w.End != ""
		switch {
		case w.Daily != "" && absolute:
			ck.fail(key, "gives daily and start/end; a window is either daily: \"HH:MM-HH:MM\" or start and end")
		case w.Daily != "":
			if _, _, err := strategy.ParseDailyWindow(w.Daily); err != nil {
				ck.fail(key+".daily", "%v", err)
			}
		case !absolute:
			ck.fail(key, "needs daily: \"HH:MM-HH:MM\" (UTC) or start and end (RFC 3339)")
		default:
			start, errStart := parseWindowTime(w.Start)
			end, errEnd := parseWindowTime(w.End)
			switch {
			case w.Start == "":
				ck.fail(key+".start", "is required with end (RFC 3339, for example 2024-01-01T13:30:00Z)")
			case errStart != nil:
				ck.fail(key+".start", "must be an RFC 3339 time with a zone, for example 2024-01-01T13:30:00Z (got %q)", w.Start)
			case w.End == "":
				ck.fail(key+".end", "is required with start (RFC 3339, for example 2024-01-01T14:00:00Z)")
			case errEnd != nil:
				ck.fail(key+".end", "must be an RFC 3339 time with a zone, for example 2024-01-01T14:00:00Z (got %q)", w.End)
			case !end.After(start):
				ck.fail(key+".end", "must be after start %s (got %s)", w.Start, w.End)
			}
		}
		ck.oneOf(key+".action", w.Action, string(strategy.BlackoutPause), string(strategy.BlackoutShrink))
		switch {
		case w.Action == string(strategy.BlackoutShrink) && !w.Factor.Valid:
			ck.fail(key+".factor", "is required for action shrink: the amount multiplier, > 0 and < 1")
		case w.Action == string(strategy.BlackoutShrink):
			ck.decimal(key+".factor", w.Factor.Decimal, bound{func(v decimal.Decimal) bool {
				return v.Sign() > 0 && v.LessThan(num("1"))
			}, "> 0 and < 1 for action shrink"})
		case w.Factor.Valid:
			ck.fail(key+".factor", "is for action shrink only (action is %s)", w.Action)
		}
	}
}

func parseWindowTime(text string) (time.Time, error) { return time.Parse(time.RFC3339Nano, text) }

// SizingParams converts strategy.sizing for the estimator; ok is false when sizing is off.
func (c *Config) SizingParams() (p strategy.SizingParams, ok bool) {
	s := c.Strategy.Sizing
	if s == nil {
		return p, false
	}
	return strategy.SizingParams{Estimator: strategy.VolEstimator(s.Estimator), Window: s.Window,
		EWMALambda: s.EWMALambda.InexactFloat64(), Bar: time.Duration(s.Bar), TargetVolPct: s.TargetVol.InexactFloat64(),
		MinFactor: s.MinFactor, MaxFactor: s.MaxFactor}, true
}

// BlackoutWindows converts risk.blackouts; each is named by its name key or its position (blackouts[0]).
func (c *Config) BlackoutWindows() []strategy.Blackout {
	var out []strategy.Blackout
	for i, w := range c.Risk.Blackouts {
		b := strategy.Blackout{Name: w.Name, Action: strategy.BlackoutAction(w.Action), Factor: w.Factor.Decimal}
		if b.Name == "" {
			b.Name = fmt.Sprintf("blackouts[%d]", i)
		}
		if w.Daily != "" {
			b.Daily = true
			b.DailyStart, b.DailyEnd, _ = strategy.ParseDailyWindow(w.Daily)
		} else {
			b.Start, _ = parseWindowTime(w.Start)
			b.End, _ = parseWindowTime(w.End)
		}
		out = append(out, b)
	}
	return out
}

// ImpliedVol reads strategy.sizing.iv_source's file (nil when there is none), once: CheckFiles validates it at
// start-up and the runner then takes the same points. An unreadable or malformed file is a config error naming
// the iv_source.path key and its line, with the file's row, line and column.
func (c *Config) ImpliedVol() ([]interchange.IVPoint, error) {
	if c.ivRead {
		return c.iv, nil
	}
	s := c.Strategy.Sizing
	if s == nil || s.IVSource == nil {
		return nil, nil
	}
	const key = "strategy.sizing.iv_source.path"
	fail := func(msg string) error {
		return &Error{Kind: ErrInvalid, File: c.file, Line: c.lines[key], Key: key, Msg: key + " " + msg}
	}
	f, err := os.Open(c.ResolvePath(s.IVSource.Path))
	if err != nil {
		return nil, fail(s.IVSource.Path + ": " + unwrapPathError(err))
	}
	defer f.Close()
	points, err := interchange.ReadIV(s.IVSource.Path, f)
	if err != nil {
		return nil, fail(err.Error())
	}
	c.iv, c.ivRead = points, true
	return points, nil
}
