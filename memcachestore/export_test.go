package memcachestore

import "github.com/djangobridge/djangobridge/djangosession"

// DecodeForTest is the item decoder.
func DecodeForTest(b []byte, flags uint32, limit int) (*djangosession.Map, error) {
	return decode(b, flags, limit)
}

// Murmur3ForTest is pymemcache's murmur3_32 of a str.
func Murmur3ForTest(s string) uint32 { return murmur3PyStr(s) }

// OneAtATimeForTest is libhashkit's one-at-a-time hash.
func OneAtATimeForTest(s string) uint32 { return oneAtATime(s) }
