//go:build !linux

package main

import "time"

// threadCPUTime is not implemented on this system; -clock=cpu is refused.
func threadCPUTime() (time.Duration, bool) { return 0, false }
