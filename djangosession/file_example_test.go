package djangosession_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// The file engine: sessions in SESSION_FILE_PATH, shared with a Django site
// configured with SESSION_ENGINE = "django.contrib.sessions.backends.file"
// and the same SECRET_KEY and SESSION_FILE_PATH.
func ExampleNewFileStore() {
	dir, err := os.MkdirTemp("", "sessions")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s := djangobridge.Defaults()
	s.SecretKey = "django-insecure-example"
	s.SessionEngine = djangobridge.EngineFile
	s.SessionFilePath = dir
	store, err := djangosession.NewFileStore(&s)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := djangosession.NewManager(&s, store)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	sess := sessions.Open(ctx, "") // no cookie yet
	sess.Set("cart", []string{"book"})
	if err := sess.Save(ctx); err != nil {
		log.Fatal(err)
	}
	// The next request brings the key back in the "sessionid" cookie.
	again := sessions.Open(ctx, sess.Key())
	cart, _ := again.Get("cart")
	fmt.Println(cart)
	_, err = os.Stat(dir + "/sessionid" + sess.Key())
	fmt.Println("file exists:", err == nil)
	// Output:
	// [book]
	// file exists: true
}
