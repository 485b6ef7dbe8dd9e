package sdk_test

import (
	"testing"

	"github.com/mmtoolkit/mm/journal"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// The SDK's order states are the journal's, letter for letter: the journal's CHECK constraint rejects any other
// spelling, so a "canceled" from a connector would fail the write of a cancelled order (it once did).
func TestOrderStatusesAreSpelledAsTheJournalSpellsThem(t *testing.T) {
	pairs := []struct {
		sdk     sdk.OrderStatus
		journal string
	}{
		{sdk.StatusOpen, journal.StatusOpen},
		{sdk.StatusPartiallyFilled, journal.StatusPartiallyFilled},
		{sdk.StatusFilled, journal.StatusFilled},
		{sdk.StatusCancelled, journal.StatusCancelled},
		{sdk.StatusRejected, journal.StatusRejected},
		{sdk.StatusExpired, journal.StatusExpired},
	}
	for _, p := range pairs {
		if string(p.sdk) != p.journal {
			t.Errorf("sdk status %q, journal spells it %q", p.sdk, p.journal)
		}
	}
	if sdk.StatusCancelled != "cancelled" {
		t.Errorf("StatusCancelled = %q, want the journal's \"cancelled\"", sdk.StatusCancelled)
	}
}
