package strategy

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// The risk guards (DESIGN.md §6), in one place — what trips each, whether it latches, what AllowOrder refuses:
//   - kill_switch: the return since the start, as mm history computes it, ≤ rate < 0 or ≥ rate > 0, checked
//     every 10 s with no debounce (Hummingbot's semantics). Sticky. Refuses every order; reducing ones pass when
//     reduce_only_after_trip.
//   - daily_loss: equity ≤ the UTC day's first equity − limit, Debounce evaluations in a row. Sticky; as kill_switch.
//   - drawdown: equity ≤ peak·(1 − pct/100), Debounce evaluations in a row. Sticky; as kill_switch.
//   - max_inventory: |base| > max_inventory_base. Self-clearing. Refuses the side that adds to |base|.
//   - stale_data: no market data for longer than stale_data_timeout. Self-clearing. Refuses every order.
//   - risk_input_invalid: a configured guard lacks its mid or balances. Self-clearing. Refuses every order.
//
// Sticky trips persist until ClearTrips (`mm run --clear-trip`) and across restarts (RestoreTrips); the others
// clear themselves at the first evaluation that finds the condition gone. Equity is quote + base·mid, on total
// balances. The runner applies AllowOrder to every order it would place and stops (exit 3) on a sticky trip
// unless reduce_only_after_trip keeps it running to reduce.

// RiskGuard names a risk guard, spelled as the journal's risk events spell it (journal.RiskEvent.Guard).
type RiskGuard string

// The guards (DESIGN.md §6, reference/quant.md §6).
const (
	GuardKillSwitch   RiskGuard = "kill_switch"
	GuardMaxInventory RiskGuard = "max_inventory"
	GuardDailyLoss    RiskGuard = "daily_loss"
	GuardDrawdown     RiskGuard = "drawdown"
	GuardStaleData    RiskGuard = "stale_data"
	// GuardInputInvalid is not a limit but the guards failing closed: a configured guard could not be evaluated
	// (no mid, no balances), so new exposure is blocked rather than waved through (users.md HB #2534).
	GuardInputInvalid RiskGuard = "risk_input_invalid"
)

// Sticky says whether a trip of g latches until `mm run --clear-trip` (and survives restarts, see RestoreTrips).
// The stop guards (kill switch, daily loss, drawdown) and any guard this package does not know are sticky, so an
// unknown trip restored from the journal fails closed. The others describe a condition of the moment and clear
// themselves when it ends: stale data when data returns, invalid input when it is valid again, and max inventory
// when |base| is back under the cap — a cap is a quoting constraint on one side (quant.md §6.1), and latching it
// would leave the bot a one-sided seller until someone clears it.
func (g RiskGuard) Sticky() bool {
	switch g {
	case GuardMaxInventory, GuardStaleData, GuardInputInvalid:
		return false
	}
	return true
}

// RiskAction says whether a RiskTrip is a guard tripping or clearing; the values are the journal's
// (journal.RiskTrip, journal.RiskClear).
type RiskAction string

// The two actions.
const (
	RiskActionTrip  RiskAction = "trip"
	RiskActionClear RiskAction = "clear"
)

// RiskTrip is a guard tripping or clearing: what EvaluateRisk and ClearTrips report for the runner to act on and
// journal, and, with Action trip, an entry of RiskState.Tripped. Value and Limit are in the guard's unit: percent
// for kill_switch (the return) and drawdown (below the peak), base units for max_inventory (the signed base
// balance, limit the cap), quote units for daily_loss (the drop since the day's first equity), seconds for
// stale_data (the data's age); risk_input_invalid has neither.
type RiskTrip struct {
	Guard  RiskGuard
	Action RiskAction
	Time   time.Time
	Value  decimal.NullDecimal
	Limit  decimal.NullDecimal
	Detail string
}

// RiskInput is what one evaluation of the guards sees.
type RiskInput struct {
	Now time.Time       // the injected clock: event time in replays, wall clock live
	Mid decimal.Decimal // zero or negative: no price
	// BaseBalance and QuoteBalance are the account's totals (free plus locked in orders); invalid when unknown.
	BaseBalance, QuoteBalance decimal.NullDecimal
	// FillsSinceStart counts the run's fills; with none the kill switch's return is 0, as Hummingbot's is when
	// history has no trades (users.md HB #1145), whatever deposits or withdrawals did to the balances.
	FillsSinceStart int
	LastMarketData  time.Time // when the last book or trade update arrived; zero if none yet
}

