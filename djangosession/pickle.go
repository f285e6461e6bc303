package djangosession

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/djangobridge/djangobridge"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"
)

// A safe reader and writer of Python pickles, for what Django keeps in
// pickles: the session dicts the cache and cached_db engines store in Redis
// (RedisSerializer: pickle.dumps(value, HIGHEST_PROTOCOL)) and sessions of
// the legacy PickleSerializer.
//
// Safe by construction: the reader is a small stack machine over a fixed
// list of opcodes, building only djangosession values. It has no way to
// import or call anything: the only globals it knows are datetime.datetime,
// datetime.timezone, datetime.timedelta and pytz._UTC, and REDUCE applies
// them to their arguments by Go code written for each. Any other global or
// opcode (os.system, builtins.eval, NEWOBJ, BUILD, INST...) is refused with
// an error naming it. Sizes are bounded: the input by the caller's limit,
// memo indexes and string lengths by the input, integers to 4096 bytes,
// nesting to maxDepth levels, and the expanded size of shared sub-objects
// (memo references) to twice the limit, so a "billion laughs" pickle is
// refused rather than built.
//
// Values map as follows (Python → Go):
//
//	dict                   *Map (insertion order kept; keys must be str)
//	list, tuple            []any
//	str                    string (UTF-8; lone surrogates kept as WTF-8)
//	bytes                  []byte
//	int (any size)         Number ("123")
//	float                  Number (Python's repr: "1.0", "1e+16", "NaN")
//	bool, None             bool, nil
//	datetime.datetime      time.Time (see NaiveDatetime for naive ones)

// Pickle opcodes read and written.
const (
	opMark           = '('
	opStop           = '.'
	opBinFloat       = 'G'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opBinInt2        = 'M'
	opNone           = 'N'
	opReduce         = 'R'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opGlobal         = 'c'
	opAppends        = 'e'
	opBinGet         = 'h'
	opLongBinGet     = 'j'
	opEmptyList      = ']'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opSetItems       = 'u'
	opEmptyDict      = '}'
	opEmptyTuple     = ')'
	opBinBytes       = 'B'
	opShortBinBytes  = 'C'
	opProto          = 0x80
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opLong4          = 0x8b
	opShortBinUni    = 0x8c
	opBinUnicode8    = 0x8d
	opBinBytes8      = 0x8e
	opStackGlobal    = 0x93
	opMemoize        = 0x94
	opFrame          = 0x95
	pickleProtocol   = 5
	frameHeaderSize  = 9
	frameSizeMin     = 4
	frameSizeTarget  = 64 * 1024
	batchSize        = 1000
	maxPickleLongLen = 4096
)

var opNames = map[byte]string{
	'0': "POP", '1': "POP_MARK", '2': "DUP", 'F': "FLOAT", 'I': "INT", 'L': "LONG",
	'P': "PERSID", 'Q': "BINPERSID", 'S': "STRING", 'T': "BINSTRING", 'U': "SHORT_BINSTRING",
	'V': "UNICODE", 'b': "BUILD", 'd': "DICT", 'g': "GET", 'i': "INST", 'l': "LIST",
	'o': "OBJ", 'p': "PUT", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
	0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX",
	0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
}

// naiveLoc marks a time.Time that stands for a naive datetime (no tzinfo).
// It is never modified; only its identity matters.
var naiveLoc = time.FixedZone("naive", 0)

// NaiveDatetime returns the time.Time standing for the naive Python
// datetime with t's wall clock (year to microsecond; the zone is dropped).
// Pickle writes such a time without tzinfo, as Django does for USE_TZ =
// False; Unpickle returns naive datetimes in this form.
func NaiveDatetime(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000*1000, naiveLoc)
}

// IsNaive reports whether t stands for a naive Python datetime: one that
// Unpickle read without tzinfo or that NaiveDatetime made. Its wall clock is
// in Django's TIME_ZONE; its Location is a placeholder at offset 0.
func IsNaive(t time.Time) bool { return t.Location() == naiveLoc }

