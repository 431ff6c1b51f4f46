package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func testAccounts(t *testing.T, open Opener) {
	h := newHarness(t, open)

	t.Run("CreateGet", func(t *testing.T) {
		ctx := t.Context()
		a := &storage.Account{Username: h.name("alice"), URI: "https://herd.example/users/a" + h.name("")}
		require.NoError(t, h.s.Accounts().Create(ctx, a))
		require.NotZero(t, a.ID, "Create assigns an ID")
		require.False(t, a.CreatedAt.IsZero(), "Create sets CreatedAt")
		require.False(t, a.UpdatedAt.IsZero(), "Create sets UpdatedAt")
		require.Equal(t, time.UTC, a.CreatedAt.Location())
		require.Equal(t, storage.ActorPerson, a.ActorType, "ActorType defaults to Person")

		got := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		require.Equal(t, a, got)
		got = try(h.s.Accounts().GetByURI(ctx, a.URI)).must(t)
		require.Equal(t, a.ID, got.ID)
		got = try(h.s.Accounts().GetByUsername(ctx, a.Username, "")).must(t)
		require.Equal(t, a.ID, got.ID)

		// An explicit ID is kept.
		id := h.s.NewID()
		b := &storage.Account{ID: id, Username: h.name("bob"), URI: "https://herd.example/users/b" + id.String()}
		require.NoError(t, h.s.Accounts().Create(ctx, b))
		require.Equal(t, id, b.ID)
		require.Equal(t, id, try(h.s.Accounts().Get(ctx, id)).must(t).ID)
	})

	t.Run("GetByUsername", func(t *testing.T) {
		ctx := t.Context()
		loc := h.local(t, "Carol")
		rem := h.remote(t, "Carol", "Social.Example", "")
		require.Equal(t, "social.example", rem.Domain, "domains are stored lower-case")
		// Same username on another domain is a different account.
		rem2 := &storage.Account{Username: rem.Username, Domain: "other.example", URI: "https://other.example/users/" + rem.Username}
		require.NoError(t, h.s.Accounts().Create(ctx, rem2))

		for _, u := range []string{loc.Username, upper(loc.Username), lower(loc.Username)} {
			got := try(h.s.Accounts().GetByUsername(ctx, u, "")).must(t)
			require.Equal(t, loc.ID, got.ID, "GetByUsername(%q)", u)
			require.Equal(t, loc.Username, got.Username, "the username is kept as written")
		}
		got := try(h.s.Accounts().GetByUsername(ctx, upper(rem.Username), "SOCIAL.example")).must(t)
		require.Equal(t, rem.ID, got.ID)
		got = try(h.s.Accounts().GetByUsername(ctx, rem.Username, "other.example")).must(t)
		require.Equal(t, rem2.ID, got.ID)

		_, err := h.s.Accounts().GetByUsername(ctx, loc.Username, "social.example")
		requireNotFound(t, err, "local username on a remote domain")
		_, err = h.s.Accounts().GetByUsername(ctx, rem.Username+"x", "social.example")
		requireNotFound(t, err, "unknown username")
		// LIKE wildcards are not patterns.
		_, err = h.s.Accounts().GetByUsername(ctx, "%", "")
		requireNotFound(t, err, "username %")
	})

	t.Run("NotFound", func(t *testing.T) {
		ctx := t.Context()
		missing := h.s.NewID()
		_, err := h.s.Accounts().Get(ctx, missing)
		requireNotFound(t, err, "Get")
		_, err = h.s.Accounts().GetByURI(ctx, "https://nowhere.example/users/x")
		requireNotFound(t, err, "GetByURI")
		err = h.s.Accounts().Update(ctx, &storage.Account{ID: missing, Username: "ghost", URI: "https://herd.example/users/ghost"})
		requireNotFound(t, err, "Update")
		requireNotFound(t, h.s.Accounts().Delete(ctx, missing), "Delete")
		requireNotFound(t, h.s.Accounts().AdjustCounts(ctx, missing, 1, 1, 1, nil), "AdjustCounts")
	})

	t.Run("Conflicts", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "dave")
		dup := &storage.Account{Username: upper(a.Username), URI: "https://herd.example/users/other-" + a.Username}
		requireConflict(t, h.s.Accounts().Create(ctx, dup), "same username, other case")
		dup = &storage.Account{Username: h.name("erin"), URI: a.URI}
		requireConflict(t, h.s.Accounts().Create(ctx, dup), "same URI")
		r := h.remote(t, "frank", "remote.example", "")
		dup = &storage.Account{Username: upper(r.Username), Domain: "REMOTE.example", URI: r.URI + "/2"}
		requireConflict(t, h.s.Accounts().Create(ctx, dup), "same remote username and domain, other case")

		// Renaming onto a taken username conflicts too.
		b := h.local(t, "gina")
		b.Username = upper(a.Username)
		requireConflict(t, h.s.Accounts().Update(ctx, b), "Update onto a taken username")
	})

	t.Run("Invalid", func(t *testing.T) {
		ctx := t.Context()
		requireInvalid(t, h.s.Accounts().Create(ctx, &storage.Account{URI: "https://herd.example/users/x"}), "no username")
		requireInvalid(t, h.s.Accounts().Create(ctx, &storage.Account{Username: "x"}), "no URI")
	})

	t.Run("Update", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "hank")
		require.NoError(t, h.s.Accounts().AdjustCounts(ctx, a.ID, 3, 2, 1, nil))
		before := try(h.s.Accounts().Get(ctx, a.ID)).must(t)

		a.DisplayName = "Hank ✨"
		a.Note = "<p>note</p>"
		a.Locked = true
		a.Bot = true
		a.Fields = storage.Fields{{Name: "web", Value: "<a href=\"https://x.example\">x</a>", VerifiedAt: ptr(ts(2026, 1, 2, 3, 4, 5, 6))}}
		a.AlsoKnownAs = storage.Strings{"https://old.example/users/hank"}
		a.SuspendedAt = ptr(ts(2026, 2, 3, 4, 5, 6, 7))
		// Update leaves the counters alone.
		a.StatusesCount, a.FollowersCount, a.FollowingCount = 100, 100, 100
		require.NoError(t, h.s.Accounts().Update(ctx, a))
		require.False(t, a.UpdatedAt.Before(before.UpdatedAt), "Update advances UpdatedAt")

		got := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		assert.Equal(t, "Hank ✨", got.DisplayName)
		assert.Equal(t, "<p>note</p>", got.Note)
		assert.True(t, got.Locked)
		assert.True(t, got.Bot)
		assert.Equal(t, a.Fields, got.Fields)
		assert.Equal(t, a.AlsoKnownAs, got.AlsoKnownAs)
		assert.Equal(t, a.SuspendedAt, got.SuspendedAt)
		assert.Equal(t, before.CreatedAt, got.CreatedAt, "Update keeps CreatedAt")
		assert.Equal(t, a.UpdatedAt, got.UpdatedAt)
		assert.Equal(t, int64(3), got.StatusesCount, "Update leaves statuses_count")
		assert.Equal(t, int64(2), got.FollowersCount, "Update leaves followers_count")
		assert.Equal(t, int64(1), got.FollowingCount, "Update leaves following_count")

		// A renamed account is found under its new name only.
		old := a.Username
		a.Username = h.name("Henry")
		require.NoError(t, h.s.Accounts().Update(ctx, a))
		require.Equal(t, a.ID, try(h.s.Accounts().GetByUsername(ctx, lower(a.Username), "")).must(t).ID)
		_, err := h.s.Accounts().GetByUsername(ctx, old, "")
		requireNotFound(t, err, "old username after rename")
	})

	t.Run("AdjustCounts", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "ivy")
		last := ts(2026, 3, 4, 5, 6, 7, 8)
		require.NoError(t, h.s.Accounts().AdjustCounts(ctx, a.ID, 5, 4, 3, &last))
		got := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		assert.Equal(t, []int64{5, 4, 3}, []int64{got.StatusesCount, got.FollowersCount, got.FollowingCount})
		require.NotNil(t, got.LastStatusAt)
		assert.Equal(t, last, *got.LastStatusAt)

		require.NoError(t, h.s.Accounts().AdjustCounts(ctx, a.ID, -2, -10, 0, nil))
		got = try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		assert.Equal(t, []int64{3, 0, 3}, []int64{got.StatusesCount, got.FollowersCount, got.FollowingCount}, "counters never go below zero")
		require.NotNil(t, got.LastStatusAt, "a nil lastStatusAt leaves the recorded one")
		assert.Equal(t, last, *got.LastStatusAt)

		require.NoError(t, h.s.Accounts().AdjustCounts(ctx, a.ID, -1000, -1, -1000, nil))
		got = try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		assert.Equal(t, []int64{0, 0, 0}, []int64{got.StatusesCount, got.FollowersCount, got.FollowingCount})
	})

	t.Run("GetMany", func(t *testing.T) {
		ctx := t.Context()
		a, b, c := h.local(t, "jo"), h.local(t, "kim"), h.remote(t, "lee", "remote.example", "")
		got := try(h.s.Accounts().GetMany(ctx, []storage.ID{c.ID, a.ID, h.s.NewID(), b.ID, a.ID})).must(t)
		require.ElementsMatch(t, []storage.ID{a.ID, b.ID, c.ID}, accountIDs(got), "existing accounts, each once")
		requireEmpty(t, try(h.s.Accounts().GetMany(ctx, nil)).must(t), "GetMany(nil)")
		requireEmpty(t, try(h.s.Accounts().GetMany(ctx, []storage.ID{h.s.NewID()})).must(t), "GetMany(missing)")
	})
}

