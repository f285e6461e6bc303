package djangosession_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// get_expiry_age and get_expiry_date agree with Django's own for the same
// _session_expiry and the same "now", on every release: a float expiry
// (set_expiry(3600.5) stores it as given: the age keeps the fraction, the
// Max-Age is int(age), the date adds the fraction), and, under USE_TZ=False
// with TIME_ZONE=Europe/Paris, naive expiries and results in the
// spring-forward gap and the autumn fold (ISO text as 4.1+ stores it, or
// the datetime object 3.2's pickle holds).
func TestLiveExpiryArithmetic(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal("no tz database (Europe/Paris): ", err)
	}
	type tc struct {
		useTZ  bool
		now    string // ISO; naive: a Paris wall clock
		expiry map[string]any
	}
	var cases []tc
	for _, f := range []any{3600.5, -10.5, 0.25, 1000.0, 1209600.999999} {
		cases = append(cases, tc{true, "2026-11-22T03:13:29.550870+00:00", map[string]any{"number": f}},
			tc{false, "2026-11-22T03:13:29.750870", map[string]any{"number": f}})
	}
	// Naive arithmetic landing in the gap (02:00-03:00 on 2026-03-29) and
	// the fold (02:00-03:00 twice on 2026-10-25). A "now" is never in the
	// gap: datetime.now() does not read a wall clock that is skipped.
	for _, c := range []struct {
		now string
		n   float64
	}{
		{"2026-03-29T01:30:00", 3600}, {"2026-03-29T01:59:59", 1.5}, {"2026-03-29T03:10:00", -1800},
		{"2026-10-25T01:45:00", 3600}, {"2026-10-25T02:10:00", 3600}, {"2026-10-25T02:40:00", -600},
	} {
		cases = append(cases, tc{false, c.now, map[string]any{"number": c.n}})
	}
	naive := []struct{ now, at string }{
		{"2026-03-29T01:15:00", "2026-03-29T02:30:00"},
		{"2026-03-29T03:15:00", "2026-03-29T02:30:00.250000"}, // a gap wall clock already past
		{"2026-03-28T12:00:00", "2026-03-29T12:00:00"},
		{"2026-10-25T01:45:00", "2026-10-25T02:30:00"},
		{"2026-10-25T02:45:00", "2026-10-25T02:15:00"},
		{"2026-10-24T12:00:00", "2026-10-25T12:00:00"},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies"})
			rs := djangobridge.Defaults()
			rs.DjangoVersion = djangobridge.MustParseVersion(rel)
			r, err := rs.Release()
			if err != nil {
				t.Fatal(err)
			}
			all := append([]tc(nil), cases...)
			for _, n := range naive {
				if r.ExpiryDatetimeInJSON {
					all = append(all, tc{false, n.now, map[string]any{"iso": n.at}})
				}
				if r.PickleSerializer {
					all = append(all, tc{false, n.now, map[string]any{"datetime": n.at}})
				}
			}
			for _, c := range all {
				name := fmt.Sprintf("USE_TZ=%v now=%s expiry=%v", c.useTZ, c.now, c.expiry)
				var dj struct {
					Age    json.Number `json:"age"`
					MaxAge int         `json:"max_age"`
					Date   string      `json:"date"`
				}
				d.Do(t, "session_expiry_math", map[string]any{"expiry": c.expiry, "now": c.now,
					"settings": map[string]any{"USE_TZ": c.useTZ, "TIME_ZONE": "Europe/Paris"}}, &dj)

				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.UseTZ = c.useTZ
				s.TimeZone = "Europe/Paris"
				now, err := time.ParseInLocation("2006-01-02T15:04:05.999999Z07:00", c.now, paris)
				if err != nil {
					now, err = time.ParseInLocation("2006-01-02T15:04:05.999999", c.now, paris)
				}
				if err != nil {
					t.Fatal(err)
				}
				var v any
				switch {
				case c.expiry["number"] != nil:
					v = djangosession.Number(strconv.FormatFloat(c.expiry["number"].(float64), 'f', -1, 64))
				case c.expiry["iso"] != nil:
					v = c.expiry["iso"].(string)
				default:
					w, _ := time.Parse("2006-01-02T15:04:05.999999", c.expiry["datetime"].(string))
					v = djangosession.NaiveDatetime(w)
				}
				st := djangosession.NewMemoryStore()
				key := "expirymath0123456789abcdefghijkl"
				st.Save(context.Background(), djangosession.Record{Key: key, ExpireDate: time.Now().Add(time.Hour),
					Data: djangosession.NewMap(djangosession.Item{Key: djangosession.KeyExpiry, Value: v})}, true)
				mgr, err := djangosession.NewManager(&s, st)
				if err != nil {
					t.Fatal(err)
				}
				djangosession.SetManagerNow(mgr, func() time.Time { return now })
				sess := mgr.Open(context.Background(), key)

				if got := sess.ExpiryAge(); got != dj.MaxAge {
					t.Errorf("%s: ExpiryAge %d, Django int(get_expiry_age()) %d", name, got, dj.MaxAge)
				}
				want, _ := dj.Age.Float64()
				if got := sess.ExpiryAgeSeconds(); got != want {
					t.Errorf("%s: ExpiryAgeSeconds %v, Django get_expiry_age() %s", name, got, dj.Age)
				}
				got := sess.ExpiryDate()
				if strings.ContainsAny(dj.Date[19:], "+-") {
					w, err := time.Parse("2006-01-02T15:04:05.999999Z07:00", dj.Date)
					if err != nil || !got.Equal(w) {
						t.Errorf("%s: ExpiryDate %v, Django %s", name, got, dj.Date)
					}
					continue
				}
				// Naive: Django's wall clock; Go's time shows it.
				layout := "2006-01-02T15:04:05"
				if got.Nanosecond()/1000 != 0 {
					layout += ".000000"
				}
				if g := got.Format(layout); g != dj.Date {
					t.Errorf("%s: ExpiryDate wall clock %s (%v), Django %s", name, g, got, dj.Date)
				}
				if g, _ := got.Zone(); g != "CET" && g != "CEST" {
					t.Errorf("%s: ExpiryDate %v not a Paris time", name, got)
				}
				// cached_db's TTL, get_expiry_age(expiry=row's expire_date):
				// the same wall-clock arithmetic on the datetime read back.
				if c.expiry["number"] == nil && got.Location().String() == "Europe/Paris" { // not a gap wall clock
					if age := djangosession.ExpiryAgeIn(got, now, paris); age != dj.MaxAge {
						t.Errorf("%s: ExpiryAgeIn %d, Django %d", name, age, dj.MaxAge)
					}
				}
			}
		})
	}
}
