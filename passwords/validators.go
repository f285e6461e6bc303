// Package passwords is Django's password validation
// (django/contrib/auth/password_validation.py): the AUTH_PASSWORD_VALIDATORS
// setting and its four built-in validators, with Django's verdicts, error
// codes and English messages on every supported release.
//
//	vs, err := passwords.New(settings, passwords.DjangoDefaults())
//	err = vs.Validate(password, passwords.UserOf(u)) // nil, or passwords.Errors
//
// Verdicts follow Python's string semantics (code points, str.lower with
// its special cases, str.strip, str.isdigit, re's \W, difflib's
// SequenceMatcher.quick_ratio), so a password Django refuses is refused
// here with the same messages, in the same order.
package passwords

import (
	"errors"
	"fmt"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// The error codes of Django's built-in validators (ValidationError.code).
const (
	CodeTooShort   = "password_too_short"
	CodeTooSimilar = "password_too_similar"
	CodeTooCommon  = "password_too_common"
	CodeNumeric    = "password_entirely_numeric"
)

// Sentinels for errors.Is: an *Error matches the sentinel of its Code.
var (
	ErrTooShort   = errors.New(CodeTooShort)
	ErrTooSimilar = errors.New(CodeTooSimilar)
	ErrTooCommon  = errors.New(CodeTooCommon)
	ErrNumeric    = errors.New(CodeNumeric)
	// ErrConfig is wrapped by every configuration mistake New reports.
	ErrConfig = errors.New("passwords: bad AUTH_PASSWORD_VALIDATORS")
)

var codeSentinels = map[string]error{
	CodeTooShort: ErrTooShort, CodeTooSimilar: ErrTooSimilar,
	CodeTooCommon: ErrTooCommon, CodeNumeric: ErrNumeric,
}

// Error is one validator's refusal: Django's ValidationError with its
// message already formatted, its code and its params.
type Error struct {
	Code    string         // e.g. "password_too_short"
	Message string         // e.g. "This password is too short. It must contain at least 8 characters."
	Params  map[string]any // e.g. {"min_length": 8}, {"verbose_name": "username"}; nil when none
}

func (e *Error) Error() string { return e.Message }

// Is matches the sentinel of e.Code (ErrTooShort, ...).
func (e *Error) Is(target error) bool { return codeSentinels[e.Code] == target }

// Errors is what Validate returns when a password is refused: every
// refusing validator's Error, in the order of the validators, as
// validate_password's ValidationError(errors).
type Errors []*Error

func (es Errors) Error() string { return strings.Join(es.Messages(), " ") }

// Messages returns the messages in order (ValidationError.messages).
func (es Errors) Messages() []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Message
	}
	return out
}

// Unwrap lets errors.Is and errors.As see each Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// User is what UserAttributeSimilarityValidator reads of a user:
// getattr(user, name) and the verbose_name of that model field.
type User interface {
	// PasswordAttribute returns the value of attribute name and its
	// verbose name. ok is false when the user has no such attribute or it
	// is not text (Django skips both).
	PasswordAttribute(name string) (value, verboseName string, ok bool)
}

// Attr is one user attribute: its value and its field's verbose name
// ("" = the attribute name, as Django uses for a non-field attribute).
type Attr struct{ Value, VerboseName string }

// Attrs is a User made of named attributes.
type Attrs map[string]Attr

// PasswordAttribute implements User.
func (m Attrs) PasswordAttribute(name string) (string, string, bool) {
	a, ok := m[name]
	if !ok {
		return "", "", false
	}
	vn := a.VerboseName
	if vn == "" {
		vn = name
	}
	return a.Value, vn, true
}

// authUserVerboseNames are the verbose names of auth.User's text fields
// (django/contrib/auth/models.py, the same 3.2–6.1).
var authUserVerboseNames = map[string]string{
	djangouser.ColUsername:  "username",
	djangouser.ColFirstName: "first name",
	djangouser.ColLastName:  "last name",
	djangouser.ColEmail:     "email address",
	djangouser.ColPassword:  "password",
}

// UserOf returns u's text attributes as Django's validator sees them: the
// auth.User columns with their verbose names, and u.Extra's text columns
// with a field's default verbose name (the name with "_" as spaces).
// A nil or anonymous u gives nil (Django skips the similarity check).
func UserOf(u *djangouser.User) User {
	if u.IsAnonymous() {
		return nil
	}
	m := Attrs{}
	for name, vn := range authUserVerboseNames {
		v, _ := u.Field(name)
		m[name] = Attr{Value: v.(string), VerboseName: vn}
	}
	for name, v := range u.Extra {
		if s, ok := v.(string); ok {
			m[name] = Attr{Value: s, VerboseName: strings.ReplaceAll(name, "_", " ")}
		}
	}
	return m
}

