package djangobridge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrVersionUnset is returned (wrapped) for a Settings whose DjangoVersion
// was never set. Every constructor that takes Settings refuses it, so no
// part of a stack can fall back to another release's rules.
var ErrVersionUnset = errors.New("DjangoVersion is not set: start from djangobridge.Defaults(), or set it to your Django release")

// ErrVersionUnsupported is returned (wrapped) for a DjangoVersion outside
// the supported releases (see SupportedReleases).
var ErrVersionUnsupported = errors.New("Django release not supported")

// Release holds every rule that differs between the Django releases
// djangobridge supports. It is the one place that knows them: every package
// asks a Release (from [Settings.Release] or [ReleaseOf]) instead of
// comparing versions. Values are copies; changing one changes nothing else.
//
// Each field names the Django source it mirrors.
type Release struct {
	// Version is the release these rules are for (with the patch level
	// it was looked up with).
	Version Version

	// --- Passwords (django/contrib/auth/hashers.py) ---

	// PBKDF2Iterations is PBKDF2PasswordHasher.iterations: 3.2 260,000,
	// 4.0 320,000, 4.1 390,000, 4.2 600,000, 5.0 720,000, 5.1 870,000,
	// 5.2 1,000,000, 6.0 1,200,000, 6.1 1,500,000.
	PBKDF2Iterations int
	// Argon2Variety is Argon2PasswordHasher's variety: "argon2id" (3.2+).
	Argon2Variety string
	// Argon2TimeCost, Argon2MemoryCost (KiB) and Argon2Parallelism are
	// Argon2PasswordHasher.time_cost, memory_cost, parallelism: 2, 102400, 8.
	Argon2TimeCost, Argon2MemoryCost, Argon2Parallelism int
	// BcryptRounds is BCryptSHA256PasswordHasher.rounds: 12.
	BcryptRounds int
	// ScryptWorkFactor, ScryptBlockSize and ScryptParallelism are
	// ScryptPasswordHasher.work_factor, block_size, parallelism (4.0+):
	// 2^14, 8, and 1 (4.0–5.0) or 5 (5.1+). Zero on 3.2, which has no
	// scrypt hasher.
	ScryptWorkFactor, ScryptBlockSize, ScryptParallelism int
	// SaltChars is the length of BasePasswordHasher.salt(): 22 (3.2+).
	SaltChars int
	// PasswordHashers is global_settings.PASSWORD_HASHERS, preferred first,
	// as algorithm names.
	PasswordHashers []string
	// Hashers lists every hasher algorithm django.contrib.auth.hashers
	// ships: CryptPasswordHasher was removed in 5.0; SHA1PasswordHasher,
	// UnsaltedSHA1PasswordHasher and UnsaltedMD5PasswordHasher in 5.1.
	Hashers []string

	// --- Signing (django/core/signing.py, django/utils/crypto.py) ---

	// DefaultHashingAlgorithm reports whether the DEFAULT_HASHING_ALGORITHM
	// setting exists (3.1, 3.2; removed in 4.0). Where it does, signatures,
	// the session auth hash and the session format follow it, and SHA-1
	// signatures and auth hashes made with SECRET_KEY also verify
	// (Signer.unsign's legacy branch, AbstractBaseUser._legacy_get_session_auth_hash).
	DefaultHashingAlgorithm bool
	// SecretKeyFallbacks reports whether SECRET_KEY_FALLBACKS verifies
	// signatures (4.1+, Signer.__init__'s fallback_keys).
	SecretKeyFallbacks bool
	// SessionAuthHashFallbacks reports whether a session auth hash made
	// with a fallback key is accepted and the session re-keyed (4.1.8+,
	// #34384: get_user's get_session_auth_fallback_hash loop).
	SessionAuthHashFallbacks bool

	// --- Sessions (django/contrib/sessions) ---

	// LegacySessionFormat reports whether pre-3.1 session data
	// (base64 of "hexHMAC:serialized") is still read (3.x:
	// SessionBase._legacy_decode, removed in 4.0).
	LegacySessionFormat bool
	// PickleSerializer reports whether
	// django.contrib.sessions.serializers.PickleSerializer exists (< 5.0).
	PickleSerializer bool
	// ExpiryDatetimeInJSON reports whether set_expiry(datetime|timedelta)
	// stores the expiry as ISO-8601 text, so a JSON session can hold it
	// (SessionBase.set_expiry's value.isoformat(), 4.1+: it came with the
	// deprecation of PickleSerializer in 4.1, ticket #29708, which needed
	// set_expiry to work with JSONSerializer first; before, a datetime
	// expiry made the JSON serializer fail on save). 4.2's source has it;
	// 4.1's was not available offline to read (see the faults report).
	ExpiryDatetimeInJSON bool
	// SkipSaveOnAny5xx reports whether SessionMiddleware.process_response
	// skips the save for every status >= 500 (4.0+); 3.2 skips it for 500
	// only.
	SkipSaveOnAny5xx bool
	// VaryCookieOnSessionSave reports whether SessionMiddleware adds
	// "Vary: Cookie" whenever it sets the session cookie, not only when the
	// session was accessed (5.2.14+ and 6.x).
	VaryCookieOnSessionSave bool

	// --- CSRF (django/middleware/csrf.py) ---

	// CSRFOriginCheck reports whether CsrfViewMiddleware checks the Origin
	// header against the host and CSRF_TRUSTED_ORIGINS, whose entries then
	// carry a scheme ("https://*.example.com"), 4.0+; before, only the
	// Referer of HTTPS requests is checked, against scheme-less entries.
	CSRFOriginCheck bool
	// CSRFTokenFormatCheck reports whether a CSRF cookie of the wrong
	// length or alphabet is replaced and a bad token is refused with its
	// own reason (_check_token_format, 4.0+).
	CSRFTokenFormatCheck bool
	// CSRFCookieMaskedSetting reports whether CSRF_COOKIE_MASKED exists
	// (4.1, 4.2). Releases before 4.1 always write a masked cookie; 5.0+
	// never do.
	CSRFCookieMaskedSetting bool
	// CSRFCookieAlwaysMasked reports whether the CSRF cookie always holds a
	// masked 64-character token (before 4.1).
	CSRFCookieAlwaysMasked bool

	// --- HTTP (django/http/request.py) ---

	// ProxySSLHeaderFirstValue reports whether HttpRequest.is_secure takes
	// the first comma-separated value of SECURE_PROXY_SSL_HEADER's header
	// (4.1+); before, the whole value must equal the setting's.
	ProxySSLHeaderFirstValue bool

	// DataUploadMaxNumberFiles reports whether DATA_UPLOAD_MAX_NUMBER_FILES
	// exists: MultiPartParser raises TooManyFilesSent (400) past it
	// (3.2.18+, 4.0.10+, 4.1.7+, 4.2+; CVE-2023-24580).
	DataUploadMaxNumberFiles bool

	// --- Auth (django/contrib/auth/tokens.py) ---

	// PasswordResetTokenAlgorithm is PasswordResetTokenGenerator.algorithm:
	// DEFAULT_HASHING_ALGORITHM on 3.2 ("" here: read the setting), "sha256"
	// from 4.0.
	PasswordResetTokenAlgorithm string
	// PasswordResetTokenFallbacks reports whether
	// PasswordResetTokenGenerator.check_token accepts tokens made with a
	// SECRET_KEY_FALLBACKS key (4.1+).
	PasswordResetTokenFallbacks bool
	// PasswordResetTokenEmail reports whether the user's email is part of
	// the token's hash value, so changing it invalidates a token (3.2:
	// _make_hash_value adds the email field since 3.1).
	PasswordResetTokenEmail bool

	// --- Setup checks (bridge.Check; django/contrib/*/migrations) ---

	// Migrations lists the migrations of auth, contenttypes and sessions
	// this release ships, "app.name", as django_migrations records them
	// after migrate. The same for 3.2 through 6.1 (auth ends at 0012, 3.1;
	// contenttypes at 0002; sessions at 0001).
	Migrations []string

	// --- Accounts (django/contrib/auth/tokens.py, password_validation.py) ---

	// PasswordResetTokenLegacy reports whether check_token also accepts
	// pre-3.1 tokens (3.x, RemovedInDjango40Warning): an HMAC made with
	// SHA-1 whatever DEFAULT_HASHING_ALGORITHM says, and a timestamp of
	// fewer than 4 base-36 digits counted in days (days*86400 plus the
	// seconds since today's midnight).
	PasswordResetTokenLegacy bool
	// CommonPasswordList names the common-passwords.txt.gz that
	// CommonPasswordValidator ships: "2018" (2.1–4.1, 19,727 distinct
	// passwords), "2022" (4.2–5.1, #34056: 20,000 lines, 19,729 distinct),
	// "2025" (5.2+, #36179: unhexed and de-duplicated, 19,640).
	CommonPasswordList string
	// UsernameIExactUnique reports whether UserCreationForm refuses a
	// username that differs from an existing one only in case
	// (clean_username's username__iexact check, 4.2+); before, only the
	// database's exact uniqueness applies.
	UsernameIExactUnique bool

	// --- Messages (django/contrib/messages; caches area) ---

	// MessagesEmptyExtraTags reports whether MessageEncoder.default
	// (django/contrib/messages/storage/cookie.py, used by CookieStorage and
	// SessionStorage) keeps an empty extra_tags ("", the default of
	// add_message and messages.info...) in the encoding, so that it decodes
	// as "" rather than None. 4.1 and later: `if obj.extra_tags is not
	// None:` (ticket #33458, django/django PR #15347, merged into main, then
	// 4.1's development, in January 2022; not a regression, so not
	// backported: 4.0.2's release notes, the next 4.0.x, do not list it).
	// Before 4.1: `if obj.extra_tags:`, only when truthy. Read in
	// django/django's cookie.py at the 3.2-era commit 01dfcf77 (truthy), in
	// a copy of cookie.py at the PR's base on main (the SWE-bench task
	// django__django-15347: truthy, 4.0's removals already made), the
	// PR's diff, and the 3.2, 4.2 and 6.1 sources the tests run (3.2
	// truthy; 4.2 and 6.1 `is not None`). stable/4.0.x itself was not
	// found in the searchable sources.
	MessagesEmptyExtraTags bool

	// --- Email (django/core/mail/message.py; accountmail) ---

	// EmailModernPolicy reports whether EmailMessage.message() builds an
	// email.message.EmailMessage with email.policy.default (6.0+): the
	// body's Content-Transfer-Encoding is email.contentmanager's choice
	// (7bit or 8bit while every line fits policy.max_line_length, 78 bytes;
	// else quoted-printable or base64, whichever is shorter on the first ten
	// lines), Content-Transfer-Encoding comes before MIME-Version, and Date
	// ends in +0000. Before, SafeMIMEText: 7bit or 8bit, quoted-printable
	// only for a line over 998 bytes (RFC5322_EMAIL_LINE_LENGTH_LIMIT).
	EmailModernPolicy bool

	// EmailValidatorUnicodeDomains reports whether EmailValidator
	// (django/core/validators.py) judges the domain with
	// DomainNameValidator's Unicode pattern (5.2+, ticket #36014, PR
	// #18950: labels of ASCII letters, digits, "-" and U+00A1–U+FFFF, a TLD
	// without digits or an xn-- label, no IDNA retry). Before, the ASCII
	// domain_regex, retried on the IDNA 2003 encoding of a non-ASCII
	// domain. Both accept [IPv4] and [IPv6] literals.
	EmailValidatorUnicodeDomains bool
}

