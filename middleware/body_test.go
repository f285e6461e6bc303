package middleware_test

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// The shared body scenarios answer through net/http (the adapters'
// reference) with the status their names give: 400 past a limit, 403
// without the CSRF cookie, else the handler's 200.
func TestBodyScenariosNetHTTP(t *testing.T) {
	for _, sc := range adaptertest.BodyScenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			want := http.StatusOK
			switch {
			case strings.HasSuffix(sc.Name, ": 400"):
				want = http.StatusBadRequest
			case strings.HasSuffix(sc.Name, ": 403"):
				want = http.StatusForbidden
			}
			if got := adaptertest.RunNetHTTP(t, sc); got.Status != want {
				t.Errorf("status %d, want %d", got.Status, want)
			}
		})
	}
}

// countingBody is a request body of n bytes of an url-encoded field that
// counts what was read of it.
type countingBody struct {
	n, read int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), b.n-b.read)
	for i := range p[:k] {
		p[i] = 'x'
	}
	if b.read == 0 && k >= 2 {
		p[0], p[1] = 'a', '='
	}
	b.read += k
	return int(k), nil
}

func (b *countingBody) Close() error { return nil }

// A 10 MiB form is never buffered whole: with its Content-Length over
// DATA_UPLOAD_MAX_MEMORY_SIZE nothing is read; chunked (no length), no more
// than the limit plus one bytes are; either way 400 and the handler does
// not run.
func TestHugeBodyIsNotBuffered(t *testing.T) {
	st := newSite(t, nil, nil)
	for _, length := range []int64{adaptertest.HugeBody, -1} {
		body := &countingBody{n: adaptertest.HugeBody}
		r := httptest.NewRequest("POST", "/", nil)
		r.Body, r.ContentLength = body, length
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c, h := adaptertest.CSRFPair()
		r.Header.Set("X-CSRFToken", h)
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
		rec := httptest.NewRecorder()
		st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("the handler ran")
		})).ServeHTTP(rec, r)
		max := int64(0)
		if length < 0 {
			max = djangobridge.DefaultDataUploadMaxMemorySize + 1
		}
		if rec.Code != 400 || body.read > max || !strings.Contains(rec.Body.String(), "Bad Request (400)") {
			t.Errorf("Content-Length %d: %d %q, read %d bytes (at most %d)", length, rec.Code, rec.Body, body.read, max)
		}
	}
}

// The handler still reads the form the CSRF check parsed: r.PostForm,
// r.Form (body fields first, then the query's), and the raw body.
func TestFormStaysReadable(t *testing.T) {
	st := newSite(t, nil, nil)
	c, h := adaptertest.CSRFPair()
	form := "csrfmiddlewaretoken=" + h + "&a=1&a=2"
	r := httptest.NewRequest("POST", "/?q=3&a=0", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
	rec := httptest.NewRecorder()
	ran := false
	st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		raw, _ := io.ReadAll(r.Body)
		if r.PostFormValue("a") != "1" || len(r.PostForm["a"]) != 2 || r.FormValue("q") != "3" ||
			len(r.Form["a"]) != 3 || string(raw) != form {
			t.Errorf("PostForm %v Form %v body %q", r.PostForm, r.Form, raw)
		}
	})).ServeHTTP(rec, r)
	if !ran || rec.Code != 200 {
		t.Fatalf("%d ran=%v", rec.Code, ran)
	}
	// multipart: the parsed form and its files.
	body := adaptertest.Multipart([][2]string{{"csrfmiddlewaretoken", h}, {"a", "1"}}, 2, 10)
	r = httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", adaptertest.MultipartType)
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
	ran = false
	st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		if r.PostFormValue("a") != "1" || r.MultipartForm == nil || len(r.MultipartForm.File) != 2 {
			t.Errorf("multipart: %v %v", r.PostForm, r.MultipartForm)
		}
	})).ServeHTTP(httptest.NewRecorder(), r)
	if !ran {
		t.Fatal("multipart: the handler did not run")
	}
}

// Hostile url-encoded bodies: the core never panics, never reads more than
// the limit plus one bytes, and refuses exactly what Django's request.POST
// refuses (more bytes than DATA_UPLOAD_MAX_MEMORY_SIZE; a non-empty body
// with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, 1 + its "&"s).
func FuzzReadURLEncoded(f *testing.F) {
	f.Add([]byte("a=1&b=2"), int64(7), int16(2), int16(7), false)
	f.Add([]byte("a=1&b=2&"), int64(8), int16(2), int16(100), true)
	f.Add([]byte(""), int64(0), int16(0), int16(0), false)
	f.Add([]byte("&&&&"), int64(-1), int16(4), int16(-1), true)
	f.Add([]byte("x=%zz;y=\x00&"), int64(10), int16(-1), int16(3), false)
	f.Fuzz(func(t *testing.T, body []byte, length int64, fields, memory int16, chunked bool) {
		if memory == 0 || fields == 0 {
			return // 0 stands for Django's default
		}
		st := newSite(t, func(s *djangobridge.Settings) {
			s.DataUploadMaxMemorySize, s.DataUploadMaxNumberFields = int64(memory), int(fields)
		}, nil)
		if chunked || length < -1 {
			length = -1
		}
		src := &countingBody{}
		rd := io.TeeReader(bytes.NewReader(body), writerFunc(func(p []byte) { src.read += int64(len(p)) }))
		got, err := st.mw.ReadURLEncoded(length, rd)
		lim := int64(memory)
		if memory < 0 {
			lim = -1
		}
		if lim >= 0 && src.read > lim+1 {
			t.Fatalf("read %d bytes past the limit %d", src.read, lim)
		}
		wantTooBig := lim >= 0 && (length > lim || int64(len(body)) > lim)
		wantTooMany := !wantTooBig && fields > 0 && len(body) > 0 && 1+bytes.Count(body, []byte("&")) > int(fields)
		var be *middleware.BodyError
		switch {
		case wantTooBig:
			if !errors.As(err, &be) || be.Django != middleware.RequestDataTooBig {
				t.Fatalf("want RequestDataTooBig, got %v", err)
			}
		case wantTooMany:
			if !errors.As(err, &be) || be.Django != middleware.TooManyFieldsSent {
				t.Fatalf("want TooManyFieldsSent, got %v", err)
			}
		default:
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("got %q %v, want the body", got, err)
			}
		}
		if err != nil && middleware.StatusFor(err) != 400 {
			t.Fatalf("status %d", middleware.StatusFor(err))
		}
	})
}

