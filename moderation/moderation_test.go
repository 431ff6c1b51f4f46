package moderation_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

func openStore(t testing.TB) storage.Store {
	s, err := sqlite.Open(context.Background(), t.TempDir()+"/herd.db", nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func block(t testing.TB, s storage.Store, domain string, sev storage.DomainSeverity, mods ...func(*storage.InstanceDomainBlock)) *storage.InstanceDomainBlock {
	b := &storage.InstanceDomainBlock{Domain: domain, Severity: sev}
	for _, m := range mods {
		m(b)
	}
	require.NoError(t, s.InstanceDomainBlocks().Create(context.Background(), b))
	return b
}

func TestDomainsMatching(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	block(t, s, "evil.example", storage.SeveritySuspend)
	block(t, s, "ok.evil.example", storage.SeverityNoop, func(b *storage.InstanceDomainBlock) { b.RejectReports = true })
	block(t, s, "loud.example", storage.SeveritySilence, func(b *storage.InstanceDomainBlock) { b.RejectMedia = true })
	block(t, s, "127.0.0.1:8443", storage.SeveritySuspend)
	d := moderation.NewDomains(s, &moderation.DomainsOptions{LocalDomain: "herd.example"})

	assert.True(t, d.Suspended(ctx, "evil.example"))
	assert.True(t, d.Suspended(ctx, "EVIL.example"))
	assert.True(t, d.Suspended(ctx, "a.b.evil.example"), "subdomains are covered")
	assert.True(t, d.Suspended(ctx, "evil.example:443"), "a port does not escape the block")
	assert.False(t, d.Suspended(ctx, "notevil.example"), "a suffix that is not a parent domain does not match")
	assert.False(t, d.Suspended(ctx, "ok.evil.example"), "the most specific block applies")
	assert.True(t, d.RejectsReports(ctx, "x.ok.evil.example"))
	assert.True(t, d.Silenced(ctx, "loud.example"))
	assert.False(t, d.Suspended(ctx, "loud.example"))
	assert.True(t, d.RejectsMedia(ctx, "cdn.loud.example"))
	assert.True(t, d.RejectsMedia(ctx, "evil.example"), "a suspended domain's media are rejected too")
	assert.False(t, d.RejectsMedia(ctx, "fine.example"))
	assert.True(t, d.HostBlocked(ctx, "127.0.0.1:8443"))
	assert.False(t, d.HostBlocked(ctx, "127.0.0.1:8444"))
	assert.False(t, d.Suspended(ctx, ""))
	assert.False(t, d.Suspended(ctx, "herd.example"))
	assert.Nil(t, d.Block(ctx, "fine.example"))
	assert.Equal(t, "ok.evil.example", d.Block(ctx, "ok.evil.example").Domain)
}

func TestDomainsAllowList(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	require.NoError(t, s.DomainAllows().Create(ctx, &storage.DomainAllow{Domain: "friends.example"}))
	block(t, s, "bad.friends.example", storage.SeveritySuspend)
	d := moderation.NewDomains(s, &moderation.DomainsOptions{AllowList: true, LocalDomain: "herd.example"})
	assert.False(t, d.Suspended(ctx, "friends.example"))
	assert.False(t, d.Suspended(ctx, "a.friends.example"))
	assert.True(t, d.Suspended(ctx, "bad.friends.example"), "a block still applies inside the allow-list")
	assert.True(t, d.Suspended(ctx, "stranger.example"))
	assert.False(t, d.Suspended(ctx, "herd.example"))
	assert.False(t, moderation.NewDomains(s, nil).Suspended(ctx, "stranger.example"), "allow-list off")
}

func TestDomainsStalenessAndReload(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := &clock{t: time.Now()}
	d := moderation.NewDomains(s, &moderation.DomainsOptions{TTL: 5 * time.Second, Now: c.now})
	other := moderation.NewDomains(s, &moderation.DomainsOptions{TTL: 5 * time.Second, Now: c.now}) // another process
	assert.False(t, d.Suspended(ctx, "evil.example"))
	assert.False(t, other.Suspended(ctx, "evil.example"))

	b := block(t, s, "evil.example", storage.SeveritySuspend)
	require.NoError(t, d.Reload(ctx))
	assert.True(t, d.Suspended(ctx, "evil.example"), "the writing process sees its change at once")
	assert.False(t, other.Suspended(ctx, "evil.example"), "others within the TTL still use their snapshot")
	c.add(5 * time.Second)
	assert.True(t, other.Suspended(ctx, "evil.example"), "and see it once the TTL has passed")

	require.NoError(t, s.InstanceDomainBlocks().Delete(ctx, b.ID))
	require.NoError(t, d.Reload(ctx))
	assert.False(t, d.Suspended(ctx, "evil.example"))
}

func TestDomainsStorageFailureKeepsSnapshot(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	block(t, s, "evil.example", storage.SeveritySuspend)
	c := &clock{t: time.Now()}
	d := moderation.NewDomains(s, &moderation.DomainsOptions{Now: c.now})
	require.True(t, d.Suspended(ctx, "evil.example"))
	require.NoError(t, s.Close())
	c.add(time.Minute)
	assert.True(t, d.Suspended(ctx, "evil.example"), "the last good snapshot is kept")
}

func TestObfuscateAndDigest(t *testing.T) {
	assert.Equal(t, "exa****.*om", moderation.ObfuscateDomain("example.com"))
	assert.Equal(t, "a.*", moderation.ObfuscateDomain("a.b"))
	assert.Equal(t, "", moderation.ObfuscateDomain(""))
	got := moderation.ObfuscateDomain("spam.bad.example.org")
	assert.Len(t, got, len("spam.bad.example.org"))
	assert.True(t, strings.HasPrefix(got, "spam."))
	assert.Contains(t, got, "*")
	assert.Equal(t, "a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947", moderation.DomainDigest("example.com"))
}

// post builds a Create of a Note by a remote account on domain.
func post(domain string, mods ...func(*ap.Object)) (*ap.Object, *storage.Account) {
	actor := "https://" + domain + "/users/u"
	note := &ap.Object{ID: actor + "/statuses/1", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(actor)}, Content: "<p>hello world</p>", To: []string{ap.Public}}
	for _, m := range mods {
		m(note)
	}
	act := &ap.Object{ID: actor + "/activities/1", Type: ap.TypeCreate, Actor: ap.IRIRef(actor), Object: ap.Refs{ap.Embed(note)}}
	return act, &storage.Account{ID: 7, Username: "u", Domain: domain, URI: actor, CreatedAt: time.Now().Add(-30 * 24 * time.Hour)}
}

func withContent(html string) func(*ap.Object) { return func(o *ap.Object) { o.Content = html } }
func withAttachment(o *ap.Object) {
	o.Attachment = ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeDocument, MediaType: "image/png", URL: ap.Refs{ap.IRIRef("https://x/a.png")}})}
}
func withTags(tags ...*ap.Object) func(*ap.Object) {
	return func(o *ap.Object) {
		for _, t := range tags {
			o.Tag = append(o.Tag, ap.Embed(t))
		}
	}
}

