package mastoapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func writeRelationship(w http.ResponseWriter, rel *social.Relationship) error {
	WriteJSON(w, http.StatusOK, RelationshipToAPI(rel))
	return nil
}

// relationshipAction adapts a social action on an account to a handler
// answering the relationship.
func (a *API) relationshipAction(act func(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		rel, err := act(r, AuthOf(r).Account, id)
		if err != nil {
			return err
		}
		return writeRelationship(w, rel)
	}
}

func (a *API) follow(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	p := ParamsOf(r)
	opts := social.FollowOptions{Reblogs: p.BoolPtr("reblogs"), Notify: p.BoolPtr("notify")}
	if p.Has("languages") {
		opts.Languages = p.Strings("languages")
		if opts.Languages == nil {
			opts.Languages = []string{}
		}
	}
	return a.svc.Follow(r.Context(), actor, id, opts)
}

func (a *API) unfollow(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.Unfollow(r.Context(), actor, id)
}

func (a *API) block(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.Block(r.Context(), actor, id)
}

func (a *API) unblock(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.Unblock(r.Context(), actor, id)
}

// maxMuteDuration bounds a mute's duration parameter (seconds): about a
// hundred years.
const maxMuteDuration = 100 * 365 * 24 * 3600

func (a *API) mute(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	p := ParamsOf(r)
	secs, err := p.Int("duration", 0)
	if err != nil {
		return nil, err
	}
	if secs < 0 || secs > maxMuteDuration {
		return nil, validationError("Duration is out of range")
	}
	return a.svc.Mute(r.Context(), actor, id, social.MuteOptions{Notifications: p.BoolPtr("notifications"), Duration: time.Duration(secs) * time.Second})
}

func (a *API) unmute(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.Unmute(r.Context(), actor, id)
}

// note answers POST /api/v1/accounts/:id/note: comment sets the private
// note (empty or absent removes it).
func (a *API) note(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.SetAccountNote(r.Context(), actor, id, ParamsOf(r).String("comment"))
}

func (a *API) removeFromFollowers(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.RemoveFromFollowers(r.Context(), actor, id)
}

// authorizeFollow and rejectFollow act on a request to follow the
// signed-in account; they answer the relationship with the requester.
func (a *API) authorizeFollow(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.AcceptFollow(r.Context(), id, actor.ID)
}

func (a *API) rejectFollow(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.RejectFollow(r.Context(), id, actor.ID)
}

// maxRelationshipIDs bounds id[] of relationships and familiar_followers:
// further IDs are ignored.
const maxRelationshipIDs = 40

