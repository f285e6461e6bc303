package accountmail

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// qpSafe reports whether quoprimime leaves byte c as it is in a body
// (email.quoprimime._QUOPRI_BODY_ENCODE_MAP: printable ASCII but "=",
// space, tab, CR and LF).
func qpSafe(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || (c >= '!' && c <= '~' && c != '=')
}

// qpBodyEncode is Python's email.quoprimime.body_encode(body, maxlinelen,
// eol="\n") on the bytes of body read as Latin-1: what both Django's
// SafeMIMEText (maxlinelen 76) and email.contentmanager (policy's
// max_line_length, 78) send as a quoted-printable body.
func qpBodyEncode(body []byte, maxlinelen int) string {
	if len(body) == 0 {
		return ""
	}
	var enc strings.Builder
	for _, c := range body {
		if qpSafe(c) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "=%02X", c)
		}
	}
	text := enc.String()
	const softBreak = "=\n"
	maxlinelen1 := maxlinelen - 1
	var out []string
	for _, line := range splitLines(text) {
		start := 0
		laststart := len(line) - 1 - maxlinelen
		for start <= laststart {
			stop := start + maxlinelen1
			switch {
			case line[stop-2] == '=':
				out = append(out, line[start:stop-1])
				start = stop - 2
			case line[stop-1] == '=':
				out = append(out, line[start:stop])
				start = stop - 1
			default:
				out = append(out, line[start:stop]+"=")
				start = stop
			}
		}
		if n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t') {
			var q string
			switch room := start - laststart; {
			case room >= 3:
				q = fmt.Sprintf("=%02X", line[n-1])
			case room == 2:
				q = line[n-1:] + softBreak
			default:
				q = softBreak + fmt.Sprintf("=%02X", line[n-1])
			}
			out = append(out, line[start:n-1]+q)
		} else {
			out = append(out, line[start:])
		}
	}
	if last := text[len(text)-1]; last == '\r' || last == '\n' {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// splitLines is str.splitlines() on ASCII text: lines ended by "\r\n",
// "\r" or "\n", the ends dropped.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return out
}

// base64Body is email.contentmanager's _encode_base64(data,
// max_line_length): lines of max_line_length/4*3 input bytes, each ended
// by "\n".
func base64Body(data []byte, maxLineLength int) string {
	per := maxLineLength / 4 * 3
	var b strings.Builder
	for i := 0; i < len(data); i += per {
		b.WriteString(base64.StdEncoding.EncodeToString(data[i:min(i+per, len(data))]))
		b.WriteByte('\n')
	}
	return b.String()
}

// modernBody is email.contentmanager's _encode_text(body, "utf-8", None,
// email.policy.default) as Django 6.x's set_content calls it: the
// Content-Transfer-Encoding and the encoded body, line ends "\n". lines
// are the body's lines, ends dropped.
func modernBody(lines []string) (cte, body string) {
	const maxLine = 78 // email.policy.default.max_line_length
	join := func(ls []string) string {
		if len(ls) == 0 {
			return "\n"
		}
		return strings.Join(ls, "\n") + "\n"
	}
	long := false
	for _, l := range lines {
		if len(l) > maxLine {
			long = true
			break
		}
	}
	if !long {
		if isASCII(join(lines)) {
			return "7bit", join(lines)
		}
		return "8bit", join(lines)
	}
	sniff := join(lines[:min(10, len(lines))])
	sniffQP := qpBodyEncode([]byte(sniff), maxLine)
	if len(sniffQP) > base64.StdEncoding.EncodedLen(len(sniff))+1 {
		return "base64", base64Body([]byte(join(lines)), maxLine)
	}
	if len(lines) <= 10 {
		return "quoted-printable", sniffQP
	}
	return "quoted-printable", qpBodyEncode([]byte(join(lines)), maxLine)
}
