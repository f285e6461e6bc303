package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// InteropJSON is the session data exchanged with Django: every JSON shape
// and the values that are easy to get wrong (non-ASCII and astral text,
// integers past 2^64, 1.0 against 1, 0.1, exponents, escapes, nesting).
// It is ASCII with \u escapes, as Django writes session JSON: Django reads
// session JSON bytes as Latin-1, and so does djangosession.ParseJSON.
const InteropJSON = `{"_auth_user_id":"1","unicode":"\u00e4 \ud83d\ude00 \u6f22\u5b57 \u00f1","nested":{"a":[1,{"b":null}],"t":true,"f":false,"deep":{"x":{"y":[[],{}]}}},` +
	`"big":1180591620717411303424,"neg":-1180591620717411303424,"one":1.0,"tenth":0.1,"none":null,"small":1e-07,"huge":1e+16,` +
	`"zero":0,"empty":"","list":[],"obj":{},"esc":"tab\t quote\" back\\ </script> \u2028 \u0000"}`

// Canon is raw JSON re-written as Django's serializer writes it (compact,
// keys in order, numbers as written), so texts from Python's json.dumps
// and from Go compare exactly.
func Canon(t testing.TB, raw []byte) string {
	t.Helper()
	v, err := djangosession.ParseJSON(raw, 1<<20)
	if err != nil {
		t.Fatalf("parse %s: %v", raw, err)
	}
	b, err := djangosession.AppendJSON(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func interopMap(t testing.TB) *djangosession.Map {
	t.Helper()
	m := &djangosession.Map{}
	if err := m.UnmarshalJSON([]byte(InteropJSON)); err != nil {
		t.Fatal(err)
	}
	return m
}

// described is what the session ops return.
type described struct {
	Key        string          `json:"key"`
	Data       json.RawMessage `json:"data"`
	ExpiryAge  int             `json:"expiry_age"`
	ExpiryDate string          `json:"expiry_date"`
	Exists     bool            `json:"exists"`
}

type sessionRow struct {
	Exists      bool   `json:"exists"`
	SessionData string `json:"session_data"`
	ExpireDate  string `json:"expire_date"`
}

// InteropConfig is the Django side of an Interop run.
type InteropConfig struct {
	Release     string
	Kind        string // "sqlite", "postgres" or "mysql"
	DatabaseURL string // the database both sides use (djangotest.NewDatabase)
	UseTZ       bool
	TimeZone    string // "" = UTC
}

func (c InteropConfig) settings(t testing.TB) djangobridge.Settings {
	s := djangobridge.Defaults()
	s.SecretKey = "interop-secret-key"
	s.DjangoVersion = djangobridge.MustParseVersion(c.Release)
	s.UseTZ = c.UseTZ
	s.TimeZone = c.TimeZone
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	return s
}

// isoFor is how Django's ORM shows expire_date t: aware UTC isoformat with
// USE_TZ, naive local isoformat in TIME_ZONE without; microseconds only
// when not zero.
func isoFor(t time.Time, s *djangobridge.Settings) string {
	loc, _ := s.Location()
	t = t.In(loc)
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	if s.UseTZ {
		layout += "-07:00"
	}
	return t.Format(layout)
}

// parseIso reads the ORM's isoformat back into an instant.
func parseIso(t testing.TB, v string, s *djangobridge.Settings) time.Time {
	t.Helper()
	loc, _ := s.Location()
	for _, layout := range []string{"2006-01-02T15:04:05.999999-07:00", "2006-01-02T15:04:05.999999"} {
		if tm, err := time.ParseInLocation(layout, v, loc); err == nil {
			return tm
		}
	}
	t.Fatalf("Django datetime %q", v)
	return time.Time{}
}

// Interop checks, against one real Django process on the database both
// share, that sessions written by either side read the same on the other:
// data exactly, expire_date exactly, liveness, deletion, clearsessions.
func Interop(t *testing.T, c InteropConfig, open Opener) {
	s := c.settings(t)
	dj := djangotest.Start(t, c.Release, djangotest.Config{
		SecretKey:   s.SecretKey,
		DatabaseURL: c.DatabaseURL,
		UseTZ:       c.UseTZ,
		TimeZone:    s.TimeZone,
	})
	st := open(t, &s)
	mgr, err := djangosession.NewManager(&s, st)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := Canon(t, []byte(InteropJSON))

	var info struct {
		UseTZ  bool   `json:"USE_TZ"`
		TZ     string `json:"TIME_ZONE"`
		Vendor string `json:"vendor"`
	}
	dj.Do(t, "sessdb_settings", nil, &info)
	wantVendor := map[string]string{"sqlite": "sqlite", "postgres": "postgresql", "mysql": "mysql"}[c.Kind]
	if info.UseTZ != s.UseTZ || info.TZ != s.TimeZone || info.Vendor != wantVendor {
		t.Fatalf("Django runs USE_TZ=%v TIME_ZONE=%s on %s; want %v %s %s", info.UseTZ, info.TZ, info.Vendor, s.UseTZ, s.TimeZone, wantVendor)
	}

	t.Run("DjangoWritesGoReads", func(t *testing.T) {
		var d described
		dj.Do(t, "session_save", map[string]any{"data": json.RawMessage(InteropJSON)}, &d)
		if got := Canon(t, d.Data); got != want {
			t.Fatalf("Django kept %s\nwant        %s", got, want)
		}
		m, err := st.Load(ctx, d.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got := JSON(t, m); got != want {
			t.Errorf("Go read   %s\nDjango has %s", got, want)
		}
		// The row's expire_date: what Django stored is what Go reads.
		var row sessionRow
		dj.Do(t, "sessdb_row", map[string]any{"key": d.Key}, &row)
		r, err := st.(RecordLoader).LoadRecord(ctx, d.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got := isoFor(r.ExpireDate, &s); got != row.ExpireDate {
			t.Errorf("Go reads expire_date %s; Django %s", got, row.ExpireDate)
		}
		if r.ExpiryAge > s.SessionCookieAge || r.ExpiryAge < s.SessionCookieAge-60 {
			t.Errorf("ExpiryAge of a fresh Django session = %d; want about %d", r.ExpiryAge, s.SessionCookieAge)
		}
	})

	t.Run("GoWritesDjangoReads", func(t *testing.T) {
		sess := mgr.Open(ctx, "")
		for _, it := range interopMap(t).Items() {
			if err := sess.Set(it.Key, it.Value); err != nil {
				t.Fatal(err)
			}
		}
		before := time.Now()
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		var d described
		dj.Do(t, "session_load", map[string]any{"key": sess.Key()}, &d)
		if !d.Exists {
			t.Fatalf("Django does not find the session Go saved")
		}
		if got := Canon(t, d.Data); got != want {
			t.Errorf("Django read %s\nGo wrote    %s", got, want)
		}
		if d.ExpiryAge != s.SessionCookieAge {
			t.Errorf("Django's expiry age %d; want SESSION_COOKIE_AGE %d", d.ExpiryAge, s.SessionCookieAge)
		}
		var row sessionRow
		dj.Do(t, "sessdb_row", map[string]any{"key": sess.Key()}, &row)
		exp := parseIso(t, row.ExpireDate, &s)
		age := time.Duration(s.SessionCookieAge) * time.Second
		if exp.Before(before.Add(age).Truncate(time.Microsecond)) || exp.After(after.Add(age)) {
			t.Errorf("expire_date %s (%v) not within [%v, %v] + SESSION_COOKIE_AGE", row.ExpireDate, exp, before, after)
		}
		var ex struct{ Exists bool }
		dj.Do(t, "session_exists", map[string]any{"key": sess.Key()}, &ex)
		if !ex.Exists {
			t.Error("Django's exists() is false for Go's session")
		}
	})

	t.Run("ExpireDateIsExactlyDjangos", func(t *testing.T) {
		base := time.Now().Add(time.Hour).Truncate(time.Second)
		for _, exp := range []time.Time{base, base.Add(123456 * time.Microsecond), base.Add(7 * time.Microsecond)} {
			k := djangosession.NewKey()
			if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: interopMap(t), ExpireDate: exp}, true); err != nil {
				t.Fatal(err)
			}
			var row sessionRow
			dj.Do(t, "sessdb_row", map[string]any{"key": k}, &row)
			if w := isoFor(exp, &s); row.ExpireDate != w {
				t.Errorf("Django reads expire_date %s; Go wrote %s", row.ExpireDate, w)
			}
			if c.Kind == "sqlite" {
				// The very text Django writes for that value.
				var adapted struct{ Value string }
				dj.Do(t, "sessdb_adapt_datetime", map[string]any{"value": isoFor(exp, &s)}, &adapted)
				var raw [][]string
				dj.Do(t, "sql", map[string]any{"sql": "SELECT CAST(expire_date AS TEXT) FROM django_session WHERE session_key = %s", "params": []string{k}}, &raw)
				if len(raw) != 1 || raw[0][0] != adapted.Value {
					t.Errorf("SQLite holds %q; Django writes %q", raw, adapted.Value)
				}
			}
		}
	})

	if !c.UseTZ && s.TimeZone == "Europe/Paris" {
		// Naive expiry wall clocks in the spring-forward gap and the autumn
		// fold (Django's naive arithmetic reaches them): Go writes the
		// expire_date Django writes for the same wall clock.
		t.Run("DSTWallClocksAsDjango", func(t *testing.T) {
			rel, _ := s.Release()
			loc, _ := s.Location()
			for _, w := range []string{"2027-03-28T02:30:00", "2027-03-28T02:00:00.500000", "2027-10-31T02:30:00", "2027-10-31T02:59:59"} {
				sess := mgr.Open(ctx, "")
				if err := sess.Set(djangosession.KeyExpiry, w); err != nil {
					t.Fatal(err)
				}
				k := djangosession.NewKey()
				if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: interopMap(t), ExpireDate: sess.ExpiryDate()}, true); err != nil {
					t.Fatal(err)
				}
				var goRow sessionRow
				dj.Do(t, "sessdb_row", map[string]any{"key": k}, &goRow)
				// Read back, the naive wall clock is Django's again.
				if rl, ok := st.(djangosession.RecordLoader); ok {
					r, err := rl.LoadRecord(ctx, k)
					layout := "2006-01-02T15:04:05"
					if r.ExpireDate.Nanosecond() != 0 {
						layout += ".000000"
					}
					if got := djangosession.WallClock(r.ExpireDate, loc).Format(layout); err != nil || c.Kind != "postgres" && got != w {
						t.Errorf("expiry %s: LoadRecord's expire_date wall clock %s (%v)", w, got, err)
					}
				}
				if rel.ExpiryDatetimeInJSON {
					// Django's own session with set_expiry(naive datetime).
					var d described
					dj.Do(t, "session_save", map[string]any{"data": map[string]any{"k": "v"}, "expiry_at": w}, &d)
					var djRow sessionRow
					dj.Do(t, "sessdb_row", map[string]any{"key": d.Key}, &djRow)
					if goRow.ExpireDate != djRow.ExpireDate {
						t.Errorf("expiry %s: Go's row expire_date %s; Django's %s", w, goRow.ExpireDate, djRow.ExpireDate)
					}
					continue
				}
				// 3.2 cannot hold a datetime expiry in a JSON session: on
				// SQLite and MySQL Django's ORM reads the naive wall clock
				// back as written, and SQLite holds the very text Django's
				// backend binds for it.
				if c.Kind == "postgres" {
					continue // bound as an instant, not text: compared on 4.2+
				}
				if goRow.ExpireDate != w {
					t.Errorf("expiry %s: Django reads Go's expire_date as %s", w, goRow.ExpireDate)
				}
				if c.Kind == "sqlite" {
					var adapted struct{ Value string }
					dj.Do(t, "sessdb_adapt_datetime", map[string]any{"value": w}, &adapted)
					var raw [][]string
					dj.Do(t, "sql", map[string]any{"sql": "SELECT CAST(expire_date AS TEXT) FROM django_session WHERE session_key = %s", "params": []string{k}}, &raw)
					if len(raw) != 1 || raw[0][0] != adapted.Value {
						t.Errorf("expiry %s: SQLite holds %q; Django writes %q", w, raw, adapted.Value)
					}
				}
			}
		})
	}

	t.Run("SetExpiryAgrees", func(t *testing.T) {
		sess := mgr.Open(ctx, "")
		sess.Set("k", "v")
		if err := sess.SetExpiry(600); err != nil {
			t.Fatal(err)
		}
		before := time.Now()
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		var d described
		dj.Do(t, "session_load", map[string]any{"key": sess.Key()}, &d)
		if !d.Exists || d.ExpiryAge != 600 {
			t.Errorf("Django sees exists=%v expiry_age=%d; want true, 600", d.Exists, d.ExpiryAge)
		}
		var row sessionRow
		dj.Do(t, "sessdb_row", map[string]any{"key": sess.Key()}, &row)
		if exp := parseIso(t, row.ExpireDate, &s); exp.Sub(before) < 599*time.Second || exp.Sub(before) > 601*time.Second {
			t.Errorf("expire_date %s is not now + 600 s", row.ExpireDate)
		}

		// set_expiry(datetime): 4.2+ keeps it as ISO text in the session
		// and as expire_date; 3.2 cannot put a datetime in a JSON session.
		at := time.Now().Add(3 * time.Hour).Truncate(time.Second).Add(654321 * time.Microsecond)
		sess = mgr.Open(ctx, "")
		sess.Set("k", "v")
		err := sess.SetExpiryAt(at)
		if rel, _ := s.Release(); !rel.ExpiryDatetimeInJSON {
			if !errors.Is(err, djangosession.ErrUnsupportedValue) {
				t.Errorf("SetExpiryAt on Django %s = %v; want ErrUnsupportedValue", c.Release, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		dj.Do(t, "sessdb_row", map[string]any{"key": sess.Key()}, &row)
		if w := isoFor(at, &s); row.ExpireDate != w {
			t.Errorf("SetExpiryAt: Django reads expire_date %s; want %s", row.ExpireDate, w)
		}
		dj.Do(t, "session_load", map[string]any{"key": sess.Key()}, &d)
		got, perr := time.Parse("2006-01-02T15:04:05.999999-07:00", d.ExpiryDate)
		if perr != nil {
			loc, _ := s.Location()
			got, perr = time.ParseInLocation("2006-01-02T15:04:05.999999", d.ExpiryDate, loc)
		}
		if perr != nil || !got.Equal(at) || !d.Exists {
			t.Errorf("SetExpiryAt(%v): Django's get_expiry_date() = %s (exists=%v)", at, d.ExpiryDate, d.Exists)
		}
	})

	t.Run("ExpiredRowsInvisibleBothWays", func(t *testing.T) {
		// 30 minutes either side of now: with USE_TZ=False in Paris, a row
		// written in the wrong zone would change sides.
		expired, live := djangosession.NewKey(), djangosession.NewKey()
		for k, exp := range map[string]time.Time{expired: time.Now().Add(-30 * time.Minute), live: time.Now().Add(30 * time.Minute)} {
			if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: interopMap(t), ExpireDate: exp}, true); err != nil {
				t.Fatal(err)
			}
		}
		var d described
		dj.Do(t, "session_load", map[string]any{"key": expired}, &d)
		if d.Exists || Canon(t, d.Data) != "{}" {
			t.Errorf("Django loads Go's expired session: exists=%v data=%s", d.Exists, d.Data)
		}
		dj.Do(t, "session_load", map[string]any{"key": live}, &d)
		if !d.Exists || Canon(t, d.Data) != want {
			t.Errorf("Django does not load Go's live session: exists=%v", d.Exists)
		}
		// Django's own expired session (set_expiry(-1800)) is gone for Go.
		dj.Do(t, "session_save", map[string]any{"data": map[string]any{"a": 1}, "expiry": -1800}, &d)
		if _, err := st.Load(ctx, d.Key); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("Go loads Django's expired session: %v", err)
		}
		if ok, err := st.Exists(ctx, d.Key); ok || err != nil {
			t.Errorf("Exists(Django's expired session) = %v, %v", ok, err)
		}
		var row sessionRow
		dj.Do(t, "sessdb_row", map[string]any{"key": d.Key}, &row)
		if !row.Exists {
			t.Fatal("Django did not keep its expired row")
		}
		// Go's expired session, opened through the Manager: a new session.
		sess := mgr.Open(ctx, d.Key)
		if len(sess.Keys()) != 0 {
			t.Errorf("Go shows data of an expired session: %v", sess.Keys())
		}
	})

	t.Run("ClearExpiredAgrees", func(t *testing.T) {
		var n struct{ Count int64 }
		dj.Do(t, "sessdb_count_expired", nil, &n)
		if n.Count == 0 {
			t.Fatal("no expired rows to clear: ExpiredRowsInvisibleBothWays should have left some")
		}
		got, err := st.ClearExpired(ctx)
		if err != nil || got != n.Count {
			t.Errorf("Go's ClearExpired removed %d (%v); Django counts %d expired rows", got, err, n.Count)
		}
		dj.Do(t, "sessdb_count_expired", nil, &n)
		if n.Count != 0 {
			t.Errorf("%d expired rows left after Go's ClearExpired", n.Count)
		}
		// And Django's clearsessions removes what Go wrote expired.
		k := djangosession.NewKey()
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: interopMap(t), ExpireDate: time.Now().Add(-time.Minute)}, true); err != nil {
			t.Fatal(err)
		}
		dj.Do(t, "clear_sessions", nil, nil)
		var row sessionRow
		dj.Do(t, "sessdb_row", map[string]any{"key": k}, &row)
		if row.Exists {
			t.Error("Django's clearsessions left Go's expired row")
		}
	})

	t.Run("UpdatesBothWays", func(t *testing.T) {
		var d described
		dj.Do(t, "session_save", map[string]any{"data": json.RawMessage(InteropJSON)}, &d)
		sess := mgr.Open(ctx, d.Key)
		if err := sess.Set("go", "yes"); err != nil {
			t.Fatal(err)
		}
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		if sess.Key() != d.Key {
			t.Fatalf("Go's update changed the key")
		}
		dj.Do(t, "session_load", map[string]any{"key": d.Key}, &d)
		wantGo := strings.TrimSuffix(want, "}") + `,"go":"yes"}`
		if got := Canon(t, d.Data); got != wantGo {
			t.Errorf("Django reads %s\nwant         %s", got, wantGo)
		}
		dj.Do(t, "session_save", map[string]any{"key": d.Key, "data": map[string]any{"dj": 1}}, &d)
		m, err := st.Load(ctx, d.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got := JSON(t, m); got != strings.TrimSuffix(wantGo, "}")+`,"dj":1}` {
			t.Errorf("Go reads %s after Django's update", got)
		}
	})

	t.Run("DeleteAndCycleBothWays", func(t *testing.T) {
		var d described
		dj.Do(t, "session_save", map[string]any{"data": map[string]any{"a": 1}}, &d)
		if err := st.Delete(ctx, d.Key); err != nil {
			t.Fatal(err)
		}
		dj.Do(t, "session_load", map[string]any{"key": d.Key}, &d)
		if d.Exists {
			t.Error("Django loads a session Go deleted")
		}
		sess := mgr.Open(ctx, "")
		sess.Set("a", 1)
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		dj.Do(t, "session_delete", map[string]any{"key": sess.Key()}, nil)
		if _, err := st.Load(ctx, sess.Key()); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("Go loads a session Django deleted: %v", err)
		}
		sess = mgr.Open(ctx, "")
		sess.Set("cycled", true)
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		dj.Do(t, "session_cycle_key", map[string]any{"key": sess.Key()}, &d)
		if d.Key == sess.Key() {
			t.Fatal("Django's cycle_key kept the key")
		}
		if _, err := st.Load(ctx, sess.Key()); !errors.Is(err, djangosession.ErrNotFound) {
			t.Errorf("old key after Django's cycle_key: %v", err)
		}
		m, err := st.Load(ctx, d.Key)
		if err != nil || JSON(t, m) != `{"cycled":true}` {
			t.Errorf("new key after Django's cycle_key: %s, %v", JSON(t, m), err)
		}
		// And Go's CycleKey: Django finds the data under the new key only.
		sess = mgr.Open(ctx, d.Key)
		if err := sess.CycleKey(ctx); err != nil {
			t.Fatal(err)
		}
		var old, moved described
		dj.Do(t, "session_load", map[string]any{"key": d.Key}, &old)
		dj.Do(t, "session_load", map[string]any{"key": sess.Key()}, &moved)
		if old.Exists || !moved.Exists || Canon(t, moved.Data) != `{"cycled":true}` {
			t.Errorf("after Go's CycleKey Django sees old=%v new=%v %s", old.Exists, moved.Exists, moved.Data)
		}
	})
}

