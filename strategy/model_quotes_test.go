package strategy_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mmtoolkit/mm/internal/sharedtest"
	"github.com/mmtoolkit/mm/strategy"
)

// modelClose compares with the vectors' tolerance (quant.md §8): relative 1e-9, absolute 1e-9 near zero.
func modelClose(t *testing.T, name string, got, want float64) {
	t.Helper()
	if diff := math.Abs(got - want); diff > 1e-9 && diff > 1e-9*math.Abs(want) {
		t.Errorf("%s = %.12g, want %.12g (diff %.3g)", name, got, want, diff)
	}
}

// quantVectors returns the quant.json vectors whose id starts with prefix, failing when there are none.
func quantVectors(t *testing.T, prefix string) []sharedtest.Vector {
	t.Helper()
	var out []sharedtest.Vector
	for id, v := range sharedtest.Vectors(t, "quant.json") {
		if strings.HasPrefix(id, prefix) && !strings.HasPrefix(id, prefix+"INF") {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s* vectors in quant.json", prefix)
	}
	return out
}

func TestAvellanedaStoikovFiniteVectors(t *testing.T) {
	for _, v := range quantVectors(t, "AS-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct{ S, Q, Gamma, Sigma, K, Tau float64 }
			var want struct {
				ReservationPrice float64 `json:"reservation_price"`
				OptimalSpread    float64 `json:"optimal_spread"`
				Bid, Ask         float64
				DeltaBid         float64 `json:"delta_bid"`
				DeltaAsk         float64 `json:"delta_ask"`
				RB               float64 `json:"reservation_bid_rb"`
				RA               float64 `json:"reservation_ask_ra"`
			}
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			got, err := strategy.AvellanedaStoikov(in.S, in.Q, strategy.ASParams{Gamma: in.Gamma, Sigma: in.Sigma, K: in.K, Tau: in.Tau})
			if err != nil {
				t.Fatal(err)
			}
			modelClose(t, "reservation_price", got.ReservationPrice, want.ReservationPrice)
			modelClose(t, "optimal_spread", got.OptimalSpread, want.OptimalSpread)
			modelClose(t, "bid", got.Bid, want.Bid)
			modelClose(t, "ask", got.Ask, want.Ask)
			modelClose(t, "delta_bid", got.DeltaBid, want.DeltaBid)
			modelClose(t, "delta_ask", got.DeltaAsk, want.DeltaAsk)
			modelClose(t, "reservation_bid_rb", got.ReservationBid, want.RB)
			modelClose(t, "reservation_ask_ra", got.ReservationAsk, want.RA)
			if !(got.Bid < got.Ask) {
				t.Errorf("bid %g not below ask %g", got.Bid, got.Ask)
			}
		})
	}
}

func TestAvellanedaStoikovAtTheHorizonOnlyTheIntensityTermIsLeft(t *testing.T) {
	// quant.md §1.3: at T − t = 0 the spread is (2/γ)ln(1+γ/k) and inventory no longer moves the centre.
	got, err := strategy.AvellanedaStoikov(100, 7, strategy.ASParams{Gamma: 0.1, Sigma: 2, K: 1.5, Tau: 0})
	if err != nil {
		t.Fatal(err)
	}
	modelClose(t, "reservation_price", got.ReservationPrice, 100)
	modelClose(t, "optimal_spread", got.OptimalSpread, 2/0.1*math.Log(1+0.1/1.5))
}

func TestAvellanedaStoikovInfiniteVectors(t *testing.T) {
	for _, v := range quantVectors(t, "ASINF-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct {
				S, Q, Gamma, Sigma float64
				QMax               float64 `json:"q_max"`
			}
			var want struct {
				Omega        float64
				RB           float64 `json:"reservation_bid"`
				RAExact      float64 `json:"reservation_ask_exact"`
				RAPrinted    float64 `json:"reservation_ask_printed_form"`
				MidOfReserve float64 `json:"mid_of_reservations"`
			}
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			got, err := strategy.AvellanedaStoikovInfinite(in.S, in.Q, strategy.ASInfiniteParams{Gamma: in.Gamma, Sigma: in.Sigma, QMax: in.QMax})
			if err != nil {
				t.Fatal(err)
			}
			modelClose(t, "omega", got.Omega, want.Omega)
			modelClose(t, "reservation_bid", got.ReservationBid, want.RB)
			modelClose(t, "reservation_ask_exact", got.ReservationAskExact, want.RAExact)
			modelClose(t, "reservation_ask_printed_form", got.ReservationAskPrinted, want.RAPrinted)
			modelClose(t, "mid_of_reservations", got.MidOfReservations, want.MidOfReserve)
			if !(got.ReservationBid < got.ReservationAskExact) {
				t.Errorf("reservation bid %g not below ask %g", got.ReservationBid, got.ReservationAskExact)
			}
		})
	}
}

