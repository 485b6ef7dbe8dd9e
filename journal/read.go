package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Read queries run on the reader pool: query-only connections that see the last committed state while the writer
// goes on (WAL). Lists are complete, never capped: bbgo's and Hummingbot's truncated trade lists fed wrong PnL
// (STYLE.md, DESIGN.md §8).

// FillFilter selects fills. Zero fields do not filter. The time window is Since <= ts < Until.
type FillFilter struct {
	Connector string
	Market    string
	RunID     int64
	Since     time.Time
	Until     time.Time
}

// MarkFilter selects marks, like FillFilter.
type MarkFilter struct {
	Connector string
	Market    string
	RunID     int64
	Since     time.Time
	Until     time.Time
}

// OrderFilter selects orders by creation time, like FillFilter; Status "" matches any status.
type OrderFilter struct {
	Connector string
	Market    string
	RunID     int64
	Status    string
	Since     time.Time
	Until     time.Time
}

// where accumulates the conditions of a filter.
type where struct {
	conds []string
	args  []any
}

func (w *where) text(column, value string) {
	if value != "" {
		w.conds = append(w.conds, column+" = ?")
		w.args = append(w.args, value)
	}
}

func (w *where) runID(id int64) {
	if id != 0 {
		w.conds = append(w.conds, "run_id = ?")
		w.args = append(w.args, id)
	}
}

