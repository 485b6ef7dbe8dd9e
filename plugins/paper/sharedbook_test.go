package paper

import (
	"fmt"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/plugins/paper/feed"
)

// bookSliceSource is a sliceSource that keeps its book like feed.Capture does (a feed.BookSource), so the
// exchange shares it instead of building its own.
type bookSliceSource struct {
	sliceSource
	book *feed.Book
}

func (s *bookSliceSource) Book() *feed.Book { return s.book }

func (s *bookSliceSource) Next() (feed.Event, error) {
	ev, err := s.sliceSource.Next()
	if err == nil {
		err = s.book.Apply(ev)
	}
	return ev, err
}

// Sharing the source's book must not change what the exchange does: with order and cancel latency, orders
// that arrive just before a book event still see the book without it. The same script on the same market
// gives the same events, byte for byte, with a private book and with the source's.
func TestSharedBookReplaysLikeAPrivateOne(t *testing.T) {
	events := randomMarket(9, 4000)
	for _, model := range []FillModel{Conservative, Optimistic} {
		for _, latency := range []time.Duration{0, 7 * time.Millisecond, 15 * time.Millisecond} {
			t.Run(fmt.Sprintf("%s/%s", model, latency), func(t *testing.T) {
				fills1, all1 := runScriptedOn(t, model, latency, &sliceSource{events: events})
				shared := &bookSliceSource{sliceSource: sliceSource{events: events}, book: feed.NewBook()}
				fills2, all2 := runScriptedOn(t, model, latency, shared)
				if fills1 != fills2 || all1 != all2 {
					t.Errorf("the shared book changed the replay (fills equal: %v)", fills1 == fills2)
				}
			})
		}
	}
}
