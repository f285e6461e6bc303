package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/messages"
)

// flashMsg is one element of GET /api/messages.
type flashMsg struct {
	Level     int     `json:"level"`
	Message   string  `json:"message"`
	Tags      string  `json:"tags"`
	ExtraTags *string `json:"extra_tags"`
}

// flashAdd is one POST /api/messages.
type flashAdd struct {
	level, message, extraTags string
	// want is what GET /api/messages then shows; nil when the message is
	// below MESSAGE_LEVEL (INFO) and dropped.
	want *flashMsg
}

func strp(s string) *string { return &s }

// flashAdds are the messages each direction adds: every named level, a
// number without a tag, extra_tags, text a template must escape, non-ASCII.
// emptyExtra is Release.MessagesEmptyExtraTags: an extra_tags "" comes
// back as "" from 4.1, as None (null) before.
func flashAdds(emptyExtra bool) []flashAdd {
	none := (*string)(nil)
	if emptyExtra {
		none = strp("")
	}
	return []flashAdd{
		{"info", "Saved.", "", &flashMsg{20, "Saved.", "info", none}},
		{"debug", "below MESSAGE_LEVEL, never shown", "", nil},
		{"success", "Profil mis à jour ✓", "profile", &flashMsg{25, "Profil mis à jour ✓", "profile success", strp("profile")}},
		{"35", `<b>"quoted" & 'single'</b>`, "custom", &flashMsg{35, `<b>"quoted" & 'single'</b>`, "custom", strp("custom")}},
		{"warning", "{{MESSAGES}} is text", "", &flashMsg{30, "{{MESSAGES}} is text", "warning", none}},
		{"error", "Payment failed", "important urgent", &flashMsg{40, "Payment failed", "important urgent error", strp("important urgent")}},
		{"7", "a number below MESSAGE_LEVEL", "x", nil},
	}
}

// addFlash posts adds to base (one app, or each of bases in turn) and
// checks the pending count each answer gives.
func (b *browser) addFlash(bases []string, adds []flashAdd) {
	b.t.Helper()
	pending := 0
	for i, a := range adds {
		base := bases[i%len(bases)]
		status, body := b.post(base, "/api/messages", url.Values{"level": {a.level}, "message": {a.message}, "extra_tags": {a.extraTags}})
		if status != http.StatusOK {
			b.t.Fatalf("POST %s/api/messages %+v: %d %s", base, a, status, body)
		}
		if a.want != nil {
			pending++
		}
		if want := `{"pending": ` + strconv.Itoa(pending) + `}`; string(body) != want {
			b.t.Errorf("POST %s/api/messages %q: %s, want %s", base, a.message, body, want)
		}
	}
}

// showFlash is GET /api/messages: the raw answer, checked against adds.
func (b *browser) showFlash(base, name string, adds []flashAdd) string {
	b.t.Helper()
	body := b.get(base, "/api/messages")
	var got []flashMsg
	if err := json.Unmarshal(body, &got); err != nil {
		b.t.Fatalf("%s GET /api/messages: %v: %s", name, err, body)
	}
	var want []flashMsg
	for _, a := range adds {
		if a.want != nil {
			want = append(want, *a.want)
		}
	}
	if g, w := fmt.Sprint(flashStrings(got)), fmt.Sprint(flashStrings(want)); g != w {
		b.t.Errorf("%s shows\n%s\nwant\n%s", name, g, w)
	}
	return string(body)
}

func flashStrings(ms []flashMsg) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		x := "null"
		if m.ExtraTags != nil {
			x = strconv.Quote(*m.ExtraTags)
		}
		out[i] = fmt.Sprintf("\n{%d %q tags=%q extra_tags=%s}", m.Level, m.Message, m.Tags, x)
	}
	return out
}

