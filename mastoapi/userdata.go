package mastoapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// This file serves what accounts keep for themselves: scheduled statuses,
// direct conversations, markers, endorsements, featured and followed tags.

// registerUserDataRoutes declares the endpoints of this file.
func (a *API) registerUserDataRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
		put  = http.MethodPut
		del  = http.MethodDelete
	)
	optional := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthOptional, Scopes: scopes} }
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }
	const account = "/api/v1/accounts/{id:[0-9]+}"

	a.Handle(get, "/api/v1/scheduled_statuses", user("read:statuses"), a.scheduledStatuses)
	a.Handle(get, "/api/v1/scheduled_statuses/{id:[0-9]+}", user("read:statuses"), a.showScheduledStatus)
	a.Handle(put, "/api/v1/scheduled_statuses/{id:[0-9]+}", user("write:statuses"), a.rescheduleStatus)
	a.Handle(del, "/api/v1/scheduled_statuses/{id:[0-9]+}", user("write:statuses"), a.cancelScheduledStatus)

	a.Handle(get, "/api/v1/conversations", user("read:statuses"), a.conversations)
	a.Handle(del, "/api/v1/conversations/{id:[0-9]+}", user("write:conversations"), a.deleteConversation)
	a.Handle(post, "/api/v1/conversations/{id:[0-9]+}/read", user("write:conversations"), a.markConversation(false))
	a.Handle(post, "/api/v1/conversations/{id:[0-9]+}/unread", user("write:conversations"), a.markConversation(true))
	a.Handle(get, "/api/v1/timelines/direct", user("read:statuses"), a.directTimeline)

	a.Handle(get, "/api/v1/markers", user("read:statuses"), a.getMarkers)
	a.Handle(post, "/api/v1/markers", user("write:statuses"), a.saveMarkers)

	a.Handle(post, account+"/endorse", user("write:accounts"), a.relationshipAction(a.endorse))
	a.Handle(post, account+"/unendorse", user("write:accounts"), a.relationshipAction(a.unendorse))
	// pin and unpin are the older names of endorse and unendorse.
	a.Handle(post, account+"/pin", user("write:accounts"), a.relationshipAction(a.endorse))
	a.Handle(post, account+"/unpin", user("write:accounts"), a.relationshipAction(a.unendorse))
	a.Handle(get, "/api/v1/endorsements", user("read:accounts"), a.accountListing(a.ownEndorsements))
	a.Handle(get, account+"/endorsements", optional("read:accounts"), a.accountListing(a.accountEndorsements))

	a.Handle(get, "/api/v1/featured_tags", user("read:accounts"), a.ownFeaturedTags)
	a.Handle(post, "/api/v1/featured_tags", user("write:accounts"), a.createFeaturedTag)
	a.Handle(get, "/api/v1/featured_tags/suggestions", user("read:accounts"), a.featuredTagSuggestions)
	a.Handle(del, "/api/v1/featured_tags/{id:[0-9]+}", user("write:accounts"), a.deleteFeaturedTag)
	a.Handle(get, account+"/featured_tags", optional("read:accounts"), a.accountFeaturedTags)

	a.Handle(post, "/api/v1/tags/{name}/follow", user("write:follows"), a.tagAction(a.svc.FollowTag))
	a.Handle(post, "/api/v1/tags/{name}/unfollow", user("write:follows"), a.tagAction(a.svc.UnfollowTag))
	a.Handle(post, "/api/v1/tags/{name}/feature", user("write:accounts"), a.tagAction(func(ctx context.Context, actor *storage.Account, name string) (string, error) {
		f, err := a.svc.FeatureTag(ctx, actor, name, false)
		if err != nil {
			return "", err
		}
		return f.Name, nil
	}))
	a.Handle(post, "/api/v1/tags/{name}/unfeature", user("write:accounts"), a.tagAction(a.svc.UnfeatureTagName))
	a.Handle(get, "/api/v1/followed_tags", user("read:follows"), a.followedTags)
}

