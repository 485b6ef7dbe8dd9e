package feed

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// captureLine is one parsed line of a capture: the local receive time and the message as an Event (Seq and
// Time unset for the caller). symbol is the stream's symbol ("btcusdt"), empty for a REST snapshot.
type captureLine struct {
	localNS int64
	symbol  []byte
	event   Event
}

// parseCaptureLine parses `<local ns> <raw JSON>` (PROVENANCE.md): a combined-stream envelope
// {"stream":"<symbol>@<kind>","data":{...}} for depth@100ms, bookTicker and trade, or a bare REST depth
// snapshot {"lastUpdateId":…,"bids":…,"asks":…}. Field names follow Binance's spot stream docs
// (reference/exchanges.md "Public market streams"). Levels are collected in *scratch, reused from line to line,
// and copied once to an exactly sized slice: appending straight into each event's own slice made most of a
// replay's garbage, and garbage is what sets the GC's pace here.
func parseCaptureLine(line []byte, scratch *[]Level) (captureLine, error) {
	var out captureLine
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return out, errors.New("want `<local ns> <json>`, found no space")
	}
	ns, err := parseUint(line[:sp])
	if err != nil || ns > math.MaxInt64 {
		return out, fmt.Errorf("local receive time %q: want nanoseconds since the Unix epoch", line[:sp])
	}
	out.localNS = int64(ns)

	s := &jsonScanner{buf: line[sp+1:]}
	var stream, data []byte
	var inline captureLine // data parsed as it was read, valid while inlineFor is the final stream
	var inlineFor []byte
	snap := snapshotFields{levels: (*scratch)[:0]}
	err = s.object(func(key []byte) error {
		switch string(key) {
		case "stream":
			v, err := s.str()
			stream = v
			return err
		case "data":
			start := s.peek()
			begin := s.pos
			if start != '{' {
				return s.errorf("data: want an object")
			}
			inlineFor = nil
			if msg, n, ok := parseDataInline(out, stream, s.buf[begin:], scratch); ok {
				s.pos += n
				inline, inlineFor, data = msg, stream, s.buf[begin:s.pos]
				return nil
			}
			err := s.skip()
			data = s.buf[begin:s.pos]
			return err
		}
		return snap.field(s, key)
	})
	if err == nil {
		err = s.end()
	}
	if err != nil {
		return out, err
	}
	switch {
	case stream != nil && data != nil && inlineFor != nil && bytes.Equal(inlineFor, stream):
		return inline, nil
	case stream != nil && data != nil:
		return parseStreamMessage(out, stream, data, scratch)
	case stream != nil:
		return out, fmt.Errorf("stream %q without data", stream)
	case snap.seen&snapAll == snapAll:
		*scratch = snap.levels
		out.event = Event{Kind: KindBookSnapshot, Levels: slices.Clone(snap.levels), LastUpdateID: snap.lastUpdateID}
		return out, nil
	case snap.seen != 0:
		return out, errors.New("depth snapshot needs lastUpdateId, bids and asks")
	}
	return out, errors.New("neither a stream envelope nor a depth snapshot")
}

const (
	snapID = 1 << iota
	snapBids
	snapAsks
	snapAll = snapID | snapBids | snapAsks
)

type snapshotFields struct {
	seen         int
	lastUpdateID uint64
	levels       []Level
}

func (f *snapshotFields) field(s *jsonScanner, key []byte) error {
	var err error
	switch string(key) {
	case "lastUpdateId":
		f.seen |= snapID
		f.lastUpdateID, err = s.uint()
	case "bids":
		f.seen |= snapBids
		f.levels, err = parseLevels(s, f.levels, market.Buy, "bids")
	case "asks":
		f.seen |= snapAsks
		f.levels, err = parseLevels(s, f.levels, market.Sell, "asks")
	default:
		err = s.skip()
	}
	return err
}

