package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// The inbox handlers. Each gets a verified activity (signature checked, key
// owner = actor, id on the actor's origin, not seen before) and answers 202
// by returning nil.

// onFollow accepts every Follow of the bot and follows back.
func (b *Bot) onFollow(ctx context.Context, in *federation.Incoming[federation.Follow]) error {
	me := b.me()
	if in.Activity.Followee() != me.URI {
		return federation.ErrReject("only " + me.URI + " can be followed here")
	}
	from := in.Signer
	err := b.store.Tx(ctx, func(tx storage.Store) error {
		err := tx.Follows().Create(ctx, &storage.Follow{AccountID: from.ID, TargetAccountID: me.ID, URI: in.Activity.ID()})
		if errors.Is(err, storage.ErrConflict) {
			return nil // already a follower: accept again
		}
		if err != nil {
			return err
		}
		if err := tx.Accounts().AdjustCounts(ctx, me.ID, 0, 1, 0, nil); err != nil {
			return err
		}
		return tx.Accounts().AdjustCounts(ctx, from.ID, 0, 0, 1, nil)
	})
	if err != nil {
		return fmt.Errorf("bot: record follow: %w", err)
	}
	accept := &ap.Object{ID: b.newActivityID("accepts"), Type: ap.TypeAccept, Actor: ap.IRIRef(me.URI),
		Object: ap.Refs{ap.Embed(in.Activity.AP)}, To: []string{from.URI}}
	if err := b.sender.Send(ctx, me, accept); err != nil {
		return fmt.Errorf("bot: accept: %w", err)
	}
	b.log.Info("new follower", "actor", from.URI)
	if err := b.followBack(ctx, from); err != nil {
		b.log.Warn("follow back", "actor", from.URI, "err", err)
	}
	b.event(ctx, ap.TypeFollow, in.Activity.AP, nil, from)
	return nil
}

// followBack follows target unless the bot follows it or asked to already.
func (b *Bot) followBack(ctx context.Context, target *storage.Account) error {
	if _, err := b.store.Follows().Get(ctx, b.me().ID, target.ID); err == nil {
		return nil
	}
	if _, err := b.store.Follows().GetRequest(ctx, b.me().ID, target.ID); err == nil {
		return nil
	}
	return b.follow(ctx, target)
}

// onAccept turns the bot's pending follow request into a follow.
func (b *Bot) onAccept(ctx context.Context, in *federation.Incoming[federation.Accept]) error {
	req, err := b.store.Follows().GetRequestByURI(ctx, in.Activity.FollowID())
	if errors.Is(err, storage.ErrNotFound) {
		return nil // not ours, or already accepted
	}
	if err != nil {
		return fmt.Errorf("bot: accept: %w", err)
	}
	if req.AccountID != b.me().ID || req.TargetAccountID != in.Signer.ID {
		return federation.ErrReject("only the followed actor can accept a follow")
	}
	err = b.store.Tx(ctx, func(tx storage.Store) error {
		if err := tx.Follows().DeleteRequest(ctx, req.AccountID, req.TargetAccountID); err != nil {
			return err
		}
		err := tx.Follows().Create(ctx, &storage.Follow{AccountID: req.AccountID, TargetAccountID: req.TargetAccountID, URI: req.URI})
		if errors.Is(err, storage.ErrConflict) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.Accounts().AdjustCounts(ctx, req.AccountID, 0, 0, 1, nil); err != nil {
			return err
		}
		return tx.Accounts().AdjustCounts(ctx, req.TargetAccountID, 0, 1, 0, nil)
	})
	if err != nil {
		return fmt.Errorf("bot: accept: %w", err)
	}
	b.event(ctx, ap.TypeAccept, in.Activity.AP, nil, in.Signer)
	return nil
}

// onReject drops the bot's follow request (or follow) of the sender.
func (b *Bot) onReject(ctx context.Context, in *federation.Incoming[federation.Reject]) error {
	if err := b.store.Follows().DeleteRequest(ctx, b.me().ID, in.Signer.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("bot: reject: %w", err)
	}
	if err := b.unfollowed(ctx, b.me().ID, in.Signer.ID); err != nil {
		return fmt.Errorf("bot: reject: %w", err)
	}
	b.event(ctx, ap.TypeReject, in.Activity.AP, nil, in.Signer)
	return nil
}

// unfollowed deletes the follow of target by account, if any, and adjusts
// the counters.
func (b *Bot) unfollowed(ctx context.Context, account, target storage.ID) error {
	return b.store.Tx(ctx, func(tx storage.Store) error {
		err := tx.Follows().Delete(ctx, account, target)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.Accounts().AdjustCounts(ctx, account, 0, 0, -1, nil); err != nil {
			return err
		}
		return tx.Accounts().AdjustCounts(ctx, target, 0, -1, 0, nil)
	})
}

