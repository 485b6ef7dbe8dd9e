package strategy

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// String renders one model tick for mm run --explain: the state, the model's inputs (σ, A, k, q, τ) and
// outputs (reservation price, half-spread, skew, level-0 quotes), then the proposal and the cancel and create
// decisions.
func (r ModelResult) String() string {
	var b strings.Builder
	b.WriteString("tick ")
	b.WriteString(r.Explain.Now.UTC().Format(time.RFC3339Nano))
	b.WriteString(" model ")
	b.WriteString(string(r.Status.Code))
	if r.Status.Detail != "" {
		b.WriteString(" (" + r.Status.Detail + ")")
	}
	b.WriteString(" mid ")
	b.WriteString(r.Explain.Ref.Price.String())
	b.WriteByte('\n')
	if r.Quoted {
		q := r.Quote
		b.WriteString("  sigma=" + fmtFloat(q.Sigma) + " A=" + fmtFloat(q.A) + " k=" + fmtFloat(q.K) +
			" q=" + fmtFloat(q.Q) + " tau=" + fmtFloat(q.Tau) + "\n")
		b.WriteString("  reservation=" + fmtFloat(q.Reservation) + " half_spread=" + fmtFloat(q.HalfSpread) +
			" skew=" + fmtFloat(q.Skew) + " bid=" + fmtFloat(q.Bid) + " ask=" + fmtFloat(q.Ask))
		if q.NoBid || q.NoAsk {
			b.WriteString(" (inventory bound: no " + map[bool]string{true: "bid", false: "ask"}[q.NoBid] + ")")
		}
		b.WriteByte('\n')
	}
	for _, d := range r.Explain.Decisions {
		b.WriteString("  " + d + "\n")
	}
	if len(r.Actions.Places) > 0 {
		b.WriteString("  place")
		for _, pl := range r.Actions.Places {
			b.WriteString(" " + string(pl.Side) + " " + pl.Amount.String() + "@" + pl.Price.String())
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}
