package strategy

import "math"

// GLFTParams are the parameters of the GLFT closed-form asymptotic quotes in Guéant's (2017) generalisation
// (quant.md §2.3, eqs. 4.6/4.7). Units as in hftbacktest (§2.4): prices in ticks, σ in ticks/√s, A per second,
// k and γ per tick.
type GLFTParams struct {
	A     float64 // arrival rate of takers reaching depth 0; > 0
	K     float64 // decay of the fill intensity with depth; > 0
	Gamma float64 // γ, risk aversion; > 0
	Sigma float64 // σ, absolute volatility; ≥ 0
	Delta float64 // Δ, lot size per fill in inventory units; > 0 (1 = the 2013 paper)
	Xi    float64 // ξ, objective parameter; ≥ 0 (ξ = γ: CARA "model A"; ξ = 0: "model B")
	// QMax is the inventory bound Q: no bid at q ≥ Q, no ask at q ≤ −Q (§2.1). 0 means unbounded.
	QMax float64
}

// Validate names the parameter and its accepted range.
func (p GLFTParams) Validate() error {
	return firstError(
		positiveParam("A", p.A),
		positiveParam("k", p.K),
		positiveParam("gamma", p.Gamma),
		nonNegativeParam("sigma", p.Sigma),
		positiveParam("Delta", p.Delta),
		nonNegativeParam("xi", p.Xi),
		nonNegativeParam("q-max", p.QMax),
	)
}

// GLFTQuote is the stationary quote of GLFT at inventory q. Depths are measured from the reference price:
// bid = S − DeltaBid, ask = S + DeltaAsk. A side at the inventory bound is not quoted (Quoted false, depth 0).
type GLFTQuote struct {
	C1, C2            float64
	HalfSpread        float64 // c1 + (Δ/2)σc2
	Skew              float64 // σc2, quote-centre shift per unit of inventory
	DeltaBid          float64 // half + skew·q
	DeltaAsk          float64 // half − skew·q
	BidQuoted         bool
	AskQuoted         bool
	TotalSpread       float64 // 2·half, independent of q
	QuoteCentreOffset float64 // −skew·q: the reservation price is S + offset
}

// GLFT computes the closed-form asymptotic quotes (quant.md §2.3):
//
//	c1 = (1/(ξΔ))·ln(1 + ξΔ/k)
//	c2 = sqrt( (γ/(2AΔk))·(1 + ξΔ/k)^{k/(ξΔ) + 1} )
//	δ^b = c1 + ((2q + Δ)/2)·σc2,  δ^a = c1 − ((2q − Δ)/2)·σc2
//
// With ξ = 0 the limits are c1 = 1/k and c2 = sqrt(γe/(2AΔk)) (model B). With Δ = 1 and ξ = γ this is the
// GLFT 2013 approximation that hftbacktest quotes with (§2.4).
func GLFT(q float64, p GLFTParams) (GLFTQuote, error) {
	if err := p.Validate(); err != nil {
		return GLFTQuote{}, err
	}
	if err := finiteParam("q", q); err != nil {
		return GLFTQuote{}, err
	}
	var c1, c2 float64
	if p.Xi == 0 {
		c1 = 1 / p.K
		c2 = math.Sqrt(p.Gamma * math.E / (2 * p.A * p.Delta * p.K))
	} else {
		xiDelta := p.Xi * p.Delta
		c1 = math.Log1p(xiDelta/p.K) / xiDelta
		c2 = math.Sqrt(p.Gamma / (2 * p.A * p.Delta * p.K) * math.Pow(1+xiDelta/p.K, p.K/xiDelta+1))
	}
	skew := p.Sigma * c2
	half := c1 + p.Delta/2*skew
	centreOffset := -skew * q
	if centreOffset == 0 {
		centreOffset = 0 // no "-0" at q = 0
	}
	quote := GLFTQuote{
		C1:                c1,
		C2:                c2,
		HalfSpread:        half,
		Skew:              skew,
		TotalSpread:       2 * half,
		QuoteCentreOffset: centreOffset,
		BidQuoted:         p.QMax == 0 || q < p.QMax,
		AskQuoted:         p.QMax == 0 || q > -p.QMax,
	}
	if quote.BidQuoted {
		quote.DeltaBid = half + skew*q
	}
	if quote.AskQuoted {
		quote.DeltaAsk = half - skew*q
	}
	return quote, nil
}