// Unpickle reads one pickled value (protocols 2 to 5, as Python's
// pickle.loads) whose size is at most limit bytes (limit ≤ 0: 1 MiB). It
// reads only these values, and runs no code:
//
//	dict                   *Map (insertion order kept; keys must be str)
//	list, tuple            []any
//	str                    string (UTF-8; lone surrogates kept as WTF-8)
//	bytes                  []byte
//	int (any size)         Number ("123"; at most 4096 bytes pickled)
//	float                  Number (Python's repr: "1.0", "1e+16", "NaN")
//	bool, None             bool, nil
//	datetime.datetime      time.Time: naive (see IsNaive), or aware with
//	                       datetime.timezone.utc, a fixed datetime.timezone
//	                       offset or pytz.utc (what Django 3.2 writes)
//
// Any other global (os.system, zoneinfo.ZoneInfo, datetime.date...) or
// opcode (sets, NEWOBJ, BUILD...) is refused with an error naming it, as
// are recursive structures, nesting past maxDepth (131,072) levels and shared
// sub-objects expanding past twice limit. Errors wrap ErrTooLarge or
// ErrMalformed, so IsDataError recognises them. Bytes after the STOP
// opcode are ignored, as pickle.loads does.
func Unpickle(b []byte, limit int) (any, error) {
	if limit <= 0 {
		limit = djangobridge.DefaultSessionDataLimit
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: pickle of %d bytes, limit %d", ErrTooLarge, len(b), limit)
	}
	u := unpickler{b: b, budget: 2*limit + 4096}
	u.stack = make([]any, 0, 16)
	u.memo = make([]memoEntry, 0, min(len(b)/4+1, 1024))
	v, err := u.run()
	if err != nil {
		return nil, err
	}
	out, _, err := u.convert(v, 0)
	return out, err
}

// unpickleSession reads a session pickled by Django's PickleSerializer (or
// by RedisSerializer).
func unpickleSession(b []byte, limit int) (any, error) { return Unpickle(b, limit) }

// Values on the unpickler's stack before conversion. Containers are
// pointers, so that a memo reference sees later APPENDs and SETITEMs, as
// in Python.
type (
	pyList struct {
		items []any
		conv
	}
	pyDict struct {
		keys  []string
		vals  []any
		index map[string]int // built past 8 keys
		conv
	}
	pyTuple struct {
		items []any
		conv
	}
	// pyGlobal is one of the allowed globals, "module.name".
	pyGlobal  string
	pyDelta   struct{ days, secs, us int64 }
	pyTZ      struct{ loc *time.Location }
	memoEntry struct {
		v   any
		set bool
	}
)

// conv is a container's conversion state: a container reached again
// through the memo is converted once, and one reached from inside itself
// is a recursive structure.
type conv struct {
	state  uint8 // 0 not converted, 1 in progress, 2 done
	out    any
	weight int
}

