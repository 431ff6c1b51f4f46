package social

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// List limits.
const (
	// MaxLists bounds the lists of one account, as Mastodon's.
	MaxLists = 50
	// MaxListTitle bounds a list title, in characters.
	MaxListTitle = 256
	// listBackfill is how many of a new member's latest statuses are
	// merged into the list's feed when it is added.
	listBackfill = 40
)

// ListInput holds the fields of a list to create or update; nil fields
// are left as they are (on creation: RepliesPolicy "list", not exclusive).
type ListInput struct {
	Title         *string
	RepliesPolicy *storage.RepliesPolicy
	Exclusive     *bool
}

func (in ListInput) apply(l *storage.List) error {
	if in.Title != nil {
		l.Title = strings.TrimSpace(*in.Title)
	}
	if l.Title == "" {
		return invalid("title", "can't be blank")
	}
	if !utf8.ValidString(l.Title) || strings.ContainsFunc(l.Title, isControl) {
		return invalid("title", "is invalid")
	}
	if utf8.RuneCountInString(l.Title) > MaxListTitle {
		return invalid("title", "is too long (maximum is %d characters)", MaxListTitle)
	}
	if in.RepliesPolicy != nil {
		if !in.RepliesPolicy.Valid() {
			return invalid("replies_policy", "is not one of followed, list, none")
		}
		l.RepliesPolicy = *in.RepliesPolicy
	}
	if in.Exclusive != nil {
		l.Exclusive = *in.Exclusive
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// CreateList creates a list owned by owner (a local account).
func (s *Service) CreateList(ctx context.Context, owner *storage.Account, in ListInput) (*storage.List, error) {
	if err := requireLocal(owner); err != nil {
		return nil, err
	}
	l := &storage.List{AccountID: owner.ID, RepliesPolicy: storage.RepliesList}
	if err := in.apply(l); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		have, err := tx.Lists().ByAccount(ctx, owner.ID)
		if err != nil {
			return err
		}
		if len(have) >= MaxLists {
			return invalid("lists", "limit reached (at most %d)", MaxLists)
		}
		return tx.Lists().Create(ctx, l)
	})
	if err != nil {
		return nil, fmt.Errorf("create list: %w", err)
	}
	return l, nil
}

// ownList loads list id when owner owns it; others' lists are not found.
func ownList(ctx context.Context, tx storage.Store, owner *storage.Account, id storage.ID) (*storage.List, error) {
	if owner == nil || owner.ID == 0 {
		return nil, fmt.Errorf("list %s: %w", id, ErrForbidden)
	}
	l, err := tx.Lists().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "list %s", id)
	}
	if l.AccountID != owner.ID {
		return nil, fmt.Errorf("list %s: %w", id, ErrNotFound)
	}
	return l, nil
}

// GetList returns owner's list id (ErrNotFound for someone else's).
func (s *Service) GetList(ctx context.Context, owner *storage.Account, id storage.ID) (*storage.List, error) {
	return ownList(ctx, s.store, owner, id)
}

// Lists returns owner's lists, oldest first.
func (s *Service) Lists(ctx context.Context, owner *storage.Account) ([]*storage.List, error) {
	if owner == nil {
		return nil, ErrForbidden
	}
	out, err := s.store.Lists().ByAccount(ctx, owner.ID)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	return out, nil
}

// ListsContaining returns owner's lists that hold accountID (an unknown
// account gives ErrNotFound).
func (s *Service) ListsContaining(ctx context.Context, owner *storage.Account, accountID storage.ID) ([]*storage.List, error) {
	if owner == nil {
		return nil, ErrForbidden
	}
	if _, err := s.store.Accounts().Get(ctx, accountID); err != nil {
		return nil, notFound(err, "account %s", accountID)
	}
	out, err := s.store.Lists().Containing(ctx, owner.ID, accountID)
	if err != nil {
		return nil, fmt.Errorf("lists holding %s: %w", accountID, err)
	}
	return out, nil
}

