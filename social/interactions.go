package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// actionTarget loads the status an action on id applies to: visible to the
// actor, and the boosted status when id is a boost.
func (s *Service) actionTarget(ctx context.Context, tx storage.Store, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	if actor == nil || actor.ID == 0 {
		return nil, fmt.Errorf("no account: %w", ErrForbidden)
	}
	st, err := s.visibleStatus(ctx, tx, actor.ID, id)
	if err != nil {
		return nil, err
	}
	if st.ReblogOfID != 0 {
		return s.visibleStatus(ctx, tx, actor.ID, st.ReblogOfID)
	}
	return st, nil
}

// storedTarget loads the status an undo on id applies to, without a
// visibility check (one may undo an action on a status no longer visible).
func storedTarget(ctx context.Context, tx storage.Store, id storage.ID) (*storage.Status, error) {
	st, err := tx.Statuses().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "status %s", id)
	}
	if st.ReblogOfID != 0 {
		if st, err = tx.Statuses().Get(ctx, st.ReblogOfID); err != nil {
			return nil, notFound(err, "status %s", id)
		}
	}
	return st, nil
}

// reload reads a status again, for fresh counters.
func reload(ctx context.Context, tx storage.Store, st *storage.Status) (*storage.Status, error) {
	got, err := tx.Statuses().Get(ctx, st.ID)
	if err != nil {
		return nil, notFound(err, "reload status %s", st.ID)
	}
	return got, nil
}

// Favourite likes a status (a boost's id likes the boosted status) and
// returns it with fresh counters. Favouriting twice is not an error. The
// author is notified.
func (s *Service) Favourite(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		st, err := s.actionTarget(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		out, err = s.addFavourite(ctx, tx, ev, actor, st, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("favourite %s: %w", id, err)
	}
	return out, nil
}

// addFavourite records actor's like of st, with the Like activity's id
// (uri; generated for local actors when empty): the counter, the author's
// notification and a status.favourited event. An existing like (by pair or
// by uri) is left alone. It returns st with fresh counters.
func (s *Service) addFavourite(ctx context.Context, tx storage.Store, ev *events, actor *storage.Account, st *storage.Status, uri string) (*storage.Status, error) {
	if _, err := tx.Favourites().Get(ctx, actor.ID, st.ID); err == nil {
		return st, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("load favourite: %w", err)
	}
	if uri != "" {
		if _, err := tx.Favourites().GetByURI(ctx, uri); err == nil {
			return st, nil
		}
	}
	fav := &storage.Favourite{ID: tx.NewID(), AccountID: actor.ID, StatusID: st.ID, URI: uri, CreatedAt: s.now()}
	if fav.URI == "" && actor.Local() {
		fav.URI = s.urls.Activity(actor.Username, "likes", fav.ID)
	}
	if err := tx.Favourites().Create(ctx, fav); err != nil {
		return nil, fmt.Errorf("create favourite: %w", err)
	}
	if err := tx.Statuses().AdjustCounts(ctx, st.ID, 0, 0, 1); err != nil {
		return nil, fmt.Errorf("count favourite: %w", err)
	}
	author, err := tx.Accounts().Get(ctx, st.AccountID)
	if err != nil {
		return nil, notFound(err, "author")
	}
	if err := s.notify(ctx, tx, ev, author, actor, storage.NotifyFavourite, st); err != nil {
		return nil, err
	}
	out, err := reload(ctx, tx, st)
	if err != nil {
		return nil, err
	}
	ev.add(Event{Type: EventStatusFavourited, Actor: actor, Status: out, Target: author, Favourite: fav})
	return out, nil
}

// Unfavourite undoes a like (doing nothing when there is none) and returns
// the status.
func (s *Service) Unfavourite(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if actor == nil {
			return ErrForbidden
		}
		st, err := storedTarget(ctx, tx, id)
		if err != nil {
			return err
		}
		fav, err := tx.Favourites().Get(ctx, actor.ID, st.ID)
		if errors.Is(err, storage.ErrNotFound) {
			out, err = s.actionTarget(ctx, tx, actor, id)
			return err
		} else if err != nil {
			return fmt.Errorf("load favourite: %w", err)
		}
		if err := tx.Favourites().Delete(ctx, actor.ID, st.ID); err != nil {
			return fmt.Errorf("delete favourite: %w", err)
		}
		if err := tx.Statuses().AdjustCounts(ctx, st.ID, 0, 0, -1); err != nil {
			return fmt.Errorf("count favourite: %w", err)
		}
		if err := tx.Notifications().DeleteFor(ctx, storage.NotifyFavourite, actor.ID, st.ID); err != nil {
			return err
		}
		if out, err = reload(ctx, tx, st); err != nil {
			return err
		}
		author, _ := tx.Accounts().Get(ctx, st.AccountID)
		ev.add(Event{Type: EventStatusUnfavourited, Actor: actor, Status: out, Target: author, Favourite: fav})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unfavourite %s: %w", id, err)
	}
	return out, nil
}

