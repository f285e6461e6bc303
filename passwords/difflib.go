package passwords

import (
	"cmp"
	"slices"
)

// SequenceMatcher is a port of Python's difflib.SequenceMatcher (CPython
// 3.9–3.14, Lib/difflib.py) without an isjunk function: it compares two
// sequences of comparable elements (for strings: their code points, see
// Runes) and reports how similar they are. Ratio, QuickRatio and
// RealQuickRatio return exactly the float64 Python returns, including the
// "autojunk" heuristic: when b has 200 or more elements, an element that
// makes up more than 1% of b (+1) is treated as popular and never starts a
// match (SequenceMatcher.__chain_b).
//
// UserAttributeSimilarityValidator uses QuickRatio. A SequenceMatcher is not
// safe for concurrent use.
type SequenceMatcher[T comparable] struct {
	a, b       []T
	autojunk   bool
	b2j        map[T][]int
	popular    map[T]struct{}
	fullbcount map[T]int
	blocks     []Match
}

// Match is a matching block: a[A:A+Size] == b[B:B+Size] (difflib.Match).
type Match struct{ A, B, Size int }

// NewSequenceMatcher returns SequenceMatcher(None, a, b, autojunk). a and b
// are not copied; do not change them while the matcher is in use.
func NewSequenceMatcher[T comparable](a, b []T, autojunk bool) *SequenceMatcher[T] {
	m := &SequenceMatcher[T]{a: a, b: b, autojunk: autojunk}
	m.chainB()
	return m
}

// Runes returns s as Python sees a str: its code points.
func Runes(s string) []rune { return pyRunes(s) }

// chainB is SequenceMatcher.__chain_b without isjunk.
func (m *SequenceMatcher[T]) chainB() {
	m.b2j = make(map[T][]int)
	for i, elt := range m.b {
		m.b2j[elt] = append(m.b2j[elt], i)
	}
	m.popular = nil
	n := len(m.b)
	if m.autojunk && n >= 200 {
		ntest := n/100 + 1
		m.popular = make(map[T]struct{})
		for elt, idxs := range m.b2j {
			if len(idxs) > ntest {
				m.popular[elt] = struct{}{}
			}
		}
		for elt := range m.popular {
			delete(m.b2j, elt)
		}
	}
}

// FindLongestMatch is find_longest_match(alo, ahi, blo, bhi): the longest
// matching block in a[alo:ahi] and b[blo:bhi], the earliest in a, then in b,
// when several are longest. With no isjunk, the junk extension loops of
// the Python code never run; popular elements extend a match but never
// start one.
func (m *SequenceMatcher[T]) FindLongestMatch(alo, ahi, blo, bhi int) Match {
	a, b := m.a, m.b
	besti, bestj, bestsize := alo, blo, 0
	j2len := map[int]int{}
	for i := alo; i < ahi; i++ {
		newj2len := make(map[int]int)
		for _, j := range m.b2j[a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := j2len[j-1] + 1
			newj2len[j] = k
			if k > bestsize {
				besti, bestj, bestsize = i-k+1, j-k+1, k
			}
		}
		j2len = newj2len
	}
	// isbjunk is always false here (no isjunk): the first two loops extend
	// over equal elements, the last two (junk only) never run.
	for besti > alo && bestj > blo && a[besti-1] == b[bestj-1] {
		besti, bestj, bestsize = besti-1, bestj-1, bestsize+1
	}
	for besti+bestsize < ahi && bestj+bestsize < bhi && a[besti+bestsize] == b[bestj+bestsize] {
		bestsize++
	}
	return Match{besti, bestj, bestsize}
}

// MatchingBlocks is get_matching_blocks(): the non-adjacent matching blocks
// in increasing order, ending with the sentinel {len(a), len(b), 0}.
func (m *SequenceMatcher[T]) MatchingBlocks() []Match {
	if m.blocks != nil {
		return m.blocks
	}
	la, lb := len(m.a), len(m.b)
	queue := [][4]int{{0, la, 0, lb}}
	var blocks []Match
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		alo, ahi, blo, bhi := q[0], q[1], q[2], q[3]
		x := m.FindLongestMatch(alo, ahi, blo, bhi)
		i, j, k := x.A, x.B, x.Size
		if k > 0 {
			blocks = append(blocks, x)
			if alo < i && blo < j {
				queue = append(queue, [4]int{alo, i, blo, j})
			}
			if i+k < ahi && j+k < bhi {
				queue = append(queue, [4]int{i + k, ahi, j + k, bhi})
			}
		}
	}
	slices.SortFunc(blocks, func(x, y Match) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		if c := cmp.Compare(x.B, y.B); c != 0 {
			return c
		}
		return cmp.Compare(x.Size, y.Size)
	})
	var i1, j1, k1 int
	out := make([]Match, 0, len(blocks)+1)
	for _, x := range blocks {
		if i1+k1 == x.A && j1+k1 == x.B {
			k1 += x.Size
		} else {
			if k1 > 0 {
				out = append(out, Match{i1, j1, k1})
			}
			i1, j1, k1 = x.A, x.B, x.Size
		}
	}
	if k1 > 0 {
		out = append(out, Match{i1, j1, k1})
	}
	out = append(out, Match{la, lb, 0})
	m.blocks = out
	return out
}

// calculateRatio is difflib._calculate_ratio.
func calculateRatio(matches, length int) float64 {
	if length > 0 {
		return 2.0 * float64(matches) / float64(length)
	}
	return 1.0
}

// Ratio is ratio(): 2*M/T, M the matched elements, T len(a)+len(b); 1.0
// when both are empty.
func (m *SequenceMatcher[T]) Ratio() float64 {
	matches := 0
	for _, x := range m.MatchingBlocks() {
		matches += x.Size
	}
	return calculateRatio(matches, len(m.a)+len(m.b))
}

// QuickRatio is quick_ratio(): an upper bound on Ratio counting the
// elements a and b share as multisets, order ignored.
func (m *SequenceMatcher[T]) QuickRatio() float64 {
	if m.fullbcount == nil {
		m.fullbcount = make(map[T]int, len(m.b))
		for _, elt := range m.b {
			m.fullbcount[elt]++
		}
	}
	avail := make(map[T]int)
	matches := 0
	for _, elt := range m.a {
		numb, ok := avail[elt]
		if !ok {
			numb = m.fullbcount[elt]
		}
		avail[elt] = numb - 1
		if numb > 0 {
			matches++
		}
	}
	return calculateRatio(matches, len(m.a)+len(m.b))
}

// RealQuickRatio is real_quick_ratio(): the upper bound from the lengths
// alone.
func (m *SequenceMatcher[T]) RealQuickRatio() float64 {
	la, lb := len(m.a), len(m.b)
	return calculateRatio(min(la, lb), la+lb)
}