// UpdateList changes owner's list id.
func (s *Service) UpdateList(ctx context.Context, owner *storage.Account, id storage.ID, in ListInput) (*storage.List, error) {
	var out *storage.List
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		l, err := ownList(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if err := in.apply(l); err != nil {
			return err
		}
		if err := tx.Lists().Update(ctx, l); err != nil {
			return err
		}
		out = l
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update list %s: %w", id, err)
	}
	return out, nil
}

// DeleteList deletes owner's list id with its members and its feed.
func (s *Service) DeleteList(ctx context.Context, owner *storage.Account, id storage.ID) error {
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		if _, err := ownList(ctx, tx, owner, id); err != nil {
			return err
		}
		return tx.Lists().Delete(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("delete list %s: %w", id, err)
	}
	return nil
}

// AddToList adds accounts to owner's list id, as Mastodon does: every
// account must exist (else ErrNotFound), be followed by owner and not be
// in the list yet (else a *ValidationError); nothing is added unless all
// can be. The members' latest statuses are merged into the list's feed.
func (s *Service) AddToList(ctx context.Context, owner *storage.Account, id storage.ID, accountIDs []storage.ID) error {
	ids := uniqueIDs(accountIDs)
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		l, err := ownList(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		accts, err := tx.Accounts().GetMany(ctx, ids)
		if err != nil {
			return fmt.Errorf("load accounts: %w", err)
		}
		if len(accts) != len(ids) {
			return fmt.Errorf("account: %w", ErrNotFound)
		}
		states, err := tx.Follows().States(ctx, owner.ID, ids)
		if err != nil {
			return fmt.Errorf("load follows: %w", err)
		}
		members, err := tx.Lists().MemberIDs(ctx, l.ID)
		if err != nil {
			return err
		}
		in := make(map[storage.ID]bool, len(members))
		for _, m := range members {
			in[m] = true
		}
		for _, a := range ids {
			if in[a] {
				return invalid("account", "has already been taken")
			}
			if states[a].Following == nil {
				return invalid("account", "follow relationship missing")
			}
		}
		if err := tx.Lists().AddMembers(ctx, l.ID, ids); err != nil {
			return err
		}
		for _, a := range ids {
			if err := s.mergeIntoList(ctx, tx, l, a, states[a].Following); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add to list %s: %w", id, err)
	}
	return nil
}

// mergeIntoList copies the latest statuses of a new member into the list's
// feed, with the rules of fan-out (see listFeeds).
func (s *Service) mergeIntoList(ctx context.Context, tx storage.Store, l *storage.List, memberID storage.ID, f *storage.Follow) error {
	sts, err := tx.Statuses().ByAccount(ctx, memberID, storage.StatusFilter{
		Visibilities:   []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted, storage.VisibilityPrivate},
		ExcludeReblogs: f != nil && !f.ShowReblogs,
	}, storage.Page{Limit: listBackfill})
	if err != nil {
		return fmt.Errorf("merge into list: %w", err)
	}
	if sts, err = s.filter(ctx, tx, l.AccountID, sts, true); err != nil {
		return fmt.Errorf("merge into list: %w", err)
	}
	var targets []storage.ID
	for _, st := range sts {
		if isReplyToOther(st) {
			targets = append(targets, st.InReplyToAccountID)
		}
	}
	var follows map[storage.ID]storage.FollowState
	inList := map[storage.ID]bool{}
	if len(targets) > 0 {
		if follows, err = tx.Follows().States(ctx, l.AccountID, uniqueIDs(targets)); err != nil {
			return fmt.Errorf("merge into list: %w", err)
		}
		members, err := tx.Lists().MemberIDs(ctx, l.ID)
		if err != nil {
			return fmt.Errorf("merge into list: %w", err)
		}
		for _, m := range members {
			inList[m] = true
		}
	}
	entries := make([]storage.FeedEntry, 0, len(sts))
	for _, st := range sts {
		if isReplyToOther(st) {
			t := st.InReplyToAccountID
			if !repliesAllowed(l.RepliesPolicy, l.AccountID, t, follows[t].Following != nil, inList[t]) {
				continue
			}
		}
		entries = append(entries, storage.FeedEntry{StatusID: st.ID, AuthorID: st.AccountID, ReblogOfID: st.ReblogOfID})
	}
	if len(entries) == 0 {
		return nil
	}
	if err := tx.Feeds().Insert(ctx, storage.ListFeed(l.ID), entries...); err != nil {
		return fmt.Errorf("merge into list: %w", err)
	}
	return nil
}

