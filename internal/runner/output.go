package runner

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// progress is the replay's one-line progress display on a terminal, redrawn at most every progressEvery of
// wall time.
type progress struct {
	last  time.Time
	drawn bool
}

const progressEvery = 200 * time.Millisecond

// report draws the replay progress line (a terminal, not live) or, live or paced, logs a status line every
// status interval of event time.
func (r *run) report() {
	if r.src.Live() {
		if r.statusInterval > 0 && !r.now.Before(r.nextStatus) {
			for !r.now.Before(r.nextStatus) {
				r.nextStatus = r.nextStatus.Add(r.statusInterval)
			}
			r.status()
		}
		return
	}
	if !r.opts.Progress {
		return
	}
	if r.progress == nil {
		r.progress = &progress{}
	}
	if time.Since(r.progress.last) < progressEvery {
		return
	}
	r.progress.last, r.progress.drawn = time.Now(), true
	done := ""
	if r.duration > 0 {
		done = fmt.Sprintf(" %3.0f%%", 100*float64(r.elapsed())/float64(r.duration))
	}
	fmt.Fprintf(r.opts.Stderr, "\rreplay%s %s +%s  fills %d  open orders %d\x1b[K", done,
		r.now.UTC().Format(time.DateTime), r.elapsed().Truncate(time.Second), r.fills, r.openOrders())
}

func (r *run) finishProgress() {
	if r.progress != nil && r.progress.drawn {
		fmt.Fprintln(r.opts.Stderr)
	}
}

// status logs mid, spread, inventory share, open orders and the PnL so far (current value minus the value of
// the start balances at today's mid, as the kill switch and mm history measure it).
func (r *run) status() {
	mid := r.mid()
	if mid.Sign() <= 0 {
		r.log.Info("status", append([]any{"mid", "none yet", "open_orders", r.openOrders(), "fills", r.fills},
			r.modelAttrs()...)...)
		return
	}
	base, quote := r.balanceTotal(r.pair.Base), r.balanceTotal(r.pair.Quote)
	value := base.Mul(mid).Add(quote)
	inventoryPct := decimal.Zero
	if value.Sign() > 0 {
		inventoryPct = base.Mul(mid).Div(value).Mul(decimal.NewFromInt(100))
	}
	spreadBps := r.ask.Sub(r.bid).Div(mid).Mul(decimal.NewFromInt(10000))
	pnl := value.Sub(r.startBase.Mul(mid).Add(r.startQuote))
	r.log.Info("status", append([]any{"time", r.now.UTC().Format(time.RFC3339), "mid", mid,
		"spread_bps", spreadBps.Round(4), "inventory_base_pct", inventoryPct.Round(2), "open_orders", r.openOrders(),
		"fills", r.fills, "pnl_" + r.pair.Quote, pnl.Round(8)}, append(r.modelAttrs(), r.sizingStatus()...)...)...)
}

func (r *run) openOrders() int {
	n := 0
	for _, o := range r.orders {
		if o.open() {
			n++
		}
	}
	return n
}

// openOrderIDs are the client ids of the open own orders, sorted so that cancels go out in a reproducible order.
// Only the open ones are sorted: the run tracks up to orderRetention finished orders besides them.
func (r *run) openOrderIDs() []string {
	var ids []string
	for id, o := range r.orders {
		if o.open() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (r *run) summary() Summary {
	return Summary{Fills: r.fills, BaseVolume: r.baseVolume, QuoteVolume: r.quoteVol, Fees: maps.Clone(r.fees),
		StartBase: r.startBase, StartQuote: r.startQuote, EndBase: r.balanceTotal(r.pair.Base),
		EndQuote: r.balanceTotal(r.pair.Quote), EndMid: r.mid()}
}
