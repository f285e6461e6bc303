package passwords

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// corpusUsers are the users the corpus is validated against (nil: none).
var corpusUsers = []Attrs{
	nil,
	{
		"username": {"alice", "username"}, "first_name": {"Alice", "first name"},
		"last_name": {"Liddell", "last name"}, "email": {"alice.liddell@example.com", "email address"},
	},
	{
		"username": {"Σίσυφος", "username"}, "first_name": {"ΣΊΣΥΦΟΣ", "first name"},
		"last_name": {"İnce-Straße", "last name"}, "email": {"sisyphus+test@ΕΛ.gr", "email address"},
		"nickname": {"the_dragon ΟΔΟΣ", ""},
	},
	{
		"username": {"bob_smith-99", "username"}, "first_name": {"", "first name"},
		"last_name": {"", "last name"}, "email": {"", "email address"},
		"nickname": {strings.Repeat("long-nick ", 30), ""},
	},
}

// djangoUserAttrs is the attributes Django's unsaved user gets for a.
func djangoUserAttrs(a Attrs) map[string]string {
	if a == nil {
		return nil
	}
	m := map[string]string{}
	for k, v := range a {
		m[k] = v.Value
	}
	return m
}

// corpusConfigs are the AUTH_PASSWORD_VALIDATORS the corpus runs under.
var corpusConfigs = [][]Config{
	DjangoDefaults(),
	{
		{Name: NameUserAttributeSimilarity, Options: map[string]any{"max_similarity": 0.1,
			"user_attributes": []any{"username", "nickname", "is_staff", "email", "missing"}}},
		{Name: NameMinimumLength, Options: map[string]any{"min_length": 1}},
	},
	{
		{Name: NameNumericPassword},
		{Name: NameMinimumLength, Options: map[string]any{"min_length": 12}},
		{Name: NameUserAttributeSimilarity, Options: map[string]any{"max_similarity": 1.0}},
		{Name: NameCommonPassword},
	},
	{
		{Name: NameUserAttributeSimilarity, Options: map[string]any{"max_similarity": 0.5,
			"user_attributes": []any{"first_name", "last_name", "nickname"}}},
		{Name: NameMinimumLength, Options: map[string]any{"min_length": 0}},
	},
}

// djangoConfig is cfg as the Python setting.
func djangoConfig(cfg []Config) []map[string]any {
	out := make([]map[string]any, len(cfg))
	for i, c := range cfg {
		out[i] = map[string]any{"NAME": c.Name, "OPTIONS": c.Options}
		if c.Options == nil {
			out[i]["OPTIONS"] = map[string]any{}
		}
	}
	return out
}

