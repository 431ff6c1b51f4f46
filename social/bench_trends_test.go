package social_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres"
)

// BenchmarkTrends computes the trending hashtags and statuses (what the
// API caches for five minutes) on an instance of 500 accounts with 10,000
// public statuses in the last week (a third of them tagged, from 300
// hashtags of skewed popularity, a tenth with interactions) and 10,000
// older ones that the computation must not read.
func BenchmarkTrends(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchTrends(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchTrends(b, openPostgres(b)) })
}

func benchTrends(b *testing.B, st storage.Store) {
	benchTrendsRun(context.Background(), b, benchSetupOnly(b, st))
}

// benchSetupOnly fills st with the benchmark's instance.
func benchSetupOnly(b testing.TB, st storage.Store) *social.Service {
	const (
		accounts = 500
		recent   = 10000
		older    = 10000
	)
	ctx := context.Background()
	urls, err := social.NewURLs("https://herd.example")
	require.NoError(b, err)
	svc := social.New(st, urls, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.2, 1, 299)
	now := time.Now().UTC()
	require.NoError(b, st.Tx(ctx, func(tx storage.Store) error {
		accts := make([]*storage.Account, accounts)
		for i := range accts {
			name := fmt.Sprintf("u%d", i)
			accts[i] = &storage.Account{Username: name, URI: urls.Actor(name), Discoverable: true}
			if err := tx.Accounts().Create(ctx, accts[i]); err != nil {
				return err
			}
		}
		for i := 0; i < recent+older; i++ {
			age := time.Duration(rng.Int64N(int64(7 * 24 * time.Hour)))
			if i >= recent {
				age += 8 * 24 * time.Hour
			}
			a := accts[rng.IntN(accounts)]
			s := &storage.Status{ID: storage.IDAt(now.Add(-age)), AccountID: a.ID, URI: fmt.Sprintf("%s/statuses/%d", a.URI, i),
				Local: true, Content: "<p>bench</p>", Visibility: storage.VisibilityPublic}
			if i%3 == 0 {
				s.Tags = storage.Strings{fmt.Sprintf("tag%d", zipf.Uint64())}
			}
			if err := tx.Statuses().Create(ctx, s); err != nil {
				return err
			}
			if i%10 == 0 {
				if err := tx.Statuses().AdjustCounts(ctx, s.ID, 0, rng.Int64N(5), rng.Int64N(20)); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	if pg, ok := st.(*postgres.Store); ok {
		// As autovacuum would on a running server: the planner needs
		// statistics to pick joins.
		_, err := pg.Writer().ExecContext(ctx, "ANALYZE")
		require.NoError(b, err)
	}
	return svc
}

func benchTrendsRun(ctx context.Context, b *testing.B, svc *social.Service) {
	b.Run("tags", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			tags, err := svc.TrendingTags(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if len(tags) == 0 {
				b.Fatal("no trending tags")
			}
		}
	})
	b.Run("statuses", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ids, err := svc.TrendingStatuses(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if len(ids) == 0 {
				b.Fatal("no trending statuses")
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		ids, err := svc.TrendingStatuses(ctx)
		require.NoError(b, err)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			pg, err := svc.TrendingStatusesPage(ctx, nil, ids, 0, 20)
			if err != nil || len(pg.Statuses) != 20 {
				b.Fatal(err, len(pg.Statuses))
			}
		}
	})
}
