package pbkdf2_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/djangobridge/djangobridge/pbkdf2"
)

// Django's PBKDF2PasswordHasher stores
// "pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>".
func ExampleKey() {
	const iterations = 260000 // Django 3.2's default
	salt := "abcdefghijklmnopqrstuv"
	dk := pbkdf2.Key([]byte("pässword"), []byte(salt), iterations, sha256.Size, sha256.New)
	fmt.Printf("pbkdf2_sha256$%d$%s$%s\n", iterations, salt, base64.StdEncoding.EncodeToString(dk))
	// Output: pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$ht93y9pBl3FaDhtky5/fGyB44btC9lh3/G3f4dHGVYQ=
}

// KeyContext lets a request's context bound the work done for a password
// check with an absurd iteration count taken from a stored hash.
func ExampleKeyContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := pbkdf2.KeyContext(ctx, []byte("secret"), []byte("salt"), 1<<30, sha256.Size, sha256.New)
	fmt.Println(err)
	// Output: context deadline exceeded
}
