package feed

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

func writeGz(t *testing.T, name string, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if _, err := io.WriteString(gz, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(gz.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	return path
}

// gzScanner scans the lines (at most maxLine bytes each) of a gzip file; the file closes with the test.
func gzScanner(t testing.TB, path string, maxLine int) *bufio.Scanner {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, maxLine)
	return sc
}

func readGzLines(t *testing.T, path string, limit int) []string {
	t.Helper()
	sc := gzScanner(t, path, 1<<20)
	var lines []string
	for len(lines) < limit && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// depthIDs reads U and u of a depth line with encoding/json, independently of the code under test.
func depthIDs(t *testing.T, line string) (first, last uint64, ok bool) {
	t.Helper()
	if !strings.Contains(line, "@depth") {
		return 0, 0, false
	}
	_, raw, _ := strings.Cut(line, " ")
	var msg struct {
		Data struct {
			First uint64 `json:"U"`
			Last  uint64 `json:"u"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &msg); err != nil {
		t.Fatal(err)
	}
	return msg.Data.First, msg.Data.Last, true
}

// gapCopy copies the first 3,000 lines of the spot capture without its 40th depth line (well after the
// snapshot) and returns the path, the U the book expects next and the 1-based line (in the copy) of the next
// depth line, which reveals the gap.
func gapCopy(t *testing.T) (path string, expected uint64, gapLine int) {
	day0808, _ := spotFiles(t)
	lines := readGzLines(t, day0808, 3000)
	depthSeen := 0
	for i, line := range lines {
		first, _, ok := depthIDs(t, line)
		if !ok {
			continue
		}
		if depthSeen++; depthSeen == 40 {
			lines = append(lines[:i:i], lines[i+1:]...)
			expected = first
			break
		}
	}
	for i := range lines {
		if first, _, ok := depthIDs(t, lines[i]); ok && first > expected {
			gapLine = i + 1
			break
		}
	}
	return writeGz(t, "gap.gz", lines), expected, gapLine
}

func TestDeletedDepthLineIsAGapWithItsLineNumber(t *testing.T) {
	path, expected, gapLine := gapCopy(t)
	c, err := OpenCapture(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = drainAll(c)
	var gap *GapError
	if !errors.As(err, &gap) {
		t.Fatalf("got %v, want a *GapError", err)
	}
	if gap.File != path || gap.Line != gapLine || gap.Expected != expected || gap.First <= expected {
		t.Errorf("gap %+v, want file %s line %d expected %d", gap, path, gapLine, expected)
	}
	if want := fmt.Sprintf("%s:%d: depth gap", path, gapLine); !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want it to start with %q", err, want)
	}
}

func TestResyncOnGapInvalidatesTheBookAndKeepsTradesFlowing(t *testing.T) {
	path, expected, gapLine := gapCopy(t)
	c, err := OpenCaptureWith(CaptureOptions{ResyncOnGap: true}, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev := nextOfKind(t, c, KindBookInvalid)
	if ev.Gap == nil || ev.Gap.Line != gapLine || ev.Gap.Expected != expected {
		t.Fatalf("invalid event gap %+v, want line %d expected %d", ev.Gap, gapLine, expected)
	}
	if c.InSync() || c.Book().Depth(market.Buy) != 0 {
		t.Fatal("book still in sync after a gap")
	}
	trades := 0
	for {
		ev, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch ev.Kind {
		case KindBookUpdate, KindBookSnapshot:
			t.Fatalf("book event %v without a new snapshot", ev)
		case KindTrade:
			trades++
		}
	}
	if trades == 0 {
		t.Error("no trades after the gap")
	}
}

// A hand-written capture walking the whole procedure: buffering, the snapshot inside a buffered event, a gap,
// and with ResyncOnGap the rebuild from a later snapshot.
func TestResyncRebuildsFromTheNextSnapshot(t *testing.T) {
	depth := func(ns, first, last int, bids, asks string) string {
		return fmt.Sprintf(`%d {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":%d,"u":%d,"b":[%s],"a":[%s]}}`,
			ns, first, last, bids, asks)
	}
	path := writeGz(t, "resync.gz", []string{
		depth(1000, 10, 12, `["100.00","1.0"]`, `["101.00","2.0"]`),
		`1001 {"lastUpdateId":11,"bids":[["100.00","5.0"],["99.00","1.0"]],"asks":[["101.00","1.0"]]}`,
		depth(1002, 13, 14, `["99.00","0"]`, ``),
		depth(1003, 16, 17, `["98.00","3.0"]`, ``), // 15 is missing
		`1004 {"lastUpdateId":16,"bids":[["97.00","4.0"]],"asks":[["102.00","7.0"]]}`,
		depth(1005, 18, 18, ``, `["102.00","0"],["103.00","1.5"]`),
	})
	c, err := OpenCaptureWith(CaptureOptions{ResyncOnGap: true}, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []string
	for {
		ev, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %d-%d @%d", ev.Kind, ev.FirstUpdateID, ev.LastUpdateID, ev.Time.UnixNano()))
	}
	want := []string{
		"snapshot 0-11 @1001", "book 10-12 @1001", "book 13-14 @1002",
		"invalid 0-0 @1003", "snapshot 0-16 @1004", "book 16-17 @1004", "book 18-18 @1005",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b := c.Book()
	wantBids := []Level{{market.Buy, fx("98"), fx("3")}, {market.Buy, fx("97"), fx("4")}}
	wantAsks := []Level{{market.Sell, fx("103"), fx("1.5")}}
	if !levelsEqual(b.Levels(market.Buy, 0), wantBids) || !levelsEqual(b.Levels(market.Sell, 0), wantAsks) {
		t.Errorf("book bids %v asks %v, want %v %v", b.Levels(market.Buy, 0), b.Levels(market.Sell, 0), wantBids, wantAsks)
	}
	if b.LastUpdateID() != 18 {
		t.Errorf("book id %d, want 18", b.LastUpdateID())
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fx is dec as the feed's exact fixed-point type.
func fx(s string) market.Fixed {
	f, ok := market.FixedFromDecimal(dec(s))
	if !ok {
		panic("fx: " + s + " does not fit")
	}
	return f
}

func levelsEqual(a, b []Level) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !levelEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestMalformedCaptureLinesNameFileAndLine(t *testing.T) {
	ticker := `{"stream":"btcusdt@bookTicker","data":{"u":5,"s":"BTCUSDT","b":"100.00","B":"1.0","a":"101.00","A":"2.0"}}`
	trade := `{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"100.5","q":"0.1","T":1,"m":true,"M":true}}`
	tests := []struct {
		name    string
		second  string
		wantErr string
	}{
		{"malformed JSON", `2000 {"stream":"btcusdt@trade","data":{"e":"trade",,}}`, "json at byte"},
		{"line cut inside a string", "2000 " + trade[:60], "unterminated string"},
		{"line cut between values", "2000 " + trade[:len(trade)-2], "unexpected end of line"},
		{"timestamp goes backwards", "999 " + trade, "local time 999 goes backwards"},
		{"no timestamp", trade, "want `<local ns> <json>`"},
		{"price not a decimal", "2000 " + strings.Replace(trade, `"100.5"`, `"1e2"`, 1), `p "1e2"`},
		{"negative quantity", "2000 " + strings.Replace(trade, `"0.1"`, `"-0.1"`, 1), `q "-0.1"`},
		{"missing field", "2000 " + strings.Replace(trade, `"t":7,`, ``, 1), "missing a required field"},
		{"unsupported stream", "2000 " + strings.Replace(trade, "@trade", "@aggTrade", 1), "unsupported"},
		{"second symbol", "2000 " + strings.Replace(trade, "btcusdt@", "ethusdt@", 1), "one capture, one book"},
		{"trailing data", "2000 " + trade + " x", "unexpected data after"},
		{"empty line", "", "empty line"},
		{"neither stream nor snapshot", `2000 {"foo":1}`, "neither a stream envelope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeGz(t, "bad.gz", []string{"1000 " + ticker, tt.second, "3000 " + trade})
			c, err := OpenCapture(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Next(); err != nil {
				t.Fatalf("line 1: %v", err)
			}
			_, err = c.Next()
			if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want %s:2: ...%s...", err, path, tt.wantErr)
			}
			if _, again := c.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("error not final: %v", again)
			}
		})
	}
}

func TestTruncatedGzipIsAnErrorNamingTheFile(t *testing.T) {
	day0808, _ := spotFiles(t)
	raw, err := os.ReadFile(day0808)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.gz")
	if err := os.WriteFile(path, raw[:len(raw)/50], 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := OpenCapture(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = drainAll(c)
	if err == nil || !strings.HasPrefix(err.Error(), path+":") {
		t.Fatalf("got %v, want an error naming %s", err, path)
	}
}

// Binance: "if the snapshot's lastUpdateId is below the first buffered U, fetch it again". A capture cannot,
// so by default it is an error pointing at the first buffered update.
func TestSnapshotOlderThanTheBufferedUpdatesIsAGap(t *testing.T) {
	path := writeGz(t, "stale.gz", []string{
		`1000 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":20,"u":22,"b":[],"a":[]}}`,
		`1001 {"lastUpdateId":11,"bids":[["100.00","5.0"]],"asks":[["101.00","1.0"]]}`,
	})
	c, err := OpenCapture(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = drainAll(c)
	var gap *GapError
	if !errors.As(err, &gap) || gap.Line != 1 || gap.Expected != 12 || gap.First != 20 ||
		!strings.Contains(err.Error(), "older than the buffered updates") {
		t.Fatalf("got %v, want a gap at line 1 (expected 12, got U=20)", err)
	}
}
