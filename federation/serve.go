package federation

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// AccountLookup finds local accounts by username (domain ""); a
// storage.Accounts is one.
type AccountLookup interface {
	GetByUsername(ctx context.Context, username, domain string) (*storage.Account, error)
}

// ContentTypeActivityJSON is the Content-Type of served ActivityPub documents.
const ContentTypeActivityJSON = "application/activity+json; charset=utf-8"

// ActorHandlerOptions tunes an ActorHandler. Collections whose store is nil
// answer 404.
type ActorHandlerOptions struct {
	// HTML serves browsers (requests that do not ask for ActivityPub); nil
	// answers 406 Not Acceptable.
	HTML http.Handler
	// Accounts turns follows into actor IRIs (followers, following) and
	// gives authors of boosted statuses (outbox). Needed by those collections.
	Accounts storage.Accounts
	Follows  storage.Follows
	Statuses storage.Statuses
	Pins     storage.Pins
	// Polls, when set, renders statuses with a poll as Questions.
	Polls storage.Polls
	// HideCollections reports whether an account hides its social graph:
	// its followers and following collections then show totals only.
	HideCollections func(a *storage.Account) bool
	// InstanceActor is served by InstanceActorHandler and mounted by Mount.
	InstanceActor *storage.Account
	// PageSize is the number of items per collection page (default 20).
	PageSize int
	// Username extracts the username from a request (default
	// r.PathValue("name")).
	Username func(r *http.Request) string
	Logger   *slog.Logger
	// Gate, when set, checks signed fetches of an account's documents:
	// a signer the account blocks (or on a suspended host) is refused.
	Gate *FetchGate
}

// ActorHandler serves the ActivityPub documents of local accounts: actors,
// their outbox, followers, following and featured collections, and public
// statuses, with content negotiation (ActivityPub JSON for clients that ask
// for application/activity+json, application/ld+json with the Activity
// Streams profile or application/json; the HTML handler otherwise).
type ActorHandler struct {
	accounts AccountLookup
	urls     URLs
	o        ActorHandlerOptions
	log      *slog.Logger
}

// NewActorHandler returns an ActorHandler over the local accounts found by
// accounts, laid out by urls.
func NewActorHandler(accounts AccountLookup, urls URLs, opts *ActorHandlerOptions) *ActorHandler {
	var o ActorHandlerOptions
	if opts != nil {
		o = *opts
	}
	if o.PageSize <= 0 {
		o.PageSize = 20
	}
	if o.Username == nil {
		o.Username = func(r *http.Request) string { return r.PathValue("name") }
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &ActorHandler{accounts: accounts, urls: urls, o: o, log: log}
}

// Mount registers the handlers on mux at the standard Layout paths:
// GET /users/{name}, /users/{name}/outbox, /followers, /following,
// /collections/featured, /users/{name}/statuses/{id}, and /actor when an
// instance actor is configured. Inboxes are the composition's to mount.
func (h *ActorHandler) Mount(mux *http.ServeMux) {
	mux.Handle("GET /users/{name}", h.Actor())
	mux.Handle("GET /users/{name}/outbox", h.Outbox())
	mux.Handle("GET /users/{name}/followers", h.Followers())
	mux.Handle("GET /users/{name}/following", h.Following())
	mux.Handle("GET /users/{name}/collections/featured", h.Featured())
	mux.Handle("GET /users/{name}/statuses/{id}", h.Status())
	if h.o.InstanceActor != nil {
		mux.Handle("GET /actor", h.InstanceActorHandler())
	}
}

// WantsActivityPub reports whether the request asks for an ActivityPub
// document rather than HTML.
func WantsActivityPub(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if ap.AcceptsActivityPub(accept) {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(mt), "application/json") {
			return true
		}
	}
	return false
}

// negotiate serves HTML or 406 when r does not want ActivityPub, and
// reports whether it did.
func (h *ActorHandler) negotiate(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "Accept")
	if WantsActivityPub(r) {
		return false
	}
	if h.o.HTML != nil {
		h.o.HTML.ServeHTTP(w, r)
	} else {
		http.Error(w, "406 Not Acceptable: this resource is available as application/activity+json", http.StatusNotAcceptable)
	}
	return true
}

func writeActivityJSON(w http.ResponseWriter, o *ap.Object, cache string) {
	b, err := ap.Encode(o)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ContentTypeActivityJSON)
	if cache != "" {
		w.Header().Set("Cache-Control", cache)
	}
	_, _ = w.Write(b)
}