// isReplyToOther reports whether st replies to another account than its
// author (self-replies are threads, not replies, for feeds).
func isReplyToOther(st *storage.Status) bool {
	return st.InReplyToAccountID != 0 && st.InReplyToAccountID != st.AccountID
}

// repliesAllowed applies a list's replies policy to a reply to targetID
// (not a self-reply): replies to the list's owner always pass; "followed"
// passes replies to accounts the owner follows, "list" to the list's
// members, "none" nothing else.
func repliesAllowed(policy storage.RepliesPolicy, ownerID, targetID storage.ID, ownerFollowsTarget, targetInList bool) bool {
	if targetID == ownerID {
		return true
	}
	switch policy {
	case storage.RepliesFollowed:
		return ownerFollowsTarget
	case storage.RepliesList:
		return targetInList
	}
	return false
}

// RemoveFromList removes accounts from owner's list id, and their
// statuses from its feed. Accounts not in the list are ignored.
func (s *Service) RemoveFromList(ctx context.Context, owner *storage.Account, id storage.ID, accountIDs []storage.ID) error {
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		if _, err := ownList(ctx, tx, owner, id); err != nil {
			return err
		}
		return tx.Lists().RemoveMembers(ctx, id, accountIDs)
	})
	if err != nil {
		return fmt.Errorf("remove from list %s: %w", id, err)
	}
	return nil
}

