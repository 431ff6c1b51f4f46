package social

import (
	"context"
	"fmt"
	"time"

	"github.com/herd-social/herd/storage"
)

// This file applies a user's notification policy (Mastodon 4.3's
// NotificationPolicy) when a notification is created, and serves the
// notification requests the filtered notifications are grouped into.
//
// Only the types limitFilterable accepts are subject to the policy. A
// sender the recipient follows, or whose request the recipient accepted,
// is never filtered or dropped. Otherwise each policy whose condition
// holds applies, drop winning over filter:
//   - for_not_following: the recipient does not follow the sender;
//   - for_not_followers: the sender does not follow the recipient;
//   - for_new_accounts: the sender's account is less than 30 days old;
//   - for_private_mentions: a mention in a direct status that does not
//     reply to a status of the recipient mentioning the sender (Mastodon
//     walks up the whole thread; Herd looks at the parent only);
//   - for_limited_accounts: the sender is Limited ("accept" shows its
//     notifications even to recipients who do not follow it).

// newAccountAge is how young an account counts as new for the policy.
const newAccountAge = 30 * 24 * time.Hour

// notificationAction decides what recipient's policy does with a
// notification of type typ from from about st (nil: none).
func (s *Service) notificationAction(ctx context.Context, tx storage.Store, recipient, from *storage.Account, typ storage.NotificationType, st *storage.Status) (storage.PolicyAction, error) {
	if !limitFilterable(typ) {
		return storage.PolicyAccept, nil
	}
	nr := tx.NotificationRequests()
	p, err := nr.Policy(ctx, recipient.ID)
	if err != nil {
		return "", fmt.Errorf("notification policy: %w", err)
	}
	fs, err := tx.Follows().States(ctx, recipient.ID, []storage.ID{from.ID})
	if err != nil {
		return "", fmt.Errorf("notification policy: follow state: %w", err)
	}
	state := fs[from.ID]
	if state.Following != nil {
		return storage.PolicyAccept, nil
	}
	actions := []storage.PolicyAction{p.ForNotFollowing}
	if !state.FollowedBy {
		actions = append(actions, p.ForNotFollowers)
	}
	if from.CreatedAt.After(s.now().Add(-newAccountAge)) {
		actions = append(actions, p.ForNewAccounts)
	}
	if s.Limited(ctx, from) {
		actions = append(actions, p.ForLimitedAccounts)
	}
	if typ == storage.NotifyMention && st != nil && st.Visibility == storage.VisibilityDirect && p.ForPrivateMentions != storage.PolicyAccept {
		reply, err := repliesToMention(ctx, tx, recipient, from, st)
		if err != nil {
			return "", err
		}
		if !reply {
			actions = append(actions, p.ForPrivateMentions)
		}
	}
	out := storage.PolicyAccept
	for _, a := range actions {
		switch a {
		case storage.PolicyDrop:
			out = storage.PolicyDrop
		case storage.PolicyFilter:
			if out != storage.PolicyDrop {
				out = storage.PolicyFilter
			}
		}
	}
	if out == storage.PolicyAccept {
		return out, nil
	}
	// A sender whose request the recipient accepted is never filtered.
	permitted, err := nr.Permitted(ctx, recipient.ID, from.ID)
	if err != nil {
		return "", fmt.Errorf("notification policy: %w", err)
	}
	if permitted {
		return storage.PolicyAccept, nil
	}
	return out, nil
}

// repliesToMention reports whether st replies to a status of recipient
// that mentions from (a conversation the recipient started with from).
func repliesToMention(ctx context.Context, tx storage.Store, recipient, from *storage.Account, st *storage.Status) (bool, error) {
	if st.InReplyToID == 0 || st.InReplyToAccountID != recipient.ID {
		return false, nil
	}
	parent, err := tx.Statuses().Get(ctx, st.InReplyToID)
	if err != nil {
		return false, ignoreNotFound(err)
	}
	if parent.AccountID != recipient.ID {
		return false, nil
	}
	for _, m := range parent.Mentions {
		if m.AccountID == from.ID {
			return true, nil
		}
	}
	return false, nil
}

// NotificationPolicySummary counts a user's pending notification requests
// and the filtered notifications in them.
type NotificationPolicySummary struct {
	PendingRequests      int64
	PendingNotifications int64
}

// NotificationPolicy returns account's notification policy and the
// summary of its pending requests.
func (s *Service) NotificationPolicy(ctx context.Context, account *storage.Account) (*storage.NotificationPolicy, NotificationPolicySummary, error) {
	var sum NotificationPolicySummary
	if account == nil || !account.Local() {
		return nil, sum, ErrForbidden
	}
	p, err := s.store.NotificationRequests().Policy(ctx, account.ID)
	if err != nil {
		return nil, sum, fmt.Errorf("notification policy: %w", err)
	}
	sum.PendingRequests, sum.PendingNotifications, err = s.store.NotificationRequests().Summary(ctx, account.ID)
	if err != nil {
		return nil, sum, fmt.Errorf("notification policy: %w", err)
	}
	return p, sum, nil
}

