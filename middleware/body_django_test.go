package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// bodyCase is one POST (or PUT) for the body limits.
type bodyCase struct {
	name        string
	method      string
	contentType string
	body        string
	header      bool // send X-CSRFToken too
	noCookie    bool
	settings    map[string]any
	// goDiffers: Go's mime/multipart refuses more than 1000 parts
	// (multipart.ErrMessageTooLarge), which Django accepts: the Go
	// middleware answers 400 where Django runs the view.
	goDiffers bool
}

// The Go middleware answers a POST whose form breaks Django's
// DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS or _NUMBER_FILES exactly as
// Django's whole stack does (django.test.Client with CSRF checks, DEBUG
// False): the same status (400 past a limit, whether or not X-CSRFToken is
// sent; 403 without the CSRF cookie, checked first), and the view runs on
// both or on neither; on every release, with Django's defaults and with
// other limits, None included.
func TestBodyLimitsMatchDjango(t *testing.T) {
	const S = "abcdefghijklmnopqrstuvwxyzABCDEF"
	tok := middleware.MaskCSRFSecret(S)
	const form = middleware.FormURLEncoded
	const dflt = djangobridge.DefaultDataUploadMaxMemorySize
	mpFields := func(n, pad, files, fileSize int) string {
		fs := [][2]string{{middleware.CSRFFormField, tok}}
		for i := 1; i < n; i++ {
			fs = append(fs, [2]string{fmt.Sprintf("f%d", i), "v"})
		}
		if pad > 0 {
			used := 0
			for _, f := range fs {
				used += len(f[0]) + 2 + len(f[1])
			}
			fs = append(fs, [2]string{"pad", strings.Repeat("x", pad-used-5)})
		}
		return adaptertest.Multipart(fs, files, fileSize)
	}
	small := map[string]any{"DATA_UPLOAD_MAX_MEMORY_SIZE": 1000, "DATA_UPLOAD_MAX_NUMBER_FIELDS": 10, "DATA_UPLOAD_MAX_NUMBER_FILES": 3}
	cases := []bodyCase{
		{name: "url-encoded at 2621440 bytes", body: adaptertest.PadTo(adaptertest.Fields(1, tok), dflt)},
		{name: "url-encoded at 2621441 bytes", body: adaptertest.PadTo(adaptertest.Fields(1, tok), dflt+1)},
		{name: "url-encoded at 2621441 bytes, X-CSRFToken", body: adaptertest.PadTo(adaptertest.Fields(1, tok), dflt+1), header: true},
		{name: "url-encoded over, no CSRF cookie", body: adaptertest.PadTo(adaptertest.Fields(1, tok), dflt+1), header: true, noCookie: true},
		{name: "url-encoded over, PUT", method: "PUT", body: adaptertest.PadTo(adaptertest.Fields(1, tok), dflt+1), header: true},
		{name: "JSON over", contentType: "application/json", body: `{"a":"` + strings.Repeat("x", dflt) + `"}`, header: true},
		{name: "url-encoded, 1000 fields", body: adaptertest.Fields(1000, tok)},
		{name: "url-encoded, 1001 fields", body: adaptertest.Fields(1001, tok)},
		{name: "url-encoded, 1001 fields, X-CSRFToken", body: adaptertest.Fields(1001, tok), header: true},
		{name: "url-encoded, 1000 fields and a trailing &", body: adaptertest.Fields(1000, tok) + "&"},
		{name: "url-encoded, no token, 1001 fields, X-CSRFToken", body: adaptertest.Fields(1001, ""), header: true},
		{name: "url-encoded, limits None", body: adaptertest.PadTo(adaptertest.Fields(1001, tok), dflt+100),
			settings: map[string]any{"DATA_UPLOAD_MAX_MEMORY_SIZE": nil, "DATA_UPLOAD_MAX_NUMBER_FIELDS": nil}},
		{name: "url-encoded, small limits, at", body: adaptertest.PadTo(adaptertest.Fields(2, tok), 1000), settings: small},
		{name: "url-encoded, small limits, over", body: adaptertest.PadTo(adaptertest.Fields(2, tok), 1001), settings: small},
		{name: "multipart, 1000 fields", contentType: adaptertest.MultipartType, body: mpFields(1000, 0, 0, 0)},
		{name: "multipart, 1001 fields", contentType: adaptertest.MultipartType, body: mpFields(1001, 0, 0, 0), header: true},
		{name: "multipart, 100 files", contentType: adaptertest.MultipartType, body: mpFields(1, 0, 100, 2)},
		{name: "multipart, 101 files", contentType: adaptertest.MultipartType, body: mpFields(1, 0, 101, 2), header: true},
		{name: "multipart, 101 files, files None", contentType: adaptertest.MultipartType, body: mpFields(1, 0, 101, 2),
			settings: map[string]any{"DATA_UPLOAD_MAX_NUMBER_FILES": nil}},
		{name: "multipart, fields at 2621440 bytes and a bigger file", contentType: adaptertest.MultipartType, body: mpFields(2, dflt, 1, dflt+10)},
		{name: "multipart, fields at 2621441 bytes", contentType: adaptertest.MultipartType, body: mpFields(2, dflt+1, 0, 0)},
		{name: "multipart, small limits, fields at", contentType: adaptertest.MultipartType, body: mpFields(2, 1000, 3, 10), settings: small},
		{name: "multipart, small limits, fields over", contentType: adaptertest.MultipartType, body: mpFields(2, 1001, 0, 0), settings: small},
		{name: "multipart, small limits, 11 fields", contentType: adaptertest.MultipartType, body: mpFields(11, 0, 0, 0), settings: small},
		{name: "multipart, small limits, 4 files", contentType: adaptertest.MultipartType, body: mpFields(1, 0, 4, 1), settings: small},
		{name: "multipart, 950 fields and 100 files", contentType: adaptertest.MultipartType, body: mpFields(950, 0, 100, 1), goDiffers: true},
		{name: "multipart without a boundary, with X-CSRFToken", contentType: "multipart/form-data", body: mpFields(1, 0, 0, 0), header: true},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dj := djangotest.Start(t, rel, djangotest.Config{})
			for _, c := range cases {
				if c.method == "" {
					c.method = http.MethodPost
				}
				if c.contentType == "" {
					c.contentType = form
				}
				cookies := map[string]string{"csrftoken": S}
				if c.noCookie {
					cookies = nil
				}
				headers := map[string]string{}
				if c.header {
					headers["X-CSRFToken"] = tok
				}
				var want struct {
					Status int  `json:"status"`
					Ran    bool `json:"ran"`
				}
				dj.Do(t, "post_limits", map[string]any{"method": c.method, "body": c.body, "content_type": c.contentType,
					"cookies": cookies, "headers": headers, "settings": c.settings}, &want)

				st := newSite(t, func(s *djangobridge.Settings) { applyDjango(t, s, rel, c.settings) }, nil)
				ran := false
				h := st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ran = true
					_, _ = w.Write([]byte("ok"))
				}))
				r := httptest.NewRequest(c.method, "/", strings.NewReader(c.body))
				r.Header.Set("Content-Type", c.contentType)
				for k, v := range headers {
					r.Header.Set(k, v)
				}
				for k, v := range cookies {
					r.AddCookie(&http.Cookie{Name: k, Value: v})
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if c.goDiffers {
					if want.Status != http.StatusOK || !want.Ran || rec.Code != http.StatusBadRequest || ran {
						t.Errorf("%s: django %d ran=%v, go %d ran=%v (want the documented 400 of Go's 1000-part limit)",
							c.name, want.Status, want.Ran, rec.Code, ran)
					}
					continue
				}
				if rec.Code != want.Status || ran != want.Ran {
					t.Errorf("%s: go %d ran=%v, django %d ran=%v", c.name, rec.Code, ran, want.Status, want.Ran)
				}
			}
		})
	}
}
