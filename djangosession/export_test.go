package djangosession

import "time"

// SetNow sets the clock of a Codec, for tests with fixed vectors.
func SetNow(c *Codec, now func() time.Time) { c.now = now }

// SetManagerNow sets the clock of a Manager.
func SetManagerNow(m *Manager, now func() time.Time) { m.now = now }
