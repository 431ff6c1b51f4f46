package storagetest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func testStatuses(t *testing.T, open Opener) {
	h := newHarness(t, open)

	t.Run("CreateGet", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "poster")
		st := &storage.Status{AccountID: a.ID, URI: a.URI + "/statuses/1", Local: true, Content: "<p>hi</p>", Tags: storage.Strings{"#Go", "go", "Rust", ""}}
		require.NoError(t, h.s.Statuses().Create(ctx, st))
		require.NotZero(t, st.ID)
		require.Equal(t, st.ID, st.ConversationID, "a new thread is its own conversation")
		require.Equal(t, storage.VisibilityPublic, st.Visibility, "visibility defaults to public")
		require.Equal(t, storage.Strings{"go", "rust"}, st.Tags, "tags are normalised: lower-case, no #, each once")
		require.False(t, st.CreatedAt.IsZero())

		got := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, st, got)
		require.Equal(t, st.ID, try(h.s.Statuses().GetByURI(ctx, st.URI)).must(t).ID)

		reply := h.post(t, a, replyTo(st))
		require.Equal(t, st.ConversationID, reply.ConversationID, "a reply joins its parent's conversation")
		reply2 := h.post(t, h.local(t, "other"), replyTo(reply))
		require.Equal(t, st.ConversationID, reply2.ConversationID)

		many := try(h.s.Statuses().GetMany(ctx, []storage.ID{reply2.ID, st.ID, h.s.NewID(), reply.ID})).must(t)
		require.ElementsMatch(t, []storage.ID{st.ID, reply.ID, reply2.ID}, statusIDs(many))
		requireEmpty(t, try(h.s.Statuses().GetMany(ctx, nil)).must(t), "GetMany(nil)")
	})

	t.Run("Errors", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "err")
		st := h.post(t, a)
		dup := &storage.Status{AccountID: a.ID, URI: st.URI}
		requireConflict(t, h.s.Statuses().Create(ctx, dup), "duplicate URI")
		requireInvalid(t, h.s.Statuses().Create(ctx, &storage.Status{AccountID: a.ID}), "no URI")
		requireInvalid(t, h.s.Statuses().Create(ctx, &storage.Status{URI: "https://herd.example/s/x"}), "no account")
		requireInvalid(t, h.s.Statuses().Create(ctx, &storage.Status{AccountID: a.ID, URI: "https://herd.example/s/y", Visibility: "everyone"}), "bad visibility")

		missing := h.s.NewID()
		_, err := h.s.Statuses().Get(ctx, missing)
		requireNotFound(t, err, "Get")
		_, err = h.s.Statuses().GetByURI(ctx, "https://herd.example/nothing")
		requireNotFound(t, err, "GetByURI")
		requireNotFound(t, h.s.Statuses().Update(ctx, &storage.Status{ID: missing, AccountID: a.ID, URI: "u"}), "Update")
		requireNotFound(t, h.s.Statuses().Delete(ctx, missing), "Delete")
		requireNotFound(t, h.s.Statuses().AdjustCounts(ctx, missing, 1, 1, 1), "AdjustCounts")
		_, err = h.s.Statuses().GetReblog(ctx, a.ID, st.ID)
		requireNotFound(t, err, "GetReblog")
	})

	t.Run("UpdateAndEdits", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "editor")
		st := h.post(t, a, withTags("old"), func(st *storage.Status) { st.Text = "old #old" })
		orig := *st
		requireEmpty(t, try(h.s.Statuses().Edits(ctx, st.ID)).must(t), "Edits before any edit")

		e1 := &storage.StatusEdit{StatusID: st.ID, AccountID: a.ID, Content: orig.Content, Text: orig.Text, CreatedAt: orig.CreatedAt}
		require.NoError(t, h.s.Statuses().AddEdit(ctx, e1))
		require.NotZero(t, e1.ID)
		st.Content = "<p>new</p>"
		st.Text = "new #new"
		st.SpoilerText = "cw"
		st.Sensitive = true
		st.Language = "en"
		st.Tags = storage.Strings{"New"}
		st.MediaIDs = storage.IDs{h.s.NewID()}
		st.EditedAt = ptr(ts(2026, 7, 1, 2, 3, 4, 5))
		st.Visibility = storage.VisibilityDirect // not editable
		require.NoError(t, h.s.Statuses().Update(ctx, st))
		e2 := &storage.StatusEdit{StatusID: st.ID, AccountID: a.ID, Content: st.Content, Text: st.Text, SpoilerText: "cw", Sensitive: true, MediaIDs: st.MediaIDs}
		require.NoError(t, h.s.Statuses().AddEdit(ctx, e2))

		got := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		assert.Equal(t, "<p>new</p>", got.Content)
		assert.Equal(t, "new #new", got.Text)
		assert.Equal(t, "cw", got.SpoilerText)
		assert.True(t, got.Sensitive)
		assert.Equal(t, "en", got.Language)
		assert.Equal(t, storage.Strings{"new"}, got.Tags)
		assert.Equal(t, st.MediaIDs, got.MediaIDs)
		assert.True(t, got.HasMedia, "media IDs imply HasMedia")
		assert.Equal(t, st.EditedAt, got.EditedAt)
		assert.Equal(t, storage.VisibilityPublic, got.Visibility, "Update does not change the visibility")
		assert.Equal(t, orig.CreatedAt, got.CreatedAt)

		// The tag index follows the edit.
		tagged := statusIDs(try(h.s.Statuses().Tagged(ctx, storage.TagFilter{Any: []string{"new"}}, storage.Page{})).must(t))
		assert.Contains(t, tagged, st.ID)
		tagged = statusIDs(try(h.s.Statuses().Tagged(ctx, storage.TagFilter{Any: []string{"old"}}, storage.Page{})).must(t))
		assert.NotContains(t, tagged, st.ID)

		edits := try(h.s.Statuses().Edits(ctx, st.ID)).must(t)
		require.Len(t, edits, 2)
		assert.Equal(t, e1, edits[0], "oldest first")
		assert.Equal(t, e2, edits[1])
		requireInvalid(t, h.s.Statuses().AddEdit(ctx, &storage.StatusEdit{Content: "x"}), "edit without status")
	})

	t.Run("Reblogs", func(t *testing.T) {
		ctx := t.Context()
		author := h.local(t, "author")
		st := h.post(t, author)
		var boosters []*storage.Account
		var boosts []*storage.Status
		for i := 0; i < 3; i++ {
			b := h.remote(t, "booster", "boost.example", "")
			boosters = append(boosters, b)
			boosts = append(boosts, h.boost(t, b, st))
		}
		got := try(h.s.Statuses().GetReblog(ctx, boosters[1].ID, st.ID)).must(t)
		require.Equal(t, boosts[1], got)
		list := statusIDs(try(h.s.Statuses().Reblogs(ctx, st.ID, storage.Page{})).must(t))
		require.Equal(t, []storage.ID{boosts[2].ID, boosts[1].ID, boosts[0].ID}, list, "newest first")
		list = statusIDs(try(h.s.Statuses().Reblogs(ctx, st.ID, storage.Page{MaxID: boosts[2].ID, Limit: 1})).must(t))
		require.Equal(t, []storage.ID{boosts[1].ID}, list)
		requireEmpty(t, try(h.s.Statuses().Reblogs(ctx, boosts[0].ID, storage.Page{})).must(t), "Reblogs of an unboosted status")

		dup := &storage.Status{AccountID: boosters[0].ID, URI: boosters[0].URI + "/again", ReblogOfID: st.ID}
		requireConflict(t, h.s.Statuses().Create(ctx, dup), "second boost by the same account")
	})

	t.Run("Context", func(t *testing.T) {
		ctx := t.Context()
		a, b := h.local(t, "ctxa"), h.local(t, "ctxb")
		root := h.post(t, a)
		c1 := h.post(t, b, replyTo(root))
		c2 := h.post(t, a, replyTo(c1))
		c3 := h.post(t, b, replyTo(root))
		c4 := h.post(t, b, replyTo(c2))
		c5 := h.post(t, a, replyTo(c3))
		unrelated := h.post(t, a)

		anc := statusIDs(try(h.s.Statuses().Ancestors(ctx, c4.ID, 0)).must(t))
		require.Equal(t, []storage.ID{root.ID, c1.ID, c2.ID}, anc, "ancestors oldest first")
		anc = statusIDs(try(h.s.Statuses().Ancestors(ctx, c4.ID, 2)).must(t))
		require.Equal(t, []storage.ID{c1.ID, c2.ID}, anc, "limit keeps the nearest ancestors")
		requireEmpty(t, try(h.s.Statuses().Ancestors(ctx, root.ID, 0)).must(t), "ancestors of a root")
		requireEmpty(t, try(h.s.Statuses().Ancestors(ctx, h.s.NewID(), 0)).must(t), "ancestors of a missing status")

		desc := statusIDs(try(h.s.Statuses().Descendants(ctx, root.ID, 0)).must(t))
		require.Equal(t, []storage.ID{c1.ID, c2.ID, c4.ID, c3.ID, c5.ID}, desc, "descendants depth first, oldest sibling first")
		desc = statusIDs(try(h.s.Statuses().Descendants(ctx, c1.ID, 0)).must(t))
		require.Equal(t, []storage.ID{c2.ID, c4.ID}, desc)
		requireEmpty(t, try(h.s.Statuses().Descendants(ctx, unrelated.ID, 0)).must(t), "descendants of a leaf")

		// A reply whose parent is not stored has no ancestors.
		orphan := h.post(t, b, func(st *storage.Status) { st.InReplyToURI = "https://remote.example/notes/1" })
		requireEmpty(t, try(h.s.Statuses().Ancestors(ctx, orphan.ID, 0)).must(t), "ancestors of an orphan reply")
	})

	t.Run("ContextCycle", func(t *testing.T) {
		ctx := t.Context()
		a := h.local(t, "cycle")
		// x and y reply to each other (bad remote data); z replies to itself.
		xID, yID := h.s.NewID(), h.s.NewID()
		x := h.post(t, a, func(st *storage.Status) { st.ID = xID; st.InReplyToID = yID; st.InReplyToAccountID = a.ID })
		y := h.post(t, a, func(st *storage.Status) { st.ID = yID; st.InReplyToID = xID; st.InReplyToAccountID = a.ID })
		w := h.post(t, a, replyTo(y))
		zID := h.s.NewID()
		z := h.post(t, a, func(st *storage.Status) { st.ID = zID; st.InReplyToID = zID })

		require.Equal(t, []storage.ID{y.ID}, statusIDs(try(h.s.Statuses().Ancestors(ctx, x.ID, 0)).must(t)))
		require.Equal(t, []storage.ID{x.ID}, statusIDs(try(h.s.Statuses().Ancestors(ctx, y.ID, 0)).must(t)))
		require.ElementsMatch(t, []storage.ID{x.ID, y.ID}, statusIDs(try(h.s.Statuses().Ancestors(ctx, w.ID, 0)).must(t)))
		require.Equal(t, []storage.ID{y.ID, w.ID}, statusIDs(try(h.s.Statuses().Descendants(ctx, x.ID, 0)).must(t)))
		requireEmpty(t, try(h.s.Statuses().Ancestors(ctx, z.ID, 0)).must(t), "ancestors of a self-reply")
		requireEmpty(t, try(h.s.Statuses().Descendants(ctx, z.ID, 0)).must(t), "descendants of a self-reply")
	})

	t.Run("ViewerStates", func(t *testing.T) {
		ctx := t.Context()
		v, other := h.local(t, "viewer"), h.local(t, "poster")
		s1, s2, s3, s4, s5 := h.post(t, other), h.post(t, other), h.post(t, other), h.post(t, v), h.post(t, other)
		require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: v.ID, StatusID: s1.ID}))
		h.boost(t, v, s2)
		require.NoError(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: v.ID, StatusID: s3.ID}))
		require.NoError(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: v.ID, StatusID: s4.ID}))
		require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: v.ID, StatusID: s4.ID}))
		// Someone else's interactions do not count.
		require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: other.ID, StatusID: s5.ID}))

		got := try(h.s.Statuses().ViewerStates(ctx, v.ID, []storage.ID{s1.ID, s2.ID, s3.ID, s4.ID, s5.ID})).must(t)
		require.Equal(t, storage.ViewerState{Favourited: true}, got[s1.ID])
		require.Equal(t, storage.ViewerState{Reblogged: true}, got[s2.ID])
		require.Equal(t, storage.ViewerState{Bookmarked: true}, got[s3.ID])
		require.Equal(t, storage.ViewerState{Pinned: true, Favourited: true}, got[s4.ID])
		require.Equal(t, storage.ViewerState{}, got[s5.ID])
		empty := try(h.s.Statuses().ViewerStates(ctx, v.ID, nil)).must(t)
		require.NotNil(t, empty)
		require.Empty(t, empty)
	})

	t.Run("AdjustCounts", func(t *testing.T) {
		ctx := t.Context()
		st := h.post(t, h.local(t, "counted"))
		require.NoError(t, h.s.Statuses().AdjustCounts(ctx, st.ID, 2, 3, 4))
		got := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, []int64{2, 3, 4}, []int64{got.RepliesCount, got.ReblogsCount, got.FavouritesCount})
		require.NoError(t, h.s.Statuses().AdjustCounts(ctx, st.ID, -1, -10, 0))
		got = try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, []int64{1, 0, 4}, []int64{got.RepliesCount, got.ReblogsCount, got.FavouritesCount}, "counters never go below zero")
		require.NoError(t, h.s.Statuses().AdjustCounts(ctx, st.ID, -5, -5, -5))
		got = try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, []int64{0, 0, 0}, []int64{got.RepliesCount, got.ReblogsCount, got.FavouritesCount})
	})

	t.Run("Extra", func(t *testing.T) {
		ctx := t.Context()
		st := h.post(t, h.local(t, "extra"), func(st *storage.Status) {
			st.Extra = storage.Extra{"quote": json.RawMessage(`{"state":"accepted"}`), "n": json.RawMessage(`1`)}
		})
		got := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, st.Extra, got.Extra)
	})
}

// testStatusFilters covers ByAccount's filters on one account's statuses.
func testStatusFilters(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	a, b := h.local(t, "filtered"), h.local(t, "other")
	bs := h.post(t, b)

	p1 := h.post(t, a)
	selfReply := h.post(t, a, replyTo(p1))
	replyOther := h.post(t, a, replyTo(bs))
	replyUnknown := h.post(t, a, func(st *storage.Status) { st.InReplyToURI = "https://remote.example/notes/9" })
	boost := h.boost(t, a, bs)
	media := h.post(t, a, withMedia)
	tagged := h.post(t, a, withTags("GoLang"))
	unlisted := h.post(t, a, withVisibility(storage.VisibilityUnlisted))
	private := h.post(t, a, withVisibility(storage.VisibilityPrivate), withMedia)
	direct := h.post(t, a, withVisibility(storage.VisibilityDirect))

	by := func(f storage.StatusFilter) []storage.ID {
		return statusIDs(try(h.s.Statuses().ByAccount(ctx, a.ID, f, storage.Page{Limit: 40})).must(t))
	}
	ids := func(sts ...*storage.Status) []storage.ID {
		out := statusIDs(sts)
		// newest first
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	require.Equal(t, ids(p1, selfReply, replyOther, replyUnknown, boost, media, tagged, unlisted, private, direct), by(storage.StatusFilter{}))
	require.Equal(t, ids(p1, selfReply, boost, media, tagged, unlisted, private, direct), by(storage.StatusFilter{ExcludeReplies: true}),
		"exclude_replies keeps self-replies")
	require.Equal(t, ids(p1, selfReply, replyOther, replyUnknown, media, tagged, unlisted, private, direct), by(storage.StatusFilter{ExcludeReblogs: true}))
	require.Equal(t, ids(media, private), by(storage.StatusFilter{OnlyMedia: true}))
	require.Equal(t, ids(media), by(storage.StatusFilter{OnlyMedia: true, Visibilities: []storage.Visibility{storage.VisibilityPublic}}))
	require.Equal(t, ids(tagged), by(storage.StatusFilter{Tagged: "golang"}))
	require.Equal(t, ids(tagged), by(storage.StatusFilter{Tagged: "#GOLANG"}))
	require.Empty(t, by(storage.StatusFilter{Tagged: "rust"}))
	require.Equal(t, ids(unlisted, private), by(storage.StatusFilter{Visibilities: []storage.Visibility{storage.VisibilityUnlisted, storage.VisibilityPrivate}}))
	require.Equal(t, ids(direct), by(storage.StatusFilter{Visibilities: []storage.Visibility{storage.VisibilityDirect}}))
	require.Equal(t, ids(p1, selfReply, media, tagged), by(storage.StatusFilter{
		ExcludeReplies: true, ExcludeReblogs: true, Visibilities: []storage.Visibility{storage.VisibilityPublic}}))
	requireEmpty(t, try(h.s.Statuses().ByAccount(ctx, h.s.NewID(), storage.StatusFilter{}, storage.Page{})).must(t), "ByAccount of an unknown account")
}

// testTimelines needs a store of its own: it reads the public timeline and counts.
func testTimelines(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	requireEmpty(t, try(h.s.Statuses().Public(ctx, storage.PublicFilter{}, storage.Page{})).must(t), "Public on an empty store")
	require.Zero(t, try(h.s.Statuses().Count(ctx, false)).must(t))

	l, r := h.local(t, "loc"), h.remote(t, "rem", "remote.example", "")
	l1 := h.post(t, l)
	r1 := h.post(t, r)
	h.boost(t, l, r1)                        // boosts are not on public timelines
	h.post(t, l, replyTo(r1))                // nor replies to others
	lSelf := h.post(t, l, replyTo(l1))       // self-replies are
	h.post(t, r, withVisibility("unlisted")) // unlisted is not
	h.post(t, r, withVisibility("private"))
	h.post(t, l, withVisibility("direct"))
	lMedia := h.post(t, l, withMedia)
	rMedia := h.post(t, r, withMedia)

	pub := func(f storage.PublicFilter) []storage.ID {
		return statusIDs(try(h.s.Statuses().Public(ctx, f, storage.Page{})).must(t))
	}
	require.Equal(t, []storage.ID{rMedia.ID, lMedia.ID, lSelf.ID, r1.ID, l1.ID}, pub(storage.PublicFilter{}))
	require.Equal(t, []storage.ID{lMedia.ID, lSelf.ID, l1.ID}, pub(storage.PublicFilter{LocalOnly: true}))
	require.Equal(t, []storage.ID{rMedia.ID, r1.ID}, pub(storage.PublicFilter{RemoteOnly: true}))
	require.Equal(t, []storage.ID{rMedia.ID, lMedia.ID}, pub(storage.PublicFilter{OnlyMedia: true}))
	require.Equal(t, []storage.ID{lMedia.ID}, pub(storage.PublicFilter{OnlyMedia: true, LocalOnly: true}))
	got := statusIDs(try(h.s.Statuses().Public(ctx, storage.PublicFilter{}, storage.Page{MaxID: lSelf.ID, Limit: 1})).must(t))
	require.Equal(t, []storage.ID{r1.ID}, got)

	// Count counts statuses but not boosts; local ones with local set.
	require.Equal(t, int64(9), try(h.s.Statuses().Count(ctx, false)).must(t))
	require.Equal(t, int64(5), try(h.s.Statuses().Count(ctx, true)).must(t))
}

// testTagged needs a store of its own: hashtag timelines are global.
func testTagged(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	l, r := h.local(t, "tl"), h.remote(t, "tr", "remote.example", "")
	s1 := h.post(t, l, withTags("go", "rust"))
	s2 := h.post(t, r, withTags("Go"))
	s3 := h.post(t, l, withTags("rust"))
	s4 := h.post(t, r, withTags("#GO", "db"), withMedia)
	s5 := h.post(t, l, withTags("go"), withVisibility(storage.VisibilityUnlisted))
	h.post(t, l, withTags("go"), withVisibility(storage.VisibilityDirect))
	h.boost(t, l, s2)
	h.post(t, l, withTags("gopher")) // a tag is matched whole, not as a prefix

	tag := func(f storage.TagFilter) []storage.ID {
		return statusIDs(try(h.s.Statuses().Tagged(ctx, f, storage.Page{})).must(t))
	}
	require.Equal(t, []storage.ID{s4.ID, s2.ID, s1.ID}, tag(storage.TagFilter{Any: []string{"go"}}), "public only, no boosts")
	require.Equal(t, []storage.ID{s4.ID, s2.ID, s1.ID}, tag(storage.TagFilter{Any: []string{"#GO"}}), "case-insensitive, # ignored")
	require.Equal(t, []storage.ID{s4.ID, s3.ID, s2.ID, s1.ID}, tag(storage.TagFilter{Any: []string{"Go", "RUST"}}))
	require.Equal(t, []storage.ID{s1.ID}, tag(storage.TagFilter{All: []string{"go", "Rust"}}))
	require.Equal(t, []storage.ID{s1.ID}, tag(storage.TagFilter{Any: []string{"rust"}, All: []string{"GO"}}))
	require.Equal(t, []storage.ID{s4.ID, s2.ID}, tag(storage.TagFilter{Any: []string{"go"}, None: []string{"RUST"}}))
	require.Equal(t, []storage.ID{s2.ID}, tag(storage.TagFilter{Any: []string{"go"}, None: []string{"rust", "db"}}))
	require.Equal(t, []storage.ID{s1.ID}, tag(storage.TagFilter{Any: []string{"go"}, LocalOnly: true}))
	require.Equal(t, []storage.ID{s4.ID}, tag(storage.TagFilter{Any: []string{"go"}, OnlyMedia: true}))
	require.Equal(t, []storage.ID{s5.ID, s4.ID, s2.ID, s1.ID}, tag(storage.TagFilter{Any: []string{"go"},
		Visibilities: []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted}}))
	require.Empty(t, tag(storage.TagFilter{Any: []string{"nothing"}}))
	requireEmpty(t, try(h.s.Statuses().Tagged(ctx, storage.TagFilter{None: []string{"go"}}, storage.Page{})).must(t), "only None tags")
	require.Equal(t, []storage.ID{s2.ID}, statusIDs(try(h.s.Statuses().Tagged(ctx, storage.TagFilter{Any: []string{"go"}},
		storage.Page{MaxID: s4.ID, MinID: s1.ID})).must(t)))
}

