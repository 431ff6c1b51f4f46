package social_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// Posting a status and reading it in a follower's home timeline.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herd-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	urls, err := social.NewURLs("https://herd.example")
	if err != nil {
		log.Fatal(err)
	}
	events := social.EventSinkFunc(func(_ context.Context, e social.Event) {
		if e.Type == social.EventStatusCreated {
			fmt.Printf("event %s to %d home feeds\n", e.Type, len(e.HomeFeeds))
		}
	})
	svc := social.New(store, urls, &social.Options{Events: events})

	// Accounts usually come from social.CreateUser; plain records do for an example.
	newAccount := func(name string) *storage.Account {
		a := &storage.Account{Username: name, URI: urls.Actor(name), URL: urls.Profile(name)}
		if err := store.Accounts().Create(ctx, a); err != nil {
			log.Fatal(err)
		}
		return a
	}
	alice, bob := newAccount("alice"), newAccount("bob")
	if _, err := svc.Follow(ctx, bob, alice.ID, social.FollowOptions{}); err != nil {
		log.Fatal(err)
	}

	st, err := svc.PostStatus(ctx, alice, social.PostInput{Text: "Hello @bob, welcome to #herd!"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Visibility, st.Tags)

	home, err := svc.Home(ctx, bob, storage.Page{Limit: 20})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range home {
		fmt.Println(s.Content)
	}
	// Output:
	// event status.created to 2 home feeds
	// public [herd]
	// <p>Hello <span class="h-card" translate="no"><a href="https://herd.example/@bob" class="u-url mention">@<span>bob</span></a></span>, welcome to <a href="https://herd.example/tags/herd" class="mention hashtag" rel="tag">#<span>herd</span></a>!</p>
}
