package sdk

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/mmtoolkit/mm/market"
)

// Event is one item of a Subscribe stream. Seq starts at 1 and grows by exactly one; the SDK assigns it on the
// plugin side (what a plugin puts there is ignored) and checks it on the host side.
type Event struct {
	Seq     uint64
	Time    time.Time
	Payload Payload
}

// Payload is one of BookTop, BookDepth, PublicTrade, OrderUpdate, FillEvent, BalanceUpdate, Resync and
// EndOfData, which a plugin may send, or Gap and StreamError, which only the host-side client produces.
type Payload interface{ isPayload() }

// BookTop is the best bid and ask. A zero price and amount mean that side of the book is empty.
type BookTop struct {
	Market    market.Pair
	BidPrice  decimal.Decimal
	BidAmount decimal.Decimal
	AskPrice  decimal.Decimal
	AskAmount decimal.Decimal
	UpdateID  uint64
}

// Level is one price level of a depth snapshot.
type Level struct {
	Price  decimal.Decimal
	Amount decimal.Decimal
}

// BookDepth is a snapshot of the best levels, bids descending and asks ascending.
type BookDepth struct {
	Market   market.Pair
	Bids     []Level
	Asks     []Level
	UpdateID uint64
}

// PublicTrade is a trade printed on the market by anyone.
type PublicTrade struct {
	Market    market.Pair
	TradeID   string
	Price     decimal.Decimal
	Amount    decimal.Decimal
	TakerSide market.Side
}

// OrderUpdate reports a change of one of our orders.
type OrderUpdate struct{ Order Order }

// FillEvent reports a fill of one of our orders.
type FillEvent struct{ Fill Fill }

// BalanceUpdate reports a new balance of one asset.
type BalanceUpdate struct{ Balance Balance }

// Resync is sent by a plugin that lost continuity upstream (an exchange websocket gap, a reconnect): events
// may be missing, so the host must reconcile through OpenOrders, TradesSince and Balances.
type Resync struct{ Reason string }

// EndOfData is the last event of a stream whose data ended: a replay reached the end of its feed. The channel
// is closed right after it. A live connector never sends it; a stream that closes without it (or a StreamError)
// ended abnormally.
type EndOfData struct{}

// Gap is produced by the host-side client when the stream's sequence jumped: events Expected..Got-1 never
// arrived. The stream goes on, but the host must reconcile as after a Resync.
type Gap struct{ Expected, Got uint64 }

// StreamError is the last event of a stream that ended abnormally (the plugin crashed, the connection broke,
// a message was malformed); the channel is closed right after it. Err wraps ErrUnreachable or ErrProtocol.
type StreamError struct{ Err error }

func (BookTop) isPayload()       {}
func (BookDepth) isPayload()     {}
func (PublicTrade) isPayload()   {}
func (OrderUpdate) isPayload()   {}
func (FillEvent) isPayload()     {}
func (BalanceUpdate) isPayload() {}
func (Resync) isPayload()        {}
func (EndOfData) isPayload()     {}
func (Gap) isPayload()           {}
func (StreamError) isPayload()   {}

func (g Gap) Error() string {
	return fmt.Sprintf("stream sequence gap: expected %d, got %d", g.Expected, g.Got)
}
