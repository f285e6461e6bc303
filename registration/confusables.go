package registration

import (
	"fmt"
	"sort"
	"strings"
)

//go:generate go run ./internal/confusablesgen -new $DJANGOBRIDGE_TEST_DJANGO/5.2/confusable_homoglyphs -old $DJANGOBRIDGE_TEST_DJANGO/3.2/confusable_homoglyphs -o confusables_table.go

// Messages of django_registration.validators (3.3) for a username or email
// that confusable_homoglyphs calls dangerous.
const (
	MsgConfusable      = "This name cannot be registered. Please choose a different name."
	MsgConfusableEmail = "This email address cannot be registered. Please supply a different email address."
)

// Versions of the Python package confusable_homoglyphs whose data
// Config.ConfusableHomoglyphs selects. The two differ only in 627 code
// points (CJK ideographs of recent Unicode versions and a few symbols) that
// 3.2.0 gives no script ("Unknown") and 3.3.1 gives HAN or COMMON.
const (
	// ConfusableHomoglyphs331 is the default: PyPI's latest, and Debian
	// 13's and later's (beside Django 4.2, 5.2, 6.1 in the tests).
	ConfusableHomoglyphs331 = "3.3.1"
	// ConfusableHomoglyphs320 is Debian 12's (beside Django 3.2).
	ConfusableHomoglyphs320 = "3.2.0"
)

// confusables is confusable_homoglyphs' is_dangerous with the data of one
// package version.
type confusables struct{ v320 bool }

func newConfusables(version string) (confusables, error) {
	switch version {
	case "", ConfusableHomoglyphs331:
		return confusables{}, nil
	case ConfusableHomoglyphs320:
		return confusables{v320: true}, nil
	}
	return confusables{}, fmt.Errorf("%w: ConfusableHomoglyphs %q: want %q (the default) or %q, the confusable_homoglyphs version the Django site has installed (python -c 'import confusable_homoglyphs; print(confusable_homoglyphs.__version__)')",
		ErrConfig, version, ConfusableHomoglyphs331, ConfusableHomoglyphs320)
}

// inRanges reports whether r is in one of the sorted, disjoint runs.
func inRanges(rs [][2]rune, r rune) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i][1] >= r })
	return i < len(rs) && rs[i][0] <= r
}

type scriptRange struct {
	lo, hi rune
	alias  uint8
}

// alias is categories.alias(char): the script alias of r, "Unknown" when
// categories.json has no range for it.
func (c confusables) alias(r rune) string {
	if c.v320 && inRanges(unknownIn320[:], r) {
		return "Unknown"
	}
	i := sort.Search(len(scriptRanges), func(i int) bool { return scriptRanges[i].hi >= r })
	if i < len(scriptRanges) && scriptRanges[i].lo <= r {
		return scriptNames[scriptRanges[i].alias]
	}
	return "Unknown"
}

// isMixedScript is confusables.is_mixed_script(s): more than one script
// alias besides COMMON.
func (c confusables) isMixedScript(s string) bool {
	first := ""
	for _, r := range s {
		a := c.alias(r)
		switch {
		case a == "COMMON":
		case first == "":
			first = a
		case a != first:
			return true
		}
	}
	return false
}

// isConfusable is bool(confusables.is_confusable(s)) with no preferred
// aliases: some character of s has homoglyphs in confusables.json.
func isConfusable(s string) bool {
	for _, r := range s {
		if inRanges(confusableRanges[:], r) {
			return true
		}
	}
	return false
}

// isDangerous is confusables.is_dangerous(s): mixed-script and confusable.
func (c confusables) isDangerous(s string) bool {
	return c.isMixedScript(s) && isConfusable(s)
}

// usernameOK is validate_confusables(value).
func (c confusables) usernameOK(v string) bool { return !c.isDangerous(v) }

// emailOK is validate_confusables_email(value): a value with exactly one
// "@" is refused when its local part or its domain is dangerous; any other
// value is not judged.
func (c confusables) emailOK(v string) bool {
	if strings.Count(v, "@") != 1 {
		return true
	}
	local, domain, _ := strings.Cut(v, "@")
	return !c.isDangerous(local) && !c.isDangerous(domain)
}
