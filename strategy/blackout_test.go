package strategy

import (
	"strings"
	"testing"
	"time"
)

func blackoutTime(text string) time.Time {
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		panic(err)
	}
	return t
}

// A daily window whose end is before its start crosses midnight: 22:00–02:00 covers the night, half-open.
func TestDailyBlackoutCrossingMidnight(t *testing.T) {
	start, end, err := ParseDailyWindow("22:00-02:00")
	if err != nil {
		t.Fatal(err)
	}
	b := Blackout{Daily: true, DailyStart: start, DailyEnd: end, Action: BlackoutPause}
	for _, tc := range []struct {
		now    string
		active bool
	}{
		{"2024-01-01T21:59:59Z", false},
		{"2024-01-01T22:00:00Z", true},
		{"2024-01-01T23:59:59Z", true},
		{"2024-01-02T00:00:00Z", true},
		{"2024-01-02T01:59:59Z", true},
		{"2024-01-02T02:00:00Z", false},
		{"2024-01-02T12:00:00Z", false},
		{"2024-01-02T23:30:00+02:00", false}, // 21:30 UTC: the window is in UTC
		{"2024-01-03T00:30:00+02:00", true},  // 22:30 UTC
	} {
		if got := b.Active(blackoutTime(tc.now)); got != tc.active {
			t.Errorf("Active(%s) = %v, want %v", tc.now, got, tc.active)
		}
	}
	if got := b.Describe(); got != " daily 22:00-02:00 UTC, pause" {
		t.Errorf("Describe = %q", got)
	}
}

func TestDailyBlackoutWithinADayAndUntilMidnight(t *testing.T) {
	start, end, _ := ParseDailyWindow("13:25-13:40")
	b := Blackout{Daily: true, DailyStart: start, DailyEnd: end}
	if !b.Active(blackoutTime("2024-03-05T13:25:00Z")) || b.Active(blackoutTime("2024-03-05T13:40:00Z")) || b.Active(blackoutTime("2024-03-05T13:24:59Z")) {
		t.Error("13:25-13:40 is not active exactly on [13:25, 13:40)")
	}
	start, end, err := ParseDailyWindow("23:00-24:00")
	if err != nil || start != 23*time.Hour || end != 0 {
		t.Fatalf("23:00-24:00 = %s, %s, %v; want 23h and 0 (midnight)", start, end, err)
	}
	b = Blackout{Daily: true, DailyStart: start, DailyEnd: end}
	if !b.Active(blackoutTime("2024-03-05T23:59:00Z")) || b.Active(blackoutTime("2024-03-06T00:00:00Z")) {
		t.Error("23:00-24:00 is not active until midnight")
	}
}

func TestAbsoluteBlackoutIsHalfOpen(t *testing.T) {
	b := Blackout{Start: blackoutTime("2024-01-01T00:10:00Z"), End: blackoutTime("2024-01-01T00:20:00Z"), Action: BlackoutPause}
	if b.Active(blackoutTime("2024-01-01T00:09:59Z")) || !b.Active(blackoutTime("2024-01-01T00:10:00Z")) ||
		!b.Active(blackoutTime("2024-01-01T00:19:59Z")) || b.Active(blackoutTime("2024-01-01T00:20:00Z")) {
		t.Error("absolute window is not [start, end)")
	}
}

func TestParseDailyWindowRefusesMalformedWindows(t *testing.T) {
	for _, text := range []string{"", "13:00", "1:00-2:00", "24:00-01:00", "12:60-13:00", "12:00-12:00",
		"00:00-24:00", "aa:bb-cc:dd", "+1:00-02:00", "12:00-25:00", "12:00/13:00"} {
		if _, _, err := ParseDailyWindow(text); err == nil {
			t.Errorf("ParseDailyWindow(%q) accepted it", text)
		} else if !strings.Contains(err.Error(), "HH:MM-HH:MM") && !strings.Contains(err.Error(), "end different") {
			t.Errorf("ParseDailyWindow(%q) = %v, want the format or the equal-ends message", text, err)
		}
	}
}

// Pause wins; overlapping shrinks take the smallest factor, not the product.
func TestEvaluateBlackoutsCombinesWindows(t *testing.T) {
	now := blackoutTime("2024-01-01T12:00:00Z")
	on := func(action BlackoutAction, factor string) Blackout {
		b := Blackout{Start: now.Add(-time.Minute), End: now.Add(time.Minute), Action: action}
		if factor != "" {
			b.Factor = dec(factor)
		}
		return b
	}
	off := Blackout{Start: now.Add(time.Hour), End: now.Add(2 * time.Hour), Action: BlackoutPause}
	if s := EvaluateBlackouts(nil, now); s.Pause || !s.Factor.Equal(one) || s.Active != nil {
		t.Errorf("no windows: %+v", s)
	}
	if s := EvaluateBlackouts([]Blackout{off, on(BlackoutShrink, "0.5"), on(BlackoutShrink, "0.25")}, now); s.Pause ||
		!s.Factor.Equal(dec("0.25")) || len(s.Active) != 2 || s.Active[0] != 1 {
		t.Errorf("two shrinks: %+v, want factor 0.25 and windows 1, 2", s)
	}
	if s := EvaluateBlackouts([]Blackout{on(BlackoutShrink, "0.5"), on(BlackoutPause, "")}, now); !s.Pause {
		t.Errorf("shrink and pause: %+v, want pause", s)
	}
}
