package mastoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/filter"
	"github.com/herd-social/herd/storage"
)

// This file renders pages of records as entities with a fixed number of
// queries per page, whatever its size: one for the boosted statuses, one
// for the accounts, one for the viewer's state, plus the (cached)
// applications.

// maxCachedApps bounds the application cache; it is emptied when full.
const maxCachedApps = 1024

// appCache keeps the applications statuses were posted with: few, and
// looked up for every rendered local status.
type appCache struct {
	mu   sync.Mutex
	apps map[storage.ID]*storage.Application
}

func (a *API) application(ctx context.Context, id storage.ID) (*storage.Application, error) {
	c := &a.apps
	c.mu.Lock()
	app, ok := c.apps[id]
	c.mu.Unlock()
	if ok {
		return app, nil
	}
	app, err := a.store.OAuth().GetApplication(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		app, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load application %s: %w", id, err)
	}
	c.mu.Lock()
	if c.apps == nil || len(c.apps) >= maxCachedApps {
		c.apps = map[storage.ID]*storage.Application{}
	}
	c.apps[id] = app
	c.mu.Unlock()
	return app, nil
}

// statusBatch is what rendering a page of statuses needs, loaded at once.
type statusBatch struct {
	viewer   *storage.Account
	statuses map[storage.ID]*storage.Status // the boosted statuses
	authors  map[storage.ID]*storage.Account
	// accounts holds the authors rendered so far (account renders them
	// when first needed: statuses written from the status cache need none).
	accounts map[storage.ID]*Account
	states   map[storage.ID]storage.ViewerState
	apps     map[storage.ID]*storage.Application
	media    map[storage.ID]json.RawMessage // rendered attachments
	polls    map[storage.ID]*storage.Poll
	ownVotes map[storage.ID][]int // the viewer's choices, by poll
	withText bool
	// The viewer's keyword filters (nil: none) and the context the
	// statuses are shown in.
	filters   *filter.Set
	filterCtx storage.FilterContext
	filterNow time.Time
	muted     map[storage.ID]bool // statuses in threads the viewer muted
}

// loadStatusBatch loads the boosted statuses, authors, applications and
// viewer state of sts.
func (a *API) loadStatusBatch(ctx context.Context, viewer *storage.Account, sts []*storage.Status) (*statusBatch, error) {
	return a.loadStatusBatchWith(ctx, viewer, sts, nil)
}

// loadStatusBatchWith is loadStatusBatch, taking the authors and boosted
// statuses that pre (when not nil) already holds instead of loading them
// again.
func (a *API) loadStatusBatchWith(ctx context.Context, viewer *storage.Account, sts []*storage.Status, pre *social.Page) (*statusBatch, error) {
	b := &statusBatch{viewer: viewer, statuses: make(map[storage.ID]*storage.Status, 8),
		authors: make(map[storage.ID]*storage.Account, len(sts)), accounts: make(map[storage.ID]*Account, len(sts)),
		apps: map[storage.ID]*storage.Application{}}
	var want []storage.ID
	for _, st := range sts {
		if st.ReblogOfID == 0 {
			continue
		}
		if pre != nil {
			if o := pre.Boosted[st.ReblogOfID]; o != nil {
				b.statuses[o.ID] = o
				continue
			}
		}
		want = append(want, st.ReblogOfID)
	}
	if len(want) > 0 {
		origs, err := a.store.Statuses().GetMany(ctx, unique(want))
		if err != nil {
			return nil, fmt.Errorf("render: boosted statuses: %w", err)
		}
		for _, o := range origs {
			b.statuses[o.ID] = o
		}
	}
	all := make([]*storage.Status, 0, len(sts)+len(b.statuses))
	all = append(all, sts...)
	for _, o := range b.statuses {
		all = append(all, o)
	}
	accountIDs := make([]storage.ID, 0, len(all))
	statusIDs := make([]storage.ID, 0, len(all))
	for _, st := range all {
		statusIDs = append(statusIDs, st.ID)
		if b.authors[st.AccountID] == nil {
			var acct *storage.Account
			if pre != nil {
				acct = pre.Accounts[st.AccountID]
			}
			if acct != nil {
				b.authors[acct.ID] = acct
			} else {
				accountIDs = append(accountIDs, st.AccountID)
			}
		}
		if st.ApplicationID != 0 && st.Local {
			if _, ok := b.apps[st.ApplicationID]; !ok {
				app, err := a.application(ctx, st.ApplicationID)
				if err != nil {
					return nil, err
				}
				b.apps[st.ApplicationID] = app
			}
		}
	}
	if len(accountIDs) > 0 {
		accts, err := a.store.Accounts().GetMany(ctx, unique(accountIDs))
		if err != nil {
			return nil, fmt.Errorf("render: accounts: %w", err)
		}
		for _, acct := range accts {
			b.authors[acct.ID] = acct
		}
	}
	ms, err := a.loadMedia(ctx, all)
	if err != nil {
		return nil, err
	}
	b.media = ms
	if b.polls, b.ownVotes, err = a.loadPolls(ctx, viewer, all); err != nil {
		return nil, err
	}
	if err := a.loadFilters(ctx, b); err != nil {
		return nil, err
	}
	if viewer != nil && len(statusIDs) > 0 {
		states, err := a.store.Statuses().ViewerStates(ctx, viewer.ID, unique(statusIDs))
		if err != nil {
			return nil, fmt.Errorf("render: viewer state: %w", err)
		}
		b.states = states
		if b.muted, err = a.svc.MutedThreads(ctx, viewer, all); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
	} else {
		b.states = map[storage.ID]storage.ViewerState{}
	}
	return b, nil
}