// onUndo reverts a Follow of the bot, or a Like or boost of its posts.
func (b *Bot) onUndo(ctx context.Context, in *federation.Incoming[federation.Undo]) error {
	from := in.Signer
	undone := in.Activity.ObjectIRI()
	switch in.Activity.UndoneType() {
	case ap.TypeFollow, "":
		f, err := b.store.Follows().GetByURI(ctx, undone)
		switch {
		case err == nil && f.AccountID == from.ID:
			if err := b.unfollowed(ctx, from.ID, f.TargetAccountID); err != nil {
				return fmt.Errorf("bot: undo follow: %w", err)
			}
		case in.Activity.UndoneType() == ap.TypeFollow && in.Activity.UndoneObjectIRI() == b.me().URI:
			// Some servers give the Follow a new id in the Undo.
			if err := b.unfollowed(ctx, from.ID, b.me().ID); err != nil {
				return fmt.Errorf("bot: undo follow: %w", err)
			}
		case in.Activity.UndoneType() == "":
			if err := b.undoInteraction(ctx, from, undone); err != nil {
				return err
			}
		}
	case ap.TypeLike, ap.TypeAnnounce:
		if err := b.undoInteraction(ctx, from, undone); err != nil {
			return err
		}
	}
	b.event(ctx, ap.TypeUndo, in.Activity.AP, nil, from)
	return nil
}

// undoInteraction removes the like or boost whose activity id is id.
func (b *Bot) undoInteraction(ctx context.Context, from *storage.Account, id string) error {
	if fav, err := b.store.Favourites().GetByURI(ctx, id); err == nil && fav.AccountID == from.ID {
		return b.store.Tx(ctx, func(tx storage.Store) error {
			if err := tx.Favourites().Delete(ctx, fav.AccountID, fav.StatusID); err != nil {
				return fmt.Errorf("bot: undo like: %w", err)
			}
			return tx.Statuses().AdjustCounts(ctx, fav.StatusID, 0, 0, -1)
		})
	}
	if boost, err := b.store.Statuses().GetByURI(ctx, id); err == nil && boost.AccountID == from.ID && boost.ReblogOfID != 0 {
		return b.store.Tx(ctx, func(tx storage.Store) error {
			if err := tx.Statuses().Delete(ctx, boost.ID); err != nil {
				return fmt.Errorf("bot: undo boost: %w", err)
			}
			return tx.Statuses().AdjustCounts(ctx, boost.ReblogOfID, 0, -1, 0)
		})
	}
	return nil
}

// ownStatus finds the bot's status with IRI iri.
func (b *Bot) ownStatus(ctx context.Context, iri string) (*storage.Status, error) {
	s, err := b.store.Statuses().GetByURI(ctx, iri)
	if err != nil {
		return nil, err
	}
	if s.AccountID != b.me().ID || s.ReblogOfID != 0 {
		return nil, fmt.Errorf("bot: %s: %w", iri, storage.ErrNotFound)
	}
	return s, nil
}

// onLike counts a like of one of the bot's posts.
func (b *Bot) onLike(ctx context.Context, in *federation.Incoming[federation.Like]) error {
	s, err := b.ownStatus(ctx, in.Activity.StatusIRI())
	if errors.Is(err, storage.ErrNotFound) {
		return nil // not one of ours: nothing to count
	}
	if err != nil {
		return fmt.Errorf("bot: like: %w", err)
	}
	err = b.store.Tx(ctx, func(tx storage.Store) error {
		err := tx.Favourites().Create(ctx, &storage.Favourite{AccountID: in.Signer.ID, StatusID: s.ID, URI: in.Activity.ID()})
		if errors.Is(err, storage.ErrConflict) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.Statuses().AdjustCounts(ctx, s.ID, 0, 0, 1)
	})
	if err != nil {
		return fmt.Errorf("bot: like: %w", err)
	}
	b.event(ctx, ap.TypeLike, in.Activity.AP, nil, in.Signer)
	return nil
}

// onAnnounce records a boost of one of the bot's posts.
func (b *Bot) onAnnounce(ctx context.Context, in *federation.Incoming[federation.Announce]) error {
	s, err := b.ownStatus(ctx, in.Activity.StatusIRI())
	if errors.Is(err, storage.ErrNotFound) {
		b.event(ctx, ap.TypeAnnounce, in.Activity.AP, nil, in.Signer)
		return nil
	}
	if err != nil {
		return fmt.Errorf("bot: announce: %w", err)
	}
	err = b.store.Tx(ctx, func(tx storage.Store) error {
		err := tx.Statuses().Create(ctx, &storage.Status{URI: in.Activity.ID(), AccountID: in.Signer.ID, ReblogOfID: s.ID,
			Visibility: storage.Visibility(in.Activity.AP.Visibility(in.Signer.FollowersURI))})
		if errors.Is(err, storage.ErrConflict) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.Statuses().AdjustCounts(ctx, s.ID, 0, 1, 0)
	})
	if err != nil {
		return fmt.Errorf("bot: announce: %w", err)
	}
	b.event(ctx, ap.TypeAnnounce, in.Activity.AP, nil, in.Signer)
	return nil
}

