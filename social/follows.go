package social

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// FollowOptions tunes a follow. Nil fields keep the current setting of an
// existing follow, or take the default of a new one.
type FollowOptions struct {
	// Reblogs shows the target's boosts in the home feed (default true).
	Reblogs *bool
	// Notify notifies the follower of the target's new statuses (default false).
	Notify *bool
	// Languages limits the target's statuses shown to these languages
	// (default: all).
	Languages []string
	// URI is the id of the Follow activity, for follows received through
	// federation; local follows get one of ours.
	URI string
}

// Relationship is how a viewer relates to one account, with every boolean
// of the Mastodon Relationship entity.
type Relationship struct {
	ID                  storage.ID
	Following           bool
	ShowingReblogs      bool
	Notifying           bool
	Languages           []string // nil unless following
	FollowedBy          bool
	Blocking            bool
	BlockedBy           bool
	Muting              bool
	MutingNotifications bool
	Mute                *storage.Mute // the mute, when muting (its ExpiresAt is mute_expires_at)
	Requested           bool
	RequestedBy         bool
	DomainBlocking      bool
	Endorsed            bool   // the viewer features the account on its profile
	Note                string // the viewer's private note on the account
}

// AccountEntry is an account in a paged listing, with the ID of the record
// (follow, favourite, block …) that orders it: the cursor for Link headers.
type AccountEntry struct {
	Cursor  storage.ID
	Account *storage.Account
	// Mute is set in mute listings.
	Mute *storage.Mute
}

// StatusEntry is a status in a listing ordered by another record (a
// favourite or a bookmark), whose ID is the cursor for Link headers.
type StatusEntry struct {
	Cursor storage.ID
	Status *storage.Status
}

