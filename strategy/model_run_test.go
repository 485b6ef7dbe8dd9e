package strategy

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

var modelNow = time.Date(2024, 8, 8, 23, 55, 0, 0, time.UTC)

// modelTestParams: one level of 0.1 base, Δ = 0.1, γ = 0.1, Q = 1, no fees, target 50 % of the portfolio.
func modelTestParams(kind ModelKind, variant ModelVariant) ModelParams {
	pmm := DefaultPMMParams()
	pmm.OrderAmount = dec("0.1")
	pmm.OrderRefreshTime = 10 * time.Second
	pmm.OrderLevels = 1
	return ModelParams{Kind: kind, Variant: variant, Gamma: 0.1, Xi: 0.1, Delta: dec("0.1"), MaxInventory: dec("1"),
		Window: ExecutionWindow{Mode: TimeframeInfinite}, PMM: pmm}
}

// modelTestMarket: mid 100 in a wide book (90/110) so that no guard touches the model's quotes; base 1.2 and
// quote 80 make I = 2 base, target 1, q = +0.2 base.
func modelTestMarket() MarketSnapshot {
	return MarketSnapshot{Now: modelNow, BestBid: dec("90"), BestAsk: dec("110"), Mid: dec("100"),
		Balances: Balances{BaseTotal: dec("1.2"), BaseAvailable: dec("1.2"), QuoteTotal: dec("80"), QuoteAvailable: dec("80")},
		Rules:    MarketRules{Tick: dec("0.01"), Step: dec("0.001")}, NewClientID: DefaultClientIDs("m")}
}

var readyCal = Calibration{Sigma: 2, A: 1.5, K: 0.8, Ready: true}

// floorTick and ceilTick quantize the formula's float the way the boundary must: bids down, asks up.
func floorTick(x float64) decimal.Decimal {
	return decimal.NewFromFloat(x).Div(dec("0.01")).Floor().Mul(dec("0.01"))
}

func ceilTick(x float64) decimal.Decimal {
	return decimal.NewFromFloat(x).Div(dec("0.01")).Ceil().Mul(dec("0.01"))
}

