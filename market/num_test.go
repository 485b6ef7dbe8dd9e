package market

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// Num must give exactly what decimal.Decimal gives, on the Fixed path and across the fallback.
func TestNumMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	texts := []string{"0", "-0", "1.50", "-0.0006", "59999.95", "9223372036854775807", "-9223372036854775807",
		"92233720368547758.07", "123456789012345678901234567890.5", "0.000000000000000000000000000001"}
	for range 2000 {
		digits := strconv.FormatInt(rng.Int64N(1<<62)-1<<61, 10)
		texts = append(texts, digits[:1+rng.IntN(len(digits)-1)]+"."+strconv.Itoa(rng.IntN(100000)))
	}
	for i := range 5000 {
		a, b := texts[rng.IntN(len(texts))], texts[rng.IntN(len(texts))]
		if i < len(texts) {
			a = texts[i]
		}
		na, err := ParseNum(a)
		if err != nil {
			t.Fatal(err)
		}
		nb, _ := ParseNum(b)
		da, db := decimal.RequireFromString(a), decimal.RequireFromString(b)
		if !na.Decimal().Equal(da) {
			t.Fatalf("parse %s: %s", a, na)
		}
		for _, c := range []struct {
			op        string
			got, want decimal.Decimal
		}{
			{"+", na.Add(nb).Decimal(), da.Add(db)}, {"-", na.Sub(nb).Decimal(), da.Sub(db)},
			{"*", na.Mul(nb).Decimal(), da.Mul(db)}, {"neg", na.Neg().Decimal(), da.Neg()},
			{"abs", na.Abs().Decimal(), da.Abs()},
		} {
			if !c.got.Equal(c.want) {
				t.Fatalf("%s %s %s = %s, want %s", a, c.op, b, c.got, c.want)
			}
		}
		if na.Cmp(nb) != da.Cmp(db) || na.Sign() != da.Sign() {
			t.Fatalf("cmp/sign %s %s", a, b)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.", "1..2", "1e5", "abc"} {
		if _, ok := parseFixed(bad); ok {
			t.Errorf("parseFixed(%q) accepted", bad)
		}
	}
	if n, err := ParseNum("1e5"); err != nil || !n.Decimal().Equal(decimal.New(1, 5)) {
		t.Errorf("ParseNum(1e5) = %s, %v", n, err)
	}
}
