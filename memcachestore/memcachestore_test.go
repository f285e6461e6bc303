package memcachestore_test

import (
	"bytes"
	"compress/zlib"
	"testing"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/memcachestore"
)

// Values from pymemcache.client.murmur3.murmur3_32 (pymemcache 4.0.0).
func TestMurmur3(t *testing.T) {
	for s, want := range map[string]uint32{
		"": 0, "a": 1009084850, "abcd": 1139631978, "abcde": 3902511862,
		"127.0.0.1:11211-:1:django.contrib.sessions.cachexyz": 2170780842,
		"é漢": 4002271268,
	} {
		if got := memcachestore.Murmur3ForTest(s); got != want {
			t.Errorf("murmur3_32(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	p, _ := djangosession.Pickle(djangosession.NewMap(djangosession.Item{Key: "a", Value: "b"}))
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(p)
	w.Close()
	f.Add(p, uint32(1))
	f.Add(z.Bytes(), uint32(9))
	f.Add([]byte("42"), uint32(2))
	f.Fuzz(func(t *testing.T, b []byte, flags uint32) {
		_, err := memcachestore.DecodeForTest(b, flags, 1<<16)
		if err != nil && !djangosession.IsDataError(err) {
			t.Fatalf("non-data error: %v", err)
		}
	})
}
