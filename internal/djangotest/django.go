package djangotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config is the Django settings a harness process runs with. Its zero value
// is Django's defaults with SECRET_KEY "test-secret-key", USE_TZ False,
// TIME_ZONE "UTC" and an in-memory SQLite database already migrated (one per
// process: tests sharing a Config share it, so use unique keys or a
// NewDatabase of your own).
type Config struct {
	SecretKey               string            `json:"secret_key,omitempty"`
	SecretKeyFallbacks      []string          `json:"secret_key_fallbacks,omitempty"`      // ignored on 3.2 (setting did not exist)
	DefaultHashingAlgorithm string            `json:"default_hashing_algorithm,omitempty"` // 3.2 only: "sha1" or "sha256"
	DatabaseURL             string            `json:"database_url,omitempty"`              // "" = an in-memory sqlite, migrated at start
	Databases               map[string]string `json:"databases,omitempty"`                 // more DATABASES aliases: alias -> URL (as DatabaseURL); ops take {"database": alias}
	UseTZ                   bool              `json:"use_tz,omitempty"`
	TimeZone                string            `json:"time_zone,omitempty"`          // "" = "UTC"
	SessionEngine           string            `json:"session_engine,omitempty"`     // Django dotted or short name ("db", "cache", "cached_db", "file", "signed_cookies"); "" = db
	SessionSerializer       string            `json:"session_serializer,omitempty"` // "json" (default) or "pickle" (3.2/4.2), or a dotted path
	CacheURL                string            `json:"cache_url,omitempty"`          // redis URL(s), comma-separated, for cache/cached_db (RedisCache; on 3.2 an equivalent harness backend)
	CacheKeyPrefix          string            `json:"cache_key_prefix,omitempty"`
	SessionFilePath         string            `json:"session_file_path,omitempty"`
	PasswordHashers         []string          `json:"password_hashers,omitempty"` // dotted paths; nil = the release's default list
	Extra                   map[string]any    `json:"extra,omitempty"`            // any other settings.py names, e.g. {"SESSION_COOKIE_AGE": 60}; applied last
}

// Error is an exception raised by a Python op, e.g. Type "BadSignature".
type Error struct {
	Type      string `json:"type"`      // the exception's class name
	Module    string `json:"module"`    // the module defining that class, e.g. "django.core.signing"
	Message   string `json:"message"`   // str(exception)
	Traceback string `json:"traceback"` // the Python traceback, for failure messages
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// ErrHarness is wrapped by every failure of the harness itself (as opposed to
// an exception raised by an op): the process would not start, died, or did
// not answer within the timeout.
var ErrHarness = errors.New("djangotest: harness process failed")

// DefaultCallTimeout bounds one Call, so a hung Python never hangs the test
// binary; the process is killed when it expires.
const DefaultCallTimeout = 60 * time.Second

// startTimeout bounds the start of a process (Django setup and, for the
// in-memory database, migrate), generous for a loaded CI machine.
const startTimeout = 120 * time.Second

// Launcher returns the launcher scripts/install-django made for release
// under dir: DIR/<release>/python, which runs the right Python (this
// machine's for 3.2–5.2, Debian's 3.14 for 6.1) with that Django
// importable. Every Python a test runs goes through it.
//
// DJANGOBRIDGE_TEST_PYTHON_<major>_<minor> (e.g. DJANGOBRIDGE_TEST_PYTHON_5_2=
// ~/venvs/django52/bin/python), when set, names that release's interpreter
// instead: a virtualenv per release works as well as the install script.
func Launcher(dir, release string) string {
	if p := os.Getenv(PythonEnv(release)); p != "" {
		return p
	}
	return filepath.Join(dir, release, "python")
}

// PythonEnv is the variable that overrides release's interpreter:
// DJANGOBRIDGE_TEST_PYTHON_5_2 for "5.2".
func PythonEnv(release string) string {
	return "DJANGOBRIDGE_TEST_PYTHON_" + strings.ReplaceAll(release, ".", "_")
}

// Django is one long-lived `python3 djangohelper.py` process for one release and Config,
// answering JSON requests line by line on stdin/stdout (start ~0.5-1 s; then ~ms per call).
// Start reuses a running process for the same (release, Config) within the test binary;
// the process exits when the test binary does (its stdin closes) or at StopAll.
// Safe for concurrent use: calls are serialized.
type Django struct {
	release string
	version string
	ops     []string

	mu     sync.Mutex // serializes calls; guards the fields below
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  <-chan []byte // protocol lines from stdout; closed at EOF
	exited chan struct{} // closed once cmd.Wait returned
	quit   chan struct{} // closed when the process is given up, releasing the stdout reader
	waited error         // what cmd.Wait returned; read only after exited is closed
	stderr *tailBuffer
	nextID int64
	dead   error // non-nil once the process is unusable
}

// Release is the release this process runs, e.g. "5.2".
func (d *Django) Release() string { return d.release }

// Version is the full Django version, e.g. "5.2.18".
func (d *Django) Version() string { return d.version }

// Ops lists the op names the process registered at start.
func (d *Django) Ops() []string { return append([]string(nil), d.ops...) }

// Call runs op with args (JSON-marshalled) and unmarshals the result into out (may be nil).
// A Python exception comes back as *Error{Type: "BadSignature", Message: "..."};
// a failure of the process itself wraps ErrHarness. It gives up after DefaultCallTimeout.
func (d *Django) Call(op string, args any, out any) error {
	return d.CallContext(context.Background(), op, args, out)
}

// CallContext is Call bounded by ctx (and, if ctx has no deadline, by DefaultCallTimeout).
// When ctx ends before the answer, the process is killed: a later Start with the same
// Config starts a fresh one.
func (d *Django) CallContext(ctx context.Context, op string, args any, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCallTimeout)
		defer cancel()
	}
	req := struct {
		ID   int64  `json:"id"`
		Op   string `json:"op"`
		Args any    `json:"args,omitempty"`
	}{Op: op, Args: args}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead != nil {
		return d.dead
	}
	d.nextID++
	req.ID = d.nextID
	line, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("djangotest: %s: marshal args: %w", op, err)
	}
	if _, err := d.stdin.Write(append(line, '\n')); err != nil {
		return d.fail(fmt.Errorf("%w: %s: write request: %v", ErrHarness, op, err))
	}
	res, err := d.await(ctx, req.ID, op)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			return fmt.Errorf("djangotest: %s: unmarshal result %s into %T: %w", op, truncate(res, 300), out, err)
		}
	}
	return nil
}

