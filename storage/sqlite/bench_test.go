package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

func BenchmarkInsertStatus(b *testing.B) {
	storagetest.BenchmarkInsertStatus(b, openTemp(b))
}

func BenchmarkVote(b *testing.B) {
	storagetest.BenchmarkVote(b, openTemp(b))
}

// BenchmarkHomePage reads home-timeline pages from a seeded database: 20,000
// statuses by default, 1,000,000 with HERD_BENCH_LARGE=1. The seeded file is
// cached in os.TempDir() under a key of the seed and the schema, so that
// later runs do not seed again.
func BenchmarkHomePage(b *testing.B) {
	seed := storagetest.SmallHomeSeed()
	if os.Getenv("HERD_BENCH_LARGE") == "1" {
		seed = storagetest.LargeHomeSeed()
	}
	s, fx := seededStore(b, seed)
	storagetest.BenchmarkHomePage(b, s, fx)
}

// seededStore opens the cached database seeded with seed, seeding it first
// when there is none.
func seededStore(b *testing.B, seed storagetest.HomeSeed) (*sqlite.Store, storagetest.HomeFixture) {
	b.Helper()
	ctx := context.Background()
	ms, err := sqlite.Migrations()
	if err != nil {
		b.Fatal(err)
	}
	schema := make([]string, len(ms))
	for i, m := range ms {
		schema[i] = m.SQL
	}
	const prefix = "herd-bench-home-"
	suffix := fmt.Sprintf("-%d.db", seed.Statuses)
	path := filepath.Join(os.TempDir(), prefix+seed.Key(schema...)+suffix)
	if _, err := os.Stat(path); err != nil {
		// Drop databases cached for an older schema, then seed a new one
		// beside the final name and move it there when complete.
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"+suffix))
		for _, o := range old {
			for _, ext := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(o + ext)
			}
		}
		tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
		start := time.Now()
		s, err := sqlite.Open(ctx, tmp, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := storagetest.SeedHome(ctx, s.DB(), seed); err != nil {
			s.Close()
			b.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		for _, ext := range []string{"-wal", "-shm"} {
			_ = os.Remove(tmp + ext)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d statuses into %s in %s", seed.Statuses, path, time.Since(start).Round(time.Millisecond))
	}
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	fx, ok, err := storagetest.LoadHome(ctx, s.DB())
	if err != nil || !ok {
		b.Fatalf("cached database %s holds no seed (err %v); delete it", path, err)
	}
	return s, fx
}
