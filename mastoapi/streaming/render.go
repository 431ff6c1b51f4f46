package streaming

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// ErrNotFound is returned (wrapped) by a Renderer when the viewer must not
// receive an event; storage.ErrNotFound and social.ErrNotFound are taken
// the same way.
var ErrNotFound = errors.New("streaming: not for this viewer")

// Renderer turns the references carried by hub messages into Mastodon API
// JSON for one viewer (nil for an anonymous viewer of a public stream).
//
// The Renderer alone decides whether a viewer receives an event: it must
// apply visibility (private and direct statuses), blocks in either
// direction, domain blocks, muted accounts (including the author of a
// boosted status), keyword filters (dropping statuses a "hide" filter
// matches, or setting "filtered") and it must fill in the viewer-specific
// fields (favourited, reblogged, bookmarked, muted, pinned). It returns
// ErrNotFound (wrapped), or nil bytes, when the viewer must not see the
// event. It must be safe for concurrent use and should be fast: it runs
// once per event and viewer.
type Renderer interface {
	// RenderStatus renders status id as a Mastodon Status entity.
	RenderStatus(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error)
	// RenderNotification renders the viewer's notification id as a
	// Mastodon Notification entity.
	RenderNotification(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error)
}

// ConversationRenderer is implemented by Renderers that render direct
// conversations; the Handler uses it for "conversation" events. Without
// it, the Handler wraps the rendered status in a minimal Conversation
// ({"id", "unread": true, "accounts": [author], "last_status"}).
type ConversationRenderer interface {
	// RenderConversation renders the viewer's conversation whose latest
	// status is statusID as a Mastodon Conversation entity.
	RenderConversation(ctx context.Context, viewer *storage.Account, statusID storage.ID) ([]byte, error)
}

func isNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, storage.ErrNotFound) || errors.Is(err, social.ErrNotFound)
}

// StoreRenderer is a small Renderer over social.Service: visibility and
// blocks through Service.GetStatus, muted authors through the store, and
// minimal Mastodon JSON (ids, account, content, visibility, mentions,
// tags, counts). It serves tests, examples and the load harness;
// mastoapi's Renderer renders full entities and applies filters.
type StoreRenderer struct {
	svc *social.Service
}

var (
	_ Renderer             = (*StoreRenderer)(nil)
	_ ConversationRenderer = (*StoreRenderer)(nil)
)

// NewStoreRenderer returns a StoreRenderer over svc.
func NewStoreRenderer(svc *social.Service) *StoreRenderer { return &StoreRenderer{svc: svc} }

type miniAccount struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Acct           string `json:"acct"`
	DisplayName    string `json:"display_name"`
	Locked         bool   `json:"locked"`
	Bot            bool   `json:"bot"`
	CreatedAt      string `json:"created_at"`
	Note           string `json:"note"`
	URL            string `json:"url"`
	Avatar         string `json:"avatar"`
	AvatarStatic   string `json:"avatar_static"`
	Header         string `json:"header"`
	HeaderStatic   string `json:"header_static"`
	FollowersCount int64  `json:"followers_count"`
	FollowingCount int64  `json:"following_count"`
	StatusesCount  int64  `json:"statuses_count"`
	Emojis         []any  `json:"emojis"`
	Fields         []any  `json:"fields"`
}

type miniMention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

type miniTag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type miniStatus struct {
	ID                 string        `json:"id"`
	CreatedAt          string        `json:"created_at"`
	InReplyToID        *string       `json:"in_reply_to_id"`
	InReplyToAccountID *string       `json:"in_reply_to_account_id"`
	Sensitive          bool          `json:"sensitive"`
	SpoilerText        string        `json:"spoiler_text"`
	Visibility         string        `json:"visibility"`
	Language           *string       `json:"language"`
	URI                string        `json:"uri"`
	URL                *string       `json:"url"`
	RepliesCount       int64         `json:"replies_count"`
	ReblogsCount       int64         `json:"reblogs_count"`
	FavouritesCount    int64         `json:"favourites_count"`
	EditedAt           *string       `json:"edited_at"`
	Content            string        `json:"content"`
	Reblog             *miniStatus   `json:"reblog"`
	Account            *miniAccount  `json:"account"`
	MediaAttachments   []any         `json:"media_attachments"`
	Mentions           []miniMention `json:"mentions"`
	Tags               []miniTag     `json:"tags"`
	Emojis             []any         `json:"emojis"`
	Card               any           `json:"card"`
	Poll               any           `json:"poll"`
	Favourited         bool          `json:"favourited"`
	Reblogged          bool          `json:"reblogged"`
	Muted              bool          `json:"muted"`
	Bookmarked         bool          `json:"bookmarked"`
	Filtered           []any         `json:"filtered"`
}

