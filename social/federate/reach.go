package federate

import (
	"context"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// maxReach bounds the extra recipients of an Update or Delete.
const maxReach = 500

// reach lists the remote accounts beyond a status's audience that hold a
// copy of it and must hear of its edit or deletion, as Mastodon's
// StatusReachFinder: those who boosted it, favourited it or replied to it.
// Only public and unlisted statuses travel that far; the others reached
// only their addressees. Boosts and favourites of a deleted status are gone
// from storage by the time its event is published, so deleted boosts come
// from the event.
func (f *Federator) reach(ctx context.Context, st *storage.Status, e social.Event) []string {
	if st.Visibility != storage.VisibilityPublic && st.Visibility != storage.VisibilityUnlisted {
		return nil
	}
	ids := map[storage.ID]bool{}
	add := func(id storage.ID) {
		if id != 0 && id != st.AccountID && len(ids) < maxReach {
			ids[id] = true
		}
	}
	for _, b := range e.DeletedReblogs {
		add(b.AccountID)
	}
	if e.Type == social.EventStatusUpdated {
		for p := (storage.Page{Limit: storage.MaxLimit}); len(ids) < maxReach; {
			boosts, err := f.store.Statuses().Reblogs(ctx, st.ID, p)
			if err != nil || len(boosts) == 0 {
				break
			}
			for _, b := range boosts {
				add(b.AccountID)
			}
			p.MaxID = boosts[len(boosts)-1].ID
		}
		for p := (storage.Page{Limit: storage.MaxLimit}); len(ids) < maxReach; {
			favs, err := f.store.Favourites().ByStatus(ctx, st.ID, p)
			if err != nil || len(favs) == 0 {
				break
			}
			for _, fv := range favs {
				add(fv.AccountID)
			}
			p.MaxID = favs[len(favs)-1].ID
		}
	}
	if replies, err := f.store.Statuses().Descendants(ctx, st.ID, maxReach); err == nil {
		for _, r := range replies {
			add(r.AccountID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	list := make([]storage.ID, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	accts, err := f.store.Accounts().GetMany(ctx, list)
	if err != nil {
		f.log.Warn("federate: reach of an edit or delete", "status", st.ID, "err", err)
		return nil
	}
	var out []string
	for _, a := range accts {
		if !a.Local() && a.URI != "" {
			out = append(out, a.URI)
		}
	}
	return out
}