func decide(p moderation.Policy, act *ap.Object, signer *storage.Account) moderation.Decision {
	return moderation.NewChain(p).Decide(context.Background(), act, signer)
}

func TestDomainPolicy(t *testing.T) {
	s := openStore(t)
	block(t, s, "evil.example", storage.SeveritySuspend)
	block(t, s, "pics.example", storage.SeverityNoop, func(b *storage.InstanceDomainBlock) { b.RejectMedia, b.RejectReports = true, true })
	block(t, s, "loud.example", storage.SeveritySilence)
	d := moderation.NewDomains(s, nil)
	p := moderation.DomainPolicy(d)

	dec := decideP(p, mkpost("sub.evil.example"))
	assert.Equal(t, moderation.VerdictReject, dec.Verdict)
	assert.Equal(t, "domain", dec.Policy)
	assert.Contains(t, dec.Reason, "sub.evil.example")

	act, signer := post("pics.example", withAttachment)
	dec = decide(p, act, signer)
	require.Equal(t, moderation.VerdictAccept, dec.Verdict)
	require.NotNil(t, dec.Activity)
	assert.Empty(t, dec.Activity.Object.Obj().Attachment, "media stripped")
	assert.Len(t, act.Object.Obj().Attachment, 1, "the original is untouched")

	flag := &ap.Object{ID: "https://pics.example/flag/1", Type: ap.TypeFlag, Actor: ap.IRIRef("https://pics.example/actor")}
	assert.Equal(t, moderation.VerdictDrop, decide(p, flag, signer).Verdict)

	dec = decideP(p, mkpost("loud.example", withAttachment))
	assert.Equal(t, moderation.VerdictAccept, dec.Verdict)
	assert.Nil(t, dec.Activity, "silence does not rewrite")

	allow := moderation.NewDomains(s, &moderation.DomainsOptions{AllowList: true})
	dec = decideP(moderation.DomainPolicy(allow), mkpost("stranger.example"))
	assert.Equal(t, moderation.VerdictReject, dec.Verdict)
	assert.Contains(t, dec.Reason, "allowed")
}

