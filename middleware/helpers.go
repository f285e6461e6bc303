package middleware

import (
	"net/http"
	"strings"
)

// LoginRequired is Django's @login_required: an anonymous user is
// redirected (302) to LOGIN_URL with ?next= the requested path and query
// (quoted as Django quotes it, "/" kept). A store error goes to the error
// handler. The request must have gone through Handler (else 500, logged).
func LoginRequired(next http.Handler) http.Handler { return guard(GuardLogin, "LoginRequired", next) }

// LoginRequiredAPI is LoginRequired for an API: an anonymous user gets
// 401 with {"error": "authentication required"} instead of a redirect.
func LoginRequiredAPI(next http.Handler) http.Handler {
	return guard(GuardLoginAPI, "LoginRequiredAPI", next)
}

// PermissionRequired is Django's @permission_required(perms,
// raise_exception=True): a user without every permission ("app_label.codename")
// gets 403 Forbidden, anonymous users included. Permission lookups use
// Options.Auth (HasPerms: active superusers have them all).
func PermissionRequired(perms ...string) func(http.Handler) http.Handler {
	g := GuardPerms(perms...)
	return func(next http.Handler) http.Handler { return guard(g, "PermissionRequired", next) }
}

// StaffOnly is Django admin's @staff_member_required: a user who is not
// both active and staff is redirected to LOGIN_URL with ?next=.
func StaffOnly(next http.Handler) http.Handler { return guard(GuardStaff, "StaffOnly", next) }

// guard runs next when State.Decide lets the request through, else writes
// its answer; errors go to Fail.
func guard(g Guard, name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateFor(r, name)
		if st == nil {
			Fail(w, r, ErrNoState)
			return
		}
		ok, a, err := st.Decide(r.Context(), g, r.URL.Path, r.URL.RawQuery)
		switch {
		case err != nil:
			Fail(w, r, err)
		case !ok:
			a.WriteTo(w)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// fullPath is request.get_full_path(): escape_uri_path(path), then "?"
// and iri_to_uri(query string).
func fullPath(r *http.Request) string {
	p := pyQuote(r.URL.Path, "/:@&+$,-_.!~*'()")
	if r.URL.RawQuery != "" {
		p += "?" + pyQuote(r.URL.RawQuery, "/#%[]=:;$&()+,!?*@'~")
	}
	return p
}

// LoginRedirectURL returns loginURL with next=path added to its query,
// path quoted as Django's QueryDict.urlencode(safe="/") quotes it.
func LoginRedirectURL(loginURL, path string) string {
	sep := "?"
	if strings.Contains(loginURL, "?") {
		sep = "&"
	}
	return loginURL + sep + "next=" + pyQuote(path, "/")
}

// pyQuote is urllib.parse.quote(s, safe): every byte but letters, digits,
// "_.-~" and safe is %XX-escaped (upper-case hex).
func pyQuote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == '-' || c == '~' || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func wrapStore(err error) error {
	if err == nil {
		return nil
	}
	return &storeError{err}
}

type storeError struct{ err error }

func (e *storeError) Error() string   { return ErrStore.Error() + ": " + e.err.Error() }
func (e *storeError) Unwrap() []error { return []error{ErrStore, e.err} }
