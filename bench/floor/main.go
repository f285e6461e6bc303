// Command floor is the throughput floor of bench/whoami.sh: the least a Go
// server can do to answer GET /api/whoami for a Django session stored in
// PostgreSQL. It runs the two queries every whoami needs, the live session
// row and the user row, over a pgx pool, and nothing else: no signature
// check, no session-auth-hash check, no cookie handling beyond reading one.
// The Go demo's apps (examples/sidebyside) are measured against it: what
// they spend above it is the cost of djangobridge and of the framework.
//
//	floor -addr 127.0.0.1:8010 -db postgres://postgres@127.0.0.1:5432/bench
package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8010", "listen address")
	db := flag.String("db", "postgres://postgres@127.0.0.1:5432/test", "PostgreSQL URL")
	cookie := flag.String("cookie", "sessionid", "session cookie name")
	flag.Parse()

	pool, err := pgxpool.New(context.Background(), *db)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	log.Printf("floor: listening on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, whoami(pool, *cookie)))
}

// whoami answers {"authenticated": ...} like the demo's /api/whoami.
func whoami(pool *pgxpool.Pool, cookieName string) http.Handler {
	anonymous := []byte(`{"authenticated": false}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		c, err := r.Cookie(cookieName)
		if err != nil {
			w.Write(anonymous)
			return
		}
		ctx := r.Context()
		var data string
		err = pool.QueryRow(ctx,
			`SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > now()`,
			c.Value).Scan(&data)
		if err != nil {
			w.Write(anonymous)
			return
		}
		uid, ok := userID(data)
		if !ok {
			w.Write(anonymous)
			return
		}
		var (
			id                   int64
			username             string
			isStaff, isSuperuser bool
		)
		err = pool.QueryRow(ctx,
			`SELECT id, username, is_staff, is_superuser FROM auth_user WHERE id = $1 AND is_active`,
			uid).Scan(&id, &username, &isStaff, &isSuperuser)
		if err != nil {
			w.Write(anonymous)
			return
		}
		name, _ := json.Marshal(username)
		b := make([]byte, 0, 128)
		b = append(b, `{"authenticated": true, "id": `...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, `, "username": `...)
		b = append(b, name...)
		b = append(b, `, "is_staff": `...)
		b = strconv.AppendBool(b, isStaff)
		b = append(b, `, "is_superuser": `...)
		b = strconv.AppendBool(b, isSuperuser)
		b = append(b, '}')
		w.Write(b)
	})
}

// userID pulls _auth_user_id out of Django 3.1+ session data
// ("[.]payload:timestamp:signature", payload urlsafe base64 of JSON, zlib when
// it starts with a dot) without checking the signature: the floor measures
// the queries, not the checks.
func userID(data string) (int64, bool) {
	payload, _, ok := strings.Cut(data, ":")
	if !ok {
		return 0, false
	}
	compressed := strings.HasPrefix(payload, ".")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(payload, "."))
	if err != nil {
		return 0, false
	}
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return 0, false
		}
		if raw, err = io.ReadAll(io.LimitReader(zr, 1<<20)); err != nil {
			return 0, false
		}
	}
	var s struct {
		ID string `json:"_auth_user_id"`
	}
	if json.Unmarshal(raw, &s) != nil || s.ID == "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s.ID, 10, 64)
	return id, err == nil
}