// loadAccounts renders the accounts of ids into into.
func (a *API) loadAccounts(ctx context.Context, ids []storage.ID, into map[storage.ID]*Account) error {
	var missing []storage.ID
	for _, id := range ids {
		if into[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	accts, err := a.store.Accounts().GetMany(ctx, missing)
	if err != nil {
		return fmt.Errorf("render: accounts: %w", err)
	}
	for _, acct := range accts {
		into[acct.ID] = AccountToAPI(acct, a.urls)
	}
	return nil
}

// account returns the author id rendered, nil when it was not loaded.
func (b *statusBatch) account(a *API, id storage.ID) *Account {
	if acct := b.accounts[id]; acct != nil {
		return acct
	}
	rec := b.authors[id]
	if rec == nil {
		return nil
	}
	acct := AccountToAPI(rec, a.urls)
	b.accounts[id] = acct
	return acct
}

// one renders a status already loaded in the batch; nil when its author
// (or boosted status) is gone.
func (b *statusBatch) one(a *API, st *storage.Status) *Status {
	acct := b.account(a, st.AccountID)
	if acct == nil {
		return nil
	}
	view := StatusView{Account: acct, Application: b.apps[st.ApplicationID], Own: b.viewer != nil && b.viewer.ID == st.AccountID,
		Media: statusMedia(st, b.media)}
	if p := b.polls[st.PollID]; p != nil && st.PollID != 0 {
		view.Poll = a.renderPoll(p, b.viewer, b.ownVotes[p.ID])
	}
	if b.viewer != nil {
		vs := b.states[st.ID]
		view.Viewer = &vs
		view.Muted = b.muted[st.ID]
	}
	if st.ReblogOfID == 0 {
		out := StatusToAPI(st, view, a.urls)
		if b.applyFilters(st, st, out) {
			return nil
		}
		if acct.sensitized && len(view.Media) > 0 && !view.Own {
			out.Sensitive = true // a sensitized account's media are always sensitive
		}
		if b.withText {
			t := st.Text
			out.Text = &t
		}
		return out
	}
	orig := b.statuses[st.ReblogOfID]
	if orig == nil {
		return nil
	}
	inner := b.one(a, orig)
	if inner == nil {
		return nil
	}
	// A boost shows the boosted status's state on the wrapper too, as
	// clients read either.
	view.Application = nil
	out := StatusToAPI(st, view, a.urls)
	out.Reblog = inner
	if b.applyFilters(st, orig, out) {
		return nil
	}
	out.Content, out.SpoilerText, out.Sensitive, out.Language = "", "", false, nil
	if b.viewer != nil {
		out.Favourited, out.Reblogged, out.Bookmarked = inner.Favourited, inner.Reblogged, inner.Bookmarked
		out.Muted = inner.Muted
	}
	return out
}

// renderStatuses renders a page of statuses for viewer (nil: anonymous),
// in order, leaving out those whose author is gone.
func (a *API) renderStatuses(ctx context.Context, viewer *storage.Account, sts []*storage.Status) ([]*Status, error) {
	return a.renderLoaded(ctx, viewer, sts, nil)
}

// renderLoaded is renderStatuses, reusing the records pre (when not nil)
// loaded with the page.
func (a *API) renderLoaded(ctx context.Context, viewer *storage.Account, sts []*storage.Status, pre *social.Page) ([]*Status, error) {
	out := make([]*Status, 0, len(sts))
	if len(sts) == 0 {
		return out, nil
	}
	b, err := a.loadStatusBatchWith(ctx, viewer, sts, pre)
	if err != nil {
		return nil, err
	}
	for _, st := range sts {
		if s := b.one(a, st); s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// renderStatus renders one status; a status that cannot be rendered (its
// author is gone) is not found.
func (a *API) renderStatus(ctx context.Context, viewer *storage.Account, st *storage.Status, withText bool) (*Status, error) {
	b, err := a.loadStatusBatch(ctx, viewer, []*storage.Status{st})
	if err != nil {
		return nil, err
	}
	b.withText = withText
	out := b.one(a, st)
	if out == nil {
		return nil, ErrRecordNotFound
	}
	return out, nil
}

// renderAccountList renders accounts in order.
func (a *API) renderAccountList(accts []*storage.Account) []*Account {
	out := make([]*Account, 0, len(accts))
	for _, acct := range accts {
		out = append(out, AccountToAPI(acct, a.urls))
	}
	return out
}

// renderNotifications renders notifications for their recipient, leaving
// out those whose account or status is gone.
func (a *API) renderNotifications(ctx context.Context, viewer *storage.Account, ns []*storage.Notification) ([]*Notification, error) {
	out := make([]*Notification, 0, len(ns))
	if len(ns) == 0 {
		return out, nil
	}
	var accountIDs, statusIDs []storage.ID
	for _, n := range ns {
		accountIDs = append(accountIDs, n.FromAccountID)
		if n.StatusID != 0 && notificationHasStatus(n.Type) {
			statusIDs = append(statusIDs, n.StatusID)
		}
	}
	accounts, statuses, err := a.renderSenders(ctx, viewer, accountIDs, statusIDs)
	if err != nil {
		return nil, err
	}
	events := a.severanceEvents(ctx, viewer, ns)
	for _, n := range ns {
		from := accounts[n.FromAccountID]
		if from == nil {
			continue
		}
		var st *Status
		if notificationHasStatus(n.Type) {
			if st = statuses[n.StatusID]; st == nil {
				continue
			}
		}
		nn := NotificationToAPI(n, from, st)
		if ev := events[n.ID]; ev != nil {
			nn.Event = ev
		}
		if ok, err := a.addModerationFields(ctx, n, nn); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		out = append(out, nn)
	}
	return out, nil
}

func parseIDOrZero(s string) storage.ID {
	id, _ := storage.ParseID(s)
	return id
}

// unique drops zero and repeated IDs, keeping the order.
func unique(ids []storage.ID) []storage.ID {
	seen := make(map[storage.ID]bool, len(ids))
	out := make([]storage.ID, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// renderSenders renders, for viewer, the accounts and statuses that
// notifications and notification requests point at, by ID (a status the
// viewer may not see is left out).
func (a *API) renderSenders(ctx context.Context, viewer *storage.Account, accountIDs, statusIDs []storage.ID) (map[storage.ID]*Account, map[storage.ID]*Status, error) {
	accounts := map[storage.ID]*Account{}
	if err := a.loadAccounts(ctx, unique(accountIDs), accounts); err != nil {
		return nil, nil, err
	}
	statuses := map[storage.ID]*Status{}
	if len(statusIDs) == 0 {
		return accounts, statuses, nil
	}
	sts, err := a.store.Statuses().GetMany(ctx, unique(statusIDs))
	if err != nil {
		return nil, nil, fmt.Errorf("render: notification statuses: %w", err)
	}
	rendered, err := a.renderStatuses(ctx, viewer, sts)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range rendered {
		statuses[parseIDOrZero(s.ID)] = s
	}
	return accounts, statuses, nil
}
