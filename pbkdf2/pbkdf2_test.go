package pbkdf2

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"testing"
)

type vector struct {
	name     string
	h        func() hash.Hash
	password string
	salt     string
	iter     int
	want     string // hex
}

var vectors = []vector{
	// RFC 6070 (PBKDF2-HMAC-SHA1).
	{"rfc6070-1", sha1.New, "password", "salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
	{"rfc6070-2", sha1.New, "password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
	{"rfc6070-3", sha1.New, "password", "salt", 4096, "4b007901b765489abead49d926f721d065a429c1"},
	{"rfc6070-5", sha1.New, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
	{"rfc6070-6", sha1.New, "pass\x00word", "sa\x00lt", 4096, "56fa6aa75548099dcc37d7f03425e0c3"},
	// Published PBKDF2-HMAC-SHA256 vectors (RFC 7914 §11 and the
	// widely used extension of RFC 6070 to SHA-256).
	{"rfc7914-1", sha256.New, "passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
	{"rfc7914-2", sha256.New, "Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"},
	{"sha256-1", sha256.New, "password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"},
	{"sha256-2", sha256.New, "password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"},
	{"sha256-4096", sha256.New, "password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"},
	{"sha256-long", sha256.New, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"},
	{"sha256-nul", sha256.New, "pass\x00word", "sa\x00lt", 4096, "89b69d0516f829893c696226650a8687"},
}

func TestKnownAnswers(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			want, _ := hex.DecodeString(v.want)
			got := Key([]byte(v.password), []byte(v.salt), v.iter, len(want), v.h)
			if hex.EncodeToString(got) != v.want {
				t.Fatalf("Key = %x, want %s", got, v.want)
			}
			got, err := KeyContext(context.Background(), []byte(v.password), []byte(v.salt), v.iter, len(want), v.h)
			if err != nil || hex.EncodeToString(got) != v.want {
				t.Fatalf("KeyContext = %x, %v, want %s", got, err, v.want)
			}
		})
	}
}

// TestDjangoVector is the pbkdf2_sha256 hash real Django computes for
// make_password("pässword", "abcdefghijklmnopqrstuv", "pbkdf2_sha256")
// with 260000 iterations (django-formats.md §11).
func TestDjangoVector(t *testing.T) {
	got := Key([]byte("pässword"), []byte("abcdefghijklmnopqrstuv"), 260000, 32, sha256.New)
	const want = "ht93y9pBl3FaDhtky5/fGyB44btC9lh3/G3f4dHGVYQ="
	if s := base64.StdEncoding.EncodeToString(got); s != want {
		t.Fatalf("got %s, want %s", s, want)
	}
}
