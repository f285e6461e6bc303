package fasthttpreq_test

import (
	"errors"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/fasthttpreq"
)

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

	req := fasthttpreq.Request(m, &ctx, string(h.Method()))
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
	got.ReadForm, got.Conn, got.Port = nil, nil, ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request\n got %+v\nwant %+v", got, want)
	}
	if req.ReadForm == nil {
		t.Fatal("no ReadForm for an unsafe method")
	}
	// ReadForm is read later, from the current body: only for a form, the
	// last value under the name (a MultiValueDict's), never the query's.
	ctx.Request.SetRequestURI("/form?csrfmiddlewaretoken=fromquery")
	ctx.Request.SetBodyString("csrfmiddlewaretoken=first&x=1&csrfmiddlewaretoken=fromform")
	ctx.Request.Header.SetContentType("application/x-www-form-urlencoded")
	if tok, err := req.ReadForm(); tok != "fromform" || err != nil {
		t.Errorf("ReadForm %q %v", tok, err)
	}
	ctx.Request.Header.SetContentType("Application/X-WWW-Form-Urlencoded; charset=utf-8")
	if tok, err := req.ReadForm(); tok != "fromform" || err != nil {
		t.Errorf("ReadForm, type with a charset: %q %v", tok, err)
	}
	ctx.Request.Header.SetContentType("application/json")
	if tok, err := req.ReadForm(); tok != "" || err != nil {
		t.Errorf("ReadForm of a JSON body %q %v", tok, err)
	}
}

// CheckForm applies the core's limits to the body fasthttp read, and to a
// streamed one (StreamRequestBody), reading no more than the limit + 1.
func TestCheckForm(t *testing.T) {
	m := newMiddleware(t)
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.Header.SetContentType("application/x-www-form-urlencoded")
	ctx.Request.SetBody([]byte("a=" + strings.Repeat("x", djangobridge.DefaultDataUploadMaxMemorySize-2)))
	if err := fasthttpreq.CheckForm(m, &ctx); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	ctx.Request.SetBody([]byte("a=" + strings.Repeat("x", djangobridge.DefaultDataUploadMaxMemorySize-1)))
	if err := fasthttpreq.CheckForm(m, &ctx); !errors.Is(err, middleware.ErrBadRequest) {
		t.Errorf("over the limit: %v", err)
	}
	ctx.Request.SetBody([]byte(strings.Repeat("&", 1000)))
	var be *middleware.BodyError
	if err := fasthttpreq.CheckForm(m, &ctx); !errors.As(err, &be) || be.Django != middleware.TooManyFieldsSent {
		t.Errorf("1001 fields: %v", err)
	}
	src := &counting{n: 10 << 20}
	ctx.Request.SetBodyStream(src, -1)
	if err := fasthttpreq.CheckForm(m, &ctx); !errors.Is(err, middleware.ErrBadRequest) || src.read > djangobridge.DefaultDataUploadMaxMemorySize+1 {
		t.Errorf("streamed 10 MiB: %v, read %d", err, src.read)
	}
	src = &counting{n: 100}
	ctx.Request.SetBodyStream(src, 100)
	if err := fasthttpreq.CheckForm(m, &ctx); err != nil || len(ctx.Request.Body()) != 100 {
		t.Errorf("streamed 100 bytes: %v, body %d", err, len(ctx.Request.Body()))
	}
}

type counting struct{ n, read int }

func (c *counting) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := min(len(p), c.n-c.read)
	for i := range p[:k] {
		p[i] = 'x'
	}
	c.read += k
	return k, nil
}

// A safe method reads only the cookies; the usual methods are constants.
func TestRequestSafeMethod(t *testing.T) {
	m := newMiddleware(t)
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.Set("Origin", "https://example.com")
	req := fasthttpreq.Request(m, &ctx, "GET")
	if req.Method != "GET" || req.HasOrigin || req.ReadForm != nil || req.HasSessionCookie || req.MessagesCookie != "" {
		t.Errorf("safe request %+v", req)
	}
	if testing.AllocsPerRun(100, func() { _ = fasthttpreq.Method("GET") }) != 0 {
		t.Error("Method allocates for GET")
	}
}
