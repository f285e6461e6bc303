package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/dburl"
	"github.com/djangobridge/djangobridge/sqlstore"
)

const (
	exitOK      = 0
	exitRefused = 1
	exitUsage   = 2
	exitIO      = 3
)

// cli is one invocation: its streams, its environment and its settings.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	settings    djangobridge.Settings
	databaseURL string
	cacheURL    string
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

type command struct {
	usage string
	help  string
	run   func(c *cli, fs *flag.FlagSet, args []string) error
	flags func(fs *flag.FlagSet)
}

var commands = map[string]command{
	"session decode": {
		usage: "session decode [--engine db|signed_cookies] DATA",
		help:  "Prints session data (a django_session.session_data value, or a signed_cookies cookie) as one line of JSON, in Django's key order, numbers as stored.",
		run:   cmdSessionDecode,
	},
	"session encode": {
		usage: "session encode [--engine db|signed_cookies] JSON",
		help:  "Prints what Django accepts as the session data (db, file) or cookie value (signed_cookies) of the JSON object.",
		run:   cmdSessionEncode,
	},
	"session get": {
		usage: "session get KEY",
		help:  "Reads the live session KEY from the configured engine (--database-url, --cache-url...) and prints it as JSON.",
		run:   cmdSessionGet,
	},
	"clearsessions": {
		usage: "clearsessions",
		help:  "Deletes expired sessions, as manage.py clearsessions.",
		run:   cmdClearSessions,
	},
	"password hash": {
		usage: "password hash [--hasher NAME] [--iterations N] [--argon2-hash-length N] PASSWORD|-",
		help:  "Prints the hash Django's make_password gives PASSWORD ('-' reads it from stdin) with the release's defaults.",
		run:   cmdPasswordHash,
		flags: func(fs *flag.FlagSet) {
			fs.String("hasher", "", "hasher algorithm name (pbkdf2_sha256, argon2, bcrypt_sha256, scrypt, md5...); default: the release's preferred one")
			fs.Int("iterations", 0, "PBKDF2 iterations instead of the release's default")
		},
	},
	"password check": {
		usage: "password check [--hasher NAME] [--argon2-hash-length N] PASSWORD|- ENCODED",
		help:  "Exits 0 when PASSWORD matches ENCODED, 1 when not, 2 when ENCODED is malformed; says \"must update\" on stderr when Django would re-hash it.",
		run:   cmdPasswordCheck,
		flags: func(fs *flag.FlagSet) {
			fs.String("hasher", "", "the preferred hasher (first in PASSWORD_HASHERS); default: the release's")
		},
	},
	"user create": {
		usage: "user create USERNAME [--email E] [--superuser] [--password -]",
		help:  "Creates a user in auth_user (--password - reads it from stdin; without it the password is unusable).",
		run:   cmdUserCreate,
		flags: func(fs *flag.FlagSet) {
			fs.String("email", "", "email address")
			fs.Bool("superuser", false, "create a superuser (is_staff and is_superuser)")
			fs.String("password", "", "'-' to read the password from stdin")
		},
	},
	"user check-password": {
		usage: "user check-password USERNAME",
		help:  "Reads a password from stdin; exits 0 if it is USERNAME's, 1 if not (Django's ModelBackend rules, with upgrade-on-login).",
		run:   cmdUserCheckPassword,
	},
	"user set-password": {
		usage: "user set-password USERNAME",
		help:  "Reads a password from stdin and stores it for USERNAME with the preferred hasher.",
		run:   cmdUserSetPassword,
	},
}

