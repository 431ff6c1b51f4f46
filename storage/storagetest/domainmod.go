package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunDomainModeration checks a backend's InstanceDomainBlocks,
// DomainAllows and Severances.
func RunDomainModeration(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()

	t.Run("InstanceDomainBlocks", func(t *testing.T) {
		s := open(t)
		r := s.InstanceDomainBlocks()
		requireEmpty(t, try(r.All(ctx)).must(t), "no blocks yet")
		b := &storage.InstanceDomainBlock{Domain: " Evil.Example ", Severity: storage.SeveritySuspend, RejectMedia: true,
			PrivateComment: "spam wave", PublicComment: "spam", Obfuscate: true}
		require.NoError(t, r.Create(ctx, b))
		assert.NotZero(t, b.ID)
		assert.Equal(t, "evil.example", b.Domain)
		assert.False(t, b.CreatedAt.IsZero())
		assert.Equal(t, b.CreatedAt, b.UpdatedAt)
		requireConflict(t, r.Create(ctx, &storage.InstanceDomainBlock{Domain: "EVIL.example"}), "same domain")
		requireInvalid(t, r.Create(ctx, &storage.InstanceDomainBlock{Domain: " "}), "empty domain")
		requireInvalid(t, r.Create(ctx, &storage.InstanceDomainBlock{Domain: "x.example", Severity: "nuke"}), "bad severity")
		quiet := &storage.InstanceDomainBlock{Domain: "quiet.example"}
		require.NoError(t, r.Create(ctx, quiet))
		assert.Equal(t, storage.SeveritySilence, quiet.Severity, "default severity")

		got := try(r.Get(ctx, b.ID)).must(t)
		assert.Equal(t, *b, *got)
		got = try(r.GetByDomain(ctx, "EVIL.EXAMPLE")).must(t)
		assert.Equal(t, b.ID, got.ID)
		_, err := r.GetByDomain(ctx, "sub.evil.example")
		requireNotFound(t, err, "subdomain is not an exact match")
		_, err = r.Get(ctx, b.ID+999)
		requireNotFound(t, err, "unknown id")

		got.Severity, got.RejectMedia, got.RejectReports, got.PublicComment, got.Obfuscate = storage.SeveritySilence, false, true, "", false
		require.NoError(t, r.Update(ctx, got))
		again := try(r.Get(ctx, b.ID)).must(t)
		assert.Equal(t, storage.SeveritySilence, again.Severity)
		assert.False(t, again.RejectMedia)
		assert.True(t, again.RejectReports)
		assert.Equal(t, "spam wave", again.PrivateComment)
		assert.Empty(t, again.PublicComment)
		assert.Equal(t, "evil.example", again.Domain)
		assert.False(t, again.UpdatedAt.Before(again.CreatedAt))
		requireInvalid(t, r.Update(ctx, &storage.InstanceDomainBlock{ID: b.ID, Severity: "bad"}), "update with bad severity")
		requireNotFound(t, r.Update(ctx, &storage.InstanceDomainBlock{ID: b.ID + 999, Severity: storage.SeverityNoop}), "update unknown")

		all := try(r.All(ctx)).must(t)
		require.Len(t, all, 2)
		assert.Equal(t, "evil.example", all[0].Domain)
		assert.Equal(t, "quiet.example", all[1].Domain)
		page := try(r.List(ctx, storage.Page{Limit: 1})).must(t)
		require.Len(t, page, 1)
		assert.Equal(t, quiet.ID, page[0].ID, "newest first")
		page = try(r.List(ctx, storage.Page{MaxID: quiet.ID})).must(t)
		require.Len(t, page, 1)
		assert.Equal(t, b.ID, page[0].ID)

		require.NoError(t, r.Delete(ctx, b.ID))
		requireNotFound(t, r.Delete(ctx, b.ID), "delete twice")
		require.Len(t, try(r.All(ctx)).must(t), 1)
	})

	t.Run("DomainAllows", func(t *testing.T) {
		s := open(t)
		r := s.DomainAllows()
		requireEmpty(t, try(r.List(ctx, storage.Page{})).must(t), "no allows yet")
		a := &storage.DomainAllow{Domain: "Friends.Example"}
		require.NoError(t, r.Create(ctx, a))
		assert.Equal(t, "friends.example", a.Domain)
		requireConflict(t, r.Create(ctx, &storage.DomainAllow{Domain: "friends.example"}), "same domain")
		requireInvalid(t, r.Create(ctx, &storage.DomainAllow{}), "empty domain")
		b := &storage.DomainAllow{Domain: "a.example"}
		require.NoError(t, r.Create(ctx, b))
		assert.Equal(t, a.CreatedAt, try(r.Get(ctx, a.ID)).must(t).CreatedAt)
		assert.Equal(t, a.ID, try(r.GetByDomain(ctx, "FRIENDS.example")).must(t).ID)
		all := try(r.All(ctx)).must(t)
		require.Len(t, all, 2)
		assert.Equal(t, "a.example", all[0].Domain)
		assert.Equal(t, []storage.ID{b.ID, a.ID}, []storage.ID{try(r.List(ctx, storage.Page{})).must(t)[0].ID, a.ID})
		require.NoError(t, r.Delete(ctx, a.ID))
		requireNotFound(t, r.Delete(ctx, a.ID), "delete twice")
		_, err := r.Get(ctx, a.ID)
		requireNotFound(t, err, "deleted")
	})

	t.Run("Severances", func(t *testing.T) {
		s := open(t)
		alice, bob := modAccount(t, s, ""), modAccount(t, s, "")
		r := s.Severances()
		requireInvalid(t, r.Create(ctx, &storage.RelationshipSeveranceEvent{Type: "oops", TargetName: "x"}, nil), "bad type")
		requireInvalid(t, r.Create(ctx, &storage.RelationshipSeveranceEvent{Type: storage.SeveranceDomainBlock}, nil), "no target")
		e := &storage.RelationshipSeveranceEvent{Type: storage.SeveranceDomainBlock, TargetName: "evil.example"}
		rows := []*storage.AccountSeverance{
			{AccountID: alice.ID, FollowersCount: 3, FollowingCount: 1},
			{AccountID: bob.ID}, // nothing lost: skipped
		}
		require.NoError(t, r.Create(ctx, e, rows))
		assert.NotZero(t, e.ID)
		assert.NotZero(t, rows[0].ID)
		assert.Equal(t, e.ID, rows[0].EventID)
		got := try(r.GetEvent(ctx, e.ID)).must(t)
		assert.Equal(t, *e, *got)
		row := try(r.Get(ctx, alice.ID, e.ID)).must(t)
		assert.Equal(t, *rows[0], *row)
		assert.Equal(t, storage.SeveranceDomainBlock, row.Type)
		assert.Equal(t, "evil.example", row.TargetName)
		_, err := r.Get(ctx, bob.ID, e.ID)
		requireNotFound(t, err, "row with nothing lost")
		requireEmpty(t, try(r.ForAccount(ctx, bob.ID, storage.Page{})).must(t), "bob lost nothing")

		e2 := &storage.RelationshipSeveranceEvent{Type: storage.SeveranceAccountSuspension, TargetName: "troll@bad.example"}
		require.NoError(t, r.Create(ctx, e2, []*storage.AccountSeverance{{AccountID: alice.ID, FollowingCount: 1}}))
		list := try(r.ForAccount(ctx, alice.ID, storage.Page{})).must(t)
		require.Len(t, list, 2)
		assert.Equal(t, e2.ID, list[0].EventID, "newest first")
		assert.Equal(t, "troll@bad.example", list[0].TargetName)
		list = try(r.ForAccount(ctx, alice.ID, storage.Page{MinID: list[1].ID})).must(t)
		require.Len(t, list, 1)
		assert.Equal(t, e2.ID, list[0].EventID)
		_, err = r.GetEvent(ctx, e2.ID+999)
		requireNotFound(t, err, "unknown event")

		modAccount(t, s, "evil.example")
		modAccount(t, s, "a.evil.example")
		modAccount(t, s, "a.evil.example")
		modAccount(t, s, "notevil.example")
		modAccount(t, s, "evil_example") // '_' is not a LIKE wildcard here
		doms := try(r.AccountDomains(ctx, "EVIL.example")).must(t)
		assert.Equal(t, []string{"a.evil.example", "evil.example"}, doms)
		requireEmpty(t, try(r.AccountDomains(ctx, "nobody.example")).must(t), "no accounts")
		requireEmpty(t, try(r.AccountDomains(ctx, "")).must(t), "empty domain")
	})
}
