package registration

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/djangobridge/djangobridge/internal/djangoforms"
	"github.com/djangobridge/djangobridge/passwords"
)

// Form is the registration form's data: django-registration's
// RegistrationForm fields (USERNAME_FIELD, the email field, password1,
// password2).
type Form struct {
	Username, Email, Password1, Password2 string
}

// FormErrors is form.errors: field name → Django's messages, in order.
// As an error it is ErrInvalidForm.
type FormErrors map[string][]string

func (fe FormErrors) add(field, msg string) { fe[field] = append(fe[field], msg) }

// Error lists the fields and messages, sorted by field.
func (fe FormErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("registration: invalid form:")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s: %s", k, strings.Join(fe[k], " "))
	}
	return b.String()
}

// Is matches ErrInvalidForm.
func (fe FormErrors) Is(target error) bool { return target == ErrInvalidForm }

// Messages of django.forms and django.contrib.auth (the same 3.2–6.1).
const (
	MsgRequired         = djangoforms.MsgRequired
	MsgInvalidUsername  = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	MsgDuplicateUser    = "A user with that username already exists."
	MsgPasswordMismatch = "The two password fields didn’t match."
	MsgInvalidEmail     = djangoforms.MsgInvalidEmail
	MsgReservedName     = "This name is reserved and cannot be registered."
	MsgNullCharacters   = djangoforms.MsgNullCharacters // ProhibitNullCharactersValidator, on every CharField
)

// MaxFieldBytes bounds each field: Django refuses a request body over
// DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB) before any form sees it.
const MaxFieldBytes = 2621440

// html5Email is django_registration.validators.HTML5_EMAIL_RE.
var html5Email = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+\/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)

// isUsername is UnicodeUsernameValidator: ^[\w.@+-]+\Z with Python's \w.
func isUsername(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || r == '@' || r == '+' || r == '-' || unicode.IsLetter(r) || unicode.IsNumber(r)) {
			return false
		}
	}
	return true
}

// clean is RegistrationForm's full_clean: it returns the cleaned username
// and email and the errors, in Django's order (form field validators, with
// django-registration's reserved-name and confusables checks last,
// clean_username's case-insensitive check on 4.2+, then the model's
// validators and unique check, then the password validators on password2).
func (w *base) clean(ctx context.Context, f Form) (username, email string, errs FormErrors, err error) {
	errs = FormErrors{}
	for name, v := range map[string]string{"username": f.Username, "email": f.Email, "password1": f.Password1, "password2": f.Password2} {
		if len(v) > MaxFieldBytes {
			errs.add(name, fmt.Sprintf("Ensure this value has at most %d bytes (it has %d).", MaxFieldBytes, len(v)))
		}
	}
	if len(errs) > 0 {
		return "", "", errs, nil
	}
	// username: CharField strips, UsernameField NFKC-normalizes.
	username = norm.NFKC.String(djangoforms.Strip(f.Username))
	usernameOK := false // the model instance holds the username (for the similarity check)
	if username == "" {
		errs.add("username", MsgRequired)
	} else {
		if m, ok := djangoforms.MaxLength(150, username); !ok {
			errs.add("username", m)
		}
		if strings.ContainsRune(username, 0) {
			errs.add("username", MsgNullCharacters)
		}
		if w.isReserved(username) {
			errs.add("username", MsgReservedName)
		}
		if !w.confusable.usernameOK(username) {
			errs.add("username", MsgConfusable)
		}
		if len(errs["username"]) == 0 {
			taken := false
			if w.rel.UsernameIExactUnique {
				if taken, err = w.users.UsernameTaken(ctx, username, true); err != nil {
					return "", "", nil, err
				}
			}
			// The model instance gets the username unless clean_username
			// refused it (it then holds None), so the similarity check
			// below sees even a username the model validation refuses.
			switch {
			case taken:
				errs.add("username", MsgDuplicateUser)
			case !isUsername(username):
				errs.add("username", MsgInvalidUsername)
				usernameOK = true
			default:
				if taken, err = w.users.UsernameTaken(ctx, username, false); err != nil {
					return "", "", nil, err
				}
				if taken {
					errs.add("username", MsgDuplicateUser)
				}
				usernameOK = true
			}
		}
	}
	// email: forms.EmailField(max_length=254), then django-registration's
	// HTML5 and confusables validators.
	email, emailErrs := djangoforms.CleanEmail(f.Email, w.rel.EmailValidatorUnicodeDomains)
	emailOK := false
	if email == "" {
		errs.add("email", MsgRequired)
	} else {
		for _, m := range emailErrs {
			errs.add("email", m)
		}
		if !html5Email.MatchString(email) {
			errs.add("email", MsgInvalidEmail)
		}
		if !w.confusable.emailOK(email) {
			errs.add("email", MsgConfusableEmail)
		}
		emailOK = len(errs["email"]) == 0
	}
	// A password with a NUL fails its field (ProhibitNullCharactersValidator)
	// and is then left out of the mismatch check; the validators still
	// judge a clean password2.
	p1Clean := f.Password1 != "" && !strings.ContainsRune(f.Password1, 0)
	if f.Password1 == "" {
		errs.add("password1", MsgRequired)
	} else if !p1Clean {
		errs.add("password1", MsgNullCharacters)
	}
	if f.Password2 == "" {
		errs.add("password2", MsgRequired)
	} else if strings.ContainsRune(f.Password2, 0) {
		errs.add("password2", MsgNullCharacters)
	} else if p1Clean && f.Password1 != f.Password2 {
		errs.add("password2", MsgPasswordMismatch)
	} else if w.validators != nil {
		attrs := passwords.Attrs{"username": {VerboseName: "username"}, "first_name": {VerboseName: "first name"},
			"last_name": {VerboseName: "last name"}, "email": {VerboseName: "email address"}}
		if usernameOK {
			attrs["username"] = passwords.Attr{Value: username, VerboseName: "username"}
		}
		if emailOK {
			attrs["email"] = passwords.Attr{Value: email, VerboseName: "email address"}
		}
		if err := w.validators.Validate(f.Password2, attrs); err != nil {
			if es, ok := err.(passwords.Errors); ok {
				for _, e := range es {
					errs.add("password2", e.Message)
				}
			}
		}
	}
	if len(errs) == 0 {
		errs = nil
	}
	return username, email, errs, nil
}

func (w *base) isReserved(name string) bool {
	if strings.HasPrefix(name, ".well-known") {
		return true
	}
	for _, r := range w.reserved {
		if r == name {
			return true
		}
	}
	return false
}
