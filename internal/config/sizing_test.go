package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/strategy"
)

const sizingBase = `strategy:
  bid_spread: 1
  ask_spread: 1
  order_amount: 0.01
  order_refresh_time: 30
`

func TestSizingDefaultsAndConversion(t *testing.T) {
	cfg := mustParse(t, sizingBase+"  sizing:\n    target_vol: 60\n")
	p, ok := cfg.SizingParams()
	want := strategy.SizingParams{Estimator: strategy.EstimatorCloseToClose, Window: 30, Bar: time.Minute,
		TargetVolPct: 60, MinFactor: dec("0.1"), MaxFactor: dec("1")}
	if !ok || p.Estimator != want.Estimator || p.Window != want.Window || p.Bar != want.Bar || p.TargetVolPct != 60 ||
		!p.MinFactor.Equal(want.MinFactor) || !p.MaxFactor.Equal(want.MaxFactor) || p.EWMALambda != 0 {
		t.Errorf("SizingParams = %+v, %v; want %+v", p, ok, want)
	}
	cfg = mustParse(t, sizingBase+"  sizing: {target_vol: 80, estimator: ewma}\n")
	if p, _ := cfg.SizingParams(); p.EWMALambda != 0.94 {
		t.Errorf("ewma without ewma_lambda: λ = %v, want RiskMetrics' 0.94", p.EWMALambda)
	}
	if _, ok := mustParse(t, sizingBase).SizingParams(); ok {
		t.Error("sizing is on without a sizing section")
	}
}

// Bad sizing and blackout values: the key, its line and the accepted range, one line.
func TestSizingAndBlackoutErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"target_vol missing", "  sizing: {window: 10}\n", "bot.yaml:6: strategy.sizing.target_vol is required"},
		{"target_vol zero", "  sizing:\n    target_vol: 0\n", "bot.yaml:7: strategy.sizing.target_vol must be > 0 and ≤ 1000 (annualised percent) (got 0)"},
		{"target_vol negative", "  sizing:\n    target_vol: -20\n", "strategy.sizing.target_vol must be > 0 and ≤ 1000 (annualised percent) (got -20)"},
		{"window 1", "  sizing:\n    target_vol: 60\n    window: 1\n", "bot.yaml:8: strategy.sizing.window must be between 2 and 10000 bars (got 1)"},
		{"min > max", "  sizing:\n    target_vol: 60\n    min_factor: 2\n    max_factor: 1.5\n",
			"bot.yaml:8: strategy.sizing.min_factor must be ≤ strategy.sizing.max_factor (got 2 > 1.5)"},
		{"min zero", "  sizing:\n    target_vol: 60\n    min_factor: 0\n", "strategy.sizing.min_factor must be > 0 and ≤ 100 (got 0)"},
		{"estimator", "  sizing:\n    target_vol: 60\n    estimator: garch\n",
			`bot.yaml:8: strategy.sizing.estimator must be close_to_close, parkinson or ewma (got "garch")`},
		{"lambda 1", "  sizing:\n    target_vol: 60\n    estimator: ewma\n    ewma_lambda: 1\n",
			"bot.yaml:9: strategy.sizing.ewma_lambda must be > 0 and < 1 (got 1)"},
		{"lambda without ewma", "  sizing:\n    target_vol: 60\n    ewma_lambda: 0.9\n",
			"strategy.sizing.ewma_lambda is for estimator ewma only (estimator is close_to_close)"},
		{"bar below tick", "  sizing:\n    target_vol: 60\n    bar: 1s\nrun:\n  tick_interval: 2s\n",
			"strategy.sizing.bar must be ≥ run.tick_interval 2s"},
		// review M2: one mid per bar gives Parkinson high = low, σ̂ = 0, factor = max_factor for ever
		{"parkinson bar = tick", "  sizing:\n    target_vol: 60\n    estimator: parkinson\n    bar: 2s\nrun:\n  tick_interval: 2s\n",
			"strategy.sizing.bar must be ≥ 2 × run.tick_interval (4s) for estimator parkinson: a bar needs several mids to have a high and a low (got 2s)"},
		{"unknown key", "  sizing:\n    target_vol: 60\n    windw: 3\n", `bot.yaml:8: unknown key "windw" in strategy.sizing (did you mean window?)`},
		{"iv use", "  sizing:\n    target_vol: 60\n    iv_source: {path: iv.csv, use: min}\n",
			`strategy.sizing.iv_source.use must be max or implied (got "min")`},
		{"blackout end before start", "risk:\n  blackouts:\n    - start: 2024-01-01T10:00:00Z\n      end: 2024-01-01T09:00:00Z\n      action: pause\n",
			"bot.yaml:9: risk.blackouts[0].end must be after start 2024-01-01T10:00:00Z (got 2024-01-01T09:00:00Z)"},
		{"blackout end equal start", "risk:\n  blackouts:\n    - {start: 2024-01-01T10:00:00Z, end: 2024-01-01T10:00:00Z, action: pause}\n",
			"risk.blackouts[0].end must be after start"},
		{"blackout bad HH:MM", "risk:\n  blackouts:\n    - daily: \"25:00-01:00\"\n      action: pause\n",
			`bot.yaml:8: risk.blackouts[0].daily must be HH:MM-HH:MM in UTC with HH 00 to 23 and MM 00 to 59, for example 13:25-13:40 (got "25:00-01:00")`},
		{"blackout shrink factor 1", "risk:\n  blackouts:\n    - daily: \"13:00-14:00\"\n      action: shrink\n      factor: 1\n",
			"bot.yaml:10: risk.blackouts[0].factor must be > 0 and < 1 for action shrink (got 1)"},
		{"blackout shrink without factor", "risk:\n  blackouts:\n    - {daily: \"13:00-14:00\", action: shrink}\n",
			"bot.yaml:8: risk.blackouts[0].factor is required for action shrink"},
		{"blackout pause with factor", "risk:\n  blackouts:\n    - {daily: \"13:00-14:00\", action: pause, factor: 0.5}\n",
			"risk.blackouts[0].factor is for action shrink only (action is pause)"},
		{"blackout unknown action", "risk:\n  blackouts:\n    - {daily: \"13:00-14:00\", action: stop}\n",
			`risk.blackouts[0].action must be pause or shrink (got "stop")`},
		{"blackout both forms", "risk:\n  blackouts:\n    - {daily: \"13:00-14:00\", start: 2024-01-01T10:00:00Z, action: pause}\n",
			"risk.blackouts[0] gives daily and start/end"},
		{"blackout neither", "risk:\n  blackouts:\n    - {action: pause}\n", "bot.yaml:8: risk.blackouts[0] needs daily"},
		{"blackout start without zone", "risk:\n  blackouts:\n    - {start: \"2024-01-01 10:00\", end: 2024-01-01T11:00:00Z, action: pause}\n",
			`risk.blackouts[0].start must be an RFC 3339 time with a zone`},
		{"blackout second entry", "risk:\n  blackouts:\n    - {daily: \"13:00-14:00\", action: pause}\n    - {daily: \"13:00-13:00\", action: pause}\n",
			"bot.yaml:9: risk.blackouts[1].daily must have an end different from its start"},
		{"blackout unknown key", "risk:\n  blackouts:\n    - {daily: \"13:00-14:00\", acton: pause}\n",
			`unknown key "acton" in risk.blackouts[0] (did you mean action?)`},
		{"blackouts not a list", "risk:\n  blackouts: {daily: \"13:00-14:00\"}\n", "risk.blackouts must be a list of windows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := parseErr(t, sizingBase+tc.yaml)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant %q", err.Error(), tc.want)
			}
		})
	}
}

