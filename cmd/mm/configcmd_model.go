package main

import (
	"fmt"

	"github.com/mmtoolkit/mm/internal/config"
)

// modelSummaryRows are the config summary's rows for strategy.kind avellaneda and glft, in place of pure market
// making's spreads, reference price, skew, hanging orders, ping pong and order optimization: the model, its
// parameters, the estimators' windows and the orders.
func modelSummaryRows(cfg *config.Config) [][]string {
	s, m := cfg.Strategy, cfg.Strategy.ModelKeys
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
	return [][]string{
		{"model", model + " (" + params + ")"},
		{"timeframe", window},
		{"calibration", fmt.Sprintf("σ over %d ticks, A and k over %d ticks", m.VolatilityBufferSize, m.TradingIntensityBufferSize)},
		{"orders", fmt.Sprintf("%d per side, %s each, levels %s %% of the half-spread apart", s.OrderLevels, s.OrderAmount,
			m.LevelDistances)},
	}
}