// scheduleError maps the scheduling rules broken to Mastodon's 422s.
func scheduleError(err error) error {
	var se *social.ScheduleError
	if errors.As(err, &se) {
		return NewError(http.StatusUnprocessableEntity, se.Message)
	}
	return err
}

// parseScheduledAt reads an ISO 8601 datetime.
func parseScheduledAt(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, validationError("Scheduled at is not a valid date")
}

// ---- scheduled statuses ----

// ScheduledStatusParams are the params of a Mastodon ScheduledStatus.
type ScheduledStatusParams struct {
	Text          string         `json:"text"`
	Poll          *ScheduledPoll `json:"poll"`
	MediaIDs      []string       `json:"media_ids"`
	Sensitive     *bool          `json:"sensitive"`
	SpoilerText   *string        `json:"spoiler_text"`
	Visibility    string         `json:"visibility"`
	InReplyToID   *int64         `json:"in_reply_to_id"`
	Language      *string        `json:"language"`
	ApplicationID int64          `json:"application_id"`
	ScheduledAt   *string        `json:"scheduled_at"`
	Idempotency   *string        `json:"idempotency"`
	WithRateLimit bool           `json:"with_rate_limit"`
}

// ScheduledPoll is the poll in a ScheduledStatus's params.
type ScheduledPoll struct {
	Options    []string `json:"options"`
	ExpiresIn  int64    `json:"expires_in"`
	Multiple   bool     `json:"multiple"`
	HideTotals bool     `json:"hide_totals"`
}

// ScheduledStatus is the Mastodon ScheduledStatus entity.
type ScheduledStatus struct {
	ID               string                `json:"id"`
	ScheduledAt      Time                  `json:"scheduled_at"`
	Params           ScheduledStatusParams `json:"params"`
	MediaAttachments []json.RawMessage     `json:"media_attachments"`
}

// ScheduledStatusToAPI converts a scheduled status with its rendered media.
func ScheduledStatusToAPI(s *storage.ScheduledStatus, media []json.RawMessage) *ScheduledStatus {
	p := s.Params
	out := &ScheduledStatus{ID: s.ID.String(), ScheduledAt: Time(s.ScheduledAt), MediaAttachments: media,
		Params: ScheduledStatusParams{Text: p.Text, Sensitive: p.Sensitive, SpoilerText: strPtr(p.SpoilerText),
			Visibility: string(p.Visibility), Language: strPtr(p.Language), ApplicationID: int64(p.ApplicationID),
			Idempotency: strPtr(p.Idempotency)}}
	if out.MediaAttachments == nil {
		out.MediaAttachments = []json.RawMessage{}
	}
	if p.Poll != nil {
		out.Params.Poll = &ScheduledPoll{Options: p.Poll.Options, ExpiresIn: p.Poll.ExpiresIn, Multiple: p.Poll.Multiple, HideTotals: p.Poll.HideTotals}
	}
	if p.InReplyToID != 0 {
		id := int64(p.InReplyToID)
		out.Params.InReplyToID = &id
	}
	if len(s.MediaIDs) > 0 {
		out.Params.MediaIDs = make([]string, 0, len(s.MediaIDs))
		for _, id := range s.MediaIDs {
			out.Params.MediaIDs = append(out.Params.MediaIDs, id.String())
		}
	}
	return out
}

func (a *API) renderScheduled(ctx context.Context, sts []*storage.ScheduledStatus) ([]*ScheduledStatus, error) {
	var ids []storage.ID
	for _, s := range sts {
		ids = append(ids, s.MediaIDs...)
	}
	media := map[storage.ID]json.RawMessage{}
	if len(ids) > 0 {
		ms, err := a.store.MediaAttachments().GetMany(ctx, unique(ids))
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			b, err := json.Marshal(MediaToAPI(m, a.mediaURL))
			if err != nil {
				return nil, err
			}
			media[m.ID] = b
		}
	}
	out := make([]*ScheduledStatus, 0, len(sts))
	for _, s := range sts {
		var ms []json.RawMessage
		for _, id := range s.MediaIDs {
			if m := media[id]; m != nil {
				ms = append(ms, m)
			}
		}
		out = append(out, ScheduledStatusToAPI(s, ms))
	}
	return out, nil
}

