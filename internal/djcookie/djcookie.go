// Package djcookie holds the cookie rules of django.http.HttpResponse that
// more than one package writes by: one owner for each rule.
package djcookie

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DeleteSecure reports whether HttpResponse.delete_cookie(name, ...,
// samesite=sameSite) sets the Secure flag: only for a name starting with
// "__Secure-" or "__Host-", or a SameSite of "none" (any case), whatever
// SESSION_COOKIE_SECURE / CSRF_COOKIE_SECURE say (django/http/response.py,
// the same on 3.2, 4.2, 5.2 and 6.1). sameSite "" is samesite=None (no
// attribute).
func DeleteSecure(name, sameSite string) bool {
	return strings.HasPrefix(name, "__Secure-") || strings.HasPrefix(name, "__Host-") ||
		strings.EqualFold(sameSite, "none")
}

// Spec is the fixed part of a cookie Django sets: everything but
// the value and the age, from the settings.
type Spec struct {
	Name     string
	Domain   string // "" = no Domain attribute (None)
	Path     string // "" = no Path attribute
	Secure   bool
	HTTPOnly bool
	SameSite string // "" = no SameSite attribute
}

// NoMaxAge is the maxAge of a browser-session cookie (max_age=None).
const NoMaxAge = math.MinInt

// DeletionExpires is the expires attribute of HttpResponse.delete_cookie.
const DeletionExpires = "Thu, 01 Jan 1970 00:00:00 GMT"

// Render returns the Set-Cookie header value HttpResponse.set_cookie
// produces, in the order Python's Morsel.OutputString writes attributes
// (sorted by attribute key: Domain, expires, HttpOnly, Max-Age, Path,
// SameSite, Secure). maxAge NoMaxAge means no Max-Age and no expires (a
// browser-session cookie, max_age=None); a negative maxAge is written as
// is with an expires in the past, as Django does for set_expiry(-10);
// expires "" means "now + maxAge" as an HTTP date.
func (c *Spec) Render(value string, maxAge int, expires string, now time.Time) string {
	var b strings.Builder
	b.Grow(len(c.Name) + len(value) + 96 + len(c.Domain) + len(c.Path))
	b.WriteString(c.Name)
	b.WriteByte('=')
	WriteValue(&b, value)
	if c.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.Domain)
	}
	if maxAge != NoMaxAge {
		if expires == "" {
			expires = now.Add(time.Duration(maxAge) * time.Second).UTC().Format(http.TimeFormat)
		}
		b.WriteString("; expires=")
		b.WriteString(expires)
	}
	if c.HTTPOnly {
		b.WriteString("; HttpOnly")
	}
	if maxAge != NoMaxAge {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(maxAge))
	}
	if c.Path != "" {
		b.WriteString("; Path=")
		b.WriteString(c.Path)
	}
	if c.SameSite != "" {
		b.WriteString("; SameSite=")
		b.WriteString(c.SameSite)
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	return b.String()
}

// RenderDelete is HttpResponse.delete_cookie(name, path, domain, samesite):
// an empty value, Max-Age=0, the 1970 date, no HttpOnly, and Secure only
// for __Secure-/__Host- names or SameSite=None.
func (c *Spec) RenderDelete() string {
	d := Spec{
		Name:     c.Name,
		Domain:   c.Domain,
		Path:     c.Path,
		SameSite: c.SameSite,
		Secure:   DeleteSecure(c.Name, c.SameSite),
	}
	return d.Render("", 0, DeletionExpires, time.Time{})
}

// WriteValue writes v as http.cookies._quote does: as is when every
// character is legal in a cookie value, else double-quoted with \" \\ and
// octal escapes. The empty value is written "" (that is what Django sends
// when it deletes a cookie).
func WriteValue(b *strings.Builder, v string) {
	legal := v != ""
	for i := 0; i < len(v) && legal; i++ {
		legal = isLegalChar(v[i])
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

// isLegalChar is http.cookies._LegalChars: letters, digits and
// !#$%&'*+-.^_`|~:
func isLegalChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~:", c) >= 0
}

// FromHTTP is the Set-Cookie text Django writes for c, a cookie set with no
// age (set_cookie(name, value, path, domain, secure, httponly, samesite),
// max_age=None) or, when c.MaxAge < 0, deleted (delete_cookie(name, path,
// domain, samesite), which ignores c.Secure and c.HttpOnly). sameSite is
// the SameSite attribute as the settings spell it ("" for none): Django
// writes the setting verbatim. The Domain is written as given, a leading
// dot included, as Django does (net/http's SetCookie drops it).
func FromHTTP(c *http.Cookie, sameSite string) string {
	spec := Spec{Name: c.Name, Domain: c.Domain, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HttpOnly, SameSite: sameSite}
	if c.MaxAge < 0 {
		return spec.RenderDelete()
	}
	return spec.Render(c.Value, NoMaxAge, "", time.Time{})
}