type pair struct {
	act    *ap.Object
	signer *storage.Account
}

func mkpost(domain string, mods ...func(*ap.Object)) pair {
	act, signer := post(domain, mods...)
	return pair{act, signer}
}

func decideP(p moderation.Policy, pr pair) moderation.Decision { return decide(p, pr.act, pr.signer) }

func TestKeywordPolicy(t *testing.T) {
	p := moderation.KeywordPolicy(moderation.KeywordRules{
		Reject:          []string{"Buy Followers"},
		RejectRegexp:    []*regexp.Regexp{regexp.MustCompile(`(?i)free\s+crypto`)},
		Sensitive:       []string{"nsfw"},
		SensitiveRegexp: []*regexp.Regexp{regexp.MustCompile(`\bspoilers?\b`)},
	})
	assert.Equal(t, moderation.VerdictReject, decideP(p, mkpost("a.example", withContent("<p>cheap <b>buy followers</b> here</p>"))).Verdict)
	assert.Equal(t, moderation.VerdictReject, decideP(p, mkpost("a.example", withContent("<p>FREE&nbsp;crypto</p>"))).Verdict, "entities decoded")
	assert.Equal(t, moderation.VerdictReject, decideP(p, mkpost("a.example", withContent("<p>FREE</p><p>crypto</p>"))).Verdict, "a tag separates words")
	act, signer := post("a.example", func(o *ap.Object) { o.Summary = "NSFW" })
	dec := decide(p, act, signer)
	require.Equal(t, moderation.VerdictAccept, dec.Verdict)
	require.NotNil(t, dec.Activity)
	assert.True(t, dec.Activity.Object.Obj().Sensitive)
	assert.False(t, act.Object.Obj().Sensitive)
	dec = decideP(p, mkpost("a.example", withContent("minor spoilers ahead")))
	require.NotNil(t, dec.Activity)
	assert.True(t, dec.Activity.Object.Obj().Sensitive)
	dec = decideP(p, mkpost("a.example"))
	assert.Equal(t, moderation.Decision{}, dec, "a clean post passes unchanged")
	follow := &ap.Object{ID: "https://a.example/f/1", Type: ap.TypeFollow, Actor: ap.IRIRef("https://a.example/u"), Object: ap.Refs{ap.IRIRef("https://herd.example/users/x")}}
	assert.Equal(t, moderation.Decision{}, decide(p, follow, nil), "not a post")
}

func TestHashtagPolicy(t *testing.T) {
	p := moderation.HashtagPolicy([]string{"#Spam"}, []string{"gore"})
	dec := decideP(p, mkpost("a.example", withTags(&ap.Object{Type: ap.TypeHashtag, Name: "#SPAM"})))
	assert.Equal(t, moderation.VerdictReject, dec.Verdict)
	assert.Contains(t, dec.Reason, "#spam")
	dec = decideP(p, mkpost("a.example", withTags(&ap.Object{Type: ap.TypeHashtag, Name: "#gore"})))
	require.NotNil(t, dec.Activity)
	assert.True(t, dec.Activity.Object.Obj().Sensitive)
	assert.Equal(t, moderation.Decision{}, decideP(p, mkpost("a.example", withTags(&ap.Object{Type: ap.TypeHashtag, Name: "#cats"}))))
}