// loadTarget loads an account to act on; suspended accounts are not found.
func loadTarget(ctx context.Context, tx storage.Store, id storage.ID) (*storage.Account, error) {
	a, err := tx.Accounts().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "account %s", id)
	}
	if a.SuspendedAt != nil {
		return nil, fmt.Errorf("account %s: %w", id, ErrNotFound)
	}
	return a, nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func cleanLanguages(ls []string) storage.Strings {
	out := storage.Strings{}
	for _, l := range ls {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Follow makes actor follow the target. A locked or remote target gets a
// follow request instead (the target's approval, or federation on the
// remote Accept, turns it into a follow through AcceptFollow). Following
// again updates the options. The target is notified (follow or
// follow_request).
func (s *Service) Follow(ctx context.Context, actor *storage.Account, targetID storage.ID, opts FollowOptions) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if actor == nil || actor.ID == 0 {
			return ErrForbidden
		}
		target, err := loadTarget(ctx, tx, targetID)
		if err != nil {
			return err
		}
		if target.ID == actor.ID {
			return fmt.Errorf("cannot follow oneself: %w", ErrForbidden)
		}
		bs, err := tx.Blocks().States(ctx, actor.ID, []storage.ID{target.ID})
		if err != nil {
			return err
		}
		if b := bs[target.ID]; b.Blocking || b.BlockedBy {
			return fmt.Errorf("blocked: %w", ErrForbidden)
		}
		if !actor.Local() && !target.Local() {
			return fmt.Errorf("neither account is local: %w", ErrForbidden)
		}
		if f, err := tx.Follows().Get(ctx, actor.ID, target.ID); err == nil {
			f.ShowReblogs = boolOr(opts.Reblogs, f.ShowReblogs)
			f.Notify = boolOr(opts.Notify, f.Notify)
			if opts.Languages != nil {
				f.Languages = cleanLanguages(opts.Languages)
			}
			if err := tx.Follows().Update(ctx, f); err != nil {
				return fmt.Errorf("update follow: %w", err)
			}
			rel, err = relationship(ctx, tx, actor.ID, target.ID)
			return err
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load follow: %w", err)
		}
		if _, err := tx.Follows().GetRequest(ctx, actor.ID, target.ID); err == nil {
			rel, err = relationship(ctx, tx, actor.ID, target.ID)
			return err
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load follow request: %w", err)
		}
		f := &storage.Follow{ID: tx.NewID(), AccountID: actor.ID, TargetAccountID: target.ID, URI: opts.URI,
			ShowReblogs: boolOr(opts.Reblogs, true), Notify: boolOr(opts.Notify, false),
			Languages: cleanLanguages(opts.Languages), CreatedAt: s.now()}
		if f.URI == "" && actor.Local() {
			f.URI = s.urls.Activity(actor.Username, "follows", f.ID)
		}
		if target.Locked || !target.Local() {
			req := (*storage.FollowRequest)(f)
			if err := tx.Follows().CreateRequest(ctx, req); err != nil {
				return fmt.Errorf("create follow request: %w", err)
			}
			if err := s.notify(ctx, tx, ev, target, actor, storage.NotifyFollowRequest, nil); err != nil {
				return err
			}
			ev.add(Event{Type: EventFollowRequested, Actor: actor, Target: target, Follow: f})
		} else {
			if err := s.createFollow(ctx, tx, ev, f, actor, target, true); err != nil {
				return err
			}
		}
		rel, err = relationship(ctx, tx, actor.ID, target.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("follow %s: %w", targetID, err)
	}
	return rel, nil
}

// createFollow stores an accepted follow, adjusts counters, merges the
// target's recent statuses into the follower's home feed and, with
// notify, notifies the target.
func (s *Service) createFollow(ctx context.Context, tx storage.Store, ev *events, f *storage.Follow, follower, target *storage.Account, notify bool) error {
	if err := tx.Follows().Create(ctx, f); err != nil {
		return fmt.Errorf("create follow: %w", err)
	}
	if err := tx.Accounts().AdjustCounts(ctx, follower.ID, 0, 0, 1, nil); err != nil {
		return fmt.Errorf("count follow: %w", err)
	}
	if err := tx.Accounts().AdjustCounts(ctx, target.ID, 0, 1, 0, nil); err != nil {
		return fmt.Errorf("count follow: %w", err)
	}
	if notify {
		if err := s.notify(ctx, tx, ev, target, follower, storage.NotifyFollow, nil); err != nil {
			return err
		}
		ev.add(Event{Type: EventAccountFollowed, Actor: follower, Target: target, Follow: f})
	}
	if follower.Local() {
		if err := s.mergeHome(ctx, tx, follower.ID, target.ID, f.ShowReblogs); err != nil {
			return err
		}
	}
	return nil
}

// mergeSize is how many recent statuses of a newly followed account are
// merged into the follower's home feed.
const mergeSize = 40

// mergeHome inserts the recent statuses of author that follower may see
// into follower's home feed.
func (s *Service) mergeHome(ctx context.Context, tx storage.Store, followerID, authorID storage.ID, reblogs bool) error {
	sts, err := tx.Statuses().ByAccount(ctx, authorID, storage.StatusFilter{ExcludeReblogs: !reblogs,
		Visibilities: []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted, storage.VisibilityPrivate}},
		storage.Page{Limit: mergeSize})
	if err != nil {
		return fmt.Errorf("merge home: %w", err)
	}
	var keep []*storage.Status
	for _, st := range sts {
		// Replies to others only when the follower follows both sides.
		if st.InReplyToAccountID == 0 || st.InReplyToAccountID == authorID || st.InReplyToAccountID == followerID {
			keep = append(keep, st)
		}
	}
	keep, err = s.filter(ctx, tx, followerID, keep, true)
	if err != nil {
		return err
	}
	entries := make([]storage.FeedEntry, 0, len(keep))
	for _, st := range keep {
		entries = append(entries, storage.FeedEntry{StatusID: st.ID, AuthorID: st.AccountID, ReblogOfID: st.ReblogOfID})
	}
	if err := tx.Feeds().Insert(ctx, storage.HomeFeed(followerID), entries...); err != nil {
		return fmt.Errorf("merge home: %w", err)
	}
	return nil
}

// deleteFollow removes an accepted follow, its counters and, for a local
// follower, the followed account's statuses from its home feed.
func deleteFollow(ctx context.Context, tx storage.Store, followerID, targetID storage.ID, local bool) error {
	if err := tx.Follows().Delete(ctx, followerID, targetID); err != nil {
		return fmt.Errorf("delete follow: %w", err)
	}
	if err := tx.Accounts().AdjustCounts(ctx, followerID, 0, 0, -1, nil); err != nil {
		return fmt.Errorf("count unfollow: %w", err)
	}
	if err := tx.Accounts().AdjustCounts(ctx, targetID, 0, -1, 0, nil); err != nil {
		return fmt.Errorf("count unfollow: %w", err)
	}
	if local {
		if err := tx.Feeds().RemoveAuthor(ctx, storage.HomeFeed(followerID), targetID); err != nil {
			return fmt.Errorf("unmerge home: %w", err)
		}
	}
	return nil
}

