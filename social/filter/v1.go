package filter

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/herd-social/herd/storage"
)

// V1 is a Mastodon v1 filter: one keyword of a filter, seen with its
// filter's context, expiry and action (irreversible means hide).
type V1 struct {
	Keyword *storage.FilterKeyword
	Filter  *storage.Filter
}

// Irreversible reports whether the v1 filter drops what it matches.
func (v V1) Irreversible() bool { return v.Filter.Action == storage.FilterHide }

// V1Input describes a v1 filter to create or update.
type V1Input struct {
	Phrase  string
	Context []string
	// Irreversible maps to the hide action (else warn); nil: false when
	// creating, unchanged when updating.
	Irreversible *bool
	// WholeWord: nil means false when creating, unchanged when updating.
	WholeWord *bool
	// ExpiresIn: nil means never when creating, unchanged when updating;
	// a pointer to zero removes the expiry.
	ExpiresIn *time.Duration
}

// ListV1 returns every keyword of owner's filters as v1 filters.
func (s *Service) ListV1(ctx context.Context, owner *storage.Account) ([]V1, error) {
	gs, err := s.List(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := []V1{}
	for _, g := range gs {
		for _, k := range g.Keywords {
			out = append(out, V1{Keyword: k, Filter: g.Filter})
		}
	}
	return out, nil
}

// GetV1 returns the v1 filter of keyword id.
func (s *Service) GetV1(ctx context.Context, owner *storage.Account, id storage.ID) (V1, error) {
	k, f, err := s.Keyword(ctx, owner, id)
	if err != nil {
		return V1{}, err
	}
	return V1{Keyword: k, Filter: f}, nil
}

// CreateV1 creates a v1 filter: a filter titled with the phrase, holding
// the phrase as its one keyword.
func (s *Service) CreateV1(ctx context.Context, owner *storage.Account, in V1Input) (V1, error) {
	if err := checkKeyword(in.Phrase); err != nil {
		return V1{}, invalid("phrase", "can't be blank")
	}
	title := in.Phrase
	if r := []rune(title); len(r) > MaxTitleLength {
		title = string(r[:MaxTitleLength])
	}
	action := storage.FilterWarn
	if in.Irreversible != nil && *in.Irreversible {
		action = storage.FilterHide
	}
	var exp time.Duration
	if in.ExpiresIn != nil {
		exp = *in.ExpiresIn
	}
	whole := in.WholeWord != nil && *in.WholeWord
	g, err := s.Create(ctx, owner, Input{Title: title, Context: in.Context, Action: action, ExpiresIn: exp,
		Keywords: []KeywordChange{{Keyword: in.Phrase, WholeWord: &whole}}})
	if err != nil {
		return V1{}, err
	}
	if len(g.Keywords) != 1 {
		return V1{}, fmt.Errorf("create v1 filter: %d keywords created", len(g.Keywords))
	}
	return V1{Keyword: g.Keywords[0], Filter: g.Filter}, nil
}

// UpdateV1 updates the v1 filter of keyword id: the keyword itself, and
// its filter (title, context, action, expiry). A filter holding several
// keywords cannot change through the v1 API (as Mastodon, a validation
// error): only its keyword may.
func (s *Service) UpdateV1(ctx context.Context, owner *storage.Account, id storage.ID, in V1Input) (V1, error) {
	if err := requireOwner(owner); err != nil {
		return V1{}, err
	}
	if in.Phrase != "" {
		if err := checkKeyword(in.Phrase); err != nil {
			return V1{}, err
		}
	}
	var out V1
	err := s.change(ctx, owner, func(tx storage.Store) error {
		k, f, err := ownedKeyword(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		before := *f
		before.Context = slices.Clone(f.Context)
		u := Update{Context: in.Context, ExpiresIn: in.ExpiresIn}
		if in.Phrase != "" {
			title := in.Phrase
			if r := []rune(title); len(r) > MaxTitleLength {
				title = string(r[:MaxTitleLength])
			}
			u.Title = &title
			k.Keyword = in.Phrase
		}
		if in.Irreversible != nil {
			a := storage.FilterWarn
			if *in.Irreversible {
				a = storage.FilterHide
			}
			u.Action = &a
		}
		if in.WholeWord != nil {
			k.WholeWord = *in.WholeWord
		}
		if err := s.updateFilter(f, u); err != nil {
			return err
		}
		if filterChanged(&before, f) {
			kws, err := tx.Filters().Keywords(ctx, []storage.ID{f.ID})
			if err != nil {
				return fmt.Errorf("filter keywords: %w", err)
			}
			if len(kws) > 1 {
				return invalid("filter", "has several keywords: edit it through the v2 API")
			}
			if err := tx.Filters().Update(ctx, f); err != nil {
				return fmt.Errorf("update filter: %w", err)
			}
		}
		if err := tx.Filters().UpdateKeyword(ctx, k); err != nil {
			return fmt.Errorf("update keyword: %w", err)
		}
		out = V1{Keyword: k, Filter: f}
		return nil
	})
	if err != nil {
		return V1{}, err
	}
	return out, nil
}

func filterChanged(a, b *storage.Filter) bool {
	if a.Title != b.Title || a.Action != b.Action || !slices.Equal(a.Context, b.Context) {
		return true
	}
	if (a.ExpiresAt == nil) != (b.ExpiresAt == nil) {
		return true
	}
	return a.ExpiresAt != nil && !a.ExpiresAt.Equal(*b.ExpiresAt)
}
