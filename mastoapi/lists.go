package mastoapi

import (
	"context"
	"net/http"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// List is the Mastodon List entity.
type List struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	RepliesPolicy string `json:"replies_policy"`
	Exclusive     bool   `json:"exclusive"`
}

// ListToAPI converts a stored list to the API entity.
func ListToAPI(l *storage.List) *List {
	return &List{ID: l.ID.String(), Title: l.Title, RepliesPolicy: string(l.RepliesPolicy), Exclusive: l.Exclusive}
}

// Member listings: 40 accounts by default, at most 80, and limit=0 for
// all of them, as on Mastodon.
const (
	defaultListAccounts = storage.DefaultListMembers
	maxListAccounts     = storage.MaxListMembers
)

// registerListRoutes declares the list endpoints and the list timeline.
func (a *API) registerListRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
		put  = http.MethodPut
		del  = http.MethodDelete
	)
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }
	const list = "/api/v1/lists/{id:[0-9]+}"
	a.Handle(get, "/api/v1/lists", user("read:lists"), a.lists)
	a.Handle(post, "/api/v1/lists", user("write:lists"), a.createList)
	a.Handle(get, list, user("read:lists"), a.showList)
	a.Handle(put, list, user("write:lists"), a.updateList)
	a.Handle(del, list, user("write:lists"), a.deleteList)
	a.Handle(get, list+"/accounts", user("read:lists"), a.listAccounts)
	a.Handle(post, list+"/accounts", user("write:lists"), a.addListAccounts)
	a.Handle(del, list+"/accounts", user("write:lists"), a.removeListAccounts)
	a.Handle(get, "/api/v1/accounts/{id:[0-9]+}/lists", user("read:lists"), a.accountLists)
	a.Handle(get, "/api/v1/timelines/list/{id:[0-9]+}", user("read:lists"), a.listTimeline)
}

func (a *API) lists(w http.ResponseWriter, r *http.Request) error {
	ls, err := a.svc.Lists(r.Context(), AuthOf(r).Account)
	if err != nil {
		return err
	}
	return writeEach(w, ls, ListToAPI)
}

func (a *API) accountLists(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ls, err := a.svc.ListsContaining(r.Context(), AuthOf(r).Account, id)
	if err != nil {
		return err
	}
	return writeEach(w, ls, ListToAPI)
}

// listInput reads title, replies_policy and exclusive.
func listInput(p *Params) social.ListInput {
	var in social.ListInput
	if s, ok := p.Lookup("title"); ok {
		in.Title = &s
	}
	if s, ok := p.Lookup("replies_policy"); ok && s != "" {
		rp := storage.RepliesPolicy(s)
		in.RepliesPolicy = &rp
	}
	in.Exclusive = p.BoolPtr("exclusive")
	return in
}

func (a *API) createList(w http.ResponseWriter, r *http.Request) error {
	l, err := a.svc.CreateList(r.Context(), AuthOf(r).Account, listInput(ParamsOf(r)))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ListToAPI(l))
	return nil
}

func (a *API) showList(w http.ResponseWriter, r *http.Request) error {
	return serveOwned(w, r, a.svc.GetList, ListToAPI)
}

func (a *API) updateList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := a.svc.UpdateList(r.Context(), AuthOf(r).Account, id, listInput(ParamsOf(r)))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ListToAPI(l))
	return nil
}

func (a *API) deleteList(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.DeleteList)
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	all := p.String("limit") == "0"
	pg, err := p.Page(defaultListAccounts, maxListAccounts)
	if err != nil {
		return err
	}
	entries, err := a.svc.ListAccounts(r.Context(), AuthOf(r).Account, id, pg, all)
	if err != nil {
		return err
	}
	if all {
		// Every member at once: no pagination links.
		out := make([]*Account, len(entries))
		for i, e := range entries {
			out[i] = AccountToAPI(e.Account, a.urls)
		}
		WriteJSON(w, http.StatusOK, out)
		return nil
	}
	return a.writeAccountEntries(w, r, entries, pg.Limit)
}

// accountIDs reads account_ids[]; an ID that is not a number is not found,
// as on Mastodon.
func accountIDs(p *Params) ([]storage.ID, error) {
	vs := p.Strings("account_ids")
	out := make([]storage.ID, 0, len(vs))
	for _, v := range vs {
		id, err := storage.ParseID(v)
		if err != nil {
			return nil, ErrRecordNotFound
		}
		out = append(out, id)
	}
	return out, nil
}

func (a *API) addListAccounts(w http.ResponseWriter, r *http.Request) error {
	return changeListAccounts(w, r, a.svc.AddToList)
}

func (a *API) removeListAccounts(w http.ResponseWriter, r *http.Request) error {
	return changeListAccounts(w, r, a.svc.RemoveFromList)
}

// changeListAccounts applies op to the list named by the path's {id} and
// the accounts of account_ids[], and answers with an empty object.
func changeListAccounts(w http.ResponseWriter, r *http.Request,
	op func(ctx context.Context, owner *storage.Account, listID storage.ID, accountIDs []storage.ID) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ids, err := accountIDs(ParamsOf(r))
	if err != nil {
		return err
	}
	if err := op(r.Context(), AuthOf(r).Account, id, ids); err != nil {
		return err
	}
	return emptyObject(w, r)
}

func (a *API) listTimeline(w http.ResponseWriter, r *http.Request) error {
	r = sharingRecords(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pg, err := ParamsOf(r).Page(defaultStatusesLimit, maxStatusesLimit)
	if err != nil {
		return err
	}
	page, err := a.svc.ListPage(r.Context(), AuthOf(r).Account, id, pg)
	if err != nil {
		return err
	}
	return a.writePage(w, r, page, pg.Limit)
}
