package social

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/herd-social/herd/storage"
)

// Statuses, boosts, likes and accounts received from other servers. The
// federation layer (social/federate) converts activities into records and
// calls these methods, which apply the same business rules as the local
// actions: counters, home feeds, notifications and events.

// maxIDAttempts bounds the retries of an insert whose time-derived ID
// collides with another record's.
const maxIDAttempts = 8

// ReceiveOptions tunes ReceiveStatus.
type ReceiveOptions struct {
	// NoFanOut stores the status without inserting it into home feeds or
	// notifying anyone: for the ancestors of a thread fetched for context.
	NoFanOut bool
	// Media are remote attachments (by reference) to store with the
	// status, in order; their AccountID and StatusID are set here.
	Media []*storage.MediaAttachment
	// Poll is the poll of a remote Question, stored with the status (its
	// ID, StatusID and AccountID are set here).
	Poll *storage.Poll
}

// remoteID returns a time-ordered ID for a remote record published at t,
// never in the future.
func (s *Service) remoteID(t time.Time) storage.ID {
	now := s.now()
	if t.IsZero() || t.After(now) {
		t = now
	}
	return storage.IDAt(t)
}

// ReceiveStatus stores a status received from another server (st.AccountID
// is its remote author; its ID is derived from CreatedAt) and, unless
// opts.NoFanOut, fans it out as FanOut does. The reply is linked to its
// parent when the parent (st.InReplyToURI) is stored. A status whose URI is
// already stored is returned as it is, with no fan-out (created is false).
func (s *Service) ReceiveStatus(ctx context.Context, st *storage.Status, opts ReceiveOptions) (out *storage.Status, created bool, err error) {
	if st == nil || st.URI == "" || st.AccountID == 0 {
		return nil, false, invalid("status", "needs a URI and an author")
	}
	for attempt := 0; attempt < maxIDAttempts; attempt++ {
		out, created, err = s.receiveStatus(ctx, st, opts)
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("receive status %s: %w", st.URI, err)
	}
	if created {
		// Best effort: a status is not refused for its emojis.
		s.rememberRemoteEmojis(ctx, uriHost(out.URI), out.Emojis)
	}
	return out, created, nil
}

func (s *Service) receiveStatus(ctx context.Context, in *storage.Status, opts ReceiveOptions) (*storage.Status, bool, error) {
	var out *storage.Status
	created := false
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if old, err := tx.Statuses().GetByURI(ctx, in.URI); err == nil {
			out = old
			return nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load status: %w", err)
		}
		author, err := tx.Accounts().Get(ctx, in.AccountID)
		if err != nil {
			return notFound(err, "author %s", in.AccountID)
		}
		if author.Local() {
			return fmt.Errorf("author %s is local: %w", author.ID, ErrForbidden)
		}
		st := *in
		if len(st.Emojis) > 0 && s.mediaRejected(ctx, author.Domain) {
			st.Emojis = storage.Emojis{}
		}
		st.ID = s.remoteID(st.CreatedAt)
		st.Local = false
		if st.CreatedAt.IsZero() || st.CreatedAt.After(s.now()) {
			st.CreatedAt = s.now()
		}
		st.UpdatedAt = s.now()
		if st.InReplyToURI != "" && st.InReplyToID == 0 {
			p, err := tx.Statuses().GetByURI(ctx, st.InReplyToURI)
			if err == nil {
				st.InReplyToID, st.InReplyToAccountID, st.ConversationID = p.ID, p.AccountID, p.ConversationID
			} else if !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("load parent: %w", err)
			}
		}
		var mediaIDs storage.IDs
		for _, m := range opts.Media {
			m.ID, m.AccountID, m.StatusID = 0, author.ID, 0
			if m.State == "" {
				m.State = storage.MediaReady
			}
			if err := tx.MediaAttachments().Create(ctx, m); err != nil {
				return fmt.Errorf("create media: %w", err)
			}
			mediaIDs = append(mediaIDs, m.ID)
		}
		if len(mediaIDs) > 0 {
			st.MediaIDs, st.HasMedia = mediaIDs, true
		}
		st.PollID = 0
		if err := tx.Statuses().Create(ctx, &st); err != nil {
			return fmt.Errorf("create status: %w", err)
		}
		if opts.Poll != nil {
			if _, err := s.applyRemotePoll(ctx, tx, &st, opts.Poll); err != nil {
				return err
			}
			if err := tx.Statuses().Update(ctx, &st); err != nil {
				return fmt.Errorf("link poll: %w", err)
			}
		}
		if len(mediaIDs) > 0 {
			if err := tx.MediaAttachments().Attach(ctx, mediaIDs, st.ID, author.ID); err != nil {
				return fmt.Errorf("attach media: %w", err)
			}
		}
		if err := s.countStatus(ctx, tx, &st, 1); err != nil {
			return err
		}
		if !opts.NoFanOut {
			if _, err := s.distribute(ctx, tx, &st, author, nil, ev); err != nil {
				return err
			}
		}
		out, created = &st, true
		return nil
	})
	return out, created, err
}