func TestBlackoutWindowsConversion(t *testing.T) {
	cfg := mustParse(t, sizingBase+`risk:
  blackouts:
    - name: fomc
      start: 2024-01-31T18:55:00Z
      end: 2024-01-31T19:30:00+00:00
      action: pause
    - daily: "23:30-00:30"
      action: shrink
      factor: 0.25
`)
	got := cfg.BlackoutWindows()
	if len(got) != 2 {
		t.Fatalf("%d windows, want 2", len(got))
	}
	fomc, night := got[0], got[1]
	if fomc.Name != "fomc" || fomc.Daily || fomc.Action != strategy.BlackoutPause ||
		!fomc.Start.Equal(time.Date(2024, 1, 31, 18, 55, 0, 0, time.UTC)) || !fomc.End.Equal(time.Date(2024, 1, 31, 19, 30, 0, 0, time.UTC)) {
		t.Errorf("fomc = %+v", fomc)
	}
	if night.Name != "blackouts[1]" || !night.Daily || night.DailyStart != 23*time.Hour+30*time.Minute ||
		night.DailyEnd != 30*time.Minute || night.Action != strategy.BlackoutShrink || !night.Factor.Equal(dec("0.25")) {
		t.Errorf("night = %+v", night)
	}
}

func TestImpliedVolFileIsCheckedWithTheKeyLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bot.yaml")
	text := sizingBase + "  sizing:\n    target_vol: 60\n    iv_source:\n      path: iv.csv\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckFiles(); err == nil || !strings.Contains(err.Error(), ":9: strategy.sizing.iv_source.path iv.csv: no such file") {
		t.Errorf("missing file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "iv.csv"), []byte("timestamp,iv\n2024-01-01T00:00:00Z,55.5\n2024-01-01T00:00:00Z,60\n"), 0o600)
	if err := cfg.CheckFiles(); err == nil || !strings.Contains(err.Error(),
		"strategy.sizing.iv_source.path iv.csv: row 2 (line 3), column timestamp: 2024-01-01T00:00:00.000Z is not after the previous row's") {
		t.Errorf("unordered file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "iv.csv"), []byte("timestamp,iv\n2024-01-01T00:00:00Z,55.5\n1704070800000,60\n"), 0o600)
	points, err := cfg.ImpliedVol()
	if err != nil || len(points) != 2 || !points[1].IVPct.Equal(dec("60")) ||
		!points[1].Time.Equal(time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("ImpliedVol = %+v, %v", points, err)
	}
}
