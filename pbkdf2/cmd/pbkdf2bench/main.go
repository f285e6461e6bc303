// Command pbkdf2bench compares this package's PBKDF2 with the standard
// library's crypto/pbkdf2, Python's hashlib.pbkdf2_hmac (OpenSSL) when a
// python3 is available, and the floor: 2 × iterations × output blocks × the
// time crypto/sha256 (or crypto/sha1) takes per 64-byte block when hashing
// a large buffer. The key is 32 bytes: one output block for SHA-256, two
// for SHA-1.
//
// The contenders are run alternately for several rounds in one process (so
// that a machine busy with something else slows them all alike) and the
// median of each is reported, with ratios to the floor. Python times its
// call in-process, so interpreter start-up is not counted.
//
// By default elapsed (wall-clock) time is measured, with Python's
// time.perf_counter. On a machine shared with other busy processes,
// -clock=cpu measures the CPU time of the running thread instead
// (CLOCK_THREAD_CPUTIME_ID; Python's time.thread_time), which leaves out
// the time the thread spent preempted.
//
// Usage:
//
//	go run ./pbkdf2/cmd/pbkdf2bench [-rounds 5] [-iters 260000,1000000] [-hash sha256] [-clock wall] [-python /usr/bin/python3]
package main

import (
	"bytes"
	stdpbkdf2 "crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/djangobridge/djangobridge/pbkdf2"
)

var (
	password = []byte("correct horse battery staple")
	salt     = []byte("abcdefghijklmnopqrstuv")
)

const keyLen = 32

// pythonScript times one hashlib.pbkdf2_hmac call in-process (after a
// warm-up call) and prints the milliseconds and the derived key in hex.
const pythonScript = `import hashlib, sys, time
name, pw, salt, n, klen = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), int(sys.argv[4]), int(sys.argv[5])
clock = time.thread_time if sys.argv[6] == "cpu" else time.perf_counter
hashlib.pbkdf2_hmac(name, pw, salt, 1, klen)
t = clock()
dk = hashlib.pbkdf2_hmac(name, pw, salt, n, klen)
print((clock() - t) * 1000, dk.hex())
`

type contender struct {
	name string
	run  func(iter int) (ms float64, key []byte, err error)
	ms   []float64
}

func main() {
	rounds := flag.Int("rounds", 5, "interleaved rounds per iteration count; the median is reported")
	itersFlag := flag.String("iters", "260000,1000000", "comma-separated iteration counts")
	hashName := flag.String("hash", "sha256", "sha256 or sha1")
	clock := flag.String("clock", "wall", "wall (elapsed time) or cpu (CPU time of the running thread)")
	python := flag.String("python", "/usr/bin/python3", "python3 used for the hashlib contender; empty or missing skips it")
	flag.Parse()

	var h func() hash.Hash
	var floorHash func([]byte)
	switch *hashName {
	case "sha256":
		h, floorHash = sha256.New, func(b []byte) { sha256.Sum256(b) }
	case "sha1":
		h, floorHash = sha1.New, func(b []byte) { sha1.Sum(b) }
	default:
		fatalf("unknown -hash %q", *hashName)
	}
	now := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
	switch *clock {
	case "wall":
	case "cpu":
		if _, ok := threadCPUTime(); !ok {
			fatalf("-clock=cpu is not supported on this system")
		}
		// Keep the measuring goroutine on one OS thread.
		runtime.LockOSThread()
		now = func() time.Duration { d, _ := threadCPUTime(); return d }
	default:
		fatalf("unknown -clock %q", *clock)
	}
	var iters []int
	for _, s := range strings.Split(*itersFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatalf("bad -iters entry %q", s)
		}
		iters = append(iters, n)
	}
	if *rounds < 1 {
		fatalf("-rounds must be at least 1")
	}
	if *python != "" {
		if _, err := os.Stat(*python); err != nil {
			fmt.Fprintf(os.Stderr, "pbkdf2bench: %s not found, skipping Python\n", *python)
			*python = ""
		}
	}

	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	// floorNs measures ns per 64-byte block of the plain hash.
	floorNs := func() float64 {
		start := now()
		floorHash(buf)
		return float64((now() - start).Nanoseconds()) / float64(len(buf)/64)
	}
	timed := func(f func() []byte) (float64, []byte, error) {
		start := now()
		k := f()
		return float64((now() - start).Nanoseconds()) / 1e6, k, nil
	}

	fmt.Printf("PBKDF2-HMAC-%s, %d-byte key, median of %d interleaved rounds, %s-clock time\n\n", strings.ToUpper(*hashName), keyLen, *rounds, *clock)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "iterations\tcontender\tms\t× floor\tthis package faster by\t")
	for _, iter := range iters {
		cs := []*contender{
			{name: "djangobridge/pbkdf2", run: func(n int) (float64, []byte, error) {
				return timed(func() []byte { return pbkdf2.Key(password, salt, n, keyLen, h) })
			}},
			{name: "crypto/pbkdf2", run: func(n int) (float64, []byte, error) {
				return timed(func() []byte {
					k, err := stdpbkdf2.Key(h, string(password), salt, n, keyLen)
					if err != nil {
						fatalf("crypto/pbkdf2: %v", err)
					}
					return k
				})
			}},
		}
		if *python != "" {
			cs = append(cs, &contender{name: "python hashlib", run: func(n int) (float64, []byte, error) {
				return runPython(*python, *hashName, *clock, n)
			}})
		}
		want := pbkdf2.Key(password, salt, iter, keyLen, h)
		var floors []float64
		for r := range *rounds {
			floors = append(floors, floorNs())
			// Rotate the starting contender each round.
			for i := range cs {
				c := cs[(i+r)%len(cs)]
				ms, key, err := c.run(iter)
				if err != nil {
					fmt.Fprintf(os.Stderr, "pbkdf2bench: %s: %v (dropped)\n", c.name, err)
					c.run = nil
					continue
				}
				if !bytes.Equal(key, want) {
					fatalf("%s derived %x, this package %x", c.name, key, want)
				}
				c.ms = append(c.ms, ms)
			}
			cs = slices.DeleteFunc(cs, func(c *contender) bool { return c.run == nil })
		}
		blockNs := median(floors)
		// Each output block of the hash's size is a separate PBKDF2 chain.
		outBlocks := (keyLen + h().Size() - 1) / h().Size()
		floorMs := 2 * float64(iter*outBlocks) * blockNs / 1e6
		ours := median(cs[0].ms)
		fmt.Fprintf(tw, "%d\tfloor (2 × %d × %d × %.2f ns/block)\t%.1f\t1.00\t\t\n", iter, iter, outBlocks, blockNs, floorMs)
		for i, c := range cs {
			m := median(c.ms)
			faster := ""
			if i > 0 {
				faster = fmt.Sprintf("%.2f×", m/ours)
			}
			fmt.Fprintf(tw, "\t%s\t%.1f\t%.2f\t%s\t\n", c.name, m, m/floorMs, faster)
		}
	}
	tw.Flush()
}

func runPython(python, hashName, clock string, iter int) (float64, []byte, error) {
	out, err := exec.Command(python, "-c", pythonScript, hashName, string(password), string(salt), strconv.Itoa(iter), strconv.Itoa(keyLen), clock).Output()
	if err != nil {
		return 0, nil, err
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return 0, nil, fmt.Errorf("unexpected output %q", out)
	}
	ms, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, nil, err
	}
	key, err := hex.DecodeString(f[1])
	return ms, key, err
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pbkdf2bench: "+format+"\n", args...)
	os.Exit(1)
}