func (c *cli) usage() {
	fmt.Fprintln(c.stderr, "usage: djangobridge COMMAND [flags] ARGS\n\ncommands:")
	for _, name := range []string{"session decode", "session encode", "session get", "clearsessions", "password hash", "password check", "user create", "user check-password", "user set-password"} {
		fmt.Fprintf(c.stderr, "  %-58s %s\n", commands[name].usage, firstSentence(commands[name].help))
	}
	fmt.Fprintln(c.stderr, "\nRun 'djangobridge COMMAND --help' for the flags of a command.")
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
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
		fmt.Fprintf(stderr, "usage: djangobridge %s\n\n%s\n\nflags:\n", cmd.usage, cmd.help)
		fs.PrintDefaults()
	}
	c.commonFlags(fs)
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
	if err := c.loadSettings(fs); err != nil {
		fmt.Fprintf(stderr, "djangobridge: %v\n", err)
		return exitUsage
	}
	if err := cmd.run(c, fs, pos); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			fmt.Fprintf(stderr, "djangobridge: %s\n", ee.msg)
			return ee.code
		}
		fmt.Fprintf(stderr, "djangobridge: %v\n", err)
		return exitIO
	}
	return exitOK
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
		if len(args) > 0 && args[0] == "--" && len(pos) == 0 {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (c *cli) commonFlags(fs *flag.FlagSet) {
	fs.String("secret-key", "", "SECRET_KEY (default $SECRET_KEY)")
	fs.String("secret-key-fallbacks", "", "SECRET_KEY_FALLBACKS, comma-separated (default $SECRET_KEY_FALLBACKS)")
	fs.String("database-url", "", "DATABASE_URL: sqlite:///abs/path, postgres://..., mysql://user:pass@host:port/db (default $DATABASE_URL)")
	fs.String("engine", "", "SESSION_ENGINE: db, cache, cached_db, file, signed_cookies or Django's dotted name (default $SESSION_ENGINE, else db)")
	fs.String("cache-url", "", "CACHE_URL: Redis URL(s), comma-separated, for the cache and cached_db engines (default $CACHE_URL)")
	fs.String("session-file-path", "", "SESSION_FILE_PATH for the file engine (default $SESSION_FILE_PATH, else the temp dir)")
	fs.String("use-tz", "", "USE_TZ: true or false (default $USE_TZ, else true)")
	fs.String("time-zone", "", "TIME_ZONE for naive datetimes when USE_TZ is false (default $TIME_ZONE, else America/Chicago)")
	fs.String("django-version", "", "the Django release whose rules apply: 3.2, 4.2, 5.2... (default $DJANGO_VERSION, else 5.2)")
	fs.String("argon2-hash-length", "", "hash length of the Django side's argon2-cffi: 16 up to 21.x, 32 from 23.1 (default $ARGON2_HASH_LENGTH, else 32)")
	fs.String("bcrypt-before-5", "", "true when the Django side runs Python bcrypt < 5.0 (truncates at 72 bytes) (default $BCRYPT_BEFORE_5, else false)")
}

// setting returns the flag's value if set on the command line, else the
// environment variable's.
func (c *cli) setting(fs *flag.FlagSet, flagName, env string) string {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == flagName {
			set = true
		}
	})
	if set {
		return fs.Lookup(flagName).Value.String()
	}
	return c.getenv(env)
}

func (c *cli) loadSettings(fs *flag.FlagSet) error {
	s := djangobridge.Defaults()
	s.SecretKey = c.setting(fs, "secret-key", "SECRET_KEY")
	if fb := c.setting(fs, "secret-key-fallbacks", "SECRET_KEY_FALLBACKS"); fb != "" {
		for _, k := range strings.Split(fb, ",") {
			if k = strings.TrimSpace(k); k != "" {
				s.SecretKeyFallbacks = append(s.SecretKeyFallbacks, k)
			}
		}
	}
	if v := c.setting(fs, "django-version", "DJANGO_VERSION"); v != "" {
		ver, err := djangobridge.ParseVersion(v)
		if err != nil {
			return err
		}
		s.DjangoVersion = ver
	}
	if e := c.setting(fs, "engine", "SESSION_ENGINE"); e != "" {
		name, err := djangobridge.EngineName(e)
		if err != nil {
			return err
		}
		s.SessionEngine = name
	}
	if v := c.setting(fs, "use-tz", "USE_TZ"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("USE_TZ %q: want true or false", v)
		}
		s.UseTZ = b
	}
	if tz := c.setting(fs, "time-zone", "TIME_ZONE"); tz != "" {
		s.TimeZone = tz
	}
	if v := c.setting(fs, "argon2-hash-length", "ARGON2_HASH_LENGTH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 4 || n > 1024 {
			return fmt.Errorf("argon2 hash length %q: want a number of bytes from 4 to 1024 (16 for argon2-cffi up to 21.x, 32 from 23.1)", v)
		}
		s.Argon2HashLength = n
	}
	if v := c.setting(fs, "bcrypt-before-5", "BCRYPT_BEFORE_5"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("bcrypt-before-5 %q: want true or false", v)
		}
		s.BcryptBefore5 = b
	}
	s.SessionFilePath = c.setting(fs, "session-file-path", "SESSION_FILE_PATH")
	c.cacheURL = c.setting(fs, "cache-url", "CACHE_URL")
	dburl.ParseCacheURL(&s, c.cacheURL)
	c.databaseURL = c.setting(fs, "database-url", "DATABASE_URL")
	s.Logger = nil
	c.settings = s
	return nil
}

