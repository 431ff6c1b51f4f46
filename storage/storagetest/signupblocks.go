package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunSignUpBlocks checks a backend's EmailDomainBlocks, IPBlocks and
// CanonicalEmailBlocks.
func RunSignUpBlocks(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()

	t.Run("EmailDomainBlocks", func(t *testing.T) {
		s := open(t)
		r := s.EmailDomainBlocks()
		requireEmpty(t, try(r.List(ctx, storage.Page{})).must(t), "no blocks yet")
		b := &storage.EmailDomainBlock{Domain: " Spam.Example "}
		require.NoError(t, r.Create(ctx, b))
		assert.NotZero(t, b.ID)
		assert.Equal(t, "spam.example", b.Domain)
		assert.False(t, b.CreatedAt.IsZero())
		requireConflict(t, r.Create(ctx, &storage.EmailDomainBlock{Domain: "SPAM.example"}), "same domain")
		requireInvalid(t, r.Create(ctx, &storage.EmailDomainBlock{Domain: " "}), "empty domain")
		other := &storage.EmailDomainBlock{Domain: "mail.other.example"}
		require.NoError(t, r.Create(ctx, other))

		got := try(r.Get(ctx, b.ID)).must(t)
		assert.Equal(t, *b, *got)
		_, err := r.Get(ctx, b.ID+999)
		requireNotFound(t, err, "unknown id")

		m := try(r.Matching(ctx, []string{"a.mail.other.example", "Mail.Other.Example", "other.example", "example"})).must(t)
		require.Len(t, m, 1)
		assert.Equal(t, other.ID, m[0].ID)
		m = try(r.Matching(ctx, []string{"spam.example", "mail.other.example"})).must(t)
		require.Len(t, m, 2)
		assert.Equal(t, "mail.other.example", m[0].Domain, "ordered by domain")
		requireEmpty(t, try(r.Matching(ctx, nil)).must(t), "no domains")
		requireEmpty(t, try(r.Matching(ctx, []string{"nope.example"})).must(t), "no match")

		page := try(r.List(ctx, storage.Page{Limit: 1})).must(t)
		require.Len(t, page, 1)
		assert.Equal(t, other.ID, page[0].ID, "newest first")
		page = try(r.List(ctx, storage.Page{MaxID: other.ID})).must(t)
		require.Len(t, page, 1)
		assert.Equal(t, b.ID, page[0].ID)

		require.NoError(t, r.Delete(ctx, b.ID))
		requireNotFound(t, r.Delete(ctx, b.ID), "delete twice")
		require.Len(t, try(r.List(ctx, storage.Page{})).must(t), 1)
	})

	t.Run("IPBlocks", func(t *testing.T) {
		s := open(t)
		r := s.IPBlocks()
		requireEmpty(t, try(r.All(ctx)).must(t), "no blocks yet")
		exp := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
		b := &storage.IPBlock{IP: "192.0.2.77/24", Severity: storage.IPSignUpBlock, Comment: "bots", ExpiresAt: &exp}
		require.NoError(t, r.Create(ctx, b))
		assert.NotZero(t, b.ID)
		assert.Equal(t, "192.0.2.0/24", b.IP, "masked")
		assert.Equal(t, b.CreatedAt, b.UpdatedAt)
		requireConflict(t, r.Create(ctx, &storage.IPBlock{IP: "192.0.2.1/24", Severity: storage.IPNoAccess}), "same range")
		requireInvalid(t, r.Create(ctx, &storage.IPBlock{IP: "not-an-ip", Severity: storage.IPNoAccess}), "bad range")
		requireInvalid(t, r.Create(ctx, &storage.IPBlock{IP: "192.0.2.1/33", Severity: storage.IPNoAccess}), "bad prefix")
		requireInvalid(t, r.Create(ctx, &storage.IPBlock{IP: "198.51.100.1", Severity: "nuke"}), "bad severity")
		one := &storage.IPBlock{IP: "::ffff:198.51.100.1", Severity: storage.IPNoAccess}
		require.NoError(t, r.Create(ctx, one))
		assert.Equal(t, "198.51.100.1/32", one.IP, "a bare mapped address")
		v6 := &storage.IPBlock{IP: "2001:DB8::1/32", Severity: storage.IPSignUpRequiresApproval}
		require.NoError(t, r.Create(ctx, v6))
		assert.Equal(t, "2001:db8::/32", v6.IP)
		assert.Nil(t, v6.ExpiresAt)

		got := try(r.Get(ctx, b.ID)).must(t)
		require.NotNil(t, got.ExpiresAt)
		assert.True(t, exp.Equal(*got.ExpiresAt))
		assert.Equal(t, "bots", got.Comment)
		assert.Equal(t, storage.IPSignUpBlock, got.Severity)
		assert.False(t, got.Expired(time.Now()))
		assert.True(t, got.Expired(exp))
		_, err := r.Get(ctx, b.ID+999)
		requireNotFound(t, err, "unknown id")

		got.IP, got.Severity, got.Comment, got.ExpiresAt = "192.0.2.0/25", storage.IPNoAccess, "", nil
		require.NoError(t, r.Update(ctx, got))
		again := try(r.Get(ctx, b.ID)).must(t)
		assert.Equal(t, "192.0.2.0/25", again.IP)
		assert.Equal(t, storage.IPNoAccess, again.Severity)
		assert.Empty(t, again.Comment)
		assert.Nil(t, again.ExpiresAt)
		assert.False(t, again.UpdatedAt.Before(again.CreatedAt))
		requireInvalid(t, r.Update(ctx, &storage.IPBlock{ID: b.ID, IP: "x", Severity: storage.IPNoAccess}), "update with bad range")
		requireConflict(t, r.Update(ctx, &storage.IPBlock{ID: b.ID, IP: "198.51.100.1", Severity: storage.IPNoAccess}), "update onto another range")
		requireNotFound(t, r.Update(ctx, &storage.IPBlock{ID: b.ID + 999, IP: "203.0.113.0/24", Severity: storage.IPNoAccess}), "update unknown")

		all := try(r.All(ctx)).must(t)
		require.Len(t, all, 3)
		assert.Equal(t, []storage.ID{b.ID, one.ID, v6.ID}, []storage.ID{all[0].ID, all[1].ID, all[2].ID})
		page := try(r.List(ctx, storage.Page{Limit: 2})).must(t)
		require.Len(t, page, 2)
		assert.Equal(t, v6.ID, page[0].ID, "newest first")

		require.NoError(t, r.Delete(ctx, one.ID))
		requireNotFound(t, r.Delete(ctx, one.ID), "delete twice")
		require.Len(t, try(r.All(ctx)).must(t), 2)
	})

	t.Run("CanonicalEmailBlocks", func(t *testing.T) {
		s := open(t)
		r := s.CanonicalEmailBlocks()
		requireEmpty(t, try(r.List(ctx, storage.Page{})).must(t), "no blocks yet")
		h := strings.Repeat("ab", 32)
		b := &storage.CanonicalEmailBlock{CanonicalEmailHash: strings.ToUpper(h)}
		require.NoError(t, r.Create(ctx, b))
		assert.Equal(t, h, b.CanonicalEmailHash)
		assert.NotZero(t, b.ID)
		requireConflict(t, r.Create(ctx, &storage.CanonicalEmailBlock{CanonicalEmailHash: h}), "same hash")
		requireInvalid(t, r.Create(ctx, &storage.CanonicalEmailBlock{CanonicalEmailHash: "abc"}), "short hash")
		requireInvalid(t, r.Create(ctx, &storage.CanonicalEmailBlock{CanonicalEmailHash: strings.Repeat("zz", 32)}), "not hex")
		other := &storage.CanonicalEmailBlock{CanonicalEmailHash: strings.Repeat("01", 32)}
		require.NoError(t, r.Create(ctx, other))

		got := try(r.Get(ctx, b.ID)).must(t)
		assert.Equal(t, *b, *got)
		found := try(r.ByHash(ctx, strings.ToUpper(h))).must(t)
		require.Len(t, found, 1)
		assert.Equal(t, b.ID, found[0].ID)
		requireEmpty(t, try(r.ByHash(ctx, strings.Repeat("ff", 32))).must(t), "unknown hash")

		page := try(r.List(ctx, storage.Page{Limit: 1})).must(t)
		require.Len(t, page, 1)
		assert.Equal(t, other.ID, page[0].ID, "newest first")

		require.NoError(t, r.Delete(ctx, b.ID))
		requireNotFound(t, r.Delete(ctx, b.ID), "delete twice")
		_, err := r.Get(ctx, b.ID)
		requireNotFound(t, err, "deleted")
	})
}
