//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package middleware

import (
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// watchConn calls gone when the peer of conn closes or resets it, until
// stop is called; stop returns once the watch has ended. It peeks
// (MSG_PEEK: nothing is consumed, so a pipelined next request stays for
// the server) through the runtime's poller, so a watch costs a goroutine
// parked on the poller and no thread. Data waiting means the client is
// still there: the watch ends without calling gone.
//
// stop interrupts the wait with a past read deadline and then clears the
// read deadline. Servers that read the connection again (fasthttp) set
// their own deadline before each read when they use one.
func watchConn(conn net.Conn, gone func()) (stop func()) {
	for {
		u, ok := conn.(interface{ NetConn() net.Conn }) // *tls.Conn
		if !ok {
			break
		}
		conn = u.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return func() {}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return func() {}
	}
	var stopped atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		closed := false
		err := rc.Read(func(fd uintptr) bool {
			if stopped.Load() {
				return true
			}
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
			if err == syscall.EAGAIN || err == syscall.EINTR {
				return false // wait until readable
			}
			closed = n == 0 || err != nil
			return true
		})
		if err == nil && closed && !stopped.Load() {
			gone()
		}
	}()
	return func() {
		stopped.Store(true)
		_ = conn.SetReadDeadline(time.Unix(1, 0))
		<-done
		_ = conn.SetReadDeadline(time.Time{})
	}
}
