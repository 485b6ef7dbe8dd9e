package feed

// bookUndo is what Book.Revert needs to undo the last Apply: the previous size of every level it set, or the
// whole previous book when it replaced or emptied it (snapshot, invalid).
type bookUndo struct {
	valid        bool
	lastUpdateID uint64
	levels       []Level // Size is the size before the Apply (zero: the level was absent), in Apply's order
	sides        bool    // the Apply replaced the book: bids and asks are the book before it
	bids, asks   bookSide
}

// KeepUndo makes every later Apply record how to undo it, for Revert. Recording costs one append per level.
//
// It exists for the paper exchange, which shares the book of its feed (BookSource) instead of keeping a copy:
// the source has applied an event before the exchange plays it, and orders that reach the exchange just
// before that event (latency) must see the book without it.
func (b *Book) KeepUndo() {
	if b.undo == nil {
		b.undo = &bookUndo{}
	}
}

// Revert undoes the last Apply, which must have been the last change to the book: it reports false, changing
// nothing, without KeepUndo, after a Set or Reset, or when that Apply was already reverted. Applying the same
// event again redoes it.
func (b *Book) Revert() bool {
	u := b.undo
	if u == nil || !u.valid {
		return false
	}
	u.valid = false
	if u.sides {
		b.bids, b.asks = u.bids, u.asks
		u.bids, u.asks, u.sides = bookSide{}, bookSide{}, false
	} else {
		for i := len(u.levels) - 1; i >= 0; i-- {
			l := u.levels[i]
			if _, err := b.set(l.Side, l.Price, l.Size); err != nil {
				panic("feed: book undo log holds a level Apply accepted but set refuses: " + err.Error())
			}
		}
	}
	b.lastUpdateID = u.lastUpdateID
	return true
}

func (b *Book) forgetUndo() {
	if b.undo != nil {
		b.undo.valid = false
	}
}

// begin starts the log of an Apply.
func (u *bookUndo) begin(b *Book) {
	u.valid, u.lastUpdateID, u.levels = true, b.lastUpdateID, u.levels[:0]
	u.sides, u.bids, u.asks = false, bookSide{}, bookSide{}
}

// saveSides moves the book's levels into the log and leaves the book empty.
func (u *bookUndo) saveSides(b *Book) {
	u.sides, u.bids, u.asks = true, b.bids, b.asks
	b.bids, b.asks = bookSide{dir: 1}, bookSide{dir: -1}
}