func TestHummingbotAvellanedaQuantVectors(t *testing.T) {
	for _, v := range quantVectors(t, "HB-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct {
				Mid, Gamma, Vol, Kappa, Eta float64
				BaseBal                     float64 `json:"base_bal"`
				QuoteBal                    float64 `json:"quote_bal"`
				TargetBasePct               float64 `json:"target_base_pct"`
				TauFrac                     float64 `json:"tau_frac"`
				MinSpreadPct                float64 `json:"min_spread_pct"`
			}
			var want struct {
				Q        float64 `json:"q_normalised"`
				R        float64 `json:"reservation_price"`
				Spread   float64 `json:"optimal_spread"`
				Bid, Ask float64
				Buy      float64 `json:"buy_size_multiplier"`
				Sell     float64 `json:"sell_size_multiplier"`
			}
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			got, err := strategy.HummingbotAvellaneda(strategy.HummingbotASInput{Mid: in.Mid, BaseBalance: in.BaseBal,
				QuoteBalance: in.QuoteBal, TargetBasePct: in.TargetBasePct, Gamma: in.Gamma, Vol: in.Vol, Kappa: in.Kappa,
				Eta: in.Eta, MinSpreadPct: in.MinSpreadPct, TauFrac: in.TauFrac})
			if err != nil {
				t.Fatal(err)
			}
			modelClose(t, "q_normalised", got.QNormalised, want.Q)
			modelClose(t, "reservation_price", got.ReservationPrice, want.R)
			modelClose(t, "optimal_spread", got.OptimalSpread, want.Spread)
			modelClose(t, "bid", got.Bid, want.Bid)
			modelClose(t, "ask", got.Ask, want.Ask)
			modelClose(t, "buy_size_multiplier", got.BuySizeMultiplier, want.Buy)
			modelClose(t, "sell_size_multiplier", got.SellSizeMultiplier, want.Sell)
			if !(got.Bid < got.Ask) {
				t.Errorf("bid %g not below ask %g", got.Bid, got.Ask)
			}
		})
	}
}

// hummingbot.json avellaneda_reservation_gamma_0_8: the test's seeded inputs, compared with the Decimal values
// computed by re-running Hummingbot's code path (and, loosely, with the test's places=2 assertions).
func TestHummingbotAvellanedaReproducesHummingbotTest(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["avellaneda_reservation_gamma_0_8"]
	var in struct {
		Balances      map[string]float64 `json:"balances"`
		TargetBasePct float64            `json:"inventory_target_base_pct"`
		MinSpread     float64            `json:"min_spread"`
		RiskFactor    float64            `json:"risk_factor,string"`
		Mid           float64            `json:"mid_price,string"`
		Vol           float64            `json:"vol,string"`
		Kappa         float64            `json:"kappa,string"`
		TauFrac       float64            `json:"time_left_fraction"`
	}
	var computed, asserted map[string]string
	sharedtest.Decode(t, v.Inputs, &in)
	sharedtest.Decode(t, v.Computed, &computed)
	sharedtest.Decode(t, v.Expected, &asserted)
	got, err := strategy.HummingbotAvellaneda(strategy.HummingbotASInput{Mid: in.Mid, BaseBalance: in.Balances["COINALPHA"],
		QuoteBalance: in.Balances["HBOT"], TargetBasePct: in.TargetBasePct, Gamma: in.RiskFactor, Vol: in.Vol,
		Kappa: in.Kappa, MinSpreadPct: in.MinSpread, TauFrac: in.TauFrac})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]float64{"inventory_in_base": got.InventoryInBase, "q_target": got.TargetBase,
		"q": got.QNormalised, "reservation_price": got.ReservationPrice, "optimal_spread": got.OptimalSpread,
		"optimal_ask": got.Ask, "optimal_bid": got.Bid}
	for name, value := range fields {
		modelClose(t, name, value, parseFloat(t, computed[name]))
		if text, ok := asserted[name]; ok && math.Abs(value-parseFloat(t, text)) > 0.005 {
			t.Errorf("%s = %g, Hummingbot's test asserts %s to 2 places", name, value, text)
		}
	}
	if !(got.Bid < got.Ask) {
		t.Errorf("bid %g not below ask %g", got.Bid, got.Ask)
	}
}