func (a *API) writeScheduled(w http.ResponseWriter, r *http.Request, s *storage.ScheduledStatus) error {
	out, err := a.renderScheduled(r.Context(), []*storage.ScheduledStatus{s})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out[0])
	return nil
}

// scheduleStatus answers POST /api/v1/statuses with scheduled_at: the
// status is checked and stored, and a ScheduledStatus answered.
func (a *API) scheduleStatus(w http.ResponseWriter, r *http.Request, in social.PostInput, at string) error {
	t, err := parseScheduledAt(at)
	if err != nil {
		return err
	}
	sc, err := a.svc.ScheduleStatus(r.Context(), AuthOf(r).Account, in, t, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return scheduleError(err)
	}
	return a.writeScheduled(w, r, sc)
}

func (a *API) scheduledStatuses(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(20, 40)
	if err != nil {
		return err
	}
	sts, err := a.svc.ScheduledStatuses(r.Context(), AuthOf(r).Account, pg)
	if err != nil {
		return err
	}
	out, err := a.renderScheduled(r.Context(), sts)
	if err != nil {
		return err
	}
	return writeRendered(a, w, r, sts, pg.Limit, func(s *storage.ScheduledStatus) storage.ID { return s.ID }, out)
}

func (a *API) showScheduledStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := a.svc.ScheduledStatus(r.Context(), AuthOf(r).Account, id)
	if err != nil {
		return err
	}
	return a.writeScheduled(w, r, sc)
}

func (a *API) rescheduleStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s := strings.TrimSpace(ParamsOf(r).String("scheduled_at"))
	if s == "" {
		sc, err := a.svc.ScheduledStatus(r.Context(), AuthOf(r).Account, id)
		if err != nil {
			return err
		}
		return a.writeScheduled(w, r, sc)
	}
	t, err := parseScheduledAt(s)
	if err != nil {
		return err
	}
	sc, err := a.svc.RescheduleStatus(r.Context(), AuthOf(r).Account, id, t)
	if err != nil {
		return scheduleError(err)
	}
	return a.writeScheduled(w, r, sc)
}

func (a *API) cancelScheduledStatus(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.CancelScheduledStatus)
}

// ---- conversations ----

// Conversation is the Mastodon Conversation entity.
type Conversation struct {
	ID         string     `json:"id"`
	Unread     bool       `json:"unread"`
	Accounts   []*Account `json:"accounts"`
	LastStatus *Status    `json:"last_status"`
}

// renderConversations renders conversations for their owner: the other
// participants (the owner alone when there is no other), and the last
// status when the owner may still see it.
func (a *API) renderConversations(ctx context.Context, viewer *storage.Account, cs []*storage.Conversation) ([]*Conversation, error) {
	accounts := map[storage.ID]*Account{}
	var accountIDs, statusIDs []storage.ID
	for _, c := range cs {
		accountIDs = append(accountIDs, c.ParticipantIDs...)
		statusIDs = append(statusIDs, c.LastStatusID)
	}
	if err := a.loadAccounts(ctx, unique(accountIDs), accounts); err != nil {
		return nil, err
	}
	sts, err := a.svc.GetStatuses(ctx, viewer, unique(statusIDs))
	if err != nil {
		return nil, err
	}
	rendered, err := a.renderStatuses(ctx, viewer, sts)
	if err != nil {
		return nil, err
	}
	statuses := map[string]*Status{}
	for _, s := range rendered {
		statuses[s.ID] = s
	}
	out := make([]*Conversation, 0, len(cs))
	for _, c := range cs {
		conv := &Conversation{ID: c.ID.String(), Unread: c.Unread, Accounts: []*Account{}, LastStatus: statuses[c.LastStatusID.String()]}
		for _, id := range c.ParticipantIDs {
			if acct := accounts[id]; acct != nil && !acct.Suspended {
				conv.Accounts = append(conv.Accounts, acct)
			}
		}
		if len(conv.Accounts) == 0 {
			conv.Accounts = append(conv.Accounts, AccountToAPI(viewer, a.urls))
		}
		out = append(out, conv)
	}
	return out, nil
}