// RemoteEdit is the new content of a remote status.
type RemoteEdit struct {
	Content     string
	SpoilerText string
	Sensitive   bool
	Language    string
	Mentions    storage.Mentions
	Tags        storage.Strings
	Emojis      storage.Emojis
	// Extra replaces the status's Extra when not nil (poll options and
	// tallies, quote IRI).
	Extra storage.Extra
	// EditedAt is when the author edited it; zero means now.
	EditedAt time.Time
	// TallyOnly marks an update that changes only Extra (a poll's counts):
	// no edit is recorded and no one is notified.
	TallyOnly bool
	// Poll is the poll of the new version (nil: none; a poll the status
	// had is removed). Tallies are taken as published; a change of options
	// is an edit and removes the votes.
	Poll *storage.Poll
	// Media are the attachments of the new version, by reference (as for
	// ReceiveOptions.Media), in order; nil means none. An attachment whose
	// RemoteURL the status already has keeps its record and cached files,
	// taking the new description, focal point, blurhash and size; the others
	// are created and attached, and the status's attachments the new version
	// no longer has are deleted. A change of URL, order or description is
	// an edit. Ignored with TallyOnly.
	Media []*storage.MediaAttachment
}

// MediaChange is what a remote edit did to the attachments of a status:
// the records it created (whose files are to be cached) and those it
// deleted (whose cached files are to be deleted).
type MediaChange struct {
	Added   storage.IDs
	Removed []*storage.MediaAttachment
}

// ReceiveEdit applies an edit of a remote status by its author: the first
// edit records the original version, every edit the new one; newly
// mentioned local accounts are notified, and so are local accounts that
// boosted it (type update). An edit that changes nothing is ignored.
func (s *Service) ReceiveEdit(ctx context.Context, author *storage.Account, id storage.ID, in RemoteEdit) (*storage.Status, error) {
	st, _, err := s.ReceiveEditMedia(ctx, author, id, in)
	return st, err
}

