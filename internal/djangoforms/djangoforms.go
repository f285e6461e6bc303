// Package djangoforms holds the django.forms rules that more than one of
// djangobridge's account forms applies (registration's RegistrationForm,
// passwordreset's PasswordResetForm): CharField's strip, EmailField's
// validators, and their messages, the same on Django 3.2–6.1.
package djangoforms

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages of django.forms and django.core.validators.
const (
	MsgRequired       = "This field is required."
	MsgInvalidEmail   = "Enter a valid email address."
	MsgNullCharacters = "Null characters are not allowed." // ProhibitNullCharactersValidator, on every CharField
)

// EmailMaxLength is the max_length of auth's email fields (AbstractUser.email,
// PasswordResetForm.email): 254.
const EmailMaxLength = 254

// Strip is str.strip(), what CharField(strip=True) applies.
func Strip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) })
}

// MaxLength is MaxLengthValidator(n): v's length in code points, and
// Django's message when it is over n.
func MaxLength(n int, v string) (string, bool) {
	if c := utf8.RuneCountInString(v); c > n {
		return fmt.Sprintf("Ensure this value has at most %d characters (it has %d).", n, c), false
	}
	return "", true
}

// emailUser and emailDomain are django.core.validators.
// EmailValidator's user_regex and, before 5.2, domain_regex
// (case-insensitive; Go's $ without (?m) is Python's \Z).
var (
	emailUser   = regexp.MustCompile(`(?i)(^[-!#$%&'*+/=?^_` + "`" + `{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_` + "`" + `{}|~0-9A-Z]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$)`)
	emailDomain = regexp.MustCompile(`(?i)^((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63})$`)
	// emailLiteral is literal_regex: \[([A-F0-9:.]+)\]\Z.
	emailLiteral = regexp.MustCompile(`(?i)^\[([A-F0-9:.]+)\]$`)
)

// pyIgnoreCaseI maps the two letters Python's re.IGNORECASE matches with
// [A-Z] and Go's (?i) does not: U+0130 İ and U+0131 ı, both as "i" (their
// simple case mappings). (U+017F ſ and U+212A K fold in both.)
var pyIgnoreCaseI = strings.NewReplacer("\u0130", "i", "\u0131", "i")

// EmailValid is EmailValidator()(value) (django/core/validators.py) under
// the release's domain rule (djangobridge.Release.
// EmailValidatorUnicodeDomains), with its 320-character cap, "localhost"
// allowed and [IPv4]/[IPv6] literals checked as validate_ipv46_address.
// Before 5.2 Django retries a refused domain on its IDNA 2003 encoding
// (domain.encode("idna"): idna2003, over Python's Unicode 3.2 stringprep
// tables).
func EmailValid(v string, unicodeDomains bool) bool {
	if v == "" || !strings.Contains(v, "@") || utf8.RuneCountInString(v) > 320 {
		return false
	}
	i := strings.LastIndexByte(v, '@')
	user, domain := v[:i], v[i+1:]
	if !emailUser.MatchString(pyIgnoreCaseI.Replace(user)) {
		return false
	}
	if domain == "localhost" || validLiteral(domain) {
		return true
	}
	if unicodeDomains {
		return unicodeDomainValid(domain)
	}
	if asciiDomainValid(domain) {
		return true
	}
	// Try for possible IDN domain-part: punycode(domain), then
	// validate_domain_part again.
	a, ok := idna2003(domain)
	return ok && (asciiDomainValid(a) || validLiteral(a))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiDomainValid is the pre-5.2 domain_regex, whose TLD ends (?<!-).
func asciiDomainValid(d string) bool {
	d = pyIgnoreCaseI.Replace(d) // re.IGNORECASE: ı and İ are letters of [A-Z0-9]
	return emailDomain.MatchString(d) && !strings.HasSuffix(d, "-")
}

// validLiteral is literal_regex then validate_ipv46_address: a strict
// dotted-quad IPv4 (no leading zeros, as ipaddress.IPv4Address), else an
// IPv6 address of at most 39 characters (MAX_IPV6_ADDRESS_LENGTH).
func validLiteral(d string) bool {
	m := emailLiteral.FindStringSubmatch(d)
	if m == nil {
		return false
	}
	ip := m[1]
	if a, err := netip.ParseAddr(ip); err == nil && a.Is4() && !strings.Contains(ip, ":") {
		return true
	}
	if len(ip) > 39 || !strings.Contains(ip, ":") {
		return false
	}
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Is6()
}

// unicodeDomainValid is the 5.2+ domain_regex, hostname_re + domain_re +
// tld_no_fqdn_re of DomainNameValidator, case-insensitive, where a label
// character is an ASCII letter or digit, "-", or U+00A1–U+FFFF:
//
//	first label  1–63 characters, no "-" first or last
//	more labels  1–63 characters, no "-" first or last
//	TLD          2–63 letters/"-"/U+00A1–U+FFFF, or xn-- and 1–59 of [a-z0-9]; no "-" first or last
func unicodeDomainValid(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels[:len(labels)-1] {
		if n := utf8.RuneCountInString(l); n < 1 || n > 63 || !labelChars(l, true) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	if tld == "" || tld[0] == '-' || tld[len(tld)-1] == '-' {
		return false
	}
	if n := utf8.RuneCountInString(tld); n >= 2 && n <= 63 && labelChars(tld, false) {
		return true
	}
	return len(tld) > 4 && len(tld) <= 4+59 && strings.EqualFold(tld[:4], "xn--") && isASCIIAlnum(tld[4:])
}

// labelChars reports whether l is made of ASCII letters, "-", U+00A1–U+FFFF
// and, with digits, ASCII digits, and neither starts nor ends with "-".
func labelChars(l string, digits bool) bool {
	if l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r >= 0xa1 && r <= 0xffff:
		case digits && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

func isASCIIAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// CleanEmail is forms.EmailField(max_length=254).clean(v): the stripped
// value, and the field's errors in Django's order (unicodeDomains is the
// release's Release.EmailValidatorUnicodeDomains) (required; then
// validate_email, MaxLengthValidator, ProhibitNullCharactersValidator).
func CleanEmail(v string, unicodeDomains bool) (string, []string) {
	v = Strip(v)
	if v == "" {
		return "", []string{MsgRequired}
	}
	var errs []string
	if !EmailValid(v, unicodeDomains) {
		errs = append(errs, MsgInvalidEmail)
	}
	if m, ok := MaxLength(EmailMaxLength, v); !ok {
		errs = append(errs, m)
	}
	if strings.ContainsRune(v, 0) {
		errs = append(errs, MsgNullCharacters)
	}
	return v, errs
}
