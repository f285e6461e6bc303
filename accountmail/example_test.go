package accountmail_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/accountmail"
)

// A message as Django 5.2 and 6.1 lay it out: a body line longer than 78
// bytes stays 7bit on 5.2 and is quoted-printable on 6.1
// (Release.EmailModernPolicy); a non-ASCII display name is an encoded word.
func ExampleMessage_BytesFor() {
	m := &accountmail.Message{From: "webmaster@localhost", To: []string{"Zoë <zoe@example.com>"}, Subject: "Activate",
		Body: "https://example.com/accounts/activate/" + strings.Repeat("k", 50) + "/\n"}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, v := range []string{"5.2", "6.1"} {
		rel, _ := djangobridge.ReleaseOf(djangobridge.MustParseVersion(v))
		raw, err := m.BytesFor(rel, at, "<1@localhost>")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("--- %s\n%s", v, raw)
	}
	// Output:
	// --- 5.2
	// Content-Type: text/plain; charset="utf-8"
	// MIME-Version: 1.0
	// Content-Transfer-Encoding: 7bit
	// Subject: Activate
	// From: webmaster@localhost
	// To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>
	// Date: Mon, 30 Nov 2026 12:00:00 -0000
	// Message-ID: <1@localhost>
	//
	// https://example.com/accounts/activate/kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk/
	// --- 6.1
	// Content-Type: text/plain; charset="utf-8"
	// Content-Transfer-Encoding: quoted-printable
	// MIME-Version: 1.0
	// Subject: Activate
	// From: webmaster@localhost
	// To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>
	// Date: Mon, 30 Nov 2026 12:00:00 +0000
	// Message-ID: <1@localhost>
	//
	// https://example.com/accounts/activate/kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=
	// kkkkkkkkkkk/
}
