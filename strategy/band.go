package strategy

import (
	"time"

	"github.com/shopspring/decimal"
)

// StaticPriceBand is c_apply_price_band (§1.4): with a positive price_ceiling all buys are dropped when the
// reference price is at or above it, with a positive price_floor all sells when it is at or below it. −1 (or any
// value ≤ 0) is off.
func StaticPriceBand(p PMMParams, price decimal.Decimal, in Proposal) Proposal {
	out := in
	if p.PriceCeiling.Sign() > 0 && price.GreaterThanOrEqual(p.PriceCeiling) {
		out.Buys = nil
	}
	if p.PriceFloor.Sign() > 0 && price.LessThanOrEqual(p.PriceFloor) {
		out.Sells = nil
	}
	return out
}

// CheckAndUpdate is MovingPriceBand.check_and_update_price_band: re-anchor when now ≥ set_time +
// price_band_refresh_time, with floor = (100 + price_floor_pct)/100·price and ceiling = (100 +
// price_ceiling_pct)/100·price; the percentages are not divided by 100 in start.py (§1.1, §1.4). The zero band
// anchors at its first check.
func (b MovingBand) CheckAndUpdate(p PMMParams, now time.Time, price decimal.Decimal) MovingBand {
	if now.Before(b.SetAt.Add(p.PriceBandRefreshTime)) {
		return b
	}
	return MovingBand{
		Floor:   hundred.Add(p.PriceFloorPct).Div(hundred).Mul(price),
		Ceiling: hundred.Add(p.PriceCeilingPct).Div(hundred).Mul(price),
		SetAt:   now,
	}
}

// MovingPriceBand is c_apply_moving_price_band (§1.4): it anchors or re-anchors the band, then clears the buys
// when the reference price is at or above the ceiling and the sells when it is at or below the floor.
func MovingPriceBand(p PMMParams, band MovingBand, now time.Time, price decimal.Decimal, in Proposal) (Proposal, MovingBand) {
	band = band.CheckAndUpdate(p, now, price)
	out := in
	if price.GreaterThanOrEqual(band.Ceiling) {
		out.Buys = nil
	}
	if price.LessThanOrEqual(band.Floor) {
		out.Sells = nil
	}
	return out, band
}