// Validator is one entry of AUTH_PASSWORD_VALIDATORS.
type Validator interface {
	// Validate returns nil when password passes, else the refusal. user
	// may be nil (validate_password(password, user=None)).
	Validate(password string, user User) *Error
	// HelpText is get_help_text().
	HelpText() string
}

// Validators is a configured AUTH_PASSWORD_VALIDATORS list. It is
// immutable and safe for concurrent use.
type Validators struct {
	list []Validator
}

// Validate is validate_password(password, user): nil when every validator
// passes, else Errors with each refusal in order. user may be nil.
func (v *Validators) Validate(password string, user User) error {
	var errs Errors
	for _, val := range v.list {
		if e := val.Validate(password, user); e != nil {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// HelpTexts is password_validators_help_texts().
func (v *Validators) HelpTexts() []string {
	out := make([]string, len(v.list))
	for i, val := range v.list {
		out[i] = val.HelpText()
	}
	return out
}

// List returns the validators in order.
func (v *Validators) List() []Validator { return append([]Validator(nil), v.list...) }

// Config is one entry of AUTH_PASSWORD_VALIDATORS: NAME and OPTIONS, or a
// Validator of your own.
type Config struct {
	// Name is the dotted path of a built-in validator, e.g.
	// "django.contrib.auth.password_validation.MinimumLengthValidator".
	Name string
	// Options are the keyword arguments: min_length (int),
	// user_attributes ([]string), max_similarity (float64 ≥ 0.1),
	// password_list_path (string: a file, gzipped or not, one lower-case
	// password per line).
	Options map[string]any
	// Validator, when set, is used instead of Name.
	Validator Validator
}

// The dotted paths of the built-in validators.
const (
	NameUserAttributeSimilarity = "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
	NameMinimumLength           = "django.contrib.auth.password_validation.MinimumLengthValidator"
	NameCommonPassword          = "django.contrib.auth.password_validation.CommonPasswordValidator"
	NameNumericPassword         = "django.contrib.auth.password_validation.NumericPasswordValidator"
)

// DjangoDefaults returns the AUTH_PASSWORD_VALIDATORS that `django-admin
// startproject` writes: the four built-ins without options. (Django's
// global default is the empty list: no validation.)
func DjangoDefaults() []Config {
	return []Config{
		{Name: NameUserAttributeSimilarity}, {Name: NameMinimumLength},
		{Name: NameCommonPassword}, {Name: NameNumericPassword},
	}
}

// New is get_password_validators(cfg) for the release of s (which picks
// the common-password list Django ships). An empty cfg validates nothing,
// as Django's default setting. Mistakes wrap ErrConfig and name the entry.
func New(s *djangobridge.Settings, cfg []Config) (*Validators, error) {
	if s == nil {
		return nil, errors.New("passwords: nil Settings: start from djangobridge.Defaults()")
	}
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	v := &Validators{}
	for i, c := range cfg {
		if c.Validator != nil {
			v.list = append(v.list, c.Validator)
			continue
		}
		val, err := build(rel, c)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d (%s): %v", ErrConfig, i, c.Name, err)
		}
		v.list = append(v.list, val)
	}
	return v, nil
}

func build(rel djangobridge.Release, c Config) (Validator, error) {
	allowed := map[string][]string{
		NameUserAttributeSimilarity: {"user_attributes", "max_similarity"},
		NameMinimumLength:           {"min_length"},
		NameCommonPassword:          {"password_list_path"},
		NameNumericPassword:         nil,
	}
	names, ok := allowed[c.Name]
	if !ok {
		return nil, fmt.Errorf("The module in NAME could not be imported: %s. Check your AUTH_PASSWORD_VALIDATORS setting.", c.Name)
	}
	for k := range c.Options {
		found := false
		for _, n := range names {
			found = found || n == k
		}
		if !found {
			return nil, fmt.Errorf("unexpected option %q (this validator takes %v)", k, names)
		}
	}
	switch c.Name {
	case NameMinimumLength:
		n := 8
		if x, ok := c.Options["min_length"]; ok {
			i, ok := asInt(x)
			if !ok {
				return nil, fmt.Errorf("min_length %v (%T): want an integer", x, x)
			}
			n = i
		}
		return MinimumLength(n), nil
	case NameUserAttributeSimilarity:
		attrs := DefaultUserAttributes()
		if x, ok := c.Options["user_attributes"]; ok {
			var err error
			if attrs, err = asStrings(x); err != nil {
				return nil, fmt.Errorf("user_attributes: %v", err)
			}
		}
		ms := 0.7
		if x, ok := c.Options["max_similarity"]; ok {
			f, ok := asFloat(x)
			if !ok {
				return nil, fmt.Errorf("max_similarity %v (%T): want a number", x, x)
			}
			ms = f
		}
		return UserAttributeSimilarity(attrs, ms)
	case NameCommonPassword:
		if x, ok := c.Options["password_list_path"]; ok {
			p, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("password_list_path %v (%T): want a file path", x, x)
			}
			return CommonPasswordsFromFile(p)
		}
		return CommonPasswords(rel)
	default:
		return Numeric(), nil
	}
}

func asInt(x any) (int, bool) {
	switch v := x.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case int32:
		return int(v), true
	case float64:
		if v == float64(int(v)) {
			return int(v), true
		}
	}
	return 0, false
}

