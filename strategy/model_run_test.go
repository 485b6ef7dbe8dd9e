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

// modelTestMarket: mid 100 with no book sides, so that no touch guard (bid ≤ best bid, ask ≥ best ask) moves
// the model's quotes; base 1.2 and quote 80 make I = 2 base, target 1, q = +0.2 base.
func modelTestMarket() MarketSnapshot {
	return MarketSnapshot{Now: modelNow, Mid: dec("100"),
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

// Not ready: no quotes, the state says why, and live orders go at once, before their refresh, without
// replacements (review L5: quotes the model no longer stands behind must not rest until order_refresh_time).
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
	live := PMMState{CancelAt: modelNow.Add(time.Minute), Orders: []Order{{ClientID: "b1", Side: market.Buy, Price: dec("99"),
		Amount: dec("0.1"), Created: modelNow}}}
	for _, cal := range []Calibration{waiting, {Sigma: 2, A: 1.5, K: -0.1, Ready: true}} { // not ready, invalid
		res = ModelTick(p, live, modelTestMarket(), cal)
		if len(res.Actions.Cancels) != 1 || res.Actions.Cancels[0].Reason != CancelModelNotReady || len(res.Actions.Places) != 0 {
			t.Errorf("%s: actions %+v: want the live order cancelled at once and nothing placed", res.Status.Code, res.Actions)
		}
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

// Guards (quant.md §2.4, GTX): whatever the inventory and the model, every level is placed at or behind the
// touch, bid ≤ best bid and ask ≥ best ask, no two levels of a side share a price, and something is placed on
// each side: a guard that left crossing prices to FilterTakers would place nothing on the skewed side and fail
// here.
func TestModelQuotesNeverCrossTheTouchOrInvert(t *testing.T) {
	models := []struct {
		name   string
		params func() ModelParams
	}{
		{"glft", func() ModelParams { p := modelTestParams(ModelGLFT, ""); p.MaxInventory = dec("100"); return p }},
		{"avellaneda textbook τ = 30 s", func() ModelParams {
			p := modelTestParams(ModelAvellaneda, VariantTextbook)
			p.Horizon, p.MaxInventory = 30*time.Second, decimal.Zero
			return p
		}},
		{"avellaneda textbook infinite", func() ModelParams {
			p := modelTestParams(ModelAvellaneda, VariantTextbook)
			p.MaxInventory = dec("100")
			return p
		}},
		{"avellaneda hummingbot", func() ModelParams {
			p := modelTestParams(ModelAvellaneda, VariantHummingbot)
			p.MaxInventory = decimal.Zero
			return p
		}},
	}
	bestBid, bestAsk := dec("99.99"), dec("100.01")
	for _, model := range models {
		// Portfolio worth 400 at mid 100: I = 4 base, target 2, q = base − 2 from −1 to +1.
		for _, base := range []string{"1", "1.5", "1.9", "2", "2.1", "2.5", "3"} {
			p := model.params()
			p.PMM.OrderLevels, p.LevelDistancesPct = 3, 50
			m := modelTestMarket()
			m.BestBid, m.BestAsk = bestBid, bestAsk
			quote := dec("400").Sub(dec(base).Mul(dec("100")))
			m.Balances = Balances{BaseTotal: dec(base), BaseAvailable: dec(base), QuoteTotal: quote, QuoteAvailable: quote}
			cal := Calibration{Sigma: 5, A: 1.5, K: 0.8, Ready: true} // a skew of several points per 0.1 base
			res := ModelTick(p, PMMState{}, m, cal)
			buys, sells := sides(res.Actions.Places)
			if !res.Status.Ready() || len(buys) == 0 || len(sells) == 0 {
				t.Errorf("%s base %s: status %+v, %d bids %d asks: want both sides quoted\n%s", model.name, base,
					res.Status, len(buys), len(sells), res)
				continue
			}
			for i, b := range buys {
				if b.Price.GreaterThan(bestBid) {
					t.Errorf("%s base %s: bid %s above the best bid %s", model.name, base, b.Price, bestBid)
				}
				if i > 0 && !b.Price.LessThan(buys[i-1].Price) {
					t.Errorf("%s base %s: bid levels %s then %s: want strictly lower", model.name, base, buys[i-1].Price, b.Price)
				}
			}
			for i, s := range sells {
				if s.Price.LessThan(bestAsk) {
					t.Errorf("%s base %s: ask %s below the best ask %s", model.name, base, s.Price, bestAsk)
				}
				if i > 0 && !s.Price.GreaterThan(sells[i-1].Price) {
					t.Errorf("%s base %s: ask levels %s then %s: want strictly higher", model.name, base, sells[i-1].Price, s.Price)
				}
			}
		}
	}
	// Long 0.9 base over target with σ = 5: the textbook ask r + ψ/2 = 100 − 0.9·0.1·25·30 + 4.99 ≈ 37.5 is far
	// below the best bid; it joins the best ask (not best bid + 1 tick, the most aggressive price), with a note.
	p := modelTestParams(ModelAvellaneda, VariantTextbook)
	p.Horizon, p.MaxInventory = 30*time.Second, decimal.Zero
	m := modelTestMarket()
	m.BestBid, m.BestAsk = bestBid, bestAsk
	m.Balances = Balances{BaseTotal: dec("1.9"), BaseAvailable: dec("1.9"), QuoteTotal: dec("10"), QuoteAvailable: dec("10")}
	res := ModelTick(p, PMMState{}, m, Calibration{Sigma: 5, A: 1.5, K: 0.8, Ready: true})
	_, sells := sides(res.Actions.Places)
	if len(sells) != 1 || !sells[0].Price.Equal(bestAsk) || !strings.Contains(res.String(), "is below the best ask 100.01; clamped to it") {
		t.Errorf("sells %+v: want the ask clamped to the best ask 100.01 with a guard note\n%s", sells, res)
	}
}

// The touch guard on its own, without FilterTakers behind it: a bid is clamped to the best bid, an ask to the
// best ask; with one side of the book missing, a quote crossing the other side moves one tick behind it; a
// level at or beyond the previous level's price is dropped.
func TestModelTouchGuard(t *testing.T) {
	tick := dec("0.01")
	book := func(bid, ask string) *MarketSnapshot {
		m := modelTestMarket()
		if bid != "" {
			m.BestBid = dec(bid)
		}
		if ask != "" {
			m.BestAsk = dec(ask)
		}
		return &m
	}
	tests := []struct {
		name            string
		side            market.Side
		price, previous string
		m               *MarketSnapshot
		want            string // "" = dropped
	}{
		{"bid crossing the ask joins the best bid", market.Buy, "100.05", "0", book("99.99", "100.01"), "99.99"},
		{"bid inside the spread joins the best bid", market.Buy, "100.00", "0", book("99.98", "100.02"), "99.98"},
		{"bid behind the touch stays", market.Buy, "99.50", "0", book("99.99", "100.01"), "99.50"},
		{"bid with no bids in the book: one tick below the ask", market.Buy, "100.05", "0", book("", "100.01"), "100.00"},
		{"bid level clamped onto the previous level's price is dropped", market.Buy, "100.03", "99.99", book("99.99", "100.01"), ""},
		{"ask crossing the bid joins the best ask", market.Sell, "99.90", "0", book("99.99", "100.01"), "100.01"},
		{"ask behind the touch stays", market.Sell, "100.50", "0", book("99.99", "100.01"), "100.50"},
		{"ask with no asks in the book: one tick above the bid", market.Sell, "99.90", "0", book("99.99", ""), "100.00"},
		{"ask level clamped onto the previous level's price is dropped", market.Sell, "99.95", "100.01", book("99.99", "100.01"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got decimal.Decimal
			var ok bool
			if tc.side == market.Buy {
				got, ok = guardBid(dec(tc.price), dec(tc.previous), 1, tick, tc.m, &Explain{})
			} else {
				got, ok = guardAsk(dec(tc.price), dec(tc.previous), 1, tick, tc.m, &Explain{})
			}
			switch {
			case tc.want == "" && ok:
				t.Errorf("kept at %s, want dropped", got)
			case tc.want != "" && (!ok || !got.Equal(dec(tc.want))):
				t.Errorf("got %s (kept %v), want %s", got, ok, tc.want)
			}
		})
	}
}

// The textbook infinite-horizon model at the inventory bound (quant.md §1.4, review H1): with the paper's
// ω = ½γ²σ²(Q + 1)² the bid's logarithm argument is 0 at q = Q and the exact ask's at q = −Q. That side is not
// quoted; the other one, which brings q back, is. Per lot of Δ = 0.1: γ = 0.1, σ_lot = 0.2, Q = 5 lots, so
// γ²σ² = 4e-4, ω = 7.2e-3 and 2ω − γ²q²σ² = 4e-4·11 at q = ±5; the admissible side's argument is 1 + 9/11 = 20/11
// and the depth term (1/γ)ln(1 + γ/k_lot) = 10·ln(1 + 0.1/8).
func TestModelInfiniteHorizonQuotesTheReducingSideAtTheBound(t *testing.T) {
	depth := 10 * math.Log(1+0.1/8) // per lot; ÷Δ per base
	tests := []struct {
		name, base, quote string
		bid, ask          float64 // NaN = no order on that side
	}{
		// q = +Q = 0.5: r̄^a = s_lot − ln(20/11)/γ = 10 − 10·ln(20/11) per lot.
		{"q = +Q: no bid, the ask is quoted", "1.5", "50", math.NaN(), (10 - 10*math.Log(20.0/11) + depth) / 0.1},
		// q = −Q = −0.5: r̄^b = s_lot + ln(20/11)/γ.
		{"q = −Q: no ask, the bid is quoted", "0.5", "150", (10 + 10*math.Log(20.0/11) - depth) / 0.1, math.NaN()},
		// q = 0.4 = 4 lots: 2ω − γ²q²σ² = 4e-4·20; bid argument 1 − 9/20, ask 1 + 7/20.
		{"q = 0.4 inside the bound: both", "1.4", "60", (10 + 10*math.Log(11.0/20) - depth) / 0.1,
			(10 - 10*math.Log(27.0/20) + depth) / 0.1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := modelTestParams(ModelAvellaneda, VariantTextbook)
			p.MaxInventory = dec("0.5")
			m := modelTestMarket()
			m.Balances = Balances{BaseTotal: dec(tc.base), BaseAvailable: dec(tc.base), QuoteTotal: dec(tc.quote), QuoteAvailable: dec(tc.quote)}
			res := ModelTick(p, PMMState{}, m, readyCal)
			if !res.Status.Ready() {
				t.Fatalf("status %+v, want ready\n%s", res.Status, res)
			}
			buys, sells := sides(res.Actions.Places)
			for _, side := range []struct {
				name  string
				got   []PlaceRequest
				want  float64
				quant func(float64) decimal.Decimal
			}{{"bid", buys, tc.bid, floorTick}, {"ask", sells, tc.ask, ceilTick}} {
				switch {
				case math.IsNaN(side.want) && len(side.got) != 0:
					t.Errorf("%s %+v, want none", side.name, side.got)
				case !math.IsNaN(side.want) && (len(side.got) != 1 || !side.got[0].Price.Equal(side.quant(side.want))):
					t.Errorf("%s %+v, want one at %s\n%s", side.name, side.got, side.quant(side.want), res)
				}
			}
		})
	}
}

// σ = 0 with the default ω gives ω = 0: the model has no price, which is a lack of data (a flat mid), not a
// parameter error: not ready, and ready again as soon as σ > 0 or with a configured ω.
func TestModelInfiniteHorizonFlatMidIsNotReady(t *testing.T) {
	p := modelTestParams(ModelAvellaneda, VariantTextbook)
	flat := Calibration{Sigma: 0, A: 1.5, K: 0.8, Ready: true}
	res := ModelTick(p, PMMState{}, modelTestMarket(), flat)
	if res.Status.Code != ModelWarmingUp || !strings.Contains(res.Status.Detail, "sigma = 0") || len(res.Actions.Places) != 0 {
		t.Errorf("status %+v places %d: want not_ready naming sigma = 0 and no places", res.Status, len(res.Actions.Places))
	}
	if res := ModelTick(p, PMMState{}, modelTestMarket(), readyCal); !res.Status.Ready() {
		t.Errorf("σ = 2: status %+v, want ready", res.Status)
	}
	p.Omega = 0.01
	if res := ModelTick(p, PMMState{}, modelTestMarket(), flat); !res.Status.Ready() || len(res.Actions.Places) != 2 {
		t.Errorf("σ = 0 with ω = 0.01: status %+v places %d, want ready with a bid and an ask", res.Status, len(res.Actions.Places))
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

// The live textbook infinite-horizon quotes are vector ASINF-01's reservation prices (quant.json: s = 100, q = 3,
// γ = 0.1, σ = 2, q_max = 10 → r̄^b = 99.35461479, r̄^a exact = 99.56324936), each moved out by the depth term
// (1/γ)ln(1 + γ/k) of §1.3, with Δ = 1 so that lots are base units: numbers from the vector file, not from the
// code's derivation.
func TestModelInfiniteHorizonQuotesFollowVectorASINF01(t *testing.T) {
	p := modelTestParams(ModelAvellaneda, VariantTextbook)
	p.Delta, p.MaxInventory = dec("1"), dec("10")
	m := modelTestMarket()
	m.Balances = Balances{BaseTotal: dec("13"), BaseAvailable: dec("13"), QuoteTotal: dec("700"), QuoteAvailable: dec("700")} // I = 20, q = 3
	res := ModelTick(p, PMMState{}, m, readyCal)
	depth := math.Log(1+0.1/0.8) / 0.1
	buys, sells := sides(res.Actions.Places)
	if len(buys) != 1 || len(sells) != 1 || !buys[0].Price.Equal(floorTick(99.35461479-depth)) ||
		!sells[0].Price.Equal(ceilTick(99.56324936+depth)) {
		t.Errorf("bids %+v asks %+v: want %s and %s\n%s", buys, sells, floorTick(99.35461479-depth), ceilTick(99.56324936+depth), res)
	}
}
