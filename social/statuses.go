package social

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// PostInput is a new status.
//
// Statuses to publish later go through ScheduleStatus. Idempotency keys are
// the HTTP layer's concern.
type PostInput struct {
	Text        string
	SpoilerText string
	// Sensitive marks media as sensitive; nil means the user's default. A
	// spoiler text makes the status sensitive.
	Sensitive *bool
	// Visibility; "" means the user's default.
	Visibility storage.Visibility
	// Language is an ISO 639 code; "" means the user's default.
	Language    string
	InReplyToID storage.ID
	// MediaIDs are attached to the status in its transaction: each must
	// be an unattached status attachment of the author (else a
	// ValidationError on media_ids, and nothing is stored). Whether they
	// finished processing is the caller's check.
	MediaIDs      []storage.ID
	ApplicationID storage.ID
	// ID, when set, is the new status's ID (the scheduler presets it so
	// that publishing twice fails with storage.ErrConflict); zero means a
	// fresh one.
	ID storage.ID
	// Poll, when set, attaches a poll (then no media may be attached).
	Poll *PollInput
}

// EditInput is the new content of an edited status. Visibility and the
// reply target cannot change.
type EditInput struct {
	Text        string
	SpoilerText string
	Sensitive   bool
	// Language; "" keeps the current one.
	Language string
	MediaIDs []storage.ID
	// Poll is the poll of the new version; nil removes the poll, as on
	// Mastodon (clients send the poll again with every edit). Changing its
	// options or kind removes its votes; its end moves to ExpiresIn from
	// now.
	Poll *PollInput
	// MediaAttributes set the description and focal point of attachments
	// among MediaIDs (Mastodon's media_attributes[]), in the edit's
	// transaction: a new description is an edit of the status, so that it
	// is sent to other servers.
	MediaAttributes []MediaAttribute
}

// MediaAttribute is a change of one attachment in an edit: nil fields keep
// their values. Descriptions and focal points are checked by the caller
// (the media service's limits).
type MediaAttribute struct {
	ID          storage.ID
	Description *string
	Focus       *storage.MediaFocus
}

// StatusSource is the plain text of a status, for editing.
type StatusSource struct {
	ID          storage.ID
	Text        string
	SpoilerText string
}

var languageRE = regexp.MustCompile(`^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$`)

// rendered is a text turned into a status body.
type rendered struct {
	html     string
	mentions []*storage.Account
	tags     []string
	emojis   []storage.Emoji
}

// render resolves the mentions and emojis of text and renders it as HTML.
func (s *Service) render(ctx context.Context, st storage.Store, text string, opt formatOptions) (*rendered, error) {
	ents := extractEntities(text)
	resolved := map[string]*storage.Account{}
	out := &rendered{tags: ents.tags}
	seen := map[storage.ID]bool{}
	for _, m := range ents.mentions {
		a, err := s.resolveMention(ctx, st, m.user, m.domain)
		if err != nil {
			return nil, err
		}
		if a == nil {
			continue
		}
		resolved[mentionKey(m.user, m.domain)] = a
		if !seen[a.ID] {
			seen[a.ID] = true
			out.mentions = append(out.mentions, a)
		}
	}
	// Emojis are resolved by the callers, over every text of the entity
	// (renderStatus, the profile update).
	out.html = formatHTML(text, s.urls, resolved, opt)
	return out, nil
}

// resolveMention finds the account a mention names, or nil.
func (s *Service) resolveMention(ctx context.Context, st storage.Store, user, domain string) (*storage.Account, error) {
	if strings.EqualFold(domain, s.urls.Host()) {
		domain = ""
	}
	a, err := st.Accounts().GetByUsername(ctx, user, strings.ToLower(domain))
	if err == nil {
		if a.SuspendedAt != nil {
			return nil, nil
		}
		return a, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("resolve mention @%s@%s: %w", user, domain, err)
	}
	if domain == "" || s.opts.Mentions == nil {
		return nil, nil
	}
	a, err = s.opts.Mentions.ResolveMention(ctx, user, domain)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("resolve mention @%s@%s: %w", user, domain, err)
	}
	return a, nil
}

