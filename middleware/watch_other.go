//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package middleware

import "net"

// watchConn cannot peek at a connection on this system: a client that goes
// away is noticed when the store call ends (or its timeout passes).
func watchConn(conn net.Conn, gone func()) (stop func()) { return func() {} }
