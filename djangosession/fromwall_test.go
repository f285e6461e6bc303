package djangosession_test

import (
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/djangosession"
)

// FromWallClock reads a naive wall clock as PostgreSQL does in zones on
// both sides of UTC: an autumn fold as standard time, a spring-forward gap
// at the offset in force before the change; WallClock gives it back.
func TestFromWallClockZones(t *testing.T) {
	for _, c := range []struct{ zone, wall, want string }{
		{"America/New_York", "2024-03-10T02:30:00", "2024-03-10T07:30:00Z"}, // gap: offset before (EST)
		{"America/New_York", "2024-11-03T01:30:00", "2024-11-03T06:30:00Z"}, // fold: standard (EST)
		{"Europe/Paris", "2024-03-31T02:30:00", "2024-03-31T01:30:00Z"},     // gap: CET
		{"Europe/Paris", "2024-10-27T02:30:00", "2024-10-27T01:30:00Z"},     // fold: CET
		{"America/New_York", "2024-07-01T12:00:00", "2024-07-01T16:00:00Z"},
		{"Australia/Sydney", "2024-10-06T02:30:00", "2024-10-05T16:30:00Z"}, // gap: AEST +10, before the change
		{"Australia/Sydney", "2024-04-07T02:30:00", "2024-04-06T16:30:00Z"}, // fold: AEST
	} {
		loc, _ := time.LoadLocation(c.zone)
		w, _ := time.Parse("2006-01-02T15:04:05", c.wall)
		got := djangosession.FromWallClock(w, loc)
		if got.UTC().Format(time.RFC3339) != c.want {
			t.Errorf("%s %s: %s, want %s", c.zone, c.wall, got.UTC().Format(time.RFC3339), c.want)
		}
		if back := djangosession.WallClock(got, loc); !back.Equal(w) {
			t.Errorf("%s %s: WallClock back %v", c.zone, c.wall, back)
		}
	}
}