func (d *pyDict) set(k string, v any) {
	if d.index == nil && len(d.keys) >= 8 {
		d.index = make(map[string]int, 2*len(d.keys))
		for i, key := range d.keys {
			d.index[key] = i
		}
	}
	if d.index != nil {
		if i, ok := d.index[k]; ok {
			d.vals[i] = v
			return
		}
		d.index[k] = len(d.keys)
	} else {
		for i, key := range d.keys {
			if key == k {
				d.vals[i] = v
				return
			}
		}
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

type unpickler struct {
	b       []byte
	pos     int
	stack   []any
	marks   []int
	memo    []memoEntry
	memoLen int
	budget  int
}

func pickleErr(format string, args ...any) error {
	return fmt.Errorf("%w: pickle: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

var errTruncated = pickleErr("data was truncated")

func (u *unpickler) read(n int) ([]byte, error) {
	if n < 0 || n > len(u.b)-u.pos {
		return nil, errTruncated
	}
	p := u.b[u.pos : u.pos+n]
	u.pos += n
	return p, nil
}

func (u *unpickler) readLen(size int) (int, error) {
	p, err := u.read(size)
	if err != nil {
		return 0, err
	}
	var n uint64
	switch size {
	case 1:
		n = uint64(p[0])
	case 2:
		n = uint64(binary.LittleEndian.Uint16(p))
	case 4:
		n = uint64(binary.LittleEndian.Uint32(p))
	case 8:
		n = binary.LittleEndian.Uint64(p)
	}
	if n > uint64(len(u.b)-u.pos) {
		return 0, errTruncated
	}
	return int(n), nil
}

func (u *unpickler) fence() int {
	if len(u.marks) == 0 {
		return 0
	}
	return u.marks[len(u.marks)-1]
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (any, error) {
	if len(u.stack) <= u.fence() {
		return nil, pickleErr("unpickling stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) <= u.fence() {
		return nil, pickleErr("unpickling stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark returns the items pushed since the last MARK and removes them
// and the mark.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, pickleErr("could not find MARK")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := u.stack[m:]
	u.stack = u.stack[:m]
	return items, nil
}

func (u *unpickler) memoPut(idx uint64, v any) error {
	// pickle.dumps numbers its memo consecutively; a far index would only
	// make a large, sparse memo.
	if idx > uint64(u.memoLen)+256 {
		return pickleErr("memo index %d out of range", idx)
	}
	i := int(idx)
	if i >= len(u.memo) {
		if i < cap(u.memo) {
			u.memo = u.memo[:i+1]
		} else {
			u.memo = append(u.memo, make([]memoEntry, i+1-len(u.memo))...)
		}
	}
	if !u.memo[i].set {
		u.memoLen++
	}
	u.memo[i] = memoEntry{v, true}
	return nil
}

func (u *unpickler) memoGet(idx uint64) error {
	if idx >= uint64(len(u.memo)) || !u.memo[idx].set {
		return pickleErr("memo value %d not found", idx)
	}
	u.push(u.memo[idx].v)
	return nil
}

func (u *unpickler) str(n int) (string, error) {
	p, err := u.read(n)
	if err != nil {
		return "", err
	}
	if !validWTF8(p) {
		return "", pickleErr("string is not UTF-8")
	}
	return string(p), nil
}

// validWTF8 reports whether p is UTF-8 in which encoded surrogates are
// allowed, what Python's "utf-8" codec with "surrogatepass" reads.
func validWTF8(p []byte) bool {
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			if _, ok := wtf8Surrogate(string(p[i:min(i+3, len(p))])); ok {
				i += 3
				continue
			}
			return false
		}
		i += size
	}
	return true
}

func (u *unpickler) run() (any, error) {
	for {
		op, err := u.read(1)
		if err != nil {
			return nil, err
		}
		switch op[0] {
		case opProto:
			p, err := u.read(1)
			if err != nil {
				return nil, err
			}
			if p[0] > pickleProtocol {
				return nil, pickleErr("unsupported protocol %d", p[0])
			}
		case opFrame:
			if _, err := u.readLen(8); err != nil {
				return nil, err
			}
		case opStop:
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		case opMark:
			u.marks = append(u.marks, len(u.stack))
		case opEmptyDict:
			u.push(&pyDict{})
		case opEmptyList:
			u.push(&pyList{})
		case opEmptyTuple:
			u.push(&pyTuple{})
		case opNone:
			u.push(nil)
		case opNewTrue:
			u.push(true)
		case opNewFalse:
			u.push(false)
		case opBinInt:
			p, err := u.read(4)
			if err != nil {
				return nil, err
			}
			u.push(Number(strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(p))), 10)))
		case opBinInt1:
			p, err := u.read(1)
			if err != nil {
				return nil, err
			}
			u.push(Number(strconv.Itoa(int(p[0]))))
		case opBinInt2:
			p, err := u.read(2)
			if err != nil {
				return nil, err
			}
			u.push(Number(strconv.Itoa(int(binary.LittleEndian.Uint16(p)))))
		case opLong1, opLong4:
			size := 1
			if op[0] == opLong4 {
				size = 4
			}
			p, err := u.read(size)
			if err != nil {
				return nil, err
			}
			n := int(p[0])
			if size == 4 {
				n32 := int32(binary.LittleEndian.Uint32(p))
				if n32 < 0 {
					return nil, pickleErr("LONG4 with negative length")
				}
				n = int(n32)
			}
			if n > maxPickleLongLen {
				return nil, pickleErr("integer of %d bytes (limit %d)", n, maxPickleLongLen)
			}
			data, err := u.read(n)
			if err != nil {
				return nil, err
			}
			u.push(Number(decodeLong(data)))
		case opBinFloat:
			p, err := u.read(8)
			if err != nil {
				return nil, err
			}
			u.push(Number(PyFloatRepr(math.Float64frombits(binary.BigEndian.Uint64(p)))))
		case opShortBinUni, opBinUnicode, opBinUnicode8:
			n, err := u.readLen(lenSize(op[0]))
			if err != nil {
				return nil, err
			}
			s, err := u.str(n)
			if err != nil {
				return nil, err
			}
			u.push(s)
		case opShortBinBytes, opBinBytes, opBinBytes8:
			n, err := u.readLen(lenSize(op[0]))
			if err != nil {
				return nil, err
			}
			p, _ := u.read(n)
			u.push(append([]byte{}, p...))
		case opTuple1, opTuple2, opTuple3:
			n := int(op[0]-opTuple1) + 1
			if len(u.stack)-u.fence() < n {
				return nil, pickleErr("unpickling stack underflow")
			}
			items := append([]any(nil), u.stack[len(u.stack)-n:]...)
			u.stack = u.stack[:len(u.stack)-n]
			u.push(&pyTuple{items: items})
		case opTuple:
			items, err := u.popMark()
			if err != nil {
				return nil, err
			}
			u.push(&pyTuple{items: append([]any(nil), items...)})
		case opAppend:
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			if err := u.appendTo([]any{v}); err != nil {
				return nil, err
			}
		case opAppends:
			items, err := u.popMark()
			if err != nil {
				return nil, err
			}
			if err := u.appendTo(items); err != nil {
				return nil, err
			}
		case opSetItem:
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			k, err := u.pop()
			if err != nil {
				return nil, err
			}
			if err := u.setItems([]any{k, v}); err != nil {
				return nil, err
			}
		case opSetItems:
			items, err := u.popMark()
			if err != nil {
				return nil, err
			}
			if err := u.setItems(items); err != nil {
				return nil, err
			}
		case opMemoize:
			v, err := u.top()
			if err != nil {
				return nil, err
			}
			if err := u.memoPut(uint64(u.memoLen), v); err != nil {
				return nil, err
			}
		case opBinPut, opLongBinPut:
			size := 1
			if op[0] == opLongBinPut {
				size = 4
			}
			p, err := u.read(size)
			if err != nil {
				return nil, err
			}
			v, err := u.top()
			if err != nil {
				return nil, err
			}
			if err := u.memoPut(leUint(p), v); err != nil {
				return nil, err
			}
		case opBinGet, opLongBinGet:
			size := 1
			if op[0] == opLongBinGet {
				size = 4
			}
			p, err := u.read(size)
			if err != nil {
				return nil, err
			}
			if err := u.memoGet(leUint(p)); err != nil {
				return nil, err
			}
		case opGlobal:
			mod, err := u.line()
			if err != nil {
				return nil, err
			}
			name, err := u.line()
			if err != nil {
				return nil, err
			}
			g, err := findGlobal(mod, name)
			if err != nil {
				return nil, err
			}
			u.push(g)
		case opStackGlobal:
			name, err := u.pop()
			if err != nil {
				return nil, err
			}
			mod, err := u.pop()
			if err != nil {
				return nil, err
			}
			ms, ok1 := mod.(string)
			ns, ok2 := name.(string)
			if !ok1 || !ok2 {
				return nil, pickleErr("STACK_GLOBAL requires str")
			}
			g, err := findGlobal(ms, ns)
			if err != nil {
				return nil, err
			}
			u.push(g)
		case opReduce:
			args, err := u.pop()
			if err != nil {
				return nil, err
			}
			fn, err := u.pop()
			if err != nil {
				return nil, err
			}
			v, err := reduce(fn, args)
			if err != nil {
				return nil, err
			}
			u.push(v)
		default:
			name := opNames[op[0]]
			if name == "" {
				return nil, pickleErr("invalid opcode 0x%02x at byte %d", op[0], u.pos-1)
			}
			return nil, pickleErr("opcode %s (0x%02x) at byte %d is not supported", name, op[0], u.pos-1)
		}
	}
}

func lenSize(op byte) int {
	switch op {
	case opShortBinUni, opShortBinBytes:
		return 1
	case opBinUnicode, opBinBytes:
		return 4
	}
	return 8
}

func leUint(p []byte) uint64 {
	if len(p) == 1 {
		return uint64(p[0])
	}
	return uint64(binary.LittleEndian.Uint32(p))
}

// line reads the text of a GLOBAL operand up to its newline.
func (u *unpickler) line() (string, error) {
	for i := u.pos; i < len(u.b) && i-u.pos < 256; i++ {
		if u.b[i] == '\n' {
			s := string(u.b[u.pos:i])
			u.pos = i + 1
			return s, nil
		}
	}
	return "", pickleErr("GLOBAL operand without newline")
}

func (u *unpickler) appendTo(items []any) error {
	t, err := u.top()
	if err != nil {
		return err
	}
	l, ok := t.(*pyList)
	if !ok {
		return pickleErr("APPEND to %s", pyTypeName(t))
	}
	l.items = append(l.items, items...)
	return nil
}

func (u *unpickler) setItems(items []any) error {
	if len(items)%2 != 0 {
		return pickleErr("odd number of items for SETITEMS")
	}
	t, err := u.top()
	if err != nil {
		return err
	}
	d, ok := t.(*pyDict)
	if !ok {
		return pickleErr("SETITEM on %s", pyTypeName(t))
	}
	for i := 0; i < len(items); i += 2 {
		k, ok := items[i].(string)
		if !ok {
			return pickleErr("dict key of type %s (only str keys are supported)", pyTypeName(items[i]))
		}
		d.set(k, items[i+1])
	}
	return nil
}

func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case Number:
		return "number"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case *pyTuple:
		return "tuple"
	case pyGlobal:
		return string(v.(pyGlobal))
	case pyDelta:
		return "datetime.timedelta"
	case pyTZ:
		return "tzinfo"
	case time.Time:
		return "datetime.datetime"
	}
	return fmt.Sprintf("%T", v)
}

const (
	globDatetime  pyGlobal = "datetime.datetime"
	globTimezone  pyGlobal = "datetime.timezone"
	globTimedelta pyGlobal = "datetime.timedelta"
	globPytzUTC   pyGlobal = "pytz._UTC"
)

// findGlobal returns one of the four allowed globals, or the error that
// refuses any other.
func findGlobal(mod, name string) (pyGlobal, error) {
	g := pyGlobal(mod + "." + name)
	switch g {
	case globDatetime, globTimezone, globTimedelta, globPytzUTC:
		return g, nil
	}
	return "", pickleErr("global %s.%s is not allowed (only datetime.datetime, datetime.timezone, datetime.timedelta and pytz._UTC are read)",
		truncate(mod, 60), truncate(name, 60))
}

// reduce applies an allowed global to its arguments.
func reduce(fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, pickleErr("REDUCE on %s", pyTypeName(fn))
	}
	t, ok := args.(*pyTuple)
	if !ok {
		return nil, pickleErr("REDUCE arguments of %s are a %s, not a tuple", g, pyTypeName(args))
	}
	a := t.items
	switch g {
	case globDatetime:
		if len(a) < 1 || len(a) > 2 {
			return nil, pickleErr("datetime.datetime with %d arguments", len(a))
		}
		state, ok := a[0].([]byte)
		if !ok || len(state) != 10 {
			return nil, pickleErr("datetime.datetime state is not 10 bytes")
		}
		loc := naiveLoc
		if len(a) == 2 {
			switch tz := a[1].(type) {
			case nil:
			case pyTZ:
				loc = tz.loc
			case *pyTuple, *pyList, *pyDict:
				return nil, pickleErr("datetime tzinfo is a %s", pyTypeName(tz))
			default:
				return nil, pickleErr("datetime tzinfo %s is not supported (only timezone.utc, fixed offsets and pytz.utc)", pyTypeName(tz))
			}
		}
		return datetimeFromState(state, loc)
	case globTimedelta:
		if len(a) != 3 {
			return nil, pickleErr("datetime.timedelta with %d arguments", len(a))
		}
		var f [3]int64
		for i, x := range a {
			n, ok := x.(Number)
			if !ok {
				return nil, pickleErr("datetime.timedelta argument is a %s", pyTypeName(x))
			}
			v, err := n.Int64()
			if err != nil {
				return nil, pickleErr("datetime.timedelta argument %s", truncate(string(n), 30))
			}
			f[i] = v
		}
		if f[0] < -999999999 || f[0] > 999999999 || f[1] < 0 || f[1] >= 86400 || f[2] < 0 || f[2] >= 1000000 {
			return nil, pickleErr("datetime.timedelta(%d, %d, %d) out of range", f[0], f[1], f[2])
		}
		return pyDelta{f[0], f[1], f[2]}, nil
	case globTimezone:
		if len(a) < 1 || len(a) > 2 {
			return nil, pickleErr("datetime.timezone with %d arguments", len(a))
		}
		d, ok := a[0].(pyDelta)
		if !ok {
			return nil, pickleErr("datetime.timezone offset is a %s", pyTypeName(a[0]))
		}
		name := ""
		if len(a) == 2 {
			if name, ok = a[1].(string); !ok {
				return nil, pickleErr("datetime.timezone name is a %s", pyTypeName(a[1]))
			}
		}
		secs := d.days*86400 + d.secs
		if d.us != 0 || secs <= -86400 || secs >= 86400 {
			return nil, pickleErr("datetime.timezone offset %ds %dus not supported", secs, d.us)
		}
		if secs == 0 && name == "" {
			return pyTZ{time.UTC}, nil
		}
		return pyTZ{time.FixedZone(name, int(secs))}, nil
	case globPytzUTC:
		if len(a) != 0 {
			return nil, pickleErr("pytz._UTC with arguments")
		}
		return pyTZ{time.UTC}, nil
	}
	return nil, pickleErr("REDUCE on %s", g)
}