// The quotes placed are the model's formulas, bid floored and ask ceiled to the tick. Expected values are
// written out from quant.md §1.3, §1.4, §2.3 and hummingbot.md §5.3 here, independently of the model code.
func TestModelTickQuotesTheFormulas(t *testing.T) {
	const s, q, gamma, sigma, A, k, delta = 100.0, 0.2, 0.1, 2.0, 1.5, 0.8, 0.1
	glftBid, glftAsk := func() (float64, float64) { // Guéant (2017) eqs. 4.6/4.7 with ξ = γ
		xd := gamma * delta
		c1 := math.Log(1+xd/k) / xd
		c2 := math.Sqrt(gamma / (2 * A * delta * k) * math.Pow(1+xd/k, k/xd+1))
		return s - (c1 + (2*q+delta)/2*sigma*c2), s + (c1 - (2*q-delta)/2*sigma*c2)
	}()
	const tau = 30.0
	finiteBid, finiteAsk := func() (float64, float64) { // §1.3 in lots of Δ: γΔ where the paper has γ·1
		r := s - q*gamma*sigma*sigma*tau
		psi := gamma*delta*sigma*sigma*tau + 2/(gamma*delta)*math.Log(1+gamma*delta/k)
		return r - psi/2, r + psi/2
	}()
	infiniteBid, infiniteAsk := func() (float64, float64) { // §1.4 per lot, ω = ½γ²σ_lot²(Q_lots + 1)²
		g2s2 := gamma * gamma * sigma * sigma * delta * delta
		qLots, qMaxLots := q/delta, 1/delta
		omega := g2s2 * (qMaxLots + 1) * (qMaxLots + 1) / 2
		den := 2*omega - g2s2*qLots*qLots
		rb := s + math.Log(1+(-1-2*qLots)*g2s2/den)/(gamma*delta)
		ra := s - math.Log(1+(2*qLots-1)*g2s2/den)/(gamma*delta)
		c := math.Log(1+gamma*delta/k) / (gamma * delta)
		return rb - c, ra + c
	}()
	const hbGamma, hbMin = 0.8, 1.0
	hbBid, hbAsk := func() (float64, float64) { // §5.3: σ not σ², q normalised, τ = 1, min spread from the mid
		qn := q / 2
		r := s - qn*hbGamma*sigma
		d := hbGamma*sigma + 2/hbGamma*math.Log(1+hbGamma/k)
		return math.Min(r-d/2, s-s*hbMin/200), math.Max(r+d/2, s+s*hbMin/200)
	}()

	tests := []struct {
		name     string
		params   func() ModelParams
		bid, ask float64
	}{
		{"glft closed form", func() ModelParams { return modelTestParams(ModelGLFT, "") }, glftBid, glftAsk},
		{"avellaneda textbook, rolling horizon τ = 30 s", func() ModelParams {
			p := modelTestParams(ModelAvellaneda, VariantTextbook)
			p.Horizon = 30 * time.Second
			return p
		}, finiteBid, finiteAsk},
		{"avellaneda textbook, infinite horizon", func() ModelParams {
			return modelTestParams(ModelAvellaneda, VariantTextbook)
		}, infiniteBid, infiniteAsk},
		{"avellaneda hummingbot variant", func() ModelParams {
			p := modelTestParams(ModelAvellaneda, VariantHummingbot)
			p.Gamma, p.MinSpreadPct = hbGamma, hbMin
			return p
		}, hbBid, hbAsk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := ModelTick(tc.params(), PMMState{}, modelTestMarket(), readyCal)
			if !res.Status.Ready() {
				t.Fatalf("status %+v, want ready", res.Status)
			}
			buys, sells := sides(res.Actions.Places)
			if len(buys) != 1 || len(sells) != 1 {
				t.Fatalf("places %+v, want one bid and one ask", res.Actions.Places)
			}
			if want := floorTick(tc.bid); !buys[0].Price.Equal(want) {
				t.Errorf("bid %s, want floor(%.10g) = %s", buys[0].Price, tc.bid, want)
			}
			if want := ceilTick(tc.ask); !sells[0].Price.Equal(want) {
				t.Errorf("ask %s, want ceil(%.10g) = %s", sells[0].Price, tc.ask, want)
			}
			if !buys[0].Amount.Equal(dec("0.1")) || !buys[0].PostOnly {
				t.Errorf("bid %+v: want 0.1 post-only", buys[0])
			}
			if !strings.Contains(res.String(), "reservation=") {
				t.Errorf("explain lacks the model's numbers:\n%s", res)
			}
		})
	}
}

func sides(places []PlaceRequest) (buys, sells []PlaceRequest) {
	for _, p := range places {
		if p.Side == market.Buy {
			buys = append(buys, p)
		} else {
			sells = append(sells, p)
		}
	}
	return buys, sells
}

// Not ready: no quotes, the state says why, and live orders go at the next refresh without replacements.
func TestModelNotReadyPlacesNothingAndCancelsAtRefresh(t *testing.T) {
	p := modelTestParams(ModelGLFT, "")
	waiting := Calibration{Sigma: 1, Waiting: "volatility 12/60 mids, intensity 11/60 steps"}
	res := ModelTick(p, PMMState{}, modelTestMarket(), waiting)
	if res.Status.Code != ModelWarmingUp || res.Status.Detail != waiting.Waiting || len(res.Actions.Places) != 0 {
		t.Fatalf("status %+v places %v: want not_ready with the estimators' counts and no places", res.Status, res.Actions.Places)
	}
	if !strings.Contains(res.String(), "model not_ready (volatility 12/60 mids") {
		t.Errorf("explain does not show the state:\n%s", res)
	}
	live := PMMState{CancelAt: modelNow, Orders: []Order{{ClientID: "b1", Side: market.Buy, Price: dec("99"), Amount: dec("0.1"), Created: modelNow}}}
	res = ModelTick(p, live, modelTestMarket(), waiting)
	if len(res.Actions.Cancels) != 1 || res.Actions.Cancels[0].Reason != CancelRefresh || len(res.Actions.Places) != 0 {
		t.Errorf("actions %+v: want the live order cancelled at its refresh and nothing placed", res.Actions)
	}
}

