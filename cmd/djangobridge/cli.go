package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/caches"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
)

// Exit statuses, documented in --help and the package comment.
const (
	exitOK      = 0 // success; for check, everything matches
	exitRefused = 1 // a refused input, or a problem check found
	exitUsage   = 2 // a usage error or a malformed hash
	exitConfig  = 3 // a configuration or connection error
)

const exitCodesHelp = `exit status:
  0  success (check: the database, Django's tables, django_migrations and SECRET_KEY all match)
  1  refused: bad signature, no such session or user, wrong password; check: a problem found
     (a missing table or column, django_migrations of another release, a SECRET_KEY that
     verifies none of the live sessions)
  2  usage error, or a malformed password hash
  3  configuration or connection error: a missing or bad setting (SECRET_KEY, DJANGO_VERSION,
     DATABASE_URL...), a database or cache that does not answer`

// cli is one invocation: its streams, its environment and its settings.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	settings    djangobridge.Settings
	databaseURL string
	keyless     bool // SecretKey is a random stand-in: the command signs nothing
}

// exitError carries an exit status and a one-line reason.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, args ...any) error {
	return &exitError{code, fmt.Sprintf(format, args...)}
}

// setting is a flag that stands for a Django setting read from the
// environment.
type setting struct {
	flag, env, help string
}

var settingFlags = map[string]setting{
	"secret-key":           {"secret-key", "SECRET_KEY", "SECRET_KEY (default $SECRET_KEY)"},
	"secret-key-fallbacks": {"secret-key-fallbacks", "SECRET_KEY_FALLBACKS", "SECRET_KEY_FALLBACKS, comma-separated (default $SECRET_KEY_FALLBACKS)"},
	"database-url":         {"database-url", "DATABASE_URL", "DATABASE_URL: sqlite:////abs/path.sqlite3, postgres://user:pass@host/db, mysql://user:pass@host:port/db (default $DATABASE_URL)"},
	"engine":               {"engine", "SESSION_ENGINE", "SESSION_ENGINE: db, cache, cached_db, file, signed_cookies or Django's dotted name (default $SESSION_ENGINE, else db)"},
	"cache-url":            {"cache-url", "CACHE_URL", "CACHE_URL: Redis URL(s), comma-separated, for the cache and cached_db engines (default $CACHE_URL)"},
	"session-file-path":    {"session-file-path", "SESSION_FILE_PATH", "SESSION_FILE_PATH for the file engine (default $SESSION_FILE_PATH, else the temp dir)"},
	"use-tz":               {"use-tz", "USE_TZ", "USE_TZ: true or false (default $USE_TZ, else true)"},
	"time-zone":            {"time-zone", "TIME_ZONE", "TIME_ZONE for naive datetimes when USE_TZ is false (default $TIME_ZONE, else America/Chicago)"},
	"django-version":       {"django-version", "DJANGO_VERSION", "the Django release whose rules apply: 3.2, 4.2, 5.2, 6.1... (default $DJANGO_VERSION, else 5.2)"},
	"caches":               {"caches", "DJANGO_CACHES", "Django's CACHES setting as JSON, as settings.py has it ({\"default\": {\"BACKEND\": \"django_redis.cache.RedisCache\", \"LOCATION\": ...}}); the entry of SESSION_CACHE_ALIAS (default \"default\") serves the cache and cached_db engines instead of CACHE_URL: Redis (Django's RedisCache, django-redis), memcached (PyMemcacheCache, PyLibMCCache) or the DatabaseCache on DATABASE_URL (default $DJANGO_CACHES)"},
	"argon2-hash-length":   {"argon2-hash-length", "ARGON2_HASH_LENGTH", "hash length of the Django side's argon2-cffi: 16 up to 21.x, 32 from 23.1 (default $ARGON2_HASH_LENGTH, else 32)"},
	"bcrypt-before-5":      {"bcrypt-before-5", "BCRYPT_BEFORE_5", "true when the Django side runs Python bcrypt < 5.0, which truncates passwords at 72 bytes (default $BCRYPT_BEFORE_5, else false)"},
}

