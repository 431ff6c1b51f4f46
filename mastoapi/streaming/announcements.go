package streaming

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// AnnouncementRenderer is implemented by Renderers that render
// announcements; the Handler uses it for "announcement" events (whose hub
// messages carry the announcement's ID). Without it those events are not
// sent.
type AnnouncementRenderer interface {
	// RenderAnnouncement renders announcement id as a Mastodon
	// Announcement entity for no particular viewer, or returns ErrNotFound.
	RenderAnnouncement(ctx context.Context, id storage.ID) ([]byte, error)
}

// PublishAnnouncements streams what changed in the store's announcements
// since the last call (by any process sharing the store): an
// "announcement" event for each one published or updated, an
// "announcement.delete" for each one deleted, to ChannelAnnouncements.
// Each change is claimed in the store, so that several processes calling
// it at once stream it once.
func PublishAnnouncements(ctx context.Context, store storage.Store, hub timeline.Hub) error {
	published, deleted, err := store.Announcements().ClaimEvents(ctx)
	var msgs []timeline.Message
	for _, a := range published {
		msgs = append(msgs, timeline.Message{Channel: ChannelAnnouncements, Event: EventAnnouncement, Data: a.ID.String()})
	}
	for _, id := range deleted {
		msgs = append(msgs, timeline.Message{Channel: ChannelAnnouncements, Event: EventAnnouncementDelete, Data: id.String()})
	}
	if len(msgs) > 0 {
		if perr := hub.Publish(ctx, msgs...); perr != nil {
			return fmt.Errorf("streaming: publish announcements: %w", perr)
		}
	}
	if err != nil {
		return fmt.Errorf("streaming: announcement events: %w", err)
	}
	return nil
}

// WatchAnnouncements calls PublishAnnouncements every interval (default 2
// s when interval <= 0) until ctx ends. Announcements are made outside the
// server (the herd announcement command writes them to the database), so
// the server notices them by this poll: a new announcement reaches the
// streams within about one interval, whichever process polls first.
func WatchAnnouncements(ctx context.Context, store storage.Store, hub timeline.Hub, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := PublishAnnouncements(ctx, store, hub); err != nil && ctx.Err() == nil {
			log.Warn("streaming: announcements", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