func asFloat(x any) (float64, bool) {
	switch v := x.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

func asStrings(x any) ([]string, error) {
	switch v := x.(type) {
	case []string:
		return append([]string(nil), v...), nil
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("item %d is %T, want a string", i, e)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("%T: want a list of attribute names", x)
}

// minimumLength is MinimumLengthValidator.
type minimumLength struct{ n int }

// MinimumLength is MinimumLengthValidator(min_length=n) (Django's default
// n is 8): a password of fewer than n code points is refused.
func MinimumLength(n int) Validator { return minimumLength{n} }

func (v minimumLength) Validate(password string, _ User) *Error {
	if len(pyRunes(password)) < v.n {
		return &Error{Code: CodeTooShort, Message: fmt.Sprintf(ngettext(
			"This password is too short. It must contain at least %d character.",
			"This password is too short. It must contain at least %d characters.", v.n), v.n),
			Params: map[string]any{"min_length": v.n}}
	}
	return nil
}

func (v minimumLength) HelpText() string {
	return fmt.Sprintf(ngettext("Your password must contain at least %d character.",
		"Your password must contain at least %d characters.", v.n), v.n)
}

// ngettext is English's plural rule (n != 1).
func ngettext(singular, plural string, n int) string {
	if n == 1 {
		return singular
	}
	return plural
}

// numeric is NumericPasswordValidator.
type numeric struct{}

// Numeric is NumericPasswordValidator: a password made only of digits
// (str.isdigit: also superscripts, circled digits, other scripts' digits)
// is refused.
func Numeric() Validator { return numeric{} }

func (numeric) Validate(password string, _ User) *Error {
	if pyIsDigit(pyRunes(password)) {
		return &Error{Code: CodeNumeric, Message: "This password is entirely numeric."}
	}
	return nil
}

func (numeric) HelpText() string { return "Your password can’t be entirely numeric." }

// similarity is UserAttributeSimilarityValidator.
type similarity struct {
	attrs []string
	max   float64
}

// DefaultUserAttributes is DEFAULT_USER_ATTRIBUTES: username, first_name,
// last_name, email.
func DefaultUserAttributes() []string {
	return []string{djangouser.ColUsername, djangouser.ColFirstName, djangouser.ColLastName, djangouser.ColEmail}
}

// UserAttributeSimilarity is UserAttributeSimilarityValidator(attrs,
// maxSimilarity) (defaults DefaultUserAttributes() and 0.7): a password is
// refused when, lower-cased, its quick_ratio against an attribute's value
// (lower-cased) or one of the value's \W+-separated parts reaches
// maxSimilarity. maxSimilarity below 0.1 is an error, as in Django.
func UserAttributeSimilarity(attrs []string, maxSimilarity float64) (Validator, error) {
	if maxSimilarity < 0.1 {
		return nil, fmt.Errorf("%w: max_similarity must be at least 0.1", ErrConfig)
	}
	return similarity{attrs: append([]string(nil), attrs...), max: maxSimilarity}, nil
}

func (v similarity) Validate(password string, user User) *Error {
	if user == nil {
		return nil
	}
	pw := pyLower(pyRunes(password))
	for _, name := range v.attrs {
		value, verbose, ok := user.PasswordAttribute(name)
		if !ok || value == "" {
			continue
		}
		lower := pyLower(pyRunes(value))
		parts := append(pySplitNonWord(lower), lower)
		for _, part := range parts {
			if exceedsMaximumLengthRatio(len(pw), v.max, len(part)) {
				continue
			}
			if NewSequenceMatcher(pw, part, true).QuickRatio() >= v.max {
				return &Error{Code: CodeTooSimilar,
					Message: "The password is too similar to the " + verbose + ".",
					Params:  map[string]any{"verbose_name": verbose}}
			}
		}
	}
	return nil
}

// exceedsMaximumLengthRatio is exceeds_maximum_length_ratio: whether the
// value is so much shorter than the password that quick_ratio cannot reach
// maxSimilarity (skipping the comparison).
func exceedsMaximumLengthRatio(pwdLen int, maxSimilarity float64, valueLen int) bool {
	lengthBoundSimilarity := maxSimilarity / 2 * float64(pwdLen)
	return pwdLen >= 10*valueLen && float64(valueLen) < lengthBoundSimilarity
}

func (similarity) HelpText() string {
	return "Your password can’t be too similar to your other personal information."
}
