package mastoapi

import (
	"context"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/filter"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// MastodonVersion is the Mastodon release whose API Herd implements; the
// instance version reads "4.5.0 (compatible; Herd x.y.z)" so that clients
// gating features on the version enable them.
const MastodonVersion = "4.5.0"

// MastodonAPIVersion is api_versions.mastodon of the instance entity.
const MastodonAPIVersion = 6

// RegistrationsMode says who may sign up.
type RegistrationsMode string

// Registration modes.
const (
	RegistrationsOpen     RegistrationsMode = "open"     // anyone may sign up
	RegistrationsApproval RegistrationsMode = "approval" // sign-ups wait for a moderator
	RegistrationsClosed   RegistrationsMode = "closed"   // no sign-ups
)

// Rule is one server rule.
type Rule struct {
	Text string
	Hint string
}

// InstanceInfo describes the server in the instance entities.
type InstanceInfo struct {
	Title            string // default "Herd"
	ShortDescription string // v1 short_description; default Description
	Description      string
	ContactEmail     string // default admin@<host>
	// ContactUsername names the local account shown as the contact, if any.
	ContactUsername string
	// Version is Herd's version (default "0.1.0"), shown as
	// "4.5.0 (compatible; Herd <Version>)".
	Version string
	// Registrations is open, approval or closed (default closed).
	Registrations        RegistrationsMode
	RegistrationsMessage string // shown when registrations are closed
	Rules                []Rule
	Languages            []string // default ["en"]
	ThumbnailURL         string   // default the default header image
	SourceURL            string   // default https://github.com/herd-social/herd
	VAPIDPublicKey       string   // Web Push key; empty until push exists
	StreamingURL         string   // default the public URL with ws(s)://
	// ExtendedDescription, PrivacyPolicy and TermsOfService are the texts
	// of GET /api/v1/instance/extended_description, /privacy_policy and
	// /terms_of_service: HTML (sanitized before it is served) or plain
	// text (paragraphs split at blank lines). Unset, the extended
	// description is empty and the other two answer 404.
	ExtendedDescription string
	PrivacyPolicy       string
	TermsOfService      string
	// The texts' last changes (default the first time one is served).
	ExtendedDescriptionUpdatedAt time.Time
	PrivacyPolicyUpdatedAt       time.Time
	// TermsOfServiceDate is the day the terms came into effect (default
	// the first time they are served).
	TermsOfServiceDate time.Time
}

// RateLimit configures the in-memory rate limiter. Counters are per
// process: with several herd processes behind a load balancer each allows
// the full rate.
type RateLimit struct {
	Disabled bool
	// Requests per Window for each token (or IP address when anonymous);
	// default 300 per 5 minutes, as Mastodon.
	Requests int
	Window   time.Duration
	// AuthRequests bounds, per IP address and window, the requests that check
	// a password or create an account (sign-in, password grant, sign-up);
	// default 30.
	AuthRequests int
}

// Options tunes New. The zero value (or nil) is ready to use.
type Options struct {
	Logger    *slog.Logger
	Instance  InstanceInfo
	RateLimit RateLimit
	// Now returns the current time (tests); default time.Now.
	Now func() time.Time
	// ClientIP returns the address a request comes from, for rate limits;
	// default the host of RemoteAddr. Set it when behind a reverse proxy.
	ClientIP func(*http.Request) string
	// IdempotencyEntries bounds the Idempotency-Key cache (default 10000).
	IdempotencyEntries int
	// TokenCacheTTL is how long a verified access token is trusted without
	// reading it again: 0 means DefaultTokenCacheTTL, a negative value
	// turns the cache off. A token revoked through this API stops working
	// at once; one revoked by another process sharing the database keeps
	// working here for at most this long, so keep it at a few seconds.
	TokenCacheTTL time.Duration
	// Resolve finds a remote account or status for a search with
	// resolve=true: q is a handle (user@domain) or a URL. It returns the
	// account or the status found (stored), or an error when there is
	// none. Nil means searches find only what is stored. Federation
	// provides it.
	Resolve func(ctx context.Context, q string) (*storage.Account, *storage.Status, error)
	// Media handles uploads: POST /api/v1/media and /api/v2/media, GET and
	// PUT /api/v1/media/:id, and media_ids of statuses. Nil means the
	// media endpoints and any media_ids answer 422.
	Media *media.Service
	// Filters serves keyword filters; nil means one over the store,
	// publishing to the social core's event sink.
	Filters *filter.Service
	// DomainBlocksVisibility says who may read GET
	// /api/v1/instance/domain_blocks: DomainBlocksAll, DomainBlocksUsers
	// or DomainBlocksNobody (the default: 404).
	DomainBlocksVisibility string
	// Hub receives the streaming events the API raises itself
	// (announcement.reaction); nil streams none.
	Hub timeline.Hub
	// MaxConcurrentUploads bounds the multipart bodies of upload routes
	// (media, avatar and header) read at once; the others wait. Their file
	// parts are streamed to temporary files, so this bounds temporary disk
	// use, not memory. Default DefaultMaxConcurrentUploads per CPU.
	MaxConcurrentUploads int
	// StatusCacheSize bounds, in bytes of JSON, the in-memory cache of
	// statuses rendered for no viewer that timelines splice each viewer's
	// state into: 0 means DefaultStatusCacheSize, a negative value turns
	// the cache off.
	StatusCacheSize int
}

// API is the Mastodon-compatible HTTP API: an http.Handler serving /api/*,
// /oauth/*, /.well-known/oauth-authorization-server, /auth/* and the default
// images under /static/.
type API struct {
	store storage.Store
	svc   *social.Service
	urls  *social.URLs
	info  InstanceInfo
	log   *slog.Logger
	now   func() time.Time
	ip    func(*http.Request) string

	router  *mux.Router
	handler http.Handler
	routes  []Route

	limiter *rateLimiter
	idem    *idempotencyCache
	pages   *template.Template
	images  map[string][]byte

	webAppMu sync.Mutex
	webAppID storage.ID

	stats  statsCache
	apps   appCache
	tokens tokenCache
	// statusJSON caches statuses rendered for no viewer (statuscache.go).
	statusJSON statusCache

	resolve func(ctx context.Context, q string) (*storage.Account, *storage.Status, error)
	media   *media.Service
	filters *filter.Service

	dummyOnce sync.Once
	dummy     string

	domainBlocksVisibility string
	hub                    timeline.Hub

	uploads uploadSlots

	trends trendsCache

	// ipBlocks caches the IP blocks for the no_access check (signupblocks.go).
	ipBlocks ipBlockCache
	texts    instanceTexts
}

var _ http.Handler = (*API)(nil)

// Route is one method and path template served by the API.
type Route struct {
	Method string
	Path   string // mux template, e.g. /api/v1/accounts/{id}
}

// New builds the API on a store, the social core (which may be nil while only
// the endpoints that do not need it are used) and the server's URLs.
func New(store storage.Store, svc *social.Service, urls *social.URLs, opts *Options) *API {
	if opts == nil {
		opts = &Options{}
	}
	a := &API{store: store, svc: svc, urls: urls, info: opts.Instance, log: opts.Logger, now: opts.Now, ip: opts.ClientIP, resolve: opts.Resolve, media: opts.Media}
	a.hub = opts.Hub
	if a.statusJSON.max = opts.StatusCacheSize; a.statusJSON.max == 0 {
		a.statusJSON.max = DefaultStatusCacheSize
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ip == nil {
		a.ip = remoteIP
	}
	a.info = withInstanceDefaults(a.info, urls)
	if a.filters = opts.Filters; a.filters == nil {
		a.filters = newFilterService(store, svc, a.now)
	}
	a.domainBlocksVisibility = opts.DomainBlocksVisibility
	a.uploads = newUploadSlots(opts.MaxConcurrentUploads)
	a.limiter = newRateLimiter(opts.RateLimit, a.now)
	a.tokens.ttl = opts.TokenCacheTTL
	if a.tokens.ttl == 0 {
		a.tokens.ttl = DefaultTokenCacheTTL
	}
	n := opts.IdempotencyEntries
	if n <= 0 {
		n = 10000
	}
	a.idem = newIdempotencyCache(n, time.Hour, a.now)
	a.pages = parsePages()
	a.images = defaultImages()

	a.router = mux.NewRouter()
	a.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusNotFound, errorBody{Error: ErrRecordNotFound.Message})
	})
	a.router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "Method not allowed"})
	})
	a.registerRoutes()
	a.handler = a.recoverPanics(CORS(a.router))
	// Requests from no_access IP blocks are refused before anything else.
	a.handler = a.denyBlockedIPs(a.handler)
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// Routes lists every route the API serves, sorted by path then method.
func (a *API) Routes() []Route {
	out := append([]Route(nil), a.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// HandlerFunc is an API handler: it writes a response or returns an error
// that the API renders (see WriteError).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// AuthMode says how a route treats access tokens.
type AuthMode int

// Authentication modes.
const (
	// AuthNone ignores any token (instance info, app registration, OAuth).
	AuthNone AuthMode = iota
	// AuthOptional serves anonymous requests, but a token, when sent, must be
	// valid and carry the route's scopes (Mastodon's authorize_if_got_token!).
	AuthOptional
	// AuthApp requires a valid token, which may be an app-only one.
	AuthApp
	// AuthUser requires a valid token of a signed-in, functional user.
	AuthUser
)

// RouteOptions describes how a route is guarded.
type RouteOptions struct {
	Auth AuthMode
	// Scopes: the token must grant at least one (with the scope hierarchy:
	// "read" grants "read:accounts").
	Scopes []string
	// MaxBody overrides DefaultMaxBody (media uploads).
	MaxBody int64
	// AuthLimited counts requests against the stricter per-IP limit for
	// password checks and sign-ups.
	AuthLimited bool
	// RawBody leaves the body unread (the handler reads it).
	RawBody bool
	// MinRole, when set, requires a user token whose user has at least this
	// role (moderator for the admin API); others get 403.
	MinRole storage.Role
}

// Handle registers a route. Before h runs, the request's parameters are
// parsed (ParamsOf), its token is authenticated (AuthOf) and checked against
// the route's mode and scopes, the rate limit is applied, and POSTs carrying
// an Idempotency-Key are answered from the cache when repeated.
func (a *API) Handle(method, path string, o RouteOptions, h HandlerFunc) {
	a.routes = append(a.routes, Route{Method: method, Path: path})
	a.router.Handle(path, a.wrap(o, h)).Methods(method)
}

type ctxKey int

const (
	paramsKey ctxKey = iota
	authKey
)

// ParamsOf returns the parameters parsed for a request served by Handle
// (empty, never nil, otherwise).
func ParamsOf(r *http.Request) *Params {
	if p, ok := r.Context().Value(paramsKey).(*Params); ok {
		return p
	}
	return &Params{root: map[string]any{}}
}

// AuthOf returns the authenticated token of a request served by Handle, or
// nil when anonymous.
func AuthOf(r *http.Request) *Auth {
	au, _ := r.Context().Value(authKey).(*Auth)
	return au
}

func (a *API) wrap(o RouteOptions, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := &Params{root: map[string]any{}}
		var err error
		var au *Auth
		// Large bodies (uploads) are read only for an authenticated caller
		// within the rate limit: the token comes from the Authorization
		// header, before a byte of the body is read or an upload slot taken.
		large := !o.RawBody && o.MaxBody > DefaultMaxBody && o.Auth != AuthNone
		if large {
			if au, err = a.authenticate(r.Context(), r, p, o); err == nil && au == nil && o.Auth != AuthOptional {
				err = ErrInvalidToken
			}
			if err != nil {
				a.limiter.allow(w, "ip:"+a.ip(r), false)
				a.WriteError(w, r, err)
				return
			}
			if !a.limiter.allow(w, a.limitKey(r, au), false) {
				a.WriteError(w, r, ErrTooManyRequests)
				return
			}
		}
		if !o.RawBody {
			var slots uploadSlots
			if o.MaxBody > DefaultMaxBody {
				slots = a.uploads
			}
			if p, err = parseParams(w, r, o.MaxBody, slots); err != nil {
				a.WriteError(w, r, err)
				return
			}
			defer p.cleanup()
		} else if q, _ := url.ParseQuery(r.URL.RawQuery); len(q) > 0 {
			_ = p.addValues(q)
		}
		ctx := context.WithValue(r.Context(), paramsKey, p)
		if large {
			if au != nil {
				ctx = context.WithValue(ctx, authKey, au)
			}
		} else if o.Auth != AuthNone {
			au, err = a.authenticate(ctx, r, p, o)
			if err != nil {
				// Failed attempts count against the caller's address.
				a.limiter.allow(w, "ip:"+a.ip(r), false)
				a.WriteError(w, r, err)
				return
			}
			ctx = context.WithValue(ctx, authKey, au)
		}
		if o.MinRole != "" && (au == nil || au.User == nil || !au.User.Role.AtLeast(o.MinRole)) {
			a.WriteError(w, r, ErrNotAllowed)
			return
		}
		if !large && !a.limiter.allow(w, a.limitKey(r, au), false) {
			a.WriteError(w, r, ErrTooManyRequests)
			return
		}
		if o.AuthLimited && !a.limiter.allow(w, "auth-ip:"+a.ip(r), true) {
			a.WriteError(w, r, ErrTooManyRequests)
			return
		}
		r = r.WithContext(ctx)
		run := func(w http.ResponseWriter) {
			if err := h(w, r); err != nil {
				a.WriteError(w, r, err)
			}
		}
		if ik := r.Header.Get("Idempotency-Key"); r.Method == http.MethodPost && ik != "" && au != nil {
			a.idem.serve(w, r, idempotencyScope(au)+":"+ik, run)
			return
		}
		run(w)
	})
}

