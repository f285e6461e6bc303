package djangouser

import "errors"

// Errors, usable with errors.Is.
var (
	// ErrUserNotFound: no user row with that primary key or username
	// (Django's User.DoesNotExist). Store methods return it; the Auth
	// methods turn it into the anonymous user or invalid credentials.
	ErrUserNotFound = errors.New("djangouser: user not found")
	// ErrUserExists: CreateUser found the USERNAME_FIELD (or primary key)
	// already taken, a unique constraint violation (Django's IntegrityError),
	// reported as this error rather than as the driver's.
	ErrUserExists = errors.New("djangouser: user already exists")
	// ErrInvalidCredentials: no backend authenticated the credentials
	// (django.contrib.auth.authenticate returned None).
	ErrInvalidCredentials = errors.New("djangouser: invalid credentials")
	// ErrPermissionDenied: a backend refuses the user outright and the
	// chain stops (django.core.exceptions.PermissionDenied). A Backend
	// returns it from Authenticate; Authenticate then returns
	// ErrInvalidCredentials wrapping it.
	ErrPermissionDenied = errors.New("djangouser: permission denied")
	// ErrNoBackend: Login got a user with no Backend while several backends
	// are configured (Django's ValueError), or the user's backend is not
	// configured.
	ErrNoBackend = errors.New("djangouser: no authentication backend for the user")
	// ErrAnonymous: an operation that needs a real user (SetPassword, Save,
	// Login) got the anonymous user.
	ErrAnonymous = errors.New("djangouser: anonymous user")
	// ErrNoPermissionsMixin: a permission lookup for an active user of a
	// model without PermissionsMixin (UserModel.NoPermissionsMixin), which
	// has no user_permissions or groups to read: Django's ModelBackend
	// raises AttributeError for it (get_all_permissions, has_perm,
	// has_module_perms). A programming error, as in Django: such a model
	// defines its own has_perm, which Go code mirrors itself.
	ErrNoPermissionsMixin = errors.New("djangouser: the user model has no PermissionsMixin (no user_permissions or groups): " +
		"Django's ModelBackend raises AttributeError for its permissions; decide permissions as the model's own has_perm does")
	// ErrConfig: the Settings or the arguments of New cannot work (an
	// unknown backend path, a bad UserModel).
	ErrConfig = errors.New("djangouser: bad configuration")
)

// Errors of the group and user management stores (sqlstore.Accounts,
// pgxstore.Accounts).
var (
	// ErrGroupNotFound: no auth_group row with that name.
	ErrGroupNotFound = errors.New("djangouser: group not found")
	// ErrGroupExists: a group of that name exists (auth_group.name is unique).
	ErrGroupExists = errors.New("djangouser: group already exists")
	// ErrPermissionNotFound: no auth_permission "app_label.codename".
	ErrPermissionNotFound = errors.New("djangouser: permission not found")
	// ErrInvalidName: a name Django's field would refuse (empty, too long).
	ErrInvalidName = errors.New("djangouser: invalid name")
)
