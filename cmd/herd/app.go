package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/nodeinfo"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/mastoapi/webpush"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
	"github.com/herd-social/herd/timeline/pghub"
)

// app is the composed reference server: every service wired to the store,
// and the HTTP routes that expose them.
type app struct {
	cfg   *config
	store *storeHandle
	urls  *social.URLs
	log   *slog.Logger

	client    *transport.Client
	instance  *storage.Account
	instKey   *signature.Signer
	resolver  *federation.Resolver
	deliverer *federation.Deliverer
	sender    *federation.Sender
	handlers  *federation.Handlers
	hub       timeline.Hub
	svc       *social.Service
	api       *mastoapi.API
	media     *media.Service
	blobs     media.Blobs
	fetcher   *media.Fetcher // nil with --remote-media link
	fed       *federate.Federator
	push      *webpush.Sender
	// background counts the goroutines run starts; stopBackground ends
	// them (close waits for them).
	background     sync.WaitGroup
	stopBackground context.CancelFunc
	sync           *federate.FollowersSync
	// hooks passes social events to federation first, then to the other
	// sinks (streaming); it also resolves remote mentions when posting.
	hooks *federate.Hooks
	// domains is the instance's domain blocks and allows (in memory);
	// policy the inbound policy chain (domain rules + the policy file).
	domains *moderation.Domains
	policy  *moderation.Chain
}

func newApp(ctx context.Context, c *config, st *storeHandle, urls *social.URLs, log *slog.Logger) (*app, error) {
	a := &app{cfg: c, store: st, urls: urls, log: log, hooks: &federate.Hooks{}}
	allow, err := c.allowPrivate()
	if err != nil {
		return nil, err
	}
	// Local federation mode: a plain-http public URL lets the server talk to
	// plain-http peers (never the default for an https server).
	allowHTTP := urls.Scheme() == "http"
	a.client = transport.New(&transport.Options{
		UserAgent:    fmt.Sprintf("herd/%s (+%s)", Version, urls.Base()),
		AllowPrivate: allow,
		AllowHTTP:    allowHTTP,
	})
	if err := a.setupModeration(c, st, urls, log); err != nil {
		return nil, err
	}
	a.instance, a.instKey, err = federation.EnsureInstanceActor(ctx, st.Accounts(), urls)
	if err != nil {
		return nil, fmt.Errorf("instance actor: %w", err)
	}
	// Media first: the resolver queues the caching of remote avatars.
	a.media, a.blobs, err = newMediaService(st, c, urls)
	if err != nil {
		return nil, err
	}
	if a.fetcher, err = newMediaFetcher(c, a.media, allow, allowHTTP, urls, log, a.domains.RejectsMedia); err != nil {
		return nil, err
	}
	// Remote profiles are sanitised as the resolver stores them.
	a.resolver = federation.NewResolver(federate.SanitizingAccounts(a.profileCaching(a.remoteEmojiAccounts(st.Accounts())), nil), a.client, a.instKey, &federation.ResolverOptions{
		LocalHost: urls.Host(), AllowHTTP: allowHTTP, Logger: log.With("component", "resolver"),
		Blocked: a.domains,
	})
	a.sync = federate.NewFollowersSync(st, urls, a.resolver, &federate.SyncOptions{Logger: log.With("component", "followers-sync")})
	a.deliverer = federation.NewDeliverer(st.Deliveries(), a.sync.Poster(a.client), federation.NewAccountSigners(st.Accounts(), a.instKey),
		&federation.DelivererOptions{Instances: st.Instances(), Logger: log.With("component", "delivery"),
			Blocked: a.domains})
	a.sender = federation.NewSender(a.deliverer, a.resolver, st.Follows(), nil)
	a.handlers = &federation.Handlers{}

	if db, dsn, ok := st.postgres(); ok {
		hub, err := pghub.New(ctx, db, dsn, &pghub.Options{Logger: log.With("component", "timeline")})
		if err != nil {
			return nil, fmt.Errorf("timeline hub: %w", err)
		}
		a.hub = hub
	} else {
		a.hub = timeline.NewMemoryHub()
	}

	if err := media.CheckTools(ctx); err != nil {
		log.Warn("video, audio and animated GIF uploads are disabled: ffmpeg/ffprobe are missing or lack libx264/aac (install the ffmpeg package)", "err", err)
	}
	// Streaming: social events become hub messages after federation saw them.
	a.hooks.Also(streaming.NewPublisher(a.hub, st, &streaming.PublisherOptions{
		Limited: func(ctx context.Context, acct *storage.Account) bool { return a.svc.Limited(ctx, acct) }}))
	// Web Push: one VAPID key pair shared by every process, endpoints
	// reached through the SSRF-guarded client.
	vapid, err := webpush.LoadVAPID(ctx, st.Settings())
	if err != nil {
		return nil, err
	}
	a.push = webpush.NewSender(st, urls, vapid, a.client.HTTPClient(), &webpush.Options{Logger: log.With("component", "webpush"),
		Visible: func(ctx context.Context, n *storage.Notification) (bool, error) {
			return a.svc.NotificationVisible(ctx, n)
		}})
	a.hooks.Also(a.push)
	// Custom emojis resolve from the store within each transaction (the
	// default Emojis resolver); reject_media domains' emojis are dropped.
	a.svc = social.New(st, urls, &social.Options{Events: a.hooks, Mentions: a.hooks,
		Domains: a.domains, RejectMedia: a.domains.RejectsMedia, Logger: log.With("component", "social")})
	a.fed = federate.New(a.svc, a.resolver, a.sender, &federate.Options{Sync: a.sync, Logger: log.With("component", "federate"), Media: a.mediaCache(),
		PostPolicy: fetchedPostPolicy(a.policy)})
	a.hooks.Set(a.fed)
	a.fed.Register(a.handlers)
	limit, err := c.rateLimit()
	if err != nil {
		return nil, err
	}
	texts, err := c.instanceTexts()
	if err != nil {
		return nil, err
	}
	proxies, err := parseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	a.api = mastoapi.New(st, a.svc, urls, &mastoapi.Options{
		ClientIP:  proxies.clientIP,
		RateLimit: limit,
		Media:     a.media,
		Logger:    log.With("component", "api"),
		Resolve:   a.resolveRemote,

		DomainBlocksVisibility: c.DomainBlocksVisibility,
		Hub:                    a.hub,
		Instance: mastoapi.InstanceInfo{
			Title:          c.Title,
			Version:        Version,
			Registrations:  mastoapi.RegistrationsMode(c.Registrations),
			VAPIDPublicKey: vapid.Public,

			ExtendedDescription: texts.extended, ExtendedDescriptionUpdatedAt: texts.extendedAt,
			PrivacyPolicy: texts.privacy, PrivacyPolicyUpdatedAt: texts.privacyAt,
			TermsOfService: texts.terms, TermsOfServiceDate: texts.termsDate,
		},
	})

	return a, nil
}

