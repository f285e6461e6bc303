package djangosession

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
)

// FileStore is the file engine (django.contrib.sessions.backends.file):
// one file per session in SESSION_FILE_PATH, named SESSION_COOKIE_NAME +
// key, holding the encoded session data (the text of
// django_session.session_data, ASCII, no newline).
//
// As in Django: writes go to a temporary file "<name>_out_<random>" in the
// same directory that is then renamed over the session file, so readers
// never see half a file; a must-create save first creates the file with
// O_EXCL (an empty placeholder, read as an empty session); a session's
// expiry is its _session_expiry or else the file's modification time plus
// SESSION_COOKIE_AGE, and an expired file is removed when read. Keys
// outside [a-z0-9] (see ValidKey) are refused with ErrInvalidKey before any
// path is built.
//
// Unlike Django, which ignores them, I/O errors while writing are
// returned, and a file that cannot be read for another reason than not
// existing is an error rather than "no session".
type FileStore struct {
	dir    string
	prefix string
	codec  *Codec
	rules  *Manager // for the expiry arithmetic only (Manager.expiryAge)
	now    func() time.Time
}

// NewFileStore returns the file engine of s: s.SessionFilePath, or the
// system temporary directory when it is empty, which must be an existing
// directory (Django raises ImproperlyConfigured otherwise).
func NewFileStore(s *djangobridge.Settings) (*FileStore, error) {
	if s == nil {
		return nil, errors.New("djangosession: nil Settings: start from djangobridge.Defaults()")
	}
	if _, err := s.Release(); err != nil {
		return nil, err
	}
	dir := s.SessionFilePath
	if dir == "" {
		dir = os.TempDir()
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("djangosession: the session storage path %q doesn't exist: set SessionFilePath to an existing directory", dir)
	}
	c, err := NewCodec(s)
	if err != nil {
		return nil, err
	}
	loc, err := s.Location()
	if err != nil {
		return nil, err
	}
	if s.SessionCookieAge <= 0 {
		return nil, fmt.Errorf("djangosession: SESSION_COOKIE_AGE %d must be positive", s.SessionCookieAge)
	}
	name := s.SessionCookieName
	if name == "" {
		name = "sessionid"
	}
	return &FileStore{
		dir:    dir,
		prefix: name,
		codec:  c,
		rules:  &Manager{settings: *s, loc: loc, now: time.Now},
		now:    time.Now,
	}, nil
}

// Dir returns the directory the sessions are in.
func (st *FileStore) Dir() string { return st.dir }

// path is _key_to_file.
func (st *FileStore) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", ErrInvalidKey
	}
	return filepath.Join(st.dir, st.prefix+key), nil
}

// Load reads the session file. A missing file is ErrNotFound; so is an
// expired one, which is removed. Data that does not decode is a data error
// (the session is then empty, as in Django), unless the file has expired.
func (st *FileStore) Load(ctx context.Context, key string) (*Map, error) {
	p, err := st.path(key)
	if err != nil {
		return nil, err
	}
	m, _, err := st.load(p)
	return m, err
}