// idList reads id[] (non-numeric IDs cannot exist and are skipped).
func idList(p *Params) ([]storage.ID, error) {
	var ids []storage.ID
	for _, s := range p.Strings("id") {
		if id, err := storage.ParseID(strings.TrimSpace(s)); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxRelationshipIDs {
		ids = ids[:maxRelationshipIDs]
	}
	return ids, nil
}

func (a *API) relationships(w http.ResponseWriter, r *http.Request) error {
	ids, err := idList(ParamsOf(r))
	if err != nil {
		return err
	}
	rels, err := a.svc.Relationships(r.Context(), AuthOf(r).Account, ids)
	if err != nil {
		return err
	}
	out := make([]*Relationship, 0, len(rels))
	for _, rel := range rels {
		out = append(out, RelationshipToAPI(rel))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// familiarScan bounds how many followers of each account familiar
// followers looks at (the most recent ones).
const familiarScan = 2 * storage.MaxLimit

func (a *API) familiarFollowers(w http.ResponseWriter, r *http.Request) error {
	ids, err := idList(ParamsOf(r))
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	out := make([]*FamiliarFollowers, 0, len(ids))
	for _, id := range unique(ids) {
		accts, err := a.familiar(r.Context(), viewer, id)
		if err != nil {
			return err
		}
		out = append(out, &FamiliarFollowers{ID: id.String(), Accounts: a.renderAccountList(accts)})
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// familiar lists the accounts viewer follows among the most recent
// followers of id.
func (a *API) familiar(ctx context.Context, viewer *storage.Account, id storage.ID) ([]*storage.Account, error) {
	out := []*storage.Account{}
	if id == viewer.ID {
		return out, nil
	}
	pg := storage.Page{Limit: storage.MaxLimit}
	for seen := 0; seen < familiarScan; {
		entries, err := a.svc.Followers(ctx, viewer, id, pg)
		if err != nil {
			return nil, err
		}
		ids := make([]storage.ID, 0, len(entries))
		for _, e := range entries {
			ids = append(ids, e.Account.ID)
		}
		rels, err := a.svc.Relationships(ctx, viewer, ids)
		if err != nil {
			return nil, err
		}
		following := map[storage.ID]bool{}
		for _, rel := range rels {
			following[rel.ID] = rel.Following
		}
		for _, e := range entries {
			if following[e.Account.ID] {
				out = append(out, e.Account)
			}
		}
		if len(entries) < pg.Limit {
			break
		}
		seen += len(entries)
		pg.MaxID = entries[len(entries)-1].Cursor
	}
	return out, nil
}

// hidesCollections reports whether an account hides its follows from viewer.
func (a *API) hidesCollections(ctx context.Context, viewer *storage.Account, id storage.ID) (bool, error) {
	acct, err := a.store.Accounts().Get(ctx, id)
	if err != nil {
		return false, err
	}
	if acct.SuspendedAt != nil {
		return false, ErrRecordNotFound
	}
	return social.HidesCollections(acct) && (viewer == nil || viewer.ID != id), nil
}

func (a *API) followers(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	return a.followListing(r, p, a.svc.Followers)
}

func (a *API) following(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	return a.followListing(r, p, a.svc.Following)
}

func (a *API) followListing(r *http.Request, p storage.Page,
	list func(context.Context, *storage.Account, storage.ID, storage.Page) ([]social.AccountEntry, error)) ([]social.AccountEntry, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	viewer := viewerOf(r)
	hidden, err := a.hidesCollections(r.Context(), viewer, id)
	if err != nil || hidden {
		return nil, err
	}
	return list(r.Context(), viewer, id, p)
}

func (a *API) followRequests(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	return a.svc.FollowRequests(r.Context(), AuthOf(r).Account, p)
}

func (a *API) blocks(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	return a.svc.Blocks(r.Context(), AuthOf(r).Account, p)
}

func (a *API) mutes(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(40, storage.MaxLimit)
	if err != nil {
		return err
	}
	entries, err := a.svc.Mutes(r.Context(), AuthOf(r).Account, pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, entries, pg.Limit, func(e social.AccountEntry) *MutedAccount {
		m := &MutedAccount{Account: *AccountToAPI(e.Account, a.urls)}
		if e.Mute != nil {
			m.MuteExpiresAt = TimePtr(e.Mute.ExpiresAt)
		}
		return m
	}, accountCursor)
}

func (a *API) domainBlocks(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, storage.MaxLimit)
	if err != nil {
		return err
	}
	bs, err := a.svc.DomainBlocks(r.Context(), AuthOf(r).Account, pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, bs, pg.Limit, func(b *storage.DomainBlock) string { return b.Domain },
		func(b *storage.DomainBlock) storage.ID { return b.ID })
}

func (a *API) blockDomain(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.BlockDomain(r.Context(), AuthOf(r).Account, ParamsOf(r).String("domain")); err != nil {
		return err
	}
	return emptyObject(w, r)
}

func (a *API) unblockDomain(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.UnblockDomain(r.Context(), AuthOf(r).Account, ParamsOf(r).String("domain")); err != nil {
		return err
	}
	return emptyObject(w, r)
}

// updateCredentials is PATCH /api/v1/accounts/update_credentials.
func (a *API) updateCredentials(w http.ResponseWriter, r *http.Request) error {
	au, p := AuthOf(r), ParamsOf(r)
	var in social.ProfileInput
	imgs, err := a.profileImages(r, &in)
	if err != nil {
		return err
	}
	if s, ok := p.Lookup("display_name"); ok {
		in.DisplayName = &s
	}
	if s, ok := p.Lookup("note"); ok {
		in.Note = &s
	}
	in.Locked, in.Bot = p.BoolPtr("locked"), p.BoolPtr("bot")
	in.Discoverable, in.Indexable = p.BoolPtr("discoverable"), p.BoolPtr("indexable")
	if p.Has("fields_attributes") {
		fields := []social.FieldInput{}
		for _, f := range p.Objects("fields_attributes") {
			fields = append(fields, social.FieldInput{Name: f.String("name"), Value: f.String("value")})
		}
		in.Fields = &fields
	}
	src := p.Sub("source")
	if s, ok := src.Lookup("privacy"); ok {
		v := storage.Visibility(s)
		in.Privacy = &v
	}
	in.Sensitive = src.BoolPtr("sensitive")
	if s, ok := src.Lookup("language"); ok {
		in.Language = &s
	}
	in.Settings.HideCollections = p.BoolPtr("hide_collections")
	if s, ok := p.Lookup("avatar_description"); ok {
		in.Settings.AvatarDescription = &s
	}
	if s, ok := p.Lookup("header_description"); ok {
		in.Settings.HeaderDescription = &s
	}
	acct, err := a.svc.UpdateProfile(r.Context(), au.Account, in)
	imgs.done(r.Context(), err)
	if err != nil {
		return err
	}
	u, err := a.store.Users().GetByAccountID(r.Context(), acct.ID)
	if err != nil {
		return err
	}
	reqs, err := a.store.Follows().Requests(r.Context(), acct.ID, storage.Page{Limit: storage.MaxLimit})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, CredentialAccountToAPI(acct, u, int64(len(reqs)), a.urls))
	return nil
}

// ---- markers ----

// markerTimelines are the timelines markers exist for.
var markerTimelines = []string{storage.MarkerHome, storage.MarkerNotifications}

func writeMarkers(w http.ResponseWriter, ms map[string]*storage.Marker) {
	out := map[string]*Marker{}
	for tl, m := range ms {
		out[tl] = &Marker{LastReadID: m.LastReadID.String(), Version: m.Version, UpdatedAt: Time(m.UpdatedAt)}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) getMarkers(w http.ResponseWriter, r *http.Request) error {
	var want []string
	for _, tl := range ParamsOf(r).Strings("timeline") {
		if slices.Contains(markerTimelines, tl) && !slices.Contains(want, tl) {
			want = append(want, tl)
		}
	}
	ms, err := a.store.Markers().Get(r.Context(), AuthOf(r).Account.ID, want)
	if err != nil {
		return err
	}
	writeMarkers(w, ms)
	return nil
}

// saveMarkers is POST /api/v1/markers. Each timeline's version is
// incremented atomically by the store, so concurrent saves are never lost.
func (a *API) saveMarkers(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	updates := map[string]storage.ID{}
	for _, tl := range markerTimelines {
		s, ok := p.Sub(tl).Lookup("last_read_id")
		if !ok {
			continue
		}
		id, err := storage.ParseID(s)
		if err != nil {
			return validationError("Last read id is not a valid id")
		}
		updates[tl] = id
	}
	saved := map[string]*storage.Marker{}
	for _, tl := range markerTimelines {
		id, ok := updates[tl]
		if !ok {
			continue
		}
		m, err := a.store.Markers().Save(r.Context(), AuthOf(r).Account.ID, tl, id)
		if err != nil {
			return err
		}
		saved[tl] = m
	}
	writeMarkers(w, saved)
	return nil
}

// notificationsMarker returns the last read notification ID of account.
func (a *API) notificationsMarker(ctx context.Context, accountID storage.ID) (storage.ID, error) {
	ms, err := a.store.Markers().Get(ctx, accountID, []string{storage.MarkerNotifications})
	if err != nil {
		return 0, err
	}
	if m := ms[storage.MarkerNotifications]; m != nil {
		return m.LastReadID, nil
	}
	return 0, nil
}