// parseDataInline parses the data object at the start of buf for a stream already read (Binance writes
// "stream" before "data"), so that the message is scanned once rather than skipped and then parsed; it returns
// the message and the object's length. Any error, or no stream yet, reports ok false and the caller takes the
// two-pass path, which then produces exactly the error it always did (envelope errors before data errors,
// byte offsets within the data object).
func parseDataInline(out captureLine, stream, buf []byte, scratch *[]Level) (msg captureLine, n int, ok bool) {
	if stream == nil || !inlineData {
		return out, 0, false
	}
	s := &jsonScanner{buf: buf}
	msg, err := parseStreamData(out, stream, s, scratch)
	if err != nil {
		return out, 0, false
	}
	return msg, s.pos, true
}

// inlineData enables parseDataInline; tests turn it off to compare with the two-pass path.
var inlineData = true

func parseStreamMessage(out captureLine, stream, data []byte, scratch *[]Level) (captureLine, error) {
	return parseStreamData(out, stream, &jsonScanner{buf: data}, scratch)
}

// parseStreamData parses one data object of stream from s, leaving s after it.
func parseStreamData(out captureLine, stream []byte, s *jsonScanner, scratch *[]Level) (captureLine, error) {
	at := bytes.IndexByte(stream, '@')
	if at <= 0 {
		return out, fmt.Errorf("stream %q: want <symbol>@<kind>", stream)
	}
	out.symbol = stream[:at]
	var err error
	switch kind := string(stream[at+1:]); kind {
	case "depth", "depth@100ms":
		out.event, err = parseDepthUpdate(s, scratch)
	case "bookTicker":
		out.event, err = parseBookTicker(s)
	case "trade":
		out.event, err = parseTrade(s)
	default:
		// A stream mm does not replay is an error rather than skipped data (STYLE: bbgo's silent keys).
		return out, fmt.Errorf("stream %q: unsupported (want depth@100ms, depth, bookTicker or trade)", stream)
	}
	if err != nil {
		return out, fmt.Errorf("%s: %w", stream, err)
	}
	return out, nil
}

// Required-field bits shared by the stream parsers.
const (
	fFirst = 1 << iota
	fLast
	fBids
	fAsks
	fBidPrice
	fBidSize
	fAskPrice
	fAskSize
	fTradeID
	fPrice
	fSize
	fTradeTime
	fMaker
)

func requireFields(seen, want int, names string) error {
	if seen&want != want {
		return fmt.Errorf("missing a required field (want %s)", names)
	}
	return nil
}

func parseDepthUpdate(s *jsonScanner, scratch *[]Level) (Event, error) {
	ev := Event{Kind: KindBookUpdate, Levels: (*scratch)[:0]}
	seen := 0
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "U":
			seen |= fFirst
			ev.FirstUpdateID, err = s.uint()
		case "u":
			seen |= fLast
			ev.LastUpdateID, err = s.uint()
		case "E":
			ev.ExchangeTime, err = msTime(s)
		case "b":
			seen |= fBids
			ev.Levels, err = parseLevels(s, ev.Levels, market.Buy, "b")
		case "a":
			seen |= fAsks
			ev.Levels, err = parseLevels(s, ev.Levels, market.Sell, "a")
		case "pu":
			return errors.New("USD-M depth (pu) is not supported; this reader implements the spot U/u bootstrap")
		case "e":
			var e []byte
			if e, err = s.str(); err == nil && string(e) != "depthUpdate" {
				err = fmt.Errorf("event type %q, want depthUpdate", e)
			}
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return ev, err
	}
	*scratch = ev.Levels
	ev.Levels = slices.Clone(ev.Levels)
	if err := requireFields(seen, fFirst|fLast|fBids|fAsks, "U, u, b, a"); err != nil {
		return ev, err
	}
	if ev.FirstUpdateID > ev.LastUpdateID {
		return ev, fmt.Errorf("U %d > u %d", ev.FirstUpdateID, ev.LastUpdateID)
	}
	return ev, nil
}