// limitKey is the rate limit bucket of a request: its token, else its
// address.
func (a *API) limitKey(r *http.Request, au *Auth) string {
	if au != nil {
		return "token:" + au.Token.ID.String()
	}
	return "ip:" + a.ip(r)
}

// recoverPanics turns a panicking handler into a logged 500.
func (a *API) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("mastoapi: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				WriteJSON(w, http.StatusInternalServerError, errorBody{Error: "Internal server error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func remoteIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func withInstanceDefaults(in InstanceInfo, urls *social.URLs) InstanceInfo {
	if in.Title == "" {
		in.Title = "Herd"
	}
	if in.ShortDescription == "" {
		in.ShortDescription = in.Description
	}
	host := urls.Host()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if in.ContactEmail == "" {
		in.ContactEmail = "admin@" + host
		if !strings.Contains(host, ".") {
			in.ContactEmail += ".invalid"
		}
	}
	if in.Version == "" {
		in.Version = "0.1.0"
	}
	switch in.Registrations {
	case RegistrationsOpen, RegistrationsApproval, RegistrationsClosed:
	default:
		in.Registrations = RegistrationsClosed
	}
	if len(in.Languages) == 0 {
		in.Languages = []string{"en"}
	}
	if in.ThumbnailURL == "" {
		in.ThumbnailURL = urls.DefaultHeader()
	}
	if in.SourceURL == "" {
		in.SourceURL = "https://github.com/herd-social/herd"
	}
	if in.StreamingURL == "" {
		scheme := "wss"
		if urls.Scheme() == "http" {
			scheme = "ws"
		}
		in.StreamingURL = scheme + "://" + urls.Host()
	}
	return in
}

// versionString is the instance version clients parse.
func (a *API) versionString() string {
	return MastodonVersion + " (compatible; Herd " + a.info.Version + ")"
}
