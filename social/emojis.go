package social

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/herd-social/herd/storage"
)

// Audit-log actions of custom emojis.
const (
	AuditEmojiCreate  = "custom_emoji.create"
	AuditEmojiDisable = "custom_emoji.disable"
	AuditEmojiEnable  = "custom_emoji.enable"
	AuditEmojiDelete  = "custom_emoji.destroy"
)

// storeEmojis is the EmojiResolver of a store: its enabled local custom
// emojis.
type storeEmojis struct{ st storage.Store }

var _ EmojiResolver = storeEmojis{}

// NewEmojiResolver returns an EmojiResolver over st's enabled local
// custom emojis (storage.CustomEmojis); shortcodes match exactly, case
// included, as on Mastodon. A Service whose Options.Emojis is nil reads
// the same emojis through the transaction that writes the post; this
// resolver reads st outside it, so give it a store whose connections a
// transaction cannot exhaust (or leave Options.Emojis nil).
func NewEmojiResolver(st storage.Store) EmojiResolver { return storeEmojis{st} }

// ResolveEmojis implements EmojiResolver.
func (r storeEmojis) ResolveEmojis(ctx context.Context, shortcodes []string) ([]storage.Emoji, error) {
	return resolveStoreEmojis(ctx, r.st, shortcodes)
}

func resolveStoreEmojis(ctx context.Context, st storage.Store, shortcodes []string) ([]storage.Emoji, error) {
	if len(shortcodes) == 0 {
		return nil, nil
	}
	found, err := st.CustomEmojis().GetByShortcodes(ctx, "", shortcodes)
	if err != nil {
		return nil, err
	}
	by := make(map[string]*storage.CustomEmoji, len(found))
	for _, e := range found {
		if !e.Disabled {
			by[e.Shortcode] = e
		}
	}
	var out []storage.Emoji
	for _, sc := range shortcodes { // in order of first use
		if e := by[sc]; e != nil {
			out = append(out, CustomEmojiToEmoji(e))
		}
	}
	return out, nil
}

// CustomEmojiToEmoji turns a stored custom emoji into the reference kept
// on statuses and accounts.
func CustomEmojiToEmoji(e *storage.CustomEmoji) storage.Emoji {
	static := e.StaticURL
	if static == "" {
		static = e.ImageURL
	}
	return storage.Emoji{Shortcode: e.Shortcode, URL: e.ImageURL, StaticURL: static, URI: e.URI, UpdatedAt: e.UpdatedAt}
}