func parseBookTicker(s *jsonScanner) (Event, error) {
	ev := Event{Kind: KindTopOfBook}
	seen := 0
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "u":
			seen |= fLast
			ev.LastUpdateID, err = s.uint()
		case "b":
			seen |= fBidPrice
			ev.BidPrice, err = decimalField(s, "b")
		case "B":
			seen |= fBidSize
			ev.BidSize, err = decimalField(s, "B")
		case "a":
			seen |= fAskPrice
			ev.AskPrice, err = decimalField(s, "a")
		case "A":
			seen |= fAskSize
			ev.AskSize, err = decimalField(s, "A")
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return ev, err
	}
	return ev, requireFields(seen, fLast|fBidPrice|fBidSize|fAskPrice|fAskSize, "u, b, B, a, A")
}

func parseTrade(s *jsonScanner) (Event, error) {
	ev := Event{Kind: KindTrade}
	seen := 0
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "t":
			seen |= fTradeID
			ev.TradeID, err = s.uint()
		case "p":
			seen |= fPrice
			ev.Price, err = decimalField(s, "p")
		case "q":
			seen |= fSize
			ev.Size, err = decimalField(s, "q")
		case "T":
			seen |= fTradeTime
			ev.ExchangeTime, err = msTime(s)
		case "m":
			seen |= fMaker
			var buyerMaker bool
			buyerMaker, err = s.boolean()
			// m is true when the buyer was the maker, so the taker sold (PROVENANCE.md).
			ev.TakerSide = market.Buy
			if buyerMaker {
				ev.TakerSide = market.Sell
			}
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return ev, err
	}
	if err := requireFields(seen, fTradeID|fPrice|fSize|fTradeTime|fMaker, "t, p, q, T, m"); err != nil {
		return ev, err
	}
	if ev.Price.Sign() == 0 || ev.Size.Sign() == 0 {
		return ev, fmt.Errorf("trade %d with zero price or quantity", ev.TradeID)
	}
	return ev, nil
}

// parseLevels appends [[price, qty], ...] to levels. A price must be positive; qty 0 deletes a level. It is
// jsonScanner.array twice over, written out without closures because it reads every level of every depth
// message; errors and their byte offsets are array's.
func parseLevels(s *jsonScanner, levels []Level, side market.Side, name string) ([]Level, error) {
	if err := s.expect('['); err != nil {
		return levels, err
	}
	if s.depth+1 > maxJSONDepth {
		return levels, s.errorf("nested too deeply")
	}
	if s.peek() == ']' {
		s.pos++
		return levels, nil
	}
	for {
		if err := s.expect('['); err != nil {
			return levels, err
		}
		if s.depth+2 > maxJSONDepth {
			return levels, s.errorf("nested too deeply")
		}
		var pair [2]market.Fixed
		n := 0
		if s.peek() == ']' {
			s.pos++
		} else {
			for done := false; !done; {
				if n == 2 {
					return levels, s.errorf("%s: a level has more than [price, qty]", name)
				}
				v, err := decimalField(s, name)
				pair[n] = v
				n++
				if err != nil {
					return levels, err
				}
				switch s.peek() {
				case ',':
					s.pos++
				case ']':
					s.pos++
					done = true
				default:
					return levels, s.unexpected("',' or ']' in array")
				}
			}
		}
		if n != 2 {
			return levels, s.errorf("%s: want [price, qty]", name)
		}
		if pair[0].Sign() == 0 {
			return levels, s.errorf("%s: price 0", name)
		}
		levels = append(levels, Level{Side: side, Price: pair[0], Size: pair[1]})
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return levels, nil
		default:
			return levels, s.unexpected("',' or ']' in array")
		}
	}
}

// decimalField reads a JSON string holding an unsigned decimal, as Binance sends prices and quantities.
func decimalField(s *jsonScanner, name string) (market.Fixed, error) {
	raw, err := s.str()
	if err != nil {
		return market.Fixed{}, err
	}
	d, err := parseDecimal(raw)
	if err != nil {
		return d, fmt.Errorf("%s %q: %w", name, raw, err)
	}
	return d, nil
}

func msTime(s *jsonScanner) (time.Time, error) {
	ms, err := s.uint()
	if err != nil {
		return time.Time{}, err
	}
	if ms > uint64(math.MaxInt64/int64(time.Millisecond)) {
		return time.Time{}, s.errorf("time %d ms out of range", ms)
	}
	return time.UnixMilli(int64(ms)).UTC(), nil
}
