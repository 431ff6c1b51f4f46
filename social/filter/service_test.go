package filter_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/filter"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

type events struct {
	mu  sync.Mutex
	got []social.Event
}

func (e *events) Publish(_ context.Context, ev social.Event) {
	e.mu.Lock()
	e.got = append(e.got, ev)
	e.mu.Unlock()
}

func (e *events) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.got)
}

type fixture struct {
	store  storage.Store
	svc    *filter.Service
	events *events
	alice  *storage.Account
	bob    *storage.Account
	now    time.Time
}

func newFixture(t *testing.T, opts *filter.Options) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, events: &events{}, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	var o filter.Options
	if opts != nil {
		o = *opts
	}
	o.Events = f.events
	o.Now = func() time.Time { return f.now }
	f.svc = filter.New(st, &o)
	for _, name := range []string{"alice", "bob"} {
		a := &storage.Account{Username: name, URI: "https://herd.example/users/" + name}
		require.NoError(t, st.Accounts().Create(t.Context(), a))
		if name == "alice" {
			f.alice = a
		} else {
			f.bob = a
		}
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func TestServiceCRUD(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	g, err := f.svc.Create(ctx, f.alice, filter.Input{Title: "Spoilers", Context: []string{"home", "public", "home"},
		ExpiresIn: time.Hour, Keywords: []filter.KeywordChange{{Keyword: "ending"}, {Keyword: "plot", WholeWord: ptr(false)}, {Keyword: "skip", Destroy: true}}})
	require.NoError(t, err)
	assert.Equal(t, storage.FilterWarn, g.Filter.Action)
	assert.Equal(t, storage.Strings{"home", "public"}, g.Filter.Context, "contexts deduplicated")
	require.NotNil(t, g.Filter.ExpiresAt)
	assert.True(t, f.now.Add(time.Hour).Equal(*g.Filter.ExpiresAt))
	require.Len(t, g.Keywords, 2)
	assert.True(t, g.Keywords[0].WholeWord, "whole_word defaults to true")
	assert.False(t, g.Keywords[1].WholeWord)
	assert.Equal(t, 1, f.events.count())
	assert.Equal(t, social.EventFiltersChanged, f.events.got[0].Type)
	assert.Equal(t, f.alice.ID, f.events.got[0].Actor.ID)

	// Someone else's filter does not exist.
	_, err = f.svc.Get(ctx, f.bob, g.Filter.ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
	_, err = f.svc.Update(ctx, f.bob, g.Filter.ID, filter.Update{Title: ptr("mine")})
	assert.ErrorIs(t, err, social.ErrNotFound)
	assert.ErrorIs(t, f.svc.Delete(ctx, f.bob, g.Filter.ID), social.ErrNotFound)
	_, _, err = f.svc.Keyword(ctx, f.bob, g.Keywords[0].ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
	bobs, err := f.svc.List(ctx, f.bob)
	require.NoError(t, err)
	assert.Empty(t, bobs)

	// Update: title, action, expiry removed, one keyword changed, one
	// removed, one added.
	g, err = f.svc.Update(ctx, f.alice, g.Filter.ID, filter.Update{Title: ptr("Plot"), Action: ptr(storage.FilterHide), ExpiresIn: ptr(time.Duration(0)),
		Keywords: []filter.KeywordChange{{ID: g.Keywords[0].ID, Keyword: "finale"}, {ID: g.Keywords[1].ID, Destroy: true}, {Keyword: "twist"}}})
	require.NoError(t, err)
	assert.Equal(t, "Plot", g.Filter.Title)
	assert.Equal(t, storage.FilterHide, g.Filter.Action)
	assert.Nil(t, g.Filter.ExpiresAt)
	assert.Equal(t, storage.Strings{"home", "public"}, g.Filter.Context, "unchanged")
	require.Len(t, g.Keywords, 2)
	assert.Equal(t, "finale", g.Keywords[0].Keyword)
	assert.True(t, g.Keywords[0].WholeWord, "kept")
	assert.Equal(t, "twist", g.Keywords[1].Keyword)

	// Keywords and statuses one by one.
	k, err := f.svc.AddKeyword(ctx, f.alice, g.Filter.ID, "reveal", false)
	require.NoError(t, err)
	k, err = f.svc.UpdateKeyword(ctx, f.alice, k.ID, ptr("revealed"), nil)
	require.NoError(t, err)
	assert.Equal(t, "revealed", k.Keyword)
	assert.False(t, k.WholeWord)
	kws, err := f.svc.Keywords(ctx, f.alice, g.Filter.ID)
	require.NoError(t, err)
	assert.Len(t, kws, 3)
	require.NoError(t, f.svc.DeleteKeyword(ctx, f.alice, k.ID))
	assert.ErrorIs(t, f.svc.DeleteKeyword(ctx, f.alice, k.ID), social.ErrNotFound)

	st := &storage.Status{AccountID: f.bob.ID, URI: "https://herd.example/s/1", Visibility: storage.VisibilityPublic, Local: true}
	require.NoError(t, f.store.Statuses().Create(ctx, st))
	fs, err := f.svc.AddStatus(ctx, f.alice, g.Filter.ID, st.ID)
	require.NoError(t, err)
	assert.Equal(t, st.ID, fs.StatusID)
	_, err = f.svc.AddStatus(ctx, f.alice, g.Filter.ID, st.ID)
	var ve *social.ValidationError
	require.ErrorAs(t, err, &ve, "a status is filtered once")
	_, err = f.svc.AddStatus(ctx, f.alice, g.Filter.ID, 999999)
	assert.ErrorIs(t, err, social.ErrNotFound)
	_, err = f.svc.Status(ctx, f.bob, fs.ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
	sts, err := f.svc.Statuses(ctx, f.alice, g.Filter.ID)
	require.NoError(t, err)
	require.Len(t, sts, 1)
	removed, err := f.svc.RemoveStatus(ctx, f.alice, fs.ID)
	require.NoError(t, err)
	assert.Equal(t, fs.ID, removed.ID)

	n := f.events.count()
	require.NoError(t, f.svc.Delete(ctx, f.alice, g.Filter.ID))
	assert.Equal(t, n+1, f.events.count())
	_, err = f.svc.Get(ctx, f.alice, g.Filter.ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
}

func TestServiceValidation(t *testing.T) {
	f := newFixture(t, &filter.Options{MaxFilters: 2, MaxKeywords: 3})
	ctx := t.Context()
	field := func(err error) string {
		var ve *social.ValidationError
		if errors.As(err, &ve) {
			return ve.Field
		}
		return "not a validation error: " + err.Error()
	}
	_, err := f.svc.Create(ctx, f.alice, filter.Input{Context: []string{"home"}})
	assert.Equal(t, "title", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x"})
	assert.Equal(t, "context", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home", "nowhere"}})
	assert.Equal(t, "context", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, Action: "delete"})
	assert.Equal(t, "filter_action", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, ExpiresIn: -time.Second})
	assert.Equal(t, "expires_in", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, Keywords: []filter.KeywordChange{{Keyword: " "}}})
	assert.Equal(t, "keyword", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, Keywords: []filter.KeywordChange{{ID: 5, Keyword: "a"}}})
	assert.ErrorIs(t, err, social.ErrNotFound, "keyword IDs are refused on create")
	assert.Equal(t, 0, f.events.count(), "failures change nothing")
	all, err := f.svc.List(ctx, f.alice)
	require.NoError(t, err)
	assert.Empty(t, all, "failed creations leave nothing behind")

	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, Keywords: []filter.KeywordChange{{Keyword: "a"}, {Keyword: "b"}, {Keyword: "c"}, {Keyword: "d"}}})
	assert.Equal(t, "keywords", field(err))
	g, err := f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, Keywords: []filter.KeywordChange{{Keyword: "a"}, {Keyword: "b"}, {Keyword: "c"}}})
	require.NoError(t, err)
	_, err = f.svc.AddKeyword(ctx, f.alice, g.Filter.ID, "d", true)
	assert.Equal(t, "keywords", field(err))
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "y", Context: []string{"home"}})
	require.NoError(t, err)
	_, err = f.svc.Create(ctx, f.alice, filter.Input{Title: "z", Context: []string{"home"}})
	assert.Equal(t, "filters", field(err))
	_, err = f.svc.List(ctx, nil)
	assert.ErrorIs(t, err, social.ErrForbidden)
}

