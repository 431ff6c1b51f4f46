package social

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// Limits of featured tags and notes, as Mastodon's.
const (
	// MaxFeaturedTags bounds the hashtags an account features.
	MaxFeaturedTags = 10
	// MaxAccountNoteChars bounds a private note on an account.
	MaxAccountNoteChars = 2000
	// maxTagChars bounds a hashtag name.
	maxTagChars = 100
)

// NormalizeTag returns the stored form of a hashtag name (lower-case,
// without "#"), or "" when the name is not a valid hashtag: letters,
// digits, "_" and "·", with at least one that is not a digit.
func NormalizeTag(name string) string {
	name = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "#"))
	if name == "" || utf8.RuneCountInString(name) > maxTagChars || !utf8.ValidString(name) {
		return ""
	}
	alpha := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || r == '_' || r == '·' || unicode.Is(unicode.Mn, r):
			alpha = true
		case unicode.IsDigit(r):
		default:
			return ""
		}
	}
	if !alpha {
		return ""
	}
	return name
}

func tagName(name string) (string, error) {
	n := NormalizeTag(name)
	if n == "" {
		return "", invalid("name", "is not a valid hashtag")
	}
	return n, nil
}

// tagAudience lists the local accounts following a hashtag of st whose
// home feed it reaches: public statuses only (not boosts), and not from
// silenced authors, as on Mastodon.
func (s *Service) tagAudience(ctx context.Context, tx storage.Store, st *storage.Status, author *storage.Account) ([]storage.ID, error) {
	if st.Visibility != storage.VisibilityPublic || st.ReblogOfID != 0 || len(st.Tags) == 0 || author.SilencedAt != nil {
		return nil, nil
	}
	ids, err := tx.FollowedTags().Audience(ctx, st.Tags, storage.AudienceQuery{AuthorID: author.ID, AuthorDomain: author.Domain})
	if err != nil {
		return nil, fmt.Errorf("hashtag audience: %w", err)
	}
	return ids, nil
}

// TagState is how a viewer relates to a hashtag.
type TagState struct {
	Following bool
	Featuring bool
}

// TagStates tells, for each of names, whether viewer follows and features
// it, keyed by normalised name.
func (s *Service) TagStates(ctx context.Context, viewer *storage.Account, names []string) (map[string]TagState, error) {
	out := map[string]TagState{}
	if viewer == nil || len(names) == 0 {
		return out, nil
	}
	norm := make([]string, 0, len(names))
	for _, n := range names {
		if n = NormalizeTag(n); n != "" {
			norm = append(norm, n)
		}
	}
	following, err := s.store.FollowedTags().Following(ctx, viewer.ID, norm)
	if err != nil {
		return nil, fmt.Errorf("tag states: %w", err)
	}
	featured, err := s.store.FeaturedTags().List(ctx, viewer.ID)
	if err != nil {
		return nil, fmt.Errorf("tag states: %w", err)
	}
	feat := map[string]bool{}
	for _, f := range featured {
		feat[f.Name] = true
	}
	for _, n := range norm {
		out[n] = TagState{Following: following[n], Featuring: feat[n]}
	}
	return out, nil
}

// FollowTag makes actor follow a hashtag: public statuses using it reach
// actor's home feed. It returns the normalised name.
func (s *Service) FollowTag(ctx context.Context, actor *storage.Account, name string) (string, error) {
	if err := requireLocal(actor); err != nil {
		return "", err
	}
	n, err := tagName(name)
	if err != nil {
		return "", err
	}
	if err := s.store.FollowedTags().Follow(ctx, actor.ID, n); err != nil {
		return "", fmt.Errorf("follow tag: %w", err)
	}
	return n, nil
}

// UnfollowTag stops actor following a hashtag.
func (s *Service) UnfollowTag(ctx context.Context, actor *storage.Account, name string) (string, error) {
	if err := requireLocal(actor); err != nil {
		return "", err
	}
	n, err := tagName(name)
	if err != nil {
		return "", err
	}
	if err := s.store.FollowedTags().Unfollow(ctx, actor.ID, n); err != nil {
		return "", fmt.Errorf("unfollow tag: %w", err)
	}
	return n, nil
}

