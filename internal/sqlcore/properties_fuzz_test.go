package sqlcore

import (
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/djangouser"
)

// FuzzDecodeProperty: no column text panics the property decoder, for any
// field type and dialect; what decodes has the Go type of its kind.
func FuzzDecodeProperty(f *testing.F) {
	types := []string{djangouser.CharField, djangouser.BooleanField, djangouser.IntegerField, djangouser.FloatField,
		djangouser.DateTimeField, djangouser.DateField}
	for _, seed := range []string{"", "0", "1", "t", "-9223372036854775808", "9223372036854775808", "1e308", "NaN",
		"2024-02-29 23:59:58.123456", "2024-02-29T23:59:58+05:30", "1815-12-10", "0000-00-00", "ħéllo", "\x00\xff"} {
		for i := range types {
			f.Add(seed, uint8(i), uint8(i%3))
		}
	}
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, typ, dialect uint8) {
		typeName := types[int(typ)%len(types)]
		kind, _ := djangouser.KindOf(typeName)
		field := djangouser.PropertyField{Kind: kind}
		field.Type = typeName
		d := Dialect(int(dialect)%3 + 1)
		for _, src := range []any{s, []byte(s)} {
			v, err := DecodeProperty(d, chicago, field, src)
			if err != nil {
				continue
			}
			ok := false
			switch kind {
			case djangouser.KindString:
				_, ok = v.(string)
			case djangouser.KindBool:
				_, ok = v.(bool)
			case djangouser.KindInt:
				_, ok = v.(int64)
			case djangouser.KindFloat:
				_, ok = v.(float64)
			case djangouser.KindDateTime, djangouser.KindDate:
				_, ok = v.(time.Time)
			}
			if !ok {
				t.Fatalf("%s from %q decoded as %T", typeName, s, v)
			}
		}
	})
}

// MySQL's text protocol gives BIGINT UNSIGNED (PositiveBigIntegerField) as
// uint64: read up to int64's maximum, refused beyond.
func TestDecodePropertyUnsigned(t *testing.T) {
	field := djangouser.PropertyField{Kind: djangouser.KindInt}
	field.Type = djangouser.PositiveBigIntegerField
	if v, err := DecodeProperty(MySQL, time.UTC, field, uint64(1<<63-1)); err != nil || v != int64(1<<63-1) {
		t.Errorf("uint64 max int64: %v %v", v, err)
	}
	if _, err := DecodeProperty(MySQL, time.UTC, field, uint64(1<<63)); err == nil {
		t.Error("uint64 over int64: no error")
	}
}
