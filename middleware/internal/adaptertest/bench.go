package adaptertest

import (
	"syscall"
	"testing"
)

// Loop runs op b.N times (b.Loop) and reports, beside the wall-clock
// ns/op, the process's CPU time per op (cpu-ns/op: user + system, from
// getrusage), which a busy machine disturbs far less: the adapters'
// overhead is compared on it.
func Loop(b *testing.B, op func()) {
	b.ReportAllocs()
	b.ResetTimer()
	start := processCPU()
	for b.Loop() {
		op()
	}
	if cpu := processCPU() - start; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}

func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