// FollowedTags pages through the hashtags account follows.
func (s *Service) FollowedTags(ctx context.Context, account *storage.Account, p storage.Page) ([]*storage.FollowedTag, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	out, err := s.store.FollowedTags().List(ctx, account.ID, p)
	if err != nil {
		return nil, fmt.Errorf("followed tags: %w", err)
	}
	return out, nil
}

// FeatureTag features a hashtag on actor's profile (at most
// MaxFeaturedTags). Featuring a featured tag is an error when strict is
// set (POST /api/v1/featured_tags), else it returns the existing one.
func (s *Service) FeatureTag(ctx context.Context, actor *storage.Account, name string, strict bool) (*storage.FeaturedTag, error) {
	if err := requireLocal(actor); err != nil {
		return nil, err
	}
	n, err := tagName(name)
	if err != nil {
		return nil, err
	}
	cur, err := s.store.FeaturedTags().List(ctx, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("feature tag: %w", err)
	}
	for _, f := range cur {
		if f.Name == n {
			if strict {
				return nil, invalid("name", "has already been taken")
			}
			return f, nil
		}
	}
	if len(cur) >= MaxFeaturedTags {
		return nil, invalid("featured_tag", "limit of %d exceeded", MaxFeaturedTags)
	}
	f := &storage.FeaturedTag{AccountID: actor.ID, Name: n}
	if err := s.store.FeaturedTags().Create(ctx, f); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, invalid("name", "has already been taken")
		}
		return nil, fmt.Errorf("feature tag: %w", err)
	}
	list, err := s.store.FeaturedTags().List(ctx, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("feature tag: %w", err)
	}
	for _, g := range list {
		if g.ID == f.ID {
			return g, nil
		}
	}
	return f, nil
}

// UnfeatureTag removes one of actor's featured tags by ID.
func (s *Service) UnfeatureTag(ctx context.Context, actor *storage.Account, id storage.ID) error {
	if err := requireLocal(actor); err != nil {
		return err
	}
	if err := s.store.FeaturedTags().Delete(ctx, actor.ID, id); err != nil {
		return notFound(err, "unfeature tag %s", id)
	}
	return nil
}

// UnfeatureTagName removes a featured tag by name; one not featured is
// not an error. It returns the normalised name.
func (s *Service) UnfeatureTagName(ctx context.Context, actor *storage.Account, name string) (string, error) {
	if err := requireLocal(actor); err != nil {
		return "", err
	}
	n, err := tagName(name)
	if err != nil {
		return "", err
	}
	if err := ignoreNotFound(s.store.FeaturedTags().DeleteByName(ctx, actor.ID, n)); err != nil {
		return "", fmt.Errorf("unfeature tag: %w", err)
	}
	return n, nil
}

// FeaturedTags lists the hashtags an account features, for anyone who may
// see the account.
func (s *Service) FeaturedTags(ctx context.Context, viewer *storage.Account, accountID storage.ID) ([]*storage.FeaturedTag, error) {
	a, err := loadTarget(ctx, s.store, accountID)
	if err != nil {
		return nil, err
	}
	if viewer != nil {
		bs, err := s.store.Blocks().States(ctx, viewer.ID, []storage.ID{a.ID})
		if err != nil {
			return nil, fmt.Errorf("featured tags: %w", err)
		}
		if bs[a.ID].BlockedBy {
			return []*storage.FeaturedTag{}, nil
		}
	}
	out, err := s.store.FeaturedTags().List(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("featured tags: %w", err)
	}
	return out, nil
}

// FeaturedTagSuggestions lists up to 10 hashtags account used most
// recently and does not feature yet.
func (s *Service) FeaturedTagSuggestions(ctx context.Context, account *storage.Account) ([]string, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	used, err := s.store.FeaturedTags().MostUsed(ctx, account.ID, 10+MaxFeaturedTags)
	if err != nil {
		return nil, fmt.Errorf("featured tag suggestions: %w", err)
	}
	cur, err := s.store.FeaturedTags().List(ctx, account.ID)
	if err != nil {
		return nil, fmt.Errorf("featured tag suggestions: %w", err)
	}
	feat := map[string]bool{}
	for _, f := range cur {
		feat[f.Name] = true
	}
	out := []string{}
	for _, u := range used {
		if !feat[u.Name] && len(out) < 10 {
			out = append(out, u.Name)
		}
	}
	return out, nil
}

