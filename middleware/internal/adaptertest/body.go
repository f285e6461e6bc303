package adaptertest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/middleware"
)

// MultipartBoundary is the boundary of Multipart's bodies.
const MultipartBoundary = "djangobridgeBoundary7MA4YWxk"

// MultipartType is the Content-Type of Multipart's bodies.
const MultipartType = "multipart/form-data; boundary=" + MultipartBoundary

// Multipart returns a multipart/form-data body with fields (name, value),
// in order, then files file parts named u0, u1... of fileSize bytes each.
func Multipart(fields [][2]string, files, fileSize int) string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", MultipartBoundary, f[0], f[1])
	}
	content := strings.Repeat("x", fileSize)
	for i := 0; i < files; i++ {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"u%d\"; filename=\"f%d.txt\"\r\n"+
			"Content-Type: text/plain\r\n\r\n%s\r\n", MultipartBoundary, i, i, content)
	}
	fmt.Fprintf(&b, "--%s--\r\n", MultipartBoundary)
	return b.String()
}

// Fields returns n url-encoded fields, the first csrfmiddlewaretoken=token
// when token is not "", the others f1=v, f2=v...
func Fields(n int, token string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('&')
		}
		if i == 0 && token != "" {
			b.WriteString(middleware.CSRFFormField + "=" + token)
			continue
		}
		fmt.Fprintf(&b, "f%d=v", i)
	}
	return b.String()
}

// PadTo returns form padded with a last field "pad=xxx..." to n bytes
// (form must be shorter than n - 5).
func PadTo(form string, n int) string {
	return form + "&pad=" + strings.Repeat("x", n-len(form)-5)
}

// BodyScenarios are the POST bodies whose form the CSRF check reads under
// Django's DATA_UPLOAD_MAX_* limits (small ones, so that every framework
// takes the bodies): 400 past a limit, never 403, the handler not run; the
// body's form is read only for POST, after the CSRF cookie is found.
func BodyScenarios() []Scenario {
	const memory, fields, files = 1000, 10, 3
	limits := func(s *djangobridge.Settings) {
		s.DataUploadMaxMemorySize, s.DataUploadMaxNumberFields, s.DataUploadMaxNumberFiles = memory, fields, files
	}
	ran := func(ctx context.Context, s *middleware.State) int { return http.StatusOK }
	req := func(method, contentType string, body func(tok string) string, header, cookie bool) func(t testing.TB, st *Site) Request {
		return func(t testing.TB, st *Site) Request {
			c, h := CSRFPair()
			r := Request{Method: method, Form: body(h), Header: map[string]string{"Content-Type": contentType}}
			if cookie {
				r.Cookies = map[string]string{st.Settings.CSRFCookieName: c}
			}
			if header {
				r.Header["X-CSRFToken"] = h
			}
			return r
		}
	}
	form := middleware.FormURLEncoded
	urlenc := func(n, size int) func(string) string {
		return func(tok string) string {
			f := Fields(n, tok)
			if size > 0 {
				f = PadTo(f, size)
			}
			return f
		}
	}
	mp := func(n, size, nfiles, fileSize int) func(string) string {
		return func(tok string) string {
			fs := [][2]string{{middleware.CSRFFormField, tok}}
			for i := 1; i < n; i++ {
				fs = append(fs, [2]string{fmt.Sprintf("f%d", i), "v"})
			}
			if size > 0 { // each field counts len(name) + 2 + len(value)
				used := 0
				for _, f := range fs {
					used += len(f[0]) + 2 + len(f[1])
				}
				fs = append(fs, [2]string{"pad", strings.Repeat("x", size-used-5)})
			}
			return Multipart(fs, nfiles, fileSize)
		}
	}
	return []Scenario{
		{Name: "body: url-encoded at the size limit", Configure: limits, Handle: ran,
			Request: req("POST", form, urlenc(2, memory), false, true)},
		{Name: "body: url-encoded one byte over: 400", Configure: limits, Handle: ran,
			Request: req("POST", form, urlenc(2, memory+1), false, true)},
		{Name: "body: url-encoded over, with X-CSRFToken: 400", Configure: limits, Handle: ran,
			Request: req("POST", form, urlenc(2, 5*memory), true, true)},
		{Name: "body: url-encoded over, no CSRF cookie: 403", Configure: limits, Handle: ran,
			Request: req("POST", form, urlenc(2, 5*memory), true, false)},
		{Name: "body: url-encoded over, PUT: not read", Configure: limits, Handle: ran,
			Request: req("PUT", form, urlenc(2, 5*memory), true, true)},
		{Name: "body: JSON over: not read", Configure: limits, Handle: ran,
			Request: req("POST", "application/json", func(string) string { return `{"a":"` + strings.Repeat("x", 5*memory) + `"}` }, true, true)},
		{Name: "body: url-encoded at the field limit", Configure: limits, Handle: ran,
			Request: req("POST", form, urlenc(fields, 0), false, true)},
		{Name: "body: url-encoded one field over: 400", Configure: limits, Handle: ran,
			Request: req("POST", form, urlenc(fields+1, 0), true, true)},
		{Name: "body: url-encoded, no limits", Handle: ran,
			Configure: func(s *djangobridge.Settings) {
				limits(s)
				s.DataUploadMaxMemorySize, s.DataUploadMaxNumberFields = djangobridge.NoLimit, djangobridge.NoLimit
			},
			Request: req("POST", form, urlenc(fields+1, 5*memory), false, true)},
		{Name: "body: multipart at the field limit", Configure: limits, Handle: ran,
			Request: req("POST", MultipartType, mp(fields, 0, files, 10), false, true)},
		{Name: "body: multipart one field over: 400", Configure: limits, Handle: ran,
			Request: req("POST", MultipartType, mp(fields+1, 0, 0, 0), true, true)},
		{Name: "body: multipart fields at the size limit, big files", Configure: limits, Handle: ran,
			Request: req("POST", MultipartType, mp(2, memory, 1, 5*memory), false, true)},
		{Name: "body: multipart fields one byte over: 400", Configure: limits, Handle: ran,
			Request: req("POST", MultipartType, mp(2, memory+1, 0, 0), false, true)},
		{Name: "body: multipart one file over: 400", Configure: limits, Handle: ran,
			Request: req("POST", MultipartType, mp(1, 0, files+1, 1), true, true)},
		// MultiPartParserError ("Invalid boundary in multipart"): 400 even
		// with X-CSRFToken, as Django's handler answers it.
		{Name: "body: multipart without a boundary, with X-CSRFToken: 400", Configure: limits, Handle: ran,
			Request: req("POST", "multipart/form-data", mp(1, 0, 0, 0), true, true)},
	}
}
