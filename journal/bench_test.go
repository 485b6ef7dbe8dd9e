package journal

import (
	"context"
	"testing"
)

// BenchmarkWriterFills measures fills per second through the batched writer (AddFill, then one Flush), with the
// default batch size and real files: validation and decimal formatting in the caller, inserts and commits in the
// writer goroutine, as in `mm run`.
func BenchmarkWriterFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	fills := make([]Fill, b.N)
	for i := range fills {
		fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range fills {
		if err := j.AddFill(ctx, fills[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := j.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}

// BenchmarkInsertFills measures the synchronous import path, 1000 fills per call.
func BenchmarkInsertFills(b *testing.B) {
	ctx := context.Background()
	j := openTemp(b)
	fills := make([]Fill, b.N)
	for i := range fills {
		fills[i] = testFill(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for start := 0; start < len(fills); start += 1000 {
		if _, err := j.InsertFills(ctx, fills[start:min(start+1000, len(fills))]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fills/s")
}
