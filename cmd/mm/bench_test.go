package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkSkewCalcProcess measures the wall time of one `mm skew-calc` process, start to exit, as a user or a
// script sees it (target ≤ 30 ms, docs/BENCHMARKS.md). The binary is built once, outside the timed loop.
func BenchmarkSkewCalcProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "mm")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	args := []string{"skew-calc", "--base", "1.6", "--quote", "40000", "--price", "60000", "--order-amount", "0.05",
		"--order-levels", "3", "--order-level-amount", "0.02", "--range-multiplier", "2", "--min-notional", "5"}
	for b.Loop() {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			b.Fatalf("mm skew-calc: %v\n%s", err, out)
		}
	}
}
