package config

import _ "embed"

//go:embed example.yaml
var example []byte

// Example is the commented config `mm config example` prints: every key with its default, unit and range, on
// the paper exchange's synthetic feed, valid as it stands.
func Example() []byte { return append([]byte(nil), example...) }