// passwordSettings are the setting flags of the password commands.
var passwordSettings = []string{"django-version", "argon2-hash-length", "bcrypt-before-5"}

// keyNeed says when a command needs SECRET_KEY.
type keyNeed int

const (
	keyNever    keyNeed = iota // signs and verifies nothing
	keyAlways                  // signs or verifies session data
	keyNotForDB                // clearsessions: not on the db engine (a DELETE by date)
)

type command struct {
	usage    string
	help     string
	run      func(c *cli, fs *flag.FlagSet, args []string) error
	settings []string // the setting flags it takes (settingFlags keys)
	key      keyNeed
	flags    func(fs *flag.FlagSet)
}

var (
	codecSettings = []string{"secret-key", "secret-key-fallbacks", "engine", "django-version"}
	storeSettings = []string{"secret-key", "secret-key-fallbacks", "database-url", "engine", "cache-url", "caches", "session-file-path", "use-tz", "time-zone", "django-version"}
	userSettings  = []string{"database-url", "use-tz", "time-zone", "django-version", "argon2-hash-length", "bcrypt-before-5"}
)

var commandOrder = []string{"check", "session decode", "session encode", "session get", "clearsessions", "password hash", "password check", "user create", "user check-password", "user set-password"}

var commands = map[string]command{
	"check": {
		usage: "check",
		help: "Checks the deployment as a Go service sees it at startup: the database answers; django_session (db, cached_db) and the auth tables exist with the columns Django's migrate creates; " +
			"django_migrations is consistent with DJANGO_VERSION; SECRET_KEY (with SECRET_KEY_FALLBACKS) verifies the newest live sessions. Prints each problem with its fix. Reads only.",
		run:      cmdCheck,
		settings: storeSettings,
		key:      keyAlways,
	},
	"session decode": {
		usage:    "session decode [--engine db|signed_cookies] DATA",
		help:     "Prints session data (a django_session.session_data value, or a signed_cookies cookie) as one line of JSON, in Django's key order, numbers as stored. For a session key (the sessionid cookie of the db, cache or file engines), use 'session get KEY'.",
		run:      cmdSessionDecode,
		settings: codecSettings,
		key:      keyAlways,
	},
	"session encode": {
		usage:    "session encode [--engine db|signed_cookies] JSON",
		help:     "Prints what Django accepts as the session data (db, file) or cookie value (signed_cookies) of the JSON object.",
		run:      cmdSessionEncode,
		settings: codecSettings,
		key:      keyAlways,
	},
	"session get": {
		usage:    "session get KEY",
		help:     "Reads the live session KEY (the sessionid cookie) from the configured engine and prints it as JSON.",
		run:      cmdSessionGet,
		settings: storeSettings,
		key:      keyAlways,
	},
	"clearsessions": {
		usage:    "clearsessions",
		help:     "Deletes expired sessions, as manage.py clearsessions. SECRET_KEY is not needed on the db engine.",
		run:      cmdClearSessions,
		settings: storeSettings,
		key:      keyNotForDB,
	},
	"password hash": {
		usage:    "password hash [--hasher NAME] [--iterations N] [--argon2-hash-length N] PASSWORD|-",
		help:     "Prints the hash Django's make_password gives PASSWORD ('-' reads it from stdin) with the release's defaults.",
		run:      cmdPasswordHash,
		settings: passwordSettings,
		flags: func(fs *flag.FlagSet) {
			fs.String("hasher", "", "hasher algorithm name (pbkdf2_sha256, argon2, bcrypt_sha256, scrypt, md5...); default: the release's preferred one")
			fs.Int("iterations", 0, "PBKDF2 iterations instead of the release's default")
		},
	},
	"password check": {
		usage:    "password check [--hasher NAME] [--argon2-hash-length N] PASSWORD|- ENCODED",
		help:     "Prints \"password ok\" and exits 0 when PASSWORD matches ENCODED; prints \"password does not match\" and exits 1 when not; exits 2 when ENCODED is malformed. Adds \"must update\" on stderr when Django would re-hash it.",
		run:      cmdPasswordCheck,
		settings: passwordSettings,
		flags: func(fs *flag.FlagSet) {
			fs.String("hasher", "", "the preferred hasher (first in PASSWORD_HASHERS), which decides \"must update\"; default: the release's")
		},
	},
	"user create": {
		usage:    "user create USERNAME [--email E] [--superuser] [--password -]",
		help:     "Creates a user in auth_user (--password - reads it from stdin; without it the password is unusable).",
		run:      cmdUserCreate,
		settings: userSettings,
		flags: func(fs *flag.FlagSet) {
			fs.String("email", "", "email address")
			fs.Bool("superuser", false, "create a superuser (is_staff and is_superuser)")
			fs.String("password", "", "'-' to read the password from stdin")
		},
	},
	"user check-password": {
		usage:    "user check-password USERNAME",
		help:     "Reads a password from stdin; prints \"password ok\" and exits 0 if it is USERNAME's, prints \"password does not match\" and exits 1 if not (Django's check_password, with its upgrade of an outdated hash).",
		run:      cmdUserCheckPassword,
		settings: userSettings,
	},
	"user set-password": {
		usage:    "user set-password USERNAME",
		help:     "Reads a password from stdin and stores it for USERNAME with the preferred hasher.",
		run:      cmdUserSetPassword,
		settings: userSettings,
	},
}

