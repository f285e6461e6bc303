package middleware

import (
	"net/http"
	"strings"
)

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
