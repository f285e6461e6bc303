package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/passwordreset"
	"github.com/djangobridge/djangobridge/registration"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// The account commands (issue 13): users, groups, activation keys and
// reset links over the database of --database-url.
func init() {
	add := func(name, usage, help string, nargs int, run func(ctx context.Context, e *acctEnv, fs *flag.FlagSet, args []string) error, flags func(*flag.FlagSet)) {
		commandOrder = append(commandOrder, name)
		commands[name] = command{usage: usage, help: help, flags: flags, settings: accountSettings, key: keyNever, run: func(c *cli, fs *flag.FlagSet, args []string) error {
			if nargs >= 0 && len(args) != nargs {
				return fail(exitUsage, "want %d argument(s): %s", nargs, usage)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, closeDB, err := c.accounts(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			return refused(run(ctx, e, fs, args))
		}}
	}
	add("user list", "user list", "Prints every username, one a line, sorted.", 0, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, _ []string) error {
		return e.printLines(e.acc.Usernames(ctx))
	}, nil)
	add("user show", "user show USERNAME", "Prints the user's row as JSON (the password as its algorithm only), with its groups.", 1, cmdUserShow, nil)
	add("user activate", "user activate USERNAME", "Sets is_active.", 1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.SetActive(ctx, a[0], true), "activated %q", a[0])
	}, nil)
	add("user deactivate", "user deactivate USERNAME", "Clears is_active: the user can no longer log in, and Django's has_perm is false.", 1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.SetActive(ctx, a[0], false), "deactivated %q", a[0])
	}, nil)
	add("user delete", "user delete USERNAME", "Deletes the user with its group memberships and permissions, in one transaction.", 1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.DeleteUser(ctx, a[0]), "deleted %q", a[0])
	}, nil)
	add("group create", "group create NAME", "Creates a group (auth_group).", 1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.CreateGroup(ctx, a[0]), "created group %q", a[0])
	}, nil)
	add("group delete", "group delete NAME", "Deletes a group with its memberships and permissions.", 1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.DeleteGroup(ctx, a[0]), "deleted group %q", a[0])
	}, nil)
	add("group rename", "group rename OLD NEW", "Renames a group.", 2, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.RenameGroup(ctx, a[0], a[1]), "renamed group %q to %q", a[0], a[1])
	}, nil)
	add("group list", "group list", "Prints every group name, sorted.", 0, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, _ []string) error {
		return e.printLines(e.acc.Groups(ctx))
	}, nil)
	add("group members", "group members NAME", "Prints the usernames of the group's members, sorted.", 1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.printLines(e.acc.Members(ctx, a[0]))
	}, nil)
	add("group add", "group add GROUP USERNAME", "Adds the user to the group (user.groups.add).", 2, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.AddMember(ctx, a[0], a[1]), "added %q to %q", a[1], a[0])
	}, nil)
	add("group remove", "group remove GROUP USERNAME", "Removes the user from the group.", 2, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.RemoveMember(ctx, a[0], a[1]), "removed %q from %q", a[1], a[0])
	}, nil)
	add("group perm", "group perm GROUP APP_LABEL.CODENAME", "Gives the group a permission; without one, lists the group's permissions.", -1, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		switch len(a) {
		case 1:
			return e.printLines(e.acc.GroupPermissions(ctx, a[0]))
		case 2:
			return e.done(e.acc.AddGroupPermission(ctx, a[0], a[1]), "gave %q %s", a[0], a[1])
		}
		return fail(exitUsage, "want GROUP [APP_LABEL.CODENAME]")
	}, nil)
	add("group unperm", "group unperm GROUP APP_LABEL.CODENAME", "Takes a permission from the group.", 2, func(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
		return e.done(e.acc.RemoveGroupPermission(ctx, a[0], a[1]), "took %s from %q", a[1], a[0])
	}, nil)
	days := func(fs *flag.FlagSet) {
		fs.Int("activation-days", 7, "ACCOUNT_ACTIVATION_DAYS (django-registration)")
		fs.String("registration-salt", "", "REGISTRATION_SALT (default \"registration\")")
	}
	add("registration activation-key", "registration activation-key USERNAME", "Prints django-registration's activation key for USERNAME (signing.dumps(username, salt=REGISTRATION_SALT)).", 1, func(ctx context.Context, e *acctEnv, fs *flag.FlagSet, a []string) error {
		k, err := e.keys(fs)
		if err != nil {
			return err
		}
		key, err := k.Make(a[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.c.stdout, key)
		return nil
	}, days)
	add("registration activate", "registration activate KEY", "Activates the account of an activation key, as django-registration's ActivationView; refusals in its words.", 1, func(ctx context.Context, e *acctEnv, fs *flag.FlagSet, a []string) error {
		k, err := e.keys(fs)
		if err != nil {
			return err
		}
		name, err := k.Username(a[0])
		if err != nil {
			return err
		}
		u, err := e.users.UserByUsername(ctx, name)
		if errors.Is(err, djangouser.ErrUserNotFound) {
			return &registration.ActivationError{Code: registration.CodeBadUsername, Message: registration.MsgBadUsername}
		}
		if err != nil {
			return err
		}
		if u.IsActive {
			return &registration.ActivationError{Code: registration.CodeAlreadyActivated, Message: registration.MsgAlreadyActivated}
		}
		return e.done(e.acc.SetActive(ctx, name, true), "activated %q", name)
	}, days)
	add("password reset-link", "password reset-link USERNAME_OR_EMAIL", "Prints the uidb64 and token of a password reset link (Django's PasswordResetConfirmView takes /reset/<uidb64>/<token>/) for the user, or each active user of the email.", 1, cmdResetLink, func(fs *flag.FlagSet) {
		fs.Int("timeout", int(passwordreset.DefaultTimeout/time.Second), "PASSWORD_RESET_TIMEOUT in seconds (for the record; tokens carry their time)")
	})
}

