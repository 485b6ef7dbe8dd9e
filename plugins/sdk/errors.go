package sdk

import (
	"errors"
	"fmt"
)

// ErrUnreachable is wrapped by every error that means the plugin process or the connection to it failed:
// launch, handshake, checksum, crash, broken stream. mm maps it to exit status 5 (DESIGN.md §1).
// plugins/host re-exports it as host.ErrUnreachable.
var ErrUnreachable = errors.New("plugin unreachable")

// ErrProtocol is wrapped when a plugin answers with something the protocol forbids: a malformed decimal, an
// unknown enum value, a result count that does not match the request. The answer is dropped, never guessed at.
var ErrProtocol = errors.New("plugin protocol violation")

// ErrorCode classifies a domain error. The values mirror mm.plugin.v1.ErrorCode.
type ErrorCode int

// The domain error codes. A plugin picks the most specific one; CodeInternal is the catch-all.
const (
	CodeUnspecified ErrorCode = iota
	// CodeInvalidRequest: the request is malformed (bad decimal, missing field).
	CodeInvalidRequest
	// CodeFilter: the order breaks an exchange filter (tick, step, min size, min notional).
	CodeFilter
	CodeInsufficientBalance
	// CodeWouldTake: a post-only (limit_maker) order would have crossed the book.
	CodeWouldTake
	CodeUnknownOrder
	CodeUnknownMarket
	CodeNotConfigured
	CodeRateLimited
	// CodeExchangeUnavailable: the venue behind the plugin is unreachable; the plugin itself is fine.
	CodeExchangeUnavailable
	CodeInternal
)

var codeNames = [...]string{
	CodeUnspecified:         "unspecified",
	CodeInvalidRequest:      "invalid request",
	CodeFilter:              "rejected by filter",
	CodeInsufficientBalance: "insufficient balance",
	CodeWouldTake:           "post-only order would take",
	CodeUnknownOrder:        "unknown order",
	CodeUnknownMarket:       "unknown market",
	CodeNotConfigured:       "not configured",
	CodeRateLimited:         "rate limited",
	CodeExchangeUnavailable: "exchange unavailable",
	CodeInternal:            "internal error",
}

func (c ErrorCode) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("error code %d", int(c))
}

// Error is a domain error reported by a connector. It travels inside the response, not as a gRPC status,
// so the host can tell "the exchange said no" from "the plugin is gone" (reference/go.md §1.13).
type Error struct {
	Code    ErrorCode
	Message string
}

// Errorf builds a domain error.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code.String()
	}
	return e.Code.String() + ": " + e.Message
}

// Is lets errors.Is(err, &sdk.Error{Code: sdk.CodeFilter}) match any filter rejection.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// asDomainError turns whatever a Connector implementation returned into the Error that travels on the wire.
// A plain Go error from a plugin is an internal failure of the plugin: its text is kept so the user sees it.
func asDomainError(err error) *Error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return de
	}
	return &Error{Code: CodeInternal, Message: err.Error()}
}
