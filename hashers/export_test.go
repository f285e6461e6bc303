package hashers

// LibsForTest is one row of libsOf.
type LibsForTest struct {
	Argon2HashLen int
	BcryptBefore5 bool
}

// LibsOfForTest returns libsOf[rel] to the external tests.
func LibsOfForTest(rel string) LibsForTest {
	l := libsOf[rel]
	return LibsForTest{l.argon2HashLen, l.bcryptBefore5}
}