// testAccountListing needs a store of its own: it counts.
func testAccountListing(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	requireEmpty(t, try(h.s.Accounts().List(ctx, storage.AccountFilter{}, storage.Page{})).must(t), "List on an empty store")
	require.Zero(t, try(h.s.Accounts().Count(ctx, storage.AccountFilter{})).must(t))

	var locals, remotes []*storage.Account
	for i := 0; i < 5; i++ {
		locals = append(locals, h.local(t, "user"))
		remotes = append(remotes, h.remote(t, "user", []string{"a.example", "b.example"}[i%2], ""))
	}
	alpha := h.local(t, "alpha_", func(a *storage.Account) { a.DisplayName = "Search Target" })
	alphaRemote := h.remote(t, "alpha_", "c.example", "", func(a *storage.Account) { a.FollowersCount = 0 })
	percent := h.local(t, "per%cent")
	suspended := h.local(t, "alpha_sus", func(a *storage.Account) { a.SuspendedAt = ptr(ts(2026, 1, 1, 0, 0, 0, 0)) })

	count := func(f storage.AccountFilter) int64 { return try(h.s.Accounts().Count(ctx, f)).must(t) }
	require.Equal(t, int64(14), count(storage.AccountFilter{}))
	require.Equal(t, int64(8), count(storage.AccountFilter{Origin: "local"}))
	require.Equal(t, int64(6), count(storage.AccountFilter{Origin: "remote"}))
	require.Equal(t, int64(3), count(storage.AccountFilter{Domain: "A.example"}))
	require.Equal(t, int64(3), count(storage.AccountFilter{Username: "ALPHA_"}), "username prefix, case-insensitive")
	require.Equal(t, int64(1), count(storage.AccountFilter{Username: "per%"}), "% is not a wildcard")
	require.Equal(t, int64(0), count(storage.AccountFilter{Username: "%"}))

	list := func(f storage.AccountFilter, p storage.Page) []storage.ID {
		return accountIDs(try(h.s.Accounts().List(ctx, f, p)).must(t))
	}
	all := []storage.ID{suspended.ID, percent.ID, alphaRemote.ID, alpha.ID}
	for i := 4; i >= 0; i-- {
		all = append(all, remotes[i].ID, locals[i].ID)
	}
	require.Equal(t, all, list(storage.AccountFilter{}, storage.Page{}), "newest first")
	require.Equal(t, all[2:5], list(storage.AccountFilter{}, storage.Page{MaxID: all[1], Limit: 3}))
	require.Equal(t, []storage.ID{remotes[4].ID, remotes[2].ID, remotes[0].ID},
		list(storage.AccountFilter{Origin: "remote", Domain: "a.example"}, storage.Page{}))
	require.Equal(t, []storage.ID{locals[1].ID, locals[0].ID},
		list(storage.AccountFilter{Origin: "local", Username: "user"}, storage.Page{MaxID: locals[2].ID}))

	// Search: username, display name or domain, local first; exact username first.
	found := accountIDs(try(h.s.Accounts().Search(ctx, "ALPHA_", 10, 0)).must(t))
	require.Len(t, found, 2, "suspended accounts are not found")
	require.Equal(t, alpha.ID, found[0], "local accounts first")
	require.Equal(t, alphaRemote.ID, found[1])
	found = accountIDs(try(h.s.Accounts().Search(ctx, "search targ", 10, 0)).must(t))
	require.Equal(t, []storage.ID{alpha.ID}, found, "display name")
	found = accountIDs(try(h.s.Accounts().Search(ctx, "c.exam", 10, 0)).must(t))
	require.Equal(t, []storage.ID{alphaRemote.ID}, found, "domain")
	found = accountIDs(try(h.s.Accounts().Search(ctx, percent.Username, 10, 0)).must(t))
	require.Equal(t, []storage.ID{percent.ID}, found, "exact match with a LIKE metacharacter")
	requireEmpty(t, try(h.s.Accounts().Search(ctx, "no such account", 10, 0)).must(t), "Search with no match")
	page2 := accountIDs(try(h.s.Accounts().Search(ctx, "user", 3, 3)).must(t))
	page1 := accountIDs(try(h.s.Accounts().Search(ctx, "user", 3, 0)).must(t))
	require.Len(t, page1, 3)
	require.Len(t, page2, 3)
	require.NotContains(t, page1, page2[0], "offset pages do not overlap")
}