type acctEnv struct {
	c     *cli
	acc   *sqlstore.Accounts
	users djangouser.Store
}

// accountSettings are the setting flags of the account commands: the
// database's, and the keys the activation-key and reset-link commands sign
// with.
var accountSettings = append(append([]string(nil), userSettings...), "secret-key", "secret-key-fallbacks")

// accounts opens the database of --database-url (any driver, as the other
// commands do) with the account queries over it.
func (c *cli) accounts(ctx context.Context) (*acctEnv, func(), error) {
	db, err := anydb.OpenDatabase(ctx, c.databaseURL, &c.settings)
	if err != nil {
		return nil, nil, fail(exitConfig, "%v", err)
	}
	acc, err := sqlstore.NewAccounts(db.SQL, db.Dialect, &c.settings)
	if err != nil {
		db.Close()
		return nil, nil, fail(exitConfig, "%v", err)
	}
	return &acctEnv{c, acc, db.Users}, func() { db.Close() }, nil
}

// needSecret refuses a command that signs (activation keys, reset tokens)
// when SECRET_KEY is unset.
func (c *cli) needSecret() error {
	if c.keyless {
		return fail(exitConfig, "no secret key: set SECRET_KEY (or --secret-key) to the SECRET_KEY of your Django settings.py")
	}
	return nil
}

// refused turns the "no such thing / already so" errors into exit code 1.
func refused(err error) error {
	for _, e := range []error{djangouser.ErrUserNotFound, djangouser.ErrGroupNotFound, djangouser.ErrGroupExists,
		djangouser.ErrPermissionNotFound, djangouser.ErrInvalidName, registration.ErrActivation, passwordreset.ErrInvalidLink} {
		if errors.Is(err, e) {
			return fail(exitRefused, "%v", err)
		}
	}
	return err
}

func (e *acctEnv) done(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	fmt.Fprintf(e.c.stdout, format+"\n", args...)
	return nil
}

func (e *acctEnv) printLines(lines []string, err error) error {
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(e.c.stdout, l)
	}
	return nil
}

func (e *acctEnv) keys(fs *flag.FlagSet) (*registration.Keys, error) {
	if err := e.c.needSecret(); err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(fs.Lookup("activation-days").Value.String())
	k, err := registration.NewKeys(&e.c.settings, registration.KeyOptions{ActivationDays: n, Salt: fs.Lookup("registration-salt").Value.String()})
	if err != nil {
		return nil, fail(exitUsage, "%v", err)
	}
	return k, nil
}

func cmdUserShow(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
	u, err := e.users.UserByUsername(ctx, a[0])
	if err != nil {
		return err
	}
	groups, err := e.users.GroupNames(ctx, u)
	if err != nil {
		return err
	}
	alg, _, _ := strings.Cut(u.Password, "$")
	out := map[string]any{"id": u.PK(), "username": u.Username, "email": u.Email, "first_name": u.FirstName,
		"last_name": u.LastName, "is_active": u.IsActive, "is_staff": u.IsStaff, "is_superuser": u.IsSuperuser,
		"date_joined": u.DateJoined, "last_login": u.LastLogin, "password_algorithm": alg, "groups": groups}
	for k, v := range u.Extra {
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.c.stdout, string(b))
	return nil
}

func cmdResetLink(ctx context.Context, e *acctEnv, _ *flag.FlagSet, a []string) error {
	if err := e.c.needSecret(); err != nil {
		return err
	}
	g, err := passwordreset.NewTokenGenerator(&e.c.settings, passwordreset.Options{})
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	var users []*djangouser.User
	u, err := e.users.UserByUsername(ctx, a[0])
	switch {
	case err == nil:
		users = append(users, u)
	case errors.Is(err, djangouser.ErrUserNotFound) && strings.Contains(a[0], "@"):
		if users, err = e.acc.ActiveUsersByEmail(ctx, a[0]); err != nil {
			return err
		}
	case err != nil && !errors.Is(err, djangouser.ErrUserNotFound):
		return err
	}
	if len(users) == 0 {
		return fail(exitRefused, "no user %q", a[0])
	}
	for _, u := range users {
		tok, err := g.MakeToken(u)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.c.stdout, "%s %s %s\n", u.Username, passwordreset.UIDB64(u), tok)
	}
	return nil
}
