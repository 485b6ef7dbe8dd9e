package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/mmtoolkit/mm/market"
)

// windowFlags select the journal records of an analysis command: a time window, a run, a market, a connector.
// history and pnl share them, with the same names and rules.
type windowFlags struct {
	Days      float64
	Since     timeFlag
	Until     timeFlag
	RunID     int64
	Market    string
	Connector string
}

// resolvedWindow is what the flags select once validated.
type resolvedWindow struct {
	Since, Until time.Time
	RunID        int64
	Market       string // canonical BASE-QUOTE, "" for all
	Connector    string
}

func (w *windowFlags) addFlags(flags *pflag.FlagSet, what string) {
	flags.Float64Var(&w.Days, "days", 0, "only "+what+" of the last N days (fractions allowed)")
	flags.Var(&w.Since, "since", "only "+what+" at or after this time (RFC 3339, YYYY-MM-DD or Unix ms; UTC)")
	flags.Var(&w.Until, "until", "only "+what+" before this time; balances and marks are taken at it")
	flags.Int64Var(&w.RunID, "run", 0, "only "+what+" of this mm run (journal run id)")
	flags.StringVar(&w.Market, "market", "", "only this market (BASE-QUOTE)")
	flags.StringVar(&w.Connector, "connector", "", "only this connector")
}

// resolve validates the flags; now is the clock --days counts back from.
func (w *windowFlags) resolve(now time.Time) (resolvedWindow, error) {
	switch {
	case w.Days < 0:
		return resolvedWindow{}, usageErrorf("--days must be ≥ 0 (got %v)", w.Days)
	case w.Days > 0 && !w.Since.t.IsZero():
		return resolvedWindow{}, usageErrorf("--days and --since both set the start of the window: give one")
	case w.RunID < 0:
		return resolvedWindow{}, usageErrorf("--run must be a run id ≥ 1 (got %d)", w.RunID)
	}
	r := resolvedWindow{Since: w.Since.t, Until: w.Until.t, RunID: w.RunID, Connector: w.Connector}
	if w.Days > 0 {
		r.Since = now.Add(-time.Duration(w.Days * float64(24*time.Hour))).UTC()
	}
	if !r.Until.IsZero() && !r.Since.IsZero() && !r.Until.After(r.Since) {
		return resolvedWindow{}, usageErrorf("--until must be after the start of the window (%s)", r.Since.Format(time.RFC3339))
	}
	if w.Market != "" {
		pair, err := market.ParsePair(w.Market)
		if err != nil {
			return resolvedWindow{}, usageErrorf("--market: %v", err)
		}
		r.Market = pair.String()
	}
	return r, nil
}
