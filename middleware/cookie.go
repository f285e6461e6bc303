package middleware

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cookieSpec is the fixed part of a cookie Django sets: everything but
// the value and the age, from the settings.
type cookieSpec struct {
	name     string
	domain   string // "" = no Domain attribute (None)
	path     string // "" = no Path attribute
	secure   bool
	httpOnly bool
	sameSite string // "" = no SameSite attribute
}

// noMaxAge is the maxAge of a browser-session cookie (max_age=None).
const noMaxAge = math.MinInt

// deletionExpires is the expires attribute of HttpResponse.delete_cookie.
const deletionExpires = "Thu, 01 Jan 1970 00:00:00 GMT"

// render returns the Set-Cookie header value HttpResponse.set_cookie
// produces, in the order Python's Morsel.OutputString writes attributes
// (sorted by attribute key: Domain, expires, HttpOnly, Max-Age, Path,
// SameSite, Secure). maxAge noMaxAge means no Max-Age and no expires (a
// browser-session cookie, max_age=None); a negative maxAge is written as
// is with an expires in the past, as Django does for set_expiry(-10);
// expires "" means "now + maxAge" as an HTTP date.
func (c *cookieSpec) render(value string, maxAge int, expires string, now time.Time) string {
	var b strings.Builder
	b.Grow(len(c.name) + len(value) + 96 + len(c.domain) + len(c.path))
	b.WriteString(c.name)
	b.WriteByte('=')
	writeCookieValue(&b, value)
	if c.domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.domain)
	}
	if maxAge != noMaxAge {
		if expires == "" {
			expires = now.Add(time.Duration(maxAge) * time.Second).UTC().Format(http.TimeFormat)
		}
		b.WriteString("; expires=")
		b.WriteString(expires)
	}
	if c.httpOnly {
		b.WriteString("; HttpOnly")
	}
	if maxAge != noMaxAge {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(maxAge))
	}
	if c.path != "" {
		b.WriteString("; Path=")
		b.WriteString(c.path)
	}
	if c.sameSite != "" {
		b.WriteString("; SameSite=")
		b.WriteString(c.sameSite)
	}
	if c.secure {
		b.WriteString("; Secure")
	}
	return b.String()
}

// renderDelete is HttpResponse.delete_cookie(name, path, domain, samesite):
// an empty value, Max-Age=0, the 1970 date, no HttpOnly, and Secure only
// for __Secure-/__Host- names or SameSite=None.
func (c *cookieSpec) renderDelete() string {
	d := cookieSpec{
		name:     c.name,
		domain:   c.domain,
		path:     c.path,
		sameSite: c.sameSite,
		secure: strings.HasPrefix(c.name, "__Secure-") || strings.HasPrefix(c.name, "__Host-") ||
			strings.EqualFold(c.sameSite, "none"),
	}
	return d.render("", 0, deletionExpires, time.Time{})
}

// writeCookieValue writes v as http.cookies._quote does: as is when every
// character is legal in a cookie value, else double-quoted with \" \\ and
// octal escapes. The empty value is written "" (that is what Django sends
// when it deletes a cookie).
func writeCookieValue(b *strings.Builder, v string) {
	legal := v != ""
	for i := 0; i < len(v) && legal; i++ {
		legal = isLegalCookieChar(v[i])
	}
	if legal {
		b.WriteString(v)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f || c == ',' || c == ';':
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// isLegalCookieChar is http.cookies._LegalChars: letters, digits and
// !#$%&'*+-.^_`|~:
func isLegalCookieChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~:", c) >= 0
}

// hasVaryCookie reports whether the Vary values already name Cookie or *,
// in which case patch_vary_headers(response, ("Cookie",)) adds nothing.
func hasVaryCookie(values []string) bool {
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, "Cookie") {
				return true
			}
		}
	}
	return false
}

// AddVaryCookie adds Cookie to the Vary header of h unless it is already
// there (or Vary is *), as django.utils.cache.patch_vary_headers does.
func AddVaryCookie(h http.Header) {
	if !hasVaryCookie(h.Values("Vary")) {
		h.Add("Vary", "Cookie")
	}
}
