package adaptertest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/middleware"
)

// A Starter serves st's middleware with the adapter on a real listener and
// returns the server's base URL ("http://127.0.0.1:port"); the server
// stops when t ends. Its route GET /user reads request.user through the
// adapter's typed accessor and hands an error to the framework's own
// error handling (returning it, c.Error, ...).
type Starter func(t *testing.T, st *Site) string

// CheckDisconnect: a client that goes away while the session store is
// stalled (a table lock) releases the store call within 1 s: the
// adapter gives the core a context that ends with the connection.
func CheckDisconnect(t *testing.T, start Starter) {
	t.Helper()
	st := NewSite(t, nil)
	key := st.LoginSession(t)
	base := start(t, st)
	st.Sessions.Stall.Store(true)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /user HTTP/1.1\r\nHost: example.com\r\nCookie: "+
		st.Settings.SessionCookieName+"="+key+"\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-st.Sessions.Stalled:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the session store")
	}
	_ = conn.Close()
	select {
	case err := <-st.Sessions.Released:
		if err == nil {
			t.Fatal("the store call ended without its context ending")
		}
	case <-time.After(time.Second):
		t.Fatal("the client went away 1 s ago and the stalled store call still holds the request")
	}
}

// CheckTimeout: a store call past Options.StoreTimeout (100 ms here) ends
// and the request is answered by the framework's error handling with the
// reason (the core's Reason text, which names the bound), status 503.
// body gets the answer's body as the adapter's framework renders it.
func CheckTimeout(t *testing.T, start Starter) (status int, body string) {
	t.Helper()
	st := NewSiteWith(t, nil, func(o *middleware.Options) { o.StoreTimeout = 100 * time.Millisecond })
	key := st.LoginSession(t)
	base := start(t, st)
	st.Sessions.Stall.Store(true)
	req, _ := http.NewRequest("GET", base+"/user", nil)
	req.AddCookie(&http.Cookie{Name: st.Settings.SessionCookieName, Value: key})
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(bufio.NewReader(resp.Body))
	select {
	case err := <-st.Sessions.Released:
		if err == nil {
			t.Error("the store call was not bounded")
		}
	case <-time.After(5 * time.Second):
		t.Error("the store call was not released")
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "did not answer within 100ms") {
		t.Errorf("answer %d %q, want 503 with the reason (did not answer within 100ms)", resp.StatusCode, b)
	}
	return resp.StatusCode, string(b)
}

// HugeBody is the size of CheckHugeBody's body: 10 MiB.
const HugeBody = 10 << 20

// CheckHugeBody POSTs a 10 MiB url-encoded form (one field, with the CSRF
// cookie and the X-CSRFToken header) to a live server, with a
// Content-Length or chunked, and returns the statuses the server answered
// (0 when it answered nothing: a dropped connection). Django answers 400
// (RequestDataTooBig) whether or not the header is sent.
func CheckHugeBody(t *testing.T, start Starter) (withLength, chunked int) {
	t.Helper()
	st := NewSite(t, nil)
	base := start(t, st)
	send := func(chunk bool) int {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
		c, h := CSRFPair()
		head := "POST /user HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			"Cookie: " + st.Settings.CSRFCookieName + "=" + c + "\r\nX-CSRFToken: " + h + "\r\n"
		if chunk {
			head += "Transfer-Encoding: chunked\r\n\r\n"
		} else {
			head += "Content-Length: " + strconv.Itoa(HugeBody) + "\r\n\r\n"
		}
		go func() { // the server may stop reading: writes then fail
			if _, err := io.WriteString(conn, head); err != nil {
				return
			}
			block := "a=" + strings.Repeat("x", 64<<10-2)
			for sent := 0; sent < HugeBody; sent += len(block) {
				var err error
				if chunk {
					_, err = io.WriteString(conn, strconv.FormatInt(int64(len(block)), 16)+"\r\n"+block+"\r\n")
				} else {
					_, err = io.WriteString(conn, block)
				}
				if err != nil {
					return
				}
				block = strings.Repeat("x", 64<<10)
			}
			if chunk {
				_, _ = io.WriteString(conn, "0\r\n\r\n")
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Logf("no answer (chunked %v): %v", chunk, err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	return send(false), send(true)
}
