package registration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/djangouser"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRegisterThenActivate: the two-step flow creates an inactive user,
// prints the activation email (console sender) with a link holding the
// key, runs the hooks, and the key activates the account once.
func TestRegisterThenActivate(t *testing.T) {
	users := NewMemoryUsers()
	out := &bytes.Buffer{}
	w := newHMAC(t, "5.2", users, &fixedClock{t: time.Now()}, out)
	var registered, activated atomic.Int32
	w.hooks = Hooks{
		UserRegistered: func(context.Context, *djangouserUser) { registered.Add(1) },
		UserActivated:  func(context.Context, *djangouserUser) { activated.Add(1) },
	}
	ctx := context.Background()
	u, err := w.Register(ctx, nil, Form{"newbie", "newbie@example.com", "a fine pass 123", "a fine pass 123"})
	if err != nil || u.IsActive {
		t.Fatalf("Register: %+v, %v", u, err)
	}
	m := regexp.MustCompile(`http://testserver/accounts/activate/([^/\s]+)/`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "To: newbie@example.com\n") || !strings.Contains(out.String(), "\n"+strings.Repeat("-", 79)+"\n") {
		t.Fatalf("console output:\n%s", out)
	}
	got, err := w.Activate(ctx, m[1])
	if err != nil || !got.IsActive || got.Username != "newbie" {
		t.Fatalf("Activate: %+v %v", got, err)
	}
	if _, err := w.Activate(ctx, m[1]); !errors.Is(err, ErrActivation) {
		t.Errorf("replay: %v", err)
	}
	if registered.Load() != 1 || activated.Load() != 1 {
		t.Errorf("hooks ran %d, %d times", registered.Load(), activated.Load())
	}
	w.open = false
	if _, err := w.Register(ctx, nil, Form{"other", "o@example.com", "a fine pass 123", "a fine pass 123"}); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v", err)
	}
}

// TestConcurrentRegistrationsOneUser: 16 registrations of one username at
// once leave exactly one user; the others get Django's "already exists".
func TestConcurrentRegistrationsOneUser(t *testing.T) {
	users := NewMemoryUsers()
	w := newHMAC(t, "6.1", users, &fixedClock{t: time.Now()}, &bytes.Buffer{})
	w.hc.Sender = discard{}
	var wg sync.WaitGroup
	var ok, dup atomic.Int32
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := w.Register(context.Background(), nil, Form{"race", fmt.Sprintf("r%d@example.com", i), "a fine pass 123", "a fine pass 123"})
			var fe FormErrors
			switch {
			case err == nil:
				ok.Add(1)
			case errors.As(err, &fe) && len(fe["username"]) == 1 && fe["username"][0] == MsgDuplicateUser:
				dup.Add(1)
			default:
				t.Errorf("register: %v", err)
			}
		}(i)
	}
	wg.Wait()
	if ok.Load() != 1 || dup.Load() != 15 || users.Len() != 1 {
		t.Errorf("%d created, %d refused, %d users", ok.Load(), dup.Load(), users.Len())
	}
}

// TestHugeFields: 10 MB fields are refused with a clear error and nothing
// is created.
func TestHugeFields(t *testing.T) {
	users := NewMemoryUsers()
	w := newHMAC(t, "4.2", users, &fixedClock{t: time.Now()}, &bytes.Buffer{})
	big := strings.Repeat("x", 10<<20)
	for _, f := range []Form{{big, "a@example.com", "pw pw pw 1", "pw pw pw 1"}, {"u", big, "pw pw pw 1", "pw pw pw 1"},
		{"u", "a@example.com", big, big}} {
		_, err := w.Register(context.Background(), nil, f)
		if !errors.Is(err, ErrInvalidForm) || !strings.Contains(err.Error(), "at most 2621440 bytes") {
			t.Errorf("%v", err)
		}
	}
	if _, err := w.Activate(context.Background(), big); !errors.Is(err, ErrActivation) {
		t.Errorf("huge key: %v", err)
	}
	if users.Len() != 0 {
		t.Errorf("%d users made", users.Len())
	}
}

func TestConfigMistakes(t *testing.T) {
	s := goSettings(t, "5.2")
	if _, err := NewKeys(s, KeyOptions{}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "ACCOUNT_ACTIVATION_DAYS") {
		t.Errorf("no days: %v", err)
	}
	if _, err := NewHMAC(Config{Settings: s}, HMACConfig{}); !errors.Is(err, ErrConfig) {
		t.Errorf("no users: %v", err)
	}
}

type discard struct{}

func (discard) Send(context.Context, ...*accountmailMessage) error { return nil }

// FuzzActivationKey: no key panics; every key is a username or an
// *ActivationError.
func FuzzActivationKey(f *testing.F) {
	keys, err := NewKeys(goSettings(f, "5.2"), KeyOptions{ActivationDays: 7})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := keys.Make("alice")
	for _, s := range []string{good, good[:10], "", ":", "a:b:c", "eyJhIjoxfQ:1abc:xyz", "\x00\xff", strings.Repeat(":", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		name, err := keys.Username(key)
		var ae *ActivationError
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && key != good && name == "alice" {
			t.Fatalf("forged key %q accepted", key)
		}
	})
}

type (
	djangouserUser     = djangouser.User
	accountmailMessage = accountmail.Message
)
