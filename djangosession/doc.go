// Package djangosession reads and writes Django's sessions exactly as
// Django does, for Go services that share logins with a Django site.
//
// It holds the parts every engine shares:
//
//   - signing: Django's salted_hmac, Signer, TimestampSigner and
//     signing.dumps/loads (NewSigner, SaltedHMAC), with SECRET_KEY_FALLBACKS
//     (Django 4.1+) and the SHA-1 signatures Django 3.x still accepts;
//   - the codec (NewCodec): session data in the 3.1+ format and the pre-3.1
//     legacy one, Django's JSON byte for byte (ASCII-only, key order kept,
//     numbers kept as written), with a cap on what data may inflate to;
//   - values: *Map (an ordered dict), Number (a number's exact text),
//     []any, string, bool, nil;
//   - the Session (request.session) opened lazily by a Manager (the
//     SessionStore class), with Django's modified/accessed tracking and
//     expiry rules, CycleKey and Flush;
//   - the Store interface, and the engines that need no driver: the
//     signed_cookies engine (NewSignedCookieStore), the file engine
//     (NewFileStore), the cache engine over any Cache (NewCacheStore) and
//     cached_db (NewCachedDBStore), plus a MemoryStore for tests;
//   - a pickle reader and writer for the cache engine, which runs no code.
//
// The db engine is in sqlstore (database/sql) and pgxstore (pgx), the Redis
// cache in redisstore: each imports its own driver, so this package imports
// none. It knows nothing of users (djangouser) or HTTP (middleware).
//
// Bad input is expected: every decoder returns an error for tampered,
// truncated, oversized or garbage data (see IsDataError) and the Session
// then starts empty, as Django's does; nothing here panics on input.
package djangosession
