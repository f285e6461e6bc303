package fasthttpreq_test

import (
	"net"
	"reflect"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/fasthttpreq"
)

type form map[string]string

func (f form) FormValue(key string, _ ...string) string { return f[key] }

func newMiddleware(t *testing.T) *middleware.Middleware {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = "fasthttpreq-test"
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	m, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// What the core keeps is a copy: fasthttp reusing the request's buffers
// (Reset, then another request) does not change it.
func TestRequestCopiesOutOfFasthttpBuffers(t *testing.T) {
	m := newMiddleware(t)
	var ctx fasthttp.RequestCtx
	ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}, nil)
	h := &ctx.Request.Header
	h.SetMethod("PROPFIND")
	h.SetHost("example.com")
	h.Set("Cookie", "sessionid=abc; csrftoken=tok; messages=flash")
	h.Set("Origin", "https://example.com")
	h.Set("Referer", "https://example.com/form")
	h.Set("X-CSRFToken", "hdr")
	h.SetContentType("application/x-www-form-urlencoded")
	f := form{"csrfmiddlewaretoken": "fromform"}

	req := fasthttpreq.Request(m, &ctx, string(h.Method()), f)
	ctx.Request.Reset()
	ctx.Request.Header.SetMethod("GETXXXXX")
	ctx.Request.Header.Set("Cookie", "sessionid=zzz; csrftoken=zzz; messages=zzzzz")
	ctx.Request.Header.Set("Origin", "https://evil.example")

	want := middleware.Request{
		Method: "PROPFIND", Host: "example.com",
		SessionCookie: "abc", HasSessionCookie: true, CSRFCookie: "tok", HasCSRFCookie: true, MessagesCookie: "flash",
		Origin: "https://example.com", HasOrigin: true, Referer: "https://example.com/form", HasReferer: true,
		CSRFHeader: "hdr", HasCSRFHeader: true,
	}
	got := req
	got.FormToken, got.Conn, got.Port = nil, nil, ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request\n got %+v\nwant %+v", got, want)
	}
	if req.FormToken == nil {
		t.Fatal("no FormToken for an unsafe method")
	}
	// FormToken is read later, from the current body: only for a form.
	ctx.Request.Header.SetContentType("application/x-www-form-urlencoded")
	if tok := req.FormToken(); tok != "fromform" {
		t.Errorf("FormToken %q", tok)
	}
	ctx.Request.Header.SetContentType("application/json")
	if tok := req.FormToken(); tok != "" {
		t.Errorf("FormToken of a JSON body %q", tok)
	}
}

// A safe method reads only the cookies; the usual methods are constants.
func TestRequestSafeMethod(t *testing.T) {
	m := newMiddleware(t)
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.Set("Origin", "https://example.com")
	req := fasthttpreq.Request(m, &ctx, "GET", form{})
	if req.Method != "GET" || req.HasOrigin || req.FormToken != nil || req.HasSessionCookie || req.MessagesCookie != "" {
		t.Errorf("safe request %+v", req)
	}
	if testing.AllocsPerRun(100, func() { _ = fasthttpreq.Method("GET") }) != 0 {
		t.Error("Method allocates for GET")
	}
}
