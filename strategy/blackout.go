package strategy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Blackout windows (issue 6 item 4): an event calendar that pauses or shrinks quoting around scheduled events
// (listings, rate decisions, a venue's maintenance). A blackout is a schedule, not a guard: it never stops the
// run and never latches across restarts; it only says, at each instant of the run's clock, whether to quote and
// how much.

// BlackoutAction is what a blackout does while it is active.
type BlackoutAction string

// The actions.
const (
	// BlackoutPause cancels the own orders and places none.
	BlackoutPause BlackoutAction = "pause"
	// BlackoutShrink multiplies the order amounts by the blackout's factor, 0 < factor < 1.
	BlackoutShrink BlackoutAction = "shrink"
)

// Blackout is one window: either absolute, [Start, End), or daily, [DailyStart, DailyEnd) after 00:00 UTC of
// every day, where DailyEnd < DailyStart crosses midnight (22:00–02:00 is active from 22:00 to 02:00 the next
// morning).
type Blackout struct {
	Name       string // how logs and the journal name it: "blackouts[0]"
	Start, End time.Time
	Daily      bool
	DailyStart time.Duration // since 00:00 UTC
	DailyEnd   time.Duration
	Action     BlackoutAction
	Factor     decimal.Decimal // shrink only
}

// Active says whether the window covers now (the run's clock). Windows are half-open: active at the start,
// inactive at the end.
func (b Blackout) Active(now time.Time) bool {
	if !b.Daily {
		return !now.Before(b.Start) && now.Before(b.End)
	}
	sinceMidnight := sinceUTCMidnight(now)
	if b.DailyStart < b.DailyEnd {
		return sinceMidnight >= b.DailyStart && sinceMidnight < b.DailyEnd
	}
	return sinceMidnight >= b.DailyStart || sinceMidnight < b.DailyEnd
}

// sinceUTCMidnight is the time of day of t in UTC, for the daily windows (blackouts, execution timeframes).
func sinceUTCMidnight(t time.Time) time.Duration {
	t = t.UTC()
	return t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
}

// Describe is the window in the config's words, for logs and the journal's risk events.
func (b Blackout) Describe() string {
	var when string
	if b.Daily {
		when = "daily " + formatClock(b.DailyStart) + "-" + formatClock(b.DailyEnd) + " UTC"
	} else {
		when = b.Start.UTC().Format(time.RFC3339) + " to " + b.End.UTC().Format(time.RFC3339)
	}
	if b.Action == BlackoutShrink {
		return fmt.Sprintf("%s %s, shrink ×%s", b.Name, when, b.Factor)
	}
	return fmt.Sprintf("%s %s, pause", b.Name, when)
}

// BlackoutState is what the active blackouts ask for at one instant.
type BlackoutState struct {
	Pause  bool
	Factor decimal.Decimal // the smallest factor of the active shrink windows; 1 when none is active
	Active []int           // indexes of the active windows, in configuration order
}

// EvaluateBlackouts combines the windows active at now: any active pause pauses; overlapping shrinks take the
// smallest factor (the most cautious one), not the product, so two overlapping 0.5 windows quote half, not a
// quarter. It allocates only when a window is active.
func EvaluateBlackouts(windows []Blackout, now time.Time) BlackoutState {
	s := BlackoutState{Factor: one}
	for i, b := range windows {
		if !b.Active(now) {
			continue
		}
		s.Active = append(s.Active, i)
		switch b.Action {
		case BlackoutPause:
			s.Pause = true
		case BlackoutShrink:
			if b.Factor.LessThan(s.Factor) {
				s.Factor = b.Factor
			}
		}
	}
	return s
}

// ParseDailyWindow reads "HH:MM-HH:MM" (UTC, 24-hour clock, 24:00 allowed as the end). The end may be before the
// start (the window crosses midnight) but not equal to it: an empty or a whole-day window is surely a typo.
func ParseDailyWindow(text string) (start, end time.Duration, err error) {
	from, to, ok := strings.Cut(text, "-")
	if !ok {
		return 0, 0, fmt.Errorf("must be HH:MM-HH:MM in UTC, for example 13:25-13:40 (got %q)", text)
	}
	if start, err = parseClock(strings.TrimSpace(from), false); err == nil {
		end, err = parseClock(strings.TrimSpace(to), true)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("must be HH:MM-HH:MM in UTC with HH 00 to 23 and MM 00 to 59, for example 13:25-13:40 (got %q)", text)
	}
	if end == 24*time.Hour {
		end = 0
	}
	if start == end {
		return 0, 0, fmt.Errorf("must have an end different from its start; a window crossing midnight is allowed, for example 23:30-00:30 (got %q)", text)
	}
	return start, end, nil
}

func parseClock(text string, allow24 bool) (time.Duration, error) {
	hh, mm, ok := strings.Cut(text, ":")
	if !ok || len(hh) != 2 || len(mm) != 2 || strings.Trim(hh+mm, "0123456789") != "" {
		return 0, fmt.Errorf("not HH:MM")
	}
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	switch {
	case errH != nil || errM != nil || h < 0 || m < 0 || m > 59:
		return 0, fmt.Errorf("not HH:MM")
	case h == 24 && m == 0 && allow24:
	case h > 23:
		return 0, fmt.Errorf("not HH:MM")
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func formatClock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
