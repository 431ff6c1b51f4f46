package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/nodeinfo"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
)

// Version is the bot's software version, published in NodeInfo.
const Version = "0.1.0"

// Options tunes a Bot. The zero value gives the defaults.
type Options struct {
	// Username is the bot's account name (default "bot").
	Username string
	// DisplayName and Summary (plain text) make the profile; they are applied
	// when the account is created and whenever they differ from the stored
	// profile at start.
	DisplayName string
	Summary     string
	// AllowPrivate lists address ranges the bot may fetch from and deliver
	// to despite the SSRF guard (local testing: 127.0.0.0/8).
	AllowPrivate []netip.Prefix
	// Reply returns the plain text the bot answers a mention with ("" means
	// no answer). Default: it echoes the text of the mention.
	Reply func(ctx context.Context, note *ap.Object, author *storage.Account) string
	// ReplyToBots makes the bot answer mentions by other bots (Service and
	// Application actors) too. Off by default, so that two bots cannot talk to
	// each other forever.
	ReplyToBots bool
	// OnEvent, when set, is called after each inbound activity the bot
	// handled (for logs, metrics or tests).
	OnEvent func(ctx context.Context, ev Event)
	// Deliverer tunes the delivery queue (nil: defaults).
	Deliverer *federation.DelivererOptions
	// Inbox tunes the inboxes (nil: defaults; the store's InboxLog is used).
	Inbox  *federation.InboxOptions
	Logger *slog.Logger
}

// Event is an inbound activity the bot handled.
type Event struct {
	// Type is the activity type (Follow, Create, Undo …).
	Type string
	// Activity is the verified activity.
	Activity *ap.Object
	// Object is the activity's object in a form that can be trusted (fetched
	// from its origin when it was not embedded from there), for Create and
	// Update; nil otherwise.
	Object *ap.Object
	// From is the verified sender.
	From *storage.Account
}

// Bot is a single-account ActivityPub bot composed of ap, federation and
// storage alone. It serves WebFinger, NodeInfo, its actor, the instance
// actor and the inboxes; it accepts every follower and follows back, answers
// mentions, and counts likes and boosts of its posts. Its methods let a
// program (or a test) make it post, edit, delete, like, boost, undo, follow
// and update its profile.
type Bot struct {
	store     storage.Store
	urls      *federation.Layout
	account   atomic.Pointer[storage.Account] // replaced by UpdateProfile
	instance  *storage.Account
	resolver  *federation.Resolver
	deliverer *federation.Deliverer
	sender    *federation.Sender
	handler   http.Handler
	opts      Options
	log       *slog.Logger
}