type writerFunc func(p []byte)

func (w writerFunc) Write(p []byte) (int, error) { w(p); return len(p), nil }

// Options.ErrorHandler answers a form over the limits (not
// CSRFFailureHandler: it is not a CSRF failure but Django's 400).
func TestBodyLimitGoesToErrorHandler(t *testing.T) {
	var got error
	st := newSite(t, func(s *djangobridge.Settings) { s.DataUploadMaxNumberFields = 2 }, &middleware.Options{
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(middleware.StatusFor(err))
		},
		CSRFFailureHandler: func(w http.ResponseWriter, r *http.Request, err error) { t.Error("CSRFFailureHandler called") },
	})
	c, h := adaptertest.CSRFPair()
	r := httptest.NewRequest("POST", "/", strings.NewReader("csrfmiddlewaretoken="+h+"&a=1&b=2"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
	rec := httptest.NewRecorder()
	st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the handler ran") })).ServeHTTP(rec, r)
	var be *middleware.BodyError
	if rec.Code != 400 || !errors.As(got, &be) || be.Django != middleware.TooManyFieldsSent {
		t.Fatalf("%d, ErrorHandler got %v", rec.Code, got)
	}
}

// DATA_UPLOAD_MAX_NUMBER_FILES exists from 3.2.18, 4.0.10, 4.1.7 on
// (Release.DataUploadMaxNumberFiles): 101 files pass on 3.2.17 and 4.1.6.
func TestFileLimitFollowsTheRelease(t *testing.T) {
	for v, want := range map[string]int{"3.2.17": 200, "3.2.18": 400, "4.1.6": 200, "4.1.7": 400, "6.1": 400} {
		st := newSite(t, func(s *djangobridge.Settings) { s.DjangoVersion = djangobridge.MustParseVersion(v) }, nil)
		c, h := adaptertest.CSRFPair()
		r := httptest.NewRequest("POST", "/", strings.NewReader(adaptertest.Multipart([][2]string{{"csrfmiddlewaretoken", h}}, 101, 1)))
		r.Header.Set("Content-Type", adaptertest.MultipartType)
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
		rec := httptest.NewRecorder()
		st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, r)
		if rec.Code != want {
			t.Errorf("Django %s: %d, want %d", v, rec.Code, want)
		}
	}
}

// csrfmiddlewaretoken sent twice: the last value counts, as request.POST
// (a MultiValueDict) gives it; and the temporary files of a multipart
// form the CSRF check parsed are removed when the request ends.
func TestFormTokenLastValueAndUploadsRemoved(t *testing.T) {
	st := newSite(t, nil, nil)
	c, tok := adaptertest.CSRFPair()
	h := st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, c2 := range []struct {
		body string
		want int
	}{
		{"csrfmiddlewaretoken=bad&csrfmiddlewaretoken=" + tok, http.StatusOK},
		{"csrfmiddlewaretoken=" + tok + "&csrfmiddlewaretoken=bad", http.StatusForbidden},
	} {
		r := httptest.NewRequest("POST", "/?csrfmiddlewaretoken="+tok, strings.NewReader(c2.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != c2.want {
			t.Errorf("%s: %d, want %d", c2.body, rec.Code, c2.want)
		}
	}

	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrfmiddlewaretoken", tok)
	fw, _ := mw.CreateFormFile("upload", "big.bin")
	_, _ = fw.Write(bytes.Repeat([]byte("x"), int(st.mw.MultipartMaxMemory())+1<<20))
	_ = mw.Close()
	for _, withToken := range []bool{true, false} {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(b.Bytes()))
		r.Header.Set("Content-Type", mw.FormDataContentType())
		if withToken {
			r.AddCookie(&http.Cookie{Name: "csrftoken", Value: c})
		} else {
			r.AddCookie(&http.Cookie{Name: "csrftoken", Value: strings.Repeat("a", 32)})
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if left, _ := filepath.Glob(filepath.Join(dir, "multipart-*")); len(left) > 0 {
			t.Errorf("token %v: upload files left behind: %v", withToken, left)
		}
	}
}