// account finds the local account named in r, answering 404 or 410 itself.
func (h *ActorHandler) account(w http.ResponseWriter, r *http.Request) *storage.Account {
	name := h.o.Username(r)
	a, err := h.accounts.GetByUsername(r.Context(), name, "")
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			http.NotFound(w, r)
		} else {
			h.log.Error("serve actor", "name", name, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
		return nil
	}
	if a.URI != "" && h.urls != nil && a.URI != h.urls.Actor(a.Username) {
		// Not laid out here (the instance actor has its own URL).
		http.NotFound(w, r)
		return nil
	}
	if a.SuspendedAt != nil && !isActorPath(r) {
		// A suspended account's collections and posts are gone; its actor
		// document stays, bare and marked suspended, as on Mastodon (peers
		// verify its Delete with the key).
		http.Error(w, "gone", http.StatusGone)
		return nil
	}
	if !h.o.Gate.allow(w, r, a) {
		return nil
	}
	return a
}

type actorPathKey struct{}

// isActorPath reports whether r is served by Actor.
func isActorPath(r *http.Request) bool { v, _ := r.Context().Value(actorPathKey{}).(bool); return v }

// Actor serves a local actor document.
func (h *ActorHandler) Actor() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.negotiate(w, r) {
			return
		}
		a := h.account(w, r.WithContext(context.WithValue(r.Context(), actorPathKey{}, true)))
		if a == nil {
			return
		}
		h.serveActor(w, r, a)
	})
}

func (h *ActorHandler) serveActor(w http.ResponseWriter, r *http.Request, a *storage.Account) {
	moved := extraString(a.Extra, ExtraMovedTo)
	if a.MovedToID != 0 && h.o.Accounts != nil {
		if m, err := h.o.Accounts.Get(r.Context(), a.MovedToID); err == nil {
			moved = m.URI
		}
	}
	writeActivityJSON(w, AccountToActor(a, h.urls, moved), "max-age=180, public")
}

// InstanceActorHandler serves the instance actor (ActorHandlerOptions.InstanceActor).
func (h *ActorHandler) InstanceActorHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.o.InstanceActor == nil {
			http.NotFound(w, r)
			return
		}
		if h.negotiate(w, r) {
			return
		}
		h.serveActor(w, r, h.o.InstanceActor)
	})
}

// collection writes an OrderedCollection: just the total, or the total and
// a link to the first page.
func collection(id string, total int64, withFirst bool) *ap.Object {
	n := int(total)
	c := &ap.Object{ID: id, Type: ap.TypeOrderedCollection, TotalItems: &n}
	if withFirst {
		c.First = ap.IRIRef(id + "?page=true")
	}
	return c
}

// pageOf reads ?page and ?max_id: whether a page is asked for, and where.
func pageOf(r *http.Request) (bool, storage.ID) {
	q := r.URL.Query()
	if q.Get("page") == "" {
		return false, 0
	}
	id, _ := storage.ParseID(q.Get("max_id"))
	return true, id
}

func collectionPage(id string, maxID storage.ID, items ap.Refs, next storage.ID) *ap.Object {
	pageID := id + "?page=true"
	if maxID != 0 {
		pageID += "&max_id=" + url.QueryEscape(maxID.String())
	}
	p := &ap.Object{ID: pageID, Type: ap.TypeOrderedCollectionPage, PartOf: ap.IRIRef(id), OrderedItems: items}
	if items == nil {
		p.OrderedItems = ap.Refs{}
	}
	if next != 0 {
		p.Next = ap.IRIRef(id + "?page=true&max_id=" + url.QueryEscape(next.String()))
	}
	return p
}

// Followers serves the followers collection.
func (h *ActorHandler) Followers() http.Handler { return h.follows(true) }

// Following serves the following collection.
func (h *ActorHandler) Following() http.Handler { return h.follows(false) }