func TestMediaDomainPolicy(t *testing.T) {
	p := moderation.MediaDomainPolicy([]string{"pics.example"})
	dec := decideP(p, mkpost("cdn.pics.example", withAttachment))
	require.NotNil(t, dec.Activity)
	assert.Empty(t, dec.Activity.Object.Obj().Attachment)
	assert.Nil(t, decideP(p, mkpost("other.example", withAttachment)).Activity)
}

func TestMentionCapPolicy(t *testing.T) {
	p := moderation.MentionCapPolicy(2)
	m := func(n string) *ap.Object {
		return &ap.Object{Type: ap.TypeMention, Href: "https://h.example/users/" + n, Name: "@" + n}
	}
	assert.Equal(t, moderation.VerdictAccept, decideP(p, mkpost("a.example", withTags(m("a"), m("b")))).Verdict)
	dec := decideP(p, mkpost("a.example", withTags(m("a"), m("b"), m("c"), &ap.Object{Type: ap.TypeHashtag, Name: "#x"})))
	assert.Equal(t, moderation.VerdictReject, dec.Verdict)
	assert.Contains(t, dec.Reason, "3")
}

func TestNewAccountPolicy(t *testing.T) {
	c := &clock{t: time.Now()}
	p := moderation.NewAccountPolicy(24*time.Hour, c.now)
	act, signer := post("a.example")
	signer.CreatedAt = c.now().Add(-time.Hour)
	dec := decide(p, act, signer)
	assert.Equal(t, moderation.VerdictDrop, dec.Verdict)
	assert.Equal(t, "new_account", dec.Policy)
	follow := &ap.Object{ID: "https://a.example/f/1", Type: ap.TypeFollow, Actor: ap.IRIRef(signer.URI), Object: ap.Refs{ap.IRIRef("https://herd.example/users/x")}}
	assert.Equal(t, moderation.VerdictAccept, decide(p, follow, signer).Verdict, "follows go through")
	c.add(24 * time.Hour)
	assert.Equal(t, moderation.VerdictAccept, decide(p, act, signer).Verdict, "old enough")
}

func TestChainOrderAndRewrites(t *testing.T) {
	var seen []string
	obs := func(name string) moderation.Policy {
		return moderation.PolicyFunc(func(ctx context.Context, a *moderation.Activity) moderation.Decision {
			seen = append(seen, name)
			if name == "strip" {
				a.Edit().Attachment = nil
			}
			if name == "check" && !a.Rewritten() {
				return moderation.Reject("should see the rewrite")
			}
			if name == "drop" {
				return moderation.Drop("enough")
			}
			return moderation.Accept()
		})
	}
	c := moderation.NewChain(nil, obs("strip"), obs("check"), obs("drop"), obs("never"))
	assert.Equal(t, 4, c.Len())
	pr := mkpost("a.example", withAttachment)
	dec := c.Decide(context.Background(), pr.act, pr.signer)
	assert.Equal(t, moderation.VerdictDrop, dec.Verdict)
	assert.Nil(t, dec.Activity)
	assert.Equal(t, []string{"strip", "check", "drop"}, seen)
}

