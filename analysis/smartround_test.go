package analysis

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/internal/sharedtest"
)

// Vector perf_smart_round: Hummingbot's own test cases for smart_round.
func TestSmartRoundReproducesHummingbotVector(t *testing.T) {
	v := sharedtest.Vectors(t, "hummingbot.json")["perf_smart_round"]
	var in struct {
		Cases []string `json:"cases"`
	}
	var want struct {
		Results []string `json:"results"`
	}
	sharedtest.Decode(t, v.Inputs, &in)
	sharedtest.Decode(t, v.Expected, &want)
	checked := 0
	for i, c := range in.Cases {
		if c == "None" || c == "NaN" {
			continue // Go decimals have neither; the CLI never passes them
		}
		precision := int32(-1)
		value := c
		if c == "0.123456 (precision=2)" {
			value, precision = "0.123456", 2
		}
		got := FormatRounded(decimal.RequireFromString(value), precision)
		if !decimal.RequireFromString(got).Equal(decimal.RequireFromString(want.Results[i])) {
			t.Errorf("smart_round(%s) = %s, want %s", c, got, want.Results[i])
		}
		checked++
	}
	if checked != 8 {
		t.Fatalf("checked %d cases, want 8", checked)
	}
}

func TestSmartRoundKeepsTheStepScaleAndTruncatesTowardZero(t *testing.T) {
	tests := []struct{ in, want string }{
		{"9221", "9221.0"},      // (100, 10000): step 0.1, printed with one decimal as Python prints it
		{"10020", "10020"},      // ≥ 10000: step 1
		{"799.0", "799.0"},      //
		{"-3.0754793", "-3.07"}, // toward zero, not floor
		{"100", "100"},          // boundaries are exclusive
		{"1", "1"},
		{"0.01", "0"}, // exactly 0.01 falls in no band: step 1
	}
	for _, tc := range tests {
		if got := FormatRounded(decimal.RequireFromString(tc.in), -1); got != tc.want {
			t.Errorf("FormatRounded(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestFormatPercentRoundsHalfEven(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.08665003795683765318295195749", "8.67%"},
		{"-0.0976156", "-9.76%"},
		{"0.00125", "0.12%"}, // ties go to the even digit, as Python's Decimal formatting does
		{"0.00135", "0.14%"},
		{"0.00155", "0.16%"},
	}
	for _, tc := range tests {
		if got := FormatPercent(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("FormatPercent(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestDivSignificantMatchesPythonDecimal(t *testing.T) {
	// perf_spot: total_pnl / hold_value = 799.0 / 9221.0 under Python's 28-digit context.
	got := divSignificant(decimal.RequireFromString("799.0"), decimal.RequireFromString("9221.0"))
	if want := "0.08665003795683765318295195749"; got.String() != want {
		t.Errorf("799/9221 = %s, want %s", got, want)
	}
	if got := divSignificant(decimal.NewFromInt(1), decimal.Zero); !got.IsZero() {
		t.Errorf("x/0 = %s, want 0 (Hummingbot's divide)", got)
	}
}
