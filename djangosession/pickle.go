package djangosession

import "fmt"

// unpickleSession reads a session pickled by Django's PickleSerializer.
// TODO(pickle): replaced by the safe pickle codec.
func unpickleSession(b []byte, limit int) (any, error) {
	return nil, fmt.Errorf("%w: pickle sessions are not supported yet", ErrUnsupportedValue)
}