// datetimeFromState reads the 10-byte state of a pickled datetime: year
// (2 bytes, big-endian), month (its top bit is fold), day, hour, minute,
// second, microsecond (3 bytes, big-endian).
func datetimeFromState(s []byte, loc *time.Location) (time.Time, error) {
	year := int(s[0])<<8 | int(s[1])
	month := int(s[2] & 0x7f)
	day, hour, minute, sec := int(s[3]), int(s[4]), int(s[5]), int(s[6])
	us := int(s[7])<<16 | int(s[8])<<8 | int(s[9])
	if year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
		day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 || us > 999999 {
		return time.Time{}, pickleErr("datetime state % x out of range", s)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, us*1000, loc), nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// decodeLong is pickle's decode_long: little-endian two's complement.
func decodeLong(p []byte) string {
	if len(p) == 0 {
		return "0"
	}
	if len(p) <= 8 {
		var v uint64
		for i := len(p) - 1; i >= 0; i-- {
			v = v<<8 | uint64(p[i])
		}
		if len(p) < 8 && p[len(p)-1]&0x80 != 0 {
			v |= ^uint64(0) << (8 * len(p))
		}
		if len(p) == 8 || p[len(p)-1]&0x80 != 0 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatUint(v, 10)
	}
	be := make([]byte, len(p))
	for i := range p {
		be[len(p)-1-i] = p[i]
	}
	n := new(big.Int).SetBytes(be)
	if p[len(p)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(p))))
	}
	return n.String()
}

