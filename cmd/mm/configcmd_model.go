package main

import (
	"fmt"
	"slices"

	"github.com/mmtoolkit/mm/internal/config"
)

// modelSummary replaces pure market making's rows of the config summary by the model's for strategy.kind
// avellaneda and glft: the model, its parameters and the estimators' windows.
func modelSummary(cfg *config.Config, rows [][]string) [][]string {
	if !cfg.IsModel() {
		return rows
	}
	s, m := cfg.Strategy, cfg.Strategy.ModelKeys
	pmmOnly := []string{"spreads", "reference price", "inventory skew", "hanging orders", "ping pong", "order optimization"}
	rows = slices.DeleteFunc(rows, func(row []string) bool { return slices.Contains(pmmOnly, row[0]) })
	at := slices.IndexFunc(rows, func(row []string) bool { return row[0] == "orders" })
	if at < 0 {
		at = len(rows)
	} else {
		rows[at] = []string{"orders", fmt.Sprintf("%d per side, %s each, levels %s %% of the half-spread apart",
			s.OrderLevels, s.OrderAmount, m.LevelDistances)}
	}
	model := s.Kind
	if s.Kind == "avellaneda" {
		model += " " + m.Variant
	}
	params := fmt.Sprintf("γ %s, η %s, min spread %s %%", m.RiskFactor, m.OrderAmountShapeFactor, m.MinSpread)
	if m.Delta.Valid {
		params += ", Δ " + m.Delta.Decimal.String()
	}
	if m.MaxInventory.Valid {
		params += ", Q " + m.MaxInventory.Decimal.String()
	} else if m.MaxInventoryOrders > 0 {
		params += fmt.Sprintf(", Q %d orders", m.MaxInventoryOrders)
	}
	window := m.ExecutionTimeframeMode
	switch window {
	case "from_date_to_date":
		window += " " + m.StartDatetime + " to " + m.EndDatetime + " UTC"
	case "daily_between_times":
		window += " " + m.StartTime + " to " + m.EndTime + " UTC"
	}
	if m.Horizon.Valid {
		window += ", rolling horizon " + m.Horizon.Decimal.String() + " s"
	}
	calibration := fmt.Sprintf("σ over %d ticks, A and k over %d ticks", m.VolatilityBufferSize, m.TradingIntensityBufferSize)
	model = model + " (" + params + ")"
	return slices.Insert(rows, at, []string{"model", model}, []string{"timeframe", window},
		[]string{"calibration", calibration})
}