func testUsers(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	requireEmpty(t, try(h.s.Users().List(ctx, storage.Page{})).must(t), "List on an empty store")
	require.Zero(t, try(h.s.Users().Count(ctx)).must(t))

	newUser := func(t *testing.T, email string) (*storage.Account, *storage.User) {
		t.Helper()
		a := h.local(t, "u")
		u := &storage.User{AccountID: a.ID, Email: email, PasswordHash: "$2a$hash"}
		require.NoError(t, h.s.Users().Create(t.Context(), u))
		return a, u
	}

	var users []*storage.User
	t.Run("CRUD", func(t *testing.T) {
		ctx := t.Context()
		a, u := newUser(t, "Alice@Example.COM")
		users = append(users, u)
		require.NotZero(t, u.ID)
		require.Equal(t, storage.RoleUser, u.Role, "role defaults to user")
		require.Equal(t, storage.VisibilityPublic, u.DefaultVisibility, "default visibility defaults to public")
		require.Equal(t, "Alice@Example.COM", u.Email)

		require.Equal(t, u, try(h.s.Users().Get(ctx, u.ID)).must(t))
		require.Equal(t, u.ID, try(h.s.Users().GetByAccountID(ctx, a.ID)).must(t).ID)
		for _, e := range []string{"alice@example.com", "ALICE@EXAMPLE.COM", "Alice@Example.COM"} {
			got := try(h.s.Users().GetByEmail(ctx, e)).must(t)
			require.Equal(t, u.ID, got.ID, "GetByEmail(%q)", e)
			require.Equal(t, "Alice@Example.COM", got.Email, "email kept as written")
		}

		u.Role = storage.RoleAdmin
		u.Approved = true
		u.ConfirmedAt = ptr(ts(2026, 5, 6, 7, 8, 9, 10))
		u.Locale = "de"
		u.DefaultVisibility = storage.VisibilityUnlisted
		u.Email = "alice@new.example"
		require.NoError(t, h.s.Users().Update(ctx, u))
		got := try(h.s.Users().Get(ctx, u.ID)).must(t)
		require.Equal(t, u, got)
		_, err := h.s.Users().GetByEmail(ctx, "alice@example.com")
		requireNotFound(t, err, "old email after change")
		require.Equal(t, u.ID, try(h.s.Users().GetByEmail(ctx, "ALICE@new.example")).must(t).ID)
	})

	t.Run("Errors", func(t *testing.T) {
		ctx := t.Context()
		a, u := newUser(t, "bob@example.com")
		users = append(users, u)
		other := h.local(t, "other")
		requireConflict(t, h.s.Users().Create(ctx, &storage.User{AccountID: other.ID, Email: "BOB@example.com"}), "duplicate email, other case")
		requireConflict(t, h.s.Users().Create(ctx, &storage.User{AccountID: a.ID, Email: "bob2@example.com"}), "second user for an account")
		requireInvalid(t, h.s.Users().Create(ctx, &storage.User{AccountID: other.ID}), "no email")
		requireInvalid(t, h.s.Users().Create(ctx, &storage.User{Email: "x@example.com"}), "no account")

		_, err := h.s.Users().Get(ctx, h.s.NewID())
		requireNotFound(t, err, "Get")
		_, err = h.s.Users().GetByAccountID(ctx, other.ID)
		requireNotFound(t, err, "GetByAccountID")
		_, err = h.s.Users().GetByEmail(ctx, "nobody@example.com")
		requireNotFound(t, err, "GetByEmail")
		requireNotFound(t, h.s.Users().Update(ctx, &storage.User{ID: h.s.NewID(), AccountID: other.ID, Email: "z@example.com"}), "Update")
	})

	t.Run("List", func(t *testing.T) {
		ctx := t.Context()
		_, u := newUser(t, "carol@example.com")
		users = append(users, u)
		got := try(h.s.Users().List(ctx, storage.Page{})).must(t)
		require.Len(t, got, len(users))
		for i, u := range got {
			require.Equal(t, users[len(users)-1-i].ID, u.ID, "newest first")
		}
		require.Equal(t, int64(len(users)), try(h.s.Users().Count(ctx)).must(t))
		got = try(h.s.Users().List(ctx, storage.Page{MinID: users[0].ID, Limit: 1})).must(t)
		require.Len(t, got, 1)
		require.Equal(t, users[1].ID, got[0].ID)
	})
}
