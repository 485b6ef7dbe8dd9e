package interchange

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestReadIV(t *testing.T) {
	points, err := ReadIV("iv.csv", strings.NewReader("\ufeffIV , timestamp\n55.3,2024-01-31T00:00:00Z\n71.2,1706724000000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 || !points[0].IVPct.Equal(decimal.RequireFromString("55.3")) ||
		!points[1].Time.Equal(time.Date(2024, 1, 31, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("points = %+v", points)
	}
	for _, tc := range []struct{ in, want string }{
		{"timestamp,iv\n", "iv.csv: no rows"},
		{"timestamp\n2024-01-01T00:00:00Z\n", "iv.csv: line 1: missing column(s) iv"},
		{"timestamp,iv,mid\n", `iv.csv: line 1, column "mid": unknown column`},
		{"timestamp,iv\n2024-01-01T00:00:00Z,-1\n", "iv.csv: row 1 (line 2), column iv: -1 is negative"},
		{"timestamp,iv\n2024-01-01T00:00:00Z,5530\n", "column iv: 5530 is above 1000: iv is annualised percent"},
		{"timestamp,iv\n2024-01-01T00:00:00,50\n", "column timestamp: \"2024-01-01T00:00:00\" is neither RFC 3339"},
		{"timestamp,iv\n2024-01-02T00:00:00Z,50\n2024-01-01T00:00:00Z,50\n", "row 2 (line 3), column timestamp: 2024-01-01T00:00:00.000Z is not after"},
	} {
		if _, err := ReadIV("iv.csv", strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadIV(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func FuzzReadIV(f *testing.F) {
	f.Add("timestamp,iv\n2024-01-01T00:00:00Z,55.5\n1704070800000,60\n")
	f.Add("iv,timestamp\n1e2,2024-01-01T00:00:00+01:00\n")
	f.Add("timestamp,iv\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		points, err := ReadIV("fuzz.csv", strings.NewReader(in))
		if err != nil {
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for i, p := range points {
			if !p.IVPct.IsPositive() || p.IVPct.GreaterThan(maxIVPct) || (i > 0 && !p.Time.After(points[i-1].Time)) {
				t.Fatalf("accepted a bad point %d: %+v", i, p)
			}
		}
	})
}
