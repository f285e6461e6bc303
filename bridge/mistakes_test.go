package bridge_test

import (
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/middleware"
)

// The lower-level constructors a hand-made setup calls refuse what they
// cannot work with, in words that name the fix.
func TestConstructorsRefuseMissingParts(t *testing.T) {
	s := settings("k")
	pw, err := hashers.New(s)
	if err != nil {
		t.Fatal(err)
	}
	empty := settings("")
	unset := settings("k")
	unset.DjangoVersion = djangobridge.Version{}
	for name, err := range map[string]error{
		"NewManager, nil store":        second(djangosession.NewManager(s, nil)),
		"NewManager, unset release":    second(djangosession.NewManager(unset, djangosession.NewMemoryStore())),
		"NewCodec, empty key":          second(djangosession.NewCodec(empty)),
		"djangouser.New, nil store":    second(djangouser.New(s, nil, pw)),
		"djangouser.New, empty key":    second(djangouser.New(empty, nilUsers{}, pw)),
		"middleware.New, nil Sessions": second(middleware.New(middleware.Options{})),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "Store") && !strings.Contains(msg, "SECRET_KEY") && !strings.Contains(msg, "DjangoVersion") && !strings.Contains(msg, "Sessions") {
			t.Errorf("%s: %q does not name what is missing", name, msg)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// nilUsers is a user store that is never called.
type nilUsers struct{ djangouser.Store }