// ReblogInput tunes a boost.
type ReblogInput struct {
	// Visibility of the boost: public, unlisted or private; "" means the
	// user's default. A boost is never more visible than the boosted status.
	Visibility storage.Visibility
}

// Reblog boosts a status and returns the boost (its ReblogOfID names the
// boosted status). Boosting twice returns the existing boost. Direct
// statuses cannot be boosted, and private ones only by their author.
func (s *Service) Reblog(ctx context.Context, actor *storage.Account, id storage.ID, in ReblogInput) (*storage.Status, error) {
	// Remote boosts are stored by federation and passed to FanOut.
	if err := requireLocal(actor); err != nil {
		return nil, err
	}
	if in.Visibility != "" && (!in.Visibility.Valid() || in.Visibility == storage.VisibilityDirect) {
		return nil, invalid("visibility", "must be public, unlisted or private")
	}
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		orig, err := s.actionTarget(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if b, err := tx.Statuses().GetReblog(ctx, actor.ID, orig.ID); err == nil {
			out = b
			return nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load boost: %w", err)
		}
		switch orig.Visibility {
		case storage.VisibilityDirect:
			return fmt.Errorf("direct statuses cannot be boosted: %w", ErrForbidden)
		case storage.VisibilityPrivate:
			if orig.AccountID != actor.ID {
				return fmt.Errorf("private statuses can only be boosted by their author: %w", ErrForbidden)
			}
		}
		vis := in.Visibility
		if vis == "" {
			if u, err := tx.Users().GetByAccountID(ctx, actor.ID); err == nil && u.DefaultVisibility.Valid() && u.DefaultVisibility != storage.VisibilityDirect {
				vis = u.DefaultVisibility
			}
		}
		if vis == "" {
			vis = storage.VisibilityPublic
		}
		if visibilityRank(orig.Visibility) > visibilityRank(vis) {
			vis = orig.Visibility
		}
		now := s.now()
		b := &storage.Status{ID: tx.NewID(), AccountID: actor.ID, Local: true, ReblogOfID: orig.ID,
			Visibility: vis, CreatedAt: now, UpdatedAt: now}
		b.URI = s.urls.Status(actor.Username, b.ID) + "/activity"
		b.URL = b.URI
		if err := tx.Statuses().Create(ctx, b); err != nil {
			return fmt.Errorf("create boost: %w", err)
		}
		if err := s.countStatus(ctx, tx, b, 1); err != nil {
			return err
		}
		if _, err := s.distribute(ctx, tx, b, actor, orig, ev); err != nil {
			return err
		}
		out = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reblog %s: %w", id, err)
	}
	return out, nil
}

// Unreblog removes the actor's boost of a status (doing nothing when there
// is none) and returns the boosted status.
func (s *Service) Unreblog(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if actor == nil {
			return ErrForbidden
		}
		orig, err := storedTarget(ctx, tx, id)
		if err != nil {
			return err
		}
		b, err := tx.Statuses().GetReblog(ctx, actor.ID, orig.ID)
		if errors.Is(err, storage.ErrNotFound) {
			out, err = s.actionTarget(ctx, tx, actor, id)
			return err
		} else if err != nil {
			return fmt.Errorf("load boost: %w", err)
		}
		if err := s.removeReblog(ctx, tx, ev, actor, b); err != nil {
			return err
		}
		out, err = reload(ctx, tx, orig)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unreblog %s: %w", id, err)
	}
	return out, nil
}