func TestParseConfig(t *testing.T) {
	cfg, err := moderation.ParseConfig(strings.NewReader(`
# Herd policy file
limited_federation = true
reject_keyword = buy followers
reject_keyword = #giveaway, now
reject_regexp  = (?i)free\s+crypto
sensitive_keyword = nsfw
sensitive_regexp = spoilers?
reject_hashtag = spam
sensitive_hashtag = #gore
strip_media_domain = pics.example
MAX_MENTIONS = 8
new_account_min_age = 36h
`))
	require.NoError(t, err)
	assert.True(t, cfg.LimitedFederation)
	assert.Equal(t, []string{"buy followers", "#giveaway, now"}, cfg.Keywords.Reject)
	require.Len(t, cfg.Keywords.RejectRegexp, 1)
	assert.Equal(t, `(?i)free\s+crypto`, cfg.Keywords.RejectRegexp[0].String())
	assert.Equal(t, []string{"nsfw"}, cfg.Keywords.Sensitive)
	assert.Len(t, cfg.Keywords.SensitiveRegexp, 1)
	assert.Equal(t, []string{"spam"}, cfg.RejectHashtags)
	assert.Equal(t, []string{"#gore"}, cfg.SensitiveHashtags)
	assert.Equal(t, []string{"pics.example"}, cfg.StripMediaDomains)
	assert.Equal(t, 8, cfg.MaxMentions)
	assert.Equal(t, 36*time.Hour, cfg.NewAccountMinAge)
	assert.Len(t, cfg.Policies(nil), 5)

	for in, want := range map[string]string{
		"nonsense":                "line 1: want key = value",
		"\n\ncolour = blue":       "line 3: colour: unknown key",
		"max_mentions = -1":       "want a number",
		"reject_regexp = (":       "bad regular expression",
		"limited_federation = ja": "want true or false",
		"reject_keyword =   ":     "empty value",
		"new_account_min_age = 3": "want a duration",
	} {
		_, err := moderation.ParseConfig(strings.NewReader(in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
	_, err = moderation.ParseConfig(strings.NewReader("reject_keyword = " + strings.Repeat("x", 70<<10)))
	assert.Error(t, err, "overlong line")
	empty, err := moderation.ParseConfig(strings.NewReader(""))
	require.NoError(t, err)
	assert.Empty(t, empty.Policies(nil))
	_, err = moderation.LoadConfig(t.TempDir() + "/missing")
	assert.Error(t, err)
}

func FuzzParseConfig(f *testing.F) {
	f.Add("reject_keyword = spam\nmax_mentions = 3\n")
	f.Add("reject_regexp = (?i)a+b\nnew_account_min_age=24h\nlimited_federation=1")
	f.Add("\uFEFF# comment\n\n=\n")
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := moderation.ParseConfig(strings.NewReader(in))
		if err != nil {
			return
		}
		ps := cfg.Policies(nil)
		act, signer := post("a.example", withContent(in))
		_ = moderation.NewChain(ps...).Decide(context.Background(), act, signer)
	})
}

func BenchmarkDomainsSuspended(b *testing.B) {
	s := openStore(b)
	for i := range 1000 {
		block(b, s, "blocked"+strconv.Itoa(i)+".example", storage.SeveritySuspend)
	}
	d := moderation.NewDomains(s, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d.Suspended(ctx, "a.deep.sub.domain.of.some.server.example")
	}
}

func BenchmarkChainDecide(b *testing.B) {
	s := openStore(b)
	block(b, s, "evil.example", storage.SeveritySuspend)
	cfg, err := moderation.ParseConfig(strings.NewReader("reject_keyword = buy followers\nreject_regexp = (?i)free\\s+crypto\nreject_hashtag = spam\nmax_mentions = 10\nnew_account_min_age = 24h\n"))
	require.NoError(b, err)
	c := moderation.NewChain(append([]moderation.Policy{moderation.DomainPolicy(moderation.NewDomains(s, nil))}, cfg.Policies(nil)...)...)
	act, signer := post("fine.example", withContent("<p>"+strings.Repeat("a perfectly ordinary post ", 20)+"</p>"))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c.Decide(ctx, act, signer)
	}
}

func TestSuspendedAccountPolicy(t *testing.T) {
	now := time.Now()
	suspended := &storage.Account{Username: "spammer", Domain: "bad.example", SuspendedAt: &now}
	fine := &storage.Account{Username: "fine", Domain: "bad.example"}
	p := moderation.SuspendedAccountPolicy()
	ctx := context.Background()
	for _, typ := range []string{ap.TypeCreate, ap.TypeFollow, ap.TypeLike, ap.TypeAnnounce} {
		d := p.Filter(ctx, moderation.NewActivity(&ap.Object{Type: typ, ID: "https://bad.example/a"}, suspended))
		assert.Equal(t, moderation.VerdictReject, d.Verdict, typ)
		d = p.Filter(ctx, moderation.NewActivity(&ap.Object{Type: typ, ID: "https://bad.example/a"}, fine))
		assert.Equal(t, moderation.VerdictAccept, d.Verdict, typ)
	}
	for _, typ := range []string{ap.TypeDelete, ap.TypeUndo} {
		d := p.Filter(ctx, moderation.NewActivity(&ap.Object{Type: typ, ID: "https://bad.example/a"}, suspended))
		assert.Equal(t, moderation.VerdictAccept, d.Verdict, typ)
	}
}
