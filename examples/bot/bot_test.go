package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
)

func get(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

func TestBotServesDiscoveryAndActors(t *testing.T) {
	b := startBot(t, &Options{DisplayName: "Echo", Summary: "I echo."})
	base := b.URLs().Base()

	res, body := get(t, base+"/.well-known/webfinger?resource=acct:"+b.handle(), "")
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	var jrd webfinger.JRD
	require.NoError(t, json.Unmarshal(body, &jrd))
	assert.Equal(t, "acct:"+b.handle(), jrd.Subject)
	assert.Equal(t, b.Account().URI, jrd.ActorURL())

	res, body = get(t, base+"/.well-known/nodeinfo", "")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), base+"/nodeinfo/2.1")
	res, body = get(t, base+"/nodeinfo/2.1", "")
	require.Equal(t, http.StatusOK, res.StatusCode)
	var ni map[string]any
	require.NoError(t, json.Unmarshal(body, &ni))
	assert.Equal(t, "herd-bot", ni["software"].(map[string]any)["name"])

	res, body = get(t, b.Account().URI, ap.MediaTypeActivityJSON)
	require.Equal(t, http.StatusOK, res.StatusCode)
	actor, err := ap.Decode(body)
	require.NoError(t, err)
	assert.Equal(t, ap.TypeService, actor.Type)
	assert.Equal(t, "Echo", actor.Name)
	assert.Equal(t, "<p>I echo.</p>", actor.Summary)
	assert.Equal(t, base+"/inbox", actor.SharedInbox())
	assert.Equal(t, b.Account().URI+"#main-key", actor.PublicKey.ID)

	res, body = get(t, base+"/actor", ap.MediaTypeActivityJSON)
	require.Equal(t, http.StatusOK, res.StatusCode)
	inst, err := ap.Decode(body)
	require.NoError(t, err)
	assert.Equal(t, ap.TypeApplication, inst.Type)

	res, body = get(t, b.Account().URI, "text/html")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), "@"+b.handle())

	// Inboxes refuse unsigned posts.
	res2, err := http.Post(base+"/inbox", ap.MediaTypeActivityJSON, bytes.NewReader([]byte(`{}`)))
	require.NoError(t, err)
	res2.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res2.StatusCode)
}

// Two bots on two loopback ports: one follows the other, which accepts and
// follows back; a mention is answered; likes, boosts, edits, deletions,
// profile updates and undos arrive and are counted.
func TestBotsFederate(t *testing.T) {
	ctx := t.Context()
	echo := startBot(t, &Options{Username: "echo", ReplyToBots: true})
	fan := startBot(t, &Options{Username: "fan"})

	// fan follows echo by handle; echo accepts and follows back.
	require.NoError(t, fan.Follow(ctx, echo.handle()))
	echo.waitEvent(ap.TypeFollow, nil)
	fan.waitEvent(ap.TypeAccept, nil)
	fan.waitEvent(ap.TypeFollow, nil) // the follow-back
	echo.waitEvent(ap.TypeAccept, nil)
	echoAcct := accountByURI(t, fan.store, echo.Account().URI)
	fanAcct := accountByURI(t, echo.store, fan.Account().URI)
	_, err := echo.store.Follows().Get(ctx, fanAcct.ID, echo.Account().ID)
	require.NoError(t, err, "echo keeps fan as a follower")
	_, err = echo.store.Follows().Get(ctx, echo.Account().ID, fanAcct.ID)
	require.NoError(t, err, "echo follows fan back")
	_, err = fan.store.Follows().Get(ctx, fan.Account().ID, echoAcct.ID)
	require.NoError(t, err, "fan's follow was accepted")

	// fan mentions echo in a public post; echo replies, mentioning fan.
	post, err := fan.Post(ctx, "hello <echo>", ap.VisibilityPublic, echo.Account().URI)
	require.NoError(t, err)
	reply := fan.waitEvent(ap.TypeCreate, func(ev Event) bool { return ev.Object.InReplyTo.ID() == post.URI })
	assert.Equal(t, echo.Account().URI, reply.From.URI)
	assert.Contains(t, reply.Object.Content, "You said: hello &lt;echo&gt;")
	assert.Equal(t, []string{ap.Public}, reply.Object.To)
	assert.Contains(t, reply.Object.Cc, fan.Account().URI)
	assert.Equal(t, fan.Account().URI, reply.Object.Tag.Obj().Href, "the reply mentions the author")
	// fan is not ReplyToBots: no endless conversation.
	_, err = echo.store.Statuses().GetByURI(ctx, reply.Object.ID)
	require.NoError(t, err, "echo stores its reply, served at its id")
	res, body := get(t, reply.Object.ID, ap.MediaTypeActivityJSON)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)

	// A direct mention is answered directly.
	dm, err := fan.Post(ctx, "psst", ap.VisibilityDirect, echo.handle())
	require.NoError(t, err)
	dmReply := fan.waitEvent(ap.TypeCreate, func(ev Event) bool { return ev.Object.InReplyTo.ID() == dm.URI })
	assert.Equal(t, []string{fan.Account().URI}, dmReply.Object.To)
	assert.Empty(t, dmReply.Object.Cc)
	assert.Equal(t, ap.VisibilityDirect, dmReply.Object.Visibility(echo.Account().FollowersURI))

	// fan likes and boosts echo's reply; echo counts them; then undoes both.
	like, err := fan.Like(ctx, reply.Object.ID)
	require.NoError(t, err)
	boost, err := fan.Announce(ctx, reply.Object.ID)
	require.NoError(t, err)
	echo.waitEvent(ap.TypeLike, nil)
	echo.waitEvent(ap.TypeAnnounce, nil)
	st := statusByURI(t, echo.store, reply.Object.ID)
	assert.EqualValues(t, 1, st.FavouritesCount)
	assert.EqualValues(t, 1, st.ReblogsCount)
	require.NoError(t, fan.Undo(ctx, like))
	require.NoError(t, fan.Undo(ctx, boost))
	eventually(t, "like and boost undone", func() bool {
		st := statusByURI(t, echo.store, reply.Object.ID)
		return st.FavouritesCount == 0 && st.ReblogsCount == 0
	})

	// echo edits and deletes its reply; fan sees both.
	require.NoError(t, echo.Edit(ctx, st.ID, "edited"))
	up := fan.waitEvent(ap.TypeUpdate, nil)
	assert.Equal(t, reply.Object.ID, up.Object.ID)
	assert.Contains(t, up.Object.Content, "edited")
	assert.Contains(t, up.Object.Content, "mention", "the edit keeps the mention")
	assert.False(t, up.Object.Updated.IsZero())
	require.NoError(t, echo.Delete(ctx, st.ID))
	del := fan.waitEvent(ap.TypeDelete, nil)
	assert.Equal(t, reply.Object.ID, del.Activity.Object.ID())
	res, _ = get(t, reply.Object.ID, ap.MediaTypeActivityJSON)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)

	// echo renames itself; fan's stored copy follows.
	require.NoError(t, echo.UpdateProfile(ctx, "Echo the Second", "new bio"))
	fan.waitEvent(ap.TypeUpdate, func(ev Event) bool { return ev.Object.ID == echo.Account().URI })
	assert.Equal(t, "Echo the Second", accountByURI(t, fan.store, echo.Account().URI).DisplayName)

	// fan unfollows: echo forgets the follower.
	require.NoError(t, fan.Unfollow(ctx, echo.Account().URI))
	echo.waitEvent(ap.TypeUndo, func(ev Event) bool { return ev.Activity.Object.Obj().Type == ap.TypeFollow })
	_, err = echo.store.Follows().Get(ctx, fanAcct.ID, echo.Account().ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	n, err := echo.store.Follows().FollowerIDs(ctx, echo.Account().ID, false)
	require.NoError(t, err)
	assert.Empty(t, n)
}

func accountByURI(t testing.TB, st storage.Store, uri string) *storage.Account {
	t.Helper()
	a, err := st.Accounts().GetByURI(t.Context(), uri)
	require.NoError(t, err)
	return a
}

func statusByURI(t testing.TB, st storage.Store, uri string) *storage.Status {
	t.Helper()
	s, err := st.Statuses().GetByURI(t.Context(), uri)
	require.NoError(t, err)
	return s
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"BOT_PUBLIC_URL": "https://bot.example", "BOT_ALLOW_PRIVATE_ADDRESSES": "127.0.0.0/8, ::1/128"}
	c, err := parseConfig([]string{"-listen", ":9000"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, ":9000", c.Listen)
	assert.Equal(t, "https://bot.example", c.PublicURL)
	assert.Len(t, c.AllowPrivate, 2)

	c, err = parseConfig([]string{"-public-url", "http://127.0.0.1:1"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1", c.PublicURL, "a flag beats the environment")

	for _, args := range [][]string{{"-allow-private-addresses", "nope"}, {"-username", "a@b"}, {"-log-level", "loud"}, {"extra"}} {
		_, err := parseConfig(args, func(string) string { return "" }, io.Discard)
		assert.Error(t, err, strings.Join(args, " "))
	}
}

func TestEcho(t *testing.T) {
	note := &ap.Object{Content: `<p><span class="h-card"><a href="https://x.example/@echo" class="u-url mention">@<span>echo</span></a></span> hi&amp;bye<br>there</p><p>again</p>`}
	assert.Equal(t, "You said: hi&bye there again", echo(t.Context(), note, nil))
	assert.Equal(t, "Hello! I am a bot.", echo(t.Context(), &ap.Object{Content: "<p>@echo</p>"}, nil))
	long := &ap.Object{Content: strings.Repeat("é", 300)}
	assert.Equal(t, 280+len("You said: ")+1, len([]rune(echo(t.Context(), long, nil))))
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<>", "< >", "<br/>x", "a<b", "&amp;<a href='x'>y</a>", "<p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := plainText(s)
		if !strings.ContainsAny(s, "&") && strings.LastIndexByte(s, '<') < strings.LastIndexByte(s, '>') && strings.Contains(out, "<") {
			t.Fatalf("a tag survived in %q", out)
		}
		_ = echo(t.Context(), &ap.Object{Content: s}, nil)
	})
}
