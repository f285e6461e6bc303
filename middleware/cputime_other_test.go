//go:build !unix

package middleware_test

func processCPU() int64 { return 0 }
