package feed

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mmtoolkit/mm/market"
)

// Revert puts the book back exactly as it was before the last Apply, whatever that Apply did: levels set,
// replaced and deleted, a snapshot, an invalidation. Applying the event again gives the book after it.
func TestBookRevertUndoesTheLastApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	b := NewBook()
	b.KeepUndo()
	randomLevels := func(n int, allowDelete bool) []Level {
		var levels []Level
		for range n {
			side := market.Buy
			if rng.IntN(2) == 0 {
				side = market.Sell
			}
			size := int64(rng.IntN(4))
			if !allowDelete {
				size++
			}
			levels = append(levels, Level{Side: side, Price: market.NewFixed(int64(1+rng.IntN(400)), -2),
				Size: market.NewFixed(size, -3)})
		}
		return levels
	}
	id := uint64(1)
	for step := range 1200 {
		var ev Event
		switch r := rng.IntN(100); {
		case r < 2:
			ev = Event{Kind: KindBookSnapshot, Levels: randomLevels(300, false), LastUpdateID: id}
		case r < 3:
			ev = Event{Kind: KindBookInvalid}
		case r < 10:
			ev = Event{Kind: KindTrade, Price: market.NewFixed(1, 0), Size: market.NewFixed(1, 0)}
		default:
			ev = Event{Kind: KindBookUpdate, Levels: randomLevels(1+rng.IntN(30), true), FirstUpdateID: id, LastUpdateID: id}
		}
		id++
		before := dumpBook(b)
		if err := b.Apply(ev); err != nil {
			t.Fatal(err)
		}
		after := dumpBook(b)
		if step%3 != 0 {
			continue
		}
		if !b.Revert() {
			t.Fatalf("step %d: Revert refused after Apply", step)
		}
		if got := dumpBook(b); got != before {
			t.Fatalf("step %d (%v): reverted book differs from the book before", step, ev.Kind)
		}
		if b.Revert() {
			t.Fatalf("step %d: a second Revert of the same Apply", step)
		}
		if err := b.Apply(ev); err != nil {
			t.Fatal(err)
		}
		if got := dumpBook(b); got != after {
			t.Fatalf("step %d (%v): reapplied book differs from the book after", step, ev.Kind)
		}
	}
	if err := b.Set(market.Buy, market.NewFixed(1, 0), market.NewFixed(1, 0)); err != nil || b.Revert() {
		t.Errorf("Revert after Set: %v", err)
	}
}

func dumpBook(b *Book) string {
	return fmt.Sprint(b.LastUpdateID(), b.Levels(market.Buy, 0), b.Levels(market.Sell, 0))
}
