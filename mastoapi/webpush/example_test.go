package webpush_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/herd-social/herd/mastoapi/webpush"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage/sqlite"
)

// A server loads (or creates) its VAPID keys once, advertises the public
// key to clients and sends a push for every notification of a subscriber.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "webpush-example")
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	urls, _ := social.NewURLs("https://herd.example")

	vapid, err := webpush.LoadVAPID(ctx, st.Settings())
	if err != nil {
		log.Fatal(err)
	}
	sender := webpush.NewSender(st, urls, vapid, nil, nil)
	svc := social.New(st, urls, &social.Options{Events: sender})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = sender.Run(runCtx); close(done) }()
	_ = svc // post, follow, … : notifications are pushed as they happen
	stop()
	<-done
	fmt.Println(len(vapid.Public))
	// Output: 87
}