// convert turns the unpickler's values into djangosession values,
// refusing recursive structures, nesting past maxDepth, and shared
// sub-objects whose expanded weight (nodes plus string bytes) is over the
// budget. It returns the value and its weight.
func (u *unpickler) convert(v any, depth int) (any, int, error) {
	if depth > maxDepth {
		return nil, 0, pickleErr("nested deeper than %d", maxDepth)
	}
	switch x := v.(type) {
	case nil, bool, Number, time.Time:
		return x, 1, nil
	case string:
		return x, 1 + len(x), nil
	case []byte:
		return x, 1 + len(x), nil
	case pyGlobal, pyDelta, pyTZ:
		return nil, 0, pickleErr("a %s is not a session value", pyTypeName(x))
	}
	var c *conv
	switch x := v.(type) {
	case *pyList:
		c = &x.conv
	case *pyTuple:
		c = &x.conv
	case *pyDict:
		c = &x.conv
	default:
		return nil, 0, pickleErr("unexpected %T", v)
	}
	switch c.state {
	case 1:
		return nil, 0, pickleErr("recursive structure")
	case 2:
		return c.out, c.weight, nil
	}
	c.state = 1
	weight := 1
	var out any
	add := func(w int) error {
		weight += w
		if weight > u.budget {
			return fmt.Errorf("%w: pickle: expands past %d", ErrTooLarge, u.budget)
		}
		return nil
	}
	convItems := func(items []any) ([]any, error) {
		l := make([]any, len(items))
		for i, it := range items {
			c, w, err := u.convert(it, depth+1)
			if err != nil {
				return nil, err
			}
			if err := add(w); err != nil {
				return nil, err
			}
			l[i] = c
		}
		return l, nil
	}
	var err error
	switch x := v.(type) {
	case *pyList:
		out, err = convItems(x.items)
	case *pyTuple:
		out, err = convItems(x.items)
	case *pyDict:
		m := &Map{items: make([]Item, len(x.keys))}
		for i, k := range x.keys {
			c, w, cerr := u.convert(x.vals[i], depth+1)
			if cerr != nil {
				return nil, 0, cerr
			}
			if err = add(w + len(k)); err != nil {
				break
			}
			m.items[i] = Item{k, c}
		}
		if len(m.items) > mapIndexThreshold {
			m.reindex()
		}
		out = m
	}
	if err != nil {
		return nil, 0, err
	}
	c.state, c.out, c.weight = 2, out, weight
	return out, weight, nil
}