// shortcodesIn returns the distinct emoji shortcodes of texts, in order of
// first use.
func shortcodesIn(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		if !strings.Contains(t, ":") {
			continue
		}
		for _, m := range emojiRE.FindAllStringSubmatch(t, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}

// emojisIn resolves the custom emojis used in texts, reading st (the
// transaction) unless Options.Emojis is set.
func (s *Service) emojisIn(ctx context.Context, st storage.Store, texts ...string) (storage.Emojis, error) {
	codes := shortcodesIn(texts...)
	if len(codes) == 0 {
		return storage.Emojis{}, nil
	}
	var em []storage.Emoji
	var err error
	if s.opts.Emojis != nil {
		em, err = s.opts.Emojis.ResolveEmojis(ctx, codes)
	} else {
		em, err = resolveStoreEmojis(ctx, st, codes)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve emojis: %w", err)
	}
	return append(storage.Emojis{}, em...), nil
}

// renderStatus renders a status's text and resolves the custom emojis of
// its text, spoiler and poll options.
func (s *Service) renderStatus(ctx context.Context, tx storage.Store, text, spoiler string, poll *PollInput) (*rendered, error) {
	r, err := s.render(ctx, tx, text, formatOptions{multiline: true})
	if err != nil {
		return nil, err
	}
	texts := []string{text, spoiler}
	if poll != nil {
		texts = append(texts, poll.Options...)
	}
	if r.emojis, err = s.emojisIn(ctx, tx, texts...); err != nil {
		return nil, err
	}
	return r, nil
}

// accountEmojis resolves the custom emojis of a local account's display
// name, note and profile fields.
func (s *Service) accountEmojis(ctx context.Context, tx storage.Store, a *storage.Account) (storage.Emojis, error) {
	texts := []string{a.DisplayName, a.NoteSource}
	if a.NoteSource == "" {
		texts = append(texts, a.Note)
	}
	for _, f := range a.Fields {
		texts = append(texts, f.Name, f.Value)
	}
	return s.emojisIn(ctx, tx, texts...)
}

// CustomEmojis lists the local custom emojis by shortcode: the enabled
// ones, or all of them.
func (s *Service) CustomEmojis(ctx context.Context, includeDisabled bool) ([]*storage.CustomEmoji, error) {
	out, err := s.store.CustomEmojis().List(ctx, storage.CustomEmojiFilter{EnabledOnly: !includeDisabled})
	if err != nil {
		return nil, fmt.Errorf("custom emojis: %w", err)
	}
	return out, nil
}

// AddCustomEmoji records a local custom emoji whose images are stored
// (media.Service.StoreEmojiImage): e carries the shortcode, image URLs
// and keys, category and picker visibility; its ID and URI (URLs.Emoji)
// are set here. A shortcode already taken (case-insensitively) or an
// invalid one fails with a ValidationError. The addition
// is audited.
func (s *Service) AddCustomEmoji(ctx context.Context, mod Moderator, e *storage.CustomEmoji) error {
	if !storage.ValidShortcode(e.Shortcode) {
		return invalid("shortcode", "must be 2 to 100 letters, digits or underscores")
	}
	if e.ImageURL == "" {
		return invalid("image", "is required")
	}
	e.Category = strings.TrimSpace(e.Category)
	if len(e.Category) > 100 {
		return invalid("category", "is too long (at most 100 characters)")
	}
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		e.ID, e.Domain = tx.NewID(), ""
		e.URI = s.urls.Emoji(e.ID)
		now := s.now()
		e.CreatedAt, e.UpdatedAt = now, now
		if err := tx.CustomEmojis().Create(ctx, e); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return invalid("shortcode", "has already been taken")
			}
			return err
		}
		return s.audit(ctx, tx, mod, AuditEmojiCreate, "custom_emoji", e.ID, fmt.Sprintf("%s added the custom emoji :%s:", modName(mod), e.Shortcode))
	})
	if err != nil {
		return fmt.Errorf("add custom emoji: %w", err)
	}
	return nil
}

// SetCustomEmojiDisabled disables (hides from new posts and the picker)
// or enables again the local custom emoji shortcode, audited.
func (s *Service) SetCustomEmojiDisabled(ctx context.Context, mod Moderator, shortcode string, disabled bool) (*storage.CustomEmoji, error) {
	var out *storage.CustomEmoji
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		e, err := tx.CustomEmojis().GetByShortcode(ctx, shortcode, "")
		if err != nil {
			return notFound(err, "custom emoji :%s:", shortcode)
		}
		out = e
		if e.Disabled == disabled {
			return nil
		}
		e.Disabled = disabled
		if err := tx.CustomEmojis().Update(ctx, e); err != nil {
			return err
		}
		action, verb := AuditEmojiEnable, "enabled"
		if disabled {
			action, verb = AuditEmojiDisable, "disabled"
		}
		return s.audit(ctx, tx, mod, action, "custom_emoji", e.ID, fmt.Sprintf("%s %s the custom emoji :%s:", modName(mod), verb, e.Shortcode))
	})
	if err != nil {
		return nil, fmt.Errorf("custom emoji :%s:: %w", shortcode, err)
	}
	return out, nil
}

// RemoveCustomEmoji deletes the local custom emoji shortcode, audited, and
// returns it so that the caller removes its files. Posts that used it
// keep their copy of its URLs.
func (s *Service) RemoveCustomEmoji(ctx context.Context, mod Moderator, shortcode string) (*storage.CustomEmoji, error) {
	var out *storage.CustomEmoji
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		e, err := tx.CustomEmojis().GetByShortcode(ctx, shortcode, "")
		if err != nil {
			return notFound(err, "custom emoji :%s:", shortcode)
		}
		if err := tx.CustomEmojis().Delete(ctx, e.ID); err != nil {
			return err
		}
		out = e
		return s.audit(ctx, tx, mod, AuditEmojiDelete, "custom_emoji", e.ID, fmt.Sprintf("%s removed the custom emoji :%s:", modName(mod), e.Shortcode))
	})
	if err != nil {
		return nil, fmt.Errorf("remove custom emoji :%s:: %w", shortcode, err)
	}
	return out, nil
}

