package middleware_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// The shared body scenarios answer through net/http (the adapters'
// reference) with the status their names give: 400 past a limit, 403
// without the CSRF cookie, else the handler's 200.
func TestBodyScenariosNetHTTP(t *testing.T) {
	for _, sc := range adaptertest.BodyScenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			want := http.StatusOK
			switch {
			case strings.HasSuffix(sc.Name, ": 400"):
				want = http.StatusBadRequest
			case strings.HasSuffix(sc.Name, ": 403"):
				want = http.StatusForbidden
			}
			if got := adaptertest.RunNetHTTP(t, sc); got.Status != want {
				t.Errorf("status %d, want %d", got.Status, want)
			}
		})
	}
}
