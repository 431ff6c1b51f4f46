package filter_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/herd-social/herd/social/filter"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// A user filters spoilers out of their home timeline.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herd-filter-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	alice := &storage.Account{Username: "alice", URI: "https://herd.example/users/alice"}
	if err := store.Accounts().Create(ctx, alice); err != nil {
		log.Fatal(err)
	}

	filters := filter.New(store, nil)
	_, err = filters.Create(ctx, alice, filter.Input{
		Title:    "Spoilers",
		Context:  []string{"home"},
		Action:   storage.FilterHide,
		Keywords: []filter.KeywordChange{{Keyword: "ending"}},
	})
	if err != nil {
		log.Fatal(err)
	}

	set, err := filters.Set(ctx, alice.ID)
	if err != nil {
		log.Fatal(err)
	}
	for _, content := range []string{"<p>The ENDING, at last!</p>", "<p>Never-ending story</p>", "<p>Unending</p>"} {
		rs := set.Match(nil, filter.Text{Content: content}, time.Now())
		if len(rs) == 0 {
			fmt.Printf("%s: shown\n", content)
			continue
		}
		fmt.Printf("%s: matched %q of %q, hidden at home: %v\n", content, rs[0].KeywordMatches[0], rs[0].Group.Filter.Title,
			filter.Hides(rs, storage.FilterHome))
	}
	// Output:
	// <p>The ENDING, at last!</p>: matched "ENDING" of "Spoilers", hidden at home: true
	// <p>Never-ending story</p>: matched "ending" of "Spoilers", hidden at home: true
	// <p>Unending</p>: shown
}
