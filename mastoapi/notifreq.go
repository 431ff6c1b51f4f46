package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// This file serves Mastodon 4.3's notification policy (v1 and v2) and
// notification requests: the notifications the policy filtered, grouped
// per sender.

// NotificationPolicySummary is the summary of a NotificationPolicy.
type NotificationPolicySummary struct {
	PendingRequestsCount      int64 `json:"pending_requests_count"`
	PendingNotificationsCount int64 `json:"pending_notifications_count"`
}

// NotificationPolicy is the Mastodon NotificationPolicy entity (v2).
type NotificationPolicy struct {
	ForNotFollowing    string                    `json:"for_not_following"`
	ForNotFollowers    string                    `json:"for_not_followers"`
	ForNewAccounts     string                    `json:"for_new_accounts"`
	ForPrivateMentions string                    `json:"for_private_mentions"`
	ForLimitedAccounts string                    `json:"for_limited_accounts"`
	Summary            NotificationPolicySummary `json:"summary"`
}

// V1NotificationPolicy is the Mastodon V1::NotificationPolicy entity: a
// filter_ field is true unless its policy accepts.
type V1NotificationPolicy struct {
	FilterNotFollowing    bool                      `json:"filter_not_following"`
	FilterNotFollowers    bool                      `json:"filter_not_followers"`
	FilterNewAccounts     bool                      `json:"filter_new_accounts"`
	FilterPrivateMentions bool                      `json:"filter_private_mentions"`
	Summary               NotificationPolicySummary `json:"summary"`
}

// NotificationRequest is the Mastodon NotificationRequest entity.
type NotificationRequest struct {
	ID                 string   `json:"id"`
	CreatedAt          Time     `json:"created_at"`
	UpdatedAt          Time     `json:"updated_at"`
	Account            *Account `json:"account"`
	NotificationsCount string   `json:"notifications_count"`
	LastStatus         *Status  `json:"last_status,omitempty"`
}

// maxRequestIDs bounds the id[] of one bulk accept or dismiss.
const maxRequestIDs = 100

func (a *API) loadNotificationPolicy(r *http.Request) (*storage.NotificationPolicy, NotificationPolicySummary, error) {
	p, sum, err := a.svc.NotificationPolicy(r.Context(), AuthOf(r).Account)
	if err != nil {
		return nil, NotificationPolicySummary{}, err
	}
	return p, NotificationPolicySummary{PendingRequestsCount: sum.PendingRequests, PendingNotificationsCount: sum.PendingNotifications}, nil
}

func (a *API) notificationPolicyV2(w http.ResponseWriter, r *http.Request) error {
	p, sum, err := a.loadNotificationPolicy(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, &NotificationPolicy{
		ForNotFollowing: string(p.ForNotFollowing), ForNotFollowers: string(p.ForNotFollowers),
		ForNewAccounts: string(p.ForNewAccounts), ForPrivateMentions: string(p.ForPrivateMentions),
		ForLimitedAccounts: string(p.ForLimitedAccounts), Summary: sum,
	})
	return nil
}

func (a *API) notificationPolicyV1(w http.ResponseWriter, r *http.Request) error {
	p, sum, err := a.loadNotificationPolicy(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, &V1NotificationPolicy{
		FilterNotFollowing: p.ForNotFollowing != storage.PolicyAccept, FilterNotFollowers: p.ForNotFollowers != storage.PolicyAccept,
		FilterNewAccounts: p.ForNewAccounts != storage.PolicyAccept, FilterPrivateMentions: p.ForPrivateMentions != storage.PolicyAccept,
		Summary: sum,
	})
	return nil
}

// policyFields names the policy's fields for the parameters of both
// versions.
func policyFields(p *storage.NotificationPolicy) map[string]*storage.PolicyAction {
	return map[string]*storage.PolicyAction{
		"not_following": &p.ForNotFollowing, "not_followers": &p.ForNotFollowers, "new_accounts": &p.ForNewAccounts,
		"private_mentions": &p.ForPrivateMentions, "limited_accounts": &p.ForLimitedAccounts,
	}
}

// updateNotificationPolicyV2 sets the for_ fields given (accept, filter or
// drop; anything else is a 422).
func (a *API) updateNotificationPolicyV2(w http.ResponseWriter, r *http.Request) error {
	p, _, err := a.loadNotificationPolicy(r)
	if err != nil {
		return err
	}
	params := ParamsOf(r)
	for name, field := range policyFields(p) {
		if v, ok := params.Lookup("for_" + name); ok {
			act := storage.PolicyAction(v)
			if !act.Valid() {
				return fieldError("for_"+name, "must be one of accept, filter, drop")
			}
			*field = act
		}
	}
	if err := a.svc.UpdateNotificationPolicy(r.Context(), AuthOf(r).Account, p); err != nil {
		return err
	}
	return a.notificationPolicyV2(w, r)
}

