package main

import (
	"fmt"
	"time"

	"github.com/mmtoolkit/mm/journal/interchange"
)

// timeFlag is a point in time given on the command line: RFC 3339, a UTC date (2026-11-01), or Unix
// milliseconds.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.UTC().Format(time.RFC3339)
}

func (f *timeFlag) Type() string { return "time" }

func (f *timeFlag) Set(s string) error {
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	f.t = t
	return nil
}

// parseTime reads the --since/--until of every command: a date (midnight UTC), or a timestamp as
// mm journal import reads one (RFC 3339 with a zone, or Unix milliseconds).
func parseTime(s string) (time.Time, error) {
	if date, err := time.Parse(time.DateOnly, s); err == nil {
		return date, nil
	}
	t, err := interchange.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%v, nor a date (2026-11-22)", err)
	}
	return t, nil
}