// Pickle returns v pickled as Python's pickle.dumps(v, 5) writes it (the
// HIGHEST_PROTOCOL of Python 3.8+, what Django's RedisSerializer and
// PickleSerializer use): the same opcodes, memo numbering and 64 KiB
// framing, so that values without shared sub-objects come out byte for
// byte as Python writes them. v is a djangosession value (nil, bool,
// string, Number, *Map, []any, []byte, time.Time) or a Go value Normalize
// accepts. A *Map becomes a dict, []any a list, []byte bytes, time.Time a
// datetime.datetime: naive if IsNaive, with datetime.timezone.utc for UTC,
// else with its fixed offset at that instant. Strings must be UTF-8 (lone
// surrogates in WTF-8 allowed); other values fail with ErrUnsupportedValue.
func Pickle(v any) ([]byte, error) {
	p := pickler{out: make([]byte, 0, 256), frameStart: -1}
	p.out = append(p.out, opProto, pickleProtocol)
	p.framing = true
	if err := p.save(v, 0); err != nil {
		return nil, err
	}
	p.write(opStop)
	p.commitFrame()
	return p.out, nil
}

type pickler struct {
	out        []byte
	framing    bool
	frameStart int
	memoLen    int
	globals    map[pyGlobal]int
	modules    map[string]int // memo index of each module name written
	utcMemo    int            // memo index of datetime.timezone.utc + 1; 0 = not yet
}

func (p *pickler) startFrame() {
	if p.framing && p.frameStart < 0 {
		p.frameStart = len(p.out)
		p.out = append(p.out, make([]byte, frameHeaderSize)...)
	}
}

func (p *pickler) write(b ...byte) {
	p.startFrame()
	p.out = append(p.out, b...)
}

func (p *pickler) commitFrame() {
	if p.frameStart < 0 {
		return
	}
	n := len(p.out) - p.frameStart - frameHeaderSize
	if n >= frameSizeMin {
		p.out[p.frameStart] = opFrame
		binary.LittleEndian.PutUint64(p.out[p.frameStart+1:], uint64(n))
	} else {
		copy(p.out[p.frameStart:], p.out[p.frameStart+frameHeaderSize:])
		p.out = p.out[:len(p.out)-frameHeaderSize]
	}
	p.frameStart = -1
}

// boundary is _Pickler_OpcodeBoundary: a frame is closed once it holds
// 64 KiB.
func (p *pickler) boundary() {
	if p.frameStart >= 0 && len(p.out)-p.frameStart-frameHeaderSize >= frameSizeTarget {
		p.commitFrame()
	}
}

