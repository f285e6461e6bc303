package djangouser

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// Primary key types of Settings.UserModel.PKType.
const (
	PKInt    = "int"
	PKBigInt = "bigint"
	PKUUID   = "uuid"
	PKText   = "text"
)

// ParsePK converts a session's _auth_user_id (or any primary key text) into
// the Go value of User.ID for the key type, as Django's pk.to_python does:
// integers (surrounding space allowed), UUIDs in any form uuid.UUID(hex=…)
// reads ("urn:uuid:", braces, dashes, either case) become canonical text,
// text keys are taken as they are.
func ParsePK(pkType, s string) (any, error) {
	switch pkType {
	case PKInt, PKBigInt, "":
		n, ok := pyInt(s)
		if !ok {
			return nil, fmt.Errorf("djangouser: primary key %q is not an integer", trunc(s))
		}
		if pkType != PKBigInt && (n > 1<<31-1 || n < -1<<31) {
			return nil, fmt.Errorf("djangouser: primary key %q is out of range", trunc(s))
		}
		return n, nil
	case PKUUID:
		return parseUUID(s)
	case PKText:
		return s, nil
	}
	return nil, fmt.Errorf("%w: UserModel.PKType %q", ErrConfig, pkType)
}

// parseUUID is uuid.UUID(hex=s) followed by str().
func parseUUID(s string) (string, error) {
	h := strings.ReplaceAll(s, "urn:", "")
	h = strings.ReplaceAll(h, "uuid:", "")
	h = strings.Trim(h, "{}")
	h = strings.ReplaceAll(h, "-", "")
	var b [16]byte
	if len(h) != 32 {
		return "", fmt.Errorf("djangouser: %q is not a valid UUID", trunc(s))
	}
	if _, err := hex.Decode(b[:], []byte(h)); err != nil {
		return "", fmt.Errorf("djangouser: %q is not a valid UUID", trunc(s))
	}
	return FormatUUID(b), nil
}

// FormatUUID writes b as Python's str(uuid.UUID): lower-case hex with dashes.
func FormatUUID(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// sessionPK converts the session's _auth_user_id as the user model's key
// field's to_python does, and returns the key as text for ParsePK (ok
// false where to_python raises ValidationError, which is no user here):
//
//   - AutoField, BigAutoField (int(value)): a string as Python's int()
//     reads it (spaces, a sign, underscores between digits, any Unicode
//     decimal digits), an integer, a float truncated toward zero (the
//     JSON number 1.0 is user 1), true and false (1 and 0);
//   - UUIDField: a string as uuid.UUID(hex=…), an integer as
//     uuid.UUID(int=…);
//   - CharField and other text keys: a string as is, a number or boolean
//     as Python's str() writes it ("1.0", "True"); a list or dict (str()
//     gives its repr, "[1]") is no user here.
func sessionPK(v any, pkType string) (string, bool) {
	switch pkType {
	case PKInt, PKBigInt, "":
		switch x := v.(type) {
		case string:
			n, ok := pyInt(x)
			return strconv.FormatInt(n, 10), ok
		case bool:
			if x {
				return "1", true
			}
			return "0", true
		case djangosession.Number:
			if x.IsInt() {
				n, err := x.Int64()
				return strconv.FormatInt(n, 10), err == nil
			}
			f, err := x.Float64()
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
				return "", false
			}
			return strconv.FormatInt(int64(f), 10), true // int(float) truncates
		}
	case PKUUID:
		switch x := v.(type) {
		case string:
			u, err := parseUUID(x)
			return u, err == nil
		case bool: // isinstance(True, int): uuid.UUID(int=1)
			var b [16]byte
			if x {
				b[15] = 1
			}
			return FormatUUID(b), true
		case djangosession.Number:
			n, ok := x.BigInt()
			if !ok || !x.IsInt() || n.Sign() < 0 || n.BitLen() > 128 {
				return "", false
			}
			var b [16]byte
			n.FillBytes(b[:])
			return FormatUUID(b), true
		}
	default: // text keys: CharField.to_python is str(value)
		switch x := v.(type) {
		case string:
			return x, true
		case bool:
			if x {
				return "True", true
			}
			return "False", true
		case djangosession.Number:
			if x.IsInt() {
				if n, ok := x.BigInt(); ok {
					return n.String(), true
				}
				return "", false
			}
			f, err := x.Float64()
			if err != nil {
				return "", false
			}
			return djangosession.PyFloatRepr(f), true
		}
	}
	return "", false
}

