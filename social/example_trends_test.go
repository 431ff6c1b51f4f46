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

// Hashtags trend once two accounts use them on one day; each comes with
// its history, today first.
func ExampleService_TrendingTags() {
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
	svc := social.New(store, urls, nil)
	post := func(name, text string) {
		a, err := store.Accounts().GetByUsername(ctx, name, "")
		if err != nil {
			a = &storage.Account{Username: name, URI: urls.Actor(name)}
			if err := store.Accounts().Create(ctx, a); err != nil {
				log.Fatal(err)
			}
		}
		if _, err := svc.PostStatus(ctx, a, social.PostInput{Text: text}); err != nil {
			log.Fatal(err)
		}
	}
	post("alice", "Learning #Go today")
	post("bob", "#go #herd")
	post("alice", "#Go again, and #solo thoughts")

	trends, err := svc.TrendingTags(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trends {
		fmt.Printf("#%s: %d uses by %d accounts today\n", t.Name, t.History[0].Uses, t.History[0].Accounts)
	}
	// Output:
	// #go: 3 uses by 2 accounts today
}