// migrations32 are the auth, contenttypes and sessions migrations of
// Django 3.1 through 6.1.
var migrations32 = []string{
	"auth.0001_initial", "auth.0002_alter_permission_name_max_length",
	"auth.0003_alter_user_email_max_length", "auth.0004_alter_user_username_opts",
	"auth.0005_alter_user_last_login_null", "auth.0006_require_contenttypes_0002",
	"auth.0007_alter_validators_add_error_messages", "auth.0008_alter_user_username_max_length",
	"auth.0009_alter_user_last_name_max_length", "auth.0010_alter_group_name_max_length",
	"auth.0011_update_proxy_permissions", "auth.0012_alter_user_first_name_max_length",
	"contenttypes.0001_initial", "contenttypes.0002_remove_content_type_name",
	"sessions.0001_initial",
}

// releaseTable lists the supported releases, oldest first. Patch-level rules
// (4.1.8, 5.2.14) are applied by ReleaseOf.
var releaseTable = []struct {
	major, minor int
	pbkdf2       int
}{
	{3, 2, 260_000},
	{4, 0, 320_000}, {4, 1, 390_000}, {4, 2, 600_000},
	{5, 0, 720_000}, {5, 1, 870_000}, {5, 2, 1_000_000},
	{6, 0, 1_200_000}, {6, 1, 1_500_000},
}