// Parameters are re-validated every tick: an estimate or a parameter out of range stops quoting with the
// parameter's name, it never reaches the book.
func TestModelInvalidParametersStopQuoting(t *testing.T) {
	tests := []struct {
		name  string
		p     func(ModelParams) ModelParams
		cal   Calibration
		wants string
	}{
		{"k fitted ≤ 0", func(p ModelParams) ModelParams { return p }, Calibration{Sigma: 2, A: 1.5, K: -0.1, Ready: true}, "k must be > 0"},
		{"A fitted ≤ 0", func(p ModelParams) ModelParams { return p }, Calibration{Sigma: 2, A: 0, K: 0.8, Ready: true}, "A must be > 0"},
		{"negative volatility", func(p ModelParams) ModelParams { return p }, Calibration{Sigma: -1, A: 1.5, K: 0.8, Ready: true}, "sigma must be ≥ 0"},
		{"γ ≤ 0", func(p ModelParams) ModelParams { p.Gamma = 0; return p }, readyCal, "risk_factor must be > 0"},
		{"η outside [0, 1]", func(p ModelParams) ModelParams { p.Eta = 1.5; return p }, readyCal, "order_amount_shape_factor must be between 0 and 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := ModelTick(tc.p(modelTestParams(ModelGLFT, "")), PMMState{}, modelTestMarket(), tc.cal)
			if res.Status.Code != ModelInvalid || !strings.Contains(res.Status.Detail, tc.wants) || len(res.Actions.Places) != 0 {
				t.Errorf("status %+v places %d: want invalid_params naming %q and no places", res.Status, len(res.Actions.Places), tc.wants)
			}
		})
	}
}

// Guards: whatever the inventory, a bid is never at or above the best ask, an ask never at or below the best
// bid, and no bid at or above an ask; a huge skew that would cross is clamped to one tick inside the touch.
func TestModelQuotesNeverCrossTheTouchOrInvert(t *testing.T) {
	for _, kind := range []ModelKind{ModelGLFT, ModelAvellaneda} {
		for _, base := range []string{"0", "0.3", "0.9", "1", "1.1", "1.5", "1.9", "2"} {
			p := modelTestParams(kind, VariantTextbook)
			p.Horizon, p.MaxInventory, p.PMM.OrderLevels, p.LevelDistancesPct = 30*time.Second, decimal.Zero, 3, 50
			if kind == ModelGLFT {
				p.MaxInventory = dec("100")
			}
			m := modelTestMarket()
			m.BestBid, m.BestAsk, m.Mid = dec("99.99"), dec("100.01"), dec("100")
			m.Balances = Balances{BaseTotal: dec(base), BaseAvailable: dec(base), QuoteTotal: dec("200").Sub(dec(base).Mul(dec("100"))),
				QuoteAvailable: dec("200").Sub(dec(base).Mul(dec("100")))}
			cal := Calibration{Sigma: 5, A: 1.5, K: 0.8, Ready: true} // a skew of several points per 0.1 base
			res := ModelTick(p, PMMState{}, m, cal)
			buys, sells := sides(res.Actions.Places)
			for _, b := range buys {
				if !b.Price.LessThan(m.BestAsk) {
					t.Errorf("%s base %s: bid %s crosses the best ask %s", kind, base, b.Price, m.BestAsk)
				}
				for _, s := range sells {
					if !b.Price.LessThan(s.Price) {
						t.Errorf("%s base %s: bid %s not below ask %s", kind, base, b.Price, s.Price)
					}
				}
			}
			for _, s := range sells {
				if !s.Price.GreaterThan(m.BestBid) {
					t.Errorf("%s base %s: ask %s crosses the best bid %s", kind, base, s.Price, m.BestBid)
				}
			}
		}
	}
	// Long 0.9 base over target with σ = 5: the textbook ask r + ψ/2 is far below the best bid; it is clamped
	// to one tick above it, and the explain says so.
	p := modelTestParams(ModelAvellaneda, VariantTextbook)
	p.Horizon, p.MaxInventory = 30*time.Second, decimal.Zero
	m := modelTestMarket()
	m.BestBid, m.BestAsk = dec("99.99"), dec("100.01")
	m.Balances = Balances{BaseTotal: dec("1.9"), BaseAvailable: dec("1.9"), QuoteTotal: dec("10"), QuoteAvailable: dec("10")}
	res := ModelTick(p, PMMState{}, m, Calibration{Sigma: 5, A: 1.5, K: 0.8, Ready: true})
	_, sells := sides(res.Actions.Places)
	if len(sells) != 1 || !sells[0].Price.Equal(dec("100")) || !strings.Contains(res.String(), "would cross the best bid") {
		t.Errorf("sells %+v: want the ask clamped to 100.00 (best bid + 1 tick) with a guard note\n%s", sells, res)
	}
}

