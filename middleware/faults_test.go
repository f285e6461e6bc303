package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
)

// recordingStore is a MemoryStore that keeps the last Record saved.
type recordingStore struct {
	*djangosession.MemoryStore
	mu   sync.Mutex
	last djangosession.Record
}

func (r *recordingStore) Save(ctx context.Context, rec djangosession.Record, mustCreate bool) (string, error) {
	r.mu.Lock()
	r.last = rec
	r.mu.Unlock()
	return r.MemoryStore.Save(ctx, rec, mustCreate)
}

// faultsReply is the faults_session_response op's answer.
type faultsReply struct {
	SetCookie     []string `json:"set_cookie"`
	StoredExpiry  any      `json:"stored_expiry"`
	ExpiryAge     float64  `json:"expiry_age"` // a float for set_expiry(3600.5)
	ExpiryDate    string   `json:"expiry_date"`
	BrowserClose  bool     `json:"browser_close"`
	RowExpireDate *string  `json:"row_expire_date"`
	Error         *string  `json:"error"`
}

// maxAgeOf returns the Max-Age of a Set-Cookie value, and whether there
// is one, checking that expires is now + Max-Age (to 5 s).
func maxAgeOf(t *testing.T, v string, now time.Time) (int, bool) {
	t.Helper()
	_, attrs := parseSetCookie(v)
	ma, ok := attrs["max-age"]
	if !ok {
		if _, ok := attrs["expires"]; ok {
			t.Errorf("%q: expires without Max-Age", v)
		}
		return 0, false
	}
	n, err := strconv.Atoi(ma)
	if err != nil {
		t.Fatalf("%q: Max-Age %q", v, ma)
	}
	exp, err := time.Parse(http.TimeFormat, attrs["expires"])
	if err != nil {
		t.Fatalf("%q: expires: %v", v, err)
	}
	if d := exp.Sub(now.Add(time.Duration(n) * time.Second)); d < -5*time.Second || d > 5*time.Second {
		t.Errorf("%q: expires is %v away from now + Max-Age", v, d)
	}
	return n, true
}

