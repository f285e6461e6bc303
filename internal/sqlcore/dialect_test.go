package sqlcore

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	cases := []struct{ in, pg string }{
		{"SELECT 1 FROM t WHERE a = ? AND b > ?", "SELECT 1 FROM t WHERE a = $1 AND b > $2"},
		{"SELECT '?' FROM \"x?\" WHERE a = ?", "SELECT '?' FROM \"x?\" WHERE a = $1"},
		{"SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , $1"},
		{"no placeholders", "no placeholders"},
	}
	for _, c := range cases {
		if got := PostgreSQL.Rebind(c.in); got != c.pg {
			t.Errorf("PostgreSQL.Rebind(%q) = %q; want %q", c.in, got, c.pg)
		}
		if got := SQLite.Rebind(c.in); got != c.in {
			t.Errorf("SQLite.rebind changed %q", c.in)
		}
		if got := MySQL.Rebind(c.in); got != c.in {
			t.Errorf("MySQL.rebind changed %q", c.in)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := SQLite.Quote(`a"b`); got != `"a""b"` {
		t.Errorf("SQLite.quote = %s", got)
	}
	if got := PostgreSQL.Quote("auth_user"); got != `"auth_user"` {
		t.Errorf("PostgreSQL.quote = %s", got)
	}
	if got := MySQL.Quote("a`b"); got != "`a``b`" {
		t.Errorf("MySQL.quote = %s", got)
	}
}

// timeArg writes str(naive datetime) for SQLite and MySQL, the instant for
// PostgreSQL.
func TestTimeArg(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	tm := time.Date(2024, 3, 31, 0, 30, 0, 999, time.UTC) // sub-microsecond part dropped
	for _, c := range []struct {
		d    Dialect
		loc  *time.Location
		want any
	}{
		{SQLite, time.UTC, "2024-03-31 00:30:00"},
		{MySQL, time.UTC, "2024-03-31 00:30:00"},
		{SQLite, paris, "2024-03-31 01:30:00"},
		{SQLite, time.UTC, "2024-03-31 00:30:00"},
		{PostgreSQL, paris, tm.Truncate(time.Microsecond)},
	} {
		if got := c.d.TimeArg(tm, c.loc); got != c.want {
			t.Errorf("%v.timeArg in %v = %v; want %v", c.d, c.loc, got, c.want)
		}
	}
	if got := FormatNaive(time.Date(2024, 1, 2, 3, 4, 5, 120000, time.UTC)); got != "2024-01-02 03:04:05.000120" {
		t.Errorf("formatNaive = %s", got)
	}
	if got := FormatNaive(time.Date(987, 1, 2, 3, 4, 5, 999999000, time.UTC)); got != "0987-01-02 03:04:05.999999" {
		t.Errorf("formatNaive = %s", got)
	}
}

func TestTimeScan(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	want := time.Date(2030, 1, 2, 3, 4, 5, 6000, paris)
	sqlite := Handle{Dialect: SQLite}
	for _, src := range []any{
		"2030-01-02 03:04:05.000006",
		[]byte("2030-01-02T03:04:05.000006"),
		time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC), // a driver's parse of the naive text
		"2030-01-02 02:04:05.000006+00:00",
	} {
		var got time.Time
		if err := sqlite.Time(&got, paris).(sql.Scanner).Scan(src); err != nil || !got.Equal(want) {
			t.Errorf("Scan(%#v) = %v, %v; want %v", src, got, err, want)
		}
	}
	pg := Handle{Dialect: PostgreSQL}
	inst := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var got *time.Time
	n := pg.NullTime(&got, paris).(sql.Scanner)
	if err := n.Scan(inst); err != nil || got == nil || !got.Equal(inst) {
		t.Errorf("PostgreSQL instant read as %v, %v", got, err)
	}
	if err := n.Scan(nil); err != nil || got != nil {
		t.Errorf("Scan(nil) = %v, %v", err, got)
	}
	for _, bad := range []any{"yesterday", 42, []byte("2030-13-45 99:00:00")} {
		var tm time.Time
		if err := sqlite.Time(&tm, time.UTC).(sql.Scanner).Scan(bad); err == nil {
			t.Errorf("Scan(%#v) succeeded", bad)
		}
	}
	// pgx scans typed values itself: the destinations are plain pointers.
	typed := Handle{Dialect: PostgreSQL, TypedScan: true}
	var s string
	var b bool
	var tm time.Time
	for dest, want := range map[any]any{typed.Text(&s): &s, typed.Bool(&b): &b, typed.Time(&tm, paris): &tm, typed.NullTime(&got, paris): &got} {
		if dest != want {
			t.Errorf("TypedScan destination %T, want %T", dest, want)
		}
	}
}

