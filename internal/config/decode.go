package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Load reads and validates the bot config at path. Relative file paths inside it resolve against its directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Kind: ErrInvalid, File: path, Msg: "cannot read the config: " + unwrapPathError(err)}
	}
	return Parse(path, data)
}

// Parse validates a bot config read from the file name (used in messages and to resolve relative paths).
func Parse(name string, data []byte) (*Config, error) { return parse(name, data, true) }

// LoadPartial is Load for tools that read some keys of a bot config and take the rest from flags (mm skew-calc):
// every key present is checked as strictly as by Load, but the keys Hummingbot prompts for may be absent.
func LoadPartial(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Kind: ErrInvalid, File: path, Msg: "cannot read the config: " + unwrapPathError(err)}
	}
	return parse(path, data, false)
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// parse decodes with a walk over the YAML node tree rather than yaml.v3's Decoder.KnownFields(true): the walk
// uses the same yaml tags as the schema but keeps every key's line, names the section of an unknown key,
// reports a bad decimal with its line (yaml.v3 drops the line of a TextUnmarshaler error), refuses duplicate keys
// and secrets, and treats null as "use the default" where yaml.v3 would zero the field.
func parse(name string, data []byte, complete bool) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, err)
	}
	cfg := Default()
	cfg.file, cfg.dir, cfg.lines = name, filepath.Dir(name), map[string]int{}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return nil, &Error{Kind: ErrMissing, File: name, Msg: "empty config: want the sections connector, strategy, risk and run (mm config example prints one)"}
	}
	d := &decoder{cfg: cfg}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, d.invalid(top, "", "a bot config is a mapping of sections (connector, strategy, risk, run)")
	}
	if err := d.decodeStruct(top, reflect.ValueOf(cfg).Elem(), ""); err != nil {
		return nil, err
	}
	if err := cfg.validate(complete); err != nil {
		return nil, err
	}
	return cfg, nil
}

type decoder struct{ cfg *Config }

func (d *decoder) invalid(node *yaml.Node, key, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if key != "" {
		msg = key + " " + msg
	}
	return &Error{Kind: ErrInvalid, File: d.cfg.file, Line: node.Line, Key: key, Msg: msg}
}

var (
	decimalType     = reflect.TypeFor[decimal.Decimal]()
	nullDecimalType = reflect.TypeFor[decimal.NullDecimal]()
	durationType    = reflect.TypeFor[Duration]()
)

// nodeDecoder is implemented by schema types with their own YAML forms (order_override, comma lists).
type nodeDecoder interface {
	decodeNode(d *decoder, node *yaml.Node, key string) error
}

// decodeStruct reads a mapping into a schema struct, whose yaml tags are the accepted keys.
func (d *decoder) decodeStruct(node *yaml.Node, v reflect.Value, path string) error {
	if node.Kind != yaml.MappingNode {
		return d.invalid(node, path, "must be a mapping of keys (got %s)", describe(node))
	}
	fields := schemaFields(v.Type())
	return d.eachPair(node, path, func(k, val *yaml.Node, key string) error {
		idx, ok := fields[k.Value]
		if !ok {
			return d.unknownKey(k, path, v.Type())
		}
		d.cfg.lines[key] = k.Line
		if val.Tag == "!!null" {
			return nil // null keeps the default, as an absent key does
		}
		return d.decodeValue(val, v.FieldByIndex(idx), key)
	})
}

// schemaFields maps each accepted key of a schema struct to its field; the keys of a field tagged
// `yaml:",inline"` (strategy's model keys) are the struct's own.
func schemaFields(t reflect.Type) map[string][]int {
	fields := map[string][]int{}
	for _, f := range schemaKeys(t) {
		fields[f.name] = f.index
	}
	return fields
}

type schemaKey struct {
	name  string
	index []int
}

// schemaKeys lists the accepted keys in field order.
func schemaKeys(t reflect.Type) []schemaKey {
	var keys []schemaKey
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("yaml")
		switch {
		case tag == ",inline":
			for _, inner := range schemaKeys(t.Field(i).Type) {
				keys = append(keys, schemaKey{inner.name, append([]int{i}, inner.index...)})
			}
		case tag != "":
			keys = append(keys, schemaKey{tag, []int{i}})
		}
	}
	return keys
}

