package feed

import (
	"encoding/json"
	"fmt"
)

// jsonScanner is a small strict JSON reader for the few message shapes of a Binance capture. Replay must reach
// 300,000 messages/s (issue 3), and encoding/json would allocate a string for every price and quantity before
// the decimal parse; this walks the bytes once, hands out sub-slices of the line, and still rejects anything
// that is not well-formed JSON (FuzzCaptureLine checks that it never panics).
type jsonScanner struct {
	buf   []byte
	pos   int
	depth int
}

const maxJSONDepth = 64

func (s *jsonScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("json at byte %d: %s", s.pos+1, fmt.Sprintf(format, args...))
}

func (s *jsonScanner) ws() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	s.ws()
	if s.pos >= len(s.buf) {
		return 0
	}
	return s.buf[s.pos]
}

func (s *jsonScanner) expect(c byte) error {
	if s.peek() != c {
		return s.unexpected(fmt.Sprintf("%q", c))
	}
	s.pos++
	return nil
}

// unexpected reports what was found where want was expected; running out of input says so, since that is
// what a line cut short looks like.
func (s *jsonScanner) unexpected(want string) error {
	if s.pos >= len(s.buf) {
		return s.errorf("unexpected end of line (truncated?), want %s", want)
	}
	return s.errorf("want %s, got %q", want, s.buf[s.pos])
}

// end checks that nothing but white space follows the value just read.
func (s *jsonScanner) end() error {
	if s.peek() != 0 || s.pos < len(s.buf) {
		return s.errorf("unexpected data after the JSON value")
	}
	return nil
}

// str reads a string and returns its contents, a sub-slice of the input unless it holds escapes (which Binance
// never sends in these streams; they are decoded by encoding/json to stay correct).
func (s *jsonScanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.pos
	for i := start; i < len(s.buf); i++ {
		switch c := s.buf[i]; {
		case c == '"':
			s.pos = i + 1
			return s.buf[start:i], nil
		case c == '\\':
			return s.escaped(start - 1)
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character in string")
		}
	}
	s.pos = len(s.buf)
	return nil, s.errorf("unterminated string")
}

func (s *jsonScanner) escaped(open int) ([]byte, error) {
	i := open + 1
	for ; i < len(s.buf) && s.buf[i] != '"'; i++ {
		if s.buf[i] == '\\' {
			i++
		}
	}
	if i >= len(s.buf) {
		s.pos = len(s.buf)
		return nil, s.errorf("unterminated string")
	}
	var out string
	if err := json.Unmarshal(s.buf[open:i+1], &out); err != nil {
		s.pos = open
		return nil, s.errorf("bad string: %v", err)
	}
	s.pos = i + 1
	return []byte(out), nil
}

// uint reads a non-negative integer number.
func (s *jsonScanner) uint() (uint64, error) {
	s.ws()
	start := s.pos
	for s.pos < len(s.buf) && s.buf[s.pos] >= '0' && s.buf[s.pos] <= '9' {
		s.pos++
	}
	if s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case '.', 'e', 'E', '-', '+':
			return 0, s.errorf("want an unsigned integer")
		}
	}
	n, err := parseUint(s.buf[start:s.pos])
	if err != nil {
		s.pos = start
		return 0, s.errorf("%v", err)
	}
	return n, nil
}

func (s *jsonScanner) boolean() (bool, error) {
	s.ws()
	rest := s.buf[s.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.pos += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.pos += 5
		return false, nil
	}
	return false, s.errorf("want true or false")
}

// object reads an object, calling field for each key; field must consume the value.
func (s *jsonScanner) object(field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.depth++; s.depth > maxJSONDepth {
		return s.errorf("nested too deeply")
	}
	defer func() { s.depth-- }()
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.unexpected("',' or '}' in object")
		}
	}
}

// array reads an array, calling elem for each element; elem must consume it.
func (s *jsonScanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.depth++; s.depth > maxJSONDepth {
		return s.errorf("nested too deeply")
	}
	defer func() { s.depth-- }()
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.unexpected("',' or ']' in array")
		}
	}
}

// skip reads and discards any value, checking that it is well-formed.
func (s *jsonScanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == 't' || c == 'f':
		_, err := s.boolean()
		return err
	case c == 'n':
		if len(s.buf)-s.pos >= 4 && string(s.buf[s.pos:s.pos+4]) == "null" {
			s.pos += 4
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	if s.pos >= len(s.buf) {
		return s.errorf("unexpected end of line")
	}
	return s.errorf("unexpected %q", s.buf[s.pos])
}

// number skips a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScanner) number() error {
	digits := func() int {
		start := s.pos
		for s.pos < len(s.buf) && s.buf[s.pos] >= '0' && s.buf[s.pos] <= '9' {
			s.pos++
		}
		return s.pos - start
	}
	if s.buf[s.pos] == '-' {
		s.pos++
	}
	if digits() == 0 {
		return s.errorf("bad number")
	}
	if s.pos < len(s.buf) && s.buf[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return s.errorf("bad number")
		}
	}
	if s.pos < len(s.buf) && (s.buf[s.pos] == 'e' || s.buf[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.buf) && (s.buf[s.pos] == '+' || s.buf[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return s.errorf("bad number")
		}
	}
	return nil
}
