package sqlcore

import (
	"encoding/base64"
	"testing"

	"github.com/djangobridge/djangobridge/djangosession"
)

// FuzzDBCacheDecode: no stored value panics the database cache's decoder
// (strict base64, then the safe unpickler); what decodes re-encodes to a
// value that decodes.
func FuzzDBCacheDecode(f *testing.F) {
	c := &DBCache{limit: 1 << 16}
	v, _ := encodeValue(djangosession.NewMap(djangosession.Item{Key: "a", Value: []any{"b", djangosession.Number("1")}}))
	f.Add(v)
	f.Add("gAWVBAAAAAAAAAB9lC4=")
	f.Add("gAV9lC4")
	f.Add(base64.StdEncoding.EncodeToString([]byte("\x80\x05\x95garbage")))
	f.Fuzz(func(t *testing.T, s string) {
		m, err := c.decode(s)
		if err != nil {
			if !djangosession.IsDataError(err) {
				t.Fatalf("non-data error %v", err)
			}
			return
		}
		out, err := encodeValue(m)
		if err != nil {
			return
		}
		if _, err := c.decode(out); err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
	})
}