// New returns the bot of the server at publicURL (http(s)://host[:port];
// plain http turns on local federation mode: plain-http peers are allowed),
// creating its account and the instance actor in store on first use.
// Call Run to deliver what the bot sends, and serve Handler.
func New(ctx context.Context, store storage.Store, publicURL string, opts *Options) (*Bot, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Username == "" {
		o.Username = "bot"
	}
	if o.Reply == nil {
		o.Reply = echo
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	urls, err := federation.NewURLs(publicURL)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	b := &Bot{store: store, urls: urls, opts: o, log: log}

	instance, instanceSigner, err := federation.EnsureInstanceActor(ctx, store.Accounts(), urls)
	if err != nil {
		return nil, fmt.Errorf("bot: instance actor: %w", err)
	}
	b.instance = instance
	acct, err := b.ensureAccount(ctx)
	if err != nil {
		return nil, err
	}
	b.account.Store(acct)

	local := strings.HasPrefix(publicURL, "http://")
	client := transport.New(&transport.Options{
		UserAgent:    fmt.Sprintf("herd-bot/%s (+%s/)", Version, urls.Base()),
		AllowHTTP:    local,
		AllowPrivate: o.AllowPrivate,
	})
	b.resolver = federation.NewResolver(store.Accounts(), client, instanceSigner, &federation.ResolverOptions{
		LocalHost: urls.Host(), AllowHTTP: local, Logger: log})
	var dopts federation.DelivererOptions
	if o.Deliverer != nil {
		dopts = *o.Deliverer
	}
	if dopts.Instances == nil {
		dopts.Instances = store.Instances()
	}
	if dopts.Logger == nil {
		dopts.Logger = log
	}
	b.deliverer = federation.NewDeliverer(store.Deliveries(), client, federation.NewAccountSigners(store.Accounts(), instanceSigner), &dopts)
	b.sender = federation.NewSender(b.deliverer, b.resolver, store.Follows(), &federation.SenderOptions{Logger: log})
	b.handler = b.routes()
	return b, nil
}

// ensureAccount loads the bot's account, creating it (with a new RSA key)
// on first start.
func (b *Bot) ensureAccount(ctx context.Context) (*storage.Account, error) {
	name := b.opts.Username
	acct, err := b.store.Accounts().GetByUsername(ctx, name, "")
	switch {
	case err == nil:
		changed := false
		if b.opts.DisplayName != "" && acct.DisplayName != b.opts.DisplayName {
			acct.DisplayName, changed = b.opts.DisplayName, true
		}
		if b.opts.Summary != "" && acct.NoteSource != b.opts.Summary {
			acct.NoteSource, acct.Note, changed = b.opts.Summary, paragraph(b.opts.Summary), true
		}
		if changed {
			if err := b.store.Accounts().Update(ctx, acct); err != nil {
				return nil, fmt.Errorf("bot: update account: %w", err)
			}
		}
		return acct, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("bot: load account: %w", err)
	}
	key, err := signature.GenerateRSAKey(2048)
	if err != nil {
		return nil, fmt.Errorf("bot: key: %w", err)
	}
	pub, err := signature.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("bot: key: %w", err)
	}
	u := b.urls
	acct = &storage.Account{
		Username: name, DisplayName: b.opts.DisplayName, NoteSource: b.opts.Summary, Note: paragraph(b.opts.Summary),
		URI: u.Actor(name), URL: u.Profile(name), InboxURI: u.Inbox(name), OutboxURI: u.Outbox(name),
		SharedInboxURI: u.SharedInbox(), FollowersURI: u.Followers(name), FollowingURI: u.Following(name),
		FeaturedURI: u.Featured(name), ActorType: storage.ActorService, Bot: true, Discoverable: true,
		PublicKeyID: u.PublicKey(name), PublicKeyPEM: string(pub), PrivateKeyPEM: string(signature.EncodePKCS1PrivateKeyPEM(key)),
	}
	if err := b.store.Accounts().Create(ctx, acct); err != nil {
		return nil, fmt.Errorf("bot: create account: %w", err)
	}
	return acct, nil
}

// routes builds the HTTP handler.
func (b *Bot) routes() http.Handler {
	st := b.store
	mux := http.NewServeMux()
	actors := federation.NewActorHandler(st.Accounts(), b.urls, &federation.ActorHandlerOptions{
		HTML: http.HandlerFunc(b.profilePage), Accounts: st.Accounts(), Follows: st.Follows(),
		Statuses: st.Statuses(), Pins: st.Pins(), InstanceActor: b.instance, Logger: b.log,
	})
	actors.Mount(mux)

	handlers := &federation.Handlers{}
	federation.On(handlers, b.onFollow)
	federation.On(handlers, b.onAccept)
	federation.On(handlers, b.onReject)
	federation.On(handlers, b.onUndo)
	federation.On(handlers, b.onCreate)
	federation.On(handlers, b.onUpdate)
	federation.On(handlers, b.onDelete)
	federation.On(handlers, b.onLike)
	federation.On(handlers, b.onAnnounce)
	federation.On(handlers, b.onBlock)
	var io federation.InboxOptions
	if b.opts.Inbox != nil {
		io = *b.opts.Inbox
	}
	if io.Log == nil {
		io.Log = st.InboxLog()
	}
	if io.Instances == nil {
		io.Instances = st.Instances()
	}
	if io.Logger == nil {
		io.Logger = b.log
	}
	shared := federation.NewInbox(b.resolver, handlers, &io)
	personal := io
	personal.Recipient = federation.RecipientByPathValue(st.Accounts(), "name")
	mux.Handle("POST /inbox", shared)
	mux.Handle("POST /actor/inbox", shared) // the instance actor's inbox
	mux.Handle("POST /users/{name}/inbox", federation.NewInbox(b.resolver, handlers, &personal))

	wf := webfinger.NewHandler(federation.NewWebFingerResolver(st.Accounts(), b.urls), nil)
	mux.Handle("GET /.well-known/webfinger", wf)
	mux.Handle("GET /.well-known/host-meta", wf)
	mux.Handle("GET /.well-known/host-meta.json", wf)
	ni := nodeinfo.NewHandler(nodeinfo.ProviderFunc(b.nodeInfo), b.urls.Base())
	mux.Handle("GET /.well-known/nodeinfo", ni)
	mux.Handle("GET /nodeinfo/", ni)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		// The home page and the profile page, /@USERNAME.
		if r.URL.Path == "/" || r.URL.Path == "/@"+b.me().Username {
			b.profilePage(w, r)
			return
		}
		http.NotFound(w, r)
	})
	return mux
}

