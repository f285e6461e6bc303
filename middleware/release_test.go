package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/middleware"
)

// TestZeroReleaseIsRefusedEverywhere: a Settings whose DjangoVersion was
// never set is refused by every constructor that takes Settings, so no stack
// can be built with another release's rules (CSRF Origin checks off,
// SECRET_KEY_FALLBACKS ignored).
func TestZeroReleaseIsRefusedEverywhere(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	s.DjangoVersion = djangobridge.Version{}
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, djangobridge.ErrVersionUnset) ||
			!strings.Contains(err.Error(), "DjangoVersion is not set: start from djangobridge.Defaults(), or set it to your Django release") {
			t.Errorf("%s with a zero DjangoVersion: %v", name, err)
		}
	}
	_, err := djangosession.NewSigner(&s, "salt")
	check("NewSigner", err)
	_, err = djangosession.NewCodec(&s)
	check("NewCodec", err)
	_, err = djangosession.NewManager(&s, djangosession.NewMemoryStore())
	check("NewManager", err)
	_, err = djangosession.NewSignedCookieStore(&s)
	check("NewSignedCookieStore", err)
	_, err = djangosession.NewFileStore(&s)
	check("NewFileStore", err)
	_, err = hashers.New(&s)
	check("hashers.New", err)
	_, err = djangouser.ModelOf(&s)
	check("djangouser.ModelOf", err)

	good := djangobridge.Defaults()
	good.SecretKey = "k"
	pw, err := hashers.New(&good)
	if err != nil {
		t.Fatal(err)
	}
	_, err = djangouser.New(&s, nopUsers{}, pw)
	check("djangouser.New", err)
	_, err = djangouser.NewModelBackend(&s, nopUsers{}, pw)
	check("djangouser.NewModelBackend", err)

	for _, v := range []string{"2.2", "9.9"} {
		s.DjangoVersion = djangobridge.MustParseVersion(v)
		_, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
		if !errors.Is(err, djangobridge.ErrVersionUnsupported) || !strings.Contains(err.Error(), "6.1") {
			t.Errorf("Django %s: %v", v, err)
		}
	}
}

// TestDefaultsCheckOrigin: the stack built from Defaults() has Django
// 5.2's Origin check on: a POST with a valid token from another origin is
// refused, as Django 5.2 refuses it.
func TestDefaultsCheckOrigin(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	m, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	secret := middleware.NewCSRFSecret()
	r := httptest.NewRequest("POST", "http://site.example/x", nil)
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
	r.Header.Set("X-CSRFToken", secret)
	r.Header.Set("Origin", "http://evil.example")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("POST from http://evil.example with a valid token: %d, Django 5.2 answers 403", w.Code)
	}
}

// nopUsers is a user store that is never reached.
type nopUsers struct{ djangouser.Store }