// Do is Call that fails the test on error, showing the Python traceback.
func (d *Django) Do(t testing.TB, op string, args any, out any) {
	t.Helper()
	if err := d.Call(op, args, out); err != nil {
		var pe *Error
		if errors.As(err, &pe) && pe.Traceback != "" {
			t.Fatalf("Django %s: %s: %v\n%s", d.version, op, err, pe.Traceback)
		}
		t.Fatalf("Django %s: %s: %v", d.version, op, err)
	}
}

type response struct {
	ID     *int64          `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
}

// await reads protocol lines until the answer to request id; d.mu is held.
func (d *Django) await(ctx context.Context, id int64, op string) (json.RawMessage, error) {
	for {
		select {
		case line, ok := <-d.lines:
			if !ok {
				status := "still running"
				select {
				case <-d.exited:
					status = fmt.Sprint(d.waited)
				case <-time.After(5 * time.Second):
				}
				return nil, d.fail(fmt.Errorf("%w: Django %s closed its output during %s (exit: %s); stderr:\n%s",
					ErrHarness, d.release, op, status, d.stderr.String()))
			}
			var r response
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, d.fail(fmt.Errorf("%w: Django %s: %s: bad protocol line %q: %v",
					ErrHarness, d.release, op, truncate(line, 300), err))
			}
			if r.ID == nil || *r.ID != id {
				if r.ID == nil && r.Error != nil {
					// The helper could not even read the request's id.
					return nil, r.Error
				}
				continue // an answer to an earlier, abandoned request
			}
			if r.Error != nil {
				return nil, r.Error
			}
			return r.Result, nil
		case <-ctx.Done():
			return nil, d.fail(fmt.Errorf("%w: Django %s: %s: no answer: %v; process killed; stderr:\n%s",
				ErrHarness, d.release, op, ctx.Err(), d.stderr.String()))
		}
	}
}

// fail marks the process unusable, kills it, and returns err; d.mu is held.
func (d *Django) fail(err error) error {
	if d.dead == nil {
		d.dead = err
		close(d.quit)
		_ = d.cmd.Process.Kill()
		_ = d.stdin.Close()
	}
	return d.dead
}

func (d *Django) alive() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dead == nil
}

// stop ends the process: closing stdin makes the helper exit; kill if it lingers.
func (d *Django) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead == nil {
		d.dead = fmt.Errorf("%w: Django %s was stopped", ErrHarness, d.release)
		close(d.quit)
		_ = d.stdin.Close()
	}
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
}

// The process registry: one process per (release, Config) per test binary.
var registry struct {
	sync.Mutex
	m map[string]*startEntry
}

type startEntry struct {
	done chan struct{} // closed when d/err are set
	d    *Django
	err  error
	refs int // tests that called Start for it; guarded by registry
}

// Start returns the running Django process for release and cfg, starting it
// on first use. It skips the test when DJANGOBRIDGE_TEST_DJANGO is unset
// (fails under CI) and fails it when the process cannot start.
//
// Processes are shared by every test in the binary using the same release
// and Config, and live until the binary exits (or StopAll), except those
// with a DatabaseURL or Databases: such a database is normally private to one test
// (NewDatabase), so the process is stopped when the last test that started it
// ends, before the database is dropped.
func Start(t testing.TB, release string, cfg Config) *Django {
	t.Helper()
	dir := DjangoDir(t)
	e, key, err := start(dir, release, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL != "" || len(cfg.Databases) > 0 {
		t.Cleanup(func() {
			registry.Lock()
			e.refs--
			last := e.refs == 0 && registry.m[key] == e
			if last {
				delete(registry.m, key)
			}
			registry.Unlock()
			if last {
				e.d.stop()
			}
		})
	}
	return e.d
}

// start returns the registry entry of a live process for (release, cfg),
// launching one if needed, with its reference count incremented.
func start(dir, release string, cfg Config) (*startEntry, string, error) {
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("djangotest: marshal config: %w", err)
	}
	key := release + "\x00" + string(c)
	for {
		registry.Lock()
		if registry.m == nil {
			registry.m = make(map[string]*startEntry)
		}
		e, ok := registry.m[key]
		if !ok {
			e = &startEntry{done: make(chan struct{}), refs: 1}
			registry.m[key] = e
			registry.Unlock()
			e.d, e.err = launch(dir, release, c)
			if e.err != nil {
				registry.Lock()
				delete(registry.m, key) // let a later test try again
				registry.Unlock()
			}
			close(e.done)
			return e, key, e.err
		}
		e.refs++
		registry.Unlock()
		<-e.done
		if e.err != nil {
			return nil, key, e.err
		}
		if e.d.alive() {
			return e, key, nil
		}
		// The process died (timeout or crash): replace it.
		registry.Lock()
		if registry.m[key] == e {
			delete(registry.m, key)
		}
		registry.Unlock()
	}
}

// StopAll stops every harness process this test binary started. Optional:
// the processes also exit when the binary does; call it from TestMain to
// release them early.
func StopAll() {
	registry.Lock()
	entries := registry.m
	registry.m = nil
	registry.Unlock()
	for _, e := range entries {
		<-e.done
		if e.d != nil {
			e.d.stop()
		}
	}
}

// helperDir is the directory of this source file, which holds djangohelper.py.
func helperDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

func launch(dir, release string, config []byte) (*Django, error) {
	relDir := filepath.Join(dir, release)
	if _, err := os.Stat(filepath.Join(relDir, "django", "__init__.py")); err != nil {
		return nil, fmt.Errorf("%w: Django %s not found under %s=%s (run scripts/install-django): %v",
			ErrHarness, release, EnvDjango, dir, err)
	}
	helper := filepath.Join(helperDir(), "djangohelper.py")
	python := Launcher(dir, release)
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("%w: no launcher %s for Django %s (run scripts/install-django %s): %v",
			ErrHarness, python, release, dir, err)
	}
	cmd := exec.Command(python, helper)
	cmd.Dir = helperDir()
	env := []string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "PYTHONIOENCODING=utf-8"}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "DJANGO_SETTINGS_MODULE", "DJANGOTEST_CONFIG",
			"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONIOENCODING":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	tail := &tailBuffer{max: 64 << 10}
	if os.Getenv("DJANGOBRIDGE_TEST_VERBOSE") != "" {
		cmd.Stderr = io.MultiWriter(tail, os.Stderr)
	} else {
		cmd.Stderr = tail
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start %s: %v", ErrHarness, python, err)
	}
	lines := make(chan []byte, 1)
	quit := make(chan struct{})
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(stdout, 64<<10)
		for {
			line, err := r.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				select {
				case lines <- line:
				case <-quit:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	d := &Django{release: release, cmd: cmd, stdin: stdin, lines: lines, exited: make(chan struct{}), quit: quit, stderr: tail}
	go func() {
		d.waited = cmd.Wait()
		close(d.exited)
	}()

	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := stdin.Write(append(append([]byte(nil), config...), '\n')); err != nil {
		return nil, d.fail(fmt.Errorf("%w: Django %s: send config: %v", ErrHarness, release, err))
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	res, err := d.await(ctx, 0, "start")
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			err = fmt.Errorf("%w: Django %s setup failed: %v\n%s", ErrHarness, release, pe, pe.Traceback)
		}
		_ = d.fail(err)
		return nil, err
	}
	var info struct {
		Version    string            `json:"version"`
		Ops        []string          `json:"ops"`
		LoadErrors map[string]string `json:"load_errors"`
	}
	if err := json.Unmarshal(res, &info); err != nil {
		return nil, d.fail(fmt.Errorf("%w: Django %s: bad start answer %s", ErrHarness, release, truncate(res, 300)))
	}
	d.version, d.ops = info.Version, info.Ops
	for f, e := range info.LoadErrors {
		// One broken ops file must not stop everyone else's tests: it is
		// reported on stderr, by the "ops" op, and when its ops are called.
		fmt.Fprintf(os.Stderr, "djangotest: Django %s: ops/%s failed to load:\n%s\n", release, f, e)
	}
	return d, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > w.max {
		w.b = append(w.b[:0], w.b[len(w.b)-w.max:]...)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
