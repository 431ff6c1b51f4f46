package social_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// Posting a poll, voting in it and reading the tallies.
func ExampleService_Vote() {
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

	st, err := svc.PostStatus(ctx, alice, social.PostInput{Text: "Tabs or spaces?",
		Poll: &social.PollInput{Options: []string{"tabs", "spaces"}, ExpiresIn: 24 * time.Hour}})
	if err != nil {
		log.Fatal(err)
	}
	p, err := svc.Vote(ctx, bob, st.PollID, []int{1})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range p.Options {
		fmt.Println(o.Title, o.VotesCount)
	}
	_, err = svc.Vote(ctx, bob, st.PollID, []int{0})
	var ve *social.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Message)
	}
	// Output:
	// tabs 0
	// spaces 1
	// You have already voted on this poll
}
