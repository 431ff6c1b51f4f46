package webpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	webpushlib "github.com/SherClockHolmes/webpush-go"
	"github.com/microcosm-cc/bluemonday"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Options tunes a Sender. The zero value is ready to use.
type Options struct {
	// Subscriber is the contact sent in VAPID tokens: a mailto: or https:
	// URL. Default: the server's base URL.
	Subscriber string
	// Workers is the number of concurrent sends (default 4).
	Workers int
	// Queue bounds the notifications waiting to be sent (default 4096);
	// beyond it new ones are dropped with a log line.
	Queue int
	// TTL is how long a push service keeps an undelivered message
	// (default 48 hours, as Mastodon).
	TTL time.Duration
	// Timeout bounds one send (default 15 s).
	Timeout time.Duration
	// Logger receives a line per failed send; default slog.Default().
	Logger *slog.Logger
	// Visible reports whether the recipient may still see a notification
	// (a block or mute may have come between its creation and its push);
	// social.Service.NotificationVisible is the full check. Nil checks
	// blocks either way and mutes that hide notifications in the store.
	Visible func(ctx context.Context, n *storage.Notification) (bool, error)
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// Sender sends a Web Push message for each notification of a local user.
// It implements social.EventSink.
type Sender struct {
	st     storage.Store
	urls   *social.URLs
	vapid  VAPID
	client *http.Client
	o      Options
	log    *slog.Logger
	strip  *bluemonday.Policy

	queue chan *storage.Notification
	wg    sync.WaitGroup
}

var _ social.EventSink = (*Sender)(nil)

// NewSender returns a Sender that reads subscriptions from st, signs with
// vapid and posts through client (nil: http.DefaultClient — give it a
// client that refuses private addresses in production). Call Run to start
// sending.
func NewSender(st storage.Store, urls *social.URLs, vapid VAPID, client *http.Client, o *Options) *Sender {
	s := &Sender{st: st, urls: urls, vapid: vapid, client: client, strip: bluemonday.StrictPolicy()}
	if o != nil {
		s.o = *o
	}
	if s.client == nil {
		s.client = http.DefaultClient
	}
	if s.o.Subscriber == "" {
		s.o.Subscriber = urls.Base()
	}
	if s.o.Workers <= 0 {
		s.o.Workers = 4
	}
	if s.o.Queue <= 0 {
		s.o.Queue = 4096
	}
	if s.o.TTL <= 0 {
		s.o.TTL = 48 * time.Hour
	}
	if s.o.Timeout <= 0 {
		s.o.Timeout = 15 * time.Second
	}
	if s.o.Now == nil {
		s.o.Now = time.Now
	}
	s.log = s.o.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	s.queue = make(chan *storage.Notification, s.o.Queue)
	return s
}

// Publish queues the notification of a notification.created event; other
// events are ignored. It never blocks.
func (s *Sender) Publish(_ context.Context, e social.Event) {
	if e.Type != social.EventNotificationCreated || e.Notification == nil {
		return
	}
	select {
	case s.queue <- e.Notification:
	default:
		s.log.Warn("webpush: queue full, notification not pushed", "notification", e.Notification.ID)
	}
}

// Run sends queued notifications until ctx ends, then waits for the sends
// in flight.
func (s *Sender) Run(ctx context.Context) error {
	for range s.o.Workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case n := <-s.queue:
					s.deliver(ctx, n)
				}
			}
		}()
	}
	<-ctx.Done()
	s.wg.Wait()
	return nil
}

// Payload is the JSON message a client's service worker receives, as
// Mastodon sends it.
type Payload struct {
	AccessToken     string `json:"access_token"`
	PreferredLocale string `json:"preferred_locale"`
	// NotificationID is a JSON number, as Mastodon sends it.
	NotificationID   json.Number `json:"notification_id"`
	NotificationType string      `json:"notification_type"`
	Icon             string      `json:"icon"`
	Title            string      `json:"title"`
	Body             string      `json:"body"`
}

// deliver sends n to every subscription of its recipient that wants it.
func (s *Sender) deliver(ctx context.Context, n *storage.Notification) {
	subs, err := s.st.PushSubscriptions().ByAccount(ctx, n.AccountID)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("webpush: subscriptions", "account", n.AccountID, "err", err)
		}
		return
	}
	if len(subs) == 0 {
		return
	}
	var wanted []*storage.PushSubscription
	for _, sub := range subs {
		if sub.Alerts[string(n.Type)] {
			wanted = append(wanted, sub)
		}
	}
	if len(wanted) == 0 {
		return
	}
	from, err := s.st.Accounts().Get(ctx, n.FromAccountID)
	if err != nil {
		s.log.Warn("webpush: notifying account", "notification", n.ID, "err", err)
		return
	}
	if ok, err := s.visible(ctx, n); err != nil || !ok {
		if err != nil {
			s.log.Warn("webpush: visibility", "notification", n.ID, "err", err)
		}
		return
	}
	var follow *storage.FollowState
	payload, err := s.payload(ctx, n, from)
	if err != nil {
		s.log.Warn("webpush: payload", "notification", n.ID, "err", err)
		return
	}
	for _, sub := range wanted {
		if sub.Policy == storage.PushPolicyNone {
			continue
		}
		if sub.Policy == storage.PushPolicyFollowed || sub.Policy == storage.PushPolicyFollower {
			if follow == nil {
				states, err := s.st.Follows().States(ctx, n.AccountID, []storage.ID{from.ID})
				if err != nil {
					s.log.Warn("webpush: follow state", "notification", n.ID, "err", err)
					return
				}
				st := states[from.ID]
				follow = &st
			}
			if sub.Policy == storage.PushPolicyFollowed && follow.Following == nil {
				continue
			}
			if sub.Policy == storage.PushPolicyFollower && !follow.FollowedBy {
				continue
			}
		}
		s.send(ctx, sub, payload)
	}
}

