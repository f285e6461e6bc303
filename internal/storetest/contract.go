// Package storetest is the specification of the db session engine, run
// against every implementation (sqlstore on SQLite, PostgreSQL and MySQL,
// pgxstore): what a djangosession.Store over django_session must do, in
// Django's terms.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// Opener returns a store over the one database of a Run, under settings s.
// Stores opened with different settings share the rows.
type Opener func(t testing.TB, s *djangobridge.Settings) djangosession.Store

// RecordLoader is what the db stores add to djangosession.Store for the
// cached_db engine: the row's expire_date with the data.
type RecordLoader interface {
	LoadRecord(ctx context.Context, key string) (djangosession.Record, error)
}

// Settings are the settings a Run uses: Django 5.2 defaults with a test key.
func Settings() djangobridge.Settings {
	s := djangobridge.Defaults()
	s.SecretKey = "storetest-secret-key"
	return s
}

// Sample is a session holding every JSON shape Django keeps.
func Sample() *djangosession.Map {
	return djangosession.NewMap(
		djangosession.Item{Key: "_auth_user_id", Value: "42"},
		djangosession.Item{Key: "text", Value: "ä 😀 漢字"},
		djangosession.Item{Key: "big", Value: djangosession.Number("1180591620717411303424")},
		djangosession.Item{Key: "float", Value: djangosession.Number("1.0")},
		djangosession.Item{Key: "nested", Value: djangosession.NewMap(
			djangosession.Item{Key: "list", Value: []any{true, false, nil, djangosession.Number("0.1")}},
		)},
	)
}