// Handler returns the bot's HTTP handler: serve it at the root of the public
// URL.
func (b *Bot) Handler() http.Handler { return b.handler }

// Run delivers queued activities until ctx is cancelled.
func (b *Bot) Run(ctx context.Context) error { return b.deliverer.Run(ctx) }

// Account returns the bot's account (treat it as read-only).
func (b *Bot) Account() *storage.Account { return b.me() }

func (b *Bot) me() *storage.Account { return b.account.Load() }

// URLs returns the bot's URL layout.
func (b *Bot) URLs() *federation.Layout { return b.urls }

// Resolver returns the bot's resolver of remote actors and objects.
func (b *Bot) Resolver() *federation.Resolver { return b.resolver }

// Deliverer returns the bot's delivery queue.
func (b *Bot) Deliverer() *federation.Deliverer { return b.deliverer }

func (b *Bot) nodeInfo(ctx context.Context) (*nodeinfo.NodeInfo, error) {
	posts, err := b.store.Statuses().Count(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("bot: count posts: %w", err)
	}
	return &nodeinfo.NodeInfo{
		Software:  nodeinfo.Software{Name: "herd-bot", Version: Version, Repository: "https://github.com/herd-social/herd"},
		Protocols: []string{"activitypub"},
		Usage:     nodeinfo.Usage{Users: nodeinfo.Users{Total: 1, ActiveMonth: 1, ActiveHalfyear: 1}, LocalPosts: posts},
		Metadata:  map[string]any{"nodeName": b.me().DisplayName},
	}, nil
}

// profilePage is the HTML shown to browsers.
func (b *Bot) profilePage(w http.ResponseWriter, r *http.Request) {
	a := b.me()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>@%s@%s</title>"+
		"<link rel=\"alternate\" type=\"application/activity+json\" href=\"%s\"></head>"+
		"<body><h1>%s</h1><p>@%s@%s — an ActivityPub bot. Mention it and it answers; follow it and it follows back.</p>%s</body></html>\n",
		html.EscapeString(a.Username), html.EscapeString(b.urls.Host()), html.EscapeString(a.URI),
		html.EscapeString(cmpOr(a.DisplayName, a.Username)), html.EscapeString(a.Username), html.EscapeString(b.urls.Host()), a.Note)
}

// event reports a handled activity to Options.OnEvent.
func (b *Bot) event(ctx context.Context, typ string, act, obj *ap.Object, from *storage.Account) {
	if b.opts.OnEvent != nil {
		b.opts.OnEvent(ctx, Event{Type: typ, Activity: act, Object: obj, From: from})
	}
}

// newActivityID returns a fresh id for an activity of the bot.
func (b *Bot) newActivityID(kind string) string {
	return b.me().URI + "#" + kind + "/" + b.store.NewID().String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// paragraph renders plain text as one HTML paragraph ("" for "").
func paragraph(text string) string {
	if text == "" {
		return ""
	}
	return "<p>" + html.EscapeString(text) + "</p>"
}

// echo is the default reply: the text of the mention, without the mentions.
func echo(_ context.Context, note *ap.Object, _ *storage.Account) string {
	words := strings.Fields(plainText(note.Content))
	kept := words[:0]
	for _, w := range words {
		if !strings.HasPrefix(w, "@") {
			kept = append(kept, w)
		}
	}
	text := strings.Join(kept, " ")
	if utf8.RuneCountInString(text) > 280 {
		text = string([]rune(text)[:280]) + "…"
	}
	if text == "" {
		return "Hello! I am a bot."
	}
	return "You said: " + text
}

// plainText strips the tags of an HTML fragment (paragraphs and line
// breaks become spaces) and decodes its entities. It is only used to quote a
// mention back, escaped.
func plainText(s string) string {
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			sb.WriteString(s)
			break
		}
		sb.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		name := ""
		if f := strings.Fields(s[i+1 : i+j]); len(f) > 0 {
			name = strings.ToLower(strings.Trim(f[0], "/"))
		}
		if name == "p" || name == "br" {
			sb.WriteByte(' ')
		}
		s = s[i+j+1:]
	}
	return html.UnescapeString(sb.String())
}

// now is the bot's clock (UTC, microseconds: what storage keeps).
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