// send posts one message and forgets subscriptions whose endpoint is gone.
func (s *Sender) send(ctx context.Context, sub *storage.PushSubscription, payload []byte) {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	var resp *http.Response
	var err error
	if sub.Standard {
		resp, err = webpushlib.SendNotificationWithContext(ctx, payload, &webpushlib.Subscription{
			Endpoint: sub.Endpoint,
			Keys:     webpushlib.Keys{P256dh: sub.KeyP256DH, Auth: sub.KeyAuth},
		}, &webpushlib.Options{
			HTTPClient:      s.client,
			Subscriber:      s.o.Subscriber,
			TTL:             int(s.o.TTL / time.Second),
			Urgency:         webpushlib.UrgencyNormal,
			VAPIDPublicKey:  s.vapid.Public,
			VAPIDPrivateKey: s.vapid.Private,
		})
	} else {
		resp, err = sendLegacy(ctx, s.client, s.vapid, s.o.Subscriber, subscription{
			endpoint: sub.Endpoint, p256dh: sub.KeyP256DH, auth: sub.KeyAuth,
		}, payload, s.o.TTL, s.o.Now())
	}
	if err != nil {
		if ctx.Err() == nil || errors.Is(err, context.DeadlineExceeded) {
			s.log.Warn("webpush: send", "subscription", sub.ID, "host", hostOf(sub.Endpoint), "err", withoutURL(err))
		}
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		// The subscription expired or was removed at the push service.
		if err := s.st.PushSubscriptions().Delete(ctx, sub.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			s.log.Warn("webpush: forget expired subscription", "subscription", sub.ID, "err", err)
		}
	case resp.StatusCode >= 300:
		s.log.Warn("webpush: push service refused", "subscription", sub.ID, "host", hostOf(sub.Endpoint), "status", resp.StatusCode)
	}
}

// subscription is what a send needs of a stored subscription.
type subscription struct{ endpoint, p256dh, auth string }

// payload renders the message for n.
func (s *Sender) payload(ctx context.Context, n *storage.Notification, from *storage.Account) ([]byte, error) {
	name := from.DisplayName
	if strings.TrimSpace(name) == "" {
		name = from.Username
	}
	p := Payload{
		PreferredLocale:  "en",
		NotificationID:   json.Number(n.ID.String()),
		NotificationType: string(n.Type),
		Icon:             from.AvatarURL,
		Title:            title(n.Type, name),
	}
	if p.Icon == "" {
		p.Icon = s.urls.DefaultAvatar()
	}
	if u, err := s.st.Users().GetByAccountID(ctx, n.AccountID); err == nil && u.Locale != "" {
		p.PreferredLocale = u.Locale
	}
	if n.StatusID != 0 {
		st, err := s.st.Statuses().Get(ctx, n.StatusID)
		if err == nil {
			if st.SpoilerText != "" {
				p.Body = st.SpoilerText
			} else {
				p.Body = s.plain(st.Content)
			}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("status %s: %w", n.StatusID, err)
		}
	} else {
		p.Body = s.plain(from.Note)
	}
	p.Body = ellipsis(p.Body, 140)
	return json.Marshal(p)
}

// title is Mastodon's English title for a notification type.
func title(t storage.NotificationType, name string) string {
	switch t {
	case storage.NotifyMention:
		return "You were mentioned by " + name
	case storage.NotifyStatus:
		return name + " just posted"
	case storage.NotifyReblog:
		return name + " boosted your post"
	case storage.NotifyFollow:
		return name + " is now following you"
	case storage.NotifyFollowRequest:
		return "Pending follower: " + name
	case storage.NotifyFavourite:
		return name + " favorited your post"
	case storage.NotifyPoll:
		return "A poll by " + name + " has ended"
	case storage.NotifyUpdate:
		return name + " edited a post"
	case storage.NotifySignUp:
		return name + " signed up"
	case storage.NotifyReport:
		return "New report by " + name
	}
	return "New notification from " + name
}

var breaks = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p><p>", "\n\n")

// plain turns status or profile HTML into text.
func (s *Sender) plain(h string) string {
	return strings.TrimSpace(html.UnescapeString(s.strip.Sanitize(breaks.Replace(h))))
}

// ellipsis cuts s to at most n characters, ending with "…" when cut.
func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func hostOf(endpoint string) string {
	rest, ok := strings.CutPrefix(endpoint, "https://")
	if !ok {
		rest, _ = strings.CutPrefix(endpoint, "http://")
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// visible applies Options.Visible, or the store check of blocks and mutes.
func (s *Sender) visible(ctx context.Context, n *storage.Notification) (bool, error) {
	if s.o.Visible != nil {
		return s.o.Visible(ctx, n)
	}
	if n.FromAccountID == n.AccountID {
		return true, nil
	}
	ids := []storage.ID{n.FromAccountID}
	blocks, err := s.st.Blocks().States(ctx, n.AccountID, ids)
	if err != nil {
		return false, fmt.Errorf("blocks: %w", err)
	}
	if b := blocks[n.FromAccountID]; b.Blocking || b.BlockedBy {
		return false, nil
	}
	mutes, err := s.st.Mutes().States(ctx, n.AccountID, ids)
	if err != nil {
		return false, fmt.Errorf("mutes: %w", err)
	}
	if m := mutes[n.FromAccountID]; m != nil && m.HideNotifications {
		return false, nil
	}
	return true, nil
}

// withoutURL drops the URL from an *url.Error: a push endpoint's path is
// the device's secret token at the push service, never to be logged.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