// GLFT's bound: no bid at q ≥ Q; a bid that could take q beyond Q is shrunk to what is left; asks likewise.
func TestModelInventoryBound(t *testing.T) {
	tests := []struct {
		name, base, quote string
		bid, ask          string // "" = no order on that side
	}{
		{"q = 0.2 < Q = 0.25: bid shrunk to 0.05", "1.2", "80", "0.05", "0.1"},
		{"q = Q: no bid", "1.25", "75", "", "0.1"},
		{"q = −Q: no ask", "0.75", "125", "0.1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := modelTestParams(ModelGLFT, "")
			p.MaxInventory = dec("0.25")
			m := modelTestMarket()
			m.Balances = Balances{BaseTotal: dec(tc.base), BaseAvailable: dec(tc.base), QuoteTotal: dec(tc.quote), QuoteAvailable: dec(tc.quote)}
			buys, sells := sides(ModelTick(p, PMMState{}, m, readyCal).Actions.Places)
			for _, side := range []struct {
				got  []PlaceRequest
				want string
			}{{buys, tc.bid}, {sells, tc.ask}} {
				switch {
				case side.want == "" && len(side.got) != 0:
					t.Errorf("got %+v, want no order", side.got)
				case side.want != "" && (len(side.got) != 1 || !side.got[0].Amount.Equal(dec(side.want))):
					t.Errorf("got %+v, want one order of %s", side.got, side.want)
				}
			}
		})
	}
}

// min_profitable_spread: a spread narrower than two maker fees of the mid is widened around its centre, so a
// round trip at the quotes pays its fees.
func TestModelMinProfitableSpreadCoversRoundTripFees(t *testing.T) {
	p := modelTestParams(ModelGLFT, "")
	p.MinProfitableSpread = true
	m := modelTestMarket()
	m.Rules.MakerFee = dec("0.01") // 1 % of 100: the spread must be ≥ 2
	cal := Calibration{Sigma: 0, A: 1.5, K: 100, Ready: true}
	buys, sells := sides(ModelTick(p, PMMState{}, m, cal).Actions.Places)
	if len(buys) != 1 || len(sells) != 1 || sells[0].Price.Sub(buys[0].Price).LessThan(dec("2")) {
		t.Fatalf("places %+v %+v: want a spread ≥ 2", buys, sells)
	}
	if !buys[0].Price.Equal(dec("99")) || !sells[0].Price.Equal(dec("101")) {
		t.Errorf("bid %s ask %s, want 99 and 101 (centre 100 ± one fee of the mid)", buys[0].Price, sells[0].Price)
	}
}

// Outside the execution window the live orders are cancelled at once and nothing is placed (hummingbot.md
// §5.2 step 3.4); inside a from_date_to_date window the textbook model's τ is the time left.
func TestModelExecutionWindow(t *testing.T) {
	p := modelTestParams(ModelAvellaneda, VariantTextbook)
	p.Window = ExecutionWindow{Mode: TimeframeDailyBetweenTimes, DailyStart: 9 * time.Hour, DailyEnd: 17 * time.Hour}
	live := PMMState{CancelAt: modelNow.Add(time.Hour), CreateAt: modelNow.Add(time.Hour),
		Orders: []Order{{ClientID: "b1", Side: market.Buy, Price: dec("99"), Amount: dec("0.1"), Created: modelNow}}}
	res := ModelTick(p, live, modelTestMarket(), readyCal)
	if res.Status.Code != ModelOutsideWindow || len(res.Actions.Cancels) != 1 ||
		res.Actions.Cancels[0].Reason != CancelExecutionWindow || len(res.Actions.Places) != 0 {
		t.Errorf("status %+v actions %+v: want outside_window, the order cancelled, nothing placed", res.Status, res.Actions)
	}
	p.Window = ExecutionWindow{Mode: TimeframeFromDateToDate, Start: modelNow.Add(-time.Minute), End: modelNow.Add(45 * time.Second)}
	res = ModelTick(p, PMMState{}, modelTestMarket(), readyCal)
	if !res.Status.Ready() || res.Quote.Tau != 45 {
		t.Errorf("status %+v τ %g: want ready with τ = 45 s", res.Status, res.Quote.Tau)
	}
}

