package media_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres/pgtest"
	"github.com/herd-social/herd/storage/sqlite"
)

// TestFetchProfileRace: processes sharing a store and a blob store cache
// the same remote avatar at the same time: one copy wins, the others'
// files are deleted, and the account points at the winner's.
func TestFetchProfileRace(t *testing.T) {
	open := map[string]func(t *testing.T) storage.Store{
		"sqlite": func(t *testing.T) storage.Store {
			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herd.db"), nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			return st
		},
		"postgres": func(t *testing.T) storage.Store { return pgtest.Open(t, "herd_media_") },
	}
	for name, open := range open {
		t.Run(name, func(t *testing.T) {
			const procs = 4
			ctx := t.Context()
			st := open(t)
			blobs := newFS(t)
			avatar := encPNG(t, photo(300, 300))
			// The remote server answers once every process has asked, so
			// that they all download before any records its copy.
			var arrived sync.WaitGroup
			arrived.Add(procs)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived.Done()
				arrived.Wait()
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(avatar)
			}))
			t.Cleanup(srv.Close)
			acct := &storage.Account{Username: "erin", Domain: "remote.example", URI: "https://remote.example/users/erin",
				AvatarURL: srv.URL + "/avatar.png", AvatarRemoteURL: srv.URL + "/avatar.png"}
			require.NoError(t, st.Accounts().Create(ctx, acct))

			var wg sync.WaitGroup
			for range procs {
				proc := media.NewProcessor(&media.ProcessorOptions{TempDir: t.TempDir()})
				svc := media.NewService(st, blobs, proc, media.PublicURL("https://herd.example/media"), nil)
				t.Cleanup(func() { _ = svc.Close(context.Background()) })
				f := media.NewFetcher(svc, loopbackClient(true), nil)
				t.Cleanup(func() { _ = f.Close(context.Background()) })
				wg.Go(func() { assert.NoError(t, f.FetchProfile(ctx, acct.ID)) })
			}
			wg.Wait()

			a, err := st.Accounts().Get(ctx, acct.ID)
			require.NoError(t, err)
			id := media.ProfileMediaID(a, media.ExtraAvatarMedia)
			require.NotZero(t, id, "the account points at a cached copy")
			m, err := st.MediaAttachments().Get(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, "https://herd.example/media/"+m.FileKey, a.AvatarURL)
			assert.Equal(t, acct.AvatarRemoteURL, a.AvatarRemoteURL)
			list, err := blobs.List(ctx, "", "", 1000)
			require.NoError(t, err)
			var keys []string
			for _, b := range list {
				keys = append(keys, b.Key)
			}
			assert.ElementsMatch(t, []string{m.FileKey, m.PreviewKey}, keys, "the losers' files are deleted")
			n, err := st.MediaAttachments().CountRemoteCached(ctx, time.Now().Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, int64(1), n, "one cached record: the winner's")
		})
	}
}