// testStatusDelete checks that deleting a status removes everything hanging off it.
func testStatusDelete(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	author, fan, booster := h.local(t, "author"), h.local(t, "fan"), h.remote(t, "booster", "remote.example", "")
	st := h.post(t, author, withTags("deleted"))
	keep := h.post(t, author, withTags("deleted"))
	boost := h.boost(t, booster, st)
	reply := h.post(t, fan, replyTo(st))
	require.NoError(t, h.s.Statuses().AddEdit(ctx, &storage.StatusEdit{StatusID: st.ID, AccountID: author.ID, Content: "v1"}))
	require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: fan.ID, StatusID: st.ID}))
	require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: fan.ID, StatusID: keep.ID}))
	require.NoError(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: fan.ID, StatusID: st.ID}))
	require.NoError(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: author.ID, StatusID: st.ID}))
	require.NoError(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: author.ID, FromAccountID: fan.ID, Type: storage.NotifyFavourite, StatusID: st.ID}))
	require.NoError(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: author.ID, FromAccountID: booster.ID, Type: storage.NotifyReblog, StatusID: boost.ID}))
	require.NoError(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: author.ID, FromAccountID: fan.ID, Type: storage.NotifyFollow}))
	home := storage.HomeFeed(fan.ID)
	require.NoError(t, h.s.Feeds().Insert(ctx, home,
		storage.FeedEntry{StatusID: st.ID, AuthorID: author.ID},
		storage.FeedEntry{StatusID: keep.ID, AuthorID: author.ID}))
	require.NoError(t, h.s.Feeds().Insert(ctx, storage.HomeFeed(author.ID), storage.FeedEntry{StatusID: boost.ID, AuthorID: booster.ID, ReblogOfID: st.ID}))

	require.NoError(t, h.s.Statuses().Delete(ctx, st.ID))

	_, err := h.s.Statuses().Get(ctx, st.ID)
	requireNotFound(t, err, "deleted status")
	_, err = h.s.Statuses().Get(ctx, boost.ID)
	requireNotFound(t, err, "boost of a deleted status")
	requireEmpty(t, try(h.s.Statuses().Edits(ctx, st.ID)).must(t), "edits of a deleted status")
	_, err = h.s.Favourites().Get(ctx, fan.ID, st.ID)
	requireNotFound(t, err, "favourite of a deleted status")
	favs := try(h.s.Favourites().ByAccount(ctx, fan.ID, storage.Page{})).must(t)
	require.Len(t, favs, 1)
	require.Equal(t, keep.ID, favs[0].StatusID)
	requireEmpty(t, try(h.s.Bookmarks().ByAccount(ctx, fan.ID, storage.Page{})).must(t), "bookmarks")
	requireEmpty(t, try(h.s.Pins().ByAccount(ctx, author.ID)).must(t), "pins")
	ns := try(h.s.Notifications().List(ctx, author.ID, storage.NotificationFilter{}, storage.Page{})).must(t)
	require.Len(t, ns, 1, "only the notification not about the status is left")
	require.Equal(t, storage.NotifyFollow, ns[0].Type)
	require.Equal(t, []storage.ID{keep.ID}, entryIDs(try(h.s.Feeds().Page(ctx, home, storage.Page{})).must(t)))
	requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.HomeFeed(author.ID), storage.Page{})).must(t), "feed entry of the boost")
	require.Equal(t, []storage.ID{keep.ID}, statusIDs(try(h.s.Statuses().Tagged(ctx, storage.TagFilter{Any: []string{"deleted"}}, storage.Page{})).must(t)))
	got := try(h.s.Statuses().Get(ctx, reply.ID)).must(t)
	require.Equal(t, reply.URI, got.URI, "replies survive their parent")
	require.Equal(t, reply.InReplyToURI, got.InReplyToURI)
	requireNotFound(t, h.s.Statuses().Delete(ctx, st.ID), "deleting twice")
}
