package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo runs Bridge.Check at start and exits with its message: here a
// database Django never migrated.
func TestDemoExitsWithTheCheckMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.sqlite3")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SECRET_KEY": "k", "DATABASE_URL": "sqlite://" + path}
	var stdout, stderr syncBuffer
	err := run(context.Background(), []string{"-http", "127.0.0.1:0", "-echo", "127.0.0.1:0", "-fiber", "127.0.0.1:0"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "startup check failed") || !strings.Contains(err.Error(), "no table django_session") ||
		!strings.Contains(err.Error(), "manage.py migrate") {
		t.Fatalf("run: %v", err)
	}
	// A typo in the path is refused, and no empty file is left behind.
	env["DATABASE_URL"] = "sqlite://" + path + "-typo"
	err = run(context.Background(), nil, func(k string) string { return env[k] }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "no SQLite database at") {
		t.Fatalf("run: %v", err)
	}
	if _, err := os.Stat(path + "-typo"); err == nil {
		t.Error("the typo became a file")
	}
}
