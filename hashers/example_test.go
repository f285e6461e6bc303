package hashers_test

import (
	"context"
	"fmt"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/hashers"
)

// Check a password against a hash Django stored, and upgrade it the way
// Django's User.check_password does when it matched but is outdated.
func ExampleSet_Check() {
	s := djangobridge.Defaults() // Django 5.2: PBKDF2 with 1,000,000 iterations preferred
	set, err := hashers.New(&s)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// A hash from auth_user.password, made by Django with 1,000 iterations.
	stored := "pbkdf2_sha256$1000$abcdefghijklmnopqrstuv$flhTZtra4zPdZNZFVqws6U6XIYxq0GjaTXkrfL1+eKo="

	ok, mustUpdate, err := set.Check(ctx, "wrong", stored)
	fmt.Println(ok, mustUpdate, err)

	ok, mustUpdate, err = set.Check(ctx, "pässword", stored)
	fmt.Println(ok, mustUpdate, err)
	if ok && mustUpdate {
		newHash, err := set.Make(ctx, "pässword") // store this in auth_user.password
		if err != nil {
			panic(err)
		}
		ok, mustUpdate, _ = set.Check(ctx, "pässword", newHash)
		fmt.Println(ok, mustUpdate, len(newHash))
	}

	_, _, err = set.Check(ctx, "pässword", "pbkdf2_sha256$1000000000000$abcdefghijklmnopqrstuv$flhTZtra4zPdZNZFVqws6U6XIYxq0GjaTXkrfL1+eKo=")
	fmt.Println(err)
	// Output:
	// false true <nil>
	// true true <nil>
	// true false 89
	// hashers: password hash parameters over limit: pbkdf2_sha256: 1000000000000 iterations, limit 100000000
}