func (c *cli) usage() {
	fmt.Fprintln(c.stderr, "usage: djangobridge COMMAND [flags] ARGS\n\ncommands:")
	for _, name := range commandOrder {
		fmt.Fprintf(c.stderr, "  %-58s %s\n", commands[name].usage, firstSentence(commands[name].help))
	}
	fmt.Fprintln(c.stderr, "\nSettings come from flags or from the environment variables named as Django's settings")
	fmt.Fprintln(c.stderr, "(SECRET_KEY, DATABASE_URL, DJANGO_VERSION, SESSION_ENGINE, CACHE_URL...).")
	fmt.Fprintln(c.stderr, "Run 'djangobridge COMMAND --help' for the flags of a command.")
	fmt.Fprintln(c.stderr, "\n"+exitCodesHelp)
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		c.usage()
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	name := args[0]
	rest := args[1:]
	cmd, ok := commands[name]
	if !ok && len(args) > 1 {
		name = args[0] + " " + args[1]
		cmd, ok = commands[name]
		rest = args[2:]
	}
	if !ok {
		fmt.Fprintf(stderr, "djangobridge: unknown command %q\n", strings.Join(args[:min(2, len(args))], " "))
		c.usage()
		return exitUsage
	}
	fs := flag.NewFlagSet("djangobridge "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: djangobridge %s\n\n%s\n", cmd.usage, cmd.help)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(stderr, "\nflags:")
			fs.PrintDefaults()
		}
		fmt.Fprintln(stderr, "\n"+exitCodesHelp)
	}
	for _, n := range cmd.settings {
		sf := settingFlags[n]
		fs.String(sf.flag, "", sf.help)
	}
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	err = c.loadSettings(fs, cmd)
	if err == nil {
		err = cmd.run(c, fs, pos)
	}
	if err != nil {
		code, msg := exitConfig, err.Error()
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		for _, line := range strings.Split(msg, "\n") {
			fmt.Fprintf(stderr, "djangobridge: %s\n", unprefix(line))
		}
		return code
	}
	return exitOK
}

// unprefix drops the package prefixes library errors carry
// ("djangobridge: ", "bridge: ...: "), so that a message starts with
// "djangobridge: " once.
func unprefix(msg string) string {
	for {
		trimmed := msg
		for _, p := range []string{"djangobridge: ", "bridge: configuration: ", "bridge: database unreachable: ", "bridge: Django's tables are missing: ", "bridge: DjangoVersion does not match the database: ", "bridge: SECRET_KEY does not match Django's: "} {
			trimmed = strings.TrimPrefix(trimmed, p)
		}
		if trimmed == msg {
			return msg
		}
		msg = trimmed
	}
}

