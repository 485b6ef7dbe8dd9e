package config

import (
	"fmt"
	"regexp"
	"strconv"
)

// ErrorKind says what is wrong with a config, for callers that word some errors their own way.
type ErrorKind int

// The kinds of config error.
const (
	ErrInvalid    ErrorKind = iota // a value out of its range, of the wrong type, or inconsistent with another
	ErrUnknownKey                  // a key the schema does not have (a typo must never be silently ignored)
	ErrSecret                      // a credential in the file (DESIGN.md §1: secrets come from the environment)
	ErrMissing                     // a required key is absent
	ErrSyntax                      // the file is not YAML
)

// Error is one config error. Error() is one line: "bot.yaml:7: strategy.bid_spread must be > 0 and < 100 (got 0)".
type Error struct {
	Kind ErrorKind
	File string
	Line int    // 0 when no line applies (a missing section)
	Key  string // dotted key of the value; for ErrUnknownKey, the section that does not know Name
	Name string // ErrUnknownKey and ErrSecret: the key as written
	Msg  string // the message after "file:line: "
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError rewrites yaml.v3's "yaml: line 3: did not find expected key" as "bot.yaml:3: did not find expected key".
func syntaxError(file string, err error) *Error {
	if m := yamlLineError.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Kind: ErrSyntax, File: file, Line: line, Msg: m[2]}
	}
	return &Error{Kind: ErrSyntax, File: file, Msg: err.Error()}
}