func (w *where) window(column string, since, until time.Time) {
	if !since.IsZero() {
		w.conds = append(w.conds, column+" >= ?")
		w.args = append(w.args, toMillis(since))
	}
	if !until.IsZero() {
		w.conds = append(w.conds, column+" < ?")
		w.args = append(w.args, toMillis(until))
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// query runs a list query and hands each row to scan.
func (j *Journal) query(ctx context.Context, what, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := j.readerDB.QueryContext(ctx, query, args...)
	if err != nil {
		return classify(j.path, fmt.Errorf("read %s: %w", what, err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return classify(j.path, fmt.Errorf("read %s: %w", what, err))
		}
	}
	if err := rows.Err(); err != nil {
		return classify(j.path, fmt.Errorf("read %s: %w", what, err))
	}
	return nil
}

const fillColumns = `id, coalesce(run_id, 0), connector, market, base_asset, quote_asset, exchange_trade_id,
	coalesce(client_order_id, ''), side, price, amount, fee, fee_asset, is_maker, mid, ts`

// Fills returns every fill matching the filter, ordered by time and then by journal order.
func (j *Journal) Fills(ctx context.Context, filter FillFilter) ([]Fill, error) {
	return collect(func(fn func(*Fill) error) error { return j.ScanFillRows(ctx, filter, fn) })
}

// collect gathers what a Scan method yields into a slice, copying each reused record.
func collect[T any](scan func(func(*T) error) error) ([]T, error) {
	var out []T
	err := scan(func(rec *T) error {
		out = append(out, *rec)
		return nil
	})
	return out, err
}

// ScanFillRows calls fn with every fill matching the filter, whole, in the order of Fills: export streams them.
// The record is reused: fn must copy what it keeps. An error from fn stops the scan and is returned as is.
func (j *Journal) ScanFillRows(ctx context.Context, filter FillFilter, fn func(*Fill) error) error {
	w := fillWhere(filter)
	var rec Fill
	return j.scan(ctx, "fills", "SELECT "+fillColumns+" FROM fills"+w.String()+" ORDER BY ts, id", w.args,
		func(rows *sql.Rows) error {
			var err error
			rec, err = scanFill(rows)
			return err
		}, func() error { return fn(&rec) })
}

// LastFill returns the most recent fill of a connector and market, for reconcile's "trades since the last journaled
// fill" (DESIGN.md §3). ok is false when there is none.
func (j *Journal) LastFill(ctx context.Context, connector, market string) (fill Fill, ok bool, err error) {
	err = j.query(ctx, "last fill", "SELECT "+fillColumns+` FROM fills WHERE connector = ? AND market = ?
		ORDER BY ts DESC, id DESC LIMIT 1`, []any{connector, market}, func(rows *sql.Rows) error {
		fill, err = scanFill(rows)
		ok = err == nil
		return err
	})
	return fill, ok, err
}

func scanFill(rows *sql.Rows) (Fill, error) {
	var (
		f                      Fill
		price, amount, fee     string
		isMaker                sql.NullInt64
		mid                    sql.NullString
		ts                     int64
		errPrice, errAmount    error
		errFee, errMid, errRow error
	)
	errRow = rows.Scan(&f.ID, &f.RunID, &f.Connector, &f.Market, &f.BaseAsset, &f.QuoteAsset, &f.ExchangeTradeID,
		&f.ClientOrderID, &f.Side, &price, &amount, &fee, &f.FeeAsset, &isMaker, &mid, &ts)
	if errRow != nil {
		return f, errRow
	}
	f.Price, errPrice = parseDecimal("fills.price", price)
	f.Amount, errAmount = parseDecimal("fills.amount", amount)
	f.Fee, errFee = parseDecimal("fills.fee", fee)
	f.Mid, errMid = parseNullDecimal("fills.mid", mid)
	if isMaker.Valid {
		maker := isMaker.Int64 == 1
		f.IsMaker = &maker
	}
	f.Time = fromMillis(ts)
	return f, firstErr(errPrice, errAmount, errFee, errMid)
}

const markColumns = "id, coalesce(run_id, 0), connector, market, ts, mid, best_bid, best_ask"

// Marks returns every mark matching the filter, ordered by time.
func (j *Journal) Marks(ctx context.Context, filter MarkFilter) ([]Mark, error) {
	return collect(func(fn func(*Mark) error) error { return j.ScanMarkRows(ctx, filter, fn) })
}

// ScanMarkRows calls fn with every mark matching the filter, whole, in the order of Marks. The record is reused.
func (j *Journal) ScanMarkRows(ctx context.Context, filter MarkFilter, fn func(*Mark) error) error {
	w := markWhere(filter)
	var rec Mark
	return j.scan(ctx, "marks", "SELECT "+markColumns+" FROM marks"+w.String()+" ORDER BY ts, id", w.args,
		func(rows *sql.Rows) error {
			var err error
			rec, err = scanMark(rows)
			return err
		}, func() error { return fn(&rec) })
}

// LatestMark returns the latest mark of market at or before at (the latest overall when at is zero).
func (j *Journal) LatestMark(ctx context.Context, market string, at time.Time) (mark Mark, ok bool, err error) {
	query := "SELECT " + markColumns + " FROM marks WHERE market = ?"
	args := []any{market}
	if !at.IsZero() {
		query += " AND ts <= ?"
		args = append(args, toMillis(at))
	}
	err = j.query(ctx, "latest mark", query+" ORDER BY ts DESC, id DESC LIMIT 1", args, func(rows *sql.Rows) error {
		mark, err = scanMark(rows)
		ok = err == nil
		return err
	})
	return mark, ok, err
}

func scanMark(rows *sql.Rows) (Mark, error) {
	var (
		m                     Mark
		mid                   string
		bid, ask              sql.NullString
		ts                    int64
		errMid, errBid, errAk error
	)
	if err := rows.Scan(&m.ID, &m.RunID, &m.Connector, &m.Market, &ts, &mid, &bid, &ask); err != nil {
		return m, err
	}
	m.Time = fromMillis(ts)
	m.Mid, errMid = parseDecimal("marks.mid", mid)
	m.BestBid, errBid = parseNullDecimal("marks.best_bid", bid)
	m.BestAsk, errAk = parseNullDecimal("marks.best_ask", ask)
	return m, firstErr(errMid, errBid, errAk)
}

// LatestBalances returns, for each asset, the latest balance journaled for connector and account at or before at
// (the latest overall when at is zero). An empty connector or account matches any, so a journal with a single
// account needs neither. With no assets given it covers every asset journaled for the account.
// Assets without a balance are absent from the map. DESIGN.md §8: `history` starts from the latest snapshot at or
// before the window's first trade.
func (j *Journal) LatestBalances(ctx context.Context, connector, account string, assets []string,
	at time.Time) (map[string]Balance, error) {
	return j.LatestBalancesOfRun(ctx, 0, connector, account, assets, at)
}

// LatestBalancesOfRun is LatestBalances restricted to the snapshots one run journaled (runID 0: any). Analysis of a
// single run needs it: two replays of the same data journal snapshots at the same simulated times.
func (j *Journal) LatestBalancesOfRun(ctx context.Context, runID int64, connector, account string, assets []string,
	at time.Time) (map[string]Balance, error) {
	if len(assets) == 0 {
		err := j.query(ctx, "balance assets", `SELECT DISTINCT asset FROM balances WHERE (?1 = '' OR connector = ?1)
			AND (?2 = '' OR account = ?2) AND (?3 = 0 OR run_id = ?3) ORDER BY asset`, []any{connector, account, runID},
			func(rows *sql.Rows) error {
				var asset string
				assets = append(assets, asset)
				return rows.Scan(&assets[len(assets)-1])
			})
		if err != nil {
			return nil, err
		}
	}
	atMillis := int64(1<<63 - 1)
	if !at.IsZero() {
		atMillis = toMillis(at)
	}
	balances := make(map[string]Balance, len(assets))
	for _, asset := range assets {
		// One indexed lookup per asset (balances_asset_ts) rather than a GROUP BY over the whole table.
		err := j.query(ctx, "latest balance", "SELECT "+balanceColumns+` FROM balances
			WHERE asset = ?1 AND ts <= ?2 AND (?3 = '' OR connector = ?3) AND (?4 = '' OR account = ?4)
			AND (?5 = 0 OR run_id = ?5) ORDER BY ts DESC, id DESC LIMIT 1`,
			[]any{asset, atMillis, connector, account, runID},
			func(rows *sql.Rows) error {
				b, err := scanBalance(rows)
				balances[asset] = b
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return balances, nil
}

const balanceColumns = "id, coalesce(run_id, 0), connector, account, asset, ts, total, available, kind"

func scanBalance(rows *sql.Rows) (Balance, error) {
	var (
		b                      Balance
		total                  string
		available              sql.NullString
		ts                     int64
		errTotal, errAvailable error
	)
	if err := rows.Scan(&b.ID, &b.RunID, &b.Connector, &b.Account, &b.Asset, &ts, &total, &available,
		&b.Kind); err != nil {
		return b, err
	}
	b.Time = fromMillis(ts)
	b.Total, errTotal = parseDecimal("balances.total", total)
	b.Available, errAvailable = parseNullDecimal("balances.available", available)
	return b, firstErr(errTotal, errAvailable)
}

// SchemaVersion returns the journal's PRAGMA user_version.
func (j *Journal) SchemaVersion(ctx context.Context) (int, error) {
	var version int
	if err := j.readerDB.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, classify(j.path, err)
	}
	return version, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// StartBalancesOfRun returns the balances a run journaled at its start (kind "start"), by asset; assets without
// one are absent.
func (j *Journal) StartBalancesOfRun(ctx context.Context, runID int64, assets []string) (map[string]Balance, error) {
	balances := make(map[string]Balance, len(assets))
	for _, asset := range assets {
		err := j.query(ctx, "start balance", "SELECT "+balanceColumns+` FROM balances
			WHERE run_id = ?1 AND asset = ?2 AND kind = 'start' ORDER BY id LIMIT 1`,
			[]any{runID, asset}, func(rows *sql.Rows) error {
				b, err := scanBalance(rows)
				balances[asset] = b
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return balances, nil
}
