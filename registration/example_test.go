package registration_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/registration"
)

// django-registration's confusables checks: a username mixing scripts with
// a character that looks like another script's ("pаypal" with a Cyrillic
// а) is refused, as is an email whose local part or domain does; a name in
// one script is not. ConfusableHomoglyphs picks the data of the
// confusable_homoglyphs version the Django site runs ("" = 3.3.1).
func ExampleConfig_confusableHomoglyphs() {
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	s.SecretKey = "example-secret-key"
	pw, _ := hashers.New(&s)
	w, err := registration.NewHMAC(registration.Config{Settings: &s, Users: registration.NewMemoryUsers(), Passwords: pw,
		ConfusableHomoglyphs: registration.ConfusableHomoglyphs331},
		registration.HMACConfig{Keys: registration.KeyOptions{ActivationDays: 7}, Sender: &accountmail.Console{W: io.Discard},
			SiteURL: "https://example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range []registration.Form{
		{Username: "pаypal", Email: "p@example.com", Password1: "a fine pass 123", Password2: "a fine pass 123"},
		{Username: "paypal", Email: "p@exаmple.com", Password1: "a fine pass 123", Password2: "a fine pass 123"},
		{Username: "Σίσυφος", Email: "s@example.com", Password1: "a fine pass 123", Password2: "a fine pass 123"},
	} {
		var fe registration.FormErrors
		if err := w.Validate(context.Background(), f); errors.As(err, &fe) {
			fmt.Printf("%s: %q\n", f.Username, map[string][]string(fe))
		} else {
			fmt.Printf("%s: valid (%v)\n", f.Username, err)
		}
	}
	// Output:
	// pаypal: map["username":["This name cannot be registered. Please choose a different name."]]
	// paypal: map["email":["Enter a valid email address." "This email address cannot be registered. Please supply a different email address."]]
	// Σίσυφος: valid (<nil>)
}
