package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// decodeNode reads order_override: a mapping of name → [side, spread_pct, amount], as Hummingbot's JSON dict.
func (o *OrderOverrides) decodeNode(d *decoder, node *yaml.Node, key string) error {
	if node.Kind != yaml.MappingNode {
		return d.invalid(node, key, "must be a mapping of name: [side, spread_pct, amount] (got %s)", describe(node))
	}
	var entries OrderOverrides
	err := d.eachPair(node, key, func(k, val *yaml.Node, entry string) error {
		d.cfg.lines[entry] = k.Line
		if val.Kind != yaml.SequenceNode || len(val.Content) != 3 {
			return d.invalid(val, entry, "must be [side, spread_pct, amount], for example [buy, 0.5, 0.01] (got %s)", describe(val))
		}
		side := resolveAlias(val.Content[0])
		if side.Value != "buy" && side.Value != "sell" {
			return d.invalid(side, entry, "side must be buy or sell (got %s)", describe(side))
		}
		spread, err := d.decimal(resolveAlias(val.Content[1]), entry+".spread_pct")
		if err != nil {
			return err
		}
		amount, err := d.decimal(resolveAlias(val.Content[2]), entry+".amount")
		if err != nil {
			return err
		}
		entries = append(entries, OrderOverride{Name: k.Value, Side: side.Value, SpreadPct: spread, Amount: amount})
		return nil
	})
	*o = entries
	return err
}

// MarshalJSON writes order_override as Hummingbot's JSON dict, in document order, decimals as strings.
func (o OrderOverrides) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := json.Marshal(e.Name)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&buf, `%s:[%q,%q,%q]`, name, e.Side, e.SpreadPct.String(), e.Amount.String())
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// decodeNode reads a Hummingbot comma list ("0.5,1,1.5", what its client writes) or a YAML list.
func (l *DecimalList) decodeNode(d *decoder, node *yaml.Node, key string) error {
	var items []*yaml.Node
	switch node.Kind {
	case yaml.SequenceNode:
		items = node.Content
	case yaml.ScalarNode:
		for part := range strings.SplitSeq(node.Value, ",") {
			items = append(items, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.TrimSpace(part), Line: node.Line})
		}
	default:
		return d.invalid(node, key, "must be a comma list or a list of numbers (got %s)", describe(node))
	}
	list := make(DecimalList, 0, len(items))
	for i, item := range items {
		dec, err := d.decimal(resolveAlias(item), fmt.Sprintf("%s[%d]", key, i))
		if err != nil {
			return err
		}
		list = append(list, dec)
	}
	*l = list
	return nil
}

// String is the Go duration text without zero minutes and seconds: "1s", "1m", "1h30m", "1h".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalText writes the Go duration text, so JSON output shows "1s", not nanoseconds.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a Go duration, for round trips of the JSON output.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	*d = Duration(v)
	return err
}

// seconds converts a Hummingbot timer in (decimal) seconds to a duration, rounded to the nanosecond.
func seconds(s decimal.Decimal) time.Duration {
	return time.Duration(s.Shift(9).Round(0).IntPart())
}
