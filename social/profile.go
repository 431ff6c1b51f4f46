package social

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// Profile limits, as Mastodon's.
const (
	MaxDisplayNameChars = 30
	MaxNoteChars        = 500
	MaxFieldChars       = 255
)

// FieldInput is a profile field as typed: Value is plain text.
type FieldInput struct {
	Name  string
	Value string
}

// ProfileInput changes a profile. Nil fields are left as they are.
type ProfileInput struct {
	DisplayName *string
	// Note is plain text, rendered to HTML like a status.
	Note         *string
	Locked       *bool
	Bot          *bool
	Discoverable *bool
	Indexable    *bool
	// Fields replaces every field (at most Options.MaxProfileFields).
	Fields *[]FieldInput
	// AvatarURL and HeaderURL are set by the media layer after storing an
	// image; "" restores the default image.
	AvatarURL *string
	HeaderURL *string
	// Extra is merged into the account's Extra (a JSON null value deletes
	// the key): the media layer's bookkeeping of profile images.
	Extra storage.Extra
	// Source defaults, stored on the user.
	Privacy   *storage.Visibility
	Sensitive *bool
	Language  *string
	// Settings kept in the account's Extra: hide_collections and the
	// avatar and header descriptions.
	Settings ProfileSettings
}

// UpdateProfile changes a local account's profile and posting defaults and
// returns the updated account.
func (s *Service) UpdateProfile(ctx context.Context, account *storage.Account, in ProfileInput) (*storage.Account, error) {
	if err := requireLocal(account); err != nil {
		return nil, err
	}
	if in.DisplayName != nil && utf8.RuneCountInString(*in.DisplayName) > MaxDisplayNameChars {
		return nil, invalid("display_name", "is too long (at most %d characters)", MaxDisplayNameChars)
	}
	if in.Note != nil && CountChars(*in.Note) > MaxNoteChars {
		return nil, invalid("note", "is too long (at most %d characters)", MaxNoteChars)
	}
	if in.Fields != nil {
		if len(*in.Fields) > s.opts.MaxProfileFields {
			return nil, invalid("fields_attributes", "too many fields (at most %d)", s.opts.MaxProfileFields)
		}
		for _, f := range *in.Fields {
			if utf8.RuneCountInString(f.Name) > MaxFieldChars || utf8.RuneCountInString(f.Value) > MaxFieldChars {
				return nil, invalid("fields_attributes", "names and values must be at most %d characters", MaxFieldChars)
			}
		}
	}
	if in.Privacy != nil && !in.Privacy.Valid() {
		return nil, invalid("source[privacy]", "must be public, unlisted, private or direct")
	}
	if in.Language != nil && *in.Language != "" && !languageRE.MatchString(*in.Language) {
		return nil, invalid("source[language]", "is not a valid language code")
	}
	if err := in.Settings.validate(); err != nil {
		return nil, err
	}
	var out *storage.Account
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		a, err := tx.Accounts().Get(ctx, account.ID)
		if err != nil {
			return notFound(err, "account %s", account.ID)
		}
		if in.DisplayName != nil {
			a.DisplayName = strings.TrimSpace(*in.DisplayName)
		}
		if in.Note != nil {
			src := normalizeText(*in.Note)
			r, err := s.render(ctx, tx, src, formatOptions{multiline: true})
			if err != nil {
				return err
			}
			a.NoteSource, a.Note = src, r.html
		}
		if in.Locked != nil {
			a.Locked = *in.Locked
		}
		if in.Bot != nil {
			a.Bot = *in.Bot
			if a.Bot {
				a.ActorType = storage.ActorService
			} else {
				a.ActorType = storage.ActorPerson
			}
		}
		if in.Discoverable != nil {
			a.Discoverable = *in.Discoverable
		}
		if in.Indexable != nil {
			a.Indexable = *in.Indexable
		}
		if in.Fields != nil {
			fields := storage.Fields{}
			for _, f := range *in.Fields {
				name, value := strings.TrimSpace(f.Name), strings.TrimSpace(f.Value)
				if name == "" && value == "" {
					continue
				}
				r, err := s.render(ctx, tx, value, formatOptions{relMe: true})
				if err != nil {
					return err
				}
				fields = append(fields, storage.Field{Name: name, Value: r.html})
			}
			a.Fields = fields
		}
		if in.DisplayName != nil || in.Note != nil || in.Fields != nil {
			if a.Emojis, err = s.accountEmojis(ctx, tx, a); err != nil {
				return err
			}
		}
		if in.AvatarURL != nil {
			a.AvatarURL = *in.AvatarURL
		}
		if in.HeaderURL != nil {
			a.HeaderURL = *in.HeaderURL
		}
		mergeExtra(a, in.Extra)
		mergeExtra(a, in.Settings.extra())
		if err := tx.Accounts().Update(ctx, a); err != nil {
			return fmt.Errorf("update account: %w", err)
		}
		if in.Privacy != nil || in.Sensitive != nil || in.Language != nil {
			u, err := tx.Users().GetByAccountID(ctx, a.ID)
			if errors.Is(err, storage.ErrNotFound) {
				return invalid("source", "this account has no user settings")
			} else if err != nil {
				return fmt.Errorf("load user: %w", err)
			}
			if in.Privacy != nil {
				u.DefaultVisibility = *in.Privacy
			}
			if in.Sensitive != nil {
				u.DefaultSensitive = *in.Sensitive
			}
			if in.Language != nil {
				u.DefaultLanguage = *in.Language
			}
			if err := tx.Users().Update(ctx, u); err != nil {
				return fmt.Errorf("update user: %w", err)
			}
		}
		out = a
		ev.add(Event{Type: EventAccountUpdated, Actor: a})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return out, nil
}

// mergeExtra merges in into a's Extra; JSON null values delete keys.
func mergeExtra(a *storage.Account, in storage.Extra) {
	if len(in) == 0 {
		return
	}
	if a.Extra == nil {
		a.Extra = storage.Extra{}
	}
	for k, v := range in {
		if v == nil || string(v) == "null" {
			delete(a.Extra, k)
		} else {
			a.Extra[k] = v
		}
	}
}
