package feed

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCaptureLine feeds arbitrary lines to the capture parser: it must never panic, and whatever it accepts
// must be a complete message (a book update with U ≤ u, positive level prices, a trade with a side).
func FuzzCaptureLine(f *testing.F) {
	for _, seed := range []string{
		`1723161253937085768 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":50093239189,"u":50093239202,"b":[["61737.63000000","0.00000000"]],"a":[["61837.64000000","1.54698000"]]}}`,
		`1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}`,
		`1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}`,
		`1723161254206652067 {"lastUpdateId":50093239218,"bids":[["61837.63000000","3.78826000"]],"asks":[["61837.64000000","1.54698000"]]}`,
		`1 {"stream":"a@trade","data":{"p":"1\u0030"}}`,
		`1 [[[[[[`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var scratch []Level
		msg, err := parseCaptureLine([]byte(line), &scratch)
		if err != nil {
			return
		}
		ev := msg.event
		switch ev.Kind {
		case KindBookUpdate, KindBookSnapshot:
			if ev.FirstUpdateID > ev.LastUpdateID {
				t.Fatalf("accepted U %d > u %d", ev.FirstUpdateID, ev.LastUpdateID)
			}
			for _, l := range ev.Levels {
				if l.Price.Sign() <= 0 || l.Size.Sign() < 0 {
					t.Fatalf("accepted level %v", l)
				}
			}
		case KindTrade:
			if ev.TakerSide == "" || ev.Price.Sign() <= 0 || ev.Size.Sign() <= 0 {
				t.Fatalf("accepted trade %v", ev)
			}
		case KindTopOfBook:
		default:
			t.Fatalf("accepted kind %v", ev.Kind)
		}
	})
}

// FuzzKlinesCSV feeds arbitrary files to the kline reader: it must never panic, and every event it returns must
// keep the clock monotonic.
func FuzzKlinesCSV(f *testing.F) {
	f.Add(klinesHeader + "\n" + klineRows[0] + "\n" + klineRows[1] + "\n")
	f.Add("1735689600000000,93500.00,93600.00,93400.00,93450.00,0.004,1735689659999999,0,0,0,0,0\n")
	f.Add("1,2,3,4,5,6,7,8,9,10,11,12\n")
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "k.csv")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		src, err := OpenKlinesCSV(path, KlineOptions{Tick: dec("0.01")})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		var last Event
		for {
			ev, err := src.Next()
			if err != nil {
				return
			}
			if ev.Time.Before(last.Time) {
				t.Fatalf("time goes backwards: %v after %v", ev, last)
			}
			last = ev
		}
	})
}