// TestExpiryMatchesDjango: every way to set an expiry (seconds, 0,
// negative, None, a naive or aware datetime, a timedelta, past and
// future, across a DST change) gives Django's cookie (Max-Age and an
// expires of now + Max-Age, in the past for a negative age),
// get_expiry_age, get_expiry_date, get_expire_at_browser_close and the db
// engine's stored expire_date, on every release, with USE_TZ True (UTC)
// and False (naive wall clock in America/New_York, which Django
// subtracts ignoring the DST hour). Datetime and timedelta expiries cannot
// be stored in a JSON session before 4.1: Django's save raises, Go's
// SetExpiryAt/SetExpiryIn refuse.
func TestExpiryMatchesDjango(t *testing.T) {
	type action struct {
		kind string
		arg  any
	}
	ny := "America/New_York"
	cases := []struct {
		name    string
		useTZ   bool
		tz      string
		actions []action
	}{
		{"seconds 300", true, "UTC", []action{{"set_expiry", 300}}},
		{"seconds 1", true, "UTC", []action{{"set_expiry", 1}}},
		{"float seconds 3600.5 (stored as given)", true, "UTC", []action{{"set_expiry", 3600.5}}},
		{"float seconds -10.5", false, ny, []action{{"set_expiry", -10.5}}},
		{"negative -10", true, "UTC", []action{{"set_expiry", -10}}},
		{"negative -1", false, ny, []action{{"set_expiry", -1}}},
		{"negative -86400", true, "UTC", []action{{"set_expiry", -86400}}},
		{"zero: browser close", true, "UTC", []action{{"set_expiry", 0}}},
		{"None after 300", true, "UTC", []action{{"set_expiry", 300}, {"set_expiry", nil}}},
		{"seconds, naive NY, 200 days (across DST)", false, ny, []action{{"set_expiry", 200 * 86400}}},
		{"naive datetime across DST (the issue's)", false, ny, []action{{"set_expiry_at", "2031-05-06T07:08:09"}}},
		{"naive datetime, same offset", false, ny, []action{{"set_expiry_at", "2031-01-06T07:08:09"}}},
		{"naive datetime in the past", false, ny, []action{{"set_expiry_at", "2020-07-01T12:00:00"}}},
		{"naive datetime with microseconds", false, ny, []action{{"set_expiry_at", "2030-07-01T12:00:00.250000"}}},
		{"naive datetime, UTC zone", false, "UTC", []action{{"set_expiry_at", "2031-05-06T07:08:09"}}},
		{"aware datetime", true, "UTC", []action{{"set_expiry_at", "2031-05-06T07:08:09+00:00"}}},
		{"aware datetime, offset", true, ny, []action{{"set_expiry_at", "2031-05-06T07:08:09-04:00"}}},
		{"aware datetime in the past", true, "UTC", []action{{"set_expiry_at", "2021-05-06T07:08:09+00:00"}}},
		{"timedelta 200 days, naive NY", false, ny, []action{{"set_expiry_delta", 200 * 86400}}},
		{"timedelta 200 days, aware", true, "UTC", []action{{"set_expiry_delta", 200 * 86400}}},
		{"negative timedelta", true, "UTC", []action{{"set_expiry_delta", -60}}},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			ver := djangobridge.MustParseVersion(rel)
			relRules, _ := djangobridge.ReleaseOf(ver)
			dbURL := djangotest.NewDatabaseRelease(t, "sqlite", rel).URL
			for _, tc := range cases {
				dj := djangotest.Start(t, rel, djangotest.Config{UseTZ: tc.useTZ, TimeZone: tc.tz, DatabaseURL: dbURL})
				var djActions [][]any
				for _, a := range tc.actions {
					djActions = append(djActions, []any{a.kind, a.arg})
				}
				var want faultsReply
				djNow := time.Now()
				dj.Do(t, "faults_session_response", map[string]any{"actions": append([][]any{{"set", "a", 1}}, djActions...)}, &want)

				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = ver
				s.UseTZ, s.TimeZone = tc.useTZ, tc.tz
				loc, err := s.Location()
				if err != nil {
					t.Fatal(err)
				}
				st := &recordingStore{MemoryStore: djangosession.NewMemoryStore()}
				mgr, err := djangosession.NewManager(&s, st)
				if err != nil {
					t.Fatal(err)
				}
				mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				var goAge float64
				var goDate time.Time
				var goClose bool
				var setErr error
				h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sess := middleware.Session(r)
					_ = sess.Set("a", 1)
					for _, a := range tc.actions {
						var err error
						switch a.kind {
						case "set_expiry":
							if a.arg == nil {
								sess.ClearExpiry()
							} else if f, ok := a.arg.(float64); ok {
								err = sess.Set(djangosession.KeyExpiry, f) // set_expiry(3600.5)
							} else {
								err = sess.SetExpiry(a.arg.(int))
							}
						case "set_expiry_at":
							at, perr := time.ParseInLocation("2006-01-02T15:04:05.999999999Z07:00", a.arg.(string), loc)
							if perr != nil {
								at, perr = time.ParseInLocation("2006-01-02T15:04:05.999999999", a.arg.(string), loc)
							}
							if perr != nil {
								t.Fatal(perr)
							}
							err = sess.SetExpiryAt(at)
						case "set_expiry_delta":
							err = sess.SetExpiryIn(time.Duration(a.arg.(int)) * time.Second)
						}
						if err != nil && setErr == nil {
							setErr = err
						}
					}
					goAge, goDate, goClose = sess.ExpiryAgeSeconds(), sess.ExpiryDate(), sess.ExpireAtBrowserClose()
				}))
				rec := httptest.NewRecorder()
				goNow := time.Now()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))

				datetimeCase := tc.actions[len(tc.actions)-1].kind != "set_expiry"
				if datetimeCase && !relRules.ExpiryDatetimeInJSON {
					if want.Error == nil || setErr == nil {
						t.Errorf("%s: before 4.1 Django's save raises (%v) and Go refuses (%v)", tc.name, want.Error, setErr)
					}
					continue
				}
				if want.Error != nil || setErr != nil {
					t.Fatalf("%s: Django %v, Go %v", tc.name, want.Error, setErr)
				}
				tol := 0
				if datetimeCase {
					tol = 2 // Django and Go read the clock a moment apart
				}
				if d := goAge - want.ExpiryAge; d < -float64(tol) || d > float64(tol) || goClose != want.BrowserClose {
					t.Errorf("%s: Go ExpiryAgeSeconds %v, close %v; Django get_expiry_age %v, close %v", tc.name, goAge, goClose, want.ExpiryAge, want.BrowserClose)
				}
				wantDate, err := time.ParseInLocation("2006-01-02T15:04:05.999999999Z07:00", want.ExpiryDate, loc)
				if err != nil {
					wantDate, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", want.ExpiryDate, loc)
				}
				if err != nil {
					t.Fatal(err)
				}
				if d := goDate.Sub(wantDate); d < -3*time.Second || d > 3*time.Second {
					t.Errorf("%s: Go ExpiryDate %v; Django %s", tc.name, goDate.In(loc), want.ExpiryDate)
				}
				if want.RowExpireDate != nil {
					row, err := time.ParseInLocation("2006-01-02T15:04:05.999999999Z07:00", *want.RowExpireDate, loc)
					if err != nil {
						row, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", *want.RowExpireDate, loc)
					}
					if err != nil {
						t.Fatal(err)
					}
					if d := st.last.ExpireDate.Sub(row); d < -3*time.Second || d > 3*time.Second {
						t.Errorf("%s: Go's record expire_date %v; Django's row %s", tc.name, st.last.ExpireDate.In(loc), *want.RowExpireDate)
					}
					// What the db engine stores with USE_TZ=False: the wall clock in TIME_ZONE.
					if !tc.useTZ && !strings.HasPrefix(*want.RowExpireDate, st.last.ExpireDate.In(loc).Format("2006-01-02T15:04")) {
						t.Errorf("%s: Go's expire_date wall clock %v; Django's row %s", tc.name, st.last.ExpireDate.In(loc), *want.RowExpireDate)
					}
				}
				var goCookie string
				for _, c := range rec.Result().Header.Values("Set-Cookie") {
					if strings.HasPrefix(c, "sessionid=") {
						goCookie = c
					}
				}
				if len(want.SetCookie) != 1 || goCookie == "" {
					t.Fatalf("%s: Set-Cookie go %q, django %q", tc.name, goCookie, want.SetCookie)
				}
				gma, gok := maxAgeOf(t, goCookie, goNow)
				dma, dok := maxAgeOf(t, want.SetCookie[0], djNow)
				if gok != dok || gma-dma < -tol || gma-dma > tol {
					t.Errorf("%s: cookie\n go:     %s\n django: %s", tc.name, goCookie, want.SetCookie[0])
				}
			}
		})
	}
}

