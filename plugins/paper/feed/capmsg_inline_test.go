package feed

import (
	"fmt"
	"testing"
)

// parseBothWays parses a line with the one-pass (inline data) parser and with the two-pass one, formatted
// as event or error, so the two can be compared.
func parseBothWays(line []byte) (inline, twoPass string) {
	format := func() string {
		var scratch []Level
		msg, err := parseCaptureLine(line, &scratch)
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("%d %s %v", msg.localNS, msg.symbol, msg.event)
	}
	inline = format()
	inlineData = false
	defer func() { inlineData = true }()
	return inline, format()
}

// The one-pass parse is an optimisation only: on every line of the spot capture it gives what the two-pass
// parse gives.
func TestInlineDataParseMatchesTwoPassOnTheCapture(t *testing.T) {
	day0808, _ := spotFiles(t)
	sc := gzScanner(t, day0808, maxCaptureLine)
	for n := 1; sc.Scan(); n++ {
		if inline, twoPass := parseBothWays(sc.Bytes()); inline != twoPass {
			t.Fatalf("line %d: inline %s\ntwo-pass %s", n, inline, twoPass)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// FuzzInlineDataParse: on any line, valid or not, the one-pass parse gives the two-pass result or error.
func FuzzInlineDataParse(f *testing.F) {
	for _, seed := range []string{
		`1 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"U":5,"u":6,"b":[["1.0","0"]],"a":[["3","0.5"]]}}`,
		`1 {"stream":"btcusdt@bookTicker","data":{"u":5,"b":"1.00","B":"1","a":"2.00","A":"1"}}`,
		`1 {"stream":"btcusdt@trade","data":{"t":1,"p":"1.5","q":"2","T":1,"m":false}}`,
		`1 {"stream":"a@trade","data":{"t":1,"p":"1.5","q":"2","T":1,"m":false},"stream":"a@bookTicker"}`,
		`1 {"stream":"a@depth","data":{"U":1,"u":2,"b":[["1","2","3"]],"a":[]}}`,
		`1 {"stream":"a@depth","data":{"U":1,"u":2,"b":[[]],"a":[]}} x`,
		`1 {"data":{"t":1},"stream":"a@trade"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if inline, twoPass := parseBothWays([]byte(line)); inline != twoPass {
			t.Fatalf("inline %s\ntwo-pass %s", inline, twoPass)
		}
	})
}
