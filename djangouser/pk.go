package djangouser

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

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
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
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

// sessionPK returns the session's _auth_user_id as text: Django writes a
// string, but pk.to_python also takes an integer.
func sessionPK(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case djangosession.Number:
		if x.IsInt() {
			return string(x), true
		}
	}
	return "", false
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
	switch m.PKType {
	case PKInt, PKBigInt, PKUUID, PKText:
	default:
		return m, fmt.Errorf("%w: UserModel.PKType %q (want int, bigint, uuid or text)", ErrConfig, m.PKType)
	}
	names := []string{m.Table, m.UsernameField, m.PKColumn, m.GroupsTable, m.UserPermissionsTable, m.M2MColumn}
	names = append(names, m.ExtraColumns...)
	names = append(names, m.OmitColumns...)
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
	if !isStandard(m.UsernameField) && !contains(m.ExtraColumns, m.UsernameField) {
		m.ExtraColumns = append(append([]string(nil), m.ExtraColumns...), m.UsernameField)
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