// TestOversizedSignedCookieAsDjango: a signed_cookies session larger than
// browsers keep (the 5,000 random letters; of the same kind 4,000,
// 10,000 and 50,000) is set as Django sets it, 200 and a cookie of the same
// length, with a warning naming the size; never a 503.
func TestOversizedSignedCookieAsDjango(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dj := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies"})
			for _, n := range []int{3000, 4000, 5000, 10000, 50000} {
				b := make([]byte, n)
				for i := range b {
					b[i] = byte('a' + r.Intn(26))
				}
				letters := string(b)
				var want faultsReply
				dj.Do(t, "faults_session_response", map[string]any{"actions": [][]any{{"set", "po", letters}}}, &want)

				var logs bytes.Buffer
				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.SessionEngine = "signed_cookies"
				s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
				st, err := djangosession.NewSignedCookieStore(&s)
				if err != nil {
					t.Fatal(err)
				}
				mgr, _ := djangosession.NewManager(&s, st)
				mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				rec := httptest.NewRecorder()
				mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_ = middleware.Session(r).Set("po", letters)
					w.Write([]byte("ok"))
				})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
				if rec.Code != 200 {
					t.Fatalf("%d letters: Go answered %d; Django 200", n, rec.Code)
				}
				goCookie := rec.Result().Header.Get("Set-Cookie")
				attrs := func(c string) string { _, a, _ := strings.Cut(cookieShape(t, c, time.Now()), ";"); return a }
				// Same attributes; a value no longer than Django's (zlib
				// streams differ by compressor, so lengths differ a little).
				if len(want.SetCookie) != 1 || attrs(goCookie) != attrs(want.SetCookie[0]) || len(goCookie) > len(want.SetCookie[0])+16 {
					t.Errorf("%d letters: cookie go %.80s… (%d), django %.80s… (%d)", n, goCookie, len(goCookie), want.SetCookie[0], len(want.SetCookie[0]))
				}
				name, _ := parseSetCookie(goCookie)
				size := len(name) - len("sessionid=")
				warned := strings.Contains(logs.String(), fmt.Sprintf("bytes=%d", size))
				if warned != (size > djangosession.BrowserCookieLimit) {
					t.Errorf("%d letters, %d-byte cookie: warned %v; logs %q", n, size, warned, logs.String())
				}
			}
		})
	}
}