func toMentions(accts []*storage.Account) storage.Mentions {
	out := make(storage.Mentions, 0, len(accts))
	for _, a := range accts {
		out = append(out, storage.Mention{AccountID: a.ID, Username: a.Username, Acct: a.Acct(), URL: a.URL, URI: a.URI})
	}
	return out
}

// validateBody checks the length, media and language of a status body.
func (s *Service) validateBody(text, spoiler string, media []storage.ID, language string) error {
	if strings.TrimSpace(text) == "" && len(media) == 0 {
		return invalid("text", "can't be blank")
	}
	if n := CountChars(text) + graphemes(spoiler); n > s.opts.MaxStatusChars {
		return invalid("text", "character limit of %d exceeded", s.opts.MaxStatusChars)
	}
	if len(media) > s.opts.MaxMediaAttachments {
		return invalid("media_ids", "too many attachments (at most %d)", s.opts.MaxMediaAttachments)
	}
	if language != "" && !languageRE.MatchString(language) {
		return invalid("language", "is not a valid language code")
	}
	return nil
}

// checkPost validates what PostStatus and ScheduleStatus take from in
// before reading the store, and returns the normalised text and spoiler.
func (s *Service) checkPost(author *storage.Account, in PostInput) (text, spoiler string, err error) {
	if err := requireLocal(author); err != nil {
		return "", "", err
	}
	text = normalizeText(in.Text)
	spoiler = strings.TrimSpace(in.SpoilerText)
	if err := s.validateBody(text, spoiler, in.MediaIDs, in.Language); err != nil {
		return "", "", err
	}
	if in.Visibility != "" && !in.Visibility.Valid() {
		return "", "", invalid("visibility", "must be public, unlisted, private or direct")
	}
	if err := s.validatePoll(in.Poll, in.MediaIDs); err != nil {
		return "", "", err
	}
	return text, spoiler, nil
}

