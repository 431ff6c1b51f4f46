package mastoapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/herd-social/herd/storage"
)

// Search limits: 20 results per type by default, at most 40.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 40
	maxSearchQuery     = 512
)

var (
	errSearchOffsetAnonymous  = NewError(http.StatusUnauthorized, "Search queries pagination is not supported without authentication")
	errSearchResolveAnonymous = NewError(http.StatusUnauthorized, "Search queries that resolve remote resources are not supported without authentication")
)

// searchQuery is a parsed search request.
type searchQuery struct {
	q                  string
	typ                string // accounts, statuses, hashtags or "" (all)
	resolve, following bool
	accountID          storage.ID
	limit, offset      int
}

func parseSearch(r *http.Request, v2 bool) (*searchQuery, error) {
	p := ParamsOf(r)
	s := &searchQuery{q: strings.TrimSpace(p.String("q")), typ: p.String("type"),
		resolve: p.Bool("resolve", false), following: p.Bool("following", false)}
	if !v2 {
		s.typ = "accounts"
	}
	if s.q == "" {
		return nil, NewError(http.StatusBadRequest, "Error occurred while parsing request parameters: q is missing")
	}
	if len(s.q) > maxSearchQuery {
		return nil, validationError("Query is too long")
	}
	switch s.typ {
	case "", "accounts", "statuses", "hashtags":
	default:
		s.typ = "" // Mastodon ignores unknown types
	}
	var err error
	if s.accountID, err = p.ID("account_id"); err != nil {
		return nil, err
	}
	limit, err := p.Int("limit", defaultSearchLimit)
	if err != nil {
		return nil, err
	}
	offset, err := p.Int("offset", 0)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	s.limit, s.offset = int(min(limit, maxSearchLimit)), int(max(min(offset, 10000), 0))
	if viewerOf(r) == nil {
		if p.Has("offset") && s.offset > 0 {
			return nil, errSearchOffsetAnonymous
		}
		if s.resolve {
			return nil, errSearchResolveAnonymous
		}
	}
	return s, nil
}

// resolvable reports whether q names a remote resource: a URL or a handle
// with a domain.
func resolvable(q string) bool {
	if strings.HasPrefix(q, "https://") || strings.HasPrefix(q, "http://") {
		return true
	}
	user, domain, ok := strings.Cut(strings.TrimPrefix(q, "@"), "@")
	return ok && user != "" && domain != "" && !strings.ContainsAny(q, " \t")
}

// resolveRemote asks the resolver hook for q; failures mean no result, as
// on Mastodon.
func (a *API) resolveRemote(ctx context.Context, viewer *storage.Account, s *searchQuery) (*storage.Account, *storage.Status) {
	if a.resolve == nil || !s.resolve || viewer == nil || s.offset > 0 || !resolvable(s.q) {
		return nil, nil
	}
	acct, st, err := a.resolve(ctx, s.q)
	if err != nil {
		a.log.Debug("mastoapi: search resolve", "err", err)
		return nil, nil
	}
	if st != nil {
		if ok, err := a.svc.CanSee(ctx, viewer, st); err != nil || !ok {
			st = nil
		}
	}
	if acct != nil && acct.SuspendedAt != nil {
		acct = nil
	}
	return acct, st
}

// searchAccounts finds accounts, the resolved one first.
func (a *API) searchAccounts(ctx context.Context, viewer *storage.Account, s *searchQuery, resolved *storage.Account) ([]*storage.Account, error) {
	found, err := a.svc.SearchAccounts(ctx, viewer, s.q, s.limit, s.offset)
	if err != nil {
		return nil, err
	}
	accts := make([]*storage.Account, 0, len(found)+1)
	if resolved != nil {
		accts = append(accts, resolved)
	}
	for _, acct := range found {
		if resolved == nil || acct.ID != resolved.ID {
			accts = append(accts, acct)
		}
	}
	if s.following && viewer != nil && len(accts) > 0 {
		ids := make([]storage.ID, len(accts))
		for i, acct := range accts {
			ids[i] = acct.ID
		}
		rels, err := a.svc.Relationships(ctx, viewer, ids)
		if err != nil {
			return nil, err
		}
		following := map[storage.ID]bool{}
		for _, rel := range rels {
			following[rel.ID] = rel.Following
		}
		kept := accts[:0]
		for _, acct := range accts {
			if following[acct.ID] {
				kept = append(kept, acct)
			}
		}
		accts = kept
	}
	if len(accts) > s.limit {
		accts = accts[:s.limit]
	}
	return accts, nil
}

func (a *API) searchV2(w http.ResponseWriter, r *http.Request) error {
	s, err := parseSearch(r, true)
	if err != nil {
		return err
	}
	ctx, viewer := r.Context(), viewerOf(r)
	out := &SearchResults{Accounts: []*Account{}, Statuses: []*Status{}, Hashtags: []*Tag{}}
	acct, st := a.resolveRemote(ctx, viewer, s)
	if s.typ == "" || s.typ == "accounts" {
		accts, err := a.searchAccounts(ctx, viewer, s, acct)
		if err != nil {
			return err
		}
		out.Accounts = a.renderAccountList(accts)
	}
	if s.typ == "" || s.typ == "statuses" {
		sts, err := a.svc.SearchStatuses(ctx, viewer, s.q, s.accountID, s.limit, s.offset)
		if err != nil {
			return err
		}
		if st != nil {
			sts = append([]*storage.Status{st}, sts...)
		}
		if out.Statuses, err = a.renderStatuses(ctx, viewer, sts); err != nil {
			return err
		}
	}
	if s.typ == "" || s.typ == "hashtags" {
		q := strings.TrimPrefix(s.q, "#")
		if q != "" && !strings.ContainsAny(q, " @/") {
			tags, err := a.svc.SearchHashtags(ctx, q, s.limit, s.offset)
			if err != nil {
				return err
			}
			for _, t := range tags {
				out.Hashtags = append(out.Hashtags, TagToAPI(t.Name, a.urls, viewer != nil))
			}
		}
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) searchAccountsV1(w http.ResponseWriter, r *http.Request) error {
	s, err := parseSearch(r, false)
	if err != nil {
		return err
	}
	viewer := viewerOf(r)
	acct, _ := a.resolveRemote(r.Context(), viewer, s)
	accts, err := a.searchAccounts(r.Context(), viewer, s, acct)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.renderAccountList(accts))
	return nil
}

// showTag is GET /api/v1/tags/:name. Hashtags are not stored as records:
// any well-formed name exists.
func (a *API) showTag(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimPrefix(pathVar(r, "name"), "#")
	if name == "" || len(name) > 100 || strings.ContainsAny(name, " /@#") {
		return ErrRecordNotFound
	}
	return a.writeTag(w, r, name)
}