// mediaRejected reports whether Options.RejectMedia rejects domain.
func (s *Service) mediaRejected(ctx context.Context, domain string) bool {
	return domain != "" && s.opts.RejectMedia != nil && s.opts.RejectMedia(ctx, domain)
}

// emojiDomain is the domain a remote emoji used by an account of domain
// belongs to: that domain, "" when the emoji's id names another host (a
// server speaks for its own emojis only: one whose id claims another
// domain could overwrite that domain's records, or slip past its
// reject_media block).
func emojiDomain(e storage.Emoji, domain string) string {
	domain = strings.ToLower(domain)
	if e.URI == "" {
		return domain
	}
	u, err := url.Parse(e.URI)
	if err != nil || !strings.EqualFold(u.Host, domain) && !strings.EqualFold(u.Hostname(), domain) {
		return ""
	}
	return domain
}

// RememberRemoteEmojis records the remote custom emojis used by an
// account of domain in custom_emojis (one row per shortcode and domain,
// its image URL updated when it changed), best effort: emojis that are
// invalid, of domains whose media are rejected or whose ids name another
// domain than domain are skipped. It returns how many rows it created or
// updated.
func (s *Service) RememberRemoteEmojis(ctx context.Context, domain string, emojis storage.Emojis) (int, error) {
	if domain == "" || len(emojis) == 0 {
		return 0, nil
	}
	byDomain := map[string][]storage.Emoji{}
	for _, e := range emojis {
		d := emojiDomain(e, domain)
		if d == "" || strings.EqualFold(d, s.urls.Host()) || !storage.ValidShortcode(e.Shortcode) || e.URL == "" || s.mediaRejected(ctx, d) {
			continue
		}
		byDomain[d] = append(byDomain[d], e)
	}
	n := 0
	var errs []error
	for d, list := range byDomain {
		codes := make([]string, len(list))
		for i, e := range list {
			codes[i] = e.Shortcode
		}
		known, err := s.store.CustomEmojis().GetByShortcodes(ctx, d, codes)
		if err != nil {
			return n, fmt.Errorf("remember emojis of %s: %w", d, err)
		}
		by := map[string]*storage.CustomEmoji{}
		for _, k := range known {
			by[k.Shortcode] = k
		}
		for _, e := range list {
			static := e.StaticURL
			if static == "" {
				static = e.URL
			}
			if k := by[e.Shortcode]; k != nil {
				if k.ImageURL == e.URL && k.StaticURL == static && k.URI == e.URI {
					continue
				}
				k.ImageURL, k.StaticURL, k.URI = e.URL, static, e.URI
				if err := s.store.CustomEmojis().Update(ctx, k); err != nil {
					errs = append(errs, err)
					continue
				}
				n++
				continue
			}
			ce := &storage.CustomEmoji{Shortcode: e.Shortcode, Domain: d, URI: e.URI, ImageURL: e.URL, StaticURL: static,
				VisibleInPicker: false}
			if err := s.store.CustomEmojis().Create(ctx, ce); err != nil {
				if !errors.Is(err, storage.ErrConflict) { // another case of the same shortcode, or a race
					errs = append(errs, err)
				}
				continue
			}
			by[e.Shortcode] = ce
			n++
		}
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("remember emojis: %w", errors.Join(errs...))
	}
	return n, nil
}

// uriHost is the lower-case host of an IRI ("" when it has none).
func uriHost(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// rememberRemoteEmojis is RememberRemoteEmojis for callers that go on
// whatever happens: a failure is logged.
func (s *Service) rememberRemoteEmojis(ctx context.Context, domain string, emojis storage.Emojis) {
	if _, err := s.RememberRemoteEmojis(ctx, domain, emojis); err != nil {
		s.opts.Logger.Warn("social: record remote emojis", "domain", domain, "err", err)
	}
}