// RiskState is what the guards remember between evaluations. EvaluateRisk takes it by value and returns a new one
// without modifying the given one's slices. The fields are exported so the runner can persist or seed them (for
// example the day's first equity from the journal after a restart).
type RiskState struct {
	StartedAt time.Time // the first evaluation; stale data counts from here until data arrives

	// The run's start, for the kill switch's return (reference/hummingbot.md §4.3): recorded balances, so fees
	// are already inside them. StartPrice is kept for reports only: the hold value uses the current price.
	HasStart              bool
	StartBase, StartQuote decimal.Decimal
	StartPrice            decimal.Decimal

	// HasBase and Base are the last base balance seen; AllowOrder reads the position's sign from them.
	HasBase bool
	Base    decimal.Decimal

	LastKillSwitchCheck time.Time
	ReturnPct           decimal.NullDecimal // the kill switch's last return, in percent

	// Day is 00:00 UTC of the day DayStartEquity belongs to (zero before the first equity).
	Day               time.Time
	DayStartEquity    decimal.Decimal
	DailyLossBreaches int // consecutive evaluations at or past the daily loss limit

	// PeakEquity is the highest equity sustained over Debounce consecutive evaluations; RecentEquity holds the
	// last Debounce equities it is taken from.
	PeakEquity       decimal.NullDecimal
	RecentEquity     []decimal.Decimal
	DrawdownBreaches int // consecutive evaluations at or past the drawdown limit

	LastMarketData time.Time

	// Tripped are the guards tripped now, one entry per guard, in trip order.
	Tripped []RiskTrip
}

// KillSwitchInterval is how often the kill switch is checked: Hummingbot's ActiveKillSwitch loop sleeps 10 s
// between checks (reference/hummingbot.md §6.1), so a return that touches the rate between checks does not fire.
const KillSwitchInterval = 10 * time.Second

// NewRiskState starts the guards' state at the run's start balance snapshot and mid. EvaluateRisk seeds the same
// from its first input with balances and a mid when the runner did not.
func NewRiskState(start time.Time, base, quote, mid decimal.Decimal) RiskState {
	return RiskState{StartedAt: start, HasStart: true, StartBase: base, StartQuote: quote, StartPrice: mid}
}

// IsTripped says whether g is tripped now.
func (s RiskState) IsTripped(g RiskGuard) bool { return s.tripIndex(g) >= 0 }

// Halted says whether a sticky guard is tripped: the runner cancels its orders and stops (exit 3), or with
// reduce_only_after_trip keeps only reducing orders.
func (s RiskState) Halted() bool {
	for _, t := range s.Tripped {
		if t.Guard.Sticky() {
			return true
		}
	}
	return false
}

// EvaluateRisk evaluates every configured guard on one input and returns the new state with the trips and clears
// that happened now (never one already reported: a tripped guard is not reported again every tick, users.md
// dashboard #206). Order: input validity, stale data, max inventory, kill switch, daily loss, drawdown.
//
// A guard that needs an input the evaluation lacks (a mid, both balances) is skipped and risk_input_invalid trips
// instead: fail closed (users.md HB #2534). Sticky guards already tripped are not re-evaluated.
func EvaluateRisk(p RiskParams, s RiskState, in RiskInput) (RiskState, []RiskTrip) {
	e := riskEval{p: p, s: s, in: in}
	e.s.RecentEquity = slices.Clone(s.RecentEquity)
	e.s.Tripped = slices.Clone(s.Tripped)
	if e.s.StartedAt.IsZero() {
		e.s.StartedAt = in.Now
	}
	if in.LastMarketData.After(e.s.LastMarketData) {
		e.s.LastMarketData = in.LastMarketData
	}

	balancesOK := in.BaseBalance.Valid && in.QuoteBalance.Valid
	midOK := in.Mid.Sign() > 0
	e.inputValidity(balancesOK, midOK)
	e.staleData()
	if balancesOK {
		e.s.HasBase, e.s.Base = true, in.BaseBalance.Decimal
	}
	e.maxInventory(balancesOK)
	if balancesOK && midOK {
		if !e.s.HasStart {
			e.s.HasStart = true
			e.s.StartBase, e.s.StartQuote, e.s.StartPrice = in.BaseBalance.Decimal, in.QuoteBalance.Decimal, in.Mid
		}
		e.killSwitch()
		if p.dailyLossOn() || p.drawdownOn() {
			equity := in.QuoteBalance.Decimal.Add(in.BaseBalance.Decimal.Mul(in.Mid))
			e.dailyLoss(equity)
			e.drawdown(equity)
		}
	}
	return e.s, e.changes
}

// riskEval is one evaluation in progress.
type riskEval struct {
	p       RiskParams
	s       RiskState
	in      RiskInput
	changes []RiskTrip
}