func (a *API) conversations(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(20, 40)
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	cs, err := a.svc.Conversations(r.Context(), viewer, pg)
	if err != nil {
		return err
	}
	out, err := a.renderConversations(r.Context(), viewer, cs)
	if err != nil {
		return err
	}
	return writeRendered(a, w, r, cs, pg.Limit, func(c *storage.Conversation) storage.ID { return c.LastStatusID }, out)
}

func (a *API) writeConversation(w http.ResponseWriter, r *http.Request, c *storage.Conversation) error {
	out, err := a.renderConversations(r.Context(), AuthOf(r).Account, []*storage.Conversation{c})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out[0])
	return nil
}

func (a *API) markConversation(unread bool) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		c, err := a.svc.MarkConversation(r.Context(), AuthOf(r).Account, id, unread)
		if err != nil {
			return err
		}
		return a.writeConversation(w, r, c)
	}
}

func (a *API) deleteConversation(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.DeleteConversation)
}

func (a *API) directTimeline(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(20, 40)
	if err != nil {
		return err
	}
	sts, err := a.svc.DirectTimeline(r.Context(), AuthOf(r).Account, pg)
	if err != nil {
		return err
	}
	return a.writeStatuses(w, r, sts, pg.Limit)
}

// RenderConversationJSON renders the viewer's conversation whose latest
// status is statusID as a Mastodon Conversation entity (for the streaming
// API's conversation events), or returns storage.ErrNotFound when the
// viewer may not see the status or has no such conversation.
func (a *API) RenderConversationJSON(ctx context.Context, viewer *storage.Account, statusID storage.ID) ([]byte, error) {
	st, err := a.svc.GetStatus(ctx, viewer, statusID)
	if err == nil {
		var c *storage.Conversation
		if c, err = a.svc.ConversationOfStatus(ctx, viewer, st); err == nil {
			var out []*Conversation
			if out, err = a.renderConversations(ctx, viewer, []*storage.Conversation{c}); err == nil {
				return json.Marshal(out[0])
			}
		}
	}
	if errors.Is(err, social.ErrNotFound) || errors.Is(err, storage.ErrNotFound) || errors.Is(err, social.ErrForbidden) {
		return nil, storage.ErrNotFound
	}
	return nil, err
}

// ---- endorsements ----

func (a *API) endorse(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.Endorse(r.Context(), actor, id)
}

func (a *API) unendorse(r *http.Request, actor *storage.Account, id storage.ID) (*social.Relationship, error) {
	return a.svc.Unendorse(r.Context(), actor, id)
}

func (a *API) ownEndorsements(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	viewer := AuthOf(r).Account
	return a.svc.Endorsements(r.Context(), viewer, viewer.ID, p)
}

func (a *API) accountEndorsements(r *http.Request, p storage.Page) ([]social.AccountEntry, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return a.svc.Endorsements(r.Context(), viewerOf(r), id, p)
}

// ---- hashtags ----

// FeaturedTag is the Mastodon FeaturedTag entity.
type FeaturedTag struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	URL           string  `json:"url"`
	StatusesCount string  `json:"statuses_count"`
	LastStatusAt  *string `json:"last_status_at"`
}

// FeaturedTagToAPI converts a featured tag of owner.
func FeaturedTagToAPI(f *storage.FeaturedTag, owner *storage.Account, urls *social.URLs) *FeaturedTag {
	out := &FeaturedTag{ID: f.ID.String(), Name: f.Name, StatusesCount: strconv.FormatInt(f.StatusesCount, 10)}
	profile := owner.URL
	if owner.Local() || profile == "" {
		profile = urls.Profile(owner.Username)
	}
	out.URL = strings.TrimSuffix(profile, "/") + "/tagged/" + f.Name
	if f.LastStatusAt != nil {
		d := f.LastStatusAt.UTC().Format(time.DateOnly)
		out.LastStatusAt = &d
	}
	return out
}