func TestHummingbotAvellanedaMinSpreadIsMeasuredFromTheMid(t *testing.T) {
	// hummingbot.md §5.3: ask = max(r + δ/2, s + s·min%/200); a 10 % floor dominates a small model spread.
	got, err := strategy.HummingbotAvellaneda(strategy.HummingbotASInput{Mid: 100, BaseBalance: 6, QuoteBalance: 300,
		TargetBasePct: 50, Gamma: 1, Vol: 0.05, Kappa: 2, TauFrac: 1, MinSpreadPct: 10})
	if err != nil {
		t.Fatal(err)
	}
	modelClose(t, "bid", got.Bid, 95)
	modelClose(t, "ask", got.Ask, 105)
}

func TestGLFTVectors(t *testing.T) {
	for _, v := range quantVectors(t, "GLFT-") {
		t.Run(v.ID, func(t *testing.T) {
			var in struct{ Q, Gamma, Sigma, A, K, Delta, Xi float64 }
			var want map[string]*float64
			sharedtest.Decode(t, v.Inputs, &in)
			sharedtest.Decode(t, v.Expected, &want)
			got, err := strategy.GLFT(in.Q, strategy.GLFTParams{A: in.A, K: in.K, Gamma: in.Gamma, Sigma: in.Sigma, Delta: in.Delta, Xi: in.Xi})
			if err != nil {
				t.Fatal(err)
			}
			fields := map[string]float64{"c1": got.C1, "c2": got.C2, "half_spread": got.HalfSpread, "skew": got.Skew,
				"delta_bid": got.DeltaBid, "delta_ask": got.DeltaAsk, "total_spread": got.TotalSpread,
				"quote_centre_offset": got.QuoteCentreOffset, "published_half_spread_tick": got.HalfSpread,
				"published_skew": got.Skew}
			for name, w := range want {
				value, ok := fields[name]
				if !ok {
					t.Fatalf("expected field %q has no counterpart in GLFTQuote", name)
				}
				if w == nil { // not quoted at the inventory bound
					t.Errorf("%s: vector says not quoted; no bound was given", name)
					continue
				}
				modelClose(t, name, value, *w)
			}
			if got.DeltaBid+got.DeltaAsk <= 0 { // bid = S − δb below ask = S + δa
				t.Errorf("δb + δa = %g: bid not below ask", got.DeltaBid+got.DeltaAsk)
			}
		})
	}
}

func TestGLFTDoesNotQuoteTheSideThatWouldBreachTheBound(t *testing.T) {
	p := strategy.GLFTParams{A: 0.9, K: 0.3, Gamma: 0.01, Sigma: 0.3, Delta: 1, Xi: 0.01, QMax: 3}
	long, err := strategy.GLFT(3, p)
	if err != nil {
		t.Fatal(err)
	}
	if long.BidQuoted || !long.AskQuoted {
		t.Errorf("q = Q: bid quoted %v, ask quoted %v; want only the ask", long.BidQuoted, long.AskQuoted)
	}
	short, _ := strategy.GLFT(-3, p)
	if short.AskQuoted || !short.BidQuoted {
		t.Errorf("q = −Q: bid quoted %v, ask quoted %v; want only the bid", short.BidQuoted, short.AskQuoted)
	}
}

