package journal

import (
	"database/sql/driver"
	"fmt"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
)

// decimalSum is the dsum(x) SQL aggregate: an exact sum of canonical decimal TEXT. SQLite's own SUM converts TEXT
// to float64 and loses cents on large sums (reference/go.md §2.4 measured 1e6 × '12345678.12345678' summing to
// ...779 instead of ...78). Like SUM, it skips NULLs and returns NULL when there is nothing to add; the result is
// canonical decimal text. A value that is not a decimal is an error, not a zero.
type decimalSum struct {
	sum   decimal.Decimal
	valid bool
}

func (s *decimalSum) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	d, ok, err := decimalArg(args[0])
	if err != nil || !ok {
		return err
	}
	s.sum = s.sum.Add(d)
	s.valid = true
	return nil
}

// WindowInverse lets dsum run as a window function (for example a running inventory over fills).
func (s *decimalSum) WindowInverse(_ *sqlite.FunctionContext, args []driver.Value) error {
	d, ok, err := decimalArg(args[0])
	if err != nil || !ok {
		return err
	}
	s.sum = s.sum.Sub(d)
	return nil
}

func (s *decimalSum) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if !s.valid {
		return nil, nil
	}
	return s.sum.String(), nil
}

func (s *decimalSum) Final(*sqlite.FunctionContext) {}

// decimalArg converts one SQL argument; ok is false for NULL. Integers are accepted so that dsum(1) counts exactly;
// REAL is refused because a float has already lost the exact value.
func decimalArg(value driver.Value) (d decimal.Decimal, ok bool, err error) {
	switch v := value.(type) {
	case nil:
		return decimal.Decimal{}, false, nil
	case string:
		d, err = decimal.NewFromString(v)
	case []byte:
		d, err = decimal.NewFromString(string(v))
	case int64:
		d = decimal.NewFromInt(v)
	default:
		err = fmt.Errorf("dsum: %T %v is not a decimal text", value, value)
	}
	if err != nil {
		return decimal.Decimal{}, false, fmt.Errorf("dsum: %w", err)
	}
	return d, true, nil
}
