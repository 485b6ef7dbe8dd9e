package feed

import (
	"fmt"
	"slices"

	"github.com/mmtoolkit/mm/market"
)

// Book is a price-level order book keyed by exact price (market.Fixed). The capture bootstrap builds it and the paper
// exchange reads it for queue positions (BestBid/BestAsk, SizeAt, Levels).
//
// Each side is a sorted sequence cut into chunks of at most maxChunk levels, ordered so that the best price is
// last (bids ascending, asks descending). Binance diffs touch levels anywhere in a book of a few thousand
// levels (deep levels come and go far from the touch); one flat sorted slice spent a sixth of the capture replay
// moving its tail on every deep insert (BenchmarkCaptureReplay profile), while a chunk bounds each move to
// maxChunk levels. Lookups are binary searches with market.Fixed.Cmp, one integer comparison when the exponents
// agree, as they do for every price of one Binance stream; the best level is the last element of the last chunk.
// The chunks hold no pointers (decimal.Decimal's big.Int made every move a write-barrier copy and every chunk
// work for the garbage collector).
type Book struct {
	bids         bookSide
	asks         bookSide
	lastUpdateID uint64
	undo         *bookUndo // what Revert needs, kept by Apply once KeepUndo was called
}

type priceSize struct {
	price, size market.Fixed
}

// NewBook returns an empty book.
func NewBook() *Book { return &Book{bids: bookSide{dir: 1}, asks: bookSide{dir: -1}} }

// LastUpdateID is the update id of the last snapshot or book update applied (0 for a fresh or reset book).
func (b *Book) LastUpdateID() uint64 { return b.lastUpdateID }

// Reset empties the book.
func (b *Book) Reset() {
	b.bids.reset()
	b.asks.reset()
	b.lastUpdateID = 0
	b.forgetUndo()
}

// Apply applies a book event: a snapshot replaces the book, an update sets levels (size 0 deletes), an invalid
// event empties it. Other kinds leave it unchanged. The caller (a Source) has already checked update-id
// continuity; Apply only records LastUpdateID.
//
// After KeepUndo, Apply also records how to undo it (see Revert).
func (b *Book) Apply(ev Event) error {
	u := b.undo
	if u != nil {
		u.begin(b)
	}
	switch ev.Kind {
	case KindBookSnapshot, KindBookInvalid:
		if u != nil {
			u.saveSides(b) // leaves the book empty
		} else {
			b.Reset()
		}
		b.lastUpdateID = 0
		if ev.Kind == KindBookInvalid {
			return nil
		}
	case KindBookUpdate:
	default:
		return nil
	}
	for _, l := range ev.Levels {
		old, err := b.set(l.Side, l.Price, l.Size)
		if err != nil {
			return err
		}
		if u != nil && !u.sides {
			u.levels = append(u.levels, Level{Side: l.Side, Price: l.Price, Size: old})
		}
	}
	b.lastUpdateID = ev.LastUpdateID
	return nil
}

// Set sets the size at a price; zero deletes the level (Binance: "quantity 0 means remove the price level";
// removing a level the book does not hold is normal and does nothing). Negative sizes are an error.
func (b *Book) Set(side market.Side, price, size market.Fixed) error {
	b.forgetUndo()
	_, err := b.set(side, price, size)
	return err
}

// set is Set returning the size the level had before (zero when absent).
func (b *Book) set(side market.Side, price, size market.Fixed) (old market.Fixed, err error) {
	s, err := b.side(side)
	if err != nil {
		return old, err
	}
	if size.Sign() < 0 {
		return old, fmt.Errorf("book: negative size %s at %s", size, price)
	}
	return s.set(price, size), nil
}

// BestBid is the highest bid; ok is false when there are no bids.
func (b *Book) BestBid() (l Level, ok bool) { return b.bids.best(market.Buy) }

// BestAsk is the lowest ask; ok is false when there are no asks.
func (b *Book) BestAsk() (l Level, ok bool) { return b.asks.best(market.Sell) }

// SizeAt is the size resting at exactly price on side (zero when there is no such level). The price may be
// written with any number of decimals: 61837.63 and 61837.63000000 are the same level.
func (b *Book) SizeAt(side market.Side, price market.Fixed) market.Fixed {
	s, err := b.side(side)
	if err != nil {
		return market.Fixed{}
	}
	if ci, i, found := s.locate(price); found {
		return s.chunks[ci][i].size
	}
	return market.Fixed{}
}

