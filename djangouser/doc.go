// Package djangouser is django.contrib.auth for Go services that share
// logins with a Django site: the user behind a Django session
// (request.user), authentication backends, login and logout with Django's
// session-fixation defence, passwords (with upgrade on login), and
// permissions and groups as ModelBackend computes them.
//
// An [Auth] is made from the one djangobridge.Settings, a [Store] (the
// user table and permission tables: sqlstore.NewUsers over database/sql,
// or pgxstore.NewUsers over a pgx pool, on the same handle as the session
// engine) and the password hashers (hashers.New):
//
//	auth, err := djangouser.New(&settings, users, passwords)
//	user, err := auth.Lazy(session).Get(ctx) // request.user
//
// Every rule follows the Django release of Settings.DjangoVersion, and is
// tested against real Django 3.2, 4.2 and 5.2 on SQLite, PostgreSQL and
// MariaDB. What changed between releases, and how the settings cover it:
//
//   - Session auth hash (_auth_user_hash, HMAC of the stored password):
//     3.1-3.2 HMAC with DEFAULT_HASHING_ALGORITHM ("sha256", or "sha1"
//     for the pre-3.1 format; Settings.DefaultHashingAlgorithm), and a
//     legacy SHA-1 hash is accepted without being rewritten; 4.0+
//     SHA-256 only (a SHA-1 hash flushes the session).
//   - SECRET_KEY_FALLBACKS (4.1+; Settings.SecretKeyFallbacks): from
//     4.1.8 a hash made with a fallback key keeps the user logged in and
//     the session gets a new key and the current hash; 4.0-4.1.7 flush
//     it; 3.2 has no fallbacks (its sessions signed with an old key do not
//     even decode). Set DjangoVersion to the patch release (e.g. "4.1.7")
//     when it matters; "4.1" means the newest patch.
//   - Password hashers (hashers package, per release): PBKDF2 iterations
//     260000 (3.2), 600000 (4.2), 1000000 (5.2), so a login after an
//     upgrade of Django re-hashes the password (upgrade on login), which
//     also ends the user's other sessions, as in Django.
//   - login(), logout(), get_user(), update_session_auth_hash() and
//     ModelBackend behave the same in 3.2, 4.2 and 5.2 otherwise (5.2's
//     login(request, None), which falls back to request.user, is not
//     offered: pass the user).
//
// User properties (RestAuth's property backend): [Properties] reads and
// writes a user's fields by name with Django's types, the user model's
// columns (Settings.UserModel.ExtraFields types a custom model's) and an
// optional one-to-one profile model's (Settings.UserModel.Profile);
// sqlstore.Properties and pgxstore.Properties keep them in Django's
// tables, [MemoryProperties] in memory for tests, and
// djangouser/propertiestest is the contract all three pass.
//
// Differences from Django, all on input Django would not produce: an
// _auth_user_id that is not a key of the model's type gives the anonymous
// user (Django raises ValidationError, a server error); a stored password
// hash that is malformed counts as a wrong password (Django raises).
package djangouser
