package main

import (
	"os"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestMain ends the output with one line per unset test variable that
// made tests skip (djangotest.RunMain).
func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }
