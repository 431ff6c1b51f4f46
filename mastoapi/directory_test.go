package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/storage"
)

// discoverable makes an account listed in the directory.
func (e *env) discoverable(a *storage.Account, mods ...func(*storage.Account)) {
	e.t.Helper()
	ctx := context.Background()
	got, err := e.store.Accounts().Get(ctx, a.ID)
	require.NoError(e.t, err)
	cp := *got
	cp.Discoverable = true
	for _, m := range mods {
		m(&cp)
	}
	require.NoError(e.t, e.store.Accounts().Update(ctx, &cp))
}

func TestDirectory(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	aliceTok, alice := e.userToken("alice", "read write")
	_, bob := e.userToken("bob", "read")
	carolTok, carol := e.userToken("carol", "read write")
	_, hidden := e.userToken("hidden", "read")
	_, limited := e.userToken("limited", "read")
	remote := &storage.Account{Username: "far", Domain: "far.example", URI: "https://far.example/users/far", Discoverable: true}
	require.NoError(t, e.store.Accounts().Create(ctx, remote))
	for _, a := range []*storage.Account{alice, bob, carol} {
		e.discoverable(a)
	}
	now := time.Now().UTC()
	e.discoverable(limited, func(a *storage.Account) { a.SilencedAt = &now })
	e.discoverable(hidden, func(a *storage.Account) { a.Discoverable = false })
	e.post(carolTok, "first")
	e.clock.Advance(time.Second)
	e.post(aliceTok, "later")
	require.NoError(t, e.store.Accounts().AdjustCounts(ctx, remote.ID, 1, 0, 0, &[]time.Time{now.Add(-time.Hour)}[0]))

	names := func(list []any) []string {
		var out []string
		for _, v := range list {
			out = append(out, v.(obj)["acct"].(string))
		}
		return out
	}
	// Active (default): latest status first, never posted last.
	got := names(e.getList("/api/v1/directory", ""))
	require.Len(t, got, 4)
	assert.Equal(t, []string{"far@far.example", "bob"}, got[2:], "remote posted an hour ago; bob never")
	assert.ElementsMatch(t, []string{"alice", "carol"}, got[:2])
	assert.Equal(t, []string{"far@far.example", "carol", "bob", "alice"}, names(e.getList("/api/v1/directory?order=new", "")), "newest first")
	assert.Equal(t, []string{"carol", "bob", "alice"}, names(e.getList("/api/v1/directory?order=new&local=true", "")), "local only")
	assert.Equal(t, []string{"bob"}, names(e.getList("/api/v1/directory?order=new&local=true&offset=1&limit=1", "")), "offset and limit")
	e.call(http.MethodGet, "/api/v1/directory?order=popular", "", nil, http.StatusUnprocessableEntity)

	// A viewer does not see whom it blocks.
	e.postObj("/api/v1/accounts/"+bob.ID.String()+"/block", aliceTok, nil, http.StatusOK)
	assert.NotContains(t, names(e.getList("/api/v1/directory", aliceTok)), "bob")
	assert.Contains(t, names(e.getList("/api/v1/directory", "")), "bob")
}

func TestShowAccounts(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	_, alice := e.userToken("alice", "read")
	_, bob := e.userToken("bob", "read")
	now := time.Now().UTC()
	e.discoverable(bob, func(a *storage.Account) { a.SuspendedAt = &now; a.DisplayName = "Bob" })
	_ = ctx

	q := url.Values{"id[]": {bob.ID.String(), "999999", alice.ID.String(), bob.ID.String(), "nope"}}
	list := e.call(http.MethodGet, "/api/v1/accounts", "", q, http.StatusOK).([]any)
	require.Len(t, list, 2, "unknown and repeated IDs left out")
	assert.Equal(t, bob.ID.String(), list[0].(obj)["id"], "in the order asked")
	assert.Equal(t, true, list[0].(obj)["suspended"])
	assert.Equal(t, "", list[0].(obj)["display_name"], "a suspended account shows only its handle")
	assert.Equal(t, alice.ID.String(), list[1].(obj)["id"])

	assert.Empty(t, e.call(http.MethodGet, "/api/v1/accounts", "", nil, http.StatusOK))
	many := url.Values{}
	for i := 0; i < 41; i++ {
		many.Add("id[]", alice.ID.String())
	}
	e.call(http.MethodGet, "/api/v1/accounts", "", many, http.StatusUnprocessableEntity)
}

func TestPeersSearch(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, d := range []string{"mastodon.social", "mastodon.online", "mas.to", "masto.host", "other.example", "mastodon.bad"} {
		require.NoError(t, e.store.Instances().Upsert(ctx, &storage.Instance{Domain: d}))
	}
	for i := 0; i < 12; i++ {
		require.NoError(t, e.store.Instances().Upsert(ctx, &storage.Instance{Domain: "m" + string(rune('a'+i)) + ".many.example"}))
	}
	require.NoError(t, e.store.InstanceDomainBlocks().Create(ctx, &storage.InstanceDomainBlock{Domain: "mastodon.bad", Severity: storage.SeveritySuspend}))
	search := func(q string) []string {
		resp := e.get("/api/v1/peers/search?q="+url.QueryEscape(q), "")
		requireStatus(t, resp, http.StatusOK)
		return decode[[]string](t, resp)
	}
	assert.Equal(t, []string{"mastodon.online", "mastodon.social"}, search("Mastodon"), "prefix, case-insensitive, blocked left out")
	assert.Equal(t, []string{"mas.to", "masto.host", "mastodon.online", "mastodon.social"}, search("mas"))
	assert.Equal(t, []string{"mas.to"}, search("mas.to"), "an exact domain")
	assert.Len(t, search("m"), 10, "at most 10")
	assert.Empty(t, search(""))
	assert.Empty(t, search("zzz"))
}

func TestInstanceTexts(t *testing.T) {
	t.Run("Unset", func(t *testing.T) {
		e := newEnv(t, nil)
		d := e.getObj("/api/v1/instance/extended_description", "", http.StatusOK)
		assert.Equal(t, "", d["content"])
		e.getObj("/api/v1/instance/privacy_policy", "", http.StatusNotFound)
		e.getObj("/api/v1/instance/terms_of_service", "", http.StatusNotFound)
		e.getObj("/api/v1/instance/terms_of_service/2025-01-01", "", http.StatusNotFound)
	})
	t.Run("Set", func(t *testing.T) {
		day := time.Date(2025, 4, 15, 0, 0, 0, 0, time.UTC)
		at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		e := newEnv(t, func(o *mastoapi.Options) {
			o.Instance.ExtendedDescription = "<h2>About</h2><p onclick=\"x()\">Hi <script>alert(1)</script></p>"
			o.Instance.ExtendedDescriptionUpdatedAt = at
			o.Instance.PrivacyPolicy = "We keep little.\nVery little.\n\nAsk us & them."
			o.Instance.PrivacyPolicyUpdatedAt = at
			o.Instance.TermsOfService = "<p>Be nice</p>"
			o.Instance.TermsOfServiceDate = day
		})
		d := e.getObj("/api/v1/instance/extended_description", "", http.StatusOK)
		assert.Equal(t, "<h2>About</h2><p>Hi </p>", d["content"], "sanitized")
		assert.Equal(t, "2025-03-01T12:00:00.000Z", d["updated_at"])
		p := e.getObj("/api/v1/instance/privacy_policy", "", http.StatusOK)
		assert.Equal(t, "<p>We keep little.<br>Very little.</p>\n<p>Ask us &amp; them.</p>\n", p["content"], "plain text in paragraphs")
		tos := e.getObj("/api/v1/instance/terms_of_service", "", http.StatusOK)
		assert.Equal(t, obj{"content": "<p>Be nice</p>", "effective": true, "effective_date": "2025-04-15", "succeeded_by": nil}, tos)
		assert.Equal(t, tos, e.getObj("/api/v1/instance/terms_of_service/2025-04-15", "", http.StatusOK))
		e.getObj("/api/v1/instance/terms_of_service/2025-04-16", "", http.StatusNotFound)
	})
}

func TestInstanceLanguages(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.get("/api/v1/instance/languages", "")
	requireStatus(t, resp, http.StatusOK)
	langs := decode[[]mastoapi.Language](t, resp)
	require.Greater(t, len(langs), 180)
	assert.Contains(t, langs, mastoapi.Language{Code: "en", Name: "English"})
	for i := 1; i < len(langs); i++ {
		require.Less(t, langs[i-1].Code, langs[i].Code, "sorted, no duplicates")
		require.Len(t, langs[i].Code, 2)
	}
	assert.Equal(t, obj{}, e.getObj("/api/v1/instance/translation_languages", "", http.StatusOK))
}

func TestOEmbed(t *testing.T) {
	e := newEnv(t, nil)
	tok, alice := e.userToken("alice", "read write")
	pub := e.post(tok, "hello <world>")
	priv := e.post(tok, "secret", "visibility", "private")
	oembed := func(u string, status int) obj {
		return e.getObj("/api/oembed?url="+url.QueryEscape(u), "", status)
	}
	o := oembed(pub["url"].(string), http.StatusOK)
	assert.Equal(t, "rich", o["type"])
	assert.Equal(t, "1.0", o["version"])
	assert.EqualValues(t, 400, o["width"])
	assert.Nil(t, o["height"])
	assert.Equal(t, e.urls.Profile("alice"), o["author_url"])
	assert.Equal(t, e.urls.Base()+"/", o["provider_url"])
	html := o["html"].(string)
	assert.True(t, strings.HasPrefix(html, `<blockquote class="mastodon-embed"`), html)
	assert.Contains(t, html, "hello &lt;world&gt;")
	assert.Contains(t, html, pub["url"].(string))

	assert.Equal(t, o["html"], oembed(pub["uri"].(string), http.StatusOK)["html"], "the ActivityPub id works too")
	o = e.getObj("/api/oembed?maxwidth=250&url="+url.QueryEscape(pub["url"].(string)), "", http.StatusOK)
	assert.EqualValues(t, 250, o["width"])

	oembed(priv["url"].(string), http.StatusNotFound)
	oembed("https://elsewhere.example/@alice/"+pub["id"].(string), http.StatusNotFound)
	oembed(e.urls.Base()+"/@bob/"+pub["id"].(string), http.StatusNotFound)
	oembed(e.urls.Base()+"/@alice/123", http.StatusNotFound)
	oembed("not a url", http.StatusNotFound)
	_ = alice
}