// ReceiveEditMedia is ReceiveEdit, also reporting the attachments it
// created and deleted (in.Media): the caller caches the files of the first
// and deletes those of the second.
func (s *Service) ReceiveEditMedia(ctx context.Context, author *storage.Account, id storage.ID, in RemoteEdit) (*storage.Status, MediaChange, error) {
	var out *storage.Status
	var change MediaChange
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		change = MediaChange{}
		st, err := tx.Statuses().Get(ctx, id)
		if err != nil {
			return notFound(err, "status %s", id)
		}
		if author == nil || st.AccountID != author.ID || author.Local() {
			return fmt.Errorf("status %s belongs to another account: %w", id, ErrForbidden)
		}
		// The original version is recorded before the poll changes.
		edits, err := tx.Statuses().Edits(ctx, st.ID)
		if err != nil {
			return fmt.Errorf("load edits: %w", err)
		}
		orig, err := snapshotOf(ctx, tx, st, st.CreatedAt)
		if err != nil {
			return err
		}
		pollBefore := st.PollID
		pollChanged := false
		if !in.TallyOnly || in.Poll != nil {
			if pollChanged, err = s.applyRemotePoll(ctx, tx, st, in.Poll); err != nil {
				return err
			}
		}
		mediaChanged := false
		if !in.TallyOnly {
			if mediaChanged, change, err = s.applyRemoteMedia(ctx, tx, st, in.Media); err != nil {
				return err
			}
		}
		if in.TallyOnly || (!pollChanged && !mediaChanged && in.Content == st.Content && in.SpoilerText == st.SpoilerText && in.Sensitive == st.Sensitive &&
			slices.Equal(in.Tags, st.Tags) && mentionsEqual(in.Mentions, st.Mentions)) {
			if in.Extra != nil || st.PollID != pollBefore || len(change.Added) > 0 || len(change.Removed) > 0 {
				if in.Extra != nil {
					st.Extra = in.Extra
				}
				if err := tx.Statuses().Update(ctx, st); err != nil {
					return fmt.Errorf("update status: %w", err)
				}
			}
			out = st
			return nil
		}
		if len(edits) == 0 {
			if err := tx.Statuses().AddEdit(ctx, orig); err != nil {
				return fmt.Errorf("record original: %w", err)
			}
		}
		before := map[storage.ID]bool{}
		for _, m := range st.Mentions {
			before[m.AccountID] = true
		}
		at := in.EditedAt
		if at.IsZero() || at.After(s.now()) {
			at = s.now()
		}
		st.Content, st.SpoilerText, st.Sensitive = in.Content, in.SpoilerText, in.Sensitive || in.SpoilerText != ""
		if in.Language != "" {
			st.Language = in.Language
		}
		st.Mentions, st.Tags, st.Emojis = in.Mentions, in.Tags, in.Emojis
		if len(st.Emojis) > 0 && s.mediaRejected(ctx, author.Domain) {
			st.Emojis = storage.Emojis{}
		}
		if in.Extra != nil {
			st.Extra = in.Extra
		}
		st.EditedAt = &at
		if err := tx.Statuses().Update(ctx, st); err != nil {
			return fmt.Errorf("update status: %w", err)
		}
		version, err := snapshotOf(ctx, tx, st, at)
		if err != nil {
			return err
		}
		if err := tx.Statuses().AddEdit(ctx, version); err != nil {
			return fmt.Errorf("record edit: %w", err)
		}
		var newly []storage.ID
		for _, m := range st.Mentions {
			if m.AccountID != 0 && !before[m.AccountID] {
				newly = append(newly, m.AccountID)
			}
		}
		if len(newly) > 0 {
			accts, err := tx.Accounts().GetMany(ctx, uniqueIDs(newly))
			if err != nil {
				return fmt.Errorf("load mentioned accounts: %w", err)
			}
			for _, a := range accts {
				if err := s.notify(ctx, tx, ev, a, author, storage.NotifyMention, st); err != nil {
					return err
				}
			}
		}
		if err := s.announceEdit(ctx, tx, ev, author, st); err != nil {
			return err
		}
		out = st
		return nil
	})
	if err != nil {
		return nil, MediaChange{}, fmt.Errorf("receive edit of %s: %w", id, err)
	}
	if out != nil && len(in.Emojis) > 0 {
		s.rememberRemoteEmojis(ctx, author.Domain, out.Emojis)
	}
	return out, change, nil
}

// applyRemoteMedia replaces the attachments of the remote status st by
// next (see RemoteEdit.Media), setting st.MediaIDs and st.HasMedia
// (written by the caller's Update). changed reports a difference a reader
// would see: attachments added, removed or reordered, or a new
// description.
func (s *Service) applyRemoteMedia(ctx context.Context, tx storage.Store, st *storage.Status, next []*storage.MediaAttachment) (changed bool, change MediaChange, err error) {
	prev, err := tx.MediaAttachments().ByStatus(ctx, st.ID)
	if err != nil {
		return false, change, fmt.Errorf("load media: %w", err)
	}
	byURL := make(map[string]*storage.MediaAttachment, len(prev))
	for _, m := range prev {
		if m.RemoteURL != "" {
			if _, dup := byURL[m.RemoteURL]; !dup {
				byURL[m.RemoteURL] = m
			}
		}
	}
	kept := map[storage.ID]bool{}
	ids := make(storage.IDs, 0, len(next))
	for _, n := range next {
		if n == nil || n.RemoteURL == "" {
			continue
		}
		if old := byURL[n.RemoteURL]; old != nil && !kept[old.ID] {
			kept[old.ID] = true
			ids = append(ids, old.ID)
			if old.Description != n.Description {
				changed = true
			}
			blurhash := old.Blurhash
			if n.Blurhash != "" {
				blurhash = n.Blurhash
			}
			if old.Description != n.Description || old.FocusX != n.FocusX || old.FocusY != n.FocusY ||
				old.Blurhash != blurhash || (n.Meta.Original != nil && old.FileKey == "") {
				old.Description, old.FocusX, old.FocusY, old.Blurhash = n.Description, n.FocusX, n.FocusY, blurhash
				if n.Meta.Original != nil && old.FileKey == "" {
					// Not cached: the size is the one published.
					old.Meta.Original = n.Meta.Original
				}
				if err := tx.MediaAttachments().Update(ctx, old); err != nil {
					return false, change, fmt.Errorf("update media %s: %w", old.ID, err)
				}
			}
			continue
		}
		m := *n
		m.ID, m.AccountID, m.StatusID = 0, st.AccountID, 0
		if m.State == "" {
			m.State = storage.MediaReady
		}
		if err := tx.MediaAttachments().Create(ctx, &m); err != nil {
			return false, change, fmt.Errorf("create media: %w", err)
		}
		ids = append(ids, m.ID)
		change.Added = append(change.Added, m.ID)
	}
	if len(change.Added) > 0 {
		if err := tx.MediaAttachments().Attach(ctx, change.Added, st.ID, st.AccountID); err != nil {
			return false, change, fmt.Errorf("attach media: %w", err)
		}
	}
	for _, m := range prev {
		if !kept[m.ID] {
			if err := tx.MediaAttachments().Delete(ctx, m.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return false, change, fmt.Errorf("delete media %s: %w", m.ID, err)
			}
			change.Removed = append(change.Removed, m)
		}
	}
	if !slices.Equal(ids, st.MediaIDs) {
		changed = true
	}
	st.MediaIDs, st.HasMedia = ids, len(ids) > 0
	return changed, change, nil
}

