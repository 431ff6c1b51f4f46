package streaming_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/timeline"
)

// Wiring the streaming API: the Publisher is the social core's EventSink,
// the Handler serves clients from the same hub.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "herd-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	hub := timeline.NewMemoryHub() // or pghub.New for several processes
	defer hub.Close()

	urls, _ := social.NewURLs("https://herd.example")
	svc := social.New(store, urls, &social.Options{Events: streaming.NewPublisher(hub, store, nil)})
	h := streaming.New(hub, streaming.StoreAuthenticator{Store: store}, streaming.NewStoreRenderer(svc), nil)

	mux := http.NewServeMux()
	mux.Handle(streaming.DefaultPrefix, h)
	mux.Handle(streaming.DefaultPrefix+"/", h)
	fmt.Println(h.Connections())
	// Output: 0
}

// Streaming the announcements made in the store (by herd announcement
// create, here directly): each change is published once to the
// announcements channel, which every user stream reads.
func ExamplePublishAnnouncements() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "herd-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	hub := timeline.NewMemoryHub()
	defer hub.Close()
	sub, _ := hub.Subscribe(ctx, 0, streaming.ChannelAnnouncements)
	defer sub.Close()

	a := &storage.Announcement{Text: "Maintenance tonight", Published: true}
	if err := store.Announcements().Create(ctx, a); err != nil {
		panic(err)
	}
	_ = streaming.PublishAnnouncements(ctx, store, hub) // herd serve runs WatchAnnouncements
	_ = streaming.PublishAnnouncements(ctx, store, hub) // nothing new: nothing published
	m := <-sub.C()
	fmt.Println(m.Event, m.Data == a.ID.String(), len(sub.C()))
	// Output: announcement true 0
}
