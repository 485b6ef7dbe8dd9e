package main

import (
	"fmt"
	"strings"

	"github.com/mmtoolkit/mm/internal/config"
)

// sizingSummaryRows are mm config validate's rows for strategy.sizing and risk.blackouts, none when both are off.
func sizingSummaryRows(cfg *config.Config) [][]string {
	var rows [][]string
	if s := cfg.Strategy.Sizing; s != nil {
		estimator := s.Estimator
		if s.Estimator == "ewma" {
			estimator = fmt.Sprintf("ewma λ %s", s.EWMALambda)
		}
		text := fmt.Sprintf("target %s %%/year, %s over %d bars of %s, factor %s to %s", s.TargetVol, estimator,
			s.Window, s.Bar, s.MinFactor, s.MaxFactor)
		if iv := s.IVSource; iv != nil {
			text += fmt.Sprintf(", implied vol from %s (%s)", iv.Path, iv.Use)
		}
		rows = append(rows, []string{"sizing", text})
	}
	if len(cfg.Risk.Blackouts) > 0 {
		var windows []string
		for _, b := range cfg.BlackoutWindows() {
			windows = append(windows, b.Describe())
		}
		rows = append(rows, []string{"blackouts", strings.Join(windows, "; ")})
	}
	return rows
}