// removeReblog deletes a boost with its feed entries and notification.
func (s *Service) removeReblog(ctx context.Context, tx storage.Store, ev *events, actor *storage.Account, b *storage.Status) error {
	if err := tx.Statuses().Delete(ctx, b.ID); err != nil {
		return notFound(err, "delete boost %s", b.ID)
	}
	if err := s.countStatus(ctx, tx, b, -1); err != nil {
		return err
	}
	if err := tx.Notifications().DeleteFor(ctx, storage.NotifyReblog, actor.ID, b.ReblogOfID); err != nil {
		return err
	}
	orig, err := tx.Statuses().Get(ctx, b.ReblogOfID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("load boosted status: %w", err)
	}
	var author *storage.Account
	if orig != nil && err == nil {
		author, _ = tx.Accounts().Get(ctx, orig.AccountID)
	} else {
		orig = nil
	}
	ev.add(Event{Type: EventStatusUnreblogged, Actor: actor, Status: b, Reblog: orig, Target: author})
	return nil
}

// Bookmark saves a status privately (idempotent) and returns it.
func (s *Service) Bookmark(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		st, err := s.actionTarget(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		out = st
		// Check first: on PostgreSQL a failed insert would abort the transaction.
		states, err := tx.Statuses().ViewerStates(ctx, actor.ID, []storage.ID{st.ID})
		if err != nil {
			return fmt.Errorf("load bookmark: %w", err)
		}
		if states[st.ID].Bookmarked {
			return nil
		}
		if err := tx.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: actor.ID, StatusID: st.ID, CreatedAt: s.now()}); err != nil {
			return fmt.Errorf("create bookmark: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bookmark %s: %w", id, err)
	}
	return out, nil
}

// Unbookmark removes a bookmark (doing nothing when there is none) and
// returns the status.
func (s *Service) Unbookmark(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if actor == nil {
			return ErrForbidden
		}
		st, err := storedTarget(ctx, tx, id)
		if err != nil {
			return err
		}
		err = tx.Bookmarks().Delete(ctx, actor.ID, st.ID)
		if errors.Is(err, storage.ErrNotFound) {
			out, err = s.actionTarget(ctx, tx, actor, id)
			return err
		}
		if err != nil {
			return fmt.Errorf("delete bookmark: %w", err)
		}
		out = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unbookmark %s: %w", id, err)
	}
	return out, nil
}

// Pin features one of the actor's own public, unlisted or private statuses
// on its profile (idempotent), up to Options.MaxPinned.
func (s *Service) Pin(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if actor == nil {
			return ErrForbidden
		}
		st, err := s.visibleStatus(ctx, tx, actor.ID, id)
		if err != nil {
			return err
		}
		switch {
		case st.ReblogOfID != 0:
			return invalid("status", "boosts cannot be pinned")
		case st.AccountID != actor.ID:
			return invalid("status", "posts that are not yours cannot be pinned")
		case st.Visibility == storage.VisibilityDirect:
			return invalid("status", "direct posts cannot be pinned")
		}
		states, err := tx.Statuses().ViewerStates(ctx, actor.ID, []storage.ID{st.ID})
		if err != nil {
			return fmt.Errorf("load pin: %w", err)
		}
		out = st
		if states[st.ID].Pinned {
			return nil
		}
		n, err := tx.Pins().Count(ctx, actor.ID)
		if err != nil {
			return fmt.Errorf("count pins: %w", err)
		}
		if n >= int64(s.opts.MaxPinned) {
			return invalid("status", "you have already pinned the maximum number of posts (%d)", s.opts.MaxPinned)
		}
		if err := tx.Pins().Create(ctx, &storage.Pin{AccountID: actor.ID, StatusID: st.ID, CreatedAt: s.now()}); err != nil {
			return fmt.Errorf("create pin: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pin %s: %w", id, err)
	}
	return out, nil
}

// Unpin removes a status from the actor's profile (doing nothing when it
// is not pinned) and returns it.
func (s *Service) Unpin(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if actor == nil {
			return ErrForbidden
		}
		st, err := s.visibleStatus(ctx, tx, actor.ID, id)
		if err != nil {
			return err
		}
		if err := ignoreNotFound(tx.Pins().Delete(ctx, actor.ID, st.ID)); err != nil {
			return fmt.Errorf("delete pin: %w", err)
		}
		out = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unpin %s: %w", id, err)
	}
	return out, nil
}
