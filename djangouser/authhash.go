package djangouser

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"sync"
)

// authMAC is salted_hmac(SessionAuthHashSalt, ·, secret, alg) with its key
// derived once and a pool of HMAC states, so that checking a session's
// _auth_user_hash on every request costs no key derivation, no pad setup
// and no allocation (Django recomputes get_session_auth_hash each time).
type authMAC struct{ pool sync.Pool }

func newAuthMAC(secret, alg string) *authMAC {
	h := sha256.New
	if alg == "sha1" {
		h = sha1.New
	}
	d := h()
	d.Write([]byte(SessionAuthHashSalt))
	d.Write([]byte(secret))
	key := d.Sum(nil)
	m := &authMAC{}
	m.pool.New = func() any { return &macBuf{h: hmac.New(h, key)} }
	return m
}

type macBuf struct {
	h   hash.Hash
	in  []byte
	out [sha256.Size]byte
}

// sum computes the MAC of password into b.out and returns it.
func (b *macBuf) sum(password string) []byte {
	b.h.Reset()
	b.in = append(b.in[:0], password...)
	b.h.Write(b.in)
	return b.h.Sum(b.out[:0])
}

// hexSum is the hex MAC of password (get_session_auth_hash).
func (m *authMAC) hexSum(password string) string {
	b := m.pool.Get().(*macBuf)
	s := hex.EncodeToString(b.sum(password))
	m.pool.Put(b)
	return s
}

// matches reports in constant time whether hexHash is the MAC of password.
func (m *authMAC) matches(hexHash, password string) bool {
	b := m.pool.Get().(*macBuf)
	mac := b.sum(password)
	var want [2 * sha256.Size]byte
	ok := len(hexHash) == 2*len(mac)
	if ok {
		hex.Encode(want[:], mac)
		ok = subtle.ConstantTimeCompare(want[:len(hexHash)], []byte(hexHash)) == 1
	}
	m.pool.Put(b)
	return ok
}
