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

// Limiting an account: its posts leave the public timeline for everyone
// but its followers, and the action is in the audit log.
func ExampleService_TakeAccountAction() {
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
	urls, _ := social.NewURLs("https://herd.example")
	svc := social.New(store, urls, nil)
	newUser := func(name string) *storage.Account {
		a, _, err := social.CreateUser(ctx, store, urls, social.NewUser{Username: name, Email: name + "@herd.example",
			Password: "correct horse battery", Approved: true})
		if err != nil {
			log.Fatal(err)
		}
		return a
	}
	loud := newUser("loud")
	st, err := svc.PostStatus(ctx, loud, social.PostInput{Text: "BUY NOW", Visibility: storage.VisibilityPublic})
	if err != nil {
		log.Fatal(err)
	}

	// nil moderator: the server itself (the command line).
	if _, err := svc.TakeAccountAction(ctx, nil, loud.ID, social.AccountAction{Type: social.ActionSilence, Text: "spam"}); err != nil {
		log.Fatal(err)
	}
	public, _ := svc.Public(ctx, nil, storage.PublicFilter{}, storage.Page{})
	fmt.Println("in the public timeline:", len(public) > 0 && public[0].ID == st.ID)
	log, _ := svc.AuditLog(ctx, nil, storage.AuditFilter{}, storage.Page{})
	fmt.Println(log[0].Action, "-", log[0].Summary)
	// Output:
	// in the public timeline: false
	// account.silence - the server limited loud: spam
}
