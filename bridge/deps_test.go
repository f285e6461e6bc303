package bridge_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Each driver package compiles only its own driver: a net/http + pgx
// service never compiles SQLite, MySQL, go-redis, gomemcache, echo or fiber.
func TestEachPackageImportsOnlyItsDriver(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	heavy := map[string]string{
		"sqlite": "modernc.org/sqlite", "postgres": "github.com/jackc/pgx/v5", "mysql": "github.com/go-sql-driver/mysql",
		"redis": "github.com/redis/go-redis/v9", "memcached": "github.com/bradfitz/gomemcache/memcache", "echo": "github.com/labstack/echo/v4", "fiber": "github.com/gofiber/fiber/v2",
	}
	for pkg, allowed := range map[string][]string{
		"./": nil, "./sqlite": {"sqlite"}, "./postgres": {"postgres"}, "./mysql": {"mysql"}, "./redis": {"redis"}, "./memcached": {"memcached"},
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		for name, path := range heavy {
			if slices.Contains(deps, path) != slices.Contains(allowed, name) {
				t.Errorf("bridge/%s: imports %s = %v", strings.TrimPrefix(pkg, "./"), path, slices.Contains(deps, path))
			}
		}
	}
}
