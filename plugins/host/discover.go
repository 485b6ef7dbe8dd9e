// Package host finds, verifies and launches mm's connector plugins (DESIGN.md §4).
//
// Every failure to find, verify, start, handshake with or keep a plugin wraps ErrUnreachable, which mm maps to
// exit status 5. A started plugin is always killed by Plugin.Close, after an explicit Shutdown, so no plugin
// process outlives mm (reference/go.md §1.12 P1–P3).
package host

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// ErrUnreachable is sdk.ErrUnreachable under the name mm's exit-code switch uses: launch, handshake,
// checksum and crash errors here wrap it, and so do transport errors from the plugin's Connector.
var ErrUnreachable = sdk.ErrUnreachable

// BinaryPrefix starts the file name of every plugin binary: mm-plugin-<name>.
const BinaryPrefix = "mm-plugin-"

// DirEnv names the environment variable of the first plugin directory searched.
const DirEnv = "MM_PLUGIN_DIR"

// SearchPath returns the directories searched for plugins, in order: $MM_PLUGIN_DIR, ./plugins/bin, then the
// directory of the running mm binary. The first directory holding mm-plugin-<name> wins, so a user can
// override a bundled plugin without touching the installation.
func SearchPath() []string {
	var dirs []string
	if d := os.Getenv(DirEnv); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, filepath.Join("plugins", "bin"))
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	return dirs
}

// Found is one discovered plugin binary.
type Found struct {
	Name string
	Path string
}

// Find returns the path of mm-plugin-<name> in the first directory of dirs that holds it as an executable
// regular file.
func Find(name string, dirs []string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("plugin name %q: %w", name, ErrUnreachable)
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, BinaryPrefix+name)
		if isExecutable(path) {
			return filepath.Abs(path)
		}
	}
	return "", fmt.Errorf("plugin %q: %w: no executable %s%s in %s", name, ErrUnreachable, BinaryPrefix, name,
		strings.Join(dirs, ", "))
}

// List returns every plugin found in dirs, one per name (the first match wins, as in Find), in search-path
// order: directory by directory, by name within a directory. A file that is not an executable regular file
// is not a plugin and is skipped.
func List(dirs []string) ([]Found, error) {
	seen := map[string]bool{}
	var out []Found
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list plugins in %s: %w", dir, err)
		}
		for _, e := range entries {
			name, ok := strings.CutPrefix(e.Name(), BinaryPrefix)
			path := filepath.Join(dir, e.Name())
			if !ok || name == "" || seen[name] || !isExecutable(path) {
				continue
			}
			abs, err := filepath.Abs(path)
			if err != nil {
				return nil, err
			}
			seen[name] = true
			out = append(out, Found{Name: name, Path: abs})
		}
	}
	return out, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// FileSHA256 hashes a plugin binary, as the lock file pins it and go-plugin's SecureConfig checks it.
func FileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hash plugin: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash plugin %s: %w", path, err)
	}
	return h.Sum(nil), nil
}
