package main

import (
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

func newManager(t *testing.T, s *djangobridge.Settings, st djangosession.Store) *djangosession.Manager {
	t.Helper()
	m, err := djangosession.NewManager(s, st)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
