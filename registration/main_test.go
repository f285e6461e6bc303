package registration

import (
	"os"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestMain stops the Django processes at the end and reports the tests
// skipped for want of a test variable (djangotest.RunMain).
func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }
