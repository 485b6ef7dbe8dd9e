//go:build unix

package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecondRunLockForTheSameAccountAndMarketFails(t *testing.T) {
	journalPath := filepath.Join(t.TempDir(), "mm.db")
	first, err := AcquireRunLock(journalPath, "main", "BTC-USDT")
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(first.Path())
	if err != nil || info.Mode().Perm() != 0o600 || filepath.Base(first.Path()) != "mm.db.lock-main-BTC-USDT" {
		t.Fatalf("lock file %s: %v, %v", first.Path(), info, err)
	}
	_, err = AcquireRunLock(journalPath, "main", "BTC-USDT")
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second acquire = %v, want ErrLocked", err)
	}
	for _, want := range []string{`"main"`, `"BTC-USDT"`, fmt.Sprintf("pid %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not name %s", err, want)
		}
	}
	other, err := AcquireRunLock(journalPath, "main", "ETH-USDT")
	if err != nil {
		t.Fatalf("another market is another lock: %v", err)
	}
	other.Release()
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := AcquireRunLock(journalPath, "main", "BTC-USDT")
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	again.Release()
}

func TestLockPathSanitizesAccountAndMarket(t *testing.T) {
	tests := []struct{ account, market, want string }{
		{"main", "BTC-USDT", "/j/mm.db.lock-main-BTC-USDT"},
		{"sub/acct", "BTC/USDT", "/j/mm.db.lock-sub_acct-BTC_USDT"},
		{"../x", "a b", "/j/mm.db.lock-.._x-a_b"},
	}
	for _, tt := range tests {
		if got := LockPath("/j/mm.db", tt.account, tt.market); got != tt.want {
			t.Errorf("LockPath(%q, %q) = %q, want %q", tt.account, tt.market, got, tt.want)
		}
	}
}

func TestRunLockOfAKilledProcessIsReleased(t *testing.T) {
	journalPath := filepath.Join(t.TempDir(), "mm.db")
	child, lines := startHelper(t, "lock", journalPath)
	if line := nextLine(t, lines); !strings.HasPrefix(line, "locked") {
		t.Fatalf("helper said %q", line)
	}
	_, err := AcquireRunLock(journalPath, "main", "BTC-USDT")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", child.Process.Pid)) {
		t.Fatalf("acquire while the child holds it = %v, want ErrLocked naming pid %d", err, child.Process.Pid)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	child.Wait()
	lock, err := AcquireRunLock(journalPath, "main", "BTC-USDT")
	if err != nil {
		t.Fatalf("acquire after the holder was killed: %v", err)
	}
	lock.Release()
}
