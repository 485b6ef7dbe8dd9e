package strategy

import (
	"fmt"
	"math"
)

// Avellaneda–Stoikov quoting models, pure float64 (reference/quant.md §1, §3.3; reference/hummingbot.md §5.3).
// Prices come out unquantized: callers floor bids and ceil asks to the tick at the boundary (STYLE.md rule 1).

// ASParams are the parameters of the finite-horizon Avellaneda–Stoikov model (quant.md §1.3). All of them must
// use one price unit and one time unit: σ is absolute (price/√time), k is per price unit, τ is the time left.
type ASParams struct {
	Gamma float64 // γ, CARA risk aversion, 1/price; > 0
	Sigma float64 // σ, absolute volatility of the mid, price/√time; ≥ 0
	K     float64 // k, decay of the fill intensity with depth, 1/price; > 0
	Tau   float64 // τ = T − t, time left to the horizon; ≥ 0
}

// Validate names the parameter and its accepted range.
func (p ASParams) Validate() error {
	return firstError(
		positiveParam("gamma", p.Gamma),
		nonNegativeParam("sigma", p.Sigma),
		positiveParam("k", p.K),
		nonNegativeParam("tau", p.Tau),
	)
}

// ASQuote is the model's answer for one (mid, inventory): the reservation price, the optimal total spread and
// the quotes around the reservation price.
type ASQuote struct {
	ReservationPrice float64 // r = s − qγσ²τ
	OptimalSpread    float64 // ψ = γσ²τ + (2/γ)ln(1 + γ/k)
	Bid, Ask         float64 // r ∓ ψ/2
	DeltaBid         float64 // s − bid
	DeltaAsk         float64 // ask − s
	ReservationBid   float64 // r^b = s − (1 + 2q)γσ²τ/2, the frozen-inventory indifference bid (§1.2)
	ReservationAsk   float64 // r^a = s + (1 − 2q)γσ²τ/2
}

// AvellanedaStoikov computes the finite-horizon approximate optimal quotes of Avellaneda & Stoikov (2008),
// quant.md §1.2–1.3: r = s − qγσ²τ, ψ = γσ²τ + (2/γ)ln(1+γ/k), bid = r − ψ/2, ask = r + ψ/2. The spread does
// not depend on q; only the centre moves. With a large |q| the raw ask may fall below the mid (vector AS-04):
// the live quoter clamps to the touch, the model does not.
func AvellanedaStoikov(mid, q float64, p ASParams) (ASQuote, error) {
	if err := p.Validate(); err != nil {
		return ASQuote{}, err
	}
	if err := finiteParam("s", mid); err != nil {
		return ASQuote{}, err
	}
	if err := finiteParam("q", q); err != nil {
		return ASQuote{}, err
	}
	riskTerm := p.Gamma * p.Sigma * p.Sigma * p.Tau // γσ²τ
	r := mid - q*riskTerm
	spread := riskTerm + 2/p.Gamma*math.Log1p(p.Gamma/p.K)
	bid, ask := r-spread/2, r+spread/2
	return ASQuote{
		ReservationPrice: r,
		OptimalSpread:    spread,
		Bid:              bid,
		Ask:              ask,
		DeltaBid:         mid - bid,
		DeltaAsk:         ask - mid,
		ReservationBid:   mid - (1+2*q)*riskTerm/2,
		ReservationAsk:   mid + (1-2*q)*riskTerm/2,
	}, nil
}

// ASInfiniteParams are the parameters of the discounted infinite-horizon variant (quant.md §1.4).
type ASInfiniteParams struct {
	Gamma float64 // γ > 0
	Sigma float64 // σ ≥ 0, absolute
	// QMax is the largest |q| that must stay admissible; used for ω when Omega is 0.
	QMax float64
	// Omega is the discount ω; 0 selects the paper's ω = ½γ²σ²(q_max + 1)².
	Omega float64
}

// ASInfiniteReservation holds the stationary indifference prices of quant.md §1.4. The paper gives no
// closed-form stationary quotes; the principled infinite-horizon quotes are GLFT's (§2.3).
type ASInfiniteReservation struct {
	Omega                 float64 // the discount used
	ReservationBid        float64 // r̄^b = s + (1/γ)ln(1 + (−1 − 2q)γ²σ²/(2ω − γ²q²σ²))
	ReservationAskExact   float64 // r̄^a = s − (1/γ)ln(1 + (2q − 1)γ²σ²/(2ω − γ²q²σ²)), derived from v̄
	ReservationAskPrinted float64 // s + (1/γ)ln(1 + (1 − 2q)γ²σ²/(2ω − γ²q²σ²)), agrees to first order
	MidOfReservations     float64 // (r̄^b + r̄^a exact)/2
}