func TestGLFTModelBLimits(t *testing.T) {
	// quant.md §2.3: ξ = 0 gives c1 = 1/k and c2 = sqrt(γe/(2AΔk)).
	got, err := strategy.GLFT(0, strategy.GLFTParams{A: 0.9, K: 0.3, Gamma: 0.01, Sigma: 0.3, Delta: 1})
	if err != nil {
		t.Fatal(err)
	}
	modelClose(t, "c1", got.C1, 1/0.3)
	modelClose(t, "c2", got.C2, math.Sqrt(0.01*math.E/(2*0.9*0.3)))
	nearZero, _ := strategy.GLFT(0, strategy.GLFTParams{A: 0.9, K: 0.3, Gamma: 0.01, Sigma: 0.3, Delta: 1, Xi: 1e-9})
	if math.Abs(nearZero.C2-got.C2) > 1e-6 || math.Abs(nearZero.C1-got.C1) > 1e-6 {
		t.Errorf("ξ → 0 does not approach model B: %+v vs %+v", nearZero, got)
	}
}

func TestModelValidationNamesTheParameterAndRange(t *testing.T) {
	as := strategy.ASParams{Gamma: 0.1, Sigma: 2, K: 1.5, Tau: 1}
	glft := strategy.GLFTParams{A: 0.9, K: 0.3, Gamma: 0.01, Sigma: 0.3, Delta: 1, Xi: 0.01}
	hb := strategy.HummingbotASInput{Mid: 100, BaseBalance: 6, QuoteBalance: 300, TargetBasePct: 50, Gamma: 1, Vol: 0.05, Kappa: 2, TauFrac: 1}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"γ = 0", func() error { p := as; p.Gamma = 0; return p.Validate() }(), "gamma must be > 0 (got 0)"},
		{"k < 0", func() error { p := as; p.K = -1; return p.Validate() }(), "k must be > 0 (got -1)"},
		{"σ < 0", func() error { p := as; p.Sigma = -0.1; return p.Validate() }(), "sigma must be ≥ 0 (got -0.1)"},
		{"τ < 0", func() error { p := as; p.Tau = -1; return p.Validate() }(), "tau must be ≥ 0 (got -1)"},
		{"σ NaN", func() error { p := as; p.Sigma = math.NaN(); return p.Validate() }(), "sigma must be ≥ 0 (got NaN)"},
		{"A = 0", func() error { p := glft; p.A = 0; return p.Validate() }(), "A must be > 0 (got 0)"},
		{"GLFT k = 0", func() error { p := glft; p.K = 0; return p.Validate() }(), "k must be > 0 (got 0)"},
		{"Δ = 0", func() error { p := glft; p.Delta = 0; return p.Validate() }(), "Delta must be > 0 (got 0)"},
		{"η > 1", func() error { p := hb; p.Eta = 1.5; return p.Validate() }(), "eta must be between 0 and 1 (got 1.5)"},
		{"η < 0", func() error { p := hb; p.Eta = -0.1; return p.Validate() }(), "eta must be between 0 and 1 (got -0.1)"},
		{"κ = 0", func() error { p := hb; p.Kappa = 0; return p.Validate() }(), "kappa must be > 0 (got 0)"},
		{"vol < 0", func() error { p := hb; p.Vol = -1; return p.Validate() }(), "vol must be ≥ 0 (got -1)"},
		{"τ frac > 1", func() error { p := hb; p.TauFrac = 2; return p.Validate() }(), "tau-frac must be between 0 and 1 (got 2)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var paramErr *strategy.ModelParamError
			if !errors.As(tc.err, &paramErr) || tc.err.Error() != tc.want {
				t.Errorf("error = %v, want ModelParamError %q", tc.err, tc.want)
			}
		})
	}
	if _, err := strategy.HummingbotAvellaneda(strategy.HummingbotASInput{Mid: 100, TargetBasePct: 50, Gamma: 1, Kappa: 2, TauFrac: 1}); err == nil {
		t.Error("empty portfolio: no error, want one (Hummingbot skips the calculation)")
	}
	if _, err := strategy.AvellanedaStoikovInfinite(100, 12, strategy.ASInfiniteParams{Gamma: 0.1, Sigma: 2, QMax: 10}); err == nil {
		t.Error("q beyond the admissible inventory of ω: no error")
	}
}
