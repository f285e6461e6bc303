package passwords

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/djangobridge/djangobridge"
)

// commonLists holds django/contrib/auth/common-passwords.txt.gz as each
// release ships it, named as Release.CommonPasswordList.
//
//go:embed commonlists/*.txt.gz
var commonLists embed.FS

// maxListBytes bounds a password list read from a file (decompressed): a
// list Django could load in reasonable memory, not a zip bomb.
const maxListBytes = 64 << 20

// builtinLists caches the parsed embedded lists: they are immutable once
// loaded, so sharing them between validators is safe.
var builtinLists sync.Map // list name -> func() (map[string]struct{}, error)

func builtinList(name string) (map[string]struct{}, error) {
	f, _ := builtinLists.LoadOrStore(name, sync.OnceValues(func() (map[string]struct{}, error) {
		data, err := commonLists.ReadFile("commonlists/" + name + ".txt.gz")
		if err != nil {
			return nil, fmt.Errorf("%w: no common-password list %q", ErrConfig, name)
		}
		return parseList(data)
	}))
	return f.(func() (map[string]struct{}, error))()
}

// parseList is CommonPasswordValidator.__init__'s reading: gzip when the
// data is gzipped, else plain text; each line stripped (str.strip).
func parseList(data []byte) (map[string]struct{}, error) {
	var r io.Reader = bytes.NewReader(data)
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	}
	r = io.LimitReader(r, maxListBytes+1)
	set := make(map[string]struct{}, 20000)
	br := bufio.NewReaderSize(r, 64<<10)
	total := 0
	for {
		line, err := br.ReadString('\n')
		total += len(line)
		if total > maxListBytes {
			return nil, fmt.Errorf("password list larger than %d bytes", maxListBytes)
		}
		if len(line) > 0 {
			set[string(pyStrip(pyRunes(line)))] = struct{}{}
		}
		if errors.Is(err, io.EOF) {
			return set, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// common is CommonPasswordValidator.
type common struct{ set map[string]struct{} }

// CommonPasswords is CommonPasswordValidator() with the list rel's Django
// ships (Release.CommonPasswordList: 19,726, 20,000 or 19,640 passwords).
func CommonPasswords(rel djangobridge.Release) (Validator, error) {
	if rel.CommonPasswordList == "" {
		return nil, fmt.Errorf("%w: the release has no common-password list: use djangobridge.ReleaseOf", ErrConfig)
	}
	set, err := builtinList(rel.CommonPasswordList)
	if err != nil {
		return nil, err
	}
	return common{set}, nil
}

// CommonPasswordsFromFile is CommonPasswordValidator(password_list_path=
// path): one lower-case password per line, gzipped or plain UTF-8 text.
func CommonPasswordsFromFile(path string) (Validator, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: password_list_path: %v", ErrConfig, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: password_list_path: %v", ErrConfig, err)
	}
	set, err := parseList(data)
	if err != nil {
		return nil, fmt.Errorf("%w: password_list_path %s: %v", ErrConfig, path, err)
	}
	return common{set}, nil
}

// CommonPasswordsFromList is CommonPasswordValidator over the given
// passwords (each stripped; compared with the lower-cased password, so
// they should be lower case, as Django's documentation asks).
func CommonPasswordsFromList(list []string) Validator {
	set := make(map[string]struct{}, len(list))
	for _, p := range list {
		set[string(pyStrip(pyRunes(p)))] = struct{}{}
	}
	return common{set}
}

func (v common) Validate(password string, _ User) *Error {
	if _, ok := v.set[string(pyStrip(pyLower(pyRunes(password))))]; ok {
		return &Error{Code: CodeTooCommon, Message: "This password is too common."}
	}
	return nil
}

func (common) HelpText() string { return "Your password can’t be a commonly used password." }
