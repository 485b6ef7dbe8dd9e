package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// helperEnv turns the test binary into a plugin; the tests link it as mm-plugin-tiny in a temporary
// directory, so discovery, hashing and launch run on a real executable without a build step.
const helperEnv = "MM_HOST_TEST_PLUGIN"

// tinyConnector answers Info and Shutdown; the other methods are the SDK's business and tested there.
type tinyConnector struct{ sdk.Connector }

func (tinyConnector) Info(context.Context) (sdk.PluginInfo, error) {
	sdk.Logger("tiny").Warn("hello from the plugin", "venue", "nowhere")
	if os.Getenv(helperEnv) == "brief" {
		// Dies shortly after the host's start-up Info: the handshake succeeds, the process does not last.
		time.AfterFunc(100*time.Millisecond, func() { os.Exit(crashExit) })
	}
	return sdk.PluginInfo{Name: "tiny", Version: "0.0.1"}, nil
}

func (tinyConnector) Shutdown(context.Context) error { return nil }

func (tinyConnector) Balances(context.Context) ([]sdk.Balance, error) { return nil, nil }

// Subscribe sends a top of book every 5 ms until the host stops listening, so a test can kill the plugin
// mid-stream.
func (tinyConnector) Subscribe(ctx context.Context, req sdk.SubscribeRequest) (<-chan sdk.Event, error) {
	events := make(chan sdk.Event)
	go func() {
		defer close(events)
		ticker := time.NewTicker(5 * time.Millisecond)
		defer ticker.Stop()
		for id := uint64(1); ; id++ {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			select {
			case events <- sdk.Event{Payload: sdk.BookTop{Market: req.Market, UpdateID: id}}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return events, nil
}

// The helper plugin's behaviours, chosen by helperEnv. startsEnv names a file to which every start appends a
// line, so a test can count starts; it also marks the first start for "once".
const (
	startsEnv = "MM_HOST_TEST_STARTS"
	// crashExit is the exit status of a helper plugin that "crashes" on start.
	crashExit = 3
)

func TestMain(m *testing.M) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		// A -race binary sleeps a second before it exits (GORACE atexit_sleep_ms); the plugins these tests
		// start are such binaries, and every Close would wait for that second.
		os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
		os.Exit(m.Run())
	}
	starts := countStart()
	switch mode {
	case "stdout":
		fmt.Println("debug: starting")
	case "crash": // always crashes on start
		fmt.Fprintln(os.Stderr, "tiny: no config, giving up")
		os.Exit(crashExit)
	case "once": // starts once, then crashes on every later start
		if starts > 1 {
			os.Exit(crashExit)
		}
	case "brief": // see tinyConnector.Info: a crash loop
	}
	sdk.Serve(sdk.ServeOpts{Name: "tiny", Connector: tinyConnector{}})
}

// countStart appends a line to $MM_HOST_TEST_STARTS and returns how many starts it holds, this one included.
func countStart() int {
	path := os.Getenv(startsEnv)
	if path == "" {
		return 1
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.WriteString("start\n")
		f.Close()
	}
	data, rerr := os.ReadFile(path)
	if err != nil || rerr != nil {
		fmt.Fprintln(os.Stderr, "count start:", err, rerr)
		os.Exit(2)
	}
	return strings.Count(string(data), "\n")
}

// pluginDir links the test binary as mm-plugin-tiny into a fresh directory.
func pluginDir(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, BinaryPrefix+"tiny")
	if err := os.Symlink(os.Args[0], path); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// syncBuffer collects slog output written from go-plugin's stderr goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDiscoveryFirstDirectoryWins(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	write := func(dir, name string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(first, "mm-plugin-paper", 0o755)
	write(second, "mm-plugin-paper", 0o755)
	write(second, "mm-plugin-binance", 0o755)
	write(second, "mm-plugin-notexec", 0o644)
	write(second, "other-tool", 0o755)
	dirs := []string{filepath.Join(first, "missing"), first, second}

	got, err := Find("paper", dirs)
	if err != nil || got != filepath.Join(first, "mm-plugin-paper") {
		t.Fatalf("Find(paper) = %q, %v; want the first directory's", got, err)
	}
	if _, err := Find("notexec", dirs); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "no executable mm-plugin-notexec") {
		t.Fatalf("Find(notexec) = %v", err)
	}
	list, err := List(dirs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Found{{"paper", filepath.Join(first, "mm-plugin-paper")}, {"binance", filepath.Join(second, "mm-plugin-binance")}}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Fatalf("List = %v, want %v", list, want)
	}
	t.Setenv(DirEnv, first)
	if sp := SearchPath(); sp[0] != first || sp[1] != filepath.Join("plugins", "bin") {
		t.Fatalf("SearchPath = %v", sp)
	}
}