// Levels returns up to n levels of side, best first (n ≤ 0: all of them). The slice is a copy.
func (b *Book) Levels(side market.Side, n int) []Level {
	s, err := b.side(side)
	if err != nil {
		return nil
	}
	if n <= 0 || n > s.n {
		n = s.n
	}
	out := make([]Level, 0, n)
	for ci := len(s.chunks) - 1; ci >= 0 && len(out) < n; ci-- {
		c := s.chunks[ci]
		for i := len(c) - 1; i >= 0 && len(out) < n; i-- {
			out = append(out, Level{Side: side, Price: c[i].price, Size: c[i].size})
		}
	}
	return out
}

// Depth is the number of levels on side.
func (b *Book) Depth(side market.Side) int {
	if s, err := b.side(side); err == nil {
		return s.n
	}
	return 0
}

func (b *Book) side(side market.Side) (*bookSide, error) {
	switch side {
	case market.Buy:
		return &b.bids, nil
	case market.Sell:
		return &b.asks, nil
	}
	return nil, fmt.Errorf("book: side %q: want buy or sell", side)
}

// maxChunk bounds the levels moved by one insert or delete; 64 levels are 2 kB.
const maxChunk = 64

// bookSide is one side of a Book: chunks whose concatenation is sorted by dir (+1 ascending, -1 descending),
// none empty, so that the best level is the last one.
type bookSide struct {
	dir    int
	chunks [][]priceSize
	n      int
	spare  []priceSize // the last chunk emptied, reused for the next first chunk instead of a new 2 kB
}

func (s *bookSide) reset() {
	if len(s.chunks) > 0 {
		s.spare = s.chunks[0][:0]
		clear(s.spare[:cap(s.spare)])
	}
	clear(s.chunks)
	s.chunks, s.n = s.chunks[:0], 0
}

// before reports whether a comes strictly before b in the side's order.
func (s *bookSide) before(a, b market.Fixed) bool { return a.Cmp(b)*s.dir < 0 }

// locate finds price: the chunk it belongs in, the index where it is or would be inserted, and whether it is
// there. With no chunks it returns (0, 0, false). The binary searches are written out rather than sort.Search
// with closures: they run for every level of every depth update.
func (s *bookSide) locate(price market.Fixed) (ci, i int, found bool) {
	if len(s.chunks) == 0 {
		return 0, 0, false
	}
	// The first chunk whose last price is not before price.
	lo, hi := 0, len(s.chunks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := s.chunks[mid]
		if s.before(c[len(c)-1].price, price) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	ci = lo
	if ci == len(s.chunks) {
		ci--
		return ci, len(s.chunks[ci]), false
	}
	c := s.chunks[ci]
	lo, hi = 0, len(c)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.before(c[mid].price, price) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return ci, lo, lo < len(c) && c[lo].price.Cmp(price) == 0
}

// set sets or deletes a level and returns its previous size (zero when it was absent).
func (s *bookSide) set(price, size market.Fixed) (old market.Fixed) {
	ci, i, found := s.locate(price)
	if found {
		old = s.chunks[ci][i].size
	}
	switch {
	case found && size.Sign() == 0:
		c := slices.Delete(s.chunks[ci], i, i+1)
		if len(c) == 0 {
			s.chunks = slices.Delete(s.chunks, ci, ci+1)
			s.spare = c
		} else {
			s.chunks[ci] = c
		}
		s.n--
	case found:
		s.chunks[ci][i].size = size
	case size.Sign() != 0:
		if len(s.chunks) == 0 {
			if s.spare == nil {
				s.spare = make([]priceSize, 0, maxChunk+1)
			}
			s.chunks, s.spare = append(s.chunks, s.spare), nil
		}
		c := slices.Insert(s.chunks[ci], i, priceSize{price: price, size: size})
		if len(c) > maxChunk {
			upper := make([]priceSize, len(c)-len(c)/2, maxChunk+1)
			copy(upper, c[len(c)/2:])
			clear(c[len(c)/2:])
			c = c[:len(c)/2]
			s.chunks = slices.Insert(s.chunks, ci+1, upper)
		}
		s.chunks[ci] = c
		s.n++
	}
	return old
}

func (s *bookSide) best(side market.Side) (Level, bool) {
	if len(s.chunks) == 0 {
		return Level{}, false
	}
	c := s.chunks[len(s.chunks)-1]
	ps := c[len(c)-1]
	return Level{Side: side, Price: ps.price, Size: ps.size}, true
}
