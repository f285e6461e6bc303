package djangosession

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// Session values are held as the JSON types Django's JSONSerializer
// produces, so that what Django wrote is written back unchanged:
//
//	nil      JSON null
//	bool     true, false
//	string   a string (Go strings hold the text as UTF-8)
//	Number   a number, kept as its literal text: 1, 1.0, 12345678901234567890
//	*Map     an object, keys in their order
//	[]any    an array
//
// Sessions read from a cache (Python pickles) may also hold []byte (Python
// bytes) and time.Time (datetime.datetime); JSON cannot carry those.

// Number is a JSON number kept as its literal text, so integers beyond 2^53
// and floats such as 1.0 keep their exact form through a read-modify-write.
type Number string

// Int64 returns n as an int64, or an error if it is not an integer in range.
func (n Number) Int64() (int64, error) { return strconv.ParseInt(string(n), 10, 64) }

// Float64 returns n as a float64.
func (n Number) Float64() (float64, error) { return strconv.ParseFloat(string(n), 64) }

// BigInt returns n as a big.Int, or false if it is not an integer.
func (n Number) BigInt() (*big.Int, bool) { return new(big.Int).SetString(string(n), 10) }

// IsInt reports whether n is written as an integer (no fraction or exponent).
func (n Number) IsInt() bool {
	s := string(n)
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Item is one key and value of a Map.
type Item struct {
	Key   string
	Value any
}

// Map is an ordered string-keyed map: Python dicts keep insertion order and
// so does Map, so a Go read-modify-write of a Django session keeps Django's
// key order. The zero value is an empty map ready to use. A Map is not safe
// for concurrent use; Session guards its own.
type Map struct {
	items []Item
	index map[string]int // built only for large maps
}

const mapIndexThreshold = 16

// NewMap returns a Map holding items in order; a later duplicate key
// replaces the value of the earlier one in place, as a Python dict does.
func NewMap(items ...Item) *Map {
	m := &Map{items: make([]Item, 0, len(items))}
	for _, it := range items {
		m.Set(it.Key, it.Value)
	}
	return m
}

// Len returns the number of keys.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.items)
}

