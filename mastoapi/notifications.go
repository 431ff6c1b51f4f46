package mastoapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Notifications: 40 by default, at most storage.MaxLimit.
const defaultNotificationsLimit = 40

// notificationTypes reads a list of notification types; unknown ones are
// ignored, as on Mastodon.
func notificationTypes(vs []string) []storage.NotificationType {
	var out []storage.NotificationType
	for _, v := range vs {
		switch t := storage.NotificationType(strings.TrimSpace(v)); t {
		case storage.NotifyMention, storage.NotifyStatus, storage.NotifyReblog, storage.NotifyFavourite,
			storage.NotifyFollow, storage.NotifyFollowRequest, storage.NotifyPoll, storage.NotifyUpdate,
			storage.NotifySignUp, storage.NotifyReport, storage.NotifySevered, storage.NotifyModeration, storage.NotifyQuote:
			out = append(out, t)
		}
	}
	return out
}

// notificationFilter reads types[], exclude_types[] and account_id. ok is
// false when types[] names only unknown types (nothing can match).
func notificationFilter(p *Params) (f storage.NotificationFilter, ok bool, err error) {
	if p.Has("types") {
		f.Types = notificationTypes(p.Strings("types"))
		if len(f.Types) == 0 && len(p.Strings("types")) > 0 {
			return f, false, nil
		}
	}
	f.ExcludeTypes = notificationTypes(p.Strings("exclude_types"))
	if f.FromAccountID, err = p.ID("account_id"); err != nil {
		return f, false, err
	}
	f.IncludeFiltered = p.Bool("include_filtered", false)
	return f, true, nil
}

func (a *API) notifications(w http.ResponseWriter, r *http.Request) error {
	r = inFilterContext(r, storage.FilterNotifications)
	p := ParamsOf(r)
	pg, err := p.Page(defaultNotificationsLimit, storage.MaxLimit)
	if err != nil {
		return err
	}
	f, ok, err := notificationFilter(p)
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	ns := []*storage.Notification{}
	if ok {
		if ns, err = a.svc.Notifications(r.Context(), viewer, f, pg); err != nil {
			return err
		}
	}
	out, err := a.renderNotifications(r.Context(), viewer, ns)
	if err != nil {
		return err
	}
	return writeRendered(a, w, r, ns, pg.Limit, notificationID, out)
}

func (a *API) notification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	n, err := a.svc.Notification(r.Context(), viewer, id)
	if err != nil {
		return err
	}
	out, err := a.renderNotifications(r.Context(), viewer, []*storage.Notification{n})
	if err != nil {
		return err
	}
	if len(out) == 0 {
		return ErrRecordNotFound
	}
	WriteJSON(w, http.StatusOK, out[0])
	return nil
}

func (a *API) dismissNotification(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.DismissNotification)
}

// destroyNotifications dismisses the notifications ids[] (Mastodon's
// deprecated DELETE /api/v1/notifications/destroy_multiple); unknown or
// others' IDs are ignored, and so is anything past the first 200.
func (a *API) destroyNotifications(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	ids := ParamsOf(r).Strings("ids")
	if len(ids) > maxDestroyNotifications {
		ids = ids[:maxDestroyNotifications]
	}
	for _, s := range ids {
		id, err := storage.ParseID(s)
		if err != nil {
			continue
		}
		if err := a.svc.DismissNotification(r.Context(), viewer, id); err != nil && !errors.Is(err, social.ErrNotFound) {
			return err
		}
	}
	return emptyObject(w, r)
}

// maxDestroyNotifications bounds the IDs one destroy_multiple handles.
const maxDestroyNotifications = 200

func (a *API) clearNotifications(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.ClearNotifications(r.Context(), AuthOf(r).Account); err != nil {
		return err
	}
	return emptyObject(w, r)
}

// Unread counts: 100 by default, at most 1000, as on Mastodon.
const (
	defaultUnreadLimit = 100
	maxUnreadLimit     = 1000
)

func unreadLimit(p *Params) (int64, error) {
	n, err := p.Int("limit", defaultUnreadLimit)
	if err != nil {
		return 0, err
	}
	if n <= 0 {
		n = defaultUnreadLimit
	}
	return min(n, maxUnreadLimit), nil
}

