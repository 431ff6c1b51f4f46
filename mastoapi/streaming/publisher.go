package streaming

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// Event names of the streaming API.
const (
	EventUpdate         = "update"
	EventDelete         = "delete"
	EventNotification   = "notification"
	EventStatusUpdate   = "status.update"
	EventConversation   = "conversation"
	EventFiltersChanged = "filters_changed"

	EventAnnouncement         = "announcement"          // payload: the Announcement entity
	EventAnnouncementReaction = "announcement.reaction" // payload: {"name","count","announcement_id"}
	EventAnnouncementDelete   = "announcement.delete"   // payload: the bare announcement ID
)

// PublisherOptions tunes NewPublisher.
type PublisherOptions struct {
	// Logger reports publishing failures (default: discard).
	Logger *slog.Logger
	// Timeout bounds one Publish call's work (default 5 s). Publishing
	// outlives the request that caused it: it is not cancelled with it.
	Timeout time.Duration
	// Limited reports whether an author is limited (silenced, itself or
	// through its domain): its statuses then stay off the public and
	// hashtag streams. Nil looks at the account's SilencedAt only;
	// social.Service.Limited also knows the domain silences.
	Limited func(ctx context.Context, a *storage.Account) bool
}

// Publisher is a social.EventSink that publishes streaming events to a
// timeline.Hub. Messages carry references; see MessageRef.
type Publisher struct {
	hub   timeline.Hub
	store storage.Store
	log   *slog.Logger
	to    time.Duration
	lim   func(ctx context.Context, a *storage.Account) bool
}

var _ social.EventSink = (*Publisher)(nil)

// NewPublisher returns a Publisher to hub; store serves the few lookups
// some events need (the local followers of a deleted private status).
//
// Routing, as Mastodon's:
//   - status.created: "update" to "user:<id>" of every home feed that
//     received it; for public statuses that are not replies to someone else
//     (and whose author is not limited, see PublisherOptions.Limited)
//     "update" to "public",
//     "public:local" or "public:remote" and their ":media" variants when it
//     has media; for public statuses "update" to "hashtag:<tag>" and, when
//     local, "hashtag:local:<tag>"; for direct statuses "conversation" to
//     "direct:<id>" of the author and the mentioned local accounts.
//   - status.created and status.updated also go to "list:<id>" of every
//     list feed that received (or holds) the status.
//   - status.reblogged: "update" of the boost to its home and list feeds.
//   - status.updated: "status.update" to the same audiences as created.
//   - status.deleted and status.unreblogged: "delete" (a bare ID) to the
//     public and hashtag channels the status went to, to ChannelDeletes for
//     public and unlisted statuses (every user stream listens to it), and to
//     "user:<id>" of the author and its local followers (private) or of the
//     mentioned accounts (direct), and for private statuses to "list:<id>"
//     of the lists holding the author; boosts removed with a status
//     likewise.
//   - notification.created: "notification" to "user:<id>" and
//     "user:notification:<id>" of the recipient.
func NewPublisher(hub timeline.Hub, store storage.Store, opts *PublisherOptions) *Publisher {
	var o PublisherOptions
	if opts != nil {
		o = *opts
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	return &Publisher{hub: hub, store: store, log: o.Logger, to: o.Timeout, lim: o.Limited}
}

// MessageRef returns the reference a Message carries for a status or
// notification: its decimal ID, and for edits "<id>@<edit time in ms>" so
// that renderings of successive edits are never confused.
func MessageRef(id storage.ID, version int64) string {
	if version == 0 {
		return id.String()
	}
	return id.String() + "@" + strconv.FormatInt(version, 10)
}

// parseRef reads a reference written by MessageRef.
func parseRef(data string) (storage.ID, bool) {
	if i := strings.IndexByte(data, '@'); i >= 0 {
		data = data[:i]
	}
	id, err := storage.ParseID(data)
	return id, err == nil && id > 0
}

// Publish implements social.EventSink.
func (p *Publisher) Publish(ctx context.Context, e social.Event) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.to)
	defer cancel()
	msgs, err := p.Messages(ctx, e)
	if err != nil {
		p.log.Warn("streaming: route event", "type", e.Type, "err", err)
	}
	if len(msgs) == 0 {
		return
	}
	if err := p.hub.Publish(ctx, msgs...); err != nil {
		p.log.Warn("streaming: publish", "type", e.Type, "messages", len(msgs), "err", err)
	}
}

