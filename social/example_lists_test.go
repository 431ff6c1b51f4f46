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

// An exclusive list: the members' statuses go to the list's timeline
// instead of the home timeline.
func ExampleService_CreateList() {
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
	newAccount := func(name string) *storage.Account {
		a := &storage.Account{Username: name, URI: urls.Actor(name), URL: urls.Profile(name)}
		if err := store.Accounts().Create(ctx, a); err != nil {
			log.Fatal(err)
		}
		return a
	}
	alice, bob := newAccount("alice"), newAccount("bob")
	if _, err := svc.Follow(ctx, alice, bob.ID, social.FollowOptions{}); err != nil {
		log.Fatal(err)
	}

	title, exclusive := "Bob's corner", true
	l, err := svc.CreateList(ctx, alice, social.ListInput{Title: &title, Exclusive: &exclusive})
	if err != nil {
		log.Fatal(err)
	}
	if err := svc.AddToList(ctx, alice, l.ID, []storage.ID{bob.ID}); err != nil {
		log.Fatal(err)
	}
	if _, err := svc.PostStatus(ctx, bob, social.PostInput{Text: "for the list"}); err != nil {
		log.Fatal(err)
	}

	page, err := svc.ListPage(ctx, alice, l.ID, storage.Page{})
	if err != nil {
		log.Fatal(err)
	}
	home, err := svc.Home(ctx, alice, storage.Page{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Title, l.RepliesPolicy)
	fmt.Println("list:", len(page.Statuses), "home:", len(home))
	// Output:
	// Bob's corner list
	// list: 1 home: 0
}
