package social

import (
	"context"
	"fmt"
	"strconv"

	"github.com/herd-social/herd/storage"
)

// FanOut distributes a stored status (or boost) that is new to this server:
// it inserts it into the home feeds of the local accounts that should see
// it, notifies mentioned local accounts, followers asking to be notified
// and, for a boost, the boosted status's author, and publishes a
// status.created event. PostStatus and Reblog call it for local statuses;
// federation calls it for statuses received from other servers. It returns
// the accounts whose home feed received the status.
//
// Home feed rules, as on Mastodon: the author's own feed (local authors)
// and the feeds of local followers, minus those blocking or muting the
// author (or, for a boost, the boosted status's author, and followers
// hiding the booster's boosts); private statuses go to followers only,
// direct statuses only to the mentioned local accounts; a reply to someone
// else reaches only followers that also follow the replied-to account
// (and the replied-to account, if it follows the author).
// Statuses also go to the feeds of the lists that hold their author, by
// the lists' replies policies, and stay out of the home feeds of owners of
// exclusive lists holding the author (see listFeeds).
// Public statuses (not boosts) also reach the local accounts following one
// of their hashtags, and direct statuses are recorded in the conversations
// of their local participants.
func (s *Service) FanOut(ctx context.Context, st *storage.Status) ([]storage.ID, error) {
	var owners []storage.ID
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		author, err := tx.Accounts().Get(ctx, st.AccountID)
		if err != nil {
			return notFound(err, "author %s", st.AccountID)
		}
		var orig *storage.Status
		if st.ReblogOfID != 0 {
			if orig, err = tx.Statuses().Get(ctx, st.ReblogOfID); err != nil {
				return notFound(err, "boosted status %s", st.ReblogOfID)
			}
		}
		owners, err = s.distribute(ctx, tx, st, author, orig, ev)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fan out status %s: %w", st.ID, err)
	}
	return owners, nil
}

// audience lists the local accounts whose home feed st belongs in.
func (s *Service) audience(ctx context.Context, tx storage.Store, st *storage.Status, author *storage.Account, orig *storage.Status) ([]storage.ID, error) {
	owners := []storage.ID{}
	if author.Local() {
		owners = append(owners, author.ID)
	}
	if st.Visibility == storage.VisibilityDirect {
		ids := make([]storage.ID, 0, len(st.Mentions))
		for _, m := range st.Mentions {
			if m.AccountID != 0 && m.AccountID != author.ID {
				ids = append(ids, m.AccountID)
			}
		}
		if len(ids) == 0 {
			return owners, nil
		}
		accts, err := tx.Accounts().GetMany(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("load mentioned accounts: %w", err)
		}
		blocks, err := tx.Blocks().States(ctx, author.ID, ids)
		if err != nil {
			return nil, fmt.Errorf("load blocks: %w", err)
		}
		muters, err := tx.Mutes().MuterIDs(ctx, author.ID, false)
		if err != nil {
			return nil, fmt.Errorf("load mutes: %w", err)
		}
		muting := map[storage.ID]bool{}
		for _, id := range muters {
			muting[id] = true
		}
		for _, a := range accts {
			b := blocks[a.ID]
			if a.Local() && !b.Blocking && !b.BlockedBy && !muting[a.ID] {
				owners = append(owners, a.ID)
			}
		}
		return uniqueIDs(owners), nil
	}
	q := storage.AudienceQuery{AuthorID: author.ID, AuthorDomain: author.Domain}
	if orig != nil {
		q.ShowingReblogs = true
		q.Exclude = append(q.Exclude, orig.AccountID)
	}
	if st.InReplyToAccountID != 0 && st.InReplyToAccountID != author.ID {
		q.AlsoFollowing = st.InReplyToAccountID
	}
	followers, err := tx.Queries().Audience(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audience: %w", err)
	}
	if tagged, err := s.tagAudience(ctx, tx, st, author); err != nil {
		return nil, err
	} else if len(tagged) > 0 {
		followers = uniqueIDs(append(followers, tagged...))
	}
	if len(owners) == 0 {
		return followers, nil
	}
	return uniqueIDs(append(owners, followers...)), nil
}

