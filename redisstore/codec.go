package redisstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/djangobridge/djangobridge/djangosession"
)

// The serializers of django-redis (OPTIONS["SERIALIZER"]).
const (
	SerializerPickle  = "django_redis.serializers.pickle.PickleSerializer"
	SerializerJSON    = "django_redis.serializers.json.JSONSerializer"
	SerializerMsgpack = "django_redis.serializers.msgpack.MSGPackSerializer"
)

// codec turns a session dict into what a cache backend stores, and back.
type codec struct {
	serializer    string // one of the Serializer* constants; "" = Django's RedisSerializer
	pickleVersion byte   // PICKLE_VERSION: 4 or 5
	compressor    *compressor
	limit         int
}

// encode is DefaultClient.encode (a dict is never stored raw as an int):
// serialize, then compress when longer than the compressor's min_length.
// Django's own RedisSerializer is pickle.dumps(dict, 5).
func (c *codec) encode(m *djangosession.Map) ([]byte, error) {
	if m == nil {
		m = &djangosession.Map{}
	}
	var b []byte
	var err error
	switch c.serializer {
	case SerializerJSON:
		b, err = appendPyJSON(nil, m, 0)
	case SerializerMsgpack:
		b, err = msgpackEncode(m)
	default:
		b, err = djangosession.Pickle(m)
		if err == nil && c.pickleVersion != 0 {
			// Pickle writes protocol 5; for the dicts, lists, str, bytes,
			// int, float and datetimes of a session protocol 4 writes the
			// same opcodes (5 only adds out-of-band buffers and bytearray),
			// so only the PROTO argument differs.
			b[1] = c.pickleVersion
		}
	}
	if err != nil {
		return nil, err
	}
	return c.compressor.compressValue(b)
}

// decode is DefaultClient.decode (and RedisSerializer.loads): a value that
// int() reads is an integer, never a session; anything else is
// decompressed (or taken as is when it is not compressed) and deserialized.
func (c *codec) decode(b []byte) (*djangosession.Map, error) {
	if isPyInt(b) {
		return nil, fmt.Errorf("%w: cache value %q is an integer, not a session", djangosession.ErrMalformed, truncate(b, 40))
	}
	if len(b) > c.limit {
		return nil, fmt.Errorf("%w: cache value of %d bytes, limit %d", djangosession.ErrTooLarge, len(b), c.limit)
	}
	b, err := c.compressor.decompressValue(b, c.limit)
	if err != nil {
		return nil, err
	}
	var v any
	switch c.serializer {
	case SerializerJSON:
		v, err = djangosession.ParseJSON(b, c.limit)
	case SerializerMsgpack:
		v, err = msgpackDecode(b, c.limit)
	default:
		v, err = djangosession.Unpickle(b, c.limit)
	}
	if err != nil {
		return nil, err
	}
	m, ok := v.(*djangosession.Map)
	if !ok {
		return nil, fmt.Errorf("%w: cached value is a %s, not a session dict", djangosession.ErrMalformed, typeName(v))
	}
	return m, nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case []any:
		return "list"
	case djangosession.Number:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// appendPyJSON writes v as django-redis's JSONSerializer does:
// json.dumps(v, cls=DjangoJSONEncoder), Python's default separators
// (", " and ": ") and ensure_ascii. DjangoJSONEncoder writes a datetime as
// its isoformat, microseconds cut to milliseconds, "+00:00" as "Z"; bytes
// are refused (TypeError in Python), with ErrUnsupportedValue.
func appendPyJSON(dst []byte, v any, depth int) ([]byte, error) {
	if depth > 1000 {
		return nil, fmt.Errorf("%w: nested deeper than 1000", djangosession.ErrUnsupportedValue)
	}
	var err error
	switch x := v.(type) {
	case *djangosession.Map:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		for i, it := range x.Items() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, err = djangosession.AppendJSON(dst, it.Key); err != nil {
				return nil, err
			}
			dst = append(dst, ": "...)
			if dst, err = appendPyJSON(dst, it.Value, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, err = appendPyJSON(dst, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case time.Time:
		return djangosession.AppendJSON(dst, djangoJSONDatetime(x))
	case []byte:
		return nil, fmt.Errorf("%w: bytes cannot be written by django-redis's JSONSerializer (Object of type bytes is not JSON serializable)", djangosession.ErrUnsupportedValue)
	case nil, bool, string, djangosession.Number:
		return djangosession.AppendJSON(dst, x)
	}
	n, err := djangosession.Normalize(v)
	if err != nil {
		return nil, err
	}
	return appendPyJSON(dst, n, depth)
}

// djangoJSONDatetime is DjangoJSONEncoder.default for a datetime.
func djangoJSONDatetime(t time.Time) string {
	r := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		r += "." + fmt.Sprintf("%06d", us)[:3]
	}
	if !djangosession.IsNaive(t) {
		_, off := t.Zone()
		if off == 0 {
			return r + "Z"
		}
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		r += string(sign) + fmt.Sprintf("%02d:%02d", off/3600, off/60%60)
		if off%60 != 0 {
			r += ":" + strconv.Itoa(100 + off%60)[1:]
		}
	}
	return r
}
