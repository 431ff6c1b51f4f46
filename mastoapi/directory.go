package mastoapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/herd-social/herd/storage"
)

// registerDiscoveryMiscRoutes declares the profile directory, the
// multiple-accounts lookup, the peers search, the instance's texts and
// languages, and oEmbed.
func (a *API) registerDiscoveryMiscRoutes() {
	const get = http.MethodGet
	public := RouteOptions{Auth: AuthNone}
	a.Handle(get, "/api/v1/directory", RouteOptions{Auth: AuthOptional}, a.directory)
	a.Handle(get, "/api/v1/accounts", RouteOptions{Auth: AuthOptional, Scopes: []string{"read:accounts"}}, a.showAccounts)
	a.Handle(get, "/api/v1/peers/search", public, a.peersSearch)
	a.Handle(get, "/api/v1/instance/extended_description", public, a.extendedDescription)
	a.Handle(get, "/api/v1/instance/privacy_policy", public, a.privacyPolicy)
	a.Handle(get, "/api/v1/instance/terms_of_service", public, a.termsOfService)
	a.Handle(get, "/api/v1/instance/terms_of_service/{date}", public, a.termsOfService)
	a.Handle(get, "/api/v1/instance/languages", public, a.instanceLanguages)
	// Herd translates nothing: no language pairs.
	a.Handle(get, "/api/v1/instance/translation_languages", public, emptyObject)
	a.Handle(get, "/api/oembed", public, a.oembed)
}

// Directory limits, as Mastodon's.
const (
	directoryDefaultLimit = 40
	directoryMaxLimit     = 80
)

// directory serves GET /api/v1/directory: discoverable accounts that are not
// suspended, limited (themselves or their domain) or moved, by latest status
// (order=active, the default) or newest first (order=new).
func (a *API) directory(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	offset, limit, err := offsetPage(p, directoryDefaultLimit, directoryMaxLimit)
	if err != nil {
		return err
	}
	q := storage.DirectoryQuery{Local: p.Bool("local", false), Offset: offset, Limit: limit}
	switch p.String("order") {
	case "", "active":
	case "new":
		q.New = true
	default:
		return validationError("order must be active or new")
	}
	if v := viewerOf(r); v != nil {
		q.Viewer = v.ID
	}
	ids, err := a.store.Discovery().Directory(r.Context(), q)
	if err != nil {
		return err
	}
	accts, err := a.accountsInOrder(r, ids)
	if err != nil {
		return err
	}
	out := make([]*Account, 0, len(accts))
	for _, acct := range accts {
		// Accounts of a limited or suspended domain are left out here: the
		// store knows only the accounts' own moderation state.
		if a.svc != nil && a.svc.Limited(r.Context(), acct) {
			continue
		}
		out = append(out, AccountToAPI(acct, a.urls))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// accountsInOrder loads the accounts of ids, in the order of ids, leaving
// out those that do not exist.
func (a *API) accountsInOrder(r *http.Request, ids []storage.ID) ([]*storage.Account, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := a.store.Accounts().GetMany(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[storage.ID]*storage.Account, len(found))
	for _, acct := range found {
		byID[acct.ID] = acct
	}
	out := make([]*storage.Account, 0, len(found))
	for _, id := range ids {
		if acct := byID[id]; acct != nil {
			out = append(out, acct)
		}
	}
	return out, nil
}

// maxAccountIDs bounds GET /api/v1/accounts?id[]=…, as Mastodon.
const maxAccountIDs = 40

// showAccounts serves GET /api/v1/accounts?id[]=…: the accounts as
// GET /api/v1/accounts/:id renders them (suspended ones reduced to their
// handle), in the order asked, unknown IDs left out; 422 beyond 40 IDs.
func (a *API) showAccounts(w http.ResponseWriter, r *http.Request) error {
	var ids []storage.ID
	raw := ParamsOf(r).Strings("id")
	if len(raw) > maxAccountIDs {
		return validationError("Too many accounts requested (at most 40)")
	}
	for _, s := range raw {
		if id, err := storage.ParseID(strings.TrimSpace(s)); err == nil {
			ids = append(ids, id)
		}
	}
	accts, err := a.accountsInOrder(r, unique(ids))
	if err != nil {
		return err
	}
	out := make([]*Account, 0, len(accts))
	for _, acct := range accts {
		out = append(out, AccountToAPI(acct, a.urls))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// maxPeerResults bounds GET /api/v1/peers/search, as Mastodon.
const maxPeerResults = 10

// peersSearch serves GET /api/v1/peers/search?q=: the known instances
// whose domain starts with q (case-insensitive), in domain order, at most
// 10, leaving out blocked domains. As Mastodon it answers 404 in limited
// (allow-list) federation mode, and [] for an empty q.
func (a *API) peersSearch(w http.ResponseWriter, r *http.Request) error {
	if a.svc != nil && a.svc.LimitedFederation() {
		return ErrRecordNotFound
	}
	q := strings.ToLower(strings.TrimSpace(ParamsOf(r).String("q")))
	q = strings.TrimSuffix(q, ".")
	if q == "" || len(q) > 253 {
		WriteJSON(w, http.StatusOK, []string{})
		return nil
	}
	ctx := r.Context()
	out := []string{}
	var page []*storage.Instance
	// List returns the domains after its argument: q itself is checked
	// first.
	if in, err := a.store.Instances().Get(ctx, q); err == nil {
		page = append(page, in)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	after := q
	for len(out) < maxPeerResults {
		more, err := a.store.Instances().List(ctx, after, 50)
		if err != nil {
			return err
		}
		page = append(page, more...)
		done := len(more) < 50
		for _, in := range page {
			if !strings.HasPrefix(in.Domain, q) {
				done = true
				break
			}
			if len(out) < maxPeerResults && !a.domainBlocked(r, in.Domain) {
				out = append(out, in.Domain)
			}
		}
		if done || len(more) == 0 {
			break
		}
		after, page = more[len(more)-1].Domain, nil
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// domainBlocked reports whether the instance blocks exactly domain.
func (a *API) domainBlocked(r *http.Request, domain string) bool {
	_, err := a.store.InstanceDomainBlocks().GetByDomain(r.Context(), domain)
	return err == nil
}
