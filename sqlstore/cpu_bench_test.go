package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/storetest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// BenchmarkLoggedInNoDatabase is BenchmarkLoggedIn with the database taken
// away: an in-process database/sql driver answers the session and user
// queries with the rows SQLite would return, so what is measured is
// sqlstore's own work (binding, scanning, decoding) and database/sql's.
func BenchmarkLoggedInNoDatabase(b *testing.B) {
	s := storetest.Settings()
	codec, err := djangosession.NewCodec(&s)
	if err != nil {
		b.Fatal(err)
	}
	data, err := codec.Encode(storetest.LoggedIn("1"))
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(cannedConnector{data})
	defer db.Close()
	st, users := stores(b, db, sqlstore.SQLite, &s)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Load(ctx, "k0000000000000000000000000000000"); err != nil {
			b.Fatal(err)
		}
		if _, err := users.UserByID(ctx, int64(1)); err != nil {
			b.Fatal(err)
		}
	}
}

// cannedConnector is a database/sql driver whose every query returns one
// canned row: session_data for a query naming it, else an auth_user row.
type cannedConnector struct{ data string }

func (c cannedConnector) Connect(context.Context) (driver.Conn, error) { return cannedConn(c), nil }
func (c cannedConnector) Driver() driver.Driver                        { return nil }

type cannedConn struct{ data string }

func (cannedConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("canned: no prepare") }
func (cannedConn) Close() error                        { return nil }
func (cannedConn) Begin() (driver.Tx, error)           { return nil, errors.New("canned: no tx") }

var cannedUserColumns = []string{"id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"}

func (c cannedConn) QueryContext(_ context.Context, q string, _ []driver.NamedValue) (driver.Rows, error) {
	if strings.Contains(q, "session_data") {
		return &cannedRows{cols: []string{"session_data"}, row: []driver.Value{c.data}}, nil
	}
	return &cannedRows{cols: cannedUserColumns, row: []driver.Value{int64(1), "pbkdf2_sha256$1000000$salt$hash", "2026-11-29 20:00:00.123456",
		int64(1), "bench", "Ada", "Lovelace", "ada@example.com", int64(1), int64(1), "2026-11-29 19:00:00.123456"}}, nil
}

type cannedRows struct {
	cols []string
	row  []driver.Value
	done bool
}

func (r *cannedRows) Columns() []string { return r.cols }
func (r *cannedRows) Close() error      { return nil }
func (r *cannedRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	copy(dest, r.row)
	return nil
}