func TestServiceSetCache(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	set, err := f.svc.Set(ctx, f.alice.ID)
	require.NoError(t, err)
	assert.True(t, set.Empty())
	again, err := f.svc.Set(ctx, f.alice.ID)
	require.NoError(t, err)
	assert.Same(t, set, again, "cached")

	// A change through the service invalidates the cache at once.
	g, err := f.svc.Create(ctx, f.alice, filter.Input{Title: "x", Context: []string{"home"}, Keywords: []filter.KeywordChange{{Keyword: "cat"}}})
	require.NoError(t, err)
	set, err = f.svc.Set(ctx, f.alice.ID)
	require.NoError(t, err)
	require.Len(t, set.Groups(), 1)
	assert.Len(t, set.Match(nil, filter.Text{Content: "a cat"}, f.now), 1)

	// A change behind the service's back (another process) shows once the
	// entry expires; with the cache off, at once.
	require.NoError(t, f.store.Filters().CreateKeyword(ctx, &storage.FilterKeyword{FilterID: g.Filter.ID, Keyword: "dog"}))
	set, err = f.svc.Set(ctx, f.alice.ID)
	require.NoError(t, err)
	assert.Empty(t, set.Match(nil, filter.Text{Content: "a dog"}, f.now), "still cached")
	off := filter.New(f.store, &filter.Options{CacheTTL: -1})
	set, err = off.Set(ctx, f.alice.ID)
	require.NoError(t, err)
	assert.Len(t, set.Match(nil, filter.Text{Content: "a dog"}, f.now), 1)
}

