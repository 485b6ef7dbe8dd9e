package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mmtoolkit/mm/plugins/host"
	"github.com/mmtoolkit/mm/plugins/sdk"
)

// The test binary doubles as a plugin: copied into a plugin directory as mm-plugin-<name> and started by mm,
// it serves a tiny connector from init, before testscript or the tests run. mm-plugin-broken exits at once,
// as a plugin that fails to start. Copies, not links, so a test can change a byte of one.
func init() {
	name, ok := strings.CutPrefix(filepath.Base(os.Args[0]), host.BinaryPrefix)
	if !ok {
		return
	}
	if name == "broken" {
		fmt.Fprintln(os.Stderr, "broken plugin: cannot read its config")
		os.Exit(1)
	}
	sdk.Serve(sdk.ServeOpts{Name: name, Connector: testPlugin{name: name}})
	os.Exit(0)
}

// testPlugin answers Info and Shutdown, all that mm plugins asks of a plugin.
type testPlugin struct {
	sdk.Connector
	name string
}

func (p testPlugin) Info(context.Context) (sdk.PluginInfo, error) {
	return sdk.PluginInfo{Name: p.name, Version: "0.3.1"}, nil
}

func (testPlugin) Shutdown(context.Context) error { return nil }

// pluginEnv gives a test its own plugin directory ($MM_PLUGIN_DIR) and working directory, so ./plugins.lock
// and ./plugins/bin are the test's own.
func pluginEnv(t *testing.T) (pluginDir string) {
	t.Helper()
	pluginDir = t.TempDir()
	t.Setenv(host.DirEnv, pluginDir)
	t.Setenv(host.LockEnv, "")
	// A -race plugin binary sleeps a second before exiting (GORACE atexit_sleep_ms); skip it.
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	t.Chdir(t.TempDir())
	return pluginDir
}

// installPlugin copies the test binary into dir as mm-plugin-<name> and returns its path and SHA-256.
func installPlugin(t *testing.T, dir, name string) (path, sum string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path = filepath.Join(dir, host.BinaryPrefix+name)
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := host.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, hex.EncodeToString(raw)
}