func mentionsEqual(a, b storage.Mentions) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].AccountID != b[i].AccountID || a[i].URI != b[i].URI {
			return false
		}
	}
	return true
}

// ReceiveReblog stores a boost by a remote account of a stored status:
// uri is the Announce's id. Direct statuses cannot be boosted, private ones
// only by their author (ErrForbidden). Boosting twice returns the existing
// boost. The boost lands in the home feeds of the booster's local followers
// and the boosted status's author is notified.
func (s *Service) ReceiveReblog(ctx context.Context, booster *storage.Account, origID storage.ID, uri string, vis storage.Visibility, at time.Time) (*storage.Status, error) {
	if booster == nil || booster.Local() || uri == "" {
		return nil, fmt.Errorf("receive boost: %w", ErrForbidden)
	}
	if !vis.Valid() || vis == storage.VisibilityDirect {
		vis = storage.VisibilityPublic
	}
	var out *storage.Status
	var err error
	for attempt := 0; attempt < maxIDAttempts; attempt++ {
		err = s.tx(ctx, func(tx storage.Store, ev *events) error {
			if b, err := tx.Statuses().GetByURI(ctx, uri); err == nil {
				out = b
				return nil
			}
			orig, err := tx.Statuses().Get(ctx, origID)
			if err != nil {
				return notFound(err, "status %s", origID)
			}
			if orig.ReblogOfID != 0 {
				if orig, err = tx.Statuses().Get(ctx, orig.ReblogOfID); err != nil {
					return notFound(err, "status %s", origID)
				}
			}
			switch orig.Visibility {
			case storage.VisibilityDirect:
				return fmt.Errorf("direct statuses cannot be boosted: %w", ErrForbidden)
			case storage.VisibilityPrivate:
				if orig.AccountID != booster.ID {
					return fmt.Errorf("private statuses can only be boosted by their author: %w", ErrForbidden)
				}
			}
			bs, err := tx.Blocks().States(ctx, orig.AccountID, []storage.ID{booster.ID})
			if err != nil {
				return err
			}
			if b := bs[booster.ID]; b.Blocking || b.BlockedBy {
				return fmt.Errorf("blocked: %w", ErrForbidden)
			}
			if b, err := tx.Statuses().GetReblog(ctx, booster.ID, orig.ID); err == nil {
				out = b
				return nil
			} else if !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("load boost: %w", err)
			}
			if visibilityRank(orig.Visibility) > visibilityRank(vis) {
				vis = orig.Visibility
			}
			now := s.now()
			created := at
			if created.IsZero() || created.After(now) {
				created = now
			}
			b := &storage.Status{ID: s.remoteID(created), URI: uri, URL: uri, AccountID: booster.ID, ReblogOfID: orig.ID,
				Visibility: vis, CreatedAt: created, UpdatedAt: now}
			if err := tx.Statuses().Create(ctx, b); err != nil {
				return fmt.Errorf("create boost: %w", err)
			}
			if err := s.countStatus(ctx, tx, b, 1); err != nil {
				return err
			}
			if _, err := s.distribute(ctx, tx, b, booster, orig, ev); err != nil {
				return err
			}
			out = b
			return nil
		})
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("receive boost %s: %w", uri, err)
	}
	return out, nil
}