// The calibrator's live fit is FitIntensity on the window's counts (quant.md §2.4): per step the deepest
// arrival from the previous tick's mid, counted at depths (i + ½)·step strictly beyond; σ is StepVolatility of
// the window's mids. Readiness waits for both windows.
func TestModelCalibratorMatchesTheBatchEstimators(t *testing.T) {
	p := CalibrationParams{TickInterval: time.Second, VolatilityBufferSize: 5, IntensityBufferSize: 4,
		IntensityLevels: 4, IntensityDepthStep: dec("1"), FixedSigma: math.NaN(), FixedA: math.NaN(), FixedK: math.NaN()}
	c, err := NewModelCalibrator(p, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	mids := []float64{100, 101, 100, 102, 101, 103, 102}
	// The trades after each tick; depths from that tick's mid: step 1: buy at +3.2, sell at −0.7 → 3.2; ...
	trades := [][]ModelTrade{
		{{Price: 103.2, TakerSide: market.Buy}, {Price: 99.3, TakerSide: market.Sell}}, // 3.2
		{{Price: 101.6, TakerSide: market.Buy}},                                        // 0.6 from 101
		{},                                                                             // no trade
		{{Price: 97.9, TakerSide: market.Sell}},                                        // 4.1 from 102
		{{Price: 102.4, TakerSide: market.Sell}},                                       // −1.4 from 101: wrong side, not deeper than anything
		{{Price: 104.7, TakerSide: market.Buy}},                                        // 1.7 from 103
	}
	for i, mid := range mids {
		var tr []ModelTrade
		if i > 0 {
			tr = trades[i-1]
		}
		c.Observe(modelNow.Add(time.Duration(i)*time.Second), mid, tr)
		if i == 3 && c.Calibration().Ready {
			t.Fatalf("ready after %d ticks, before the windows are full", i+1)
		}
	}
	cal := c.Calibration()
	// The last 4 steps: 4.1, −1, −1.4, 1.7 → counts beyond 0.5, 1.5, 2.5, 3.5: 2, 2, 1, 1.
	fit, err := FitIntensity([]float64{0.5, 1.5, 2.5, 3.5}, []float64{2, 2, 1, 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	sigma, _ := StepVolatility(mids[2:], 1)
	if !cal.Ready || math.Abs(cal.A-fit.A) > 1e-12 || math.Abs(cal.K-fit.K) > 1e-12 || math.Abs(cal.Sigma-sigma) > 1e-12 {
		t.Errorf("calibration %+v, want ready with A %g k %g σ %g", cal, fit.A, fit.K, sigma)
	}
	p.FixedSigma, p.FixedA, p.FixedK = 3, 2, 1
	fixed, _ := NewModelCalibrator(p, 0.01)
	if got := fixed.Calibration(); !got.Ready || got.Sigma != 3 || got.A != 2 || got.K != 1 {
		t.Errorf("fixed calibration %+v: want ready at once with the fixed values", got)
	}
}

// Volatility sizing's factor scales the model's orders before the inventory bound: with Q − q = 0.05 a factor of
// 0.3 gives 0.03 on both sides (0.1 × 0.3), not a bid shrunk from 0.1.
func TestModelOrdersFollowTheAmountFactor(t *testing.T) {
	p := modelTestParams(ModelGLFT, "")
	p.MaxInventory = dec("0.25")
	m := modelTestMarket()
	m.AmountFactor = dec("0.3")
	buys, sells := sides(ModelTick(p, PMMState{}, m, readyCal).Actions.Places)
	if len(buys) != 1 || len(sells) != 1 || !buys[0].Amount.Equal(dec("0.03")) || !sells[0].Amount.Equal(dec("0.03")) {
		t.Errorf("buys %+v sells %+v: want 0.03 on each side", buys, sells)
	}
}
