package sqlcore

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The core imports no driver, so a pgx user compiles no database/sql
// driver and a SQLite (or MySQL) user never compiles pgx.
func TestImportsNoDriver(t *testing.T) {
	const mod = "github.com/djangobridge/djangobridge/"
	pgx := []string{"github.com/jackc/pgx"}
	sqlDrivers := []string{"modernc.org/sqlite", "github.com/go-sql-driver/mysql", "github.com/lib/pq", "github.com/mattn/go-sqlite3"}
	for pkg, banned := range map[string][]string{
		"internal/sqlcore": append(pgx, sqlDrivers...),
		"sqlstore":         pgx,
		"pgxstore":         sqlDrivers,
	} {
		out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-deps", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s compiles %s", pkg, dep)
				}
			}
		}
	}
}
