package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// required are the four keys Hummingbot prompts for, set so that a test config is complete.
var required = map[string]string{
	"strategy.bid_spread": "1", "strategy.ask_spread": "1",
	"strategy.order_amount": "0.01", "strategy.order_refresh_time": "30",
}

// doc writes a YAML config from dotted keys (the four required strategy keys included unless overridden or
// removed with the value "-"), one key per line, sections in sorted order.
func doc(overrides map[string]string) string {
	values := maps.Clone(required)
	for k, v := range overrides {
		if v == "-" {
			delete(values, k)
			continue
		}
		values[k] = v
	}
	var b strings.Builder
	var prev []string
	for _, key := range slices.Sorted(maps.Keys(values)) {
		parts := strings.Split(key, ".")
		common := 0
		for common < len(prev)-1 && common < len(parts)-1 && prev[common] == parts[common] {
			common++
		}
		for depth := common; depth < len(parts)-1; depth++ {
			fmt.Fprintf(&b, "%s%s:\n", strings.Repeat("  ", depth), parts[depth])
		}
		fmt.Fprintf(&b, "%s%s: %s\n", strings.Repeat("  ", len(parts)-1), parts[len(parts)-1], values[key])
		prev = parts
	}
	return b.String()
}

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	cfg, err := Parse("bot.yaml", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
	}
	return cfg
}

// parseErr parses text, which must fail, and returns the error.
func parseErr(t *testing.T, text string) *Error {
	t.Helper()
	_, err := Parse("bot.yaml", []byte(text))
	if err == nil {
		t.Fatalf("Parse succeeded, want an error\n%s", text)
	}
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v is a %T, want *config.Error", err, err)
	}
	if strings.Contains(cerr.Error(), "\n") {
		t.Errorf("error %q is more than one line", cerr.Error())
	}
	return cerr
}
