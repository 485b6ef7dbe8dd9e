// Package sharedtest finds the shared reference material (test vectors and recorded market data) that lives
// beside the repository, never inside it. Tests that need it skip when it is absent, except under CI (CI set),
// where its absence is a failure: CI always has ../shared beside the clone.
package sharedtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared directory: $MM_SHARED if set, else the first "shared" directory found beside the
// module root or one of its parents.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("MM_SHARED"); dir != "" {
		return require(t, dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared")
		if st, err := os.Stat(filepath.Join(candidate, "vectors")); err == nil && st.IsDir() {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return require(t, "")
}

// DataDir returns the recorded market data directory: $MM_SHARED_DATA if set, else <shared>/data.
func DataDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("MM_SHARED_DATA"); dir != "" {
		return require(t, dir)
	}
	return require(t, filepath.Join(Dir(t), "data"))
}

func require(t testing.TB, dir string) string {
	t.Helper()
	if dir != "" {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("shared reference material not found (dir %q); CI must have ../shared beside the clone", dir)
	}
	t.Skipf("shared reference material not found (dir %q); set MM_SHARED or place shared/ beside the repository", dir)
	return ""
}

// Vector is one entry of a vectors file (../shared/vectors/*.json). Inputs, Expected and Computed stay raw so
// each test decodes the shape it knows.
type Vector struct {
	ID          string          `json:"id"`
	Description string          `json:"description"`
	Inputs      json.RawMessage `json:"inputs"`
	Expected    json.RawMessage `json:"expected"`
	Computed    json.RawMessage `json:"computed"`
}

// Vectors loads the named vectors file (for example "hummingbot.json") and indexes it by id.
func Vectors(t testing.TB, file string) map[string]Vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(Dir(t), "vectors", file))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var doc struct {
		Vectors []Vector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	byID := make(map[string]Vector, len(doc.Vectors))
	for _, v := range doc.Vectors {
		byID[v.ID] = v
	}
	return byID
}

// Decode unmarshals raw JSON into v, failing the test on error.
func Decode(t testing.TB, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode vector field: %v", err)
	}
}
