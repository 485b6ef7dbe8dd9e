package market

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestFloorToStep(t *testing.T) {
	tests := []struct{ x, step, want string }{
		{"0.0123456", "0.001", "0.012"},
		{"1.5", "0.5", "1.5"},
		{"1.49999", "0.5", "1"},
		{"7", "0", "7"},
		{"0.0004", "0.001", "0"},
	}
	for _, tc := range tests {
		got := FloorToStep(decimal.RequireFromString(tc.x), decimal.RequireFromString(tc.step))
		if !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("FloorToStep(%s, %s) = %s, want %s", tc.x, tc.step, got, tc.want)
		}
	}
}

// Hummingbot's mock market quantizes to 6 significant digits and at most 6 decimals; the reference sizes of
// vector pmm_skew_multi_level come out of that rule.
func TestFloorSignificantMatchesHummingbotQuantum(t *testing.T) {
	tests := []struct{ x, want string }{
		{"0.65134999999999854", "0.651349"},
		{"1.3486500000000014", "1.34865"},
		{"4.0459500000000044", "4.04595"},
		{"100", "100"},
		{"1234567.89", "1234560"},
		{"0.0000012345", "0.000001"},
		{"0.00000012345", "0"},
	}
	for _, tc := range tests {
		got := FloorSignificant(decimal.RequireFromString(tc.x), 6, 6)
		if !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("FloorSignificant(%s) = %s, want %s", tc.x, got, tc.want)
		}
	}
}

func TestExactFromFloatIsExact(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0.5, "0.5"},
		{2, "2"},
		{0.1, "0.1000000000000000055511151231257827021181583404541015625"},
		{-1.25, "-1.25"},
		{1 << 60, "1152921504606846976"},
	}
	for _, tc := range tests {
		if got := ExactFromFloat(tc.f); got.String() != tc.want {
			t.Errorf("ExactFromFloat(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestParsePair(t *testing.T) {
	p, err := ParsePair("btc-usdt")
	if err != nil || p.Base != "BTC" || p.Quote != "USDT" || p.String() != "BTC-USDT" {
		t.Fatalf("ParsePair(btc-usdt) = %+v, %v", p, err)
	}
	for _, bad := range []string{"BTCUSDT", "-USDT", "BTC-", "A-B-C", ""} {
		if _, err := ParsePair(bad); err == nil {
			t.Errorf("ParsePair(%q) succeeded, want an error", bad)
		}
	}
}
