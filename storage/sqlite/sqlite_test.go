package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

// openTemp opens a fresh store in a temporary directory, closed when t ends.
func openTemp(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return openTemp(t) })
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "does", "not", "exist", "herd.db")
	_, err := sqlite.Open(t.Context(), path, nil)
	require.Error(t, err)
	require.True(t, errors.Is(err, os.ErrNotExist), "want a not-exist error, got %v", err)
	require.Contains(t, err.Error(), filepath.Dir(path), "the error names the directory")
	_, statErr := os.Stat(filepath.Dir(path))
	require.True(t, errors.Is(statErr, os.ErrNotExist), "Open does not create directories")
}

func TestOpenParentIsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	_, err := sqlite.Open(t.Context(), filepath.Join(file, "herd.db"), nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), "not a directory")
}

func TestOpenEmptyPath(t *testing.T) {
	_, err := sqlite.Open(t.Context(), "", nil)
	require.Error(t, err)
}

func TestOpenReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop root from writing, so a read-only directory cannot be tested (TestOpenParentIsFile covers an unwritable path)")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	require.NoError(t, os.Mkdir(dir, 0o555))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	_, err := sqlite.Open(t.Context(), filepath.Join(dir, "herd.db"), nil)
	require.Error(t, err, "a database cannot be created in a read-only directory")
}

func TestOpenReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop root from writing")
	}
	path := filepath.Join(t.TempDir(), "herd.db")
	s, err := sqlite.Open(t.Context(), path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, os.Chmod(path, 0o444))
	_, err = sqlite.Open(t.Context(), path, nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), "not writable")
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "herd.db")

	s, err := sqlite.Open(ctx, path, &sqlite.Options{SkipMigrations: true})
	require.NoError(t, err)
	ms, err := sqlite.Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	ran, err := s.Migrate(ctx)
	require.NoError(t, err)
	require.Len(t, ran, len(ms), "the first Migrate applies every migration")
	ran, err = s.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, ran, "the second Migrate applies nothing")
	require.NoError(t, s.Close())

	// Opening again (which migrates) and migrating once more apply nothing.
	s, err = sqlite.Open(ctx, path, nil)
	require.NoError(t, err)
	defer s.Close()
	ran, err = s.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, ran)
	var n int
	require.NoError(t, s.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations"))
	require.Equal(t, len(ms), n, "each migration is recorded once")
}

func TestSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "herd.db")
	s, err := sqlite.Open(ctx, path, nil)
	require.NoError(t, err)
	a := &storage.Account{Username: "durable", URI: "https://herd.example/users/durable", DisplayName: "Dürable 🐘"}
	require.NoError(t, s.Accounts().Create(ctx, a))
	st := &storage.Status{AccountID: a.ID, URI: a.URI + "/statuses/1", Local: true, Content: "<p>still here</p>", Tags: storage.Strings{"kept"}}
	require.NoError(t, s.Statuses().Create(ctx, st))
	var inTx *storage.Account
	require.NoError(t, s.Tx(ctx, func(tx storage.Store) error {
		inTx = &storage.Account{Username: "committed", URI: "https://herd.example/users/committed"}
		return tx.Accounts().Create(ctx, inTx)
	}))
	require.NoError(t, s.Close())

	s, err = sqlite.Open(ctx, path, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Accounts().Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got)
	gotSt, err := s.Statuses().Get(ctx, st.ID)
	require.NoError(t, err)
	require.Equal(t, st, gotSt)
	_, err = s.Accounts().Get(ctx, inTx.ID)
	require.NoError(t, err, "a committed transaction survives a reopen")
	tagged, err := s.Statuses().Tagged(ctx, storage.TagFilter{Any: []string{"kept"}}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, tagged, 1)
}

func TestConcurrentOpenSameFile(t *testing.T) {
	// Two stores on one file (two processes sharing a database) both work.
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "herd.db")
	s1, err := sqlite.Open(ctx, path, nil)
	require.NoError(t, err)
	defer s1.Close()
	s2, err := sqlite.Open(ctx, path, nil)
	require.NoError(t, err)
	defer s2.Close()
	a := &storage.Account{Username: "shared", URI: "https://herd.example/users/shared"}
	require.NoError(t, s1.Accounts().Create(ctx, a))
	got, err := s2.Accounts().Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a.Username, got.Username)
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "herd-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	a := &storage.Account{Username: "alice", URI: "https://herd.example/users/alice"}
	if err := s.Accounts().Create(ctx, a); err != nil {
		panic(err)
	}
	got, err := s.Accounts().GetByUsername(ctx, "ALICE", "")
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Username, got.Local())
	// Output: alice true
}