func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optID(id storage.ID) *string {
	if id == 0 {
		return nil
	}
	s := id.String()
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r *StoreRenderer) account(ctx context.Context, id storage.ID) (*miniAccount, error) {
	a, err := r.svc.Store().Accounts().Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", id, err)
	}
	acct := a.Username
	if a.Domain != "" {
		acct += "@" + a.Domain
	}
	avatar, header := a.AvatarURL, a.HeaderURL
	if avatar == "" {
		avatar = r.svc.URLs().DefaultAvatar()
	}
	if header == "" {
		header = r.svc.URLs().DefaultHeader()
	}
	return &miniAccount{ID: a.ID.String(), Username: a.Username, Acct: acct, DisplayName: a.DisplayName,
		Locked: a.Locked, Bot: a.Bot, CreatedAt: apiTime(a.CreatedAt), Note: a.Note, URL: a.URL,
		Avatar: avatar, AvatarStatic: avatar, Header: header, HeaderStatic: header,
		FollowersCount: a.FollowersCount, FollowingCount: a.FollowingCount, StatusesCount: a.StatusesCount,
		Emojis: []any{}, Fields: []any{}}, nil
}

// status renders st (already checked visible) and, for a boost, the
// boosted status.
func (r *StoreRenderer) status(ctx context.Context, viewer *storage.Account, st *storage.Status) (*miniStatus, error) {
	acct, err := r.account(ctx, st.AccountID)
	if err != nil {
		return nil, err
	}
	out := &miniStatus{ID: st.ID.String(), CreatedAt: apiTime(st.CreatedAt), InReplyToID: optID(st.InReplyToID),
		InReplyToAccountID: optID(st.InReplyToAccountID), Sensitive: st.Sensitive, SpoilerText: st.SpoilerText,
		Visibility: string(st.Visibility), Language: optString(st.Language), URI: st.URI, URL: optString(st.URL),
		RepliesCount: st.RepliesCount, ReblogsCount: st.ReblogsCount, FavouritesCount: st.FavouritesCount,
		Content: st.Content, Account: acct, MediaAttachments: []any{}, Mentions: []miniMention{}, Tags: []miniTag{},
		Emojis: []any{}, Filtered: []any{}}
	if st.EditedAt != nil {
		e := apiTime(*st.EditedAt)
		out.EditedAt = &e
	}
	for _, m := range st.Mentions {
		out.Mentions = append(out.Mentions, miniMention{ID: m.AccountID.String(), Username: m.Username, URL: m.URL, Acct: m.Acct})
	}
	for _, t := range st.Tags {
		out.Tags = append(out.Tags, miniTag{Name: t, URL: r.svc.URLs().Tag(t)})
	}
	if st.ReblogOfID != 0 {
		orig, err := r.svc.GetStatus(ctx, viewer, st.ReblogOfID)
		if err != nil {
			return nil, err
		}
		if out.Reblog, err = r.status(ctx, viewer, orig); err != nil {
			return nil, err
		}
		out.Content = ""
	}
	return out, nil
}

// visible loads status id if viewer may see it on a stream: visible
// (social's rules), and neither its author nor a boosted author muted.
func (r *StoreRenderer) visible(ctx context.Context, viewer *storage.Account, id storage.ID) (*storage.Status, error) {
	st, err := r.svc.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if viewer == nil {
		return st, nil
	}
	authors := []storage.ID{st.AccountID}
	if st.ReblogOfID != 0 {
		orig, err := r.svc.Store().Statuses().Get(ctx, st.ReblogOfID)
		if err != nil {
			return nil, err
		}
		authors = append(authors, orig.AccountID)
	}
	mutes, err := r.svc.Store().Mutes().States(ctx, viewer.ID, authors)
	if err != nil {
		return nil, fmt.Errorf("mutes: %w", err)
	}
	for _, a := range authors {
		if a != viewer.ID && mutes[a] != nil {
			return nil, ErrNotFound
		}
	}
	return st, nil
}