// writeData writes an opcode with its length header and payload; payloads
// of 64 KiB or more go outside any frame, as CPython writes them.
func (p *pickler) writeData(header []byte, data []byte) {
	if len(data) >= frameSizeTarget {
		p.commitFrame()
		p.out = append(p.out, header...)
		p.out = append(p.out, data...)
		return
	}
	p.write(header...)
	p.write(data...)
}

func (p *pickler) memoize() {
	p.write(opMemoize)
	p.memoLen++
}

func (p *pickler) get(idx int) {
	if idx < 256 {
		p.write(opBinGet, byte(idx))
	} else {
		var b [5]byte
		b[0] = opLongBinGet
		binary.LittleEndian.PutUint32(b[1:], uint32(idx))
		p.write(b[:]...)
	}
}

func (p *pickler) save(v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested deeper than %d", ErrUnsupportedValue, maxDepth)
	}
	switch x := v.(type) {
	case nil:
		p.write(opNone)
	case bool:
		if x {
			p.write(opNewTrue)
		} else {
			p.write(opNewFalse)
		}
	case Number:
		if err := p.saveNumber(x); err != nil {
			return err
		}
	case string:
		if err := p.saveString(x); err != nil {
			return err
		}
	case []byte:
		p.saveBytes(x)
	case *Map:
		p.write(opEmptyDict)
		p.memoize()
		items := x.Items()
		if len(items) == 1 {
			if err := p.saveString(items[0].Key); err != nil {
				return err
			}
			if err := p.save(items[0].Value, depth+1); err != nil {
				return err
			}
			p.write(opSetItem)
		} else if len(items) > 1 {
			// batch_dict_exact: batches of 1000, and an empty trailing
			// batch when the size is a multiple of 1000.
			for i := 0; ; {
				p.write(opMark)
				n := 0
				for ; i < len(items) && n < batchSize; i, n = i+1, n+1 {
					if err := p.saveString(items[i].Key); err != nil {
						return err
					}
					if err := p.save(items[i].Value, depth+1); err != nil {
						return err
					}
				}
				p.write(opSetItems)
				if n < batchSize {
					break
				}
			}
		}
	case []any:
		p.write(opEmptyList)
		p.memoize()
		if len(x) == 1 {
			if err := p.save(x[0], depth+1); err != nil {
				return err
			}
			p.write(opAppend)
		} else if len(x) > 1 {
			// batch_list_exact: batches of 1000, no empty batch.
			for i := 0; i < len(x); {
				p.write(opMark)
				for n := 0; i < len(x) && n < batchSize; i, n = i+1, n+1 {
					if err := p.save(x[i], depth+1); err != nil {
						return err
					}
				}
				p.write(opAppends)
			}
		}
	case time.Time:
		if err := p.saveDatetime(x); err != nil {
			return err
		}
	default:
		n, err := normalize(v, depth)
		if err != nil {
			return err
		}
		return p.save(n, depth)
	}
	p.boundary()
	return nil
}

func (p *pickler) saveString(s string) error {
	if !validWTF8([]byte(s)) {
		return fmt.Errorf("%w: string %q is not UTF-8", ErrUnsupportedValue, truncate(s, 40))
	}
	p.writeData(lenHeader(opShortBinUni, opBinUnicode, opBinUnicode8, len(s)), []byte(s))
	p.memoize()
	p.boundary()
	return nil
}

func (p *pickler) saveBytes(b []byte) {
	p.writeData(lenHeader(opShortBinBytes, opBinBytes, opBinBytes8, len(b)), b)
	p.memoize()
}

func lenHeader(short, long, long8 byte, n int) []byte {
	switch {
	case n < 256:
		return []byte{short, byte(n)}
	case uint64(n) <= math.MaxUint32:
		h := []byte{long, 0, 0, 0, 0}
		binary.LittleEndian.PutUint32(h[1:], uint32(n))
		return h
	}
	h := make([]byte, 9)
	h[0] = long8
	binary.LittleEndian.PutUint64(h[1:], uint64(n))
	return h
}

func (p *pickler) saveNumber(n Number) error {
	s := string(n)
	if n.IsInt() {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			p.saveInt(i)
			return nil
		}
		bi, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return fmt.Errorf("%w: number %q", ErrUnsupportedValue, truncate(s, 40))
		}
		p.saveBigInt(bi)
		return nil
	}
	var f float64
	switch s {
	case "NaN":
		f = math.Float64frombits(0x7ff8000000000000) // CPython's float("nan")
	case "Infinity":
		f = math.Inf(1)
	case "-Infinity":
		f = math.Inf(-1)
	default:
		if !validNumber(s) {
			return fmt.Errorf("%w: %q is not a number", ErrUnsupportedValue, truncate(s, 40))
		}
		var err error
		f, err = strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("%w: number %q", ErrUnsupportedValue, truncate(s, 40))
		}
	}
	var b [9]byte
	b[0] = opBinFloat
	binary.BigEndian.PutUint64(b[1:], math.Float64bits(f))
	p.write(b[:]...)
	return nil
}

