package djangosession_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// signed_cookies expiry agrees with Django: a cookie older than
// SESSION_COOKIE_AGE is refused by both sides, whoever signed it.
func TestLiveSignedCookiesExpiry(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			djangotest.DjangoDir(t)
			ctx := context.Background()
			d := djangotest.Start(t, rel, djangotest.Config{
				SessionEngine: "signed_cookies",
				Extra:         map[string]any{"SESSION_COOKIE_AGE": 2},
			})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.SessionCookieAge = 2
			st, err := djangosession.NewSignedCookieStore(&s)
			if err != nil {
				t.Fatal(err)
			}
			mgr, _ := djangosession.NewManager(&s, st)
			var dj engineSession
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"u": "1"}}, &dj)
			gs := mgr.Open(ctx, "")
			gs.Set("u", "2")
			if err := gs.Save(ctx); err != nil {
				t.Fatal(err)
			}
			// Fresh: both read both.
			if m, err := st.Load(ctx, dj.Key); err != nil || m.Len() != 1 {
				t.Fatalf("fresh Django cookie: %v, %v", m, err)
			}
			var back engineSession
			d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
			if !back.Exists || string(back.Data) != `{"u": "2"}` {
				t.Fatalf("Django refuses Go's fresh cookie: %s", back.Data)
			}
			time.Sleep(3100 * time.Millisecond)
			if _, err := st.Load(ctx, dj.Key); !errors.Is(err, djangosession.ErrExpired) {
				t.Errorf("Django's cookie after SESSION_COOKIE_AGE: %v, want ErrExpired", err)
			}
			// Django's signed_cookies load keeps the key but empties the data.
			d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
			if string(back.Data) != "{}" {
				t.Error("Django still accepts Go's cookie after SESSION_COOKIE_AGE")
			}
		})
	}
}