// hasCookie reports whether the jar holds base's cookie name.
func (b *browser) hasCookie(base, name string) bool {
	u, _ := url.Parse(base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

// inSession reports whether the session base reads holds "_messages".
func (b *browser) inSession(base string) bool {
	b.t.Helper()
	return strings.Contains(string(b.get(base, "/api/session")), `"_messages"`)
}

// messageList cuts the server-rendered list out of a /messages/ page.
var messageList = regexp.MustCompile(`(?s)<ul id="messages">(.*?)</ul>`)

func (b *browser) messagesPage(base, name, app string) (page, list string) {
	b.t.Helper()
	page = string(b.get(base, "/messages/"))
	m := messageList.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("%s /messages/ has no list:\n%s", name, page)
	}
	// The page without the serving app's name, to compare the apps' pages.
	return strings.ReplaceAll(page, app, "APP"), m[1]
}

// TestFlashMessagesWithRealDjango: a message added in a Go app is shown by
// the Django app and the reverse, through GET /api/messages and through the
// /messages/ page Django renders with its template, for each release and
// MESSAGE_STORAGE (DJANGO_MESSAGE_STORAGE, read by both sides). The apps
// answer byte for byte alike, and each storage is the one used: the
// cookie alone, the session alone, or (fallback) the cookie with the
// overflow in the session.
func TestFlashMessagesWithRealDjango(t *testing.T) {
	dir := djangotest.DjangoDir(t)
	for _, release := range djangotest.Releases {
		s := djangobridge.Defaults()
		s.DjangoVersion = djangobridge.MustParseVersion(release)
		rel, err := s.Release()
		if err != nil {
			t.Fatal(err)
		}
		adds := flashAdds(rel.MessagesEmptyExtraTags)
		for _, storage := range []string{"cookie", "session", storagePaths[messages.FallbackStorage]} {
			t.Run("Django "+release+" "+storage, func(t *testing.T) {
				env := map[string]string{"DJANGO_VERSION": release, "SECRET_KEY": "flash-secret-" + release, "DJANGO_MESSAGE_STORAGE": storage}
				urls, dbURL := startDemo(t, env)
				env["DATABASE_URL"] = dbURL
				django := startDjango(t, dir, release, env)
				all := urls[:]

				// Go adds (each app in turn), Django shows and consumes.
				b := newBrowser(t)
				b.addFlash(all, adds)
				switch storage {
				case "cookie":
					if !b.hasCookie(urls[0], messages.CookieName) || b.inSession(urls[0]) {
						t.Errorf("CookieStorage: the messages are not in the cookie alone")
					}
				case "session":
					if b.hasCookie(urls[0], messages.CookieName) || !b.inSession(urls[0]) {
						t.Errorf("SessionStorage: the messages are not in the session alone")
					}
				}
				djangoShows := b.showFlash(django, "Django", adds)
				for i, u := range urls {
					if got := string(b.get(u, "/api/messages")); got != "[]" {
						t.Errorf("%s after Django showed the messages: %s, want []", appNames[i], got)
					}
				}

				// Django adds, each Go app in turn shows (the first consumes).
				b.addFlash([]string{django}, adds)
				goShows := b.showFlash(urls[1], "echo", adds)
				if goShows != djangoShows {
					t.Errorf("GET /api/messages of the same messages:\necho:   %s\nDjango: %s", goShows, djangoShows)
				}
				if got := string(b.get(django, "/api/messages")); got != "[]" {
					t.Errorf("Django after echo showed the messages: %s, want []", got)
				}
				for i, u := range urls {
					b.addFlash([]string{django}, adds)
					if got := b.showFlash(u, appNames[i], adds); got != djangoShows {
						t.Errorf("%s: %s\nDjango: %s", appNames[i], got, djangoShows)
					}
				}

				// The /messages/ page: Django's template and the Go apps
				// render the same page.
				b.addFlash(all, adds)
				djangoPage, djangoList := b.messagesPage(django, "Django", "Django "+djangoVersionOf(t, django, b))
				wantList := `<li class="info" data-level="20">Saved.</li>` + "\n" +
					`<li class="profile success" data-level="25">Profil mis à jour ✓</li>` + "\n" +
					`<li class="custom" data-level="35">&lt;b&gt;&quot;quoted&quot; &amp; &#x27;single&#x27;&lt;/b&gt;</li>` + "\n" +
					`<li class="warning" data-level="30">{{MESSAGES}} is text</li>` + "\n" +
					`<li class="important urgent error" data-level="40">Payment failed</li>`
				if djangoList != wantList {
					t.Errorf("Django's /messages/ list:\n%s\nwant\n%s", djangoList, wantList)
				}
				for i, u := range urls {
					b.addFlash([]string{django}, adds)
					goPage, _ := b.messagesPage(u, appNames[i], appNames[i]+" (djangobridge)")
					if goPage != djangoPage {
						t.Errorf("%s /messages/:\n%s\nDjango's:\n%s", appNames[i], goPage, djangoPage)
					}
					if _, list := b.messagesPage(django, "Django", "-"); list != "" {
						t.Errorf("Django after %s showed the page: %s", appNames[i], list)
					}
				}

				if storage == "cookie" {
					// Refused requests: the same answer from both sides.
					for _, f := range badFlashForms {
						ds, db := b.post(django, "/api/messages", f)
						for i, u := range urls {
							if gs, gb := b.post(u, "/api/messages", f); gs != ds || string(gb) != string(db) {
								t.Errorf("POST /api/messages %v:\n%s: %d %s\nDjango: %d %s", f, appNames[i], gs, gb, ds, db)
							}
						}
					}
				}
				if storage != storagePaths[messages.FallbackStorage] {
					return
				}
				// FallbackStorage: what does not fit in the 2048-byte cookie
				// goes to the session (40 messages of 140 bytes that do not
				// compress); the other side reads both, in order.
				var many []flashAdd
				for i := range 40 {
					h1, h2 := sha256.Sum256([]byte{byte(i)}), sha256.Sum256([]byte{byte(i), 1})
					text := fmt.Sprintf("message %02d %s%s", i, hex.EncodeToString(h1[:]), hex.EncodeToString(h2[:]))
					many = append(many, flashAdd{"info", text, "", &flashMsg{20, text, "info", adds[0].want.ExtraTags}})
				}
				b2 := newBrowser(t)
				b2.addFlash(all, many)
				if !b2.hasCookie(urls[0], messages.CookieName) || !b2.inSession(urls[0]) {
					t.Errorf("FallbackStorage: 40 messages are not in the cookie and the session")
				}
				djangoShows = b2.showFlash(django, "Django", many)
				if b2.inSession(urls[0]) {
					t.Errorf("the session keeps _messages after Django showed them")
				}
				b2.addFlash([]string{django}, many)
				if !b2.hasCookie(urls[0], messages.CookieName) || !b2.inSession(urls[0]) {
					t.Errorf("FallbackStorage: Django did not use the cookie and the session")
				}
				if got := b2.showFlash(urls[2], "fiber", many); got != djangoShows {
					t.Errorf("fiber: %s\nDjango: %s", got, djangoShows)
				}
				if b2.hasCookie(urls[0], messages.CookieName) || b2.inSession(urls[0]) {
					t.Errorf("fiber did not empty the cookie and the session after showing the messages")
				}
			})
		}
	}
}

// djangoVersionOf is the version the Django app names itself with on its
// pages (django.get_version()).
func djangoVersionOf(t *testing.T, django string, b *browser) string {
	t.Helper()
	page := string(b.get(django, "/"))
	m := regexp.MustCompile(`<span id="app">Django ([^<]+)</span>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("Django's page does not name its version:\n%s", page)
	}
	return m[1]
}

// badFlashForms are POST /api/messages forms both sides refuse with 400.
var badFlashForms = []url.Values{
	{"level": {"notice"}, "message": {"x"}},
	{"level": {"-5"}, "message": {"x"}},
	{"level": {"+5"}, "message": {"x"}},
	{"level": {"٣٥"}, "message": {"x"}}, // int() would take Arabic-Indic digits; the rule does not
	{"level": {"1234567890"}, "message": {"x"}},
	{"level": {""}, "message": {"x"}},
	{"level": {"INFO"}, "message": {"x"}},
	{"level": {"info"}},
	{"level": {"info"}, "message": {""}},
}

// The endpoint refuses what the Django view refuses, and needs the CSRF
// token like every POST.
func TestFlashMessageRequests(t *testing.T) {
	urls, _ := startDemo(t, nil)
	for i, u := range urls {
		b := newBrowser(t)
		for _, f := range badFlashForms {
			if status, body := b.post(u, "/api/messages", f); status != http.StatusBadRequest {
				t.Errorf("%s POST /api/messages %v: %d %s, want 400", appNames[i], f, status, body)
			}
		}
		if status, _ := b.do(http.MethodPost, u+"/api/messages", url.Values{"level": {"info"}, "message": {"x"}}, nil); status != http.StatusForbidden {
			t.Errorf("%s POST /api/messages without X-CSRFToken: %d, want 403", appNames[i], status)
		}
		if got := string(b.get(u, "/api/messages")); got != "[]" {
			t.Errorf("%s: %s, want [] (nothing was added)", appNames[i], got)
		}
	}
}

func TestMessageStorageSetting(t *testing.T) {
	for v, want := range map[string]messages.Storage{
		"":         messages.FallbackStorage,
		"fallback": messages.FallbackStorage,
		"cookie":   messages.CookieStorage,
		"session":  messages.SessionStorage,
		"django.contrib.messages.storage.fallback.FallbackStorage": messages.FallbackStorage,
		"django.contrib.messages.storage.cookie.CookieStorage":     messages.CookieStorage,
		"django.contrib.messages.storage.session.SessionStorage":   messages.SessionStorage,
	} {
		c, err := loadConfig(func(k string) string {
			if k == "DJANGO_MESSAGE_STORAGE" {
				return v
			}
			return ""
		})
		if err != nil || c.MessageStorage != want {
			t.Errorf("DJANGO_MESSAGE_STORAGE=%q: %v, %v; want %v", v, c, err, want)
		}
	}
	for _, v := range []string{"Cookie", "myapp.storage.Custom", "django.contrib.messages.storage.base.BaseStorage"} {
		_, err := loadConfig(func(k string) string {
			if k == "DJANGO_MESSAGE_STORAGE" {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "DJANGO_MESSAGE_STORAGE") || !strings.Contains(err.Error(), "CookieStorage") {
			t.Errorf("DJANGO_MESSAGE_STORAGE=%q: %v, want an error naming the setting and the storages", v, err)
		}
	}
}