func TestV1Mapping(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	v, err := f.svc.CreateV1(ctx, f.alice, filter.V1Input{Phrase: "Spoiler", Context: []string{"home", "thread"}, Irreversible: ptr(true)})
	require.NoError(t, err)
	assert.True(t, v.Irreversible())
	assert.Equal(t, storage.FilterHide, v.Filter.Action)
	assert.Equal(t, "Spoiler", v.Filter.Title)
	assert.False(t, v.Keyword.WholeWord, "v1 whole_word defaults to false")

	v, err = f.svc.UpdateV1(ctx, f.alice, v.Keyword.ID, filter.V1Input{Phrase: "Spoilers", Context: []string{"public"}, Irreversible: ptr(false), WholeWord: ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, "Spoilers", v.Keyword.Keyword)
	assert.Equal(t, "Spoilers", v.Filter.Title)
	assert.Equal(t, storage.Strings{"public"}, v.Filter.Context)
	assert.False(t, v.Irreversible())
	assert.True(t, v.Keyword.WholeWord)

	// A filter with several keywords changes only its keyword through v1.
	_, err = f.svc.AddKeyword(ctx, f.alice, v.Filter.ID, "ending", true)
	require.NoError(t, err)
	_, err = f.svc.UpdateV1(ctx, f.alice, v.Keyword.ID, filter.V1Input{Context: []string{"home"}})
	var ve *social.ValidationError
	require.ErrorAs(t, err, &ve)
	v, err = f.svc.UpdateV1(ctx, f.alice, v.Keyword.ID, filter.V1Input{Context: []string{"public"}, WholeWord: ptr(false)})
	require.NoError(t, err, "nothing of the filter changes")
	assert.False(t, v.Keyword.WholeWord)

	list, err := f.svc.ListV1(ctx, f.alice)
	require.NoError(t, err)
	assert.Len(t, list, 2, "one v1 filter per keyword")
	_, err = f.svc.GetV1(ctx, f.bob, v.Keyword.ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
	_, err = f.svc.CreateV1(ctx, f.alice, filter.V1Input{Context: []string{"home"}})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "phrase", ve.Field)
}