// Unfollow undoes actor's follow of (or follow request to) the target and
// removes the target's statuses from actor's home feed.
func (s *Service) Unfollow(ctx context.Context, actor *storage.Account, targetID storage.ID) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if actor == nil || actor.ID == 0 {
			return ErrForbidden
		}
		target, err := tx.Accounts().Get(ctx, targetID)
		if err != nil {
			return notFound(err, "account %s", targetID)
		}
		if f, err := tx.Follows().Get(ctx, actor.ID, target.ID); err == nil {
			if err := deleteFollow(ctx, tx, actor.ID, target.ID, actor.Local()); err != nil {
				return err
			}
			// Only followed accounts can be endorsed.
			if err := ignoreNotFound(tx.Endorsements().Delete(ctx, actor.ID, target.ID)); err != nil {
				return fmt.Errorf("unendorse: %w", err)
			}
			ev.add(Event{Type: EventAccountUnfollowed, Actor: actor, Target: target, Follow: f})
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load follow: %w", err)
		}
		if r, err := tx.Follows().GetRequest(ctx, actor.ID, target.ID); err == nil {
			if err := tx.Follows().DeleteRequest(ctx, actor.ID, target.ID); err != nil {
				return fmt.Errorf("delete follow request: %w", err)
			}
			if err := dismissFrom(ctx, tx, target.ID, actor.ID, storage.NotifyFollowRequest); err != nil {
				return err
			}
			ev.add(Event{Type: EventAccountUnfollowed, Actor: actor, Target: target, Follow: (*storage.Follow)(r)})
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load follow request: %w", err)
		}
		rel, err = relationship(ctx, tx, actor.ID, target.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unfollow %s: %w", targetID, err)
	}
	return rel, nil
}

// AcceptFollow turns requesterID's pending request to follow targetID into
// a follow. It serves both the target's "authorize" action (targetID being
// the signed-in account) and federation receiving a remote target's
// Accept. It returns the target's relationship with the requester.
func (s *Service) AcceptFollow(ctx context.Context, requesterID, targetID storage.ID) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		req, err := tx.Follows().GetRequest(ctx, requesterID, targetID)
		if err != nil {
			return notFound(err, "follow request")
		}
		requester, err := tx.Accounts().Get(ctx, requesterID)
		if err != nil {
			return notFound(err, "requester")
		}
		target, err := tx.Accounts().Get(ctx, targetID)
		if err != nil {
			return notFound(err, "target")
		}
		if err := tx.Follows().DeleteRequest(ctx, requesterID, targetID); err != nil {
			return fmt.Errorf("delete follow request: %w", err)
		}
		if err := dismissFrom(ctx, tx, targetID, requesterID, storage.NotifyFollowRequest); err != nil {
			return err
		}
		f := (*storage.Follow)(req)
		f.ID = tx.NewID()
		if err := s.createFollow(ctx, tx, ev, f, requester, target, false); err != nil {
			return err
		}
		ev.add(Event{Type: EventFollowAccepted, Actor: target, Target: requester, Follow: f})
		rel, err = relationship(ctx, tx, targetID, requesterID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("accept follow %s→%s: %w", requesterID, targetID, err)
	}
	return rel, nil
}