func TestLockFileRoundTripAndBadInput(t *testing.T) {
	_, bin := pluginDir(t)
	lockPath := filepath.Join(t.TempDir(), LockFileName)
	var l Lock
	if err := l.Pin("tiny", bin); err != nil {
		t.Fatal(err)
	}
	if err := WriteLock(lockPath, l); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLock(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := FileSHA256(bin)
	if got, err := back.Checksum("tiny"); err != nil || !bytes.Equal(got, sum) {
		t.Fatalf("Checksum(tiny) = %x, %v; want %x", got, err, sum)
	}
	if _, err := back.Checksum("other"); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Checksum(unpinned) = %v, want ErrUnreachable", err)
	}
	if _, err := ReadLock(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing lock = %v, want os.ErrNotExist", err)
	}
	bad := map[string]string{
		"short sum":     `{"version":1,"plugins":{"p":{"sha256":"abcd"}}}`,
		"unknown key":   `{"version":1,"plugins":{},"extra":true}`,
		"wrong version": `{"version":2,"plugins":{}}`,
	}
	for name, content := range bad {
		if err := os.WriteFile(lockPath, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadLock(lockPath); err == nil {
			t.Errorf("%s: ReadLock accepted %s", name, content)
		}
	}
}

func TestLaunchVerifiedPluginLogsIntoSlogAndCloses(t *testing.T) {
	dir, _ := pluginDir(t)
	path, err := Find("tiny", []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := FileSHA256(path)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	t.Setenv(helperEnv, "ok")
	p, err := Launch(t.Context(), Config{Name: "tiny", Path: path, Checksum: sum, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(t.Context())
	if p.Info.Name != "tiny" || p.Info.ProtocolVersion != sdk.ProtocolVersion {
		t.Errorf("Info = %+v", p.Info)
	}
	if err := p.Close(t.Context()); err != nil || !p.Exited() {
		t.Fatalf("Close = %v, exited %v", err, p.Exited())
	}
	if got := logs.String(); !strings.Contains(got, `level=WARN msg="hello from the plugin"`) || !strings.Contains(got, "venue=nowhere") {
		t.Errorf("plugin log line not forwarded at WARN with its attributes; slog got:\n%s", got)
	}
}

func TestLaunchFailuresAreUnreachable(t *testing.T) {
	dir, path := pluginDir(t)
	wrong := make([]byte, 32)
	tests := []struct {
		name, mode string
		cfg        Config
		want       string
	}{
		{"checksum mismatch", "ok", Config{Name: "tiny", Path: path, Checksum: wrong}, "checksums did not match"},
		{"stdout before handshake", "stdout", Config{Name: "tiny", Path: path}, `wrote "debug: starting" to stdout before the handshake`},
		{"missing binary", "ok", Config{Name: "gone", Path: filepath.Join(dir, "mm-plugin-gone")}, "mm-plugin-gone"},
		{"exit before the handshake", "crash", Config{Name: "tiny", Path: path},
			"the plugin exited before the handshake\n(its last stderr line: tiny: no config, giving up)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(helperEnv, tc.mode)
			_, err := Launch(t.Context(), tc.cfg)
			if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Launch error = %v, want ErrUnreachable mentioning %q", err, tc.want)
			}
		})
	}
}

func TestCrashIsDetectedWithinASecond(t *testing.T) {
	_, path := pluginDir(t)
	t.Setenv(helperEnv, "ok")
	p, err := Launch(t.Context(), Config{Name: "tiny", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(t.Context())
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for !p.Exited() {
		if time.Now().After(deadline) {
			t.Fatal("Exited() still false a second after SIGKILL")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := p.Connector.Balances(t.Context()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("call after crash = %v, want ErrUnreachable", err)
	}
}

// Without a lock file a plugin starts unverified; with one, only pinned plugins start, checked against the pin.
func TestResolveEnforcesTheLockFileOnlyWhenItExists(t *testing.T) {
	dir, bin := pluginDir(t)
	dirs := []string{dir}
	lockPath := filepath.Join(t.TempDir(), LockFileName)

	cfg, err := Resolve("tiny", dirs, lockPath)
	if err != nil || cfg.Checksum != nil || cfg.Path != bin {
		t.Fatalf("no lock file: Resolve = %+v, %v; want the path and no checksum", cfg, err)
	}
	var l Lock
	if err := l.Pin("tiny", bin); err != nil {
		t.Fatal(err)
	}
	if err := WriteLock(lockPath, l); err != nil {
		t.Fatal(err)
	}
	sum, _ := FileSHA256(bin)
	if cfg, err := Resolve("tiny", dirs, lockPath); err != nil || !bytes.Equal(cfg.Checksum, sum) {
		t.Fatalf("pinned: Resolve = %+v, %v; want the pinned checksum", cfg, err)
	}
	if got := l.Status("tiny", sum); got != Pinned {
		t.Errorf("Status(same binary) = %s", got)
	}
	if got := l.Status("tiny", make([]byte, 32)); got != Mismatch {
		t.Errorf("Status(other binary) = %s", got)
	}
	if got := l.Status("other", sum); got != Unpinned {
		t.Errorf("Status(no entry) = %s", got)
	}

	other := filepath.Join(dir, BinaryPrefix+"other")
	if err := os.Symlink(bin, other); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve("other", dirs, lockPath); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "not pinned") {
		t.Errorf("unpinned with a lock file: Resolve = %v, want refusal", err)
	}
	if err := os.WriteFile(lockPath, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve("tiny", dirs, lockPath); err == nil {
		t.Error("a corrupt lock file was taken as no lock file")
	}

	if got := LockPath(func(string) string { return "" }); got != LockFileName {
		t.Errorf("LockPath without %s = %q", LockEnv, got)
	}
	if got := LockPath(func(k string) string { return map[string]string{LockEnv: "/etc/mm/plugins.lock"}[k] }); got != "/etc/mm/plugins.lock" {
		t.Errorf("LockPath with %s = %q", LockEnv, got)
	}
}