// listJSON runs mm plugins list -o json and decodes it, checking the exact set of fields of every row.
func listJSON(t *testing.T, args ...string) []pluginRow {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"plugins", "list", "-o", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("plugins list exit %d, stderr:\n%s", code, stderr)
	}
	var raw []map[string]any
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("list output is not a JSON array: %v\n%s", err, stdout)
	}
	want := []string{"error", "lock_status", "name", "path", "protocol_version", "sha256", "version"}
	for _, row := range raw {
		var keys []string
		for k := range row {
			keys = append(keys, k)
		}
		if !sameSet(keys, want) {
			t.Fatalf("row fields = %v, want exactly %v", keys, want)
		}
	}
	var rows []pluginRow
	if err := json.NewDecoder(strings.NewReader(stdout)).Decode(&rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func intp(n int) *int { return &n }

func TestPluginsListLockVerify(t *testing.T) {
	dir := pluginEnv(t)
	tinyPath, tinySum := installPlugin(t, dir, "tiny")
	brokenPath, brokenSum := installPlugin(t, dir, "broken")
	if err := os.WriteFile(filepath.Join(dir, "mm-plugin-notexec"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Before any lock: every plugin is started; the broken one is listed with its error, not a crash.
	rows := listJSON(t)
	if len(rows) != 2 {
		t.Fatalf("list = %+v, want broken and tiny (the non-executable file is no plugin)", rows)
	}
	broken, tiny := rows[0], rows[1]
	if !strings.Contains(broken.Error, "plugin unreachable") || broken.ProtocolVersion != nil || broken.LockStatus != "unpinned" ||
		broken.Path != brokenPath || broken.SHA256 != brokenSum {
		t.Errorf("broken = %+v", broken)
	}
	wantTiny := pluginRow{Name: "tiny", ProtocolVersion: intp(sdk.ProtocolVersion), Version: "0.3.1", Path: tinyPath,
		SHA256: tinySum, LockStatus: "unpinned"}
	if !reflect.DeepEqual(tiny, wantTiny) {
		t.Errorf("tiny = %+v, want %+v", tiny, wantTiny)
	}

	// lock writes ./plugins.lock, pinning both.
	if code, _, stderr := run(t, "plugins", "lock"); code != exitOK {
		t.Fatalf("lock exit %d: %s", code, stderr)
	}
	lock, err := host.ReadLock(host.LockFileName)
	if err != nil {
		t.Fatal(err)
	}
	if lock.Plugins["tiny"].SHA256 != tinySum || lock.Plugins["broken"].SHA256 != brokenSum || len(lock.Plugins) != 2 {
		t.Fatalf("lock = %+v", lock.Plugins)
	}
	if rows := listJSON(t); rows[1].LockStatus != "pinned" || rows[1].ProtocolVersion == nil || rows[1].Error != "" {
		t.Errorf("tiny after lock = %+v", rows[1])
	}
	code, stdout, stderr := run(t, "plugins", "verify")
	if code != exitOK || !strings.Contains(stdout, "tiny") || !strings.Contains(stdout, tinySum) {
		t.Fatalf("verify exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// One changed byte: verify exits 5 naming the plugin and both sums; list refuses to start it.
	data, err := os.ReadFile(tinyPath)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(tinyPath, data, 0o755); err != nil {
		t.Fatal(err)
	}
	changed, _ := host.FileSHA256(tinyPath)
	code, stdout, stderr = run(t, "plugins", "verify")
	if code != exitUnreachable || stdout != "" {
		t.Fatalf("verify after a changed byte: exit %d, stdout %q", code, stdout)
	}
	wantErr := fmt.Sprintf("mm: plugin tiny: %s has sha256 %x, but plugins.lock pins %s\n", tinyPath, changed, tinySum)
	if stderr != wantErr {
		t.Errorf("verify stderr =\n%q\nwant\n%q", stderr, wantErr)
	}
	if rows := listJSON(t); rows[1].LockStatus != "mismatch" || rows[1].ProtocolVersion != nil ||
		!strings.Contains(rows[1].Error, "not started") {
		t.Errorf("tiny after the change = %+v", rows[1])
	}

	// A removed binary is just as fatal.
	if err := os.Remove(brokenPath); err != nil {
		t.Fatal(err)
	}
	_, _, stderr = run(t, "plugins", "verify")
	if !strings.Contains(stderr, "plugin broken: missing: pinned sha256 "+brokenSum) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("verify with a missing binary: stderr %q", stderr)
	}
}

func TestPluginsLockNamesKeepsOtherPinsAndHonoursLockFlag(t *testing.T) {
	dir := pluginEnv(t)
	_, aSum := installPlugin(t, dir, "a")
	lockFile := filepath.Join(t.TempDir(), "deploy.lock")
	if err := host.WriteLock(lockFile, host.Lock{Plugins: map[string]host.LockEntry{
		"gone": {SHA256: strings.Repeat("ab", 32)},
	}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "plugins", "lock", "a", "--lock", lockFile, "-o", "csv")
	if code != exitOK {
		t.Fatalf("lock a: exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "NAME,CHANGE,SHA256,PATH\na,added,"+aSum+",") {
		t.Errorf("lock report =\n%s", stdout)
	}
	lock, err := host.ReadLock(lockFile)
	if err != nil || len(lock.Plugins) != 2 || lock.Plugins["a"].SHA256 != aSum {
		t.Fatalf("lock after naming a = %+v, %v; want a added and gone kept", lock.Plugins, err)
	}
	if _, err := os.Stat(host.LockFileName); err == nil {
		t.Error("--lock was ignored: ./plugins.lock written")
	}

	// Without names the lock becomes exactly what is installed; $MM_PLUGIN_LOCK names the same file.
	t.Setenv(host.LockEnv, lockFile)
	code, stdout, _ = run(t, "plugins", "lock", "-o", "json")
	var report []lockRow
	if err := json.Unmarshal([]byte(stdout), &report); code != exitOK || err != nil {
		t.Fatalf("lock: exit %d, %v\n%s", code, err, stdout)
	}
	if len(report) != 2 || report[0].Change != "unchanged" || report[1].Name != "gone" || report[1].Change != "removed" {
		t.Errorf("lock report = %+v", report)
	}

	if code, _, stderr := run(t, "plugins", "lock", "nosuch"); code != exitUnreachable || !strings.Contains(stderr, "no executable mm-plugin-nosuch") {
		t.Errorf("lock nosuch: exit %d, %s", code, stderr)
	}
}

func TestPluginsEdgeCases(t *testing.T) {
	pluginEnv(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"empty plugin dir lists nothing", []string{"plugins", "list", "-o", "json"}, exitOK, "[]\n", ""},
		{"empty plugin dir, csv", []string{"plugins", "list", "-o", "csv"}, exitOK, "NAME,PROTOCOL,VERSION,LOCK,SHA256,PATH,ERROR\n", ""},
		{"verify without a lock file", []string{"plugins", "verify"}, exitUsage, "",
			"mm: no plugin lock file at plugins.lock; run mm plugins lock first\n"},
		{"nothing to lock", []string{"plugins", "lock"}, exitUnreachable, "", "no plugins found in"},
		{"group without subcommand", []string{"plugins"}, exitUsage, "", "mm plugins needs a subcommand: list, lock, verify"},
		{"bad timeout", []string{"plugins", "list", "--timeout", "0s"}, exitUsage, "", "--timeout must be > 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code || stdout != tc.stdout || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, stderr containing %q",
					code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}

	if err := os.WriteFile(host.LockFileName, []byte(`{"version":1,"plugins":{"p":{"sha256":"abc"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"list", "lock", "verify"} {
		code, _, stderr := run(t, "plugins", sub)
		if code != exitUsage || !strings.Contains(stderr, "want 64 hex digits") {
			t.Errorf("%s with a corrupt lock: exit %d, %s", sub, code, stderr)
		}
	}
	if data, _ := os.ReadFile(host.LockFileName); !bytes.Contains(data, []byte(`"abc"`)) {
		t.Error("a corrupt lock file was overwritten")
	}
}

func TestPluginUnreachableMapsToExitFive(t *testing.T) {
	err := fmt.Errorf("run: %w", fmt.Errorf("plugin paper: %w: checksums did not match", host.ErrUnreachable))
	if got := exitCode(err); got != exitUnreachable {
		t.Errorf("exitCode = %d, want %d", got, exitUnreachable)
	}
}