// AvellanedaStoikovInfinite computes the infinite-horizon indifference prices (quant.md §1.4). It needs
// ω > γ²q²σ²/2 and all three logarithm arguments positive; otherwise q is outside the admissible inventory. It is
// the strict form mm skew-calc prints; the live quoter uses AvellanedaStoikovInfiniteSides, which keeps the side
// that is still admissible.
func AvellanedaStoikovInfinite(mid, q float64, p ASInfiniteParams) (ASInfiniteReservation, error) {
	sides, err := AvellanedaStoikovInfiniteSides(mid, q, p)
	if err != nil {
		return ASInfiniteReservation{}, err
	}
	if !(sides.BidAdmissible && sides.AskAdmissible && sides.AskPrintedAdmissible) {
		return ASInfiniteReservation{}, fmt.Errorf("q = %g is outside the admissible inventory for omega %g: raise omega or q-max", q, sides.Omega)
	}
	return sides.ASInfiniteReservation, nil
}

// ASInfiniteSides are the infinite-horizon indifference prices side by side: a side whose logarithm argument is
// ≤ 0 has no indifference price (the value function gives the agent no price at which one more unit on that
// side is worth it) and is not admissible; its price is −Inf (bid) or +Inf (ask), never a number to quote.
type ASInfiniteSides struct {
	ASInfiniteReservation
	BidAdmissible        bool // 1 + (−1 − 2q)γ²σ²/(2ω − γ²q²σ²) > 0
	AskAdmissible        bool // 1 + (2q − 1)γ²σ²/(2ω − γ²q²σ²) > 0, the exact ask
	AskPrintedAdmissible bool // the printed form's argument > 0; informative only
}

// AvellanedaStoikovInfiniteSides is AvellanedaStoikovInfinite per side (quant.md §1.4). With the paper's
// ω = ½γ²σ²(q_max + 1)² the bid's argument is exactly 0 at q = q_max and the exact ask's at q = −q_max: there
// the model buys no more (or sells no more) but still quotes the side that brings q back, which is the side the
// inventory bound needs most. It fails only when ω ≤ γ²q²σ²/2 (no side is defined) or a parameter is out of
// range; ω = 0 (σ = 0 with the default ω) is such a failure.
func AvellanedaStoikovInfiniteSides(mid, q float64, p ASInfiniteParams) (ASInfiniteSides, error) {
	err := firstError(positiveParam("gamma", p.Gamma), nonNegativeParam("sigma", p.Sigma),
		nonNegativeParam("q-max", p.QMax), nonNegativeParam("omega", p.Omega), finiteParam("s", mid),
		finiteParam("q", q))
	if err != nil {
		return ASInfiniteSides{}, err
	}
	g2s2 := p.Gamma * p.Gamma * p.Sigma * p.Sigma
	omega := p.Omega
	if omega == 0 {
		omega = g2s2 * (p.QMax + 1) * (p.QMax + 1) / 2
	}
	denominator := 2*omega - g2s2*q*q
	if !(denominator > 0) {
		return ASInfiniteSides{}, fmt.Errorf("omega must be > γ²q²σ²/2 = %g (got %g): q is not admissible", g2s2*q*q/2, omega)
	}
	bidArg := 1 + (-1-2*q)*g2s2/denominator
	askExactArg := 1 + (2*q-1)*g2s2/denominator
	askPrintedArg := 1 + (1-2*q)*g2s2/denominator
	res := ASInfiniteSides{BidAdmissible: bidArg > 0, AskAdmissible: askExactArg > 0, AskPrintedAdmissible: askPrintedArg > 0}
	res.Omega = omega
	res.ReservationBid, res.ReservationAskExact, res.ReservationAskPrinted = math.Inf(-1), math.Inf(1), math.NaN()
	if res.BidAdmissible {
		res.ReservationBid = mid + math.Log(bidArg)/p.Gamma
	}
	if res.AskAdmissible {
		res.ReservationAskExact = mid - math.Log(askExactArg)/p.Gamma
	}
	if res.AskPrintedAdmissible {
		res.ReservationAskPrinted = mid + math.Log(askPrintedArg)/p.Gamma
	}
	res.MidOfReservations = math.NaN()
	if res.BidAdmissible && res.AskAdmissible {
		res.MidOfReservations = (res.ReservationBid + res.ReservationAskExact) / 2
	}
	return res, nil
}

