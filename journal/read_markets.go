package journal

import (
	"context"
	"database/sql"
)

// MarkedMarkets returns every market that has at least one mark, sorted. Analysis uses it to find conversion
// rates for fees paid in a third asset (a BNB fee on BTC-USDT needs BNB-USDT's mark).
func (j *Journal) MarkedMarkets(ctx context.Context) ([]string, error) {
	var markets []string
	err := j.query(ctx, "marked markets", "SELECT DISTINCT market FROM marks ORDER BY market", nil,
		func(rows *sql.Rows) error {
			var market string
			if err := rows.Scan(&market); err != nil {
				return err
			}
			markets = append(markets, market)
			return nil
		})
	return markets, err
}
