package sdk

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// MaxMessageBytes is the gRPC message limit on both sides. gRPC's 4 MB default is too small for a full
// order-history page (reference/go.md §1.10 and §1.12 P9); the host sets the same value on its dial options.
const MaxMessageBytes = 64 << 20

// LogLevelEnv names the environment variable through which the host passes its log level to plugins
// (debug, info, warn, error; default info), so a plugin does not serialize lines the host would drop.
const LogLevelEnv = "MM_PLUGIN_LOG_LEVEL"

// pluginStderr is the process's real stderr, captured at package initialization: plugin.Serve replaces
// os.Stderr with a pipe nobody reads, so a logger that looks os.Stderr up later loses its lines
// (reference/go.md §1.8, verified there).
var pluginStderr = os.Stderr

// ServeOpts configures Serve.
type ServeOpts struct {
	// Name is the plugin's name, as in mm-plugin-<name>; it labels the log lines.
	Name string
	// Connector is the plugin's implementation.
	Connector Connector
}

// Serve runs the plugin until the host kills it or its parent process dies. It is all a plugin's main does.
// Nothing may have written to stdout before it is called (see the package comment).
func Serve(opts ServeOpts) {
	if opts.Connector == nil {
		fmt.Fprintln(pluginStderr, "mm plugin: Serve: ServeOpts.Connector is nil")
		os.Exit(1)
	}
	go watchParent(os.Getppid(), Logger(opts.Name))
	plugin.Serve(serveConfig(opts))
}

func serveConfig(opts ServeOpts) *plugin.ServeConfig {
	return &plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: servedPlugins(opts.Connector),
		GRPCServer: func(serverOpts []grpc.ServerOption) *grpc.Server {
			serverOpts = append(serverOpts, grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes))
			return plugin.DefaultGRPCServer(serverOpts)
		},
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: opts.Name, Output: pluginStderr, JSONFormat: true, Level: hclog.LevelFromString(logLevelName()),
		}),
	}
}

// watchParent exits the plugin when its parent changes: go-plugin leaves plugins running when the host dies
// hard (kill -9), and an orphaned connector would keep exchange sessions open (reference/go.md §1.12 P1).
func watchParent(parent int, log *slog.Logger) {
	for range time.Tick(time.Second) {
		if os.Getppid() != parent {
			log.Error("host process is gone; exiting", "parent_pid", parent)
			os.Exit(1)
		}
	}
}

func logLevelName() string {
	switch v := strings.ToLower(os.Getenv(LogLevelEnv)); v {
	case "debug", "info", "warn", "error":
		return v
	}
	return "info"
}

// hclogTimeLayout is the only timestamp layout go-plugin's log parser accepts; any other makes it demote the
// line to a debug-level raw string (reference/go.md §1.8).
const hclogTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// Logger returns the logger plugin authors use. It writes hclog-shaped JSON lines (@timestamp, @level,
// @message) to the real stderr, which go-plugin re-logs in the host at the line's own level, and mm forwards
// into its slog logger. It is safe to create before or after Serve.
func Logger(name string) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(logLevelName()))
	h := slog.NewJSONHandler(pluginStderr, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String("@timestamp", a.Value.Time().Format(hclogTimeLayout))
			case slog.LevelKey:
				return slog.String("@level", hclogLevel(a.Value.Any().(slog.Level)))
			case slog.MessageKey:
				return slog.Attr{Key: "@message", Value: a.Value}
			}
			return a
		},
	})
	l := slog.New(h)
	if name != "" {
		l = l.With("plugin", name)
	}
	return l
}

func hclogLevel(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warn"
	case l >= slog.LevelInfo:
		return "info"
	}
	return "debug"
}