// HummingbotASInput is the input of Hummingbot's avellaneda_market_making quote formula (hummingbot.md §5.3).
// It is not dimensionally the AS model: γ is dimensionless, σ is not squared and κ comes from a volume-density
// fit (quant.md §3.3), so its numbers are not comparable with ASParams.
type HummingbotASInput struct {
	Mid           float64 // s, mid price; > 0
	BaseBalance   float64 // B, total base balance; ≥ 0
	QuoteBalance  float64 // total quote balance; ≥ 0
	TargetBasePct float64 // inventory_target_base_pct, percent in [0, 100]
	Gamma         float64 // risk_factor γ; > 0
	Vol           float64 // σ, InstantVolatilityIndicator value, absolute price per tick; ≥ 0
	Kappa         float64 // κ from TradingIntensityIndicator; > 0
	Eta           float64 // order_amount_shape_factor η ∈ [0, 1]; 0 leaves sizes unchanged
	MinSpreadPct  float64 // min_spread, percent of mid; ≥ 0
	TauFrac       float64 // time_left/closing_time; 1 in infinite mode; in [0, 1]
	// TargetBase, when non-zero, replaces I·target_pct/100: Hummingbot quantizes the target to the lot
	// (quantize_amount), which belongs at the decimal boundary, not in this float model.
	TargetBase float64
}

// Validate names the parameter and its accepted range (hummingbot.md §5.1 validators plus η ∈ [0,1]).
func (in HummingbotASInput) Validate() error {
	return firstError(
		positiveParam("mid", in.Mid),
		nonNegativeParam("base-bal", in.BaseBalance),
		nonNegativeParam("quote-bal", in.QuoteBalance),
		rangeParam("target-base-pct", in.TargetBasePct, 0, 100),
		positiveParam("gamma", in.Gamma),
		nonNegativeParam("vol", in.Vol),
		positiveParam("kappa", in.Kappa),
		rangeParam("eta", in.Eta, 0, 1),
		nonNegativeParam("min-spread-pct", in.MinSpreadPct),
		rangeParam("tau-frac", in.TauFrac, 0, 1),
		nonNegativeParam("target-base", in.TargetBase),
	)
}

// HummingbotASQuote is the result of Hummingbot's formula, named as in the vectors (quant.json HB-*).
type HummingbotASQuote struct {
	InventoryInBase    float64 // I = B + Q/s
	TargetBase         float64 // I·target_pct/100 (or the given TargetBase)
	QNormalised        float64 // q = (B − target)/I, a fraction of the total inventory
	ReservationPrice   float64 // r = s − qγστ
	OptimalSpread      float64 // δ = γστ + (2/γ)ln(1 + γ/κ)
	Bid, Ask           float64 // min(r − δ/2, s − s·min%/200), max(r + δ/2, s + s·min%/200)
	BuySizeMultiplier  float64 // e^{−ηq} when q > 0, else 1
	SellSizeMultiplier float64 // e^{ηq} when q < 0, else 1
}

// HummingbotAvellaneda reproduces c_calculate_reservation_price_and_optimal_spread and the η order-amount
// transform of Hummingbot's avellaneda_market_making (hummingbot.md §5.3, quant.md §3.3): σ, not σ²; q
// normalised by total inventory in base; the minimum spread measured from the mid, not from r. An empty
// portfolio (I = 0) is an error because Hummingbot skips the calculation.
func HummingbotAvellaneda(in HummingbotASInput) (HummingbotASQuote, error) {
	if err := in.Validate(); err != nil {
		return HummingbotASQuote{}, err
	}
	inventory := in.BaseBalance + in.QuoteBalance/in.Mid
	if inventory <= 0 {
		return HummingbotASQuote{}, fmt.Errorf("the portfolio is empty (base-bal + quote-bal/mid = 0): no quotes")
	}
	target := in.TargetBase
	if target == 0 {
		target = inventory * in.TargetBasePct / 100
	}
	q := (in.BaseBalance - target) / inventory
	riskTerm := in.Gamma * in.Vol * in.TauFrac // γστ
	r := in.Mid - q*riskTerm
	spread := riskTerm + 2/in.Gamma*math.Log1p(in.Gamma/in.Kappa)
	minHalf := in.Mid * in.MinSpreadPct / 100 / 2
	out := HummingbotASQuote{
		InventoryInBase:    inventory,
		TargetBase:         target,
		QNormalised:        q,
		ReservationPrice:   r,
		OptimalSpread:      spread,
		Bid:                math.Min(r-spread/2, in.Mid-minHalf),
		Ask:                math.Max(r+spread/2, in.Mid+minHalf),
		BuySizeMultiplier:  1,
		SellSizeMultiplier: 1,
	}
	switch {
	case q > 0:
		out.BuySizeMultiplier = math.Exp(-in.Eta * q)
	case q < 0:
		out.SellSizeMultiplier = math.Exp(in.Eta * q)
	}
	return out, nil
}
