package middleware

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/djangobridge/djangobridge"
)

// The request body limits of Django's HttpRequest (DATA_UPLOAD_MAX_*), as
// CsrfViewMiddleware meets them when it reads request.POST for the
// csrfmiddlewaretoken field: the exceptions it raises there
// (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) are
// SuspiciousOperations that CsrfViewMiddleware does not catch (it catches
// UnreadablePostError only), so Django answers 400 and the view never runs.

// ErrBadRequest is wrapped by every *BodyError: the request's form could
// not be read within Django's limits. StatusFor answers it 400 ("Bad
// Request (400)"), what Django's handler answers a SuspiciousOperation
// with when DEBUG is False.
var ErrBadRequest = errors.New("middleware: bad request")

// Django's exception classes for the body limits (BodyError.Django).
const (
	RequestDataTooBig = "RequestDataTooBig"
	TooManyFieldsSent = "TooManyFieldsSent"
	TooManyFilesSent  = "TooManyFilesSent"
	// MultiPartParserError: a multipart body Django cannot parse (here,
	// one without a boundary).
	MultiPartParserError = "MultiPartParserError"
)

// ErrMultipartBoundary is what an adapter passes to CheckMultipart when its
// framework found no boundary in a multipart/form-data Content-Type
// (net/http's http.ErrMissingBoundary is recognised as well): a 400, as
// Django's MultiPartParserError.
var ErrMultipartBoundary = errors.New("middleware: multipart/form-data without a boundary")

// A BodyError is a POST form refused by one of Django's body limits:
// Django names the exception Django raises (RequestDataTooBig,
// TooManyFieldsSent, TooManyFilesSent), Message its text.
// errors.Is(err, ErrBadRequest) holds.
type BodyError struct {
	Django  string
	Message string
}

func (e *BodyError) Error() string { return e.Django + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrBadRequest) true.
func (e *BodyError) Unwrap() error { return ErrBadRequest }

var (
	errTooBig = &BodyError{RequestDataTooBig,
		"Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."}
	errTooManyFields = &BodyError{TooManyFieldsSent,
		"The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."}
	errTooManyFiles = &BodyError{TooManyFilesSent,
		"The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES."}
	// errBoundary: MultiPartParserError, which Django's handler answers
	// 400 (a multipart/form-data Content-Type without a boundary).
	errBoundary = &BodyError{MultiPartParserError, "Invalid boundary in multipart: None"}
	// errGoMultipart: Go's mime/multipart refused the body as too large:
	// its own limits (more than 1000 parts, 10000 part headers, or fields
	// over maxMemory + 10 MiB), stricter than Django's in the first case.
	errGoMultipart = &BodyError{TooManyFieldsSent,
		"The multipart body exceeds the limits of Go's mime/multipart (1000 parts)."}
)

// Content types whose body request.POST parses.
const (
	FormURLEncoded = "application/x-www-form-urlencoded"
	FormMultipart  = "multipart/form-data"
)

// FormKind returns FormURLEncoded or FormMultipart for a Content-Type
// header that request.POST parses (the media type, case-insensitive,
// without its parameters), else "": Django's request.POST of any other
// body is empty and reads nothing.
func FormKind(contentType string) string {
	mt := contentType
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.TrimSpace(mt)
	switch {
	case equalFold(mt, FormURLEncoded):
		return FormURLEncoded
	case equalFold(mt, FormMultipart):
		return FormMultipart
	}
	return ""
}

type uploadLimits struct {
	memory        int64 // bytes; < 0: None
	fields, files int   // < 0: None
}

func limitsOf(s *djangobridge.Settings, rel djangobridge.Release) uploadLimits {
	var l uploadLimits
	l.memory, l.fields, l.files = s.UploadLimits()
	if !rel.DataUploadMaxNumberFiles {
		l.files = -1
	}
	return l
}

