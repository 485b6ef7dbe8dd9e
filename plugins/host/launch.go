package host

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/mmtoolkit/mm/plugins/sdk"
)

// Config says which plugin binary to start and how.
type Config struct {
	Name string
	// Path comes from Find.
	Path string
	// Checksum is the SHA-256 pinned in the lock file. When set, go-plugin hashes the binary before starting
	// it and refuses a mismatch (SecureConfig, reference/go.md §1.4). Nil means no lock file exists.
	Checksum []byte
	// Logger receives go-plugin's messages and the plugin's own log lines; nil discards them.
	Logger *slog.Logger
	// StartTimeout bounds start-up and the handshake; 0 means 10 s, not go-plugin's 1 minute (§1.12 P7).
	StartTimeout time.Duration
}

// Plugin is a running plugin process and the Connector that talks to it.
type Plugin struct {
	Connector sdk.Connector
	Info      sdk.PluginInfo
	client    *plugin.Client
	name      string
	pid       int
}

// Launch starts a plugin, verifies it, performs the handshake with AutoMTLS and asks for its Info. On any
// failure the process is killed and the error wraps ErrUnreachable.
func Launch(ctx context.Context, cfg Config) (*Plugin, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.StartTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	cmd := exec.Command(cfg.Path)
	cmd.SysProcAttr = procAttr()
	cmd.Env = append(os.Environ(), sdk.LogLevelEnv+"="+levelName(logger))
	clientCfg := &plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: sdk.HostPlugins(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     timeout,
		Logger:           newHCLog(logger),
		GRPCDialOptions:  []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(sdk.MaxMessageBytes))},
	}
	if cfg.Checksum != nil {
		clientCfg.SecureConfig = &plugin.SecureConfig{Checksum: cfg.Checksum, Hash: sha256.New()}
	}
	stderr := &stderrTail{}
	clientCfg.Stderr = stderr
	client := plugin.NewClient(clientCfg)
	p, err := dispense(ctx, client, cfg)
	if err != nil {
		client.Kill() // also waits for the stderr reader, so the tail is complete
		err = fmt.Errorf("plugin %s (%s): %w: %w", cfg.Name, cfg.Path, ErrUnreachable, explain(err))
		if last := stderr.lastLine(); last != "" {
			err = fmt.Errorf("%w\n(its last stderr line: %s)", err, last)
		}
		return nil, err
	}
	return p, nil
}

// stderrTail keeps the end of a plugin's stderr, so a plugin that dies before the handshake is reported with
// its own last words (go-plugin logs non-JSON stderr lines at debug only, reference/go.md §1.8).
type stderrTail struct {
	mu  sync.Mutex
	buf []byte
}

const stderrTailBytes = 4096

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - stderrTailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *stderrTail) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	const maxLen = 300
	last := strings.TrimSpace(lines[len(lines)-1])
	if len(last) > maxLen {
		last = last[:maxLen] + "…"
	}
	return last
}

func dispense(ctx context.Context, client *plugin.Client, cfg Config) (*Plugin, error) {
	rpc, err := client.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		return nil, err
	}
	connector, ok := raw.(sdk.Connector)
	if !ok {
		return nil, fmt.Errorf("dispensed %T, not a connector", raw)
	}
	info, err := connector.Info(ctx)
	if err != nil {
		return nil, err
	}
	// The pid is kept from the start: it identifies the process in logs and orphan checks after it has ended.
	var pid int
	if rc := client.ReattachConfig(); rc != nil {
		pid = rc.Pid
	}
	return &Plugin{Connector: connector, Info: info, client: client, name: cfg.Name, pid: pid}, nil
}

// unrecognizedMessage starts go-plugin's error for a plugin whose first line on stdout is not the handshake.
const unrecognizedMessage = "Unrecognized remote plugin message"

// explain adds what the user should do to go-plugin's terse start-up errors.
func explain(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, plugin.ErrChecksumsDoNotMatch):
		return fmt.Errorf("%w: the binary is not the one pinned in %s; re-run mm plugins lock if you trust it", err, LockFileName)
	case strings.Contains(msg, "Failed to read any lines from plugin's stdout"):
		// go-plugin's text for this case lists unlikely causes over ten lines; the usual one is a plugin that
		// exited (or crashed) before its handshake.
		return errors.New("the plugin exited before the handshake")
	case strings.Contains(msg, unrecognizedMessage):
		// go-plugin appends ten lines of unlikely causes; the message the plugin printed is what matters.
		_, after, _ := strings.Cut(msg, unrecognizedMessage)
		printed, _, _ := strings.Cut(strings.TrimSpace(after), "\n")
		return &handshakeError{fmt.Sprintf("the plugin wrote %q to stdout before the handshake; plugins must log to stderr (see plugins/sdk)",
			strings.TrimPrefix(printed, ": "))}
	case strings.Contains(msg, "incompatible API version"):
		first, _, _ := strings.Cut(msg, "\n")
		return &handshakeError{first + " (the plugin speaks another mm plugin protocol; rebuild it against this mm's plugins/sdk)"}
	}
	return err
}

// handshakeError is a plugin that cannot complete the handshake however often it is started (it prints to
// stdout, or speaks another protocol version): the supervisor gives up at once instead of retrying.
type handshakeError struct{ msg string }

func (e *handshakeError) Error() string { return e.msg }

// isHandshakeError reports whether err is a handshake failure that no retry can fix.
func isHandshakeError(err error) bool {
	var h *handshakeError
	return errors.As(err, &h)
}

// Exited reports whether the plugin process has ended. go-plugin notices a crash within milliseconds
// (reference/go.md §1.7).
func (p *Plugin) Exited() bool { return p.client.Exited() }

// Pid is the plugin's process id.
func (p *Plugin) Pid() int { return p.pid }

// Close asks the plugin to shut down, bounded by ctx, then kills it and waits for it: go-plugin's Kill gives
// the plugin no domain hook (reference/go.md §1.12 P3), and Kill always runs, so no process is left behind.
// The Shutdown error is returned for logging; the process is gone either way.
func (p *Plugin) Close(ctx context.Context) error {
	var err error
	if !p.client.Exited() {
		err = p.Connector.Shutdown(ctx)
	}
	p.client.Kill()
	if err != nil {
		return fmt.Errorf("plugin %s: shutdown: %w", p.name, err)
	}
	return nil
}

func levelName(l *slog.Logger) string {
	ctx := context.Background()
	switch {
	case l.Enabled(ctx, slog.LevelDebug):
		return "debug"
	case l.Enabled(ctx, slog.LevelInfo):
		return "info"
	case l.Enabled(ctx, slog.LevelWarn):
		return "warn"
	}
	return "error"
}