// SupportedReleases returns the Django releases djangobridge has rules
// for, oldest first: 3.2, 4.0, 4.1, 4.2, 5.0, 5.1, 5.2, 6.0, 6.1.
func SupportedReleases() []Version {
	out := make([]Version, len(releaseTable))
	for i, r := range releaseTable {
		out[i] = Version{r.major, r.minor, -1}
	}
	return out
}

func supportedList() string {
	var b strings.Builder
	for i, v := range SupportedReleases() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// ReleaseOf returns the rules of Django release v. A zero v is
// ErrVersionUnset; a release outside SupportedReleases is
// ErrVersionUnsupported, with the list of supported releases.
func ReleaseOf(v Version) (Release, error) {
	if v.IsZero() {
		return Release{}, fmt.Errorf("djangobridge: %w", ErrVersionUnset)
	}
	idx := slices.IndexFunc(releaseTable, func(r struct{ major, minor, pbkdf2 int }) bool {
		return r.major == v.Major && r.minor == v.Minor
	})
	if idx < 0 {
		return Release{}, fmt.Errorf("djangobridge: %w: Django %s (supported: %s)", ErrVersionUnsupported, v, supportedList())
	}
	at := func(major, minor, patch int) bool { return v.AtLeast(major, minor, patch) }
	r := Release{
		Version:           v,
		PBKDF2Iterations:  releaseTable[idx].pbkdf2,
		Argon2Variety:     "argon2id",
		Argon2TimeCost:    2,
		Argon2MemoryCost:  102400,
		Argon2Parallelism: 8,
		BcryptRounds:      12,
		SaltChars:         22,
		PasswordHashers:   []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256"},
		Hashers:           []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt"},

		DefaultHashingAlgorithm:  !at(4, 0, 0),
		SecretKeyFallbacks:       at(4, 1, 0),
		SessionAuthHashFallbacks: at(4, 1, 8),

		LegacySessionFormat:     !at(4, 0, 0),
		PickleSerializer:        !at(5, 0, 0),
		ExpiryDatetimeInJSON:    at(4, 1, 0),
		SkipSaveOnAny5xx:        at(4, 0, 0),
		VaryCookieOnSessionSave: at(5, 2, 14),

		CSRFOriginCheck:         at(4, 0, 0),
		CSRFTokenFormatCheck:    at(4, 0, 0),
		CSRFCookieMaskedSetting: at(4, 1, 0) && !at(5, 0, 0),
		CSRFCookieAlwaysMasked:  !at(4, 1, 0),

		ProxySSLHeaderFirstValue: at(4, 1, 0),
		DataUploadMaxNumberFiles: at(4, 1, 7) || at(4, 0, 10) && !at(4, 1, 0) || at(3, 2, 18) && !at(4, 0, 0),

		PasswordResetTokenFallbacks: at(4, 1, 0),
		PasswordResetTokenEmail:     true,

		Migrations: slices.Clone(migrations32),

		PasswordResetTokenLegacy: !at(4, 0, 0),
		CommonPasswordList:       "2018",
		UsernameIExactUnique:     at(4, 2, 0),

		MessagesEmptyExtraTags: at(4, 1, 0),

		EmailModernPolicy:            at(6, 0, 0),
		EmailValidatorUnicodeDomains: at(5, 2, 0),
	}
	switch {
	case at(5, 2, 0):
		r.CommonPasswordList = "2025"
	case at(4, 2, 0):
		r.CommonPasswordList = "2022"
	}
	if at(4, 0, 0) {
		r.ScryptWorkFactor, r.ScryptBlockSize, r.ScryptParallelism = 1<<14, 8, 1
		if at(5, 1, 0) {
			r.ScryptParallelism = 5
		}
		r.PasswordHashers = append(r.PasswordHashers, "scrypt")
		r.Hashers = append(r.Hashers, "scrypt")
		r.PasswordResetTokenAlgorithm = "sha256"
	}
	if !at(5, 1, 0) {
		r.Hashers = append(r.Hashers, "sha1")
	}
	r.Hashers = append(r.Hashers, "md5")
	if !at(5, 1, 0) {
		r.Hashers = append(r.Hashers, "unsalted_sha1", "unsalted_md5")
	}
	if !at(5, 0, 0) {
		r.Hashers = append(r.Hashers, "crypt")
	}
	return r, nil
}

// Release returns the rules of s.DjangoVersion (see [ReleaseOf]). Every
// constructor that takes Settings calls it first, so an unset or
// unsupported release is refused with an error that names the fix.
func (s *Settings) Release() (Release, error) {
	if s == nil {
		return Release{}, errors.New("djangobridge: nil Settings: start from djangobridge.Defaults()")
	}
	return ReleaseOf(s.DjangoVersion)
}