// TestProxySSLHeaderPerRelease: SECURE_PROXY_SSL_HEADER is read with each
// release's rule: 3.2 compares the whole header value, 4.1+ its first
// comma-separated item. A POST with a valid token and no Origin or
// Referer passes the CSRF check when the request is not secure and is
// refused ("Referer checking failed - no Referer.") when it is; the
// issue's "https, http" and the other shapes of the kind (spaces, case,
// an empty value, two header lines) give Django's answer on 3.2–6.1.
func TestProxySSLHeaderPerRelease(t *testing.T) {
	secret := "abcdefghijklmnopqrstuvwxyzABCDEF"
	values := [][]string{
		{"https"}, {"https, http"}, {"http, https"}, {"https,http"}, {" https"}, {"https "}, {"HTTPS"},
		{"https,"}, {""}, {"http"}, {"https", "http"}, {"http", "https"}, {" https , http"},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dj := djangotest.Start(t, rel, djangotest.Config{})
			st := newSite(t, func(s *djangobridge.Settings) {
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.SecureProxySSLHeader = [2]string{"X-Forwarded-Proto", "https"}
			}, nil)
			token := middleware.MaskCSRFSecret(secret)
			for _, v := range values {
				var want struct {
					OK     bool    `json:"ok"`
					Reason *string `json:"reason"`
				}
				// WSGI joins repeated header lines with ",".
				dj.Do(t, "csrf_check", map[string]any{
					"method":   "POST",
					"settings": map[string]any{"SECURE_PROXY_SSL_HEADER": []string{"HTTP_X_FORWARDED_PROTO", "https"}},
					"headers":  map[string]string{"X-Forwarded-Proto": strings.Join(v, ",")},
					"cookies":  map[string]string{"csrftoken": secret},
					"form":     map[string]string{"csrfmiddlewaretoken": token},
				}, &want)
				req := httptest.NewRequest("POST", "/", strings.NewReader("csrfmiddlewaretoken="+token))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, line := range v {
					req.Header.Add("X-Forwarded-Proto", line)
				}
				req.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
				rec := httptest.NewRecorder()
				st.mw.Handler(http.HandlerFunc(ok)).ServeHTTP(rec, req)
				if (rec.Code == 200) != want.OK {
					reason := ""
					if want.Reason != nil {
						reason = *want.Reason
					}
					t.Errorf("X-Forwarded-Proto %q: Go %d %q; Django ok=%v %q", v, rec.Code, strings.TrimSpace(rec.Body.String()), want.OK, reason)
				}
			}
		})
	}
}