// UpdateNotificationPolicy stores p as account's policy (ErrInvalid for an
// unknown action).
func (s *Service) UpdateNotificationPolicy(ctx context.Context, account *storage.Account, p *storage.NotificationPolicy) error {
	if account == nil || !account.Local() {
		return ErrForbidden
	}
	for _, a := range []storage.PolicyAction{p.ForNotFollowing, p.ForNotFollowers, p.ForNewAccounts, p.ForPrivateMentions, p.ForLimitedAccounts} {
		if !a.Valid() {
			return fmt.Errorf("notification policy: %q is not accept, filter or drop: %w", a, ErrInvalid)
		}
	}
	p.AccountID = account.ID
	if err := s.store.NotificationRequests().SetPolicy(ctx, p); err != nil {
		return fmt.Errorf("notification policy: %w", err)
	}
	return nil
}

// NotificationRequests pages through account's notification requests,
// newest first, leaving out those from accounts it blocks or is blocked
// by, suspended accounts and blocked domains (a page may come out short).
func (s *Service) NotificationRequests(ctx context.Context, account *storage.Account, p storage.Page) ([]*storage.NotificationRequest, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	rs, err := s.store.NotificationRequests().List(ctx, account.ID, p.Norm(storage.DefaultLimit, storage.MaxLimit))
	if err != nil {
		return nil, fmt.Errorf("notification requests: %w", err)
	}
	return s.keepRequests(ctx, account, rs)
}

func (s *Service) keepRequests(ctx context.Context, account *storage.Account, rs []*storage.NotificationRequest) ([]*storage.NotificationRequest, error) {
	from := make([]storage.ID, len(rs))
	for i, r := range rs {
		from[i] = r.FromAccountID
	}
	rel, err := loadRelationsFor(ctx, s.store, account.ID, from, false)
	if err != nil {
		return nil, fmt.Errorf("notification requests: %w", err)
	}
	out := make([]*storage.NotificationRequest, 0, len(rs))
	for _, r := range rs {
		if !rel.blocked(r.FromAccountID) {
			out = append(out, r)
		}
	}
	return out, nil
}

// NotificationRequest returns one of account's notification requests
// (ErrNotFound when NotificationRequests would leave it out).
func (s *Service) NotificationRequest(ctx context.Context, account *storage.Account, id storage.ID) (*storage.NotificationRequest, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	r, err := s.store.NotificationRequests().Get(ctx, account.ID, id)
	if err != nil {
		return nil, notFound(err, "notification request %s", id)
	}
	kept, err := s.keepRequests(ctx, account, []*storage.NotificationRequest{r})
	if err != nil {
		return nil, err
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("notification request %s: %w", id, ErrNotFound)
	}
	return r, nil
}

// AcceptNotificationRequest moves the filtered notifications of request id
// to account's notifications; later notifications from its sender are not
// filtered.
func (s *Service) AcceptNotificationRequest(ctx context.Context, account *storage.Account, id storage.ID) error {
	if account == nil {
		return ErrForbidden
	}
	if err := s.store.NotificationRequests().Accept(ctx, account.ID, id); err != nil {
		return notFound(err, "accept notification request %s", id)
	}
	return nil
}

// DismissNotificationRequest deletes request id and its filtered
// notifications; later notifications from its sender are filtered again
// into a new request.
func (s *Service) DismissNotificationRequest(ctx context.Context, account *storage.Account, id storage.ID) error {
	if account == nil {
		return ErrForbidden
	}
	if err := s.store.NotificationRequests().Dismiss(ctx, account.ID, id); err != nil {
		return notFound(err, "dismiss notification request %s", id)
	}
	return nil
}

// acceptedLimited returns those of the limited senders ids whose
// notifications account accepts although it does not follow them: all
// when its for_limited_accounts is accept, else those whose request it
// accepted.
func (s *Service) acceptedLimited(ctx context.Context, account *storage.Account, ids []storage.ID) ([]storage.ID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	nr := s.store.NotificationRequests()
	p, err := nr.Policy(ctx, account.ID)
	if err != nil {
		return nil, fmt.Errorf("notification policy: %w", err)
	}
	if p.ForLimitedAccounts == storage.PolicyAccept {
		return ids, nil
	}
	var out []storage.ID
	for _, id := range ids {
		ok, err := nr.Permitted(ctx, account.ID, id)
		if err != nil {
			return nil, fmt.Errorf("notification policy: %w", err)
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}
