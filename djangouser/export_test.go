package djangouser

// SessionPKForTest exposes sessionPK to the external tests.
func SessionPKForTest(v any, pkType string) (string, bool) { return sessionPK(v, pkType) }