// pyInt is Python's int(s) for a str, within int64: surrounding Unicode
// white space, an optional sign, decimal digits of any script (Unicode
// category Nd) with single underscores between them.
func pyInt(s string) (int64, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n uint64
	prevDigit := false
	for _, r := range s {
		if r == '_' {
			if !prevDigit {
				return 0, false
			}
			prevDigit = false
			continue
		}
		d, ok := digitValue(r)
		if !ok {
			return 0, false
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(d)
		if n > 1<<63 || (!neg && n > 1<<63-1) {
			return 0, false
		}
		prevDigit = true
	}
	if !prevDigit { // a trailing underscore
		return 0, false
	}
	if neg {
		return -int64(n-1) - 1, true
	}
	return int64(n), true
}

// digitValue is the value of a Unicode decimal digit (category Nd): its
// offset in its run of ten (every Nd run is 0-9 in order).
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if !unicode.IsDigit(r) {
		return 0, false
	}
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10, true
}

func trunc(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// ModelOf returns s.UserModel with Django's defaults filled in (auth_user,
// "username", "id", "int", the many-to-many tables of Table and
// "user_id"), and checks that every name is a plain SQL identifier, so that
// stores may put them in SQL text.
func ModelOf(s *djangobridge.Settings) (djangobridge.UserModel, error) {
	if _, err := s.Release(); err != nil {
		return djangobridge.UserModel{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	m := s.UserModel
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&m.Table, "auth_user")
	def(&m.UsernameField, ColUsername)
	def(&m.PKColumn, "id")
	def(&m.PKType, PKInt)
	def(&m.GroupsTable, m.Table+"_groups")
	def(&m.UserPermissionsTable, m.Table+"_user_permissions")
	def(&m.M2MColumn, "user_id")
	if m.Profile.Table != "" {
		def(&m.Profile.UserColumn, "user_id")
		def(&m.Profile.PKColumn, "id")
	}
	switch m.PKType {
	case PKInt, PKBigInt, PKUUID, PKText:
	default:
		return m, fmt.Errorf("%w: UserModel.PKType %q (want int, bigint, uuid or text)", ErrConfig, m.PKType)
	}
	names := []string{m.Table, m.UsernameField, m.PKColumn, m.GroupsTable, m.UserPermissionsTable, m.M2MColumn}
	names = append(names, m.ExtraColumns...)
	names = append(names, m.OmitColumns...)
	for _, f := range m.ExtraFields {
		names = append(names, f.Name)
	}
	if m.Profile.Table != "" {
		names = append(names, m.Profile.Table, m.Profile.UserColumn, m.Profile.PKColumn)
		for _, f := range m.Profile.Fields {
			names = append(names, f.Name)
		}
	}
	for _, n := range names {
		if !isIdent(n) {
			return m, fmt.Errorf("%w: UserModel name %q is not a plain SQL identifier", ErrConfig, trunc(n))
		}
	}
	for _, c := range m.OmitColumns {
		if c == m.UsernameField || c == ColPassword {
			return m, fmt.Errorf("%w: UserModel.OmitColumns cannot omit %q", ErrConfig, c)
		}
	}
	extra := append([]string(nil), m.ExtraColumns...)
	for _, f := range m.ExtraFields {
		if !isStandard(f.Name) && !contains(extra, f.Name) {
			extra = append(extra, f.Name) // a typed extra field is an extra column
		}
	}
	if !isStandard(m.UsernameField) && !contains(extra, m.UsernameField) {
		extra = append(extra, m.UsernameField)
	}
	if len(extra) > 0 {
		m.ExtraColumns = extra
	}
	return m, nil
}

// UserColumns returns the columns of m a store reads and writes, other than
// the primary key: Columns minus OmitColumns, then ExtraColumns.
func UserColumns(m djangobridge.UserModel) []string {
	cols := make([]string, 0, len(Columns)+len(m.ExtraColumns))
	for _, c := range Columns {
		if !contains(m.OmitColumns, c) {
			cols = append(cols, c)
		}
	}
	for _, c := range m.ExtraColumns {
		if !contains(cols, c) && c != m.PKColumn {
			cols = append(cols, c)
		}
	}
	return cols
}

func isStandard(c string) bool { return contains(Columns, c) }

// HasPermissionsMixin reports whether the model m inherits
// PermissionsMixin (is_superuser, groups, user_permissions and their
// tables): not when UserModel.NoPermissionsMixin is set, nor when
// OmitColumns omits is_superuser, the mixin's field.
func HasPermissionsMixin(m djangobridge.UserModel) bool {
	return !m.NoPermissionsMixin && !contains(m.OmitColumns, ColIsSuperuser)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isIdent(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0) {
			return false
		}
	}
	return true
}
