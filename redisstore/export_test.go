package redisstore

import (
	"context"

	"github.com/djangobridge/djangobridge/djangosession"
)

// DecodeForTest returns the length of b once decompressed (as
// DefaultClient.decode sees it before deserializing).
func DecodeForTest(c *Cache, b []byte) (int, error) {
	out, err := c.codec.compressor.decompressValue(b, c.codec.limit)
	return len(out), err
}

// RawForTest returns the bytes stored under a cache key.
func (c *Cache) RawForTest(ctx context.Context, key string) ([]byte, error) {
	return c.write.Get(ctx, c.Key(key)).Bytes()
}

// Encode is the codec's encode, for tests.
func (c *Cache) Encode(m *djangosession.Map) ([]byte, error) { return c.codec.encode(m) }

// Decode is the codec's decode, for tests.
func (c *Cache) Decode(b []byte) (*djangosession.Map, error) { return c.codec.decode(b) }

// ReaderRoleForTest is the ROLE ("master", "slave") of the server a read
// goes to.
func ReaderRoleForTest(ctx context.Context, c *Cache) (string, error) {
	v, err := c.reader().Do(ctx, "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return "", err
	}
	s, _ := v[0].(string)
	return s, nil
}