// passwordCorpus returns ≥ 2,000 passwords: common ones (from every list
// Django ships, as is and disguised), numeric ones in several scripts, ones
// near the corpus users' attributes, long ones and unicode ones. It is the
// same on every call.
func passwordCorpus() []string {
	rng := rand.New(rand.NewPCG(13, 2026))
	var out []string
	add := func(s ...string) { out = append(out, s...) }

	// Common passwords of each list, plus disguises validators must see through.
	for _, name := range []string{"2018", "2022", "2025"} {
		set, err := builtinList(name)
		if err != nil {
			panic(err)
		}
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i := 0; i < len(keys); i += 97 {
			k := keys[i]
			add(k)
			switch i % 5 {
			case 0:
				add(strings.ToUpper(k))
			case 1:
				add("  " + k + "\t")
			case 2:
				add("\x1c" + k + "\u00a0")
			case 3:
				add(k + "x")
			}
		}
	}
	add("password", "Password", "PASSWORD ", "passw0rd", "qwerty", "letmein", "iloveyou", "dragon",
		"123456789", "11111111", "asdf:lkj", "&hearts:", "zxcvbnm:")

	// Numeric.
	add("", "0", "1", "12", "1234567", "12345678", "00000000", "1234 5678", "+12345678", "-1",
		"١٢٣٤٥٦٧٨", "²³⁴⁵⁶⁷⁸⁹", "①②③④⑤⑥⑦⑧", "１２３４５６７８", "一二三四五六七八", "ⅠⅡⅢⅣⅤⅥⅦⅧ",
		"৪৫৬৭৮৯০১", "𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "½¾¼12345", "12345678\u0301", "⁰¹²³⁴⁵⁶⁷")
	for i := 0; i < 120; i++ {
		n := 1 + rng.IntN(20)
		var b strings.Builder
		for j := 0; j < n; j++ {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		add(b.String())
	}

	// Near the users' attributes.
	mutate := func(v string) []string {
		rs := []rune(v)
		rev := slices.Clone(rs)
		slices.Reverse(rev)
		var ms []string
		ms = append(ms, v, strings.ToUpper(v), string(rev), v+"2024", v+v, "x"+v+"!",
			strings.Repeat(v, 3), v+strings.Repeat("z", len(rs)*10))
		if len(rs) > 1 {
			ms = append(ms, string(rs[1:]), string(rs[:len(rs)-1]))
			c := slices.Clone(rs)
			c[len(c)/2] = 'q'
			ms = append(ms, string(c))
			c2 := slices.Clone(rs)
			c2[0], c2[len(c2)-1] = c2[len(c2)-1], c2[0]
			ms = append(ms, string(c2))
		}
		for k := 0; k < 4; k++ {
			c := slices.Clone(rs)
			for j := 0; j < 1+rng.IntN(3); j++ {
				if len(c) == 0 {
					break
				}
				c[rng.IntN(len(c))] = rune("abcdefghijklmnopqrstuvwxyz0123456789ΣσςİıßÉé"[rng.IntN(40)])
			}
			ms = append(ms, string(c)+strings.Repeat("!", rng.IntN(8)))
		}
		return ms
	}
	for _, u := range corpusUsers {
		for _, a := range u {
			if a.Value == "" {
				continue
			}
			add(mutate(a.Value)...)
			for _, part := range strings.FieldsFunc(a.Value, func(r rune) bool { return !pyIsWord(r) }) {
				add(mutate(part)...)
			}
		}
	}
	add("alice.liddell", "liddellalice", "ecila", "aliceliddell@example.com", "example", "Example.COM",
		"sisyphus", "σίσυφος", "ΣΊΣΥΦΟΣ", "σίσυφοσ", "σίσυφος1", "i̇nce-straße", "ince strasse", "INCE-STRASSE",
		"the_dragon", "dragon the", "οδος", "ΟΔΟΣ", "bob_smith", "smith99", "bob-smith-99", "99",
		"long-nick", "long-nick long-nick long-nick")

	// Long.
	for _, n := range []int{64, 100, 255, 1000, 4096, 20000} {
		var b strings.Builder
		for j := 0; j < n; j++ {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		add(b.String(), strings.Repeat("a", n), strings.Repeat("alice", n/5), strings.Repeat("7", n))
	}

	// Unicode.
	add("ΣΊΣΥΦΟΣ", "ΑΣ", "ΑΣ.", "Σ", "ΑΣ'Β", "ΑΣ\u0301", "ΑΣ1", "ὈΔΥΣΣΕΎΣ", "İstanbul", "İİİİİİİİ", "ıiIİ",
		"straße", "STRASSE", "ǅemal", "ǄEMAL", "ﬃﬃﬃﬃ", "café", "cafe\u0301", "e\u0301\u0301\u0301\u0301\u0301",
		"пароль123", "ПАРОЛЬ", "密码密码密码", "パスワード", "비밀번호비밀번호", "🔑🔑🔑🔑🔑🔑🔑🔑", "👨‍👩‍👧‍👦 family",
		"\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b", "\u3000password\u3000", "\x1fpassword\x1e",
		"\u2028qwerty\u2029", "\u0085dragon\u0085", "Ꭰ Ꮳ Ᏸ cherokee", "ＰＡＳＳＷＯＲＤ", "ⓅⒶⓈⓈⓌⓄⓇⒹ", "𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝")
	alphabet := []rune("abcXYZ019_-.@ !ΣσςΑαİıßé\u0301ж中🔑\u00a0\x1cΩω")
	for i := 0; i < 500; i++ {
		n := rng.IntN(24)
		rs := make([]rune, n)
		for j := range rs {
			rs[j] = alphabet[rng.IntN(len(alphabet))]
		}
		add(string(rs))
	}
	return out
}