// InteropKeyFallbacks checks SECRET_KEY rotation against Django: a session
// written under an old key loads in Go configured with the new key and the
// old one in SECRET_KEY_FALLBACKS (4.1+; on 3.2, which has no fallbacks, Go
// refuses it as Django does and the session starts empty), and Go rewrites
// it under the new key, which Django with the new key alone reads.
func InteropKeyFallbacks(t *testing.T, c InteropConfig, open Opener) {
	const oldKey, newKey = "old-secret-key", "new-secret-key"
	cfg := djangotest.Config{DatabaseURL: c.DatabaseURL, UseTZ: c.UseTZ, TimeZone: c.TimeZone}
	cfgOld, cfgNew, cfgBoth := cfg, cfg, cfg
	cfgOld.SecretKey = oldKey
	cfgNew.SecretKey = newKey
	cfgBoth.SecretKey, cfgBoth.SecretKeyFallbacks = newKey, []string{oldKey}
	djOld := djangotest.Start(t, c.Release, cfgOld)
	djNew := djangotest.Start(t, c.Release, cfgNew)
	djBoth := djangotest.Start(t, c.Release, cfgBoth)

	s := c.settings(t)
	s.SecretKey, s.SecretKeyFallbacks = newKey, []string{oldKey}
	mgr, err := djangosession.NewManager(&s, open(t, &s))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := Canon(t, []byte(InteropJSON))
	rel, err := s.Release()
	if err != nil {
		t.Fatal(err)
	}
	fallbacks := rel.SecretKeyFallbacks

	var d described
	djOld.Do(t, "session_save", map[string]any{"data": json.RawMessage(InteropJSON)}, &d)
	key := d.Key

	// Django itself, new key + fallback: the reference for Go.
	var ref described
	djBoth.Do(t, "session_load", map[string]any{"key": key}, &ref)
	sess := mgr.Open(ctx, key)
	if err := sess.Load(ctx); err != nil {
		t.Fatal(err)
	}
	got := JSON(t, sess.Data())
	if got != Canon(t, ref.Data) {
		t.Errorf("Go (new key, fallback old) reads %s; Django %s reads %s", got, c.Release, Canon(t, ref.Data))
	}
	if fallbacks {
		if got != want || sess.Err() != nil {
			t.Errorf("Go with the old key as fallback: %s, %v", got, sess.Err())
		}
	} else if got != "{}" || !errors.Is(sess.Err(), djangosession.ErrBadSignature) {
		t.Errorf("Django 3.2 has no fallbacks; Go read %s, %v; want {} and ErrBadSignature", got, sess.Err())
	}

	// Go writes it back: under the new key only.
	if err := sess.Set("rotated", true); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if sess.Key() != key {
		t.Fatalf("the rewrite changed the session key")
	}
	wantNew := `{"rotated":true}`
	if fallbacks {
		wantNew = strings.TrimSuffix(want, "}") + `,"rotated":true}`
	}
	djNew.Do(t, "session_load", map[string]any{"key": key}, &d)
	if !d.Exists || Canon(t, d.Data) != wantNew {
		t.Errorf("Django with the new key alone reads exists=%v %s; want %s", d.Exists, d.Data, wantNew)
	}
	djOld.Do(t, "session_load", map[string]any{"key": key}, &d)
	if Canon(t, d.Data) != "{}" {
		t.Errorf("Django with the old key still reads the rewritten session: %s", d.Data)
	}
}