// load reads the file at p and removes it if it has expired, reporting
// that as expired (and ErrNotFound).
func (st *FileStore) load(p string) (m *Map, expired bool, err error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, ErrNotFound
	}
	if err != nil {
		return nil, false, fmt.Errorf("djangosession: read session file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("djangosession: read session file: %w", err)
	}
	// Encoded data is base64 of at most Codec.Limit bytes plus a signature.
	max := int64(2*st.codec.Limit() + 1024)
	content, err := io.ReadAll(io.LimitReader(f, max+1))
	f.Close()
	if err != nil {
		return nil, false, fmt.Errorf("djangosession: read session file: %w", err)
	}
	var dataErr error
	m = &Map{}
	if len(content) > 0 { // an empty file is a must-create placeholder
		if int64(len(content)) > max {
			dataErr = fmt.Errorf("%w: session file over %d bytes", ErrTooLarge, max)
		} else if d, err := st.codec.Decode(string(content)); err != nil {
			dataErr = err
		} else {
			m = d
		}
	}
	if errors.Is(dataErr, ErrTooLarge) {
		// Over our limit, not Django's: its expiry is unknown, so the file
		// is neither judged expired nor removed.
		return nil, false, dataErr
	}
	// _expiry_date: session_data.get("_session_expiry") or mtime + age.
	e, _ := m.Get(KeyExpiry)
	if !pyTruthy(e) {
		e = fi.ModTime().Add(time.Duration(st.rules.settings.SessionCookieAge) * time.Second)
	}
	// get_expiry_age(...) <= 0, on the float itself: set_expiry(0.5) is live.
	if age, _ := st.rules.expirySpan(e, st.now()); age <= 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, true, fmt.Errorf("djangosession: remove expired session file: %w", err)
		}
		return nil, true, ErrNotFound
	}
	if dataErr != nil {
		return nil, false, dataErr
	}
	return m, false, nil
}

// pyTruthy is Python's bool(v) for session values.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case Number:
		return !isZeroNumber(x)
	case string:
		return x != ""
	case []byte:
		return len(x) > 0
	case []any:
		return len(x) > 0
	case *Map:
		return x.Len() > 0
	}
	return true
}

// Save writes the session file: with mustCreate only if it does not exist
// (ErrExists), otherwise only if it does (ErrVanished); then the encoded
// data through a temporary file renamed over it.
func (st *FileStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	p, err := st.path(r.Key)
	if err != nil {
		return "", err
	}
	content, err := st.codec.Encode(nilToEmpty(r.Data))
	if err != nil {
		return "", err
	}
	flags := os.O_WRONLY
	if mustCreate {
		flags |= os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(p, flags, 0o666)
	switch {
	case err == nil:
		f.Close()
	case mustCreate && errors.Is(err, fs.ErrExist):
		return "", ErrExists
	case !mustCreate && errors.Is(err, fs.ErrNotExist):
		return "", ErrVanished
	default:
		return "", fmt.Errorf("djangosession: session file: %w", err)
	}
	tmp, err := os.CreateTemp(st.dir, st.prefix+r.Key+"_out_*")
	if err != nil {
		return "", fmt.Errorf("djangosession: session file: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp.Name())
		}
	}()
	_, werr := tmp.WriteString(content)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return "", fmt.Errorf("djangosession: write session file: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", fmt.Errorf("djangosession: write session file: %w", err)
	}
	renamed = true
	return r.Key, nil
}

// Delete removes the session file; a missing one is not an error.
func (st *FileStore) Delete(ctx context.Context, key string) error {
	p, err := st.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("djangosession: delete session file: %w", err)
	}
	return nil
}

// Exists reports whether the session file exists (expired or not, as
// Django's os.path.exists).
func (st *FileStore) Exists(ctx context.Context, key string) (bool, error) {
	p, err := st.path(key)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("djangosession: session file: %w", err)
	}
	return true, nil
}

// ClearExpired removes the expired session files, as clearsessions does:
// every file named SESSION_COOKIE_NAME + a valid key is read and removed
// if expired. Temporary "_out_" files and other names are left alone. It
// returns how many files it removed and stops early when ctx ends.
func (st *FileStore) ClearExpired(ctx context.Context) (int64, error) {
	entries, err := os.ReadDir(st.dir)
	if err != nil {
		return 0, fmt.Errorf("djangosession: list session files: %w", err)
	}
	var n int64
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		key, ok := strings.CutPrefix(e.Name(), st.prefix)
		if !ok || !ValidKey(key) || !e.Type().IsRegular() {
			continue
		}
		_, expired, err := st.load(filepath.Join(st.dir, e.Name()))
		if expired {
			if err == nil || errors.Is(err, ErrNotFound) {
				n++
				continue
			}
			return n, err
		}
	}
	return n, nil
}

var _ Store = (*FileStore)(nil)
