package djangouser_test

import (
	"context"
	"testing"
)

// TestRequestUserQueries: a request that reads the user costs exactly one
// session query and one user query, on every store; reading it again and
// checking permissions twice adds one permission query in all.
func TestRequestUserQueries(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql", "pgx"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind, "5.2", nil)
			ctx := context.Background()
			e.createUser(t, "q_user", "pw")
			key := e.login(t, "q_user", "pw")

			before := e.queries.Load()
			sess := e.sessions.Open(ctx, key)
			lazy := e.auth.Lazy(sess)
			if n := e.queries.Load() - before; n != 0 {
				t.Fatalf("opening the session and request.user: %d queries, want 0", n)
			}
			u, err := lazy.Get(ctx)
			if err != nil || u.Username != "q_user" {
				t.Fatal(u, err)
			}
			if n := e.queries.Load() - before; n != 2 {
				t.Fatalf("first request.user: %d queries, want 2 (session row + user row)", n)
			}
			if _, err := lazy.Get(ctx); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := e.auth.HasPerm(ctx, u, "auth.view_user"); err != nil {
					t.Fatal(err)
				}
			}
			if n := e.queries.Load() - before; n != 3 {
				t.Fatalf("request.user twice and has_perm twice: %d queries, want 3", n)
			}
		})
	}
}

// BenchmarkRequestUserLoad is a request's user load on PostgreSQL: open the
// session from its cookie, load its row, load the user row, verify the
// session auth hash. TestRequestUserQueries asserts the two queries.
func BenchmarkRequestUserLoad(b *testing.B) {
	for _, kind := range []string{"pgx", "postgres"} {
		name := map[string]string{"pgx": "pgxstore", "postgres": "sqlstore-pgx-stdlib"}[kind]
		b.Run(name, func(b *testing.B) {
			e := newEnv(b, kind, "5.2", nil)
			ctx := context.Background()
			e.createUser(b, "bench", "pw")
			key := e.login(b, "bench", "pw")
			before := e.queries.Load()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				u, err := e.auth.Lazy(e.sessions.Open(ctx, key)).Get(ctx)
				if err != nil || u.IsAnonymous() {
					b.Fatal(u, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(e.queries.Load()-before)/float64(b.N), "queries/op")
		})
	}
}