func (c *cli) needSecret() error {
	if c.settings.SecretKey == "" {
		return fail(exitUsage, "no secret key: set --secret-key or SECRET_KEY")
	}
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
	if err := c.needSecret(); err != nil {
		return err
	}
	cookie, err := c.codecEngine()
	if err != nil {
		return err
	}
	codec, err := djangosession.NewCodec(&c.settings)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	var m *djangosession.Map
	if cookie {
		m, err = codec.DecodeCookie(data)
	} else {
		m, err = codec.Decode(data)
	}
	if err != nil {
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
	if err := c.needSecret(); err != nil {
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
		return fail(exitUsage, "%v", err)
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

// openSessions opens the configured engine; the database only when the
// engine needs one.
func (c *cli) openSessions(ctx context.Context) (*dburl.Sessions, func(), error) {
	var dbStore djangosession.Store
	closeAll := func() {}
	if c.settings.SessionEngine == djangobridge.EngineDB || c.settings.SessionEngine == djangobridge.EngineCachedDB {
		db, d, err := c.openDB(ctx)
		if err != nil {
			return nil, nil, err
		}
		closeAll = func() { db.Close() }
		if dbStore, err = sqlstore.New(db, d, &c.settings); err != nil {
			closeAll()
			return nil, nil, fail(exitUsage, "%v", err)
		}
	}
	st, err := dburl.OpenSessions(ctx, &c.settings, dbStore)
	if err != nil {
		closeAll()
		return nil, nil, fail(exitUsage, "%v", err)
	}
	return st, func() { st.Close(); closeAll() }, nil
}

func (c *cli) openDB(ctx context.Context) (*sql.DB, sqlstore.Dialect, error) {
	if c.databaseURL == "" {
		return nil, 0, fail(exitUsage, "no database: set --database-url or DATABASE_URL")
	}
	db, d, err := dburl.Open(ctx, c.databaseURL)
	if err != nil {
		return nil, 0, fail(exitIO, "%v", err)
	}
	return db, d, nil
}

func cmdSessionGet(c *cli, fs *flag.FlagSet, args []string) error {
	key, err := args1(args, "KEY")
	if err != nil {
		return err
	}
	if err := c.needSecret(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, closeAll, err := c.openSessions(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	if c.settings.SessionEngine != djangobridge.EngineSignedCookies && !djangosession.ValidKey(key) {
		return fail(exitRefused, "%v: %q", djangosession.ErrInvalidKey, key)
	}
	m, err := st.Store.Load(ctx, key)
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
	if err := c.needSecret(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, closeAll, err := c.openSessions(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	n, err := st.Store.ClearExpired(ctx)
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
	iters, _ := strconv.Atoi(fs.Lookup("iterations").Value.String())
	s := c.settings
	def, err := hashers.DefaultsFor(s.DjangoVersion)
	if err != nil {
		return fail(exitUsage, "%v", err)
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
		return fail(exitUsage, "%v", err)
	}
	s.PasswordHashers = append(append([]string(nil), def.Hashers...), def.Available...)
	if alg := fs.Lookup("hasher").Value.String(); alg != "" {
		s.PasswordHashers = append([]string{alg}, s.PasswordHashers...)
	}
	set, err := hashers.New(&s)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	ok, mustUpdate, err := set.Check(context.Background(), pw, args[1])
	if err != nil {
		return fail(exitUsage, "malformed hash: %v", err)
	}
	if !ok {
		return fail(exitRefused, "password does not match")
	}
	if mustUpdate {
		fmt.Fprintln(c.stderr, "must update")
	}
	return nil
}

func (c *cli) auth(ctx context.Context) (*djangouser.Auth, func(), error) {
	db, d, err := c.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	users, err := sqlstore.NewUsers(db, d, &c.settings)
	if err != nil {
		db.Close()
		return nil, nil, fail(exitUsage, "%v", err)
	}
	pw, err := hashers.New(&c.settings)
	if err != nil {
		db.Close()
		return nil, nil, fail(exitUsage, "%v", err)
	}
	a, err := djangouser.New(&c.settings, users, pw)
	if err != nil {
		db.Close()
		return nil, nil, fail(exitUsage, "%v", err)
	}
	return a, func() { db.Close() }, nil
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
		return fail(exitRefused, "password does not match")
	}
	fmt.Fprintln(c.stdout, "password ok")
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