// ReceiveFavourite records a like of a stored status by a remote account,
// with the Like's id (uri) so that an Undo naming it can be matched. It is
// Favourite for remote actors; liking twice is not an error.
func (s *Service) ReceiveFavourite(ctx context.Context, actor *storage.Account, id storage.ID, uri string) (*storage.Status, error) {
	if actor == nil || actor.Local() {
		return nil, fmt.Errorf("receive favourite: %w", ErrForbidden)
	}
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		st, err := s.actionTarget(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		out, err = s.addFavourite(ctx, tx, ev, actor, st, uri)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("receive favourite of %s: %w", id, err)
	}
	return out, nil
}

// RemoveRemoteAccount deletes a remote account (its actor was deleted)
// with its statuses, boosts, likes and follows, keeping the counters of
// what they pointed at right. Deleted statuses are published as
// status.deleted events.
func (s *Service) RemoveRemoteAccount(ctx context.Context, a *storage.Account) error {
	if a == nil || a.Local() {
		return fmt.Errorf("remove remote account: %w", ErrForbidden)
	}
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		fresh, err := tx.Accounts().Get(ctx, a.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		} else if err != nil {
			return fmt.Errorf("load account: %w", err)
		}
		// Follow counters of the other side.
		if err := forEachFollow(ctx, tx.Follows().Following, a.ID, func(f *storage.Follow) error {
			return ignoreNotFound(tx.Accounts().AdjustCounts(ctx, f.TargetAccountID, 0, -1, 0, nil))
		}); err != nil {
			return err
		}
		if err := forEachFollow(ctx, tx.Follows().Followers, a.ID, func(f *storage.Follow) error {
			if err := ignoreNotFound(tx.Accounts().AdjustCounts(ctx, f.AccountID, 0, 0, -1, nil)); err != nil {
				return err
			}
			return tx.Feeds().RemoveAuthor(ctx, storage.HomeFeed(f.AccountID), a.ID)
		}); err != nil {
			return err
		}
		// Likes.
		p := storage.Page{Limit: storage.MaxLimit}
		for {
			favs, err := tx.Favourites().ByAccount(ctx, a.ID, p)
			if err != nil {
				return fmt.Errorf("list favourites: %w", err)
			}
			for _, f := range favs {
				if err := ignoreNotFound(tx.Statuses().AdjustCounts(ctx, f.StatusID, 0, 0, -1)); err != nil {
					return err
				}
			}
			if len(favs) < p.Limit {
				break
			}
			p.MaxID = favs[len(favs)-1].ID
		}
		// Statuses and boosts.
		p = storage.Page{Limit: storage.MaxLimit}
		for {
			sts, err := tx.Statuses().ByAccount(ctx, a.ID, storage.StatusFilter{}, p)
			if err != nil {
				return fmt.Errorf("list statuses: %w", err)
			}
			for _, st := range sts {
				if st.ReblogOfID != 0 {
					if err := ignoreNotFound(tx.Statuses().AdjustCounts(ctx, st.ReblogOfID, 0, -1, 0)); err != nil {
						return err
					}
					continue
				}
				if st.InReplyToID != 0 && (st.Visibility == storage.VisibilityPublic || st.Visibility == storage.VisibilityUnlisted) {
					if err := ignoreNotFound(tx.Statuses().AdjustCounts(ctx, st.InReplyToID, -1, 0, 0)); err != nil {
						return err
					}
				}
				ev.add(Event{Type: EventStatusDeleted, Actor: fresh, Status: st})
			}
			if len(sts) < p.Limit {
				break
			}
			p.MaxID = sts[len(sts)-1].ID
		}
		if err := tx.Accounts().Delete(ctx, a.ID); err != nil {
			return notFound(err, "delete account %s", a.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove remote account %s: %w", a.ID, err)
	}
	return nil
}

func forEachFollow(ctx context.Context, list func(context.Context, storage.ID, storage.Page) ([]*storage.Follow, error), id storage.ID, fn func(*storage.Follow) error) error {
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		fs, err := list(ctx, id, p)
		if err != nil {
			return fmt.Errorf("list follows: %w", err)
		}
		for _, f := range fs {
			if err := fn(f); err != nil {
				return err
			}
		}
		if len(fs) < p.Limit {
			return nil
		}
		p.MaxID = fs[len(fs)-1].ID
	}
}