// RejectFollow refuses requesterID's request to follow targetID. Used by
// the target's "reject" action and by federation receiving a Reject, it
// also removes an accepted follow (a remote account may reject one later).
// It returns the target's relationship with the requester.
func (s *Service) RejectFollow(ctx context.Context, requesterID, targetID storage.ID) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		requester, err := tx.Accounts().Get(ctx, requesterID)
		if err != nil {
			return notFound(err, "requester")
		}
		target, err := tx.Accounts().Get(ctx, targetID)
		if err != nil {
			return notFound(err, "target")
		}
		var undone *storage.Follow
		if req, err := tx.Follows().GetRequest(ctx, requesterID, targetID); err == nil {
			if err := tx.Follows().DeleteRequest(ctx, requesterID, targetID); err != nil {
				return fmt.Errorf("delete follow request: %w", err)
			}
			if err := dismissFrom(ctx, tx, targetID, requesterID, storage.NotifyFollowRequest); err != nil {
				return err
			}
			undone = (*storage.Follow)(req)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load follow request: %w", err)
		}
		if f, err := tx.Follows().Get(ctx, requesterID, targetID); err == nil {
			if err := deleteFollow(ctx, tx, requesterID, targetID, requester.Local()); err != nil {
				return err
			}
			undone = f
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load follow: %w", err)
		}
		if undone == nil {
			return fmt.Errorf("follow request: %w", ErrNotFound)
		}
		ev.add(Event{Type: EventFollowRejected, Actor: target, Target: requester, Follow: undone})
		rel, err = relationship(ctx, tx, targetID, requesterID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reject follow %s→%s: %w", requesterID, targetID, err)
	}
	return rel, nil
}

// RemoveFromFollowers makes followerID stop following account (Mastodon's
// remove_from_followers); federation sends a Reject for remote followers.
func (s *Service) RemoveFromFollowers(ctx context.Context, account *storage.Account, followerID storage.ID) (*Relationship, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	rel, err := s.RejectFollow(ctx, followerID, account.ID)
	if errors.Is(err, ErrNotFound) {
		return s.relationshipOf(ctx, account.ID, followerID)
	}
	return rel, err
}

// FollowRequests pages through the pending requests to follow account
// (cursor: the request ID).
func (s *Service) FollowRequests(ctx context.Context, account *storage.Account, p storage.Page) ([]AccountEntry, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	reqs, err := s.store.Follows().Requests(ctx, account.ID, p)
	if err != nil {
		return nil, fmt.Errorf("follow requests: %w", err)
	}
	cursors := make([]storage.ID, len(reqs))
	ids := make([]storage.ID, len(reqs))
	for i, r := range reqs {
		cursors[i], ids[i] = r.ID, r.AccountID
	}
	return s.accountEntries(ctx, cursors, ids)
}

// Followers pages through the followers of accountID (cursor: follow ID),
// leaving out suspended accounts and those blocking the viewer either way.
func (s *Service) Followers(ctx context.Context, viewer *storage.Account, accountID storage.ID, p storage.Page) ([]AccountEntry, error) {
	fs, err := s.store.Follows().Followers(ctx, accountID, p)
	if err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	cursors := make([]storage.ID, len(fs))
	ids := make([]storage.ID, len(fs))
	for i, f := range fs {
		cursors[i], ids[i] = f.ID, f.AccountID
	}
	return s.visibleAccountEntries(ctx, viewer, cursors, ids)
}

// Following pages through the accounts accountID follows (cursor: follow ID).
func (s *Service) Following(ctx context.Context, viewer *storage.Account, accountID storage.ID, p storage.Page) ([]AccountEntry, error) {
	fs, err := s.store.Follows().Following(ctx, accountID, p)
	if err != nil {
		return nil, fmt.Errorf("following: %w", err)
	}
	cursors := make([]storage.ID, len(fs))
	ids := make([]storage.ID, len(fs))
	for i, f := range fs {
		cursors[i], ids[i] = f.ID, f.TargetAccountID
	}
	return s.visibleAccountEntries(ctx, viewer, cursors, ids)
}