func (m *Map) find(key string) int {
	if m == nil {
		return -1
	}
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range m.items {
		if m.items[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value stored under key.
func (m *Map) Get(key string) (any, bool) {
	i := m.find(key)
	if i < 0 {
		return nil, false
	}
	return m.items[i].Value, true
}

// Set stores value under key: in place if the key exists, else at the end.
// The value is stored as given; Session.Set normalizes Go values first.
func (m *Map) Set(key string, value any) {
	if i := m.find(key); i >= 0 {
		m.items[i].Value = value
		return
	}
	m.items = append(m.items, Item{key, value})
	if m.index != nil {
		m.index[key] = len(m.items) - 1
	} else if len(m.items) > mapIndexThreshold {
		m.reindex()
	}
}

func (m *Map) reindex() {
	m.index = make(map[string]int, len(m.items))
	for i, it := range m.items {
		m.index[it.Key] = i
	}
}

// Delete removes key, keeping the order of the others, and reports whether
// it was present.
func (m *Map) Delete(key string) bool {
	i := m.find(key)
	if i < 0 {
		return false
	}
	m.items = append(m.items[:i], m.items[i+1:]...)
	if m.index != nil {
		m.reindex()
	}
	return true
}

// Keys returns the keys in order.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	keys := make([]string, len(m.items))
	for i, it := range m.items {
		keys[i] = it.Key
	}
	return keys
}

// Items returns a copy of the items in order.
func (m *Map) Items() []Item {
	if m == nil {
		return nil
	}
	return append([]Item(nil), m.items...)
}

// Clone returns a deep copy of m.
func (m *Map) Clone() *Map {
	if m == nil {
		return &Map{}
	}
	c := &Map{items: make([]Item, len(m.items))}
	for i, it := range m.items {
		c.items[i] = Item{it.Key, cloneValue(it.Value)}
	}
	if m.index != nil {
		c.reindex()
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case *Map:
		return v.Clone()
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneValue(e)
		}
		return c
	case []byte:
		return append([]byte(nil), v...)
	}
	return v
}

// MarshalJSON returns m as Django's JSONSerializer writes it: compact,
// ASCII-only with \uXXXX escapes, keys in order, numbers as stored.
func (m *Map) MarshalJSON() ([]byte, error) {
	return appendJSON(nil, m, 0)
}

// UnmarshalJSON replaces m with the JSON object in b (UTF-8 text), read
// with Python's json rules: key order kept, numbers as written, a repeated
// key keeps its first place and its last value.
func (m *Map) UnmarshalJSON(b []byte) error {
	v, err := parseJSONAs(b, len(b)+1, false)
	if err != nil {
		return err
	}
	obj, ok := v.(*Map)
	if !ok {
		return fmt.Errorf("%w: JSON is not an object", ErrMalformed)
	}
	*m = *obj
	return nil
}

// Normalize converts a Go value into the JSON value types listed above, so
// that it can be stored in a session: integers become Number, float64 its
// Python repr (1.0 stays "1.0"), map[string]T an object with sorted keys
// (Go maps have no order), slices arrays; a Map, Number or []any is taken as
// it is. Other types go through encoding/json (struct fields keep their
// order). NaN and infinities, and values JSON cannot carry, are refused with
// ErrUnsupportedValue.
func Normalize(v any) (any, error) { return normalize(v, 0) }

func normalize(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrUnsupportedValue, maxDepth)
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case Number:
		if !validNumber(string(x)) {
			return nil, fmt.Errorf("%w: %q is not a JSON number", ErrUnsupportedValue, string(x))
		}
		return x, nil
	case json.Number:
		return normalize(Number(x), depth)
	case int:
		return Number(strconv.FormatInt(int64(x), 10)), nil
	case int8:
		return Number(strconv.FormatInt(int64(x), 10)), nil
	case int16:
		return Number(strconv.FormatInt(int64(x), 10)), nil
	case int32:
		return Number(strconv.FormatInt(int64(x), 10)), nil
	case int64:
		return Number(strconv.FormatInt(x, 10)), nil
	case uint:
		return Number(strconv.FormatUint(uint64(x), 10)), nil
	case uint8:
		return Number(strconv.FormatUint(uint64(x), 10)), nil
	case uint16:
		return Number(strconv.FormatUint(uint64(x), 10)), nil
	case uint32:
		return Number(strconv.FormatUint(uint64(x), 10)), nil
	case uint64:
		return Number(strconv.FormatUint(x, 10)), nil
	case *big.Int:
		if x == nil {
			return nil, nil
		}
		return Number(x.String()), nil
	case float32:
		return normalize(float64(x), depth)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedValue, x)
		}
		return Number(PyFloatRepr(x)), nil
	case *Map:
		if x == nil {
			return nil, nil
		}
		c := &Map{items: make([]Item, 0, len(x.items))}
		for _, it := range x.items {
			nv, err := normalize(it.Value, depth+1)
			if err != nil {
				return nil, err
			}
			c.Set(it.Key, nv)
		}
		return c, nil
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			nv, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			c[i] = nv
		}
		return c, nil
	case []string:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = e
		}
		return c, nil
	case map[string]any:
		c := &Map{items: make([]Item, 0, len(x))}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			nv, err := normalize(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			c.Set(k, nv)
		}
		return c, nil
	case map[string]string:
		c := &Map{items: make([]Item, 0, len(x))}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			c.Set(k, x[k])
		}
		return c, nil
	case []byte, time.Time:
		return nil, fmt.Errorf("%w: %T cannot be stored in a JSON session", ErrUnsupportedValue, v)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Func || rv.Kind() == reflect.Chan || rv.Kind() == reflect.Complex64 || rv.Kind() == reflect.Complex128 {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedValue, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %T: %v", ErrUnsupportedValue, v, err)
	}
	return parseJSONAs(b, len(b)+1, false)
}

// PyFloatRepr formats f as Python's repr(float) does, which is what
// json.dumps writes: the shortest digits that read back as f, in fixed
// notation with at least one fraction digit when the decimal exponent is in
// [-4, 16), otherwise in exponent form with at least two exponent digits
// (1e+16, 1.5e-05).
func PyFloatRepr(f float64) string {
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	// Shortest digits and exponent from strconv's 'e' form: d.dddde±XX
	s := strconv.FormatFloat(f, 'e', -1, 64)
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	epos := 0
	for epos < len(s) && s[epos] != 'e' {
		epos++
	}
	mant := s[:epos]
	exp, _ := strconv.Atoi(s[epos+1:])
	digits := make([]byte, 0, len(mant))
	for i := 0; i < len(mant); i++ {
		if mant[i] != '.' {
			digits = append(digits, mant[i])
		}
	}
	out := make([]byte, 0, 32)
	if neg {
		out = append(out, '-')
	}
	if exp >= -4 && exp < 16 {
		if exp < 0 {
			out = append(out, '0', '.')
			for i := 0; i < -exp-1; i++ {
				out = append(out, '0')
			}
			out = append(out, digits...)
		} else {
			intPart := exp + 1
			if len(digits) <= intPart {
				out = append(out, digits...)
				for i := len(digits); i < intPart; i++ {
					out = append(out, '0')
				}
				out = append(out, '.', '0')
			} else {
				out = append(out, digits[:intPart]...)
				out = append(out, '.')
				out = append(out, digits[intPart:]...)
			}
		}
		return string(out)
	}
	out = append(out, digits[0])
	if len(digits) > 1 {
		out = append(out, '.')
		out = append(out, digits[1:]...)
	}
	out = append(out, 'e')
	if exp < 0 {
		out = append(out, '-')
		exp = -exp
	} else {
		out = append(out, '+')
	}
	if exp < 10 {
		out = append(out, '0')
	}
	out = strconv.AppendInt(out, int64(exp), 10)
	return string(out)
}
