package connectortest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/plugins/host"
)

// hostHelperEnv makes the test binary act as a host: it launches mm-plugin-paper, prints the plugin's pid and
// waits to be killed, the way mm would be killed by kill -9 or the OOM killer.
const hostHelperEnv = "MM_CONNECTORTEST_HOST"

func init() {
	bin := os.Getenv(hostHelperEnv)
	if bin == "" {
		return
	}
	p, err := host.Launch(context.Background(), host.Config{Name: "paper", Path: bin})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("pid", p.Pid())
	select {}
}

// A host killed with SIGKILL gets no chance to stop its plugins; the plugin must notice and exit by itself, so
// cron never accumulates orphaned connectors holding exchange sessions (DESIGN.md §4, reference/go.md §1.12).
func TestPaperPluginDoesNotOutliveAKilledHost(t *testing.T) {
	bin := buildPaperPlugin(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), hostHelperEnv+"="+bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "pid ") {
		_ = cmd.Process.Kill()
		t.Fatalf("host helper said %q (%v)", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d still running 5 s after its host was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