// PostStatus publishes a status by a local author: it validates and renders
// the text, records mentions and hashtags, updates counters, fans the
// status out to home feeds and notifies mentioned accounts and followers
// asking for it.
func (s *Service) PostStatus(ctx context.Context, author *storage.Account, in PostInput) (*storage.Status, error) {
	text, spoiler, err := s.checkPost(author, in)
	if err != nil {
		return nil, err
	}
	var out *storage.Status
	err = s.tx(ctx, func(tx storage.Store, ev *events) error {
		u, err := tx.Users().GetByAccountID(ctx, author.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load user: %w", err)
		}
		if u == nil || errors.Is(err, storage.ErrNotFound) {
			u = &storage.User{}
		}
		vis := in.Visibility
		if vis == "" {
			vis = u.DefaultVisibility
		}
		if !vis.Valid() {
			vis = storage.VisibilityPublic
		}
		lang := in.Language
		if lang == "" {
			lang = u.DefaultLanguage
		}
		sensitive := u.DefaultSensitive
		if in.Sensitive != nil {
			sensitive = *in.Sensitive
		}
		sensitive = sensitive || spoiler != ""
		// A sensitized account's media are always sensitive.
		sensitive = sensitive || (author.Sensitized && len(in.MediaIDs) > 0)

		var parent *storage.Status
		if in.InReplyToID != 0 {
			p, err := s.visibleStatus(ctx, tx, author.ID, in.InReplyToID)
			if err != nil {
				return fmt.Errorf("in reply to: %w", err)
			}
			if p.ReblogOfID != 0 {
				if p, err = s.visibleStatus(ctx, tx, author.ID, p.ReblogOfID); err != nil {
					return fmt.Errorf("in reply to: %w", err)
				}
			}
			parent = p
		}
		r, err := s.renderStatus(ctx, tx, text, spoiler, in.Poll)
		if err != nil {
			return err
		}
		now := s.now()
		id := in.ID
		if id == 0 {
			id = tx.NewID()
		}
		st := &storage.Status{
			ID:            id,
			URI:           s.urls.Status(author.Username, id),
			URL:           s.urls.StatusPage(author.Username, id),
			AccountID:     author.ID,
			Local:         true,
			Content:       r.html,
			Text:          text,
			SpoilerText:   spoiler,
			Sensitive:     sensitive,
			Visibility:    vis,
			Language:      lang,
			ApplicationID: in.ApplicationID,
			Mentions:      toMentions(r.mentions),
			Tags:          r.tags,
			Emojis:        r.emojis,
			MediaIDs:      append(storage.IDs{}, in.MediaIDs...),
			CreatedAt:     now,
			UpdatedAt:     now,
		}
		if parent != nil {
			st.InReplyToID, st.InReplyToAccountID, st.InReplyToURI = parent.ID, parent.AccountID, parent.URI
			st.ConversationID = parent.ConversationID
		}
		var poll *storage.Poll
		if in.Poll != nil {
			poll = s.newPoll(tx.NewID(), st, in.Poll, now)
			st.PollID = poll.ID
		}
		if err := tx.Statuses().Create(ctx, st); err != nil {
			return fmt.Errorf("create status: %w", err)
		}
		if err := attachMedia(ctx, tx, st); err != nil {
			return err
		}
		if poll != nil {
			if err := tx.Polls().Create(ctx, poll); err != nil {
				return fmt.Errorf("create poll: %w", err)
			}
		}
		if err := s.countStatus(ctx, tx, st, 1); err != nil {
			return err
		}
		if _, err := s.distribute(ctx, tx, st, author, nil, ev); err != nil {
			return err
		}
		out = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("post status: %w", err)
	}
	return out, nil
}

// countStatus adjusts the counters a status affects by delta (±1), as
// Mastodon does: the author's statuses count (not for direct statuses),
// the parent's replies count (public and unlisted replies) and, for a
// boost, the boosted status's boosts count.
func (s *Service) countStatus(ctx context.Context, tx storage.Store, st *storage.Status, delta int64) error {
	if st.Visibility != storage.VisibilityDirect {
		var last *time.Time
		if delta > 0 {
			t := st.CreatedAt
			last = &t
		}
		if err := tx.Accounts().AdjustCounts(ctx, st.AccountID, delta, 0, 0, last); err != nil {
			return fmt.Errorf("count status: %w", err)
		}
	}
	if st.InReplyToID != 0 && (st.Visibility == storage.VisibilityPublic || st.Visibility == storage.VisibilityUnlisted) {
		if err := ignoreNotFound(tx.Statuses().AdjustCounts(ctx, st.InReplyToID, delta, 0, 0)); err != nil {
			return fmt.Errorf("count reply: %w", err)
		}
	}
	if st.ReblogOfID != 0 {
		if err := ignoreNotFound(tx.Statuses().AdjustCounts(ctx, st.ReblogOfID, 0, delta, 0)); err != nil {
			return fmt.Errorf("count boost: %w", err)
		}
	}
	return nil
}

// ownStatus loads a status the actor may see and checks the actor wrote it.
func (s *Service) ownStatus(ctx context.Context, tx storage.Store, actor *storage.Account, id storage.ID) (*storage.Status, error) {
	if actor == nil {
		return nil, fmt.Errorf("status %s: %w", id, ErrForbidden)
	}
	st, err := s.visibleStatus(ctx, tx, actor.ID, id)
	if err != nil {
		return nil, err
	}
	if st.AccountID != actor.ID {
		return nil, fmt.Errorf("status %s belongs to another account: %w", id, ErrForbidden)
	}
	return st, nil
}

// EditStatus changes the text, spoiler, sensitivity, language and media of
// the author's status. The first edit records the original version, every
// edit the new one, so History lists every version oldest first. Newly
// mentioned accounts are notified, and so are local accounts that boosted
// it (type update). An edit that changes nothing returns the status as is.
func (s *Service) EditStatus(ctx context.Context, author *storage.Account, id storage.ID, in EditInput) (*storage.Status, error) {
	if err := requireLocal(author); err != nil {
		return nil, err
	}
	text := normalizeText(in.Text)
	spoiler := strings.TrimSpace(in.SpoilerText)
	if err := s.validateBody(text, spoiler, in.MediaIDs, in.Language); err != nil {
		return nil, err
	}
	if err := s.validatePoll(in.Poll, in.MediaIDs); err != nil {
		return nil, err
	}
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		st, err := s.ownStatus(ctx, tx, author, id)
		if err != nil {
			return err
		}
		if st.ReblogOfID != 0 {
			return fmt.Errorf("a boost cannot be edited: %w", ErrForbidden)
		}
		lang := in.Language
		if lang == "" {
			lang = st.Language
		}
		sensitive := in.Sensitive || spoiler != ""
		media := storage.IDs(append([]storage.ID{}, in.MediaIDs...))
		poll, err := loadPoll(ctx, tx, st)
		if err != nil {
			return err
		}
		samePoll := (poll == nil && in.Poll == nil) || (sameChoices(poll, in.Poll) && poll.HideTotals == in.Poll.HideTotals)
		mediaChanged, err := applyMediaAttributes(ctx, tx, author, media, in.MediaAttributes)
		if err != nil {
			return err
		}
		if text == st.Text && spoiler == st.SpoilerText && sensitive == st.Sensitive && lang == st.Language && slices.Equal(media, st.MediaIDs) && samePoll && !mediaChanged {
			out = st
			return nil
		}
		edits, err := tx.Statuses().Edits(ctx, st.ID)
		if err != nil {
			return fmt.Errorf("load edits: %w", err)
		}
		if len(edits) == 0 {
			orig, err := snapshotOf(ctx, tx, st, st.CreatedAt)
			if err != nil {
				return err
			}
			if err := tx.Statuses().AddEdit(ctx, orig); err != nil {
				return fmt.Errorf("record original: %w", err)
			}
		}
		r, err := s.renderStatus(ctx, tx, text, spoiler, in.Poll)
		if err != nil {
			return err
		}
		before := map[storage.ID]bool{}
		for _, m := range st.Mentions {
			before[m.AccountID] = true
		}
		now := s.now()
		st.Text, st.Content, st.SpoilerText, st.Sensitive, st.Language = text, r.html, spoiler, sensitive, lang
		st.Mentions, st.Tags, st.Emojis, st.MediaIDs = toMentions(r.mentions), r.tags, r.emojis, media
		st.HasMedia = len(media) > 0
		st.EditedAt = &now
		if err := s.editPoll(ctx, tx, st, poll, in.Poll, now); err != nil {
			return err
		}
		if err := tx.Statuses().Update(ctx, st); err != nil {
			return fmt.Errorf("update status: %w", err)
		}
		if err := attachMedia(ctx, tx, st); err != nil {
			return err
		}
		version, err := snapshotOf(ctx, tx, st, now)
		if err != nil {
			return err
		}
		if err := tx.Statuses().AddEdit(ctx, version); err != nil {
			return fmt.Errorf("record edit: %w", err)
		}
		for _, a := range r.mentions {
			if !before[a.ID] {
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
		return nil, fmt.Errorf("edit status %s: %w", id, err)
	}
	return out, nil
}

// announceEdit notifies the accounts that boosted an edited status and
// publishes status.updated to the home feeds that hold it.
func (s *Service) announceEdit(ctx context.Context, tx storage.Store, ev *events, author *storage.Account, st *storage.Status) error {
	if err := s.forEachReblog(ctx, tx, st.ID, func(b *storage.Status) error {
		booster, err := tx.Accounts().Get(ctx, b.AccountID)
		if err != nil {
			return ignoreNotFound(err)
		}
		return s.notify(ctx, tx, ev, booster, author, storage.NotifyUpdate, st)
	}); err != nil {
		return err
	}
	owners, lists, err := s.feedTargets(ctx, tx, st, author, nil)
	if err != nil {
		return err
	}
	ev.add(Event{Type: EventStatusUpdated, Actor: author, Status: st, HomeFeeds: owners, ListFeeds: lists})
	return nil
}

func snapshot(st *storage.Status, at time.Time) *storage.StatusEdit {
	return &storage.StatusEdit{StatusID: st.ID, AccountID: st.AccountID, Content: st.Content, Text: st.Text,
		SpoilerText: st.SpoilerText, Sensitive: st.Sensitive, MediaIDs: append(storage.IDs{}, st.MediaIDs...),
		Emojis: append(storage.Emojis{}, st.Emojis...), CreatedAt: at}
}

// forEachReblog calls fn for every boost of a status.
func (s *Service) forEachReblog(ctx context.Context, tx storage.Store, id storage.ID, fn func(*storage.Status) error) error {
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		page, err := tx.Statuses().Reblogs(ctx, id, p)
		if err != nil {
			return fmt.Errorf("list boosts of %s: %w", id, err)
		}
		for _, b := range page {
			if err := fn(b); err != nil {
				return err
			}
		}
		if len(page) < p.Limit {
			return nil
		}
		p.MaxID = page[len(page)-1].ID
	}
}

// History lists the versions of a status, oldest first; an unedited status
// has one version, itself.
func (s *Service) History(ctx context.Context, viewer *storage.Account, id storage.ID) ([]*storage.StatusEdit, error) {
	st, err := s.visibleStatus(ctx, s.store, viewerID(viewer), id)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	edits, err := s.store.Statuses().Edits(ctx, st.ID)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	if len(edits) == 0 {
		e, err := snapshotOf(ctx, s.store, st, st.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		return []*storage.StatusEdit{e}, nil
	}
	return edits, nil
}

// Source returns the plain text of the author's status, for editing.
func (s *Service) Source(ctx context.Context, author *storage.Account, id storage.ID) (*StatusSource, error) {
	st, err := s.ownStatus(ctx, s.store, author, id)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	return &StatusSource{ID: st.ID, Text: st.Text, SpoilerText: st.SpoilerText}, nil
}

// DeleteStatus deletes the author's status (or boost) with its boosts,
// favourites, bookmarks, pins, notifications and feed entries, adjusts the
// counters and returns the deleted status (its Text serves "delete and
// redraft").
func (s *Service) DeleteStatus(ctx context.Context, author *storage.Account, id storage.ID) (*storage.Status, error) {
	var out *storage.Status
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		st, err := s.ownStatus(ctx, tx, author, id)
		if err != nil {
			return err
		}
		if st.ReblogOfID != 0 {
			out = st
			return s.removeReblog(ctx, tx, ev, author, st)
		}
		var boosts []*storage.Status
		if err := s.forEachReblog(ctx, tx, st.ID, func(b *storage.Status) error {
			boosts = append(boosts, b)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Statuses().Delete(ctx, st.ID); err != nil {
			return notFound(err, "delete status %s", st.ID)
		}
		if err := s.countStatus(ctx, tx, st, -1); err != nil {
			return err
		}
		if err := removeFromConversations(ctx, tx, st); err != nil {
			return err
		}
		for _, b := range boosts {
			if b.Visibility != storage.VisibilityDirect {
				if err := ignoreNotFound(tx.Accounts().AdjustCounts(ctx, b.AccountID, -1, 0, 0, nil)); err != nil {
					return fmt.Errorf("count boost: %w", err)
				}
			}
		}
		ev.add(Event{Type: EventStatusDeleted, Actor: author, Status: st, DeletedReblogs: boosts})
		out = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete status %s: %w", id, err)
	}
	return out, nil
}
