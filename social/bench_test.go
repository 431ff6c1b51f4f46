package social_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// BenchmarkPostStatusFanOut10k posts a status by an account with 10,000
// local followers: one post fans out to 10,001 home feeds.
func BenchmarkPostStatusFanOut10k(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchFanOut(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchFanOut(b, openPostgres(b)) })
}

func benchFanOut(b *testing.B, st storage.Store) {
	const followers = 10000
	ctx := context.Background()
	urls, err := social.NewURLs("https://herd.example")
	require.NoError(b, err)
	svc := social.New(st, urls, nil)
	star := &storage.Account{Username: "star", URI: urls.Actor("star")}
	require.NoError(b, st.Accounts().Create(ctx, star))
	require.NoError(b, st.Tx(ctx, func(tx storage.Store) error {
		for i := 0; i < followers; i++ {
			name := fmt.Sprintf("f%d", i)
			a := &storage.Account{Username: name, URI: urls.Actor(name)}
			if err := tx.Accounts().Create(ctx, a); err != nil {
				return err
			}
			if err := tx.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: star.ID, ShowReblogs: true}); err != nil {
				return err
			}
		}
		return nil
	}))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := svc.PostStatus(ctx, star, social.PostInput{Text: fmt.Sprintf("post %d #bench https://example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.StopTimer()
			n, err := st.Feeds().Page(ctx, storage.HomeFeed(star.ID), storage.Page{Limit: 1})
			require.NoError(b, err)
			require.Equal(b, s.ID, n[0].StatusID)
			b.StartTimer()
		}
	}
}
