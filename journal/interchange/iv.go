package interchange

import (
	"io"
	"time"

	"github.com/shopspring/decimal"
)

// IVPoint is one row of an implied-volatility file: from Time on, the annualised implied volatility is IVPct
// percent (55.3 = 55.3 %/year, as Deribit quotes it), until the next row.
type IVPoint struct {
	Time  time.Time
	IVPct decimal.Decimal
}

var ivColumns = []column{{"timestamp", true}, {"iv", true}}

// maxIVPct bounds an implied volatility: 1000 %/year is far above any listed market's, and a value like 5500
// is surely a percent typed twice.
var maxIVPct = decimal.NewFromInt(1000)

// ReadIV parses the implied-volatility CSV of strategy.sizing.iv_source (docs/CSV.md): columns timestamp and iv,
// iv > 0 and ≤ 1000 (annualised percent), timestamps strictly increasing.
func ReadIV(file string, r io.Reader) ([]IVPoint, error) {
	t, err := openTable(file, r, ivColumns)
	if err != nil {
		return nil, err
	}
	var points []IVPoint
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		var p IVPoint
		if p.Time, err = t.time("timestamp"); err != nil {
			return nil, err
		}
		if p.IVPct, err = t.decimal("iv", positive); err != nil {
			return nil, err
		}
		if p.IVPct.GreaterThan(maxIVPct) {
			return nil, t.fail("iv", "%s is above 1000: iv is annualised percent (55.3 means 55.3 %%)", p.IVPct)
		}
		if n := len(points); n > 0 && !p.Time.After(points[n-1].Time) {
			return nil, t.fail("timestamp", "%s is not after the previous row's %s: rows must be in time order",
				FormatTime(p.Time), FormatTime(points[n-1].Time))
		}
		points = append(points, p)
	}
	if len(points) == 0 {
		return nil, &InputError{File: file, Msg: "no rows: want timestamp,iv rows after the header"}
	}
	return points, nil
}