func (a *API) writeFeaturedTags(w http.ResponseWriter, owner *storage.Account, fs []*storage.FeaturedTag) {
	out := make([]*FeaturedTag, 0, len(fs))
	for _, f := range fs {
		out = append(out, FeaturedTagToAPI(f, owner, a.urls))
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) ownFeaturedTags(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	fs, err := a.svc.FeaturedTags(r.Context(), viewer, viewer.ID)
	if err != nil {
		return err
	}
	a.writeFeaturedTags(w, viewer, fs)
	return nil
}

func (a *API) accountFeaturedTags(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fs, err := a.svc.FeaturedTags(r.Context(), viewerOf(r), id)
	if err != nil {
		return err
	}
	owner, err := a.store.Accounts().Get(r.Context(), id)
	if err != nil {
		return err
	}
	a.writeFeaturedTags(w, owner, fs)
	return nil
}

func (a *API) createFeaturedTag(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	f, err := a.svc.FeatureTag(r.Context(), viewer, ParamsOf(r).String("name"), true)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FeaturedTagToAPI(f, viewer, a.urls))
	return nil
}

func (a *API) deleteFeaturedTag(w http.ResponseWriter, r *http.Request) error {
	return deleteOwned(w, r, a.svc.UnfeatureTag)
}

func (a *API) featuredTagSuggestions(w http.ResponseWriter, r *http.Request) error {
	viewer := AuthOf(r).Account
	names, err := a.svc.FeaturedTagSuggestions(r.Context(), viewer)
	if err != nil {
		return err
	}
	out, err := a.tagsToAPI(r.Context(), viewer, names)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// tagsToAPI renders hashtags with the viewer's following and featuring.
func (a *API) tagsToAPI(ctx context.Context, viewer *storage.Account, names []string) ([]*Tag, error) {
	states, err := a.svc.TagStates(ctx, viewer, names)
	if err != nil {
		return nil, err
	}
	out := make([]*Tag, 0, len(names))
	for _, n := range names {
		t := TagToAPI(n, a.urls, viewer != nil)
		if st, ok := states[t.Name]; ok && viewer != nil {
			t.Following, t.Featuring = boolPtr(st.Following), boolPtr(st.Featuring)
		}
		out = append(out, t)
	}
	return out, nil
}

// writeTag answers one hashtag as the viewer sees it.
func (a *API) writeTag(w http.ResponseWriter, r *http.Request, name string) error {
	out, err := a.tagsToAPI(r.Context(), viewerOf(r), []string{name})
	if err != nil {
		return err
	}
	h, err := a.tagHistory(r.Context(), name)
	if err != nil {
		return err
	}
	if h != nil {
		out[0].History = tagUsesToAPI(h)
	}
	WriteJSON(w, http.StatusOK, out[0])
	return nil
}

// tagAction adapts an action on a hashtag named in the path to a handler
// answering the Tag.
func (a *API) tagAction(act func(ctx context.Context, actor *storage.Account, name string) (string, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name, err := act(r.Context(), AuthOf(r).Account, pathVar(r, "name"))
		if err != nil {
			if errors.Is(err, social.ErrInvalid) {
				return ErrRecordNotFound
			}
			return err
		}
		return a.writeTag(w, r, name)
	}
}

func (a *API) followedTags(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, 200)
	if err != nil {
		return err
	}
	viewer := AuthOf(r).Account
	fts, err := a.svc.FollowedTags(r.Context(), viewer, pg)
	if err != nil {
		return err
	}
	out := mapEach(fts, func(f *storage.FollowedTag) *Tag {
		t := TagToAPI(f.Name, a.urls, true)
		t.Following = boolPtr(true)
		return t
	})
	if len(out) > 0 {
		states, err := a.svc.TagStates(r.Context(), viewer, func() []string {
			names := make([]string, len(fts))
			for i, f := range fts {
				names[i] = f.Name
			}
			return names
		}())
		if err != nil {
			return err
		}
		for _, t := range out {
			t.Featuring = boolPtr(states[t.Name].Featuring)
		}
	}
	return writeRendered(a, w, r, fts, pg.Limit, func(f *storage.FollowedTag) storage.ID { return f.ID }, out)
}