// updateNotificationPolicyV1 sets the filter_ booleans given: true is
// filter, false accept (as Mastodon maps them).
func (a *API) updateNotificationPolicyV1(w http.ResponseWriter, r *http.Request) error {
	p, _, err := a.loadNotificationPolicy(r)
	if err != nil {
		return err
	}
	params := ParamsOf(r)
	for name, field := range policyFields(p) {
		if name == "limited_accounts" {
			continue
		}
		if b := params.BoolPtr("filter_" + name); b != nil {
			*field = storage.PolicyAccept
			if *b {
				*field = storage.PolicyFilter
			}
		}
	}
	if err := a.svc.UpdateNotificationPolicy(r.Context(), AuthOf(r).Account, p); err != nil {
		return err
	}
	return a.notificationPolicyV1(w, r)
}

// renderNotificationRequests renders rs with their accounts and last
// statuses (a request whose account is gone is left out; a last status
// the viewer may not see is left off).
func (a *API) renderNotificationRequests(ctx context.Context, viewer *storage.Account, rs []*storage.NotificationRequest) ([]*NotificationRequest, error) {
	out := make([]*NotificationRequest, 0, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	var accountIDs, statusIDs []storage.ID
	for _, r := range rs {
		accountIDs = append(accountIDs, r.FromAccountID)
		if r.LastStatusID != 0 {
			statusIDs = append(statusIDs, r.LastStatusID)
		}
	}
	accounts, statuses, err := a.renderSenders(ctx, viewer, accountIDs, statusIDs)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		acct := accounts[r.FromAccountID]
		if acct == nil {
			continue
		}
		out = append(out, &NotificationRequest{
			ID: r.ID.String(), CreatedAt: Time(r.CreatedAt), UpdatedAt: Time(r.UpdatedAt), Account: acct,
			NotificationsCount: fmt.Sprint(r.NotificationsCount), LastStatus: statuses[r.LastStatusID],
		})
	}
	return out, nil
}

func notificationRequestID(r *storage.NotificationRequest) storage.ID { return r.ID }

func (a *API) notificationRequests(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(defaultNotificationsLimit, storage.MaxLimit)
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	rs, err := a.svc.NotificationRequests(r.Context(), viewer, pg)
	if err != nil {
		return err
	}
	out, err := a.renderNotificationRequests(r.Context(), viewer, rs)
	if err != nil {
		return err
	}
	return writeRendered(a, w, r, rs, pg.Limit, notificationRequestID, out)
}

func (a *API) notificationRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	req, err := a.svc.NotificationRequest(r.Context(), viewer, id)
	if err != nil {
		return err
	}
	out, err := a.renderNotificationRequests(r.Context(), viewer, []*storage.NotificationRequest{req})
	if err != nil {
		return err
	}
	if len(out) == 0 {
		return ErrRecordNotFound
	}
	WriteJSON(w, http.StatusOK, out[0])
	return nil
}

func (a *API) acceptNotificationRequest(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.AcceptNotificationRequest)
}

func (a *API) dismissNotificationRequest(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.DismissNotificationRequest)
}

// eachRequest applies fn to the requests id[] (at most maxRequestIDs);
// unknown or others' IDs are ignored, as on Mastodon.
func (a *API) eachRequest(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, owner *storage.Account, id storage.ID) error) error {
	ids := ParamsOf(r).Strings("id")
	if len(ids) > maxRequestIDs {
		ids = ids[:maxRequestIDs]
	}
	for _, s := range ids {
		id, err := storage.ParseID(s)
		if err != nil {
			continue
		}
		if err := fn(r.Context(), AuthOf(r).Account, id); err != nil && !errors.Is(err, social.ErrNotFound) {
			return err
		}
	}
	return emptyObject(w, r)
}

func (a *API) acceptNotificationRequests(w http.ResponseWriter, r *http.Request) error {
	return a.eachRequest(w, r, a.svc.AcceptNotificationRequest)
}

func (a *API) dismissNotificationRequests(w http.ResponseWriter, r *http.Request) error {
	return a.eachRequest(w, r, a.svc.DismissNotificationRequest)
}

// notificationRequestsMerged reports whether accepted requests have been
// merged into the notifications: Herd merges them at once, so always.
func (a *API) notificationRequestsMerged(w http.ResponseWriter, r *http.Request) error {
	WriteJSON(w, http.StatusOK, map[string]bool{"merged": true})
	return nil
}