// eachPair walks a mapping's pairs in document order, refusing duplicate keys, non-scalar keys and secrets.
func (d *decoder) eachPair(node *yaml.Node, path string, fn func(k, val *yaml.Node, key string) error) error {
	seen := map[string]int{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, val := node.Content[i], resolveAlias(node.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return d.invalid(k, path, "has a key that is not a plain name")
		}
		key := joinKey(path, k.Value)
		if isSecretKey(k.Value) {
			return &Error{Kind: ErrSecret, File: d.cfg.file, Line: k.Line, Key: key, Name: k.Value,
				Msg: fmt.Sprintf("%s: secrets never go in the config file; give credentials to the connector through "+
					"environment variables (or a file with mode 0600), see docs/CONFIG.md", key)}
		}
		if first, dup := seen[strings.ToUpper(k.Value)]; dup {
			return d.invalid(k, key, "is given twice (first at line %d)", first)
		}
		seen[strings.ToUpper(k.Value)] = k.Line
		if err := fn(k, val, key); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) decodeValue(node *yaml.Node, v reflect.Value, key string) error {
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			return nd.decodeNode(d, node, key)
		}
	}
	switch v.Type() {
	case decimalType:
		dec, err := d.decimal(node, key)
		v.Set(reflect.ValueOf(dec))
		return err
	case nullDecimalType:
		dec, err := d.decimal(node, key)
		v.Set(reflect.ValueOf(decimal.NewNullDecimal(dec)))
		return err
	case durationType:
		if node.Kind != yaml.ScalarNode {
			return d.invalid(node, key, "must be a duration like 1s, 500ms or 1h30m (got %s)", describe(node))
		}
		dur, err := time.ParseDuration(node.Value)
		if err != nil {
			return d.invalid(node, key, "must be a duration like 1s, 500ms or 1h30m (got %q)", node.Value)
		}
		v.SetInt(int64(dur))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decodeValue(node, v.Elem(), key)
	case reflect.Struct:
		return d.decodeStruct(node, v, key)
	case reflect.Bool:
		if node.Kind != yaml.ScalarNode || node.Tag != "!!bool" {
			return d.invalid(node, key, "must be true or false (got %s)", describe(node))
		}
		var b bool
		if err := node.Decode(&b); err != nil {
			return d.invalid(node, key, "must be true or false (got %q)", node.Value)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(node.Value, 10, 64)
		if node.Kind != yaml.ScalarNode || err != nil {
			return d.invalid(node, key, "must be a whole number (got %s)", describe(node))
		}
		v.SetInt(n)
	case reflect.String:
		if node.Kind != yaml.ScalarNode {
			return d.invalid(node, key, "must be a single value (got %s)", describe(node))
		}
		v.SetString(node.Value)
	case reflect.Slice: // []string
		if node.Kind != yaml.SequenceNode {
			return d.invalid(node, key, "must be a list (got %s)", describe(node))
		}
		list := reflect.MakeSlice(v.Type(), 0, len(node.Content))
		for i, item := range node.Content {
			if item = resolveAlias(item); item.Kind != yaml.ScalarNode {
				return d.invalid(item, fmt.Sprintf("%s[%d]", key, i), "must be a single value (got %s)", describe(item))
			}
			list = reflect.Append(list, reflect.ValueOf(item.Value))
		}
		v.Set(list)
	case reflect.Map:
		return d.decodeMap(node, v, key)
	default:
		return fmt.Errorf("config: %s: unsupported schema type %s", key, v.Type()) // a schema bug, not bad input
	}
	return nil
}