// ReadURLEncoded reads an application/x-www-form-urlencoded POST body as
// Django's request.POST does (HttpRequest.body, then QueryDict with
// max_num_fields): a *BodyError (RequestDataTooBig) when contentLength
// (-1: unknown, as with a chunked body) is over DATA_UPLOAD_MAX_MEMORY_SIZE
// — nothing is read then — or when more bytes than that come, of which at
// most the limit plus one are read; a *BodyError (TooManyFieldsSent) when a
// non-empty body has more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, counted
// as Python's parse_qsl counts them, 1 + the number of "&". Another error
// is the body's read error (Django's UnreadablePostError, which
// CsrfViewMiddleware ignores: the token is then missing). body is the raw
// form, for the adapter to give the handler.
func (m *Middleware) ReadURLEncoded(contentLength int64, r io.Reader) (body []byte, err error) {
	l := m.limits
	if l.memory >= 0 && contentLength > l.memory {
		return nil, errTooBig
	}
	if l.memory >= 0 {
		r = io.LimitReader(r, l.memory+1)
	}
	n := 512
	if contentLength > 0 {
		n = int(min(contentLength, 1<<20)) + 1 // + 1: room for the read that sees EOF
	}
	body = make([]byte, 0, n)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		k, err := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if l.memory >= 0 && int64(len(body)) > l.memory {
		return nil, errTooBig
	}
	return body, m.CheckURLEncoded(body)
}

// CheckURLEncoded applies Django's limits to an url-encoded body already
// in memory (fasthttp reads it whole before the handler): RequestDataTooBig
// past DATA_UPLOAD_MAX_MEMORY_SIZE, TooManyFieldsSent past
// DATA_UPLOAD_MAX_NUMBER_FIELDS, as ReadURLEncoded.
func (m *Middleware) CheckURLEncoded(body []byte) error {
	l := m.limits
	if l.memory >= 0 && int64(len(body)) > l.memory {
		return errTooBig
	}
	if l.fields >= 0 && len(body) > 0 && 1+bytes.Count(body, []byte{'&'}) > l.fields {
		return errTooManyFields
	}
	return nil
}

// CheckMultipart applies Django's limits (MultiPartParser._parse) to a
// multipart/form-data form parsed by the framework: TooManyFieldsSent for
// more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields (file parts do not
// count), RequestDataTooBig when the fields add up to more than
// DATA_UPLOAD_MAX_MEMORY_SIZE, each counted as len(name) + 2 + len(value)
// (files do not count), TooManyFilesSent for more than
// DATA_UPLOAD_MAX_NUMBER_FILES files on the releases that have it.
// parseErr is the framework's parse error, if any: Go's
// multipart.ErrMessageTooLarge (its own limit of 1000 parts) is answered
// as TooManyFieldsSent; another is returned as is (a malformed body:
// the token is then missing).
func (m *Middleware) CheckMultipart(f *multipart.Form, parseErr error) error {
	if parseErr != nil {
		switch {
		case errors.Is(parseErr, multipart.ErrMessageTooLarge):
			return errGoMultipart
		case errors.Is(parseErr, http.ErrMissingBoundary), errors.Is(parseErr, ErrMultipartBoundary):
			return errBoundary
		}
		return parseErr
	}
	if f == nil {
		return nil
	}
	l := m.limits
	fields, size := 0, int64(0)
	for name, vs := range f.Value {
		fields += len(vs)
		for _, v := range vs {
			size += int64(len(name) + 2 + len(v))
		}
	}
	if l.fields >= 0 && fields > l.fields {
		return errTooManyFields
	}
	if l.memory >= 0 && size > l.memory {
		return errTooBig
	}
	if l.files >= 0 {
		files := 0
		for _, fs := range f.File {
			files += len(fs)
		}
		if files > l.files {
			return errTooManyFiles
		}
	}
	return nil
}

// MultipartMaxMemory is the maxMemory to parse a multipart form with
// (http.Request.ParseMultipartForm): DATA_UPLOAD_MAX_MEMORY_SIZE, so that
// Go keeps no more of the fields in memory than Django would read
// (it allows its own 10 MiB above it), and files past it go to disk as
// with Django's default FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB). With None,
// Go's default of 32 MiB.
func (m *Middleware) MultipartMaxMemory() int64 {
	if m.limits.memory < 0 {
		return 32 << 20
	}
	return m.limits.memory
}
