package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage/postgres"
	"github.com/herd-social/herd/storage/storagetest"
)

func BenchmarkInsertStatus(b *testing.B) {
	storagetest.BenchmarkInsertStatus(b, openFresh(b))
}

func BenchmarkVote(b *testing.B) {
	storagetest.BenchmarkVote(b, openFresh(b))
}

// BenchmarkHomePage reads home-timeline pages from a seeded schema: 20,000
// statuses by default, 1,000,000 with HERD_BENCH_LARGE=1. The seeded schema
// is kept in the test database under a name keyed by the seed and the
// schema, so that later runs do not seed again (HERD_BENCH_RESEED=1 forces
// a new seed).
func BenchmarkHomePage(b *testing.B) {
	seed := storagetest.SmallHomeSeed()
	if os.Getenv("HERD_BENCH_LARGE") == "1" {
		seed = storagetest.LargeHomeSeed()
	}
	s, fx := seededStore(b, seed)
	storagetest.BenchmarkHomePage(b, s, fx)
}

func seededStore(b *testing.B, seed storagetest.HomeSeed) (*postgres.Store, storagetest.HomeFixture) {
	b.Helper()
	ctx := context.Background()
	base := baseDSN(b)
	ms, err := postgres.Migrations()
	if err != nil {
		b.Fatal(err)
	}
	schemaSQL := make([]string, len(ms))
	for i, m := range ms {
		schemaSQL[i] = m.SQL
	}
	prefix := fmt.Sprintf("herd_bench_%d_", seed.Statuses)
	schema := prefix + seed.Key(schemaSQL...)
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()

	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, withSearchPath(base, schema), nil)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	if os.Getenv("HERD_BENCH_RESEED") != "1" {
		var exists bool
		if err := admin.Get(&exists, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema); err != nil {
			b.Fatal(err)
		}
		if exists {
			s := open()
			fx, ok, err := storagetest.LoadHome(ctx, s.DB())
			if err != nil {
				b.Fatal(err)
			}
			if ok {
				b.Cleanup(func() { s.Close() })
				return s, fx
			}
			s.Close()
		}
	}
	// Drop the seeds of this size for older schemas, then seed afresh.
	var old []string
	if err := admin.Select(&old, "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", prefix); err != nil {
		b.Fatal(err)
	}
	for _, o := range old {
		if _, err := admin.Exec("DROP SCHEMA " + o + " CASCADE"); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	s := open()
	fx, err := storagetest.SeedHome(ctx, s.DB(), seed)
	if err != nil {
		s.Close()
		b.Fatal(err)
	}
	b.Logf("seeded %d statuses into schema %s in %s", seed.Statuses, schema, time.Since(start).Round(time.Millisecond))
	b.Cleanup(func() { s.Close() })
	return s, fx
}
