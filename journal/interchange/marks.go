package interchange

import (
	"io"

	"github.com/mmtoolkit/mm/journal"
)

// MarkColumns are the columns of the marks CSV, in the order export writes them.
var MarkColumns = []string{"timestamp", "market", "mid", "best_bid", "best_ask", "connector"}

var markColumns = []column{
	{"timestamp", true}, {"market", true}, {"mid", true}, {"best_bid", false}, {"best_ask", false},
	{"connector", false},
}

// BalanceColumns are the columns of the balances CSV.
var BalanceColumns = []string{"timestamp", "asset", "total", "available", "account", "connector"}

var balanceColumns = []column{
	{"timestamp", true}, {"asset", true}, {"total", true}, {"available", false}, {"account", false},
	{"connector", false},
}

// ReadMarks parses a marks CSV.
func ReadMarks(file string, r io.Reader, opts Options) ([]journal.Mark, error) {
	t, err := openTable(file, r, markColumns)
	if err != nil {
		return nil, err
	}
	var marks []journal.Mark
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return marks, err
		}
		m, err := t.mark(opts)
		if err != nil {
			return nil, err
		}
		marks = append(marks, m)
	}
}

func (t *table) mark(opts Options) (journal.Mark, error) {
	var (
		m   journal.Mark
		err error
	)
	if m.Time, err = t.time("timestamp"); err != nil {
		return m, err
	}
	pair, err := t.market("market")
	if err != nil {
		return m, err
	}
	m.Market = t.intern(pair.String())
	if m.Mid, err = t.decimal("mid", positive); err != nil {
		return m, err
	}
	if m.BestBid, err = t.optionalDecimal("best_bid", positive); err != nil {
		return m, err
	}
	if m.BestAsk, err = t.optionalDecimal("best_ask", positive); err != nil {
		return m, err
	}
	m.Connector = t.connector(opts)
	return m, nil
}

// ReadBalances parses a balances CSV. Balances are spot holdings: total and available may not be negative, and
// available may not exceed total.
func ReadBalances(file string, r io.Reader, opts Options) ([]journal.Balance, error) {
	t, err := openTable(file, r, balanceColumns)
	if err != nil {
		return nil, err
	}
	var balances []journal.Balance
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return balances, err
		}
		b, err := t.balance(opts)
		if err != nil {
			return nil, err
		}
		balances = append(balances, b)
	}
}

func (t *table) balance(opts Options) (journal.Balance, error) {
	b := journal.Balance{Kind: journal.BalanceImport}
	var err error
	if b.Time, err = t.time("timestamp"); err != nil {
		return b, err
	}
	if b.Asset, err = t.asset("asset"); err != nil {
		return b, err
	}
	if b.Total, err = t.decimal("total", nonNegative); err != nil {
		return b, err
	}
	if b.Available, err = t.optionalDecimal("available", nonNegative); err != nil {
		return b, err
	}
	if b.Available.Valid && b.Available.Decimal.GreaterThan(b.Total) {
		return b, t.fail("available", "%s is more than total %s", b.Available.Decimal, b.Total)
	}
	b.Account = opts.Account
	if account := t.get("account"); account != "" {
		b.Account = t.intern(account)
	}
	b.Connector = t.connector(opts)
	return b, nil
}

func (t *table) connector(opts Options) string {
	if connector := t.get("connector"); connector != "" {
		return t.intern(connector)
	}
	return opts.Connector
}
