package registration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// TestOverDjangoDatabase: on SQLite, PostgreSQL and MariaDB shared with a
// real Django, a user registered by Go is activated by
// django-registration's ActivationView with the key from Go's email, a
// user registered (inactive) on the Django side is activated by Go with
// Django's key, and 8 concurrent registrations of one username leave
// exactly one row.
func TestOverDjangoDatabase(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			release := "5.2"
			ctx := context.Background()
			db := djangotest.NewDatabaseRelease(t, kind, release)
			cfg := djConfig()
			cfg.DatabaseURL = db.URL
			dj := djangotest.Start(t, release, cfg)
			s := goSettings(t, release)
			h := db.Open(t)
			d, _ := sqlstore.ParseDialect(kind)
			st, err := sqlstore.NewUsers(h, d, s)
			if err != nil {
				t.Fatal(err)
			}
			acc, err := sqlstore.NewAccounts(h, d, s)
			if err != nil {
				t.Fatal(err)
			}
			out := &bytes.Buffer{}
			clock := &fixedClock{t: time.Now()}
			w := newHMAC(t, release, StoreUsers{st, acc}, clock, out)

			// Go registers, Django activates.
			if _, err := w.Register(ctx, nil, Form{"gouser", "go@example.com", "a fine pass 123", "a fine pass 123"}); err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`/accounts/activate/([^/\s]+)/`).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no link in\n%s", out)
			}
			var a activation
			dj.Do(t, "reg_activate", map[string]any{"key": m[1], "at": clock.now().Unix()}, &a)
			if a.Error != nil || !a.IsActive || a.Username != "gouser" {
				t.Fatalf("Django activation of Go's user: %+v %+v", a, a.Error)
			}
			if _, err := w.Activate(ctx, m[1]); err == nil || err.Error() != MsgAlreadyActivated {
				t.Errorf("Go after Django: %v", err)
			}

			// Django's inactive user, Django's key, Go activates.
			dj.Do(t, "auth_create_user", map[string]any{"username": "djuser", "password": "pw pw pw 1", "is_active": false}, nil)
			var key string
			dj.Do(t, "reg_make_key", map[string]any{"username": "djuser", "at": clock.now().Unix()}, &key)
			if u, err := w.Activate(ctx, key); err != nil || !u.IsActive {
				t.Fatalf("Go activation of Django's user: %v", err)
			}
			var row map[string]any
			dj.Do(t, "auth_user_row", map[string]any{"username": "djuser"}, &row)
			if row["is_active"] != true {
				t.Errorf("Django sees is_active %v", row["is_active"])
			}

			// Concurrent registrations of one name.
			var wg sync.WaitGroup
			var ok atomic.Int32
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, err := w.Register(ctx, nil, Form{"racer", fmt.Sprintf("r%d@example.com", i), "a fine pass 123", "a fine pass 123"})
					var fe FormErrors
					if err == nil {
						ok.Add(1)
					} else if !errors.As(err, &fe) || fe["username"][0] != MsgDuplicateUser {
						t.Errorf("register: %v", err)
					}
				}(i)
			}
			wg.Wait()
			var n [][]any
			dj.Do(t, "sql", map[string]any{"sql": "SELECT COUNT(*) FROM auth_user WHERE username = 'racer'"}, &n)
			if ok.Load() != 1 || fmt.Sprint(n[0][0]) != "1" {
				t.Errorf("%d registrations succeeded, %v rows", ok.Load(), n)
			}
		})
	}
}