// parseInterspersed parses flags wherever they stand among the arguments,
// as users write them ("session decode DATA --engine db"); "--" ends them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" && len(pos) == 0 {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadSettings reads the settings as djangobridge.SettingsFromEnv does,
// the command's flags taking precedence over the environment; the
// release defaults to 5.2 (said in every --help). SECRET_KEY is asked for
// only by the commands that sign or verify.
func (c *cli) loadSettings(fs *flag.FlagSet, cmd command) error {
	set := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if sf, ok := settingFlags[f.Name]; ok {
			set[sf.env] = f.Value.String()
		}
	})
	getenv := func(name string) string {
		if v, ok := set[name]; ok {
			return v
		}
		v := c.getenv(name)
		if name == "DJANGO_VERSION" && v == "" {
			return "5.2"
		}
		return v
	}
	s, err := djangobridge.SettingsFromEnv(getenv)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	s.Logger = nil
	if err := caches.FromEnv(getenv, &s); err != nil {
		return fail(exitConfig, "%v (--caches)", err)
	}
	c.databaseURL = getenv("DATABASE_URL")
	engine, _ := djangobridge.EngineName(s.SessionEngine)
	need := cmd.key == keyAlways || (cmd.key == keyNotForDB && engine != djangobridge.EngineDB)
	if s.SecretKey == "" {
		if need {
			return fail(exitConfig, "no secret key: set SECRET_KEY (or --secret-key) to the SECRET_KEY of your Django settings.py")
		}
		// The command signs and verifies nothing, but the stores are
		// built for all uses and refuse an empty key: a random one,
		// never used to sign, stands in.
		var b [32]byte
		rand.Read(b[:])
		s.SecretKey, c.keyless = "unused-"+hex.EncodeToString(b[:]), true
	}
	c.settings = s
	return nil
}

func args1(args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", fail(exitUsage, "want one argument, %s (got %d)", what, len(args))
	}
	return args[0], nil
}

func (c *cli) codecEngine() (cookie bool, err error) {
	switch c.settings.SessionEngine {
	case djangobridge.EngineDB, djangobridge.EngineFile, djangobridge.EngineCachedDB:
		return false, nil
	case djangobridge.EngineSignedCookies:
		return true, nil
	}
	return false, fail(exitUsage, "session encode/decode: --engine %s stores no encoded text (use db or signed_cookies)", c.settings.SessionEngine)
}

func cmdSessionDecode(c *cli, fs *flag.FlagSet, args []string) error {
	data, err := args1(args, "DATA")
	if err != nil {
		return err
	}
	cookie, err := c.codecEngine()
	if err != nil {
		return err
	}
	codec, err := djangosession.NewCodec(&c.settings)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	var m *djangosession.Map
	if cookie {
		m, err = codec.DecodeCookie(data)
	} else {
		m, err = codec.Decode(data)
	}
	if err != nil {
		if djangosession.ValidKey(data) {
			return fail(exitRefused, "%q is a session key (the sessionid cookie), not session data: read the session it names with 'djangobridge session get %s'", data, data)
		}
		return fail(exitRefused, "%v", err)
	}
	return c.printJSON(m)
}

func (c *cli) printJSON(m *djangosession.Map) error {
	b, err := m.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.stdout, "%s\n", b)
	return err
}

func cmdSessionEncode(c *cli, fs *flag.FlagSet, args []string) error {
	js, err := args1(args, "JSON")
	if err != nil {
		return err
	}
	cookie, err := c.codecEngine()
	if err != nil {
		return err
	}
	var m djangosession.Map
	if err := m.UnmarshalJSON([]byte(js)); err != nil {
		return fail(exitRefused, "%v", err)
	}
	codec, err := djangosession.NewCodec(&c.settings)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	var out string
	if cookie {
		out, err = codec.EncodeCookie(&m)
	} else {
		out, err = codec.Encode(&m)
	}
	if err != nil {
		return fail(exitRefused, "%v", err)
	}
	_, err = fmt.Fprintln(c.stdout, out)
	return err
}