// ListAccounts pages through the members of owner's list id (cursor: the
// account ID), leaving out accounts owner may not see; with all set, every
// member is returned and p is ignored.
func (s *Service) ListAccounts(ctx context.Context, owner *storage.Account, id storage.ID, p storage.Page, all bool) ([]AccountEntry, error) {
	if _, err := ownList(ctx, s.store, owner, id); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	var ids []storage.ID
	var err error
	if all {
		ids, err = s.store.Lists().MemberIDs(ctx, id)
		// Newest first, as pages are.
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	} else {
		ids, err = s.store.Lists().Members(ctx, id, p)
	}
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	entries, err := s.visibleAccountEntries(ctx, owner, ids, ids)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	kept := entries[:0]
	for _, e := range entries {
		if e.Account.SuspendedAt == nil {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// ListPage pages through the timeline of viewer's list listID, newest
// first, with the visibility rules of the home timeline. Someone else's
// list is not found.
func (s *Service) ListPage(ctx context.Context, viewer *storage.Account, listID storage.ID, p storage.Page) (*Page, error) {
	if viewer == nil {
		return nil, ErrForbidden
	}
	if _, err := ownList(ctx, s.store, viewer, listID); err != nil {
		return nil, fmt.Errorf("list timeline: %w", err)
	}
	pg := newPage()
	out, err := fillPage(p, func(p storage.Page) ([]*storage.Status, []storage.ID, error) {
		entries, err := s.store.Feeds().Page(ctx, storage.ListFeed(listID), p)
		if err != nil {
			return nil, nil, err
		}
		ids := make([]storage.ID, len(entries))
		for i, e := range entries {
			ids[i] = e.StatusID
		}
		sts, err := s.getOrdered(ctx, s.store, ids)
		return sts, ids, err
	}, s.timelineKeep(ctx, viewer.ID, pg))
	if err != nil {
		return nil, fmt.Errorf("list timeline %s: %w", listID, err)
	}
	pg.Statuses = out
	return pg, nil
}

// AuthorizeList returns nil when viewer owns list listID, ErrNotFound
// (wrapped) otherwise. It lets the streaming API check list streams.
func (s *Service) AuthorizeList(ctx context.Context, viewer *storage.Account, listID storage.ID) error {
	_, err := ownList(ctx, s.store, viewer, listID)
	return err
}

// listFeeds decides where a status being fanned out goes besides home
// feeds, as Mastodon does. home is the home audience (before exclusive
// lists apply). It returns the lists whose feed receives st and the home
// feeds to leave it out of:
//   - a status goes to the lists holding its author (for a boost, the
//     booster) whose owner is in the home audience; direct statuses go to
//     no list;
//   - a reply to another account goes by the list's replies policy
//     (repliesAllowed); a reply to the list's owner reaches the list when
//     the owner would otherwise see the author's statuses;
//   - an owner with an exclusive list holding the author does not get the
//     status in the home feed.
func (s *Service) listFeeds(ctx context.Context, tx storage.Store, st *storage.Status, author *storage.Account, orig *storage.Status, home []storage.ID) (lists []storage.ID, excluded map[storage.ID]bool, err error) {
	ms, err := tx.Lists().Memberships(ctx, author.ID)
	if err != nil || len(ms) == 0 {
		return nil, nil, err
	}
	inHome := make(map[storage.ID]bool, len(home))
	for _, id := range home {
		inHome[id] = true
	}
	for _, m := range ms {
		if m.Exclusive && m.OwnerID != author.ID {
			if excluded == nil {
				excluded = map[storage.ID]bool{}
			}
			excluded[m.OwnerID] = true
		}
	}
	if st.Visibility == storage.VisibilityDirect {
		return nil, excluded, nil
	}
	reply := orig == nil && isReplyToOther(st)
	var targetLists map[storage.ID]bool
	var base map[storage.ID]bool
	if reply {
		target := st.InReplyToAccountID
		for _, m := range ms {
			if m.RepliesPolicy == storage.RepliesList && targetLists == nil {
				tms, err := tx.Lists().Memberships(ctx, target)
				if err != nil {
					return nil, nil, err
				}
				targetLists = make(map[storage.ID]bool, len(tms))
				for _, tm := range tms {
					targetLists[tm.ListID] = true
				}
			}
			if m.OwnerID == target && base == nil {
				// The home audience of a reply keeps only those following
				// both sides; the replied-to owner needs the wider one.
				ids, err := tx.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, AuthorDomain: author.Domain})
				if err != nil {
					return nil, nil, fmt.Errorf("list audience: %w", err)
				}
				base = make(map[storage.ID]bool, len(ids))
				for _, id := range ids {
					base[id] = true
				}
			}
		}
	}
	for _, m := range ms {
		if m.OwnerID == author.ID {
			continue
		}
		if !reply {
			if inHome[m.OwnerID] {
				lists = append(lists, m.ListID)
			}
			continue
		}
		target := st.InReplyToAccountID
		if target == m.OwnerID {
			if base[m.OwnerID] {
				lists = append(lists, m.ListID)
			}
			continue
		}
		// In the home audience of a reply: the owner follows the target.
		if inHome[m.OwnerID] && repliesAllowed(m.RepliesPolicy, m.OwnerID, target, true, targetLists[m.ListID]) {
			lists = append(lists, m.ListID)
		}
	}
	return lists, excluded, nil
}

// feedTargets returns the home feeds (exclusive lists applied) and the
// list feeds a status belongs in.
func (s *Service) feedTargets(ctx context.Context, tx storage.Store, st *storage.Status, author *storage.Account, orig *storage.Status) (home, lists []storage.ID, err error) {
	home, err = s.audience(ctx, tx, st, author, orig)
	if err != nil {
		return nil, nil, err
	}
	lists, excluded, err := s.listFeeds(ctx, tx, st, author, orig, home)
	if err != nil {
		return nil, nil, fmt.Errorf("list feeds: %w", err)
	}
	if len(excluded) > 0 {
		kept := home[:0:0]
		for _, id := range home {
			if !excluded[id] {
				kept = append(kept, id)
			}
		}
		home = kept
	}
	return home, lists, nil
}