func TestTextAndBoolScan(t *testing.T) {
	h := Handle{Dialect: MySQL}
	for src, want := range map[any]string{nil: "", "a": "a", string("b"): "b"} {
		var s string
		if err := h.Text(&s).(sql.Scanner).Scan(src); err != nil || s != want {
			t.Errorf("text Scan(%#v) = %q, %v", src, s, err)
		}
	}
	var s string
	if err := h.Text(&s).(sql.Scanner).Scan([]byte("ä")); err != nil || s != "ä" {
		t.Errorf("text Scan([]byte) = %q, %v", s, err)
	}
	for src, want := range map[any]bool{true: true, int64(0): false, int64(1): true, "t": true, "FALSE": false, "1": true} {
		b := !want
		if err := h.Bool(&b).(sql.Scanner).Scan(src); err != nil || b != want {
			t.Errorf("bool Scan(%#v) = %v, %v", src, b, err)
		}
	}
	for _, bad := range []any{"maybe", 1.5, nil} {
		var b bool
		if err := h.Bool(&b).(sql.Scanner).Scan(bad); err == nil {
			t.Errorf("bool Scan(%#v) succeeded", bad)
		}
	}
}

type pgErr struct{ code string }

func (e pgErr) Error() string    { return "pg " + e.code }
func (e pgErr) SQLState() string { return e.code }

type liteErr struct{ code int }

func (e liteErr) Error() string { return fmt.Sprint("sqlite ", e.code) }
func (e liteErr) Code() int     { return e.code }

type myErr struct{ msg string }

func (e *myErr) Error() string { return e.msg }

func TestIsUniqueViolation(t *testing.T) {
	for err, want := range map[error]bool{
		pgErr{"23505"}: true,
		pgErr{"23503"}: false,
		fmt.Errorf("wrapped: %w", pgErr{"23505"}): true,
		liteErr{2067}: true,
		liteErr{1555}: true,
		liteErr{787}:  false,
		&myErr{"Error 1062 (23000): Duplicate entry 'x' for key 'PRIMARY'"}: true,
		fmt.Errorf("exec: %w", &myErr{"Error 1062: Duplicate entry"}):       true,
		&myErr{"Error 1452 (23000): Cannot add or update a child row"}:      false,
		errors.New("connection refused"):                                    false,
		nil:                                                                 false,
	} {
		if got := IsUniqueViolation(err); got != want {
			t.Errorf("IsUniqueViolation(%v) = %v; want %v", err, got, want)
		}
	}
}

func TestDialectString(t *testing.T) {
	for d, want := range map[Dialect]string{SQLite: "sqlite", PostgreSQL: "postgres", MySQL: "mysql", 0: "Dialect(0)"} {
		if got := d.String(); got != want || d.Valid() != (want != "Dialect(0)") {
			t.Errorf("%d: String %q, Valid %v", int(d), got, d.Valid())
		}
	}
}

// FuzzDatetimeText: any column text either parses or fails, never
// panics; what formatNaive writes always reads back to the same instant.
func FuzzDatetimeText(f *testing.F) {
	for _, s := range []string{"2030-01-02 03:04:05", "2030-01-02 03:04:05.000006", "2030-01-02T03:04:05+01:00", "2030-01-02", "", "9999-12-31 23:59:59.999999", "0001-01-01 00:00:00", "2030-01-02 03:04:05.1234567891"} {
		f.Add(s)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseNaive(s, paris)
		if err != nil {
			return
		}
		if y := tm.In(paris).Year(); y < 1 || y > 9999 { // Python datetime's range, in the zone written
			return
		}
		back, err := ParseNaive(FormatNaive(tm.In(paris)), paris)
		if err != nil || !back.Equal(tm.Truncate(time.Microsecond)) {
			t.Fatalf("%q → %v → %q → %v, %v", s, tm, FormatNaive(tm.In(paris)), back, err)
		}
	})
}