// ---- endorsements and notes ----

func endorsementsAndNotes(ctx context.Context, st storage.Store, viewer storage.ID, ids []storage.ID) (map[storage.ID]bool, map[storage.ID]string, error) {
	endorsed, err := st.Endorsements().Endorsed(ctx, viewer, ids)
	if err != nil {
		return nil, nil, err
	}
	notes, err := st.AccountNotes().Get(ctx, viewer, ids)
	if err != nil {
		return nil, nil, err
	}
	return endorsed, notes, nil
}

// ErrNotFollowing is returned (wrapped) when endorsing an account the actor
// does not follow.
var ErrNotFollowing = &ValidationError{Field: "account", Message: "must be followed to be endorsed"}

// Endorse features an account actor follows on actor's profile.
func (s *Service) Endorse(ctx context.Context, actor *storage.Account, targetID storage.ID) (*Relationship, error) {
	if err := requireLocal(actor); err != nil {
		return nil, err
	}
	target, err := loadTarget(ctx, s.store, targetID)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.Follows().Get(ctx, actor.ID, target.ID); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, ErrNotFollowing
		}
		return nil, fmt.Errorf("endorse: %w", err)
	}
	if err := s.store.Endorsements().Create(ctx, &storage.Endorsement{AccountID: actor.ID, TargetAccountID: target.ID}); err != nil {
		return nil, fmt.Errorf("endorse: %w", err)
	}
	return s.relationshipOf(ctx, actor.ID, target.ID)
}

// Unendorse removes an account from actor's featured accounts (one not
// featured is not an error).
func (s *Service) Unendorse(ctx context.Context, actor *storage.Account, targetID storage.ID) (*Relationship, error) {
	if err := requireLocal(actor); err != nil {
		return nil, err
	}
	target, err := loadTarget(ctx, s.store, targetID)
	if err != nil {
		return nil, err
	}
	if err := ignoreNotFound(s.store.Endorsements().Delete(ctx, actor.ID, target.ID)); err != nil {
		return nil, fmt.Errorf("unendorse: %w", err)
	}
	return s.relationshipOf(ctx, actor.ID, target.ID)
}

// Endorsements pages through the accounts accountID features (suspended
// ones left out), for anyone who may see the account.
func (s *Service) Endorsements(ctx context.Context, viewer *storage.Account, accountID storage.ID, p storage.Page) ([]AccountEntry, error) {
	if _, err := loadTarget(ctx, s.store, accountID); err != nil {
		return nil, err
	}
	es, err := s.store.Endorsements().List(ctx, accountID, p)
	if err != nil {
		return nil, fmt.Errorf("endorsements: %w", err)
	}
	ids := make([]storage.ID, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.TargetAccountID)
	}
	accts, err := s.store.Accounts().GetMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("endorsements: %w", err)
	}
	byID := map[storage.ID]*storage.Account{}
	for _, a := range accts {
		byID[a.ID] = a
	}
	out := make([]AccountEntry, 0, len(es))
	for _, e := range es {
		if a := byID[e.TargetAccountID]; a != nil && a.SuspendedAt == nil {
			out = append(out, AccountEntry{Cursor: e.ID, Account: a})
		}
	}
	return out, nil
}

// SetAccountNote sets actor's private note on an account (an empty
// comment removes it) and returns the relationship.
func (s *Service) SetAccountNote(ctx context.Context, actor *storage.Account, targetID storage.ID, comment string) (*Relationship, error) {
	if err := requireLocal(actor); err != nil {
		return nil, err
	}
	target, err := loadTarget(ctx, s.store, targetID)
	if err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if CountChars(comment) > MaxAccountNoteChars {
		return nil, invalid("comment", "is too long (maximum is %d characters)", MaxAccountNoteChars)
	}
	if err := s.store.AccountNotes().Set(ctx, actor.ID, target.ID, comment); err != nil {
		return nil, fmt.Errorf("set note: %w", err)
	}
	return s.relationshipOf(ctx, actor.ID, target.ID)
}
