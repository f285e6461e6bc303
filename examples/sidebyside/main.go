// Command sidebyside is djangobridge's demo: three Go apps, on net/http,
// echo and fiber, sharing one Django session and user store, beside a real
// Django app (examples/django_app) on the same database. A login on any of
// the four is seen by all four.
//
//	go run ./examples/sidebyside
//	scripts/django-python 5.2 examples/django_app/manage.py runserver 8003
//
// Settings come from the environment, named as Django's and read by
// djangobridge.SettingsFromEnv: SECRET_KEY, SECRET_KEY_FALLBACKS,
// DATABASE_URL, SESSION_ENGINE, CACHE_URL (or DJANGO_CACHES, Django's
// CACHES as JSON: Redis, memcached or the DatabaseCache, with
// SESSION_CACHE_ALIAS), SESSION_FILE_PATH,
// SESSION_COOKIE_*, CSRF_*, USE_TZ, TIME_ZONE and DJANGO_VERSION (the
// release whose rules apply; the demo defaults it to 5.2), and
// ARGON2_HASH_LENGTH (the Django side's argon2-cffi hash length: 16 up to
// 21.x, 32 from 23.1, the default), and DJANGO_MESSAGE_STORAGE (Django's
// MESSAGE_STORAGE for the flash messages of /messages/ and /api/messages:
// the dotted path or fallback, the default, cookie, session). Without
// DATABASE_URL the demo uses a SQLite file it creates with Django's schema
// and a user demo (password demo). The setup is the public one a service
// uses (bridge/anydb, bridge.New), and Bridge.Check runs at start: a
// database without Django's tables, or a SECRET_KEY that verifies none of
// the live sessions, ends the demo with the check's message (exit status 1).
// See examples/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/djangobridge/djangobridge/dburl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
}

// run is main with its inputs passed in, for tests: it serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sidebyside", flag.ContinueOnError)
	fs.SetOutput(stderr)
	httpAddr := fs.String("http", "127.0.0.1:8000", "listen address of the net/http app")
	echoAddr := fs.String("echo", "127.0.0.1:8001", "listen address of the echo app")
	fiberAddr := fs.String("fiber", "127.0.0.1:8002", "listen address of the fiber app")
	initDB := fs.Bool("init", false, "create Django's tables and the user demo/demo when missing (always done for the default SQLite file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.Settings.Logger = log
	if cfg.DemoKey {
		log.Warn("SECRET_KEY is not set: using the demo's public key; never do this outside a demo")
	}

	d, err := openDemo(ctx, cfg, *initDB || cfg.Defaulted, log)
	if err != nil {
		return err
	}
	defer d.Close()

	var lns [3]net.Listener
	for i, addr := range []string{*httpAddr, *echoAddr, *fiberAddr} {
		if lns[i], err = net.Listen("tcp", addr); err != nil {
			for _, l := range lns[:i] {
				l.Close()
			}
			return err
		}
	}
	printBanner(stdout, cfg, d, lns)
	return serve(ctx, d, lns, log)
}

// bannerURL is DATABASE_URL as the banner shows it: a SQLite file in the
// canonical four-slash form (dburl.SQLiteURL, what dj-database-url reads
// as an absolute path, whichever form was given), a server without its
// password.
func bannerURL(raw string) string {
	t, err := dburl.Parse(raw)
	if err != nil || t.Path == "" {
		return dburl.Redact(raw)
	}
	u := dburl.SQLiteURL(t.Path)
	if _, q, ok := strings.Cut(raw, "?"); ok {
		u += "?" + q
	}
	return u
}

func printBanner(w io.Writer, cfg *config, d *demo, lns [3]net.Listener) {
	fmt.Fprintf(w, "djangobridge side-by-side demo (Django %s rules, SESSION_ENGINE=%s)\n",
		cfg.Settings.DjangoVersion, cfg.Settings.SessionEngine)
	fmt.Fprintf(w, "  database:   %s\n", bannerURL(d.databaseURL))
	if d.demoUser != "" {
		fmt.Fprintf(w, "  demo login: %s\n", d.demoUser)
	}
	for i, name := range []string{"net/http", "echo", "fiber"} {
		fmt.Fprintf(w, "  %-9s   http://%s/\n", name+":", lns[i].Addr())
	}
	// examples/django_app reads the same variables and defaults to the
	// same SQLite file, so the same shell starts it on the same store.
	v := cfg.Settings.DjangoVersion
	fmt.Fprintf(w, "  Django:     scripts/django-python %d.%d examples/django_app/manage.py runserver 8003\n", v.Major, v.Minor)
}

// serve runs the three apps on lns until ctx ends, then shuts them down.
func serve(ctx context.Context, d *demo, lns [3]net.Listener, log *slog.Logger) error {
	nh := &http.Server{Handler: netHTTPHandler(&app{name: "net/http", auth: d.auth, log: log, acct: d.acct, flash: d.flash}, d.mw), ReadHeaderTimeout: 10 * time.Second}
	e := echoApp(&app{name: "echo", auth: d.auth, log: log, acct: d.acct, flash: d.flash}, d.mw)
	e.Server.ReadHeaderTimeout = 10 * time.Second
	f := fiberApp(&app{name: "fiber", auth: d.auth, log: log, acct: d.acct, flash: d.flash}, d.mw)

	errs := make(chan error, 3)
	var wg sync.WaitGroup
	start := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	start("net/http", func() error { return nh.Serve(lns[0]) })
	start("echo", func() error { e.Listener = lns[1]; return e.Start("") })
	start("fiber", func() error { return f.Listener(lns[2]) })

	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = nh.Shutdown(sctx)
	_ = e.Shutdown(sctx)
	_ = f.ShutdownWithContext(sctx)
	wg.Wait()
	return err
}
