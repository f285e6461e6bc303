package redisstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// msgpackEncode writes v as django-redis's MSGPackSerializer does,
// msgpack.dumps(v) with msgpack-python ≥ 1.0's defaults (use_bin_type:
// str → str family, bytes → bin; the smallest integer form; floats as
// float64; tuples as arrays). Python's msgpack refuses integers outside
// [-2^63, 2^64) and datetimes (no datetime=True): so does this, with
// ErrUnsupportedValue.
func msgpackEncode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	if err := msgpackValue(enc, v, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func msgpackValue(enc *msgpack.Encoder, v any, depth int) error {
	if depth > 512 {
		// msgpack-python's default nesting limit (Packer: "recursion limit exceeded").
		return fmt.Errorf("%w: msgpack: nested deeper than 512", djangosession.ErrUnsupportedValue)
	}
	switch x := v.(type) {
	case nil:
		return enc.EncodeNil()
	case bool:
		return enc.EncodeBool(x)
	case string:
		return enc.EncodeString(x)
	case []byte:
		return enc.EncodeBytes(x)
	case djangosession.Number:
		if x.IsInt() {
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return enc.EncodeInt(n)
			}
			if n, err := strconv.ParseUint(string(x), 10, 64); err == nil {
				return enc.EncodeUint(n)
			}
			return fmt.Errorf("%w: msgpack cannot carry the integer %s (Python: OverflowError: Integer value out of range)", djangosession.ErrUnsupportedValue, truncate([]byte(x), 40))
		}
		f, err := x.Float64()
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("%w: %q is not a number", djangosession.ErrUnsupportedValue, string(x))
		}
		switch x {
		case "NaN":
			f = math.NaN()
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		}
		return enc.EncodeFloat64(f)
	case *djangosession.Map:
		if x == nil {
			return enc.EncodeNil()
		}
		items := x.Items()
		if err := enc.EncodeMapLen(len(items)); err != nil {
			return err
		}
		for _, it := range items {
			if err := enc.EncodeString(it.Key); err != nil {
				return err
			}
			if err := msgpackValue(enc, it.Value, depth+1); err != nil {
				return err
			}
		}
		return nil
	case []any:
		if err := enc.EncodeArrayLen(len(x)); err != nil {
			return err
		}
		for _, e := range x {
			if err := msgpackValue(enc, e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if _, ok := v.(interface{ UnixNano() int64 }); ok {
		return fmt.Errorf("%w: msgpack cannot carry a datetime (Python: TypeError: can not serialize 'datetime.datetime' object)", djangosession.ErrUnsupportedValue)
	}
	n, err := djangosession.Normalize(v)
	if err != nil {
		return err
	}
	return msgpackValue(enc, n, depth)
}

// msgpackDecode reads one msgpack value as msgpack.loads(b, raw=False)
// does, into djangosession's value types: map → *Map (keys must be str:
// other keys cannot be session keys), array → []any, str → string (UTF-8
// checked, as raw=False decodes), bin → []byte, integers and floats →
// Number (float32 widened, as Python does), nil/bool. Extension types
// (msgpack's Timestamp included) are refused. Data after the value is an
// error (Python: ExtraData). At most limit bytes; no declared length is
// trusted beyond the bytes present.
func msgpackDecode(b []byte, limit int) (any, error) {
	if len(b) > limit {
		return nil, fmt.Errorf("%w: msgpack value of %d bytes, limit %d", djangosession.ErrTooLarge, len(b), limit)
	}
	r := bytes.NewReader(b)
	d := &mpDecoder{b: b, r: r, dec: msgpack.NewDecoder(r)}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, mpErr("%d bytes after the value (ExtraData)", r.Len())
	}
	return v, nil
}

type mpDecoder struct {
	b   []byte
	r   *bytes.Reader
	dec *msgpack.Decoder
}

func mpErr(format string, args ...any) error {
	return fmt.Errorf("%w: msgpack: %s", djangosession.ErrMalformed, fmt.Sprintf(format, args...))
}

// declared returns the length a str, bin, array or map header at the read
// position declares (elements for array/map), without consuming it.
func (d *mpDecoder) declared(c byte) (int, error) {
	off := len(d.b) - d.r.Len()
	need := func(n int) ([]byte, error) {
		if off+1+n > len(d.b) {
			return nil, mpErr("truncated header")
		}
		return d.b[off+1 : off+1+n], nil
	}
	switch {
	case msgpcode.IsFixedString(c):
		return int(c & msgpcode.FixedStrMask), nil
	case msgpcode.IsFixedArray(c):
		return int(c & msgpcode.FixedArrayMask), nil
	case msgpcode.IsFixedMap(c):
		return int(c & msgpcode.FixedMapMask), nil
	}
	var p []byte
	var err error
	switch c {
	case msgpcode.Str8, msgpcode.Bin8:
		if p, err = need(1); err == nil {
			return int(p[0]), nil
		}
	case msgpcode.Str16, msgpcode.Bin16, msgpcode.Array16, msgpcode.Map16:
		if p, err = need(2); err == nil {
			return int(binary.BigEndian.Uint16(p)), nil
		}
	case msgpcode.Str32, msgpcode.Bin32, msgpcode.Array32, msgpcode.Map32:
		if p, err = need(4); err == nil {
			return int(binary.BigEndian.Uint32(p)), nil
		}
	}
	return 0, err
}

func (d *mpDecoder) value(depth int) (any, error) {
	if depth > 512 {
		return nil, mpErr("nested deeper than 512")
	}
	c, err := d.dec.PeekCode()
	if err != nil {
		return nil, mpErr("truncated")
	}
	switch {
	case c == msgpcode.Nil:
		d.r.ReadByte()
		return nil, nil
	case c == msgpcode.True || c == msgpcode.False:
		d.r.ReadByte()
		return c == msgpcode.True, nil
	case msgpcode.IsFixedNum(c), c == msgpcode.Int8, c == msgpcode.Int16, c == msgpcode.Int32, c == msgpcode.Int64,
		c == msgpcode.Uint8, c == msgpcode.Uint16, c == msgpcode.Uint32:
		n, err := d.dec.DecodeInt64()
		if err != nil {
			return nil, mpErr("bad integer: %v", err)
		}
		return djangosession.Number(strconv.FormatInt(n, 10)), nil
	case c == msgpcode.Uint64:
		n, err := d.dec.DecodeUint64()
		if err != nil {
			return nil, mpErr("bad integer: %v", err)
		}
		return djangosession.Number(strconv.FormatUint(n, 10)), nil
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := d.dec.DecodeFloat64()
		if err != nil {
			return nil, mpErr("bad float: %v", err)
		}
		return djangosession.Number(djangosession.PyFloatRepr(f)), nil
	case msgpcode.IsString(c) || msgpcode.IsBin(c):
		n, err := d.declared(c)
		if err != nil {
			return nil, err
		}
		if n > d.r.Len() {
			return nil, mpErr("string of %d bytes, %d left", n, d.r.Len())
		}
		if msgpcode.IsBin(c) {
			p, err := d.dec.DecodeBytes()
			if err != nil {
				return nil, mpErr("bad bin: %v", err)
			}
			return p, nil
		}
		s, err := d.dec.DecodeString()
		if err != nil {
			return nil, mpErr("bad str: %v", err)
		}
		if !utf8.ValidString(s) {
			return nil, mpErr("str is not UTF-8 (UnicodeDecodeError)")
		}
		return s, nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := d.declared(c)
		if err != nil {
			return nil, err
		}
		if n > d.r.Len() { // every element takes at least one byte
			return nil, mpErr("array of %d elements, %d bytes left", n, d.r.Len())
		}
		if _, err := d.dec.DecodeArrayLen(); err != nil {
			return nil, mpErr("bad array: %v", err)
		}
		out := make([]any, 0, min(n, 1024))
		for range n {
			e, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := d.declared(c)
		if err != nil {
			return nil, err
		}
		if 2*n > d.r.Len() {
			return nil, mpErr("map of %d entries, %d bytes left", n, d.r.Len())
		}
		if _, err := d.dec.DecodeMapLen(); err != nil {
			return nil, mpErr("bad map: %v", err)
		}
		m := &djangosession.Map{}
		for range n {
			k, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, mpErr("map key is a %s, not a str", typeName(k))
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			m.Set(ks, v)
		}
		return m, nil
	case msgpcode.IsExt(c):
		return nil, mpErr("extension type (code 0x%02x) is not a session value", c)
	}
	return nil, mpErr("unknown code 0x%02x", c)
}