// transition trips g when active and not tripped, or clears a self-clearing g when inactive and tripped, and
// says whether it did; the caller then describes the change. Values and messages are built only on a change:
// the guards run every tick.
func (e *riskEval) transition(g RiskGuard, active bool) bool {
	i := e.s.tripIndex(g)
	switch {
	case active && i < 0:
		t := RiskTrip{Guard: g, Action: RiskActionTrip, Time: e.in.Now}
		e.s.Tripped = append(e.s.Tripped, t)
		e.changes = append(e.changes, t)
		return true
	case !active && i >= 0 && !g.Sticky():
		e.s.Tripped = slices.Delete(e.s.Tripped, i, i+1)
		e.changes = append(e.changes, RiskTrip{Guard: g, Action: RiskActionClear, Time: e.in.Now})
		return true
	}
	return false
}

// describe sets the value, limit and detail of the change transition just made, and of the trip it recorded.
func (e *riskEval) describe(value, limit decimal.NullDecimal, format string, args ...any) {
	c := &e.changes[len(e.changes)-1]
	c.Value, c.Limit, c.Detail = value, limit, fmt.Sprintf(format, args...)
	if c.Action == RiskActionTrip {
		e.s.Tripped[len(e.s.Tripped)-1] = *c
	}
}

func (e *riskEval) inputValidity(balancesOK, midOK bool) {
	noBalances := e.p.needsBalances() && !balancesOK
	noMid := e.p.needsMid() && !midOK
	if !e.transition(GuardInputInvalid, noBalances || noMid) {
		return
	}
	var none decimal.NullDecimal
	switch {
	case noBalances && noMid:
		e.describe(none, none, "risk guards cannot be evaluated without balances and a positive mid (got %s): "+
			"new exposure blocked", e.in.Mid)
	case noBalances:
		e.describe(none, none, "risk guards cannot be evaluated without base and quote balances: new exposure blocked")
	case noMid:
		e.describe(none, none, "risk guards cannot be evaluated without a positive mid (got %s): new exposure blocked",
			e.in.Mid)
	default:
		e.describe(none, none, "risk guards can be evaluated again")
	}
}

// staleData trips when no market data arrived for longer than stale_data_timeout, counting from the first
// evaluation until the first data, and clears as soon as data is fresh again (quant.md §6.5: pull quotes).
func (e *riskEval) staleData() {
	since := e.s.LastMarketData
	if since.IsZero() {
		since = e.s.StartedAt
	}
	age := e.in.Now.Sub(since)
	stale := e.p.staleDataOn() && age > e.p.StaleDataTimeout
	if !e.transition(GuardStaleData, stale) {
		return
	}
	if stale {
		e.describe(seconds(age), seconds(e.p.StaleDataTimeout),
			"no market data for %s, longer than stale_data_timeout %s: every order refused", age, e.p.StaleDataTimeout)
		return
	}
	e.describe(seconds(age), seconds(e.p.StaleDataTimeout), "market data fresh again (%s old)", age)
}

// maxInventory trips while |base| > max_inventory_base (quant.md §6.1); AllowOrder then refuses only the side
// that adds to the position. Without balances the state is left as it was.
func (e *riskEval) maxInventory(balancesOK bool) {
	if !balancesOK && e.p.maxInventoryOn() {
		return
	}
	base := e.in.BaseBalance.Decimal
	over := e.p.maxInventoryOn() && base.Abs().GreaterThan(e.p.MaxInventoryBase)
	if !e.transition(GuardMaxInventory, over) {
		return
	}
	value, limit := decimal.NewNullDecimal(base), decimal.NewNullDecimal(e.p.MaxInventoryBase)
	if over {
		e.describe(value, limit, "base balance %s is beyond max_inventory_base %s: orders adding to it are refused",
			base, e.p.MaxInventoryBase)
		return
	}
	e.describe(value, limit, "base balance %s back within max_inventory_base %s", base, e.p.MaxInventoryBase)
}

