package mastoapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// BenchmarkStreamStatusForViewers renders one streamed status for 20
// followers of its author: per viewer through RenderStatusJSON (what the
// streaming Handler did before), and prepared once then per viewer through
// ForViewer (what it does now). Reported per event (all 20 viewers).
//
//	go test -run '^$' -bench StreamStatusForViewers -benchmem ./mastoapi
func BenchmarkStreamStatusForViewers(b *testing.B) {
	e := newEnv(b, nil)
	ctx := context.Background()
	svc := social.New(e.store, e.urls, nil)
	author, _ := e.createUser("author", "password-author")
	var viewers []*storage.Account
	for i := range 20 {
		v, _ := e.createUser(fmt.Sprintf("viewer%d", i), "password-viewer")
		_, err := svc.Follow(ctx, v, author.ID, social.FollowOptions{})
		require.NoError(b, err)
		viewers = append(viewers, v)
	}
	st, err := svc.PostStatus(ctx, author, social.PostInput{Text: "Hello #bench, @viewer1", Visibility: storage.VisibilityPublic})
	require.NoError(b, err)

	b.Run("RenderStatusJSON", func(b *testing.B) {
		for b.Loop() {
			for _, v := range viewers {
				if _, err := e.api.RenderStatusJSON(ctx, v, st.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("Prepared", func(b *testing.B) {
		for b.Loop() {
			p, err := e.api.PrepareStreamStatus(ctx, st.ID)
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range viewers {
				if _, err := p.ForViewer(ctx, v); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
