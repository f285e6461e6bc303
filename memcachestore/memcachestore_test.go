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

// hashkit_one_at_a_time, transcribed to Python with C's signed char; the
// server it picks (hash % 2) matched pylibmc 1.6.3 on libmemcached 1.0.18
// for 250 keys, 50 of them non-ASCII (TestLiveTwoServers checks it live).
func TestOneAtATime(t *testing.T) {
	for s, want := range map[string]uint32{
		"": 0, "a": 3392050242, "p:1:k": 3701040497,
		":1:django.contrib.sessions.cachexyz": 528358638,
		"p:1:ä":                               1394637207, "é漢": 2840286671,
	} {
		if got := memcachestore.OneAtATimeForTest(s); got != want {
			t.Errorf("one_at_a_time(%q) = %d, want %d", s, got, want)
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
