package journal

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The tests re-exec their own binary as a helper process for the run lock and crash tests (the pattern go-plugin
// uses for its crash tests, STYLE.md): MM_JOURNAL_TEST_HELPER picks the helper, MM_JOURNAL_TEST_PATH the journal.
const (
	helperEnv     = "MM_JOURNAL_TEST_HELPER"
	helperPathEnv = "MM_JOURNAL_TEST_PATH"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "lock":
		helperHoldLock(os.Getenv(helperPathEnv))
	case "writer":
		helperWriteBatches(os.Getenv(helperPathEnv))
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// helperHoldLock takes the run lock, says so on stdout, and waits to be killed.
func helperHoldLock(journalPath string) {
	lock, err := AcquireRunLock(journalPath, "main", "BTC-USDT")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked", lock.Path())
	time.Sleep(time.Minute)
	os.Exit(3)
}

// crashBatch is the writer helper's batch size; the crash test checks the fill count is a multiple of it.
const crashBatch = 1000

// helperWriteBatches writes fills in batches of exactly crashBatch, one transaction each, forever, reporting each
// committed batch on stdout.
func helperWriteBatches(journalPath string) {
	ctx := context.Background()
	j, err := Open(ctx, journalPath, WithBatchSize(crashBatch), WithFlushInterval(time.Hour))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	// Continue after the fills of earlier rounds, so that every fill is new.
	var first int
	if err := j.readerDB.QueryRow("SELECT count(*) FROM fills").Scan(&first); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for batch := 0; ; batch++ {
		for i := range crashBatch {
			if err := j.AddFill(ctx, testFill(first+batch*crashBatch+i)); err != nil {
				fmt.Println("error:", err)
				os.Exit(1)
			}
		}
		if err := j.Flush(ctx); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("committed", batch+1)
	}
}

// startHelper starts this test binary as helper name on journalPath and returns it with its stdout lines.
func startHelper(t *testing.T, name, journalPath string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+name, helperPathEnv+"="+journalPath)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, bufio.NewScanner(stdout)
}

// nextLine reads the helper's next stdout line, failing the test on EOF or an error report.
func nextLine(t *testing.T, lines *bufio.Scanner) string {
	t.Helper()
	if !lines.Scan() {
		t.Fatalf("helper ended: %v", lines.Err())
	}
	line := lines.Text()
	if strings.HasPrefix(line, "error:") {
		t.Fatalf("helper: %s", line)
	}
	return line
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// testFill is fill number i of a BTC-USDT maker: distinct trade ids, one millisecond apart.
func testFill(i int) Fill {
	side := SideBuy
	if i%2 == 1 {
		side = SideSell
	}
	maker := true
	return Fill{
		Connector: "paper", Market: "BTC-USDT", BaseAsset: "BTC", QuoteAsset: "USDT",
		ExchangeTradeID: fmt.Sprintf("t%07d", i), ClientOrderID: fmt.Sprintf("mm-1-%d", i),
		Side: side, Price: dec("64123.45"), Amount: dec("0.0015"), Fee: dec("0.0962"), FeeAsset: "USDT",
		IsMaker: &maker, Mid: decimal.NewNullDecimal(dec("64125")), Time: t0.Add(time.Duration(i) * time.Millisecond),
	}
}

// openTemp opens a new journal in a temporary directory and closes it when the test ends.
func openTemp(t testing.TB, opts ...Option) *Journal {
	t.Helper()
	j, err := Open(context.Background(), filepath.Join(t.TempDir(), "mm.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(context.Background()) })
	return j
}

// countRows counts rows through the reader, as an analysis command would see them.
func countRows(t testing.TB, j *Journal, table string) int {
	t.Helper()
	var n int
	if err := j.readerDB.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
