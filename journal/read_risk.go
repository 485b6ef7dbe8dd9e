package journal

import (
	"context"
	"database/sql"
)

const riskEventColumns = "id, coalesce(run_id, 0), account, market, ts, guard, action, value, limit_value, detail"

// RiskEvents returns every risk event of account and market (trips, clears, blackout windows), oldest first.
func (j *Journal) RiskEvents(ctx context.Context, account, market string) ([]RiskEvent, error) {
	var events []RiskEvent
	err := j.query(ctx, "risk events", "SELECT "+riskEventColumns+" FROM risk_events WHERE account = ?1 AND "+
		"market = ?2 ORDER BY ts, id", []any{account, market}, func(rows *sql.Rows) error {
		r, err := scanRiskEvent(rows)
		events = append(events, r)
		return err
	})
	return events, err
}

func scanRiskEvent(rows *sql.Rows) (RiskEvent, error) {
	var (
		r                   RiskEvent
		ts                  int64
		value, limitValue   sql.NullString
		errValue, errLimits error
	)
	if err := rows.Scan(&r.ID, &r.RunID, &r.Account, &r.Market, &ts, &r.Guard, &r.Action, &value, &limitValue,
		&r.Detail); err != nil {
		return r, err
	}
	r.Time = fromMillis(ts)
	r.Value, errValue = parseNullDecimal("risk_events.value", value)
	r.LimitValue, errLimits = parseNullDecimal("risk_events.limit_value", limitValue)
	return r, firstErr(errValue, errLimits)
}
