package strategy

import (
	"slices"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// AllowOrder is the filter the runner applies to every order it is about to place, given the tripped guards
// (normally s.Tripped) and the position s last saw. An order "reduces" when it trades against the sign of the
// base balance (a sell while long, a buy while short); from a flat or unknown position every order adds.
//   - max_inventory refuses only the side that adds to |base| (quant.md §6.1): buys while long, sells while short.
//   - stale_data and risk_input_invalid refuse every order: without fresh data or a valid input even a reducing
//     order would be priced or sized blind.
//   - the stop guards (kill_switch, daily_loss, drawdown, and any unknown guard) refuse every order, except
//     reducing ones when reduce_only_after_trip is set (users.md NT PR #4761).
//
// AllowOrder sees no amount: the runner caps a reducing order at |base| so it cannot flip the position.
func AllowOrder(trips []RiskTrip, side market.Side, p RiskParams, s RiskState) bool {
	reduces := s.HasBase && ((s.Base.Sign() > 0 && side == market.Sell) || (s.Base.Sign() < 0 && side == market.Buy))
	for _, t := range trips {
		if t.Action == RiskActionClear {
			continue
		}
		switch t.Guard {
		case GuardMaxInventory:
			if !reduces {
				return false
			}
		case GuardStaleData, GuardInputInvalid:
			return false
		default:
			if !p.ReduceOnlyAfterTrip || !reduces {
				return false
			}
		}
	}
	return true
}

// RestoreTrips seeds the state with trips still open in the journal (journal.TrippedGuards, converted by the
// runner), so a sticky guard tripped by an earlier run stays tripped after a restart (users.md HB #1866: a run
// must refuse until the trip is cleared). No change is reported: the journal already holds these trips. A
// restored self-clearing guard clears at the next evaluation that finds its condition gone, which journals the
// clear the crashed run never wrote. A restored guard replaces a tripped entry of the same guard.
func RestoreTrips(s RiskState, trips []RiskTrip) RiskState {
	s.Tripped = slices.Clone(s.Tripped)
	for _, t := range trips {
		t.Action = RiskActionTrip
		if i := s.tripIndex(t.Guard); i >= 0 {
			s.Tripped[i] = t
			continue
		}
		s.Tripped = append(s.Tripped, t)
	}
	return s
}

// ClearTrips clears the given guards, or every tripped guard when none is given (`mm run --clear-trip`), and
// returns the clears to journal. Clearing re-arms the guard from the next evaluation rather than from history,
// so a cleared guard does not re-trip at once on the same numbers (users.md HB #1866): the kill switch takes the
// next evaluation's balances as its start, the daily loss limit the next equity as the day's first, the drawdown
// guard the next equity as its peak; their debounce counts restart at zero.
func ClearTrips(s RiskState, now time.Time, guards ...RiskGuard) (RiskState, []RiskTrip) {
	s.Tripped = slices.Clone(s.Tripped)
	var cleared []RiskTrip
	kept := s.Tripped[:0]
	for _, t := range s.Tripped {
		if len(guards) > 0 && !slices.Contains(guards, t.Guard) {
			kept = append(kept, t)
			continue
		}
		cleared = append(cleared, RiskTrip{Guard: t.Guard, Action: RiskActionClear, Time: now, Value: t.Value,
			Limit: t.Limit, Detail: "cleared by the operator"})
		switch t.Guard {
		case GuardKillSwitch:
			s.HasStart = false
			s.LastKillSwitchCheck = time.Time{}
			s.ReturnPct.Valid = false
		case GuardDailyLoss:
			s.Day = time.Time{}
			s.DailyLossBreaches = 0
		case GuardDrawdown:
			s.PeakEquity.Valid = false
			s.RecentEquity = nil
			s.DrawdownBreaches = 0
		}
	}
	s.Tripped = kept
	return s, cleared
}
