package messages

import (
	"fmt"
	"strconv"

	"github.com/djangobridge/djangobridge/djangosession"
)

// item is one element of a stored list: a message, or the not_finished
// sentinel.
type item struct {
	Message
	notFinished bool
}

// encodeItems is the MessageEncoder form of msgs (+ the sentinel).
func (f *Framework) encodeItems(msgs []Message, sentinel bool) []any {
	out := make([]any, 0, len(msgs)+1)
	for _, m := range msgs {
		safe := "0"
		if m.Safe {
			safe = "1"
		}
		e := []any{messageKey, djangosession.Number(safe), djangosession.Number(strconv.Itoa(int(m.Level))), m.Message}
		// MessageEncoder: 4.1+ appends extra_tags unless None; before, only
		// when truthy.
		if f.emptyExtra && !m.NoExtraTags || !f.emptyExtra && m.ExtraTags != "" {
			e = append(e, m.ExtraTags)
		}
		out = append(out, e)
	}
	if sentinel {
		out = append(out, NotFinished)
	}
	return out
}

// encodeCookie is CookieStorage._encode(messages, encode_empty=True):
// signer.sign_object(list, MessageSerializer, compress=True).
func (f *Framework) encodeCookie(msgs []Message, sentinel bool) (string, error) {
	return f.signer.Dumps(f.encodeItems(msgs, sentinel), true, f.now())
}

// storeCookie is CookieStorage._store: the cookie value for msgs ("" =
// delete) and the messages that did not fit in max_cookie_size: the
// oldest with removeOldest, else the newest; with any dropped, the list
// ends with the not_finished sentinel. As Django 3.2–4.2 do it (one
// message at a time; 5.0+ bisect to the same boundary).
func (f *Framework) storeCookie(msgs []Message, removeOldest bool) (string, []Message, error) {
	if len(msgs) == 0 {
		return "", nil, nil
	}
	v, err := f.encodeCookie(msgs, false)
	if err != nil {
		return "", nil, err
	}
	// SimpleCookie.value_encode leaves the signed value (base64url, ".",
	// ":") as it is: its stored length is its length.
	keep := msgs
	var unstored []Message
	for len(v) > f.maxCookie {
		if len(keep) == 0 {
			break
		}
		if removeOldest {
			unstored = append(unstored, keep[0])
			keep = keep[1:]
		} else {
			unstored = append([]Message{keep[len(keep)-1]}, unstored...)
			keep = keep[:len(keep)-1]
		}
		if v, err = f.encodeCookie(keep, true); err != nil {
			return "", nil, err
		}
	}
	return v, unstored, nil
}

// decodeCookie is CookieStorage._decode: verify (any age), inflate, parse.
func (f *Framework) decodeCookie(v string) ([]item, error) {
	data, err := f.signer.Loads(v, djangosession.NoMaxAge, f.now(), f.limit)
	if err != nil {
		return nil, err
	}
	return decodeValue(data, true)
}

// decodeList parses the JSON text of a stored list.
func decodeList(s string, limit int, sentinelOK bool) ([]item, error) {
	v, err := djangosession.ParseJSON([]byte(s), limit)
	if err != nil {
		return nil, err
	}
	return decodeValue(v, sentinelOK)
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: messages: %s", djangosession.ErrMalformed, fmt.Sprintf(format, args...))
}

// decodeValue is MessageDecoder.process_messages on a stored list: each
// element a ["__json_message", is_safe, level, message(, extra_tags)],
// the last one possibly the not_finished sentinel. Anything else is a
// data error (Django would pass a stray value through to the template;
// Django never writes one).
func decodeValue(v any, sentinelOK bool) ([]item, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, bad("stored value is not a list")
	}
	out := make([]item, 0, len(l))
	for i, e := range l {
		if s, ok := e.(string); ok && s == NotFinished && sentinelOK && i == len(l)-1 {
			out = append(out, item{notFinished: true})
			continue
		}
		m, ok := e.([]any)
		if !ok || len(m) < 4 || len(m) > 5 || m[0] != messageKey {
			return nil, bad("element %d is not a message", i)
		}
		var it item
		safe, ok := m[1].(djangosession.Number)
		if !ok {
			if b, isB := m[1].(bool); isB {
				safe, ok = "0", true
				if b {
					safe = "1"
				}
			}
		}
		if !ok {
			return nil, bad("element %d: is_safedata is not a number", i)
		}
		it.Safe = safe != "0" && safe != "0.0"
		lv, ok := m[2].(djangosession.Number)
		if !ok {
			return nil, bad("element %d: level is not a number", i)
		}
		n, err := lv.Int64()
		if err != nil || n < -1<<31 || n > 1<<31-1 {
			return nil, bad("element %d: level %s is not a small integer", i, string(lv))
		}
		it.Level = Level(n)
		if it.Message.Message, ok = m[3].(string); !ok {
			return nil, bad("element %d: message is not a string", i)
		}
		if len(m) == 5 {
			if m[4] == nil {
				it.NoExtraTags = true
			} else if it.ExtraTags, ok = m[4].(string); !ok {
				return nil, bad("element %d: extra_tags is not a string", i)
			}
		} else {
			it.NoExtraTags = true
		}
		out = append(out, it)
	}
	return out, nil
}

// encodeSession is SessionStorage.serialize_messages: MessageEncoder().encode
// with json's default separators (", ", ": "), ASCII only.
func (f *Framework) encodeSession(msgs []Message) string {
	var b []byte
	b = append(b, '[')
	for i, e := range f.encodeItems(msgs, false) {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '[')
		for j, x := range e.([]any) {
			if j > 0 {
				b = append(b, ", "...)
			}
			b, _ = djangosession.AppendJSON(b, x)
		}
		b = append(b, ']')
	}
	return string(append(b, ']'))
}
