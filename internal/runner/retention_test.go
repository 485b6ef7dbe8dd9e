package runner

import (
	"strconv"
	"testing"

	"github.com/mmtoolkit/mm/journal"
)

// The runner forgets its oldest finished orders beyond orderRetention, never an open or unknown one.
func TestTrackForgetsOnlyTheOldestFinishedOrders(t *testing.T) {
	r := &run{orders: map[string]*ownOrder{}}
	r.track("open", &ownOrder{status: journal.StatusOpen})
	r.track("unknown", &ownOrder{status: journal.StatusUnknown})
	total := 2*orderRetention + 3
	for i := range total {
		id := "c" + strconv.Itoa(i)
		r.track(id, &ownOrder{status: journal.StatusOpen})
		r.orders[id].status = journal.StatusCancelled
	}
	// Kept: the two live orders, which go back to the end of the queue whenever their turn comes, and the
	// newest orderRetention − 2 others.
	for _, id := range []string{"open", "unknown", "c" + strconv.Itoa(total-orderRetention+2), "c" + strconv.Itoa(total-1)} {
		if r.orders[id] == nil {
			t.Errorf("%s forgotten", id)
		}
	}
	for _, id := range []string{"c0", "c" + strconv.Itoa(total-orderRetention+1)} {
		if r.orders[id] != nil {
			t.Errorf("%s still tracked", id)
		}
	}
	if len(r.orders) != orderRetention {
		t.Errorf("tracks %d orders, want %d", len(r.orders), orderRetention)
	}
}
