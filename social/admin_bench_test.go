package social_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// BenchmarkPublicTimelineLimited reads a 40-status public timeline page by
// 20 authors as an anonymous viewer, with none or half of the authors
// limited (silenced): the cost of the limited-account filter.
func BenchmarkPublicTimelineLimited(b *testing.B) {
	for _, limitedShare := range []int{0, 2} {
		b.Run(fmt.Sprintf("limited=%v", limitedShare != 0), func(b *testing.B) {
			st := openSQLite(b)
			urls, err := social.NewURLs("https://herd.example")
			require.NoError(b, err)
			svc := social.New(st, urls, nil)
			now := time.Now()
			for i := range 20 {
				name := fmt.Sprintf("author%d", i)
				a := &storage.Account{Username: name, URI: urls.Actor(name), Indexable: true}
				if limitedShare != 0 && i%limitedShare == 0 {
					a.SilencedAt = &now
				}
				require.NoError(b, st.Accounts().Create(b.Context(), a))
				for j := range 10 {
					require.NoError(b, st.Statuses().Create(b.Context(), &storage.Status{AccountID: a.ID, URI: fmt.Sprintf("%s/%d", a.URI, j),
						Local: true, Content: "post", Visibility: storage.VisibilityPublic}))
				}
			}
			b.ResetTimer()
			for b.Loop() {
				sts, err := svc.Public(b.Context(), nil, storage.PublicFilter{}, storage.Page{Limit: 40})
				if err != nil || len(sts) != 40 {
					b.Fatalf("got %d, %v", len(sts), err)
				}
			}
		})
	}
}