// decodeMap reads balances (asset → decimal, assets upper-cased as the paper exchange does) and plugin settings.
func (d *decoder) decodeMap(node *yaml.Node, v reflect.Value, key string) error {
	if node.Kind != yaml.MappingNode {
		return d.invalid(node, key, "must be a mapping (got %s)", describe(node))
	}
	if v.Type().Elem() == decimalType {
		balances := map[string]decimal.Decimal{}
		err := d.eachPair(node, key, func(k, val *yaml.Node, _ string) error {
			asset := strings.ToUpper(k.Value)
			entry := joinKey(key, asset)
			d.cfg.lines[entry] = k.Line
			dec, err := d.decimal(val, entry)
			balances[asset] = dec
			return err
		})
		v.Set(reflect.ValueOf(balances))
		return err
	}
	settings, err := d.plain(node, key)
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(settings))
	return nil
}

// plain turns a plugin's settings into JSON-ready values. Numbers keep their digits as json.Number.
func (d *decoder) plain(node *yaml.Node, key string) (any, error) {
	node = resolveAlias(node)
	switch node.Kind {
	case yaml.MappingNode:
		out := map[string]any{}
		err := d.eachPair(node, key, func(k, val *yaml.Node, entry string) error {
			d.cfg.lines[entry] = k.Line
			v, err := d.plain(val, entry)
			out[k.Value] = v
			return err
		})
		return out, err
	case yaml.SequenceNode:
		out := make([]any, 0, len(node.Content))
		for i, item := range node.Content {
			v, err := d.plain(item, fmt.Sprintf("%s[%d]", key, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	switch node.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := node.Decode(&b)
		return b, err
	case "!!int", "!!float":
		if json.Valid([]byte(node.Value)) {
			return json.Number(node.Value), nil
		}
	}
	return node.Value, nil
}

// decimal parses a number exactly from its text ("100" and "100.00" are equal; nothing goes through float64).
func (d *decoder) decimal(node *yaml.Node, key string) (decimal.Decimal, error) {
	if node.Kind != yaml.ScalarNode {
		return decimal.Zero, d.invalid(node, key, "must be a number (got %s)", describe(node))
	}
	dec, err := decimal.NewFromString(strings.TrimSpace(node.Value))
	if err != nil || node.Tag == "!!bool" {
		return decimal.Zero, d.invalid(node, key, "must be a decimal number (got %q)", node.Value)
	}
	return dec, nil
}

// unknownKey names the key, its line and its section, and suggests the key the user probably meant.
func (d *decoder) unknownKey(k *yaml.Node, path string, schema reflect.Type) *Error {
	e := &Error{Kind: ErrUnknownKey, File: d.cfg.file, Line: k.Line, Key: path, Name: k.Value}
	if path == "" {
		e.Msg = fmt.Sprintf("unknown section %q (want connector, strategy, risk or run)", k.Value)
		return e
	}
	e.Msg = fmt.Sprintf("unknown key %q in %s", k.Value, path)
	if hint := keyHint(k.Value, path, schema); hint != "" {
		e.Msg += " (" + hint + ")"
	}
	return e
}

// movedKeys are Hummingbot keys that mm keeps in another section.
var movedKeys = map[string]string{
	"exchange": "connector.name", "market": "connector.market", "kill_switch_rate": "risk.kill_switch_rate",
	"kill_switch_enabled": "risk.kill_switch_rate (0 = off)", "kill_switch_mode": "risk.kill_switch_rate (0 = off)",
}

func keyHint(name, path string, schema reflect.Type) string {
	if to, ok := movedKeys[name]; ok && !strings.HasPrefix(to, path+".") {
		return "mm reads it from " + to
	}
	best, bestDist := "", 3
	for _, key := range schemaKeys(schema) {
		if dist := editDistance(name, key.name); dist < bestDist {
			best, bestDist = key.name, dist
		}
	}
	if best != "" {
		return "did you mean " + best + "?"
	}
	return ""
}

// editDistance is the Levenshtein distance, for "did you mean".
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// secretWords are key names that hold credentials. DESIGN.md §1: secrets never live in the config.
var secretWords = []string{"api_key", "apikey", "api_secret", "secret", "passphrase", "private_key", "privatekey", "password"}

func isSecretKey(name string) bool {
	norm := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	for _, w := range secretWords {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func resolveAlias(node *yaml.Node) *yaml.Node {
	for node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	return node
}

// describe names a node for "got ..." in messages.
func describe(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(node.Value)
}
