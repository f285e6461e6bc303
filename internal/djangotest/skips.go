package djangotest

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Examples of each test variable's value, for the skip summary and
// messages.
var envExamples = map[string]string{
	EnvPostgres:  "postgres://postgres@127.0.0.1:5432/test",
	EnvMySQL:     "mysql://root@127.0.0.1:3306/test",
	EnvRedis:     "redis://127.0.0.1:6379/0",
	EnvDjango:    "$HOME/.cache/django-versions (filled by scripts/install-django)",
	EnvMemcached: "127.0.0.1:11311 (a memcached: memcached -d -l 127.0.0.1 -p 11311, as .ci/run starts it)",
	EnvSentinel:  "redis://127.0.0.1:26390/djangobridge (a Sentinel watching a primary with a replica, as .ci/run starts them)",
}

// skipped counts, per variable, the tests this test binary skipped
// because it was unset.
var skipped struct {
	sync.Mutex
	n map[string]int
}

// RecordSkip counts one test (or example) skipped for want of the
// variable name; RunMain prints the counts. requireEnv calls it.
func RecordSkip(name string) {
	skipped.Lock()
	defer skipped.Unlock()
	if skipped.n == nil {
		skipped.n = map[string]int{}
	}
	skipped.n[name]++
}

// RunMain is the TestMain of every package that uses the harness:
//
//	func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }
//
// It runs the tests, stops the Django processes, and ends the package's
// output with one line per unset variable that made tests skip: how many
// and an example value to set. `go test ./...` shows a passing package's
// output only with -v, so on Linux, outside -v and -json, the lines go to
// the go command's own standard output (where its "ok" lines go) and are
// seen without -v.
func RunMain(m interface{ Run() int }) int {
	code := m.Run()
	StopAll()
	lines := SkipSummary()
	if len(lines) == 0 {
		return code
	}
	w, closeW := summaryWriter()
	defer closeW()
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return code
}

// SkipSummary returns the lines RunMain prints: one per unset variable,
// e.g. "bridge: skipped 3 tests: DJANGOBRIDGE_TEST_POSTGRES is not set
// (e.g. DJANGOBRIDGE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test)".
func SkipSummary() []string {
	skipped.Lock()
	defer skipped.Unlock()
	names := make([]string, 0, len(skipped.n))
	for name := range skipped.n {
		names = append(names, name)
	}
	slices.Sort(names)
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	var out []string
	for _, name := range names {
		n := skipped.n[name]
		tests := "tests"
		if n == 1 {
			tests = "test"
		}
		out = append(out, fmt.Sprintf("%s: skipped %d %s: %s is not set (e.g. %s=%s)", pkg, n, tests, name, name, envExamples[name]))
	}
	return out
}

// summaryWriter is os.Stdout under -v or -json (go test shows it, and
// test2json wraps it), else, on Linux when the parent is the go command,
// that command's standard output, which go test does not swallow.
func summaryWriter() (io.Writer, func()) {
	none := func() {}
	if f := flag.Lookup("test.v"); f != nil && f.Value.String() != "false" {
		return os.Stdout, none
	}
	if runtime.GOOS != "linux" {
		return os.Stdout, none
	}
	ppid := strconv.Itoa(os.Getppid())
	comm, err := os.ReadFile("/proc/" + ppid + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "go" {
		return os.Stdout, none
	}
	f, err := os.OpenFile("/proc/"+ppid+"/fd/1", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return os.Stdout, none
	}
	return f, func() { f.Close() }
}