// distribute fans st out to home feeds and sends the notifications it
// calls for (see FanOut).
func (s *Service) distribute(ctx context.Context, tx storage.Store, st *storage.Status, author *storage.Account, orig *storage.Status, ev *events) ([]storage.ID, error) {
	owners, lists, err := s.feedTargets(ctx, tx, st, author, orig)
	if err != nil {
		return nil, err
	}
	entry := storage.FeedEntry{StatusID: st.ID, AuthorID: st.AccountID, ReblogOfID: st.ReblogOfID}
	if err := tx.Feeds().InsertMany(ctx, storage.FeedHome, owners, entry); err != nil {
		return nil, fmt.Errorf("insert into home feeds: %w", err)
	}
	if err := tx.Feeds().InsertMany(ctx, storage.FeedList, lists, entry); err != nil {
		return nil, fmt.Errorf("insert into list feeds: %w", err)
	}
	if err := s.addToConversations(ctx, tx, st, author, owners); err != nil {
		return nil, err
	}
	e := Event{Type: EventStatusCreated, Actor: author, Status: st, HomeFeeds: owners, ListFeeds: lists}
	if orig != nil {
		origAuthor, err := tx.Accounts().Get(ctx, orig.AccountID)
		if err != nil {
			return nil, notFound(err, "boosted status author")
		}
		if err := s.notify(ctx, tx, ev, origAuthor, author, storage.NotifyReblog, orig); err != nil {
			return nil, err
		}
		e.Type, e.Reblog, e.Target = EventStatusReblogged, orig, origAuthor
	} else {
		notified := map[storage.ID]bool{author.ID: true}
		var ids []storage.ID
		for _, m := range st.Mentions {
			ids = append(ids, m.AccountID)
		}
		if len(ids) > 0 {
			accts, err := tx.Accounts().GetMany(ctx, uniqueIDs(ids))
			if err != nil {
				return nil, fmt.Errorf("load mentioned accounts: %w", err)
			}
			for _, a := range accts {
				notified[a.ID] = true
				if err := s.notify(ctx, tx, ev, a, author, storage.NotifyMention, st); err != nil {
					return nil, err
				}
			}
		}
		if st.Visibility != storage.VisibilityDirect && (st.InReplyToAccountID == 0 || st.InReplyToAccountID == author.ID) {
			ids, err := tx.Queries().Audience(ctx, storage.AudienceQuery{AuthorID: author.ID, AuthorDomain: author.Domain, Notifying: true})
			if err != nil {
				return nil, fmt.Errorf("followers to notify: %w", err)
			}
			var want []storage.ID
			for _, id := range ids {
				if !notified[id] {
					want = append(want, id)
				}
			}
			if len(want) > 0 {
				accts, err := tx.Accounts().GetMany(ctx, want)
				if err != nil {
					return nil, fmt.Errorf("load followers to notify: %w", err)
				}
				for _, a := range accts {
					if err := s.notify(ctx, tx, ev, a, author, storage.NotifyStatus, st); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	ev.add(e)
	return owners, nil
}

// groupSpan is the time slice within which Mastodon groups notifications.
const groupSpan = 12 * 3600

// notify creates a notification for recipient about from's action, unless
// the recipient is remote, is from, blocks or is blocked by from, mutes
// from's notifications, blocks from's domain or muted the thread of st.
func (s *Service) notify(ctx context.Context, tx storage.Store, ev *events, recipient, from *storage.Account, typ storage.NotificationType, st *storage.Status) error {
	if recipient == nil || !recipient.Local() || recipient.ID == from.ID {
		return nil
	}
	blocks, err := tx.Blocks().States(ctx, recipient.ID, []storage.ID{from.ID})
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if b := blocks[from.ID]; b.Blocking || b.BlockedBy {
		return nil
	}
	mutes, err := tx.Mutes().States(ctx, recipient.ID, []storage.ID{from.ID})
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if m := mutes[from.ID]; m != nil && m.HideNotifications {
		return nil
	}
	if muted, err := threadMuted(ctx, tx, recipient.ID, st); err != nil || muted {
		return err
	}
	if hide, err := s.notifyLimited(ctx, tx, recipient, from, typ); err != nil || hide {
		return err
	}
	if from.Domain != "" {
		blocked, err := tx.DomainBlocks().Blocking(ctx, recipient.ID, from.Domain)
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		if blocked {
			return nil
		}
	}
	if !limitFilterable(typ) && s.Limited(ctx, from) {
		// A limited account notifies only its followers (the types the
		// notification policy covers go through for_limited_accounts).
		if _, err := tx.Follows().Get(ctx, recipient.ID, from.ID); err != nil {
			return ignoreNotFound(err)
		}
	}
	now := s.now()
	n := &storage.Notification{AccountID: recipient.ID, FromAccountID: from.ID, Type: typ, CreatedAt: now}
	if st != nil {
		n.StatusID = st.ID
	}
	slice := strconv.FormatInt(now.Unix()/groupSpan, 10)
	switch typ {
	case storage.NotifyFavourite, storage.NotifyReblog:
		n.GroupKey = string(typ) + "-" + n.StatusID.String() + "-" + slice
	case storage.NotifyFollow:
		n.GroupKey = string(typ) + "-" + slice
	}
	switch action, err := s.notificationAction(ctx, tx, recipient, from, typ, st); {
	case err != nil:
		return err
	case action == storage.PolicyDrop:
		return nil
	case action == storage.PolicyFilter:
		// Kept aside in a notification request: neither streamed nor pushed.
		if _, err := tx.NotificationRequests().File(ctx, n); err != nil {
			return fmt.Errorf("file %s notification: %w", typ, err)
		}
		return nil
	}
	if err := tx.Notifications().Create(ctx, n); err != nil {
		return fmt.Errorf("create %s notification: %w", typ, err)
	}
	ev.add(Event{Type: EventNotificationCreated, Actor: from, Target: recipient, Notification: n, Status: st})
	return nil
}
