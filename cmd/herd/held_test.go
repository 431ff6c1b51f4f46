package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// TestHeldPosts holds a new account's post through the policy, then lists,
// releases and discards held posts with the CLI.
func TestHeldPosts(t *testing.T) {
	dir := t.TempDir()
	e := env(map[string]string{"HERD_DATA": dir})
	do := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(context.Background(), append([]string{"held"}, args...), e, &out, &errs)
		return code, out.String(), errs.String()
	}
	code, _, errs := do("list") // creates and migrates the database
	require.Equal(t, 0, code, errs)

	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	require.NoError(t, err)
	author := &storage.Account{Username: "newbie", Domain: "fresh.example", URI: "https://fresh.example/users/newbie",
		InboxURI: "https://fresh.example/users/newbie/inbox", CreatedAt: time.Now().UTC()}
	require.NoError(t, st.Accounts().Create(ctx, author))
	held := func(n string) *storage.HeldPost {
		note := &ap.Object{ID: author.URI + "/statuses/" + n, Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(author.URI)},
			Content: "<p>post " + n + "</p>", To: []string{ap.Public}}
		act := moderation.NewActivity(&ap.Object{ID: note.ID + "/activity", Type: ap.TypeCreate, Actor: ap.IRIRef(author.URI),
			To: note.To, Object: ap.Refs{ap.Embed(note)}}, author)
		a := &app{store: &storeHandle{Store: st}}
		policy := moderation.NewAccountHoldPolicy(24*time.Hour, nil, a.holdPost)
		d := policy.Filter(ctx, act)
		require.Equal(t, moderation.VerdictDrop, d.Verdict)
		assert.Contains(t, d.Reason, "held for review")
		list, err := st.HeldPosts().List(ctx, storage.Page{Limit: 40})
		require.NoError(t, err)
		for _, h := range list {
			if h.URI == note.ID {
				return h
			}
		}
		t.Fatalf("%s not held", note.ID)
		return nil
	}
	one, two := held("1"), held("2")
	require.NoError(t, st.Close())

	code, out, errs := do("list")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, one.URI)
	assert.Contains(t, out, "first seen")
	code, out, errs = do("release", one.ID.String())
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "released "+one.URI)
	code, out, errs = do("discard", two.ID.String())
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "discarded "+two.URI)
	code, out, _ = do("list")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "fresh.example")
	code, _, _ = do("release", "12345")
	assert.Equal(t, 1, code)

	st, err = sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	require.NoError(t, err)
	defer st.Close()
	got, err := st.Statuses().GetByURI(ctx, one.URI)
	require.NoError(t, err, "the released post is stored")
	assert.Contains(t, got.Content, "post 1")
	_, err = st.Statuses().GetByURI(ctx, two.URI)
	assert.ErrorIs(t, err, storage.ErrNotFound, "the discarded one is not")
	log, err := st.AuditLog().List(ctx, storage.AuditFilter{}, storage.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, log, 2)
}
