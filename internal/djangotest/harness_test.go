package djangotest

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopAll()
	os.Exit(code)
}

// Every release starts, answers ping with its own version, and loaded every ops file.
func TestStartPingEachRelease(t *testing.T) {
	for _, rel := range Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := Start(t, rel, Config{})
			if d.Release() != rel {
				t.Fatalf("Release() = %q, want %q", d.Release(), rel)
			}
			var v string
			d.Do(t, "ping", nil, &v)
			if !strings.HasPrefix(v, rel+".") {
				t.Fatalf("ping = %q, want Django %s.x", v, rel)
			}
			if v != d.Version() {
				t.Fatalf("ping = %q but Version() = %q", v, d.Version())
			}
			var ops struct {
				Ops        []string          `json:"ops"`
				LoadErrors map[string]string `json:"load_errors"`
			}
			d.Do(t, "ops", nil, &ops)
			for f, e := range ops.LoadErrors {
				t.Errorf("ops/%s does not load under Django %s:\n%s", f, v, e)
			}
		})
	}
}

// A Python exception comes back as *Error with the exception's class name.
func TestCallReturnsPythonErrors(t *testing.T) {
	d := Start(t, "5.2", Config{})
	err := d.Call("sql", map[string]any{"sql": "SELECT * FROM no_such_table"}, nil)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if pe.Type != "OperationalError" || !strings.Contains(pe.Message, "no_such_table") {
		t.Fatalf("err = %+v, want OperationalError about no_such_table", pe)
	}
	err = d.Call("no-such-op", nil, nil)
	if !errors.As(err, &pe) || pe.Type != "LookupError" {
		t.Fatalf("unknown op: err = %v, want LookupError", err)
	}
	// The process survives errors.
	d.Do(t, "ping", nil, nil)
}
