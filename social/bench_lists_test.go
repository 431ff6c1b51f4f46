package social_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// BenchmarkPostStatusFanOutLists measures a post by an account with 1000
// local followers, without lists and with every follower holding it in a
// list (one in ten exclusive): the cost lists add to fan-out.
func BenchmarkPostStatusFanOutLists(b *testing.B) {
	for _, lists := range []bool{false, true} {
		b.Run(fmt.Sprintf("sqlite/lists=%v", lists), func(b *testing.B) { benchFanOutLists(b, openSQLite(b), lists) })
		b.Run(fmt.Sprintf("postgres/lists=%v", lists), func(b *testing.B) { benchFanOutLists(b, openPostgres(b), lists) })
	}
}

func benchFanOutLists(b *testing.B, st storage.Store, withLists bool) {
	const followers = 1000
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
			if !withLists {
				continue
			}
			l := &storage.List{AccountID: a.ID, Title: "stars", Exclusive: i%10 == 0}
			if err := tx.Lists().Create(ctx, l); err != nil {
				return err
			}
			if err := tx.Lists().AddMembers(ctx, l.ID, []storage.ID{star.ID}); err != nil {
				return err
			}
		}
		return nil
	}))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.PostStatus(ctx, star, social.PostInput{Text: fmt.Sprintf("post %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
}
