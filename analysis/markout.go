package analysis

import (
	"time"

	"github.com/shopspring/decimal"
)

var bps = decimal.NewFromInt(10000)

// Markout is the mark-out of a set of fills at one horizon (reference/quant.md §4.5): for fill i,
// MO_i(h) = ε·n·(m(t_i + h) − p), the spread capture at h = 0 plus the post-fill drift ε·n·(m(t_i + h) − m(t_i)),
// whose negative is the adverse-selection cost. LoadPnL measures them in its replay pass (markoutStream); the
// one-fill-at-a-time definition they are checked against is markout_reference_test.go.
type Markout struct {
	Horizon    time.Duration
	Fills      int             // fills measured
	Excluded   int             // fills whose t + h is past the end of the window
	TotalQuote decimal.Decimal // Σ MO_i(h)
	DriftQuote decimal.Decimal // Σ post-fill drift
	Notional   decimal.Decimal // Σ n·p of the fills measured
	// WeightedBps is the notional-weighted mark-out in basis points: Σ MO / Σ n·p × 10⁴.
	WeightedBps decimal.Decimal
}
