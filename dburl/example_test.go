package dburl_test

import (
	"fmt"

	"github.com/djangobridge/djangobridge/dburl"
)

// The DATABASE_URL of a SQLite file, in the four-slash form dj-database-url
// reads as an absolute path, and back.
func ExampleSQLiteURL() {
	u := dburl.SQLiteURL("/srv/my app/db.sqlite3")
	fmt.Println(u)
	t, err := dburl.Parse(u)
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Path)
	// Output:
	// sqlite:////srv/my%20app/db.sqlite3
	// /srv/my app/db.sqlite3
}