// killSwitch is Hummingbot's ActiveKillSwitch (reference/hummingbot.md §6.1): every 10 s, the return since the
// start as `mm history` computes it against the rate divided by 100; it fires when rate < 0 and return ≤ rate, or
// rate > 0 and return ≥ rate. Like Hummingbot's, it has no debounce.
func (e *riskEval) killSwitch() {
	if !e.p.killSwitchOn() || e.s.IsTripped(GuardKillSwitch) {
		return
	}
	last := e.s.LastKillSwitchCheck
	if !last.IsZero() && e.in.Now.Sub(last) < KillSwitchInterval {
		return
	}
	e.s.LastKillSwitchCheck = e.in.Now
	ret := KillSwitchReturn(e.s.StartBase, e.s.StartQuote, e.in.BaseBalance.Decimal, e.in.QuoteBalance.Decimal,
		e.in.Mid, e.in.FillsSinceStart)
	retPct := ret.Mul(hundred)
	e.s.ReturnPct = decimal.NewNullDecimal(retPct)
	rate := e.p.KillSwitchRatePct.Shift(-2) // exact; Div would round to 16 places
	fire := (rate.Sign() < 0 && ret.LessThanOrEqual(rate)) || (rate.Sign() > 0 && ret.GreaterThanOrEqual(rate))
	if e.transition(GuardKillSwitch, fire) {
		e.describe(decimal.NewNullDecimal(retPct), decimal.NewNullDecimal(e.p.KillSwitchRatePct),
			"return %s %% since the run started reached kill_switch_rate %s %%", retPct.Round(4), e.p.KillSwitchRatePct)
	}
}

// dailyLoss trips when equity dropped by daily_loss_limit_quote or more since the UTC day's first equity, for
// Debounce consecutive evaluations (quant.md §6.4). The day rolls over at 00:00 UTC of the injected clock, never
// the wall clock, so a backtest's days are the data's days.
func (e *riskEval) dailyLoss(equity decimal.Decimal) {
	if !e.p.dailyLossOn() {
		return
	}
	day := utcDay(e.in.Now)
	if !day.Equal(e.s.Day) {
		e.s.Day, e.s.DayStartEquity, e.s.DailyLossBreaches = day, equity, 0
	}
	if e.s.IsTripped(GuardDailyLoss) {
		return
	}
	loss := e.s.DayStartEquity.Sub(equity)
	e.s.DailyLossBreaches = breaches(e.s.DailyLossBreaches, loss.GreaterThanOrEqual(e.p.DailyLossLimitQuote))
	if e.transition(GuardDailyLoss, e.s.DailyLossBreaches >= e.p.debounce()) {
		e.describe(decimal.NewNullDecimal(loss), decimal.NewNullDecimal(e.p.DailyLossLimitQuote),
			"equity %s is %s below the day's first equity %s (%s UTC) for %d evaluations, daily_loss_limit_quote %s",
			equity, loss, e.s.DayStartEquity, day.Format(time.DateOnly), e.s.DailyLossBreaches, e.p.DailyLossLimitQuote)
	}
}

// drawdown trips when equity ≤ peak·(1 − max_drawdown_pct/100) for Debounce consecutive evaluations: a trailing
// stop from the peak, not from the start (users.md HB #2969). The peak only rises to a level equity held for
// Debounce evaluations in a row, so one phantom high mid cannot lift the peak and trip everything after it.
func (e *riskEval) drawdown(equity decimal.Decimal) {
	if !e.p.drawdownOn() {
		return
	}
	n := e.p.debounce()
	e.s.RecentEquity = append(e.s.RecentEquity, equity)
	if len(e.s.RecentEquity) > n {
		e.s.RecentEquity = slices.Delete(e.s.RecentEquity, 0, len(e.s.RecentEquity)-n)
	}
	sustained := slices.MinFunc(e.s.RecentEquity, decimal.Decimal.Cmp)
	if !e.s.PeakEquity.Valid || sustained.GreaterThan(e.s.PeakEquity.Decimal) {
		e.s.PeakEquity = decimal.NewNullDecimal(sustained)
	}
	if e.s.IsTripped(GuardDrawdown) {
		return
	}
	peak := e.s.PeakEquity.Decimal
	floor := peak.Mul(hundred.Sub(e.p.MaxDrawdownPct)).Shift(-2)
	e.s.DrawdownBreaches = breaches(e.s.DrawdownBreaches, peak.Sign() > 0 && equity.LessThanOrEqual(floor))
	if e.transition(GuardDrawdown, e.s.DrawdownBreaches >= n) {
		belowPct := divContext28(peak.Sub(equity), peak).Mul(hundred)
		e.describe(decimal.NewNullDecimal(belowPct), decimal.NewNullDecimal(e.p.MaxDrawdownPct),
			"equity %s is %s %% below its peak %s for %d evaluations, max_drawdown_pct %s",
			equity, belowPct.Round(4), peak, e.s.DrawdownBreaches, e.p.MaxDrawdownPct)
	}
}

// breaches counts consecutive breaching evaluations.
func breaches(count int, breach bool) int {
	if breach {
		return count + 1
	}
	return 0
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func seconds(d time.Duration) decimal.NullDecimal {
	return decimal.NewNullDecimal(decimal.New(d.Milliseconds(), -3))
}

func (s RiskState) tripIndex(g RiskGuard) int {
	return slices.IndexFunc(s.Tripped, func(t RiskTrip) bool { return t.Guard == g })
}
