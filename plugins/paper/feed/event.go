// Package feed is the market-data side of mm's paper/replay exchange (DESIGN §5): it turns a Binance WebSocket
// capture, Binance public-dump CSVs or a seeded synthetic market into one pull-based stream of events in a
// deterministic order. The exchange uses Event.Time as its simulated clock, so the same input always gives the
// same events, and replay runs as fast as the parser can go instead of at wall-clock speed.
//
// Every price and size is an exact market.Fixed from parsing to the event (the data's own mantissa and decimals,
// never a float: the data's exact digits are the truth the fill model compares against, and a float round-trip
// would move a price off its tick). Fixed rather than decimal.Decimal because replay runs millions of them a
// second: a Fixed costs no allocation and compares as integers; consumers convert with Decimal where they do
// money arithmetic.
package feed

import (
	"fmt"
	"strings"
	"time"

	"github.com/mmtoolkit/mm/market"
)

// Source is a stream of market events. Next returns io.EOF after the last event; any other error is final and
// names the input position that caused it. Pull-based so that replay is deterministic (no goroutine decides
// the order) and runs at parser speed.
type Source interface {
	Next() (Event, error)
}

// BookSource is a Source that keeps the order book its events describe: each book event is applied to Book
// before Next returns it. Capture and Synthetic are BookSources; the paper exchange reads their book instead
// of building a second copy.
type BookSource interface {
	Source
	Book() *Book
}

// Kind says which payload fields of an Event are set.
type Kind uint8

// The kinds of market event.
const (
	// KindBookUpdate changes price levels: Levels holds (side, price, size) with size 0 deleting the level,
	// FirstUpdateID/LastUpdateID the exchange's update id range (Binance depthUpdate U and u).
	KindBookUpdate Kind = iota + 1
	// KindTopOfBook is the best bid and ask (Binance bookTicker); LastUpdateID is the book's update id it
	// reflects (bookTicker u). A zero price means that side is unknown or empty.
	KindTopOfBook
	// KindTrade is a public trade: Price, Size, TradeID, TakerSide.
	KindTrade
	// KindBookSnapshot replaces the whole book with Levels (bids and asks, every size > 0); LastUpdateID is
	// the snapshot's update id (Binance REST lastUpdateId).
	KindBookSnapshot
	// KindBookInvalid says the book can no longer be trusted (a depth gap, see CaptureOptions.ResyncOnGap):
	// consumers clear it and wait for the next KindBookSnapshot. Gap describes what was lost.
	KindBookInvalid
)

var kindNames = [...]string{"", "book", "top", "trade", "snapshot", "invalid"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Level is one price level change or one level of a book: Side is market.Buy for bids, market.Sell for asks.
type Level struct {
	Side  market.Side
	Price market.Fixed
	Size  market.Fixed
}

// Event is one market event. Which payload fields are set depends on Kind; the others are zero.
type Event struct {
	// Seq is local to one Source: 1 for the first event returned, then +1 per event.
	Seq uint64
	// Time drives the simulated clock: local receive time for captures (PROVENANCE.md: the exchange's clock
	// and the recorder's differ by about 1.27 s, and replay must follow the order messages arrived in),
	// exchange time for CSV dumps, simulated time for the synthetic market. It never goes backwards.
	Time time.Time
	// ExchangeTime is the exchange's own timestamp where the message carries one (depthUpdate E, trade T,
	// CSV rows), zero otherwise (spot bookTicker has none).
	ExchangeTime time.Time
	Kind         Kind

	// Book update and snapshot.
	Levels        []Level
	FirstUpdateID uint64
	LastUpdateID  uint64 // also set for top of book and snapshot, see Kind

	// Top of book.
	BidPrice, BidSize market.Fixed
	AskPrice, AskSize market.Fixed

	// Trade.
	Price     market.Fixed
	Size      market.Fixed
	TradeID   uint64
	TakerSide market.Side

	// Gap is set on KindBookInvalid.
	Gap *GapError
}

// String formats the event on one line with every payload field of its kind. It is canonical (decimals
// without trailing zeros, times in RFC 3339 UTC with nanoseconds), so equal streams format identically;
// the determinism tests hash it.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s", e.Seq, e.Time.UTC().Format(time.RFC3339Nano), e.Kind)
	switch e.Kind {
	case KindBookUpdate, KindBookSnapshot:
		fmt.Fprintf(&b, " ids=%d-%d", e.FirstUpdateID, e.LastUpdateID)
		for _, l := range e.Levels {
			fmt.Fprintf(&b, " %s:%s@%s", l.Side, l.Size, l.Price)
		}
	case KindTopOfBook:
		fmt.Fprintf(&b, " id=%d bid=%s@%s ask=%s@%s", e.LastUpdateID, e.BidSize, e.BidPrice, e.AskSize, e.AskPrice)
	case KindTrade:
		fmt.Fprintf(&b, " id=%d %s %s@%s", e.TradeID, e.TakerSide, e.Size, e.Price)
	case KindBookInvalid:
		if e.Gap != nil {
			fmt.Fprintf(&b, " %v", e.Gap)
		}
	}
	if !e.ExchangeTime.IsZero() {
		fmt.Fprintf(&b, " ex=%s", e.ExchangeTime.UTC().Format(time.RFC3339Nano))
	}
	return b.String()
}