// unreadCount counts the notifications newer than the notifications
// marker, up to the limit parameter.
func (a *API) unreadCount(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	limit, err := unreadLimit(p)
	if err != nil {
		return err
	}
	f, ok, err := notificationFilter(p)
	if err != nil {
		return err
	}
	var n int64
	if ok {
		viewer := AuthOf(r).Account
		since, err := a.notificationsMarker(r.Context(), viewer.ID)
		if err != nil {
			return err
		}
		if n, err = a.svc.UnreadNotifications(r.Context(), viewer, since, f); err != nil {
			return err
		}
	}
	WriteJSON(w, http.StatusOK, map[string]int64{"count": min(n, limit)})
	return nil
}

// ---- grouped notifications (v2) ----

// NotificationGroup is the Mastodon NotificationGroup entity. Groups are
// formed within the page read: notifications_count counts the group's
// notifications on that page.
type NotificationGroup struct {
	GroupKey                 string   `json:"group_key"`
	NotificationsCount       int      `json:"notifications_count"`
	Type                     string   `json:"type"`
	MostRecentNotificationID int64    `json:"most_recent_notification_id"`
	PageMinID                string   `json:"page_min_id"`
	PageMaxID                string   `json:"page_max_id"`
	LatestPageNotificationAt Time     `json:"latest_page_notification_at"`
	SampleAccountIDs         []string `json:"sample_account_ids"`
	StatusID                 *string  `json:"status_id,omitempty"`
}

// GroupedNotifications is the Mastodon GroupedNotificationsResults entity.
type GroupedNotifications struct {
	Accounts           []*Account           `json:"accounts"`
	Statuses           []*Status            `json:"statuses"`
	NotificationGroups []*NotificationGroup `json:"notification_groups"`
}

// maxSampleAccounts bounds sample_account_ids.
const maxSampleAccounts = 8

// defaultGroupedTypes are the types grouped unless grouped_types[] says
// otherwise, as on Mastodon.
var defaultGroupedTypes = []storage.NotificationType{storage.NotifyFavourite, storage.NotifyFollow, storage.NotifyReblog}

// groupNotifications groups a page of notifications (newest first) and
// renders the accounts and statuses they reference.
func (a *API) groupNotifications(ctx context.Context, viewer *storage.Account, ns []*storage.Notification, grouped []storage.NotificationType) (*GroupedNotifications, error) {
	out := &GroupedNotifications{Accounts: []*Account{}, Statuses: []*Status{}, NotificationGroups: []*NotificationGroup{}}
	groupable := map[storage.NotificationType]bool{}
	for _, t := range grouped {
		groupable[t] = true
	}
	rendered, err := a.renderNotifications(ctx, viewer, ns)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*NotificationGroup{}
	seenAccounts, seenStatuses := map[string]bool{}, map[string]bool{}
	for _, n := range rendered {
		key := n.GroupKey
		if !groupable[storage.NotificationType(n.Type)] {
			key = "ungrouped-" + n.ID
		}
		g := byKey[key]
		if g == nil {
			g = &NotificationGroup{GroupKey: key, Type: n.Type, PageMaxID: n.ID, LatestPageNotificationAt: n.CreatedAt,
				SampleAccountIDs: []string{}}
			g.MostRecentNotificationID = int64(parseIDOrZero(n.ID))
			if n.Status != nil {
				g.StatusID = &n.Status.ID
			}
			byKey[key] = g
			out.NotificationGroups = append(out.NotificationGroups, g)
		}
		g.NotificationsCount++
		g.PageMinID = n.ID
		if len(g.SampleAccountIDs) < maxSampleAccounts && !containsString(g.SampleAccountIDs, n.Account.ID) {
			g.SampleAccountIDs = append(g.SampleAccountIDs, n.Account.ID)
		}
		if !seenAccounts[n.Account.ID] {
			seenAccounts[n.Account.ID] = true
			out.Accounts = append(out.Accounts, n.Account)
		}
		if n.Status != nil && !seenStatuses[n.Status.ID] {
			seenStatuses[n.Status.ID] = true
			out.Statuses = append(out.Statuses, n.Status)
		}
	}
	return out, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (a *API) groupedNotifications(w http.ResponseWriter, r *http.Request) error {
	r = inFilterContext(r, storage.FilterNotifications)
	p := ParamsOf(r)
	pg, err := p.Page(defaultNotificationsLimit, storage.MaxLimit)
	if err != nil {
		return err
	}
	f, ok, err := notificationFilter(p)
	if err != nil {
		return err
	}
	grouped := defaultGroupedTypes
	if p.Has("grouped_types") {
		grouped = notificationTypes(p.Strings("grouped_types"))
	}
	viewer := AuthOf(r).Account
	ns := []*storage.Notification{}
	if ok {
		if ns, err = a.svc.Notifications(r.Context(), viewer, f, pg); err != nil {
			return err
		}
	}
	out, err := a.groupNotifications(r.Context(), viewer, ns, grouped)
	if err != nil {
		return err
	}
	return writeRendered(a, w, r, ns, pg.Limit, notificationID, out)
}

// groupScan bounds how many notifications are read to find a group's
// members (its most recent ones).
const groupScan = 5 * storage.MaxLimit

// notificationGroup finds the notifications of a group, newest first.
func (a *API) notificationGroup(ctx context.Context, viewer *storage.Account, key string) ([]*storage.Notification, error) {
	if rest, ok := strings.CutPrefix(key, "ungrouped-"); ok {
		id, err := storage.ParseID(rest)
		if err != nil {
			return nil, ErrRecordNotFound
		}
		n, err := a.svc.Notification(ctx, viewer, id)
		if err != nil {
			return nil, err
		}
		return []*storage.Notification{n}, nil
	}
	typ, _, _ := strings.Cut(key, "-")
	types := notificationTypes([]string{typ})
	if len(types) == 0 {
		return nil, ErrRecordNotFound
	}
	var out []*storage.Notification
	pg := storage.Page{Limit: storage.MaxLimit}
	for read := 0; read < groupScan; {
		ns, err := a.svc.Notifications(ctx, viewer, storage.NotificationFilter{Types: types}, pg)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if n.GroupKey == key {
				out = append(out, n)
			}
		}
		if len(ns) < pg.Limit {
			break
		}
		read += len(ns)
		pg.MaxID = ns[len(ns)-1].ID
	}
	if len(out) == 0 {
		return nil, ErrRecordNotFound
	}
	return out, nil
}