// accountEntries loads the accounts of ids, pairing each with its cursor
// and keeping the order; missing accounts are left out.
func (s *Service) accountEntries(ctx context.Context, cursors, ids []storage.ID) ([]AccountEntry, error) {
	out := make([]AccountEntry, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	accts, err := s.store.Accounts().GetMany(ctx, uniqueIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	byID := make(map[storage.ID]*storage.Account, len(accts))
	for _, a := range accts {
		byID[a.ID] = a
	}
	for i, id := range ids {
		if a := byID[id]; a != nil {
			out = append(out, AccountEntry{Cursor: cursors[i], Account: a})
		}
	}
	return out, nil
}

// visibleAccountEntries is accountEntries without suspended accounts and
// accounts the viewer blocks or is blocked by.
func (s *Service) visibleAccountEntries(ctx context.Context, viewer *storage.Account, cursors, ids []storage.ID) ([]AccountEntry, error) {
	rel, err := loadRelations(ctx, s.store, viewerID(viewer), ids)
	if err != nil {
		return nil, err
	}
	out := make([]AccountEntry, 0, len(ids))
	for i, id := range ids {
		if a := rel.accounts[id]; a != nil && !rel.blocked(id) {
			out = append(out, AccountEntry{Cursor: cursors[i], Account: a})
		}
	}
	return out, nil
}

// Relationships tells how viewer relates to each of ids (those that exist),
// in the order of ids.
func (s *Service) Relationships(ctx context.Context, viewer *storage.Account, ids []storage.ID) ([]*Relationship, error) {
	if viewer == nil {
		return nil, ErrForbidden
	}
	rels, err := relationships(ctx, s.store, viewer.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("relationships: %w", err)
	}
	return rels, nil
}

func (s *Service) relationshipOf(ctx context.Context, viewer, id storage.ID) (*Relationship, error) {
	return relationship(ctx, s.store, viewer, id)
}

func relationship(ctx context.Context, st storage.Store, viewer, id storage.ID) (*Relationship, error) {
	rels, err := relationships(ctx, st, viewer, []storage.ID{id})
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 {
		return nil, fmt.Errorf("account %s: %w", id, ErrNotFound)
	}
	return rels[0], nil
}

func relationships(ctx context.Context, st storage.Store, viewer storage.ID, ids []storage.ID) ([]*Relationship, error) {
	ids = uniqueIDs(ids)
	out := make([]*Relationship, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	accts, err := st.Accounts().GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[storage.ID]*storage.Account{}
	for _, a := range accts {
		byID[a.ID] = a
	}
	follows, err := st.Follows().States(ctx, viewer, ids)
	if err != nil {
		return nil, err
	}
	blocks, err := st.Blocks().States(ctx, viewer, ids)
	if err != nil {
		return nil, err
	}
	mutes, err := st.Mutes().States(ctx, viewer, ids)
	if err != nil {
		return nil, err
	}
	doms, err := st.DomainBlocks().Domains(ctx, viewer)
	if err != nil {
		return nil, err
	}
	blockedDomains := map[string]bool{}
	for _, d := range doms {
		blockedDomains[d] = true
	}
	endorsed, notes, err := endorsementsAndNotes(ctx, st, viewer, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		a := byID[id]
		if a == nil {
			continue
		}
		f, b, m := follows[id], blocks[id], mutes[id]
		r := &Relationship{ID: id, FollowedBy: f.FollowedBy, Requested: f.Requested, RequestedBy: f.RequestedBy,
			Blocking: b.Blocking, BlockedBy: b.BlockedBy, DomainBlocking: a.Domain != "" && blockedDomains[strings.ToLower(a.Domain)]}
		if f.Following != nil {
			r.Following, r.ShowingReblogs, r.Notifying = true, f.Following.ShowReblogs, f.Following.Notify
			r.Languages = []string(f.Following.Languages)
			if len(r.Languages) == 0 {
				r.Languages = nil
			}
		} else if f.Requested {
			if req, err := st.Follows().GetRequest(ctx, viewer, id); err == nil {
				r.ShowingReblogs, r.Notifying = req.ShowReblogs, req.Notify
			}
		}
		if m != nil {
			r.Muting, r.MutingNotifications, r.Mute = true, m.HideNotifications, m
		}
		r.Endorsed, r.Note = endorsed[id], notes[id]
		out = append(out, r)
	}
	return out, nil
}

// dismissFrom deletes recipient's notifications of one type from one account.
func dismissFrom(ctx context.Context, tx storage.Store, recipientID, fromID storage.ID, typ storage.NotificationType) error {
	for {
		ns, err := tx.Notifications().List(ctx, recipientID, storage.NotificationFilter{Types: []storage.NotificationType{typ}, FromAccountID: fromID, IncludeFiltered: true},
			storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return fmt.Errorf("list %s notifications: %w", typ, err)
		}
		for _, n := range ns {
			if err := ignoreNotFound(tx.Notifications().Dismiss(ctx, recipientID, n.ID)); err != nil {
				return fmt.Errorf("dismiss notification: %w", err)
			}
		}
		if len(ns) < storage.MaxLimit {
			return nil
		}
	}
}
