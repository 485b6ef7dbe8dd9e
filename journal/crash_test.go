//go:build unix

package journal

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// DESIGN.md §9: kill -9 at any moment leaves a journal that opens and passes integrity checks. The writer helper
// (helpers_test.go) commits fills in transactions of exactly crashBatch, so a journal holding a count that is not a
// multiple of crashBatch would prove that a partial batch became visible.
func TestKillDuringWritesLosesNoPartOfABatch(t *testing.T) {
	ctx := context.Background()
	journalPath := filepath.Join(t.TempDir(), "mm.db")
	// Several rounds, each killing the writer a little later after its second commit, so that the kill lands at
	// different points of enqueueing and committing.
	for round := range 3 {
		child, lines := startHelper(t, "writer", journalPath)
		for range 2 {
			if line := nextLine(t, lines); !strings.HasPrefix(line, "committed") {
				t.Fatalf("helper said %q", line)
			}
		}
		time.Sleep(time.Duration(round) * 4 * time.Millisecond)
		if err := child.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		child.Wait()

		j, err := Open(ctx, journalPath)
		if err != nil {
			t.Fatalf("round %d: the journal does not open after kill -9: %v", round, err)
		}
		report, err := j.Check(ctx)
		j.Close(ctx)
		if err != nil || !report.OK() {
			t.Fatalf("round %d: check after kill -9: %v, %v", round, report.Problems, err)
		}
		fills := report.Count("fills")
		if fills < int64(2*(round+1)*crashBatch) || fills%crashBatch != 0 {
			t.Fatalf("round %d: fills after kill -9 = %d, want a multiple of %d, at least %d", round, fills,
				crashBatch, 2*(round+1)*crashBatch)
		}
		t.Logf("round %d: %d fills (%d batches) survived", round, fills, fills/crashBatch)
	}
}