// onCreate answers posts that mention the bot.
func (b *Bot) onCreate(ctx context.Context, in *federation.Incoming[federation.Create]) error {
	note, err := in.Object(ctx)
	if err != nil {
		return err
	}
	from := in.Signer
	defer b.event(ctx, ap.TypeCreate, in.Activity.AP, note, from)
	if !ap.IsPostType(note.Type) || !b.mentioned(note) || from.URI == b.me().URI {
		return nil
	}
	if from.Bot && !b.opts.ReplyToBots {
		b.log.Info("not answering a bot", "actor", from.URI, "note", note.ID)
		return nil
	}
	text := b.opts.Reply(ctx, note, from)
	if text == "" {
		return nil
	}
	if _, err := b.reply(ctx, note, from, text); err != nil {
		return fmt.Errorf("bot: reply: %w", err)
	}
	return nil
}

// mentioned reports whether note mentions or addresses the bot.
func (b *Bot) mentioned(note *ap.Object) bool {
	for _, t := range note.Tag.Objects() {
		if t.Type == ap.TypeMention && t.Href == b.me().URI {
			return true
		}
	}
	for _, to := range append(note.To[:len(note.To):len(note.To)], note.Cc...) {
		if to == b.me().URI {
			return true
		}
	}
	return false
}

// onUpdate refreshes a follower's stored profile; edits of posts are only
// reported (the bot keeps no remote posts).
func (b *Bot) onUpdate(ctx context.Context, in *federation.Incoming[federation.Update]) error {
	obj, err := in.Object(ctx)
	if err != nil {
		return err
	}
	if in.Activity.IsProfileUpdate() {
		fresh, err := federation.ActorToAccount(obj)
		if err != nil {
			return federation.ErrInvalidActivity(err.Error())
		}
		old := in.Signer
		fresh.ID, fresh.CreatedAt, fresh.Extra = old.ID, old.CreatedAt, mergeExtra(old.Extra, fresh.Extra)
		t := now()
		fresh.FetchedAt = &t
		if err := b.store.Accounts().Update(ctx, fresh); err != nil {
			return fmt.Errorf("bot: update profile: %w", err)
		}
		b.resolver.Forget(old.URI)
		b.resolver.Forget(old.PublicKeyID)
	} else {
		b.resolver.Forget(obj.ID)
	}
	b.event(ctx, ap.TypeUpdate, in.Activity.AP, obj, in.Signer)
	return nil
}

func mergeExtra(old, fresh storage.Extra) storage.Extra {
	out := storage.Extra{}
	for k, v := range old {
		out[k] = v
	}
	for k, v := range fresh {
		out[k] = v
	}
	return out
}

// onDelete forgets a deleted actor's follows; deletions of posts are only
// reported.
func (b *Bot) onDelete(ctx context.Context, in *federation.Incoming[federation.Delete]) error {
	if in.Activity.IsActorDeletion() {
		if err := b.forgetRelations(ctx, in.Signer); err != nil {
			return err
		}
	} else {
		b.resolver.Forget(in.Activity.ObjectIRI())
	}
	b.event(ctx, ap.TypeDelete, in.Activity.AP, nil, in.Signer)
	return nil
}

// onBlock ends the follows between the bot and the blocker.
func (b *Bot) onBlock(ctx context.Context, in *federation.Incoming[federation.Block]) error {
	if in.Activity.Blocked() == b.me().URI {
		if err := b.forgetRelations(ctx, in.Signer); err != nil {
			return err
		}
	}
	b.event(ctx, ap.TypeBlock, in.Activity.AP, nil, in.Signer)
	return nil
}

func (b *Bot) forgetRelations(ctx context.Context, other *storage.Account) error {
	if err := b.unfollowed(ctx, other.ID, b.me().ID); err != nil {
		return fmt.Errorf("bot: forget follows: %w", err)
	}
	if err := b.unfollowed(ctx, b.me().ID, other.ID); err != nil {
		return fmt.Errorf("bot: forget follows: %w", err)
	}
	if err := b.store.Follows().DeleteRequest(ctx, b.me().ID, other.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("bot: forget follow request: %w", err)
	}
	return nil
}
