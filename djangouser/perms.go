package djangouser

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
)

// permissions returns u's permission set from every PermissionBackend,
// loading it on first use and caching it on u (Django's _perm_cache).
func (a *Auth) permissions(ctx context.Context, u *User) (map[string]struct{}, error) {
	u.permMu.Lock()
	defer u.permMu.Unlock()
	if u.perms != nil {
		return u.perms, nil
	}
	set := make(map[string]struct{})
	for _, b := range a.permBackend {
		perms, err := b.AllPermissions(ctx, u)
		if errors.Is(err, ErrPermissionDenied) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, p := range perms {
			set[p] = struct{}{}
		}
	}
	u.perms = set
	return set, nil
}

func activeSuperuser(u *User) bool { return !u.IsAnonymous() && u.IsActive && u.IsSuperuser }

// HasPerm is user.has_perm("app_label.codename"): true for an active
// superuser (any perm, even one that does not exist); false for the
// anonymous and inactive users; else whether a backend grants it. The
// permissions are read once per User and cached.
func (a *Auth) HasPerm(ctx context.Context, u *User, perm string) (bool, error) {
	if activeSuperuser(u) {
		return true, nil
	}
	if u.IsAnonymous() || !u.IsActive {
		return false, nil
	}
	set, err := a.permissions(ctx, u)
	if err != nil {
		return false, err
	}
	_, ok := set[perm]
	return ok, nil
}

// HasPerms is user.has_perms(perms): whether u has every one of them.
func (a *Auth) HasPerms(ctx context.Context, u *User, perms ...string) (bool, error) {
	for _, p := range perms {
		ok, err := a.HasPerm(ctx, u, p)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// HasModulePerms is user.has_module_perms(app_label): true for an active
// superuser, else whether u has any permission of that app.
func (a *Auth) HasModulePerms(ctx context.Context, u *User, appLabel string) (bool, error) {
	if activeSuperuser(u) {
		return true, nil
	}
	if u.IsAnonymous() || !u.IsActive {
		return false, nil
	}
	set, err := a.permissions(ctx, u)
	if err != nil {
		return false, err
	}
	for p := range set {
		if i := strings.IndexByte(p, '.'); i >= 0 && p[:i] == appLabel {
			return true, nil
		}
	}
	return false, nil
}

// AllPermissions is user.get_all_permissions(), sorted: for an active
// superuser every auth_permission row; none for anonymous or inactive
// users; else the user's and its groups' permissions.
func (a *Auth) AllPermissions(ctx context.Context, u *User) ([]string, error) {
	if u.IsAnonymous() {
		return []string{}, nil
	}
	set, err := a.permissions(ctx, u)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// Groups returns the sorted names of u's groups (user.groups), read once
// per User and cached; none for the anonymous user or a model without
// groups.
func (a *Auth) Groups(ctx context.Context, u *User) ([]string, error) {
	if u.IsAnonymous() || !HasPermissionsMixin(a.model) {
		return []string{}, nil
	}
	u.permMu.Lock()
	defer u.permMu.Unlock()
	if u.groups != nil {
		return slices.Clone(u.groups), nil
	}
	g, err := a.users.GroupNames(ctx, u)
	if err != nil {
		return nil, err
	}
	if g == nil {
		g = []string{}
	}
	sort.Strings(g)
	u.groups = g
	return slices.Clone(g), nil
}
