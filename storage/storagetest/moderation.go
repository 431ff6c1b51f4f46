package storagetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

var modSeq atomic.Int64

// modAccount creates an account for the moderation tests.
func modAccount(t *testing.T, s storage.Store, domain string) *storage.Account {
	t.Helper()
	n := modSeq.Add(1)
	name := fmt.Sprintf("mod%d", n)
	a := &storage.Account{Username: name, Domain: domain, URI: fmt.Sprintf("https://%s/users/%s", or(domain, "local.example"), name)}
	require.NoError(t, s.Accounts().Create(context.Background(), a))
	return a
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// RunModeration checks a backend's Blocks, Mutes, DomainBlocks and Queries.
func RunModeration(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()

	t.Run("Blocks", func(t *testing.T) {
		s := open(t)
		a, b, c := modAccount(t, s, ""), modAccount(t, s, ""), modAccount(t, s, "remote.example")
		bl := &storage.Block{AccountID: a.ID, TargetAccountID: b.ID, URI: "https://local.example/blocks/1"}
		require.NoError(t, s.Blocks().Create(ctx, bl))
		assert.NotZero(t, bl.ID)
		assert.False(t, bl.CreatedAt.IsZero())
		err := s.Blocks().Create(ctx, &storage.Block{AccountID: a.ID, TargetAccountID: b.ID})
		assert.ErrorIs(t, err, storage.ErrConflict)
		assert.ErrorIs(t, s.Blocks().Create(ctx, &storage.Block{AccountID: a.ID}), storage.ErrInvalid)
		require.NoError(t, s.Blocks().Create(ctx, &storage.Block{AccountID: c.ID, TargetAccountID: a.ID}))
		require.NoError(t, s.Blocks().Create(ctx, &storage.Block{AccountID: a.ID, TargetAccountID: c.ID}))

		got, err := s.Blocks().Get(ctx, a.ID, b.ID)
		require.NoError(t, err)
		assert.Equal(t, bl.ID, got.ID)
		assert.Equal(t, bl.CreatedAt, got.CreatedAt)
		got, err = s.Blocks().GetByURI(ctx, "https://local.example/blocks/1")
		require.NoError(t, err)
		assert.Equal(t, bl.ID, got.ID)
		_, err = s.Blocks().GetByURI(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = s.Blocks().Get(ctx, b.ID, a.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		states, err := s.Blocks().States(ctx, a.ID, []storage.ID{b.ID, c.ID, a.ID})
		require.NoError(t, err)
		assert.Equal(t, storage.BlockState{Blocking: true}, states[b.ID])
		assert.Equal(t, storage.BlockState{Blocking: true, BlockedBy: true}, states[c.ID])
		assert.Equal(t, storage.BlockState{}, states[a.ID])
		states, err = s.Blocks().States(ctx, b.ID, []storage.ID{a.ID})
		require.NoError(t, err)
		assert.Equal(t, storage.BlockState{BlockedBy: true}, states[a.ID])
		empty, err := s.Blocks().States(ctx, a.ID, nil)
		require.NoError(t, err)
		assert.NotNil(t, empty)

		blockers, err := s.Blocks().BlockerIDs(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{c.ID}, blockers)
		none, err := s.Blocks().BlockerIDs(ctx, b.ID+1000)
		require.NoError(t, err)
		assert.NotNil(t, none)
		assert.Empty(t, none)

		list, err := s.Blocks().List(ctx, a.ID, storage.Page{})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Greater(t, list[0].ID, list[1].ID, "newest first")
		page, err := s.Blocks().List(ctx, a.ID, storage.Page{Limit: 1, MaxID: list[0].ID})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, list[1].ID, page[0].ID)

		require.NoError(t, s.Blocks().Delete(ctx, a.ID, b.ID))
		assert.ErrorIs(t, s.Blocks().Delete(ctx, a.ID, b.ID), storage.ErrNotFound)
		list, err = s.Blocks().List(ctx, b.ID, storage.Page{})
		require.NoError(t, err)
		assert.NotNil(t, list)
		assert.Empty(t, list)
	})

	t.Run("Mutes", func(t *testing.T) {
		s := open(t)
		a, b, c, d := modAccount(t, s, ""), modAccount(t, s, ""), modAccount(t, s, ""), modAccount(t, s, "")
		m := &storage.Mute{AccountID: a.ID, TargetAccountID: b.ID, HideNotifications: true}
		require.NoError(t, s.Mutes().Create(ctx, m))
		first := m.ID
		require.NotZero(t, first)
		// Muting again updates the options and keeps the ID.
		future := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
		m2 := &storage.Mute{AccountID: a.ID, TargetAccountID: b.ID, HideNotifications: false, ExpiresAt: &future}
		require.NoError(t, s.Mutes().Create(ctx, m2))
		assert.Equal(t, first, m2.ID)
		got, err := s.Mutes().Get(ctx, a.ID, b.ID)
		require.NoError(t, err)
		assert.False(t, got.HideNotifications)
		require.NotNil(t, got.ExpiresAt)
		assert.True(t, got.ExpiresAt.Equal(future))

		past := time.Now().Add(-time.Hour)
		require.NoError(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: a.ID, TargetAccountID: c.ID, HideNotifications: true, ExpiresAt: &past}))
		require.NoError(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: d.ID, TargetAccountID: b.ID, HideNotifications: true}))
		assert.ErrorIs(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: a.ID}), storage.ErrInvalid)

		states, err := s.Mutes().States(ctx, a.ID, []storage.ID{b.ID, c.ID, d.ID})
		require.NoError(t, err)
		require.Contains(t, states, b.ID)
		assert.NotContains(t, states, c.ID, "expired mutes do not apply")
		assert.NotContains(t, states, d.ID)

		muters, err := s.Mutes().MuterIDs(ctx, b.ID, false)
		require.NoError(t, err)
		assert.ElementsMatch(t, []storage.ID{a.ID, d.ID}, muters)
		muters, err = s.Mutes().MuterIDs(ctx, b.ID, true)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{d.ID}, muters)
		muters, err = s.Mutes().MuterIDs(ctx, c.ID, false)
		require.NoError(t, err)
		assert.Empty(t, muters)

		list, err := s.Mutes().List(ctx, a.ID, storage.Page{})
		require.NoError(t, err)
		require.Len(t, list, 1, "expired mutes are not listed")
		assert.Equal(t, b.ID, list[0].TargetAccountID)

		n, err := s.Mutes().DeleteExpired(ctx, time.Now())
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		_, err = s.Mutes().Get(ctx, a.ID, c.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		require.NoError(t, s.Mutes().Delete(ctx, a.ID, b.ID))
		assert.ErrorIs(t, s.Mutes().Delete(ctx, a.ID, b.ID), storage.ErrNotFound)
	})

	t.Run("DomainBlocks", func(t *testing.T) {
		s := open(t)
		a, b := modAccount(t, s, ""), modAccount(t, s, "")
		require.NoError(t, s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: a.ID, Domain: "Spam.Example"}))
		require.NoError(t, s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: a.ID, Domain: "b.example"}))
		assert.ErrorIs(t, s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: a.ID, Domain: "spam.example"}), storage.ErrConflict)
		assert.ErrorIs(t, s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: a.ID, Domain: " "}), storage.ErrInvalid)
		ok, err := s.DomainBlocks().Blocking(ctx, a.ID, "SPAM.example")
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = s.DomainBlocks().Blocking(ctx, b.ID, "spam.example")
		require.NoError(t, err)
		assert.False(t, ok)
		doms, err := s.DomainBlocks().Domains(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"b.example", "spam.example"}, doms)
		doms, err = s.DomainBlocks().Domains(ctx, b.ID)
		require.NoError(t, err)
		assert.NotNil(t, doms)
		list, err := s.DomainBlocks().List(ctx, a.ID, storage.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "b.example", list[0].Domain)
		require.NoError(t, s.DomainBlocks().Delete(ctx, a.ID, "SPAM.EXAMPLE"))
		assert.ErrorIs(t, s.DomainBlocks().Delete(ctx, a.ID, "spam.example"), storage.ErrNotFound)
	})

	t.Run("Audience", func(t *testing.T) {
		s := open(t)
		author := modAccount(t, s, "")
		other := modAccount(t, s, "")
		remoteAuthor := modAccount(t, s, "far.example")
		plain, noBoosts, notify, blocker, muter, expiredMuter, bothSides, domainBlocker := modAccount(t, s, ""),
			modAccount(t, s, ""), modAccount(t, s, ""), modAccount(t, s, ""), modAccount(t, s, ""), modAccount(t, s, ""),
			modAccount(t, s, ""), modAccount(t, s, "")
		remoteFollower := modAccount(t, s, "remote.example")
		follow := func(a, target *storage.Account, reblogs, notify bool) {
			require.NoError(t, s.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: target.ID, ShowReblogs: reblogs, Notify: notify}))
		}
		for _, f := range []*storage.Account{plain, blocker, muter, expiredMuter, bothSides, remoteFollower} {
			follow(f, author, true, false)
		}
		follow(noBoosts, author, false, false)
		follow(notify, author, true, true)
		follow(bothSides, other, true, false)
		require.NoError(t, s.Blocks().Create(ctx, &storage.Block{AccountID: blocker.ID, TargetAccountID: author.ID}))
		require.NoError(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: muter.ID, TargetAccountID: author.ID}))
		past := time.Now().Add(-time.Minute)
		require.NoError(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: expiredMuter.ID, TargetAccountID: author.ID, ExpiresAt: &past}))

		ids, err := s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID})
		require.NoError(t, err)
		assert.ElementsMatch(t, []storage.ID{plain.ID, noBoosts.ID, notify.ID, expiredMuter.ID, bothSides.ID}, ids)
		ids, err = s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, ShowingReblogs: true})
		require.NoError(t, err)
		assert.ElementsMatch(t, []storage.ID{plain.ID, notify.ID, expiredMuter.ID, bothSides.ID}, ids)
		ids, err = s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, Notifying: true})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{notify.ID}, ids)
		ids, err = s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, AlsoFollowing: other.ID})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{bothSides.ID}, ids)
		// The replied-to account itself is kept when it follows the author.
		ids, err = s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, AlsoFollowing: notify.ID})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{notify.ID}, ids)
		// Exclude: followers blocking or muting another account drop out too.
		require.NoError(t, s.Blocks().Create(ctx, &storage.Block{AccountID: plain.ID, TargetAccountID: other.ID}))
		ids, err = s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, Exclude: []storage.ID{other.ID}})
		require.NoError(t, err)
		assert.ElementsMatch(t, []storage.ID{noBoosts.ID, notify.ID, expiredMuter.ID, bothSides.ID}, ids)

		follow(domainBlocker, remoteAuthor, true, false)
		follow(plain, remoteAuthor, true, false)
		require.NoError(t, s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: domainBlocker.ID, Domain: "far.example"}))
		ids, err = s.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: remoteAuthor.ID, AuthorDomain: "FAR.example"})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{plain.ID}, ids)

		_, err = s.Queries().Audience(ctx, storage.AudienceQuery{})
		assert.ErrorIs(t, err, storage.ErrInvalid)
	})

	t.Run("Search", func(t *testing.T) {
		s := open(t)
		a := modAccount(t, s, "")
		hidden := modAccount(t, s, "")
		a.Indexable = true
		require.NoError(t, s.Accounts().Update(ctx, a))
		viewer := modAccount(t, s, "")
		post := func(by *storage.Account, text string, vis storage.Visibility, tags ...string) *storage.Status {
			st := &storage.Status{AccountID: by.ID, URI: fmt.Sprintf("https://local.example/s/%d", modSeq.Add(1)), Text: text,
				Content: "<p>" + text + "</p>", Visibility: vis, Tags: tags, Local: true}
			require.NoError(t, s.Statuses().Create(ctx, st))
			return st
		}
		p1 := post(a, "Gophers love Go", storage.VisibilityPublic, "golang", "go")
		post(a, "secret gophers", storage.VisibilityPrivate, "golang")
		post(hidden, "gophers hidden", storage.VisibilityPublic, "gopher")
		own := post(viewer, "my private gophers 100%", storage.VisibilityPrivate, "golang")

		tags, err := s.Queries().SearchTags(ctx, "#Go", 10, 0)
		require.NoError(t, err)
		require.Len(t, tags, 3)
		assert.Equal(t, storage.TagUse{Name: "go", Uses: 1}, tags[0], "exact match first")
		assert.Equal(t, storage.TagUse{Name: "golang", Uses: 3}, tags[1], "then the most used")
		assert.Equal(t, "gopher", tags[2].Name)
		tags, err = s.Queries().SearchTags(ctx, "go", 1, 1)
		require.NoError(t, err)
		require.Len(t, tags, 1)
		assert.Equal(t, "golang", tags[0].Name)
		tags, err = s.Queries().SearchTags(ctx, "%", 10, 0)
		require.NoError(t, err)
		assert.Empty(t, tags, "wildcards are literal")

		sts, err := s.Queries().SearchStatuses(ctx, storage.StatusSearch{Query: "GOPHERS", ViewerID: viewer.ID}, 10, 0)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{own.ID, p1.ID}, []storage.ID{sts[0].ID, sts[1].ID})
		assert.Len(t, sts, 2, "private statuses of others and unindexable accounts are not searched")
		sts, err = s.Queries().SearchStatuses(ctx, storage.StatusSearch{Query: "100%", ViewerID: viewer.ID}, 10, 0)
		require.NoError(t, err)
		assert.Len(t, sts, 1)
		sts, err = s.Queries().SearchStatuses(ctx, storage.StatusSearch{Query: "gophers", ViewerID: viewer.ID, AccountID: a.ID}, 10, 0)
		require.NoError(t, err)
		assert.Len(t, sts, 1)
		sts, err = s.Queries().SearchStatuses(ctx, storage.StatusSearch{Query: "", ViewerID: viewer.ID}, 10, 0)
		require.NoError(t, err)
		assert.NotNil(t, sts)
		assert.Empty(t, sts)
	})
}
