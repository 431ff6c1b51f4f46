package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// What the bot sends. Every activity goes through the Sender, which resolves
// the recipients into inboxes (shared ones preferred) and queues one signed
// POST per inbox on the durable Deliverer.

// Post publishes a status with the plain text content, visible as vis,
// mentioning the actors mentions (IRIs or user@host handles), and returns
// the stored status.
func (b *Bot) Post(ctx context.Context, text string, vis ap.Visibility, mentions ...string) (*storage.Status, error) {
	var accts []*storage.Account
	for _, m := range mentions {
		a, err := b.actor(ctx, m)
		if err != nil {
			return nil, err
		}
		accts = append(accts, a)
	}
	return b.publish(ctx, text, vis, accts, nil)
}

// reply answers note by author with text, mentioning the author, as
// visible as the note is (never more).
func (b *Bot) reply(ctx context.Context, note *ap.Object, author *storage.Account, text string) (*storage.Status, error) {
	vis := note.Visibility(author.FollowersURI)
	return b.publish(ctx, text, vis, []*storage.Account{author}, note)
}

// publish stores a status of the bot and sends its Create.
func (b *Bot) publish(ctx context.Context, text string, vis ap.Visibility, mentions []*storage.Account, inReplyTo *ap.Object) (*storage.Status, error) {
	me := b.me()
	id := b.store.NewID()
	s := &storage.Status{
		ID: id, URI: b.urls.Status(me.Username, id), URL: b.urls.StatusPage(me.Username, id),
		AccountID: me.ID, Local: true, Text: text, Visibility: storage.Visibility(vis),
		Mentions: storage.Mentions{}, Tags: storage.Strings{}, CreatedAt: now(),
	}
	var prefix strings.Builder
	for _, a := range mentions {
		acct := a.Username + "@" + a.Domain
		s.Mentions = append(s.Mentions, storage.Mention{AccountID: a.ID, Username: a.Username, Acct: acct, URL: cmpOr(a.URL, a.URI), URI: a.URI})
		fmt.Fprintf(&prefix, `<span class="h-card" translate="no"><a href="%s" class="u-url mention">@<span>%s</span></a></span> `,
			html.EscapeString(cmpOr(a.URL, a.URI)), html.EscapeString(a.Username))
	}
	s.Content = "<p>" + prefix.String() + html.EscapeString(text) + "</p>"
	if inReplyTo != nil {
		s.InReplyToURI = inReplyTo.ID
		if len(mentions) > 0 {
			s.InReplyToAccountID = mentions[0].ID
		}
	}
	err := b.store.Tx(ctx, func(tx storage.Store) error {
		if err := tx.Statuses().Create(ctx, s); err != nil {
			return err
		}
		return tx.Accounts().AdjustCounts(ctx, me.ID, 1, 0, 0, &s.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("bot: store status: %w", err)
	}
	if err := b.sender.Send(ctx, me, federation.CreateOf(b.note(s))); err != nil {
		return nil, fmt.Errorf("bot: send create: %w", err)
	}
	return s, nil
}

// note renders one of the bot's statuses.
func (b *Bot) note(s *storage.Status) *ap.Object {
	return federation.StatusToNote(s, b.me(), b.urls)
}

// Edit replaces the text of one of the bot's statuses and sends an Update.
func (b *Bot) Edit(ctx context.Context, id storage.ID, text string) error {
	s, err := b.store.Statuses().Get(ctx, id)
	if err != nil || s.AccountID != b.me().ID {
		return fmt.Errorf("bot: edit %s: not a status of the bot: %w", id, cmpErr(err, storage.ErrNotFound))
	}
	prefix := ""
	if i := strings.LastIndex(s.Content, "</span></a></span> "); i >= 0 && strings.HasPrefix(s.Content, "<p>") {
		prefix = s.Content[3 : i+len("</span></a></span> ")]
	}
	t := now()
	s.Text, s.Content, s.EditedAt = text, "<p>"+prefix+html.EscapeString(text)+"</p>", &t
	if err := b.store.Statuses().Update(ctx, s); err != nil {
		return fmt.Errorf("bot: edit %s: %w", id, err)
	}
	note := b.note(s)
	up := &ap.Object{ID: b.newActivityID("updates"), Type: ap.TypeUpdate, Actor: ap.IRIRef(b.me().URI),
		Object: ap.Refs{ap.Embed(note)}, To: note.To, Cc: note.Cc, Published: t}
	if err := b.sender.Send(ctx, b.me(), up); err != nil {
		return fmt.Errorf("bot: send update: %w", err)
	}
	return nil
}

// Delete deletes one of the bot's statuses and sends a Delete (of a
// Tombstone) to its audience.
func (b *Bot) Delete(ctx context.Context, id storage.ID) error {
	s, err := b.store.Statuses().Get(ctx, id)
	if err != nil || s.AccountID != b.me().ID {
		return fmt.Errorf("bot: delete %s: not a status of the bot: %w", id, cmpErr(err, storage.ErrNotFound))
	}
	note := b.note(s)
	err = b.store.Tx(ctx, func(tx storage.Store) error {
		if err := tx.Statuses().Delete(ctx, s.ID); err != nil {
			return err
		}
		return tx.Accounts().AdjustCounts(ctx, b.me().ID, -1, 0, 0, nil)
	})
	if err != nil {
		return fmt.Errorf("bot: delete %s: %w", id, err)
	}
	del := &ap.Object{ID: s.URI + "#delete", Type: ap.TypeDelete, Actor: ap.IRIRef(b.me().URI),
		Object: ap.Refs{ap.Embed(&ap.Object{ID: s.URI, Type: ap.TypeTombstone})}, To: note.To, Cc: note.Cc}
	if err := b.sender.Send(ctx, b.me(), del); err != nil {
		return fmt.Errorf("bot: send delete: %w", err)
	}
	return nil
}

// Like likes the post at iri and returns the Like sent (keep it to Undo it).
func (b *Bot) Like(ctx context.Context, iri string) (*ap.Object, error) {
	author, err := b.authorOf(ctx, iri)
	if err != nil {
		return nil, err
	}
	like := &ap.Object{ID: b.newActivityID("likes"), Type: ap.TypeLike, Actor: ap.IRIRef(b.me().URI),
		Object: ap.Refs{ap.IRIRef(iri)}, To: []string{author.URI}}
	if err := b.sender.Send(ctx, b.me(), like); err != nil {
		return nil, fmt.Errorf("bot: send like: %w", err)
	}
	return like, nil
}

// Announce boosts the post at iri to the bot's followers and its author,
// and returns the Announce sent (keep it to Undo it).
func (b *Bot) Announce(ctx context.Context, iri string) (*ap.Object, error) {
	author, err := b.authorOf(ctx, iri)
	if err != nil {
		return nil, err
	}
	boost := &ap.Object{ID: b.newActivityID("announces"), Type: ap.TypeAnnounce, Actor: ap.IRIRef(b.me().URI),
		Object: ap.Refs{ap.IRIRef(iri)}, To: []string{ap.Public}, Cc: []string{author.URI, b.me().FollowersURI}, Published: now()}
	if err := b.sender.Send(ctx, b.me(), boost); err != nil {
		return nil, fmt.Errorf("bot: send announce: %w", err)
	}
	return boost, nil
}

// Undo reverts an activity the bot sent (a Like, Announce or Follow),
// addressed as the original was.
func (b *Bot) Undo(ctx context.Context, act *ap.Object) error {
	if act == nil || act.Actor.ID() != b.me().URI {
		return errors.New("bot: undo: not an activity of the bot")
	}
	undo := &ap.Object{ID: b.newActivityID("undos"), Type: ap.TypeUndo, Actor: ap.IRIRef(b.me().URI),
		Object: ap.Refs{ap.Embed(act)}, To: act.To, Cc: act.Cc}
	if err := b.sender.Send(ctx, b.me(), undo); err != nil {
		return fmt.Errorf("bot: send undo: %w", err)
	}
	return nil
}

// Follow asks the actor (an IRI or a user@host handle) to follow it back;
// the follow is recorded when the Accept arrives.
func (b *Bot) Follow(ctx context.Context, actor string) error {
	target, err := b.actor(ctx, actor)
	if err != nil {
		return err
	}
	return b.follow(ctx, target)
}

func (b *Bot) follow(ctx context.Context, target *storage.Account) error {
	id := b.newActivityID("follows")
	err := b.store.Follows().CreateRequest(ctx, &storage.FollowRequest{AccountID: b.me().ID, TargetAccountID: target.ID, URI: id})
	if err != nil && !errors.Is(err, storage.ErrConflict) {
		return fmt.Errorf("bot: follow %s: %w", target.URI, err)
	}
	if errors.Is(err, storage.ErrConflict) {
		req, err := b.store.Follows().GetRequest(ctx, b.me().ID, target.ID)
		if err != nil {
			return fmt.Errorf("bot: follow %s: %w", target.URI, err)
		}
		id = req.URI // ask again with the same id
	}
	follow := &ap.Object{ID: id, Type: ap.TypeFollow, Actor: ap.IRIRef(b.me().URI), Object: ap.Refs{ap.IRIRef(target.URI)}, To: []string{target.URI}}
	if err := b.sender.Send(ctx, b.me(), follow); err != nil {
		return fmt.Errorf("bot: send follow: %w", err)
	}
	return nil
}

// Unfollow stops following the actor (an IRI or a handle): Undo(Follow).
func (b *Bot) Unfollow(ctx context.Context, actor string) error {
	target, err := b.actor(ctx, actor)
	if err != nil {
		return err
	}
	var followID string
	if f, err := b.store.Follows().Get(ctx, b.me().ID, target.ID); err == nil {
		followID = f.URI
	} else if r, err := b.store.Follows().GetRequest(ctx, b.me().ID, target.ID); err == nil {
		followID = r.URI
	} else {
		return fmt.Errorf("bot: unfollow %s: %w", target.URI, storage.ErrNotFound)
	}
	if err := b.store.Follows().DeleteRequest(ctx, b.me().ID, target.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("bot: unfollow %s: %w", target.URI, err)
	}
	if err := b.unfollowed(ctx, b.me().ID, target.ID); err != nil {
		return fmt.Errorf("bot: unfollow %s: %w", target.URI, err)
	}
	follow := &ap.Object{ID: followID, Type: ap.TypeFollow, Actor: ap.IRIRef(b.me().URI), Object: ap.Refs{ap.IRIRef(target.URI)}, To: []string{target.URI}}
	return b.Undo(ctx, follow)
}

// UpdateProfile changes the bot's display name and summary (plain text; ""
// keeps the current value) and sends Update(Service) to its followers.
func (b *Bot) UpdateProfile(ctx context.Context, displayName, summary string) error {
	a, err := b.store.Accounts().Get(ctx, b.me().ID)
	if err != nil {
		return fmt.Errorf("bot: update profile: %w", err)
	}
	if displayName != "" {
		a.DisplayName = displayName
	}
	if summary != "" {
		a.NoteSource, a.Note = summary, paragraph(summary)
	}
	if err := b.store.Accounts().Update(ctx, a); err != nil {
		return fmt.Errorf("bot: update profile: %w", err)
	}
	b.account.Store(a)
	up := &ap.Object{ID: b.newActivityID("updates"), Type: ap.TypeUpdate, Actor: ap.IRIRef(a.URI),
		Object: ap.Refs{ap.Embed(federation.AccountToActor(a, b.urls, ""))}, To: []string{ap.Public}}
	if err := b.sender.SendToFollowers(ctx, a, up); err != nil {
		return fmt.Errorf("bot: send profile update: %w", err)
	}
	return nil
}

// actor resolves an actor IRI or a user@host handle.
func (b *Bot) actor(ctx context.Context, ref string) (*storage.Account, error) {
	var a *storage.Account
	var err error
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		a, err = b.resolver.ResolveActor(ctx, ref)
	} else {
		a, err = b.resolver.ResolveHandle(ctx, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("bot: resolve %s: %w", ref, err)
	}
	return a, nil
}

// authorOf resolves the author of the post at iri.
func (b *Bot) authorOf(ctx context.Context, iri string) (*storage.Account, error) {
	o, err := b.resolver.ResolveObject(ctx, iri)
	if err != nil {
		return nil, fmt.Errorf("bot: resolve %s: %w", iri, err)
	}
	author := o.AttributedTo.IRIs()
	if len(author) == 0 || !ap.SameOrigin(author[0], iri) {
		return nil, fmt.Errorf("bot: %s has no author on its origin", iri)
	}
	return b.actor(ctx, author[0])
}

func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}
