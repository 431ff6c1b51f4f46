package social_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func TestCanonicalEmail(t *testing.T) {
	for in, want := range map[string]string{
		"J.Doe+news@Example.COM":   "jdoe@example.com",
		"jdoe@example.com":         "jdoe@example.com",
		" a.b.c+x+y@gmail.com ":    "abc@gmail.com",
		"plain":                    "plain@",
		"first.last@sub.host.test": "firstlast@sub.host.test",
	} {
		assert.Equal(t, want, social.CanonicalEmail(in), in)
	}
	sum := sha256.Sum256([]byte("jdoe@example.com"))
	assert.Equal(t, hex.EncodeToString(sum[:]), social.CanonicalEmailHash("J.Doe+x@example.com"))
}

func TestIPRules(t *testing.T) {
	now := time.Now()
	past := now.Add(-time.Minute)
	rules := social.CompileIPBlocks([]*storage.IPBlock{
		{IP: "192.0.2.0/24", Severity: storage.IPSignUpRequiresApproval},
		{IP: "192.0.2.128/25", Severity: storage.IPSignUpBlock},
		{IP: "198.51.100.7/32", Severity: storage.IPNoAccess, ExpiresAt: &past},
		{IP: "2001:db8::/32", Severity: storage.IPNoAccess},
		{IP: "garbage", Severity: storage.IPNoAccess},
	})
	assert.Equal(t, 4, rules.Len(), "malformed ranges skipped")
	for addr, want := range map[string]storage.IPBlockSeverity{
		"192.0.2.1":          storage.IPSignUpRequiresApproval,
		"192.0.2.200":        storage.IPSignUpBlock,
		"::ffff:192.0.2.200": storage.IPSignUpBlock,
		"198.51.100.7":       "",
		"2001:db8::1":        storage.IPNoAccess,
		"203.0.113.1":        "",
	} {
		assert.Equal(t, want, rules.Severity(netip.MustParseAddr(addr), now), addr)
	}
	assert.Empty(t, rules.Severity(netip.Addr{}, now))
	assert.Empty(t, social.IPRules{}.Severity(netip.MustParseAddr("192.0.2.1"), now))
}

func TestSignUpBlocks(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	adm := e.staffer("adm", storage.RoleAdmin)

	_, err := e.svc.CreateEmailDomainBlock(e.ctx, mod, "spam.example")
	require.ErrorIs(t, err, social.ErrForbidden, "moderators may not")
	_, err = e.svc.CreateIPBlock(e.ctx, mod, social.IPBlockParams{})
	require.ErrorIs(t, err, social.ErrForbidden)
	_, err = e.svc.CreateCanonicalEmailBlock(e.ctx, mod, "x@example.com", "")
	require.ErrorIs(t, err, social.ErrForbidden)

	edb, err := e.svc.CreateEmailDomainBlock(e.ctx, adm, "Spam.Example")
	require.NoError(t, err)
	assert.Equal(t, "spam.example", edb.Domain)
	_, err = e.svc.CreateEmailDomainBlock(e.ctx, adm, "spam.example")
	var ve *social.ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, "domain", ve.Field)
	assert.Equal(t, "has already been taken", ve.Message)

	ceb, err := e.svc.CreateCanonicalEmailBlock(e.ctx, adm, "Bad.Guy+1@mail.test", "")
	require.NoError(t, err)
	assert.Equal(t, social.CanonicalEmailHash("badguy@mail.test"), ceb.CanonicalEmailHash)
	got, err := e.svc.TestCanonicalEmailBlocks(e.ctx, adm, "badguy+other@MAIL.test")
	require.NoError(t, err)
	require.Len(t, got, 1)

	ip, sev, week := "192.0.2.0/24", storage.IPSignUpRequiresApproval, 7*24*time.Hour
	ipb, err := e.svc.CreateIPBlock(e.ctx, adm, social.IPBlockParams{IP: &ip, Severity: &sev, ExpiresIn: &week})
	require.NoError(t, err)
	require.NotNil(t, ipb.ExpiresAt)
	bad := "300.1.1.1"
	_, err = e.svc.UpdateIPBlock(e.ctx, adm, ipb.ID, social.IPBlockParams{IP: &bad})
	require.ErrorIs(t, err, social.ErrInvalid)

	ctx, st, now := e.ctx, e.store, time.Now()
	approval, err := social.CheckSignUp(ctx, st, "ok@fine.example", netip.MustParseAddr("192.0.2.9"), now)
	require.NoError(t, err)
	assert.True(t, approval)
	approval, err = social.CheckSignUp(ctx, st, "ok@fine.example", netip.MustParseAddr("203.0.113.9"), now)
	require.NoError(t, err)
	assert.False(t, approval)
	for _, email := range []string{"x@spam.example", "x@deep.sub.SPAM.example", "bad.guy@mail.test", "badguy+zzz@mail.test"} {
		_, err = social.CheckSignUp(ctx, st, email, netip.Addr{}, now)
		require.True(t, errors.As(err, &ve), email)
		assert.Equal(t, "email", ve.Field)
		assert.Equal(t, "uses a disallowed e-mail provider", ve.Message)
	}
	_, err = social.CheckSignUp(ctx, st, "x@notspam.example", netip.Addr{}, now)
	require.NoError(t, err, "a sibling domain is not a subdomain")

	blk := storage.IPSignUpBlock
	_, err = e.svc.UpdateIPBlock(e.ctx, adm, ipb.ID, social.IPBlockParams{Severity: &blk, NoExpiry: true})
	require.NoError(t, err)
	_, err = social.CheckSignUp(ctx, st, "ok@fine.example", netip.MustParseAddr("192.0.2.9"), now)
	require.ErrorIs(t, err, social.ErrSignUpIPBlocked)
	require.ErrorIs(t, err, social.ErrForbidden)

	_, err = e.svc.DeleteIPBlock(e.ctx, adm, ipb.ID)
	require.NoError(t, err)
	_, err = e.svc.DeleteEmailDomainBlock(e.ctx, adm, edb.ID)
	require.NoError(t, err)
	_, err = e.svc.DeleteCanonicalEmailBlock(e.ctx, adm, ceb.ID)
	require.NoError(t, err)
	_, err = e.svc.DeleteCanonicalEmailBlock(e.ctx, adm, ceb.ID)
	require.ErrorIs(t, err, social.ErrNotFound)
	assert.ElementsMatch(t, []string{"email_domain_block.create", "canonical_email_block.create", "ip_block.create", "ip_block.update",
		"ip_block.delete", "email_domain_block.delete", "canonical_email_block.delete"}, e.audit())
}

func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range []string{"J.Doe+x@Example.com", "@", "a@b@c", "+@.", "ÄÖ.ü+1@Ünï.test", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := social.CanonicalEmail(s)
		if social.CanonicalEmail(c) != c {
			t.Fatalf("%q → %q is not stable", s, c)
		}
		if len(social.CanonicalEmailHash(s)) != 64 {
			t.Fatal("hash length")
		}
	})
}

// BenchmarkIPRulesSeverity measures the no_access check of one request
// against n IP blocks (a linear scan).
func BenchmarkIPRulesSeverity(b *testing.B) {
	for _, n := range []int{0, 10, 1000} {
		bs := make([]*storage.IPBlock, n)
		for i := range bs {
			bs[i] = &storage.IPBlock{IP: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24).String(),
				Severity: storage.IPNoAccess}
		}
		rules := social.CompileIPBlocks(bs)
		addr, now := netip.MustParseAddr("203.0.113.9"), time.Now()
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if rules.Severity(addr, now) != "" {
					b.Fatal("matched")
				}
			}
		})
	}
}
