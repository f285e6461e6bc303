//go:build unix

package middleware_test

import "syscall"

// processCPU returns the process's user+system CPU time in nanoseconds, so
// that benchmarks on a busy machine can report CPU per operation beside
// wall-clock ns/op.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
