package host

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogHCLog adapts mm's slog logger to the hclog.Logger that go-plugin wants. go-plugin re-logs every hclog
// JSON line of a plugin's stderr at the line's own level under the name "<binary>" (reference/go.md §1.8),
// so with this adapter plugin log lines land in mm's slog output with their level and attributes.
// hclog has no merged slog bridge (go-hclog PRs #142/#144), hence this small one.
type slogHCLog struct {
	logger *slog.Logger
	name   string
	args   []any
}

// newHCLog wraps l; its Enabled levels decide what go-plugin bothers to parse.
func newHCLog(l *slog.Logger) hclog.Logger { return &slogHCLog{logger: l} }

var _ hclog.Logger = (*slogHCLog)(nil)

// slog has no trace level; hclog's Trace maps below Debug so a debug handler drops it.
const levelTrace = slog.LevelDebug - 4

func toSlogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return levelTrace
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func (h *slogHCLog) enabled(l hclog.Level) bool {
	return h.logger.Enabled(context.Background(), toSlogLevel(l))
}

func (h *slogHCLog) Log(level hclog.Level, msg string, args ...any) {
	if h.name == "" && level == hclog.Info {
		// go-plugin's own lifecycle notes ("starting plugin", "plugin process exited") on every start and
		// stop; the plugin's lines come through a Named logger and keep their level.
		level = hclog.Debug
	}
	if level == hclog.Off || !h.enabled(level) {
		return
	}
	attrs := append(append([]any(nil), h.args...), args...)
	if h.name != "" {
		attrs = append(attrs, "plugin", h.name)
	}
	h.logger.Log(context.Background(), toSlogLevel(level), msg, attrs...)
}

func (h *slogHCLog) Trace(msg string, args ...any) { h.Log(hclog.Trace, msg, args...) }
func (h *slogHCLog) Debug(msg string, args ...any) { h.Log(hclog.Debug, msg, args...) }
func (h *slogHCLog) Info(msg string, args ...any)  { h.Log(hclog.Info, msg, args...) }
func (h *slogHCLog) Warn(msg string, args ...any)  { h.Log(hclog.Warn, msg, args...) }
func (h *slogHCLog) Error(msg string, args ...any) { h.Log(hclog.Error, msg, args...) }

func (h *slogHCLog) IsTrace() bool { return h.enabled(hclog.Trace) }
func (h *slogHCLog) IsDebug() bool { return h.enabled(hclog.Debug) }
func (h *slogHCLog) IsInfo() bool  { return h.enabled(hclog.Info) }
func (h *slogHCLog) IsWarn() bool  { return h.enabled(hclog.Warn) }
func (h *slogHCLog) IsError() bool { return h.enabled(hclog.Error) }

func (h *slogHCLog) ImpliedArgs() []any { return h.args }

func (h *slogHCLog) With(args ...any) hclog.Logger {
	return &slogHCLog{logger: h.logger, name: h.name, args: append(append([]any(nil), h.args...), args...)}
}

func (h *slogHCLog) Name() string { return h.name }

func (h *slogHCLog) Named(name string) hclog.Logger {
	if h.name != "" {
		name = h.name + "." + name
	}
	return &slogHCLog{logger: h.logger, name: name, args: h.args}
}

func (h *slogHCLog) ResetNamed(name string) hclog.Logger {
	return &slogHCLog{logger: h.logger, name: name, args: h.args}
}

// SetLevel is a no-op: mm's slog handler owns the level.
func (h *slogHCLog) SetLevel(hclog.Level) {}

// GetLevel reports the lowest level the slog handler accepts; go-plugin skips parsing lines below it.
func (h *slogHCLog) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if h.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

func (h *slogHCLog) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(opts), "", 0)
}

func (h *slogHCLog) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return slog.NewLogLogger(h.logger.Handler(), slog.LevelInfo).Writer()
}