// Messages returns the hub messages for an event (see NewPublisher). It
// is Publish without the publishing.
func (p *Publisher) Messages(ctx context.Context, e social.Event) ([]timeline.Message, error) {
	var out []timeline.Message
	add := func(event, data string, channels ...string) {
		for _, c := range channels {
			if timeline.ValidChannel(c) {
				out = append(out, timeline.Message{Channel: c, Event: event, Data: data})
			}
		}
	}
	st := e.Status
	switch e.Type {
	case social.EventStatusCreated, social.EventStatusUpdated:
		if st == nil {
			return nil, nil
		}
		event, ref := EventUpdate, MessageRef(st.ID, 0)
		if e.Type == social.EventStatusUpdated {
			event = EventStatusUpdate
			if st.EditedAt != nil {
				ref = MessageRef(st.ID, st.EditedAt.UnixMilli())
			} else {
				ref = MessageRef(st.ID, st.UpdatedAt.UnixMilli())
			}
		}
		for _, id := range e.HomeFeeds {
			add(event, ref, UserChannel(id))
		}
		for _, id := range e.ListFeeds {
			add(event, ref, ListChannel(id.String()))
		}
		if p.lim == nil || e.Actor == nil || !p.lim(ctx, e.Actor) {
			add(event, ref, broadcastChannels(st, e.Actor)...)
		}
		if st.Visibility == storage.VisibilityDirect && st.ReblogOfID == 0 {
			for _, id := range e.HomeFeeds {
				add(EventConversation, ref, DirectChannel(id))
			}
		}
	case social.EventStatusReblogged:
		if st == nil {
			return nil, nil
		}
		for _, id := range e.HomeFeeds {
			add(EventUpdate, st.ID.String(), UserChannel(id))
		}
		for _, id := range e.ListFeeds {
			add(EventUpdate, st.ID.String(), ListChannel(id.String()))
		}
	case social.EventStatusDeleted, social.EventStatusUnreblogged:
		if st == nil {
			return nil, nil
		}
		all := append([]*storage.Status{st}, e.DeletedReblogs...)
		for _, s := range all {
			chans, err := p.deleteChannels(ctx, s, e.Actor)
			if err != nil {
				return out, err
			}
			add(EventDelete, s.ID.String(), chans...)
		}
	case social.EventFiltersChanged:
		if e.Actor != nil {
			add(EventFiltersChanged, "", UserChannel(e.Actor.ID))
		}
	case social.EventNotificationCreated:
		if e.Notification == nil {
			return nil, nil
		}
		n := e.Notification
		add(EventNotification, n.ID.String(), UserChannel(n.AccountID), NotificationChannel(n.AccountID))
	}
	return out, nil
}

// broadcastChannels lists the public and hashtag channels of a status.
// author may be nil (then the status's Local flag decides).
func broadcastChannels(st *storage.Status, author *storage.Account) []string {
	if st.Visibility != storage.VisibilityPublic || st.ReblogOfID != 0 {
		return nil
	}
	if author != nil && author.SilencedAt != nil {
		return nil
	}
	local := st.Local
	if author != nil {
		local = author.Local()
	}
	var out []string
	for _, t := range st.Tags {
		t = strings.ToLower(t)
		out = append(out, HashtagChannel(t, false))
		if local {
			out = append(out, HashtagChannel(t, true))
		}
	}
	if st.InReplyToAccountID != 0 && st.InReplyToAccountID != st.AccountID {
		return out
	}
	scope := StreamPublicRemote
	if local {
		scope = StreamPublicLocal
	}
	out = append(out, StreamPublic, scope)
	if st.HasMedia {
		out = append(out, StreamPublicMedia, scope+":media")
	}
	return out
}

// deleteChannels lists where the deletion of st goes.
func (p *Publisher) deleteChannels(ctx context.Context, st *storage.Status, actor *storage.Account) ([]string, error) {
	author := actor
	if author != nil && author.ID != st.AccountID {
		author = nil
	}
	out := broadcastChannels(st, author)
	switch st.Visibility {
	case storage.VisibilityPublic, storage.VisibilityUnlisted:
		return append(out, ChannelDeletes), nil
	case storage.VisibilityDirect:
		out = append(out, UserChannel(st.AccountID))
		for _, m := range st.Mentions {
			if m.AccountID != 0 {
				out = append(out, UserChannel(m.AccountID))
			}
		}
		return uniqueStrings(out), nil
	}
	out = append(out, UserChannel(st.AccountID))
	for _, m := range st.Mentions {
		if m.AccountID != 0 {
			out = append(out, UserChannel(m.AccountID))
		}
	}
	ids, err := p.store.Follows().FollowerIDs(ctx, st.AccountID, true)
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		out = append(out, UserChannel(id))
	}
	// List streams hear of public deletions through ChannelDeletes; private
	// ones go to the lists holding the author.
	ms, err := p.store.Lists().Memberships(ctx, st.AccountID)
	if err != nil {
		return out, err
	}
	for _, m := range ms {
		out = append(out, ListChannel(m.ListID.String()))
	}
	return uniqueStrings(out), nil
}

func uniqueStrings(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
