package passwords

import (
	"errors"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

func TestValidateErrors(t *testing.T) {
	vs, err := New(settingsFor(t, "4.2"), DjangoDefaults())
	if err != nil {
		t.Fatal(err)
	}
	u := &djangouser.User{ID: int64(1), Username: "alice", Email: "alice@example.com"}
	err = vs.Validate("alice123", UserOf(u))
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("got %v", err)
	}
	if !errors.Is(err, ErrTooSimilar) || errors.Is(err, ErrTooShort) || !errors.Is(err, ErrTooCommon) {
		t.Errorf("errors.Is: %v", err)
	}
	if es[0].Message != "The password is too similar to the username." || es[0].Params["verbose_name"] != "username" {
		t.Errorf("first error %+v", es[0])
	}
	if err := vs.Validate("correct horse battery staple", nil); err != nil {
		t.Errorf("good password refused: %v", err)
	}
	if got := vs.Validate("12", nil).Error(); got != "This password is too short. It must contain at least 8 characters. This password is too common. This password is entirely numeric." {
		t.Errorf("message %q", got)
	}
	if got := MinimumLength(1).Validate("", nil).Message; got != "This password is too short. It must contain at least 1 character." {
		t.Errorf("singular %q", got)
	}
}

// TestHugePassword: a 10 MB password is judged (too similar is skipped by
// the length ratio, as in Django) without blowing up.
func TestHugePassword(t *testing.T) {
	vs, err := New(settingsFor(t, "5.2"), DjangoDefaults())
	if err != nil {
		t.Fatal(err)
	}
	pw := strings.Repeat("alice", 2<<20)
	if err := vs.Validate(pw, Attrs{"username": {"alice", "username"}}); err != nil {
		t.Errorf("10 MB password: %v", err)
	}
	if err := vs.Validate(strings.Repeat("7", 10<<20), nil); !errors.Is(err, ErrNumeric) {
		t.Errorf("10 MB digits: %v", err)
	}
}

func TestNewRefusesMistakes(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("nil settings accepted")
	}
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.Version{}
	if _, err := New(&s, nil); !errors.Is(err, djangobridge.ErrVersionUnset) {
		t.Errorf("unset version: %v", err)
	}
	ok := settingsFor(t, "6.1")
	for _, c := range []Config{
		{Name: NameMinimumLength, Options: map[string]any{"min_lenght": 3}},
		{Name: NameMinimumLength, Options: map[string]any{"min_length": "3"}},
		{Name: NameUserAttributeSimilarity, Options: map[string]any{"user_attributes": "username"}},
		{Name: NameCommonPassword, Options: map[string]any{"password_list_path": "/nonexistent/list.gz"}},
	} {
		if _, err := New(ok, []Config{c}); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	vs, err := New(ok, nil)
	if err != nil || vs.Validate("", nil) != nil {
		t.Errorf("empty list validates: %v", err)
	}
}

func TestCommonListPerRelease(t *testing.T) {
	for v, n := range map[string]int{"3.2": 19727, "4.1": 19727, "4.2": 19729, "5.1": 19729, "5.2": 19640, "6.1": 19640} {
		rel, err := djangobridge.ReleaseOf(djangobridge.MustParseVersion(v))
		if err != nil {
			t.Fatal(err)
		}
		set, err := builtinList(rel.CommonPasswordList)
		if err != nil || len(set) != n {
			t.Errorf("Django %s: list %q has %d distinct entries, want %d: %v", v, rel.CommonPasswordList, len(set), n, err)
		}
	}
}

// FuzzValidate: no input panics or hangs any validator.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"", "ΑΣ", "İ", "1²③", "alice.liddell", "\xff\xfe", strings.Repeat("ab", 300)} {
		f.Add(s, "alice.liddell@example.com")
	}
	vs, err := New(settingsFor(f, "5.2"), append(DjangoDefaults(),
		Config{Name: NameUserAttributeSimilarity, Options: map[string]any{"max_similarity": 0.1}}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pw, attr string) {
		_ = vs.Validate(pw, Attrs{"username": {attr, ""}, "email": {attr + "@" + pw, ""}})
		m := NewSequenceMatcher(Runes(pw), Runes(attr), true)
		if r := m.Ratio(); r < 0 || r > 1 || m.QuickRatio() < r || m.RealQuickRatio() < m.QuickRatio() {
			t.Errorf("ratios out of order: %v %v %v", r, m.QuickRatio(), m.RealQuickRatio())
		}
	})
}
