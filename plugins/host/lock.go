package host

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockFileName is the default name of the lock file, written by `mm plugins lock` (DESIGN.md §4).
const LockFileName = "plugins.lock"

// LockEnv names the environment variable that says where the lock file is.
const LockEnv = "MM_PLUGIN_LOCK"

// LockPath is the one place that decides where the lock file lives, for `mm plugins` and for every command that
// launches a plugin: $MM_PLUGIN_LOCK, else plugins.lock in the current directory — beside ./plugins/bin and
// ./mm.db, the project directory a bot is run from (a cron job cds there). getenv is os.Getenv outside tests.
func LockPath(getenv func(string) string) string {
	if p := getenv(LockEnv); p != "" {
		return p
	}
	return LockFileName
}

// lockVersion is the format version inside the file, so a future format fails loudly instead of half-parsing.
const lockVersion = 1

// Lock pins each plugin binary's SHA-256. The file is indented JSON, one object per plugin, so it reads and
// diffs well in review:
//
//	{
//	  "version": 1,
//	  "plugins": {
//	    "paper": {
//	      "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
//	      "path": "/home/me/mm/bin/mm-plugin-paper"
//	    }
//	  }
//	}
//
// Path records where the binary was found when it was locked; it is informational, the checksum is the pin.
type Lock struct {
	Plugins map[string]LockEntry
}

// LockEntry is one pinned plugin.
type LockEntry struct {
	SHA256 string `json:"sha256"`
	Path   string `json:"path,omitempty"`
}

type lockFile struct {
	Version int                  `json:"version"`
	Plugins map[string]LockEntry `json:"plugins"`
}

// ReadLock reads and validates a lock file. A missing file gives an error that wraps os.ErrNotExist, which
// callers treat as "no pins".
func ReadLock(path string) (Lock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Lock{}, fmt.Errorf("read plugin lock: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f lockFile
	if err := dec.Decode(&f); err != nil {
		return Lock{}, fmt.Errorf("plugin lock %s: %w", path, err)
	}
	if f.Version != lockVersion {
		return Lock{}, fmt.Errorf("plugin lock %s: version %d, want %d", path, f.Version, lockVersion)
	}
	for name, e := range f.Plugins {
		if _, err := decodeSum(e.SHA256); err != nil {
			return Lock{}, fmt.Errorf("plugin lock %s: plugin %q: %w", path, name, err)
		}
	}
	if f.Plugins == nil {
		f.Plugins = map[string]LockEntry{}
	}
	return Lock{Plugins: f.Plugins}, nil
}

// WriteLock writes the lock file atomically (temporary file, then rename), so a crash never leaves a half
// written pin list that would refuse every plugin.
func WriteLock(path string, l Lock) error {
	data, err := json.MarshalIndent(lockFile{Version: lockVersion, Plugins: l.Plugins}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plugins.lock-*")
	if err != nil {
		return fmt.Errorf("write plugin lock: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write plugin lock: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write plugin lock: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write plugin lock: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// Pin records the current checksum of a plugin binary.
func (l *Lock) Pin(name, path string) error {
	sum, err := FileSHA256(path)
	if err != nil {
		return err
	}
	if l.Plugins == nil {
		l.Plugins = map[string]LockEntry{}
	}
	l.Plugins[name] = LockEntry{SHA256: hex.EncodeToString(sum), Path: path}
	return nil
}

// Checksum returns the pinned SHA-256 of name, or an error wrapping ErrUnreachable if the lock does not pin it:
// with a lock file present an unpinned plugin is refused (reference/go.md §1.4).
func (l Lock) Checksum(name string) ([]byte, error) {
	e, ok := l.Plugins[name]
	if !ok {
		return nil, fmt.Errorf("plugin %q: %w: not pinned in the lock file; run mm plugins lock", name, ErrUnreachable)
	}
	return decodeSum(e.SHA256)
}

func decodeSum(s string) ([]byte, error) {
	sum, err := hex.DecodeString(s)
	if err != nil || len(sum) != 32 {
		return nil, fmt.Errorf("sha256 %q: want 64 hex digits", s)
	}
	return sum, nil
}

// LockStatus is how a plugin binary stands against the lock file.
type LockStatus string

// The lock states, as `mm plugins list` prints them.
const (
	// Pinned: the binary's SHA-256 is the pinned one.
	Pinned LockStatus = "pinned"
	// Unpinned: the lock file (if any) has no entry for the plugin; with a lock file present, mm refuses it.
	Unpinned LockStatus = "unpinned"
	// Mismatch: the binary differs from the one that was pinned; mm refuses it.
	Mismatch LockStatus = "mismatch"
)

// Status compares a binary's SHA-256 with the pin of name.
func (l Lock) Status(name string, sum []byte) LockStatus {
	e, ok := l.Plugins[name]
	switch {
	case !ok:
		return Unpinned
	case e.SHA256 == hex.EncodeToString(sum):
		return Pinned
	}
	return Mismatch
}

// Resolve finds plugin name in dirs and returns the Config to launch it with: without a lock file at lockPath
// any plugin starts unverified; with one, only a pinned plugin starts, and go-plugin's SecureConfig refuses
// the binary unless it matches its pin (DESIGN.md §4, reference/go.md §1.4). A lock file that cannot be
// read or parsed is an error, never "no pins".
func Resolve(name string, dirs []string, lockPath string) (Config, error) {
	path, err := Find(name, dirs)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Name: name, Path: path}
	lock, err := ReadLock(lockPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return cfg, nil
	case err != nil:
		return Config{}, err
	}
	if cfg.Checksum, err = lock.Checksum(name); err != nil {
		return Config{}, fmt.Errorf("%w (%s)", err, lockPath)
	}
	return cfg, nil
}