// resolveRemote finds an account or status on another server for a search
// with resolve=true.
func (a *app) resolveRemote(ctx context.Context, q string) (*storage.Account, *storage.Status, error) {
	r, err := a.fed.Resolve(ctx, q)
	if err != nil {
		if errors.Is(err, federate.ErrNotResolved) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	return r.Account, r.Status, nil
}

// streamAuth checks streaming tokens as the REST API does.
func (a *app) streamAuth(ctx context.Context, token string) (*storage.Account, []string, error) {
	acct, scopes, err := a.api.StreamAuthenticate(ctx, token)
	if errors.Is(err, mastoapi.ErrInvalidToken) {
		return nil, nil, fmt.Errorf("%w: %v", streaming.ErrInvalidToken, err)
	}
	return acct, scopes, err
}

// streamRenderer renders streamed references as the REST API's entities.
type streamRenderer struct{ api *mastoapi.API }

func (r streamRenderer) RenderStatus(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	return r.api.RenderStatusJSON(ctx, viewer, id)
}

func (r streamRenderer) RenderStatusIn(ctx context.Context, viewer *storage.Account, id storage.ID, c storage.FilterContext) ([]byte, error) {
	return r.api.RenderStatusJSONIn(ctx, viewer, id, c)
}

func (r streamRenderer) RenderNotification(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	return r.api.RenderNotificationJSON(ctx, viewer, id)
}

// RenderConversation renders the viewer's direct conversation whose latest
// status is statusID, for "conversation" events.
func (r streamRenderer) RenderConversation(ctx context.Context, viewer *storage.Account, statusID storage.ID) ([]byte, error) {
	return r.api.RenderConversationJSON(ctx, viewer, statusID)
}

var _ streaming.ConversationRenderer = streamRenderer{}

// RenderAnnouncement renders a streamed announcement.
func (r streamRenderer) RenderAnnouncement(ctx context.Context, id storage.ID) ([]byte, error) {
	return r.api.RenderAnnouncementJSON(ctx, id)
}

// PrepareStatus renders a streamed status once for all its viewers.
func (r streamRenderer) PrepareStatus(ctx context.Context, id storage.ID) (streaming.PreparedStatus, error) {
	p, err := r.api.PrepareStreamStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// run starts the background work (delivery, housekeeping) until ctx ends.
func (a *app) run(ctx context.Context) {
	ctx, a.stopBackground = context.WithCancel(ctx)
	bg := func(name string, fn func(ctx context.Context) error) {
		a.background.Add(1)
		go func() {
			defer a.background.Done()
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				a.log.Error(name+" stopped", "err", err)
			}
		}()
	}
	bg("deliverer", a.deliverer.Run)
	bg("web push", a.push.Run)
	bg("housekeeping", func(ctx context.Context) error { a.housekeeping(ctx); return nil })
	// Scheduled statuses: safe with several processes on one database.
	bg("scheduler", func(ctx context.Context) error {
		return a.svc.RunScheduler(ctx, &social.SchedulerOptions{Logger: a.log.With("component", "scheduler")})
	})
	bg("poll expiry", func(ctx context.Context) error {
		return a.svc.RunPollExpiry(ctx, 0, func(n int, err error) {
			if err != nil {
				a.log.Warn("close ended polls", "err", err)
			} else {
				a.log.Debug("closed ended polls", "polls", n)
			}
		})
	})
	// Tallies of local polls, sent a delay after votes: safe with several
	// processes on one database, and kept across restarts.
	bg("poll updates", a.fed.RunPollUpdates)
	// Announcements are made by the herd announcement command: stream
	// them (each change once, whichever process sees it first).
	bg("announcements", func(ctx context.Context) error {
		streaming.WatchAnnouncements(ctx, a.store, a.hub, 0, a.log.With("component", "announcements"))
		return nil
	})
}

// housekeeping prunes the inbox idempotency log and expires media uploads
// never attached to a status, once an hour.
func (a *app) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := a.store.InboxLog().Prune(ctx, time.Now().Add(-7*24*time.Hour)); err != nil && ctx.Err() == nil {
			a.log.Warn("prune inbox log", "err", err)
		} else if n > 0 {
			a.log.Debug("pruned inbox log", "entries", n)
		}
		if n, err := a.media.ExpireUnattached(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			a.log.Warn("expire unattached media", "err", err)
		} else if n > 0 {
			a.log.Info("expired unattached media", "attachments", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *app) close() {
	// Background work ends first (it may still write to the store and the
	// hub), within a bound.
	if a.stopBackground != nil {
		a.stopBackground()
		done := make(chan struct{})
		go func() { a.background.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			a.log.Warn("background work did not stop within 15 s")
		}
	}
	if a.hub != nil {
		_ = a.hub.Close()
	}
	if a.fetcher != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.fetcher.Close(ctx)
	}
	if a.media != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.media.Close(ctx)
	}
}

// handler routes requests: ActivityPub and discovery on the standard paths,
// the Mastodon API and OAuth under /api, /oauth and /auth.
func (a *app) handler() http.Handler {
	st := a.store
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", a.health)

	// Discovery.
	wf := webfinger.NewHandler(federation.NewWebFingerResolver(st.Accounts(), a.urls), &webfinger.HandlerOptions{BaseURL: a.urls.Base()})
	mux.Handle("/.well-known/webfinger", wf)
	mux.Handle("/.well-known/host-meta", wf)
	mux.Handle("/.well-known/host-meta.json", wf)
	ni := mastoapi.CORS(nodeinfo.NewHandler(nodeinfo.ProviderFunc(a.nodeInfo), a.urls.Base()))
	mux.Handle("/.well-known/nodeinfo", ni)
	mux.Handle("/nodeinfo/", ni)

	// ActivityPub.
	inboxOpts := federation.InboxOptions{Log: st.InboxLog(), Instances: st.Instances(), Logger: a.log.With("component", "inbox")}
	inboxOpts.Blocked, inboxOpts.Policy = a.domains, inboxPolicy(a.policy)
	shared := federation.NewInbox(a.resolver, a.handlers, &inboxOpts)
	personal := inboxOpts
	personal.Recipient = federation.RecipientByPathValue(st.Accounts(), "name")
	mux.Handle("POST /inbox", a.sync.Middleware(shared))
	mux.Handle("POST /actor/inbox", a.sync.Middleware(shared))
	mux.Handle("POST /users/{name}/inbox", a.sync.Middleware(federation.NewInbox(a.resolver, a.handlers, &personal)))
	mux.Handle("GET /users/{name}/followers_synchronization", a.sync.Handler())
	actors := federation.NewActorHandler(st.Accounts(), a.urls, &federation.ActorHandlerOptions{
		HTML:          http.HandlerFunc(a.profilePage),
		Accounts:      st.Accounts(),
		Follows:       st.Follows(),
		Statuses:      st.Statuses(),
		Pins:          st.Pins(),
		Polls:         st.Polls(),
		InstanceActor: a.instance,
		Logger:        a.log.With("component", "actors"),
		Gate:          &federation.FetchGate{Resolver: a.resolver, Blocked: a.domains, Refuses: a.svc.RefusesFetch},

		HideCollections: social.HidesCollections,
	})
	actors.Mount(mux)
	// Profile pages at /@name (ServeMux wildcards must fill a whole segment).
	mux.HandleFunc("GET /{handle}", func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.PathValue("handle"), "@")
		if !ok || name == "" {
			http.NotFound(w, r)
			return
		}
		r.SetPathValue("name", name)
		a.profilePage(w, r)
	})

	// Stored media: nosniff, a restrictive CSP and byte ranges.
	mux.Handle("GET /media/", http.StripPrefix("/media", media.Handler(a.blobs, nil)))
	// Local custom emojis as ActivityPub Emoji objects, at their ids.
	mux.Handle("GET /emojis/{id}", federation.EmojiHandler(st.CustomEmojis(), a.log.With("component", "emoji")))

	// The streaming API (WebSocket and SSE) renders through the REST API.
	stream := streaming.New(a.hub, streaming.AuthenticatorFunc(a.streamAuth), streamRenderer{a.api}, &streaming.Options{
		Logger: a.log.With("component", "streaming"),
		Lists:  a.svc,
	})
	mux.Handle("/api/v1/streaming", stream)
	mux.Handle("/api/v1/streaming/", stream)

	// The Mastodon API, OAuth and sign-up pages.
	for _, p := range []string{"/api/", "/oauth/", "/auth/", "/static/", "/.well-known/oauth-authorization-server"} {
		mux.Handle(p, a.api)
	}
	mux.HandleFunc("GET /{$}", a.home)
	return mux
}