// RenderStatus implements Renderer.
func (r *StoreRenderer) RenderStatus(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	st, err := r.visible(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	out, err := r.status(ctx, viewer, st)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// RenderNotification implements Renderer.
func (r *StoreRenderer) RenderNotification(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	if viewer == nil {
		return nil, ErrNotFound
	}
	n, err := r.svc.Store().Notifications().Get(ctx, viewer.ID, id)
	if err != nil {
		return nil, err
	}
	from, err := r.account(ctx, n.FromAccountID)
	if err != nil {
		return nil, err
	}
	out := struct {
		ID        string       `json:"id"`
		Type      string       `json:"type"`
		CreatedAt string       `json:"created_at"`
		GroupKey  string       `json:"group_key"`
		Account   *miniAccount `json:"account"`
		Status    *miniStatus  `json:"status"`
	}{ID: n.ID.String(), Type: string(n.Type), CreatedAt: apiTime(n.CreatedAt), GroupKey: n.GroupKey, Account: from}
	if out.GroupKey == "" {
		out.GroupKey = "ungrouped-" + n.ID.String()
	}
	if n.StatusID != 0 {
		st, err := r.svc.GetStatus(ctx, viewer, n.StatusID)
		if err != nil {
			return nil, err
		}
		if out.Status, err = r.status(ctx, viewer, st); err != nil {
			return nil, err
		}
	}
	return json.Marshal(out)
}

// RenderConversation implements ConversationRenderer: the conversation
// is identified by the thread's root, its accounts are the participants
// other than the viewer.
func (r *StoreRenderer) RenderConversation(ctx context.Context, viewer *storage.Account, statusID storage.ID) ([]byte, error) {
	if viewer == nil {
		return nil, ErrNotFound
	}
	st, err := r.visible(ctx, viewer, statusID)
	if err != nil {
		return nil, err
	}
	last, err := r.status(ctx, viewer, st)
	if err != nil {
		return nil, err
	}
	accounts := []*miniAccount{}
	seen := map[storage.ID]bool{viewer.ID: true}
	ids := []storage.ID{st.AccountID}
	for _, m := range st.Mentions {
		ids = append(ids, m.AccountID)
	}
	for _, id := range ids {
		if id == 0 || seen[id] {
			continue
		}
		seen[id] = true
		a, err := r.account(ctx, id)
		if err != nil {
			continue
		}
		accounts = append(accounts, a)
	}
	conv := st.ConversationID
	if conv == 0 {
		conv = st.ID
	}
	return json.Marshal(struct {
		ID         string         `json:"id"`
		Unread     bool           `json:"unread"`
		Accounts   []*miniAccount `json:"accounts"`
		LastStatus *miniStatus    `json:"last_status"`
	}{conv.String(), st.AccountID != viewer.ID, accounts, last})
}

// wrapConversation builds a minimal Conversation from a rendered status,
// for Renderers without RenderConversation.
func wrapConversation(statusJSON []byte) ([]byte, error) {
	var st struct {
		ID      string          `json:"id"`
		Account json.RawMessage `json:"account"`
	}
	if err := json.Unmarshal(statusJSON, &st); err != nil {
		return nil, fmt.Errorf("conversation: %w", err)
	}
	accounts := []json.RawMessage{}
	if len(st.Account) > 0 && string(st.Account) != "null" {
		accounts = append(accounts, st.Account)
	}
	return json.Marshal(struct {
		ID         string            `json:"id"`
		Unread     bool              `json:"unread"`
		Accounts   []json.RawMessage `json:"accounts"`
		LastStatus json.RawMessage   `json:"last_status"`
	}{st.ID, true, accounts, statusJSON})
}
