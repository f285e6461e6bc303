package caches_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func TestMain(m *testing.M) {
	code := m.Run()
	djangotest.StopAll()
	os.Exit(code)
}