// health answers 200 "OK" when the database answers, 503 otherwise.
func (a *app) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.store.Ping(ctx); err != nil {
		a.log.Warn("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "UNAVAILABLE")
		return
	}
	io.WriteString(w, "OK")
}

func (a *app) nodeInfo(ctx context.Context) (*nodeinfo.NodeInfo, error) {
	users, err := a.store.Users().Count(ctx)
	if err != nil {
		return nil, err
	}
	posts, err := a.store.Statuses().Count(ctx, true)
	if err != nil {
		return nil, err
	}
	// Active users: local accounts whose tokens were used in the period
	// (recorded once a day), as /api/v2/instance counts them.
	now := time.Now()
	month, err := a.store.Discovery().Activity(ctx, now.AddDate(0, 0, -28), time.Time{})
	if err != nil {
		return nil, err
	}
	halfyear, err := a.store.Discovery().Activity(ctx, now.AddDate(0, 0, -180), time.Time{})
	if err != nil {
		return nil, err
	}
	return &nodeinfo.NodeInfo{
		Software:          nodeinfo.Software{Name: "herd", Version: Version, Repository: "https://github.com/herd-social/herd", Homepage: "https://github.com/herd-social/herd"},
		Protocols:         []string{"activitypub"},
		OpenRegistrations: a.cfg.Registrations == "open",
		Usage: nodeinfo.Usage{Users: nodeinfo.Users{Total: users, ActiveMonth: month.Logins, ActiveHalfyear: halfyear.Logins},
			LocalPosts: posts},
		Metadata: map[string]any{"nodeName": a.cfg.Title},
	}, nil
}

// home is a minimal landing page pointing people at their client app.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>%s</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style>
<h1>%s</h1><p>This is a <a href="https://github.com/herd-social/herd">Herd</a> server. Sign in from any Mastodon app
(Tusky, Ivory, Elk, Phanpy, Ice Cubes …) with the server address <code>%s</code>.</p>`,
		htmlEscape(a.cfg.Title), htmlEscape(a.cfg.Title), htmlEscape(a.urls.Host()))
}

// profilePage is the HTML fallback for actor URLs and /@name.
func (a *app) profilePage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	acct, err := a.store.Accounts().GetByUsername(r.Context(), name, "")
	if err != nil || acct.SuspendedAt != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: http:")
	w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="alternate"; type="application/activity+json"`, acct.URI))
	display := acct.DisplayName
	if display == "" {
		display = acct.Username
	}
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>%s (@%s@%s)</title>
<link rel="alternate" type="application/activity+json" href="%s">
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style>
<h1>%s</h1><p>@%s@%s</p><div>%s</div>`,
		htmlEscape(display), htmlEscape(acct.Username), htmlEscape(a.urls.Host()), htmlEscape(acct.URI),
		htmlEscape(display), htmlEscape(acct.Username), htmlEscape(a.urls.Host()), acct.Note)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// postgres returns the database handle and DSN when the store is PostgreSQL.
func (h *storeHandle) postgres() (*sql.DB, string, bool) {
	if h.pgDB == nil {
		return nil, "", false
	}
	return h.pgDB, h.dsn, true
}