// saveInt is save_long for protocol ≥ 2.
func (p *pickler) saveInt(i int64) {
	switch {
	case i >= 0 && i <= 0xff:
		p.write(opBinInt1, byte(i))
	case i >= 0 && i <= 0xffff:
		p.write(opBinInt2, byte(i), byte(i>>8))
	case i >= math.MinInt32 && i <= math.MaxInt32:
		var b [5]byte
		b[0] = opBinInt
		binary.LittleEndian.PutUint32(b[1:], uint32(int32(i)))
		p.write(b[:]...)
	default:
		p.saveBigInt(big.NewInt(i))
	}
}

// saveBigInt writes LONG1 or LONG4 with encode_long's bytes: the shortest
// little-endian two's complement.
func (p *pickler) saveBigInt(x *big.Int) {
	if x.IsInt64() {
		if i := x.Int64(); i >= math.MinInt32 && i <= math.MaxInt32 {
			p.saveInt(i)
			return
		}
	}
	data := encodeLong(x)
	if len(data) < 256 {
		p.write(opLong1, byte(len(data)))
	} else {
		h := []byte{opLong4, 0, 0, 0, 0}
		binary.LittleEndian.PutUint32(h[1:], uint32(len(data)))
		p.write(h...)
	}
	p.write(data...)
}

// encodeLong is pickle.encode_long: nbytes = bit_length//8 + 1, two's
// complement little-endian, dropping a redundant 0xff for negatives.
func encodeLong(x *big.Int) []byte {
	if x.Sign() == 0 {
		return nil
	}
	nbytes := x.BitLen()/8 + 1
	if x.Sign() < 0 {
		// bit_length of a negative int is that of its absolute value.
		nbytes = new(big.Int).Abs(x).BitLen()/8 + 1
	}
	v := new(big.Int).Set(x)
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*nbytes)))
	}
	be := v.FillBytes(make([]byte, nbytes))
	out := make([]byte, nbytes)
	for i := range be {
		out[nbytes-1-i] = be[i]
	}
	if x.Sign() < 0 && nbytes > 1 && out[nbytes-1] == 0xff && out[nbytes-2]&0x80 != 0 {
		out = out[:nbytes-1]
	}
	return out
}

func (p *pickler) saveGlobal(g pyGlobal, mod, name string) {
	if idx, ok := p.globals[g]; ok {
		p.get(idx)
		return
	}
	// CPython saves the module name of every class of a module as the
	// same string object, so after the first time it is a memo reference.
	if idx, ok := p.modules[mod]; ok {
		p.get(idx)
	} else {
		p.saveString(mod)
		if p.modules == nil {
			p.modules = make(map[string]int)
		}
		p.modules[mod] = p.memoLen - 1
	}
	p.saveString(name)
	p.write(opStackGlobal)
	p.memoize()
	if p.globals == nil {
		p.globals = make(map[pyGlobal]int)
	}
	p.globals[g] = p.memoLen - 1
}

// saveDatetime writes datetime.datetime(state[, tzinfo]) as
// datetime.__reduce_ex__(5) gives it.
func (p *pickler) saveDatetime(t time.Time) error {
	if t.Year() < 1 || t.Year() > 9999 {
		return fmt.Errorf("%w: year %d is outside Python's datetime range", ErrUnsupportedValue, t.Year())
	}
	p.saveGlobal(globDatetime, "datetime", "datetime")
	us := t.Nanosecond() / 1000
	state := []byte{byte(t.Year() >> 8), byte(t.Year()), byte(t.Month()), byte(t.Day()),
		byte(t.Hour()), byte(t.Minute()), byte(t.Second()), byte(us >> 16), byte(us >> 8), byte(us)}
	p.saveBytes(state)
	if IsNaive(t) {
		p.write(opTuple1)
	} else {
		_, off := t.Zone()
		if t.Location() == time.UTC || off == 0 {
			if p.utcMemo > 0 {
				p.get(p.utcMemo - 1)
			} else {
				p.saveTimezone(0)
				p.utcMemo = p.memoLen
			}
		} else {
			p.saveTimezone(off)
		}
		p.write(opTuple2)
	}
	p.memoize()
	p.write(opReduce)
	p.memoize()
	return nil
}

// saveTimezone writes datetime.timezone(datetime.timedelta(0, off)).
func (p *pickler) saveTimezone(off int) {
	p.saveGlobal(globTimezone, "datetime", "timezone")
	p.saveGlobal(globTimedelta, "datetime", "timedelta")
	days := off / 86400
	secs := off % 86400
	if secs < 0 {
		days--
		secs += 86400
	}
	p.saveInt(int64(days))
	p.saveInt(int64(secs))
	p.saveInt(0)
	p.write(opTuple3)
	p.memoize()
	p.write(opReduce)
	p.memoize()
	p.write(opTuple1)
	p.memoize()
	p.write(opReduce)
	p.memoize()
}