func (a *API) showNotificationGroup(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	key := mux.Vars(r)["group_key"]
	ns, err := a.notificationGroup(r.Context(), viewer, key)
	if err != nil {
		return err
	}
	var grouped []storage.NotificationType
	if !strings.HasPrefix(key, "ungrouped-") {
		grouped = []storage.NotificationType{ns[0].Type}
	}
	out, err := a.groupNotifications(r.Context(), viewer, ns, grouped)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) notificationGroupAccounts(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	ns, err := a.notificationGroup(r.Context(), viewer, mux.Vars(r)["group_key"])
	if err != nil {
		return err
	}
	rendered, err := a.renderNotifications(r.Context(), viewer, ns)
	if err != nil {
		return err
	}
	out := []*Account{}
	seen := map[string]bool{}
	for _, n := range rendered {
		if !seen[n.Account.ID] {
			seen[n.Account.ID] = true
			out = append(out, n.Account)
		}
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) dismissNotificationGroup(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	ns, err := a.notificationGroup(r.Context(), viewer, mux.Vars(r)["group_key"])
	if err != nil {
		return err
	}
	for _, n := range ns {
		if err := a.svc.DismissNotification(r.Context(), viewer, n.ID); err != nil && !errors.Is(err, social.ErrNotFound) {
			return err
		}
	}
	return emptyObject(w, r)
}

// groupedUnreadCount counts the groups among the unread notifications
// (up to the limit parameter).
func (a *API) groupedUnreadCount(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	limit, err := unreadLimit(p)
	if err != nil {
		return err
	}
	f, ok, err := notificationFilter(p)
	if err != nil {
		return err
	}
	grouped := defaultGroupedTypes
	if p.Has("grouped_types") {
		grouped = notificationTypes(p.Strings("grouped_types"))
	}
	groupable := map[storage.NotificationType]bool{}
	for _, t := range grouped {
		groupable[t] = true
	}
	viewer := AuthOf(r).Account
	keys := map[string]bool{}
	if ok {
		since, err := a.notificationsMarker(r.Context(), viewer.ID)
		if err != nil {
			return err
		}
		pg := storage.Page{SinceID: since, Limit: storage.MaxLimit}
		for read := int64(0); read < limit && int64(len(keys)) < limit; {
			ns, err := a.svc.Notifications(r.Context(), viewer, f, pg)
			if err != nil {
				return err
			}
			for _, n := range ns {
				k := "ungrouped-" + n.ID.String()
				if groupable[n.Type] {
					k = NotificationGroupKey(n)
				}
				keys[k] = true
			}
			if len(ns) < pg.Limit {
				break
			}
			read += int64(len(ns))
			pg.MaxID = ns[len(ns)-1].ID
		}
	}
	WriteJSON(w, http.StatusOK, map[string]int64{"count": min(int64(len(keys)), limit)})
	return nil
}
