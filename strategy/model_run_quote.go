package strategy

import (
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// ModelQuote is what the model computed at one tick, in float64 before any quantization (STYLE.md rule 1):
// the numbers --explain prints.
type ModelQuote struct {
	Sigma, A, K float64
	// Q is the inventory the model sees: q = base − target in base units (textbook, glft), or Hummingbot's
	// normalised (base − target)/total inventory (hummingbot).
	Q           float64
	Tau         float64 // τ: seconds left (textbook finite), the time-left fraction (hummingbot), 0 otherwise
	Reservation float64 // the quote centre r
	// HalfSpread is (ask − bid)/2 of the level-0 quotes below, before the guards: min_spread, transaction costs
	// and the fee floor included; NaN when one side is not quoted by the model.
	HalfSpread float64
	// Skew is the shift of the quote centre per base unit of inventory (γσ²τ, σc2; Hummingbot: γστ per unit
	// of its normalised q); NaN where the model has none (textbook infinite horizon).
	Skew     float64
	Bid, Ask float64 // level 0 from the model, with min_spread, transaction costs and the fee floor applied
	// NoBid and NoAsk: the inventory bound allows no order on that side (quant.md §2.1).
	NoBid, NoAsk bool
	// BuySizeFactor, SellSizeFactor are Hummingbot's η transform (§5.3): e^{−ηq} on buys when q > 0, e^{ηq}
	// on sells when q < 0, with q the normalised inventory.
	BuySizeFactor, SellSizeFactor float64

	qExact decimal.Decimal // q in base, exact: the inventory bound compares it
	// hbHalfSpread is Hummingbot's δ/2, the optimal spread before its min_spread clamp: its levels are spaced by
	// level_distances percent of it (hummingbot.md §5.3), not of the clamped quotes.
	hbHalfSpread float64
	// levelHalf is the model's half-spread after min_spread, before the fee terms (which modelProposal applies
	// to each level's price): the other models' level spacing.
	levelHalf float64
}

// levelHalfSpread is the half-spread the levels are spaced by.
func (q ModelQuote) levelHalfSpread() float64 {
	if q.hbHalfSpread > 0 {
		return q.hbHalfSpread
	}
	return q.levelHalf
}

// modelInventory are the inventory numbers every model starts from.
type modelInventory struct {
	mid, base, quote     float64
	total, target, qBase float64 // total in base (B + Q/s), target base, q = base − target
	qNormalised          float64 // q/total
	qExact               decimal.Decimal
}

// inventoryFor is Hummingbot's inventory normalisation (hummingbot.md §5.3): I = B + Q/s, target =
// quantize(I·pct), q = (B − target)/I. The target is a model number (float64), floored to the amount step in
// decimal as Hummingbot's quantize_amount does; q in decimal is what the inventory bound compares.
func inventoryFor(p ModelParams, m *MarketSnapshot) modelInventory {
	inv := modelInventory{mid: toFloat(m.Mid), base: toFloat(m.Balances.BaseTotal), quote: toFloat(m.Balances.QuoteTotal)}
	inv.total = inv.base + inv.quote/inv.mid
	target := newQuantizer(m).amount(decimal.NewFromFloat(inv.total * toFloat(p.PMM.InventoryTargetBasePct)))
	inv.qExact = m.Balances.BaseTotal.Sub(target)
	inv.target, inv.qBase = toFloat(target), toFloat(inv.qExact)
	if inv.total > 0 {
		inv.qNormalised = inv.qBase / inv.total
	}
	return inv
}

// toFloat is decimal.Decimal.InexactFloat64 without its allocations for the usual prices and amounts.
func toFloat(d decimal.Decimal) float64 {
	if f, ok := market.FixedFromDecimalExact(d); ok {
		return f.Float64()
	}
	return d.InexactFloat64()
}

// computeModelQuote runs the configured model on the calibration and the inventory. Errors are parameters out
// of range (re-validated every tick) or an inventory the model does not admit.
func computeModelQuote(p ModelParams, m *MarketSnapshot, cal Calibration, tau float64) (ModelQuote, error) {
	inv := inventoryFor(p, m)
	out := ModelQuote{Sigma: cal.Sigma, A: cal.A, K: cal.K, Q: inv.qBase, Tau: tau, BuySizeFactor: 1,
		SellSizeFactor: 1, qExact: inv.qExact}
	delta, qMax := toFloat(p.Delta), toFloat(p.MaxInventory)
	oneSidedHalf := 0.0
	switch {
	case p.hummingbot():
		hb, err := HummingbotAvellaneda(HummingbotASInput{Mid: inv.mid, BaseBalance: inv.base, QuoteBalance: inv.quote,
			TargetBasePct: toFloat(p.PMM.InventoryTargetBasePct) * 100, Gamma: p.Gamma, Vol: cal.Sigma,
			Kappa: cal.K, Eta: p.Eta, MinSpreadPct: p.MinSpreadPct, TauFrac: tau, TargetBase: inv.target})
		if err != nil {
			return out, err
		}
		out.Q, out.Reservation, out.Skew = hb.QNormalised, hb.ReservationPrice, p.Gamma*cal.Sigma*tau
		out.Bid, out.Ask = hb.Bid, hb.Ask
		out.hbHalfSpread = hb.OptimalSpread / 2
		if !(hb.Bid > 0 && hb.Ask > 0) {
			// Hummingbot builds a proposal only when both optimal prices are positive (hummingbot.md §5.2 step 4.2).
			return out, &modelWaitError{reason: fmt.Sprintf("optimal bid %g and ask %g must both be > 0 (Hummingbot quotes only then)", hb.Bid, hb.Ask)}
		}
		out.BuySizeFactor, out.SellSizeFactor = hb.BuySizeMultiplier, hb.SellSizeMultiplier
	case p.Kind == ModelGLFT:
		g, err := GLFT(inv.qBase, GLFTParams{A: cal.A, K: cal.K, Gamma: p.Gamma, Sigma: cal.Sigma, Delta: delta,
			Xi: p.Xi, QMax: qMax})
		if err != nil {
			return out, err
		}
		out.Reservation, out.Skew = inv.mid+g.QuoteCentreOffset, g.Skew
		out.Bid, out.Ask = inv.mid-(g.HalfSpread+g.Skew*inv.qBase), inv.mid+(g.HalfSpread-g.Skew*inv.qBase)
	case !p.textbookInfinite():
		// The paper counts inventory in units traded one per fill: in lots of Δ the price of one lot is Δ·s, its
		// volatility Δ·σ and its depth decay k/Δ; the lot prices are divided by Δ again (quant.md §0 unit rules).
		as, err := AvellanedaStoikov(inv.mid*delta, inv.qBase/delta,
			ASParams{Gamma: p.Gamma, Sigma: cal.Sigma * delta, K: cal.K / delta, Tau: tau})
		if err != nil {
			return out, err
		}
		out.Reservation, out.Skew = as.ReservationPrice/delta, p.Gamma*cal.Sigma*cal.Sigma*tau
		out.Bid, out.Ask = as.Bid/delta, as.Ask/delta
	default:
		// The paper's stationary indifference prices r̄^b, r̄^a (quant.md §1.4) with each side's depth term of
		// §1.3, δ^b = (s − r^b) + (1/γ)ln(1 + γ/k) [derived: the finite-horizon quotes have exactly this form
		// with the frozen-inventory r^b, r^a].
		if p.Omega == 0 && cal.Sigma == 0 {
			// ω = ½γ²σ²(Q + 1)² is 0: the discounted objective diverges and no price is defined. A flat mid is
			// a lack of data, not a bad parameter: wait for a non-zero σ (or a configured omega).
			return out, &modelWaitError{reason: "sigma = 0 gives omega = ½γ²σ²(Q + 1)² = 0: waiting for a non-zero volatility (or set omega)"}
		}
		inf, err := AvellanedaStoikovInfiniteSides(inv.mid*delta, inv.qBase/delta, ASInfiniteParams{Gamma: p.Gamma,
			Sigma: cal.Sigma * delta, QMax: qMax / delta, Omega: p.Omega})
		if err != nil {
			return out, err
		}
		if err := positiveParam("k", cal.K); err != nil {
			return out, err
		}
		// Each side stands alone: at q = Q the bid's argument is 0 (no bid) while the ask that reduces q is
		// quoted, and the printed ask form, which the live path does not use, gates nothing.
		depthTerm := math.Log1p(p.Gamma*delta/cal.K) / p.Gamma
		out.Bid, out.Ask = math.Inf(-1), math.Inf(1)
		if inf.BidAdmissible {
			out.Bid = (inf.ReservationBid - depthTerm) / delta
		}
		if inf.AskAdmissible {
			out.Ask = (inf.ReservationAskExact + depthTerm) / delta
		}
		if !inf.BidAdmissible && !inf.AskAdmissible {
			return out, fmt.Errorf("q = %g is outside the admissible inventory of omega %g on both sides", inv.qBase, inf.Omega/(delta*delta))
		}
		out.NoBid, out.NoAsk = !inf.BidAdmissible, !inf.AskAdmissible
		out.Reservation, out.Skew = inf.MidOfReservations/delta, math.NaN()
		oneSidedHalf = depthTerm / delta
	}
	if !p.hummingbot() && p.MinSpreadPct > 0 { // Hummingbot's variant applies it inside its formula
		minHalf := inv.mid * p.MinSpreadPct / 200
		out.Bid, out.Ask = math.Min(out.Bid, inv.mid-minHalf), math.Max(out.Ask, inv.mid+minHalf)
	}
	out.levelHalf = (out.Ask - out.Bid) / 2
	if math.IsInf(out.levelHalf, 0) {
		// One side only (textbook infinite horizon at the edge of the admissible inventory): the level spacing
		// uses the depth term of the model's quotes, the part of the half-spread that does not depend on q.
		out.levelHalf = oneSidedHalf
	}
	fee := p.PMM.fee(m.Rules)
	if p.PMM.AddTransactionCosts {
		out.Bid, out.Ask = out.Bid*(1-fee), out.Ask*(1+fee)
	}
	if p.MinProfitableSpread && fee > 0 && out.Ask-out.Bid < 2*fee*inv.mid {
		centre := (out.Bid + out.Ask) / 2
		out.Bid, out.Ask = centre-fee*inv.mid, centre+fee*inv.mid
	}
	// What --explain prints is the half-spread of the level-0 quotes placed, widening included (review L4).
	if out.HalfSpread = (out.Ask - out.Bid) / 2; math.IsInf(out.HalfSpread, 0) {
		out.HalfSpread = math.NaN() // one side only: no spread
	}
	if qMax > 0 {
		out.NoBid = out.NoBid || inv.qExact.GreaterThanOrEqual(p.MaxInventory)
		out.NoAsk = out.NoAsk || inv.qExact.LessThanOrEqual(p.MaxInventory.Neg())
	}
	if !(out.NoBid || finite(out.Bid)) || !(out.NoAsk || finite(out.Ask)) {
		return out, fmt.Errorf("the model gave no finite quotes (bid %g, ask %g)", out.Bid, out.Ask)
	}
	return out, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// modelWaitError is a quote the model cannot give for want of data (a flat mid), not a parameter out of range:
// ModelTick reports it as not ready.
type modelWaitError struct{ reason string }

func (e *modelWaitError) Error() string { return e.reason }

// fee is the maker fee as a float, for the model's fee terms (orders are post-only).
func (p PMMParams) fee(rules MarketRules) float64 {
	return toFloat(orderFee(p, rules))
}

// ceilToQuantum rounds a non-negative x up to a multiple of quantum.
func ceilToQuantum(x, quantum decimal.Decimal) decimal.Decimal {
	if quantum.Sign() <= 0 {
		return x
	}
	floored := floorToQuantum(x, quantum)
	if floored.Equal(x) {
		return x
	}
	return floored.Add(quantum)
}