// JSON is m as Django's serializer writes it, for exact comparisons.
func JSON(t testing.TB, m *djangosession.Map) string {
	t.Helper()
	if m == nil {
		return "<nil>"
	}
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Run runs the whole contract. The database behind open starts with
// Django's empty django_session table; subtests run in order.
func Run(t *testing.T, open Opener) {
	s := Settings()
	st := open(t, &s)
	ctx := context.Background()
	future := func() time.Time { return time.Now().Add(time.Hour) }
	past := func() time.Time { return time.Now().Add(-time.Hour) }

	t.Run("ClearExpiredCountsAndKeepsLiveRows", func(t *testing.T) {
		if _, err := st.ClearExpired(ctx); err != nil {
			t.Fatal(err)
		}
		var live []string
		for i := 0; i < 3; i++ {
			mustSave(t, st, djangosession.Record{Key: djangosession.NewKey(), Data: Sample(), ExpireDate: past()}, true)
			k := djangosession.NewKey()
			mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true)
			live = append(live, k)
		}
		n, err := st.ClearExpired(ctx)
		if err != nil || n != 3 {
			t.Fatalf("ClearExpired = %d, %v; want 3 expired rows removed", n, err)
		}
		for _, k := range live {
			if ok, err := st.Exists(ctx, k); err != nil || !ok {
				t.Errorf("live session %s gone after ClearExpired: %v %v", k, ok, err)
			}
		}
		if n, err := st.ClearExpired(ctx); err != nil || n != 0 {
			t.Errorf("second ClearExpired = %d, %v; want 0", n, err)
		}
	})

	t.Run("CreateThenLoad", func(t *testing.T) {
		k := djangosession.NewKey()
		got, err := st.Save(ctx, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future(), ExpiryAge: 3600}, true)
		if err != nil || got != k {
			t.Fatalf("Save(mustCreate) = %q, %v; want %q", got, err, k)
		}
		m, err := st.Load(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if JSON(t, m) != JSON(t, Sample()) {
			t.Errorf("Load = %s\nwant   %s", JSON(t, m), JSON(t, Sample()))
		}
		if ok, err := st.Exists(ctx, k); err != nil || !ok {
			t.Errorf("Exists = %v, %v; want true", ok, err)
		}
	})

	t.Run("MustCreateOnTakenKeyIsErrExists", func(t *testing.T) {
		k := djangosession.NewKey()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true)
		other := djangosession.NewMap(djangosession.Item{Key: "x", Value: "intruder"})
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: other, ExpireDate: future()}, true); !errors.Is(err, djangosession.ErrExists) {
			t.Fatalf("second create = %v; want ErrExists", err)
		}
		m, err := st.Load(ctx, k)
		if err != nil || JSON(t, m) != JSON(t, Sample()) {
			t.Errorf("the first session changed: %s, %v", JSON(t, m), err)
		}
	})

	t.Run("MustCreateOnExpiredRowIsErrExists", func(t *testing.T) {
		// Django's INSERT collides with an expired row too, until
		// clearsessions removes it.
		k := djangosession.NewKey()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: past()}, true)
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true); !errors.Is(err, djangosession.ErrExists) {
			t.Fatalf("create over an expired row = %v; want ErrExists", err)
		}
	})

	t.Run("UpdateReplacesDataAndExpiry", func(t *testing.T) {
		k := djangosession.NewKey()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true)
		upd := djangosession.NewMap(djangosession.Item{Key: "n", Value: djangosession.Number("2")})
		exp := time.Now().Add(48 * time.Hour).Truncate(time.Microsecond)
		mustSave(t, st, djangosession.Record{Key: k, Data: upd, ExpireDate: exp}, false)
		m, err := st.Load(ctx, k)
		if err != nil || JSON(t, m) != `{"n":2}` {
			t.Fatalf("Load after update = %s, %v", JSON(t, m), err)
		}
		rl, ok := st.(RecordLoader)
		if !ok {
			t.Fatalf("%T has no LoadRecord", st)
		}
		r, err := rl.LoadRecord(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if !r.ExpireDate.Equal(exp) || r.Key != k || JSON(t, r.Data) != `{"n":2}` {
			t.Errorf("LoadRecord = %+v (expire %v); want expire_date %v", r, r.ExpireDate, exp)
		}
		if age := 48 * 3600; r.ExpiryAge > age || r.ExpiryAge < age-5 {
			t.Errorf("LoadRecord ExpiryAge = %d; want about %d", r.ExpiryAge, age)
		}
	})

	t.Run("UpdateWithIdenticalValuesIsNotVanished", func(t *testing.T) {
		// MySQL counts changed rows unless CLIENT_FOUND_ROWS: an update
		// that writes the same values must still succeed.
		k := djangosession.NewKey()
		exp := future()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: exp}, true)
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: exp}, false)
	})

	t.Run("UpdateOfMissingRowIsErrVanished", func(t *testing.T) {
		k := djangosession.NewKey()
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, false); !errors.Is(err, djangosession.ErrVanished) {
			t.Fatalf("update of a missing row = %v; want ErrVanished", err)
		}
		if ok, _ := st.Exists(ctx, k); ok {
			t.Error("the failed update created a row")
		}
	})

	t.Run("DeleteRemovesAndIsIdempotent", func(t *testing.T) {
		k := djangosession.NewKey()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true)
		for i := 0; i < 2; i++ {
			if err := st.Delete(ctx, k); err != nil {
				t.Fatalf("Delete #%d: %v", i+1, err)
			}
		}
		if _, err := st.Load(ctx, k); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("Load after Delete = %v; want ErrNotFound", err)
		}
		if ok, err := st.Exists(ctx, k); err != nil || ok {
			t.Errorf("Exists after Delete = %v, %v", ok, err)
		}
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, false); !errors.Is(err, djangosession.ErrVanished) {
			t.Errorf("update after Delete = %v; want ErrVanished", err)
		}
	})

	t.Run("ExpiredRowsAreInvisible", func(t *testing.T) {
		k := djangosession.NewKey()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: time.Now().Add(-time.Second)}, true)
		if _, err := st.Load(ctx, k); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("Load of an expired row = %v; want ErrNotFound", err)
		}
		if ok, err := st.Exists(ctx, k); err != nil || ok {
			t.Errorf("Exists of an expired row = %v, %v; want false", ok, err)
		}
		if _, err := st.(RecordLoader).LoadRecord(ctx, k); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("LoadRecord of an expired row = %v; want ErrNotFound", err)
		}
		if _, err := st.Load(ctx, "nosuchkey0000000"); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("Load of a missing key = %v; want ErrNotFound", err)
		}
	})

	t.Run("ForeignSignatureIsADataError", func(t *testing.T) {
		other := Settings()
		other.SecretKey = "another-site-key"
		k := djangosession.NewKey()
		mustSave(t, open(t, &other), djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true)
		_, err := st.Load(ctx, k)
		if !djangosession.IsDataError(err) || !errors.Is(err, djangosession.ErrBadSignature) {
			t.Fatalf("Load of data signed with another key = %v; want ErrBadSignature", err)
		}
		rotated := Settings()
		rotated.SecretKey = "new-key"
		rotated.SecretKeyFallbacks = []string{"another-site-key"}
		m, err := open(t, &rotated).Load(ctx, k)
		if err != nil || JSON(t, m) != JSON(t, Sample()) {
			t.Errorf("Load with the old key as fallback = %s, %v", JSON(t, m), err)
		}
	})

	t.Run("CanceledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		k := djangosession.NewKey()
		if _, err := st.Save(cctx, djangosession.Record{Key: k, Data: Sample(), ExpireDate: future()}, true); !errors.Is(err, context.Canceled) {
			t.Errorf("Save with a canceled context = %v; want context.Canceled", err)
		}
		if _, err := st.Load(cctx, k); !errors.Is(err, context.Canceled) {
			t.Errorf("Load with a canceled context = %v; want context.Canceled", err)
		}
		if ok, _ := st.Exists(ctx, k); ok {
			t.Error("a canceled Save wrote its row")
		}
	})

	t.Run("ConcurrentUse", func(t *testing.T) {
		const workers, rounds = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				k := djangosession.NewKey()
				for i := 0; i < rounds; i++ {
					m := djangosession.NewMap(djangosession.Item{Key: "i", Value: djangosession.Number(fmt.Sprint(i))})
					if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: m, ExpireDate: future()}, i == 0); err != nil {
						errs <- fmt.Errorf("worker %d save %d: %w", w, i, err)
						return
					}
					got, err := st.Load(ctx, k)
					if err != nil || JSON(t, got) != fmt.Sprintf(`{"i":%d}`, i) {
						errs <- fmt.Errorf("worker %d load %d: %s, %v", w, i, JSON(t, got), err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("SessionFlows", func(t *testing.T) { sessionFlows(t, st, &s) })
}

func sessionFlows(t *testing.T, st djangosession.Store, s *djangobridge.Settings) {
	ctx := context.Background()
	mgr, err := djangosession.NewManager(s, st)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("SaveThenReopen", func(t *testing.T) {
		sess := mgr.Open(ctx, "")
		if err := sess.Set("user", "ada"); err != nil {
			t.Fatal(err)
		}
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		if !djangosession.ValidKey(sess.Key()) {
			t.Fatalf("new key %q", sess.Key())
		}
		again := mgr.Open(ctx, sess.Key())
		if v, ok := again.GetString("user"); !ok || v != "ada" {
			t.Fatalf("reopened session user = %q, %v", v, ok)
		}
		if err := again.Set("n", 7); err != nil {
			t.Fatal(err)
		}
		if err := again.Save(ctx); err != nil {
			t.Fatal(err)
		}
		if again.Key() != sess.Key() {
			t.Errorf("an update changed the key")
		}
		third := mgr.Open(ctx, sess.Key())
		if n, ok := third.GetInt("n"); !ok || n != 7 {
			t.Errorf("n = %d, %v", n, ok)
		}
	})

	t.Run("CycleKeyMovesTheData", func(t *testing.T) {
		sess := mgr.Open(ctx, "")
		sess.Set("k", "v")
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		old := sess.Key()
		if err := sess.CycleKey(ctx); err != nil {
			t.Fatal(err)
		}
		if sess.Key() == old || !djangosession.ValidKey(sess.Key()) {
			t.Fatalf("CycleKey kept key %q", sess.Key())
		}
		if ok, _ := st.Exists(ctx, old); ok {
			t.Error("the old row survived CycleKey")
		}
		if v, _ := mgr.Open(ctx, sess.Key()).GetString("k"); v != "v" {
			t.Errorf("data under the new key = %q", v)
		}
	})

	t.Run("FlushDeletesTheRow", func(t *testing.T) {
		sess := mgr.Open(ctx, "")
		sess.Set("k", "v")
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		old := sess.Key()
		if err := sess.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if sess.Key() != "" {
			t.Errorf("key after Flush = %q", sess.Key())
		}
		if ok, _ := st.Exists(ctx, old); ok {
			t.Error("the row survived Flush")
		}
	})

	t.Run("ExpiredRowStartsANewSession", func(t *testing.T) {
		k := djangosession.NewKey()
		mustSave(t, st, djangosession.Record{Key: k, Data: Sample(), ExpireDate: time.Now().Add(-time.Minute)}, true)
		sess := mgr.Open(ctx, k)
		if len(sess.Keys()) != 0 {
			t.Fatalf("an expired session still shows data: %v", sess.Keys())
		}
		sess.Set("fresh", true)
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		if sess.Key() == k || sess.Key() == "" {
			t.Errorf("saving after an expired load kept key %q; Django makes a new one", sess.Key())
		}
	})

	t.Run("VanishedDuringRequest", func(t *testing.T) {
		sess := mgr.Open(ctx, "")
		sess.Set("k", "v")
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		again := mgr.Open(ctx, sess.Key())
		again.Load(ctx)
		if err := st.Delete(ctx, sess.Key()); err != nil { // another request logged out
			t.Fatal(err)
		}
		again.Set("k", "w")
		if err := again.Save(ctx); !errors.Is(err, djangosession.ErrVanished) {
			t.Errorf("Save after the row vanished = %v; want ErrVanished", err)
		}
	})
}

func mustSave(t testing.TB, st djangosession.Store, r djangosession.Record, mustCreate bool) {
	t.Helper()
	if _, err := st.Save(context.Background(), r, mustCreate); err != nil {
		t.Fatalf("Save(%s, mustCreate=%v): %v", r.Key, mustCreate, err)
	}
}

// Unreachable checks st, whose database is gone (closed, or a server that
// does not answer): every call reports the driver's error, never "no
// session", "exists" or "not live".
func Unreachable(t *testing.T, st djangosession.Store) {
	ctx := context.Background()
	if _, err := st.Load(ctx, djangosession.NewKey()); err == nil || errors.Is(err, djangosession.ErrNotFound) {
		t.Errorf("Load = %v, want the driver's error", err)
	}
	if rl, ok := st.(RecordLoader); ok {
		if _, err := rl.LoadRecord(ctx, djangosession.NewKey()); err == nil || errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("LoadRecord = %v, want the driver's error", err)
		}
	}
	r := djangosession.Record{Key: djangosession.NewKey(), Data: Sample(), ExpireDate: time.Now()}
	if _, err := st.Save(ctx, r, true); err == nil || errors.Is(err, djangosession.ErrExists) {
		t.Errorf("Save(mustCreate) = %v, want the driver's error", err)
	}
	if _, err := st.Save(ctx, r, false); err == nil || errors.Is(err, djangosession.ErrVanished) {
		t.Errorf("Save(update) = %v, want the driver's error", err)
	}
	if _, err := st.Exists(ctx, djangosession.NewKey()); err == nil {
		t.Error("Exists succeeded")
	}
	if err := st.Delete(ctx, djangosession.NewKey()); err == nil {
		t.Error("Delete succeeded")
	}
	if _, err := st.ClearExpired(ctx); err == nil {
		t.Error("ClearExpired succeeded")
	}
}