func (h *ActorHandler) follows(followers bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.negotiate(w, r) {
			return
		}
		if h.o.Follows == nil || h.o.Accounts == nil {
			http.NotFound(w, r)
			return
		}
		a := h.account(w, r)
		if a == nil {
			return
		}
		id, total := a.FollowingURI, a.FollowingCount
		if followers {
			id, total = a.FollowersURI, a.FollowersCount
		}
		if id == "" && h.urls != nil {
			id = h.urls.Following(a.Username)
			if followers {
				id = h.urls.Followers(a.Username)
			}
		}
		hidden := h.o.HideCollections != nil && h.o.HideCollections(a)
		isPage, maxID := pageOf(r)
		if !isPage || hidden {
			writeActivityJSON(w, collection(id, total, !hidden), "max-age=60, public")
			return
		}
		ctx := r.Context()
		p := storage.Page{MaxID: maxID, Limit: h.o.PageSize}
		var fs []*storage.Follow
		var err error
		if followers {
			fs, err = h.o.Follows.Followers(ctx, a.ID, p)
		} else {
			fs, err = h.o.Follows.Following(ctx, a.ID, p)
		}
		if err != nil {
			h.log.Error("serve follows", "account", a.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		ids := make([]storage.ID, 0, len(fs))
		for _, f := range fs {
			if followers {
				ids = append(ids, f.AccountID)
			} else {
				ids = append(ids, f.TargetAccountID)
			}
		}
		accts, err := h.o.Accounts.GetMany(ctx, ids)
		if err != nil {
			h.log.Error("serve follows", "account", a.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		byID := make(map[storage.ID]string, len(accts))
		for _, x := range accts {
			byID[x.ID] = x.URI
		}
		var items ap.Refs
		for _, i := range ids {
			if u := byID[i]; u != "" {
				items = append(items, ap.IRIRef(u))
			}
		}
		var next storage.ID
		if len(fs) == h.o.PageSize {
			next = fs[len(fs)-1].ID
		}
		writeActivityJSON(w, collectionPage(id, maxID, items, next), "max-age=60, public")
	})
}

// Outbox serves the outbox: Create activities of public and unlisted
// statuses and Announce activities of boosts, newest first.
func (h *ActorHandler) Outbox() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.negotiate(w, r) {
			return
		}
		a := h.account(w, r)
		if a == nil {
			return
		}
		id := a.OutboxURI
		if id == "" && h.urls != nil {
			id = h.urls.Outbox(a.Username)
		}
		isPage, maxID := pageOf(r)
		if !isPage || h.o.Statuses == nil {
			writeActivityJSON(w, collection(id, a.StatusesCount, h.o.Statuses != nil), "max-age=60, public")
			return
		}
		ctx := r.Context()
		ss, err := h.o.Statuses.ByAccount(ctx, a.ID, storage.StatusFilter{Visibilities: []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted}},
			storage.Page{MaxID: maxID, Limit: h.o.PageSize})
		if err != nil {
			h.log.Error("serve outbox", "account", a.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		items, err := h.outboxItems(ctx, a, ss)
		if err != nil {
			h.log.Error("serve outbox", "account", a.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		var next storage.ID
		if len(ss) == h.o.PageSize {
			next = ss[len(ss)-1].ID
		}
		writeActivityJSON(w, collectionPage(id, maxID, items, next), "max-age=60, public")
	})
}

func (h *ActorHandler) outboxItems(ctx context.Context, a *storage.Account, ss []*storage.Status) (ap.Refs, error) {
	var reblogIDs []storage.ID
	for _, s := range ss {
		if s.ReblogOfID != 0 {
			reblogIDs = append(reblogIDs, s.ReblogOfID)
		}
	}
	originals := map[storage.ID]*storage.Status{}
	authors := map[storage.ID]*storage.Account{}
	if len(reblogIDs) > 0 && h.o.Statuses != nil {
		os, err := h.o.Statuses.GetMany(ctx, reblogIDs)
		if err != nil {
			return nil, err
		}
		var authorIDs []storage.ID
		for _, o := range os {
			originals[o.ID] = o
			authorIDs = append(authorIDs, o.AccountID)
		}
		if h.o.Accounts != nil {
			as, err := h.o.Accounts.GetMany(ctx, authorIDs)
			if err != nil {
				return nil, err
			}
			for _, x := range as {
				authors[x.ID] = x
			}
		}
	}
	items := ap.Refs{}
	for _, s := range ss {
		if s.ReblogOfID != 0 {
			orig := originals[s.ReblogOfID]
			if orig == nil || (orig.Visibility != storage.VisibilityPublic && orig.Visibility != storage.VisibilityUnlisted) {
				continue
			}
			ann := AnnounceOf(s, a, orig.URI, authors[orig.AccountID])
			items = append(items, ap.Embed(ann))
			continue
		}
		items = append(items, ap.Embed(CreateOf(h.note(ctx, s, a))))
	}
	return items, nil
}

// CreateOf wraps a note in the Create activity Mastodon sends for it: id
// "<note id>/activity", same actor, addressing and published time.
func CreateOf(note *ap.Object) *ap.Object {
	return &ap.Object{
		ID:        note.ID + "/activity",
		Type:      ap.TypeCreate,
		Actor:     ap.IRIRef(note.AttributedTo.ID()),
		Published: note.Published,
		To:        note.To,
		Cc:        note.Cc,
		Object:    ap.Refs{ap.Embed(note)},
	}
}

// AnnounceOf renders a boost (a status with ReblogOfID) by booster of the
// post objectIRI by author (nil when unknown) as an Announce.
func AnnounceOf(boost *storage.Status, booster *storage.Account, objectIRI string, author *storage.Account) *ap.Object {
	id := boost.URI
	if id == "" {
		id = booster.URI + "/statuses/" + boost.ID.String()
	}
	cc := []string{booster.FollowersURI}
	if author != nil && author.URI != "" {
		cc = append([]string{author.URI}, cc...)
	}
	to := []string{ap.Public}
	if boost.Visibility == storage.VisibilityUnlisted {
		to, cc = []string{booster.FollowersURI}, append([]string{ap.Public}, cc[:len(cc)-1]...)
	}
	return &ap.Object{
		ID:        strings.TrimSuffix(id, "/activity") + "/activity",
		Type:      ap.TypeAnnounce,
		Actor:     ap.IRIRef(booster.URI),
		Published: boost.CreatedAt.UTC().Truncate(1e9),
		To:        to,
		Cc:        cc,
		Object:    ap.Refs{ap.IRIRef(objectIRI)},
	}
}

// Featured serves the featured collection: the pinned statuses, as Notes.
func (h *ActorHandler) Featured() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.negotiate(w, r) {
			return
		}
		if h.o.Pins == nil || h.o.Statuses == nil {
			http.NotFound(w, r)
			return
		}
		a := h.account(w, r)
		if a == nil {
			return
		}
		ctx := r.Context()
		pins, err := h.o.Pins.ByAccount(ctx, a.ID)
		if err == nil {
			ids := make([]storage.ID, 0, len(pins))
			for _, p := range pins {
				ids = append(ids, p.StatusID)
			}
			var ss []*storage.Status
			if ss, err = h.o.Statuses.GetMany(ctx, ids); err == nil {
				byID := map[storage.ID]*storage.Status{}
				for _, s := range ss {
					byID[s.ID] = s
				}
				items := ap.Refs{}
				for _, id := range ids {
					if s := byID[id]; s != nil && (s.Visibility == storage.VisibilityPublic || s.Visibility == storage.VisibilityUnlisted) {
						items = append(items, ap.Embed(h.note(ctx, s, a)))
					}
				}
				id := a.FeaturedURI
				if id == "" && h.urls != nil {
					id = h.urls.Featured(a.Username)
				}
				n := len(items)
				writeActivityJSON(w, &ap.Object{ID: id, Type: ap.TypeOrderedCollection, TotalItems: &n, OrderedItems: items}, "max-age=60, public")
				return
			}
		}
		h.log.Error("serve featured", "account", a.ID, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	})
}

// Status serves a public or unlisted local status as a Note (path wildcard
// "id"); others answer 404.
func (h *ActorHandler) Status() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.negotiate(w, r) {
			return
		}
		if h.o.Statuses == nil {
			http.NotFound(w, r)
			return
		}
		a := h.account(w, r)
		if a == nil {
			return
		}
		id, err := storage.ParseID(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		s, err := h.o.Statuses.Get(r.Context(), id)
		if err != nil || s.AccountID != a.ID || s.ReblogOfID != 0 ||
			(s.Visibility != storage.VisibilityPublic && s.Visibility != storage.VisibilityUnlisted) {
			http.NotFound(w, r)
			return
		}
		writeActivityJSON(w, h.note(r.Context(), s, a), "max-age=180, public")
	})
}

// note renders a local status as its Note, or as a Question when it has a
// poll (and Options.Polls is set).
func (h *ActorHandler) note(ctx context.Context, s *storage.Status, a *storage.Account) *ap.Object {
	n := StatusToNote(s, a, h.urls)
	if s.PollID == 0 || h.o.Polls == nil {
		return n
	}
	p, err := h.o.Polls.Get(ctx, s.PollID)
	if err != nil {
		return n
	}
	return PollToQuestion(n, p, time.Now())
}