// open sets up the Bridge of the configured database and engine, as a Go
// service would (bridge/anydb): the same calls, the same checks.
func (c *cli) open(ctx context.Context) (*bridge.Bridge, error) {
	b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: c.databaseURL, Settings: &c.settings})
	if err != nil {
		return nil, fail(exitConfig, "%v", err)
	}
	return b, nil
}

func cmdCheck(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return fail(exitUsage, "check takes no arguments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Check(ctx); err != nil {
		code := exitRefused
		if errors.Is(err, bridge.ErrUnreachable) || errors.Is(err, bridge.ErrConfig) {
			code = exitConfig
		}
		return fail(code, "%v", err)
	}
	fmt.Fprintf(c.stdout, "ok: %s answers and has Django's tables and migrations for Django %s; SECRET_KEY verifies the newest live sessions, if any (SESSION_ENGINE=%s)\n",
		dburl.Redact(c.databaseURL), c.settings.DjangoVersion, c.settings.SessionEngine)
	return nil
}

func cmdSessionGet(c *cli, fs *flag.FlagSet, args []string) error {
	key, err := args1(args, "KEY")
	if err != nil {
		return err
	}
	if c.settings.SessionEngine != djangobridge.EngineSignedCookies && !djangosession.ValidKey(key) {
		return fail(exitRefused, "%v: %q", djangosession.ErrInvalidKey, key)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	m, err := b.Store.Load(ctx, key)
	switch {
	case errors.Is(err, djangosession.ErrNotFound):
		return fail(exitRefused, "no live session %q", key)
	case djangosession.IsDataError(err):
		return fail(exitRefused, "session %q: %v", key, err)
	case err != nil:
		return err
	}
	return c.printJSON(m)
}

func cmdClearSessions(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return fail(exitUsage, "clearsessions takes no arguments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	n, err := b.Sessions.ClearExpired(ctx)
	if err != nil {
		return err
	}
	if n >= 0 {
		fmt.Fprintf(c.stdout, "deleted %d expired sessions\n", n)
	}
	return nil
}

// readPassword returns arg, or a line of stdin when arg is "-".
func (c *cli) readPassword(arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	return c.readStdinPassword()
}

func (c *cli) readStdinPassword() (string, error) {
	r := bufio.NewReader(io.LimitReader(c.stdin, 1<<16))
	line, err := r.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	if err == io.EOF && line == "" {
		return "", fail(exitUsage, "no password on stdin")
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

func cmdPasswordHash(c *cli, fs *flag.FlagSet, args []string) error {
	arg, err := args1(args, "PASSWORD or -")
	if err != nil {
		return err
	}
	pw, err := c.readPassword(arg)
	if err != nil {
		return err
	}
	alg := fs.Lookup("hasher").Value.String()
	var iters int
	if g, ok := fs.Lookup("iterations").Value.(flag.Getter); ok {
		iters, _ = g.Get().(int)
	}
	s := c.settings
	def, err := hashers.DefaultsFor(s.DjangoVersion)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	if alg != "" {
		s.PasswordHashers = append([]string{alg}, def.Available...)
	}
	set, err := hashers.New(&s)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	enc, err := set.MakeWith(context.Background(), pw, alg, hashers.Params{Iterations: iters})
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	_, err = fmt.Fprintln(c.stdout, enc)
	return err
}

// The words both password checks print.
const (
	msgPasswordOK       = "password ok"
	msgPasswordMismatch = "password does not match"
)

func cmdPasswordCheck(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 2 {
		return fail(exitUsage, "want PASSWORD|- ENCODED")
	}
	pw, err := c.readPassword(args[0])
	if err != nil {
		return err
	}
	s := c.settings
	// The preferred hasher is the release's; every hasher it ships may
	// verify, so old md5 or sha1 hashes can be checked too.
	def, err := hashers.DefaultsFor(s.DjangoVersion)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	s.PasswordHashers = append(append([]string(nil), def.Hashers...), def.Available...)
	if alg := fs.Lookup("hasher").Value.String(); alg != "" {
		s.PasswordHashers = append([]string{alg}, s.PasswordHashers...)
	}
	set, err := hashers.New(&s)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	ok, mustUpdate, err := set.Check(context.Background(), pw, args[1])
	if err != nil {
		return fail(exitUsage, "malformed hash: %v", err)
	}
	if !ok {
		return fail(exitRefused, msgPasswordMismatch)
	}
	fmt.Fprintln(c.stdout, msgPasswordOK)
	if mustUpdate {
		fmt.Fprintln(c.stderr, "must update: Django would re-hash it with the release's preferred hasher and parameters at the next login")
	}
	return nil
}

// auth opens the database and Django's auth over it. Password commands
// sign nothing: SECRET_KEY may be unset (loadSettings).
func (c *cli) auth(ctx context.Context) (*djangouser.Auth, func(), error) {
	// Users live in the database whatever SESSION_ENGINE says: open no
	// cache or session files for them.
	c.settings.SessionEngine = djangobridge.EngineDB
	b, err := c.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return b.Auth, func() { b.Close() }, nil
}

func cmdUserCreate(c *cli, fs *flag.FlagSet, args []string) error {
	username, err := args1(args, "USERNAME")
	if err != nil {
		return err
	}
	password := ""
	switch fs.Lookup("password").Value.String() {
	case "":
	case "-":
		if password, err = c.readStdinPassword(); err != nil {
			return err
		}
	default:
		return fail(exitUsage, "--password takes '-' (read stdin); passwords on the command line leak into shell history")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, closeDB, err := c.auth(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	email := fs.Lookup("email").Value.String()
	var u *djangouser.User
	if fs.Lookup("superuser").Value.String() == "true" {
		u, err = a.CreateSuperuser(ctx, username, email, password)
	} else {
		u, err = a.CreateUser(ctx, username, email, password)
	}
	if errors.Is(err, djangouser.ErrUserExists) {
		return fail(exitRefused, "%v", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "created user %q with id %s\n", a.GetUsername(u), u.PK())
	return nil
}

// userFromStdin reads USERNAME's new or claimed password from stdin and
// looks the user up.
func (c *cli) userFromStdin(ctx context.Context, args []string) (*djangouser.Auth, *djangouser.User, string, func(), error) {
	username, err := args1(args, "USERNAME")
	if err != nil {
		return nil, nil, "", nil, err
	}
	pw, err := c.readStdinPassword()
	if err != nil {
		return nil, nil, "", nil, err
	}
	a, closeDB, err := c.auth(ctx)
	if err != nil {
		return nil, nil, "", nil, err
	}
	u, err := a.UserByUsername(ctx, username)
	if errors.Is(err, djangouser.ErrUserNotFound) {
		closeDB()
		return nil, nil, "", nil, fail(exitRefused, "no user %q", username)
	}
	if err != nil {
		closeDB()
		return nil, nil, "", nil, err
	}
	return a, u, pw, closeDB, nil
}

func cmdUserCheckPassword(c *cli, fs *flag.FlagSet, args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, u, pw, closeDB, err := c.userFromStdin(ctx, args)
	if err != nil {
		return err
	}
	defer closeDB()
	ok, err := a.CheckPassword(ctx, u, pw)
	if err != nil {
		return err
	}
	if !ok {
		return fail(exitRefused, msgPasswordMismatch)
	}
	fmt.Fprintln(c.stdout, msgPasswordOK)
	return nil
}

func cmdUserSetPassword(c *cli, fs *flag.FlagSet, args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, u, pw, closeDB, err := c.userFromStdin(ctx, args)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := a.SetPassword(ctx, u, pw); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "password of %q changed\n", a.GetUsername(u))
	return nil
}
