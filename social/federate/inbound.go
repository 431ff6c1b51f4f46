package federate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// answer maps the application core's errors to inbox answers: refused
// actions are 403, invalid ones 400, and what cannot be found (or may not
// be seen) is accepted and ignored, so as to reveal nothing.
func (f *Federator) answer(typ string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, social.ErrNotFound):
		f.log.Debug("federate: activity ignored", "type", typ, "err", err)
		return nil
	case errors.Is(err, social.ErrForbidden):
		return federation.ErrReject(typ + " refused")
	case errors.Is(err, social.ErrInvalid):
		return federation.ErrInvalidActivity(err.Error())
	}
	return fmt.Errorf("federate: %s: %w", typ, err)
}

func (f *Federator) onFollow(ctx context.Context, in *federation.Incoming[federation.Follow]) error {
	f.checkSync(ctx, in.Signer)
	target, err := f.localByURI(ctx, in.Activity.Followee())
	if err != nil {
		return err
	}
	if target == nil {
		return federation.ErrReject("not a local actor")
	}
	rel, err := f.svc.Follow(ctx, in.Signer, target.ID, social.FollowOptions{URI: in.Activity.ID()})
	if errors.Is(err, social.ErrForbidden) || errors.Is(err, social.ErrNotFound) {
		// Blocked (or suspended): say no.
		return f.sendFollowAnswer(ctx, target, in.Signer, in.Activity.ID(), false, 0)
	}
	if err != nil {
		return fmt.Errorf("federate: follow: %w", err)
	}
	if rel.Following {
		// An open account, or a follow that already exists.
		return f.sendFollowAnswer(ctx, target, in.Signer, in.Activity.ID(), true, 0)
	}
	return nil // a request awaiting the locked account's decision
}

// followOf finds the local account's follow (or request) of the remote
// signer that the Accept or Reject answers.
func (f *Federator) followOf(ctx context.Context, followID string, signer *storage.Account) (*storage.Follow, bool, error) {
	if followID == "" {
		return nil, false, federation.ErrInvalidActivity("no Follow to answer")
	}
	if r, err := f.store.Follows().GetRequestByURI(ctx, followID); err == nil {
		if r.TargetAccountID != signer.ID {
			return nil, false, federation.ErrReject("not a follow of this actor")
		}
		return (*storage.Follow)(r), true, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, false, err
	}
	if fl, err := f.store.Follows().GetByURI(ctx, followID); err == nil {
		if fl.TargetAccountID != signer.ID {
			return nil, false, federation.ErrReject("not a follow of this actor")
		}
		return fl, false, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, false, err
	}
	return nil, false, nil
}

func (f *Federator) onAccept(ctx context.Context, in *federation.Incoming[federation.Accept]) error {
	fl, pending, err := f.followOf(ctx, in.Activity.FollowID(), in.Signer)
	if err != nil || fl == nil || !pending {
		return err
	}
	_, err = f.svc.AcceptFollow(ctx, fl.AccountID, fl.TargetAccountID)
	return f.answer("Accept", err)
}

func (f *Federator) onReject(ctx context.Context, in *federation.Incoming[federation.Reject]) error {
	fl, _, err := f.followOf(ctx, in.Activity.FollowID(), in.Signer)
	if err != nil || fl == nil {
		return err
	}
	_, err = f.svc.RejectFollow(ctx, fl.AccountID, fl.TargetAccountID)
	return f.answer("Reject", err)
}

func (f *Federator) onUndo(ctx context.Context, in *federation.Incoming[federation.Undo]) error {
	signer := in.Signer
	undone := in.Activity.Embedded()
	if undone != nil && undone.Actor.ID() != "" && undone.Actor.ID() != signer.URI {
		return federation.ErrReject("an actor may only undo its own activities")
	}
	typ := in.Activity.UndoneType()
	obj := in.Activity.UndoneObjectIRI()
	iri := in.Activity.ObjectIRI()
	if typ == "" {
		// Given by IRI: find what it names among what we stored.
		switch {
		case iri == "":
			return federation.ErrInvalidActivity("nothing to undo")
		default:
			if fl, err := f.store.Follows().GetByURI(ctx, iri); err == nil && fl.AccountID == signer.ID {
				_, err := f.svc.Unfollow(ctx, signer, fl.TargetAccountID)
				return f.answer("Undo", err)
			}
			if r, err := f.store.Follows().GetRequestByURI(ctx, iri); err == nil && r.AccountID == signer.ID {
				_, err := f.svc.Unfollow(ctx, signer, r.TargetAccountID)
				return f.answer("Undo", err)
			}
			if fav, err := f.store.Favourites().GetByURI(ctx, iri); err == nil && fav.AccountID == signer.ID {
				_, err := f.svc.Unfavourite(ctx, signer, fav.StatusID)
				return f.answer("Undo", err)
			}
			if b, err := f.store.Statuses().GetByURI(ctx, iri); err == nil && b.AccountID == signer.ID && b.ReblogOfID != 0 {
				_, err := f.svc.Unreblog(ctx, signer, b.ReblogOfID)
				return f.answer("Undo", err)
			}
			if b, err := f.store.Blocks().GetByURI(ctx, iri); err == nil && b.AccountID == signer.ID {
				_, err := f.svc.Unblock(ctx, signer, b.TargetAccountID)
				return f.answer("Undo", err)
			}
			return nil
		}
	}
	switch typ {
	case ap.TypeFollow:
		target, err := f.localByURI(ctx, obj)
		if err != nil || target == nil {
			return err
		}
		_, err = f.svc.Unfollow(ctx, signer, target.ID)
		return f.answer("Undo", err)
	case ap.TypeLike, ap.TypeEmojiReact:
		st, err := f.statusByURI(ctx, obj)
		if err != nil || st == nil {
			return err
		}
		_, err = f.svc.Unfavourite(ctx, signer, st.ID)
		return f.answer("Undo", err)
	case ap.TypeAnnounce:
		b, err := f.statusByURI(ctx, iri)
		if err != nil {
			return err
		}
		if b != nil && b.AccountID == signer.ID && b.ReblogOfID != 0 {
			_, err = f.svc.Unreblog(ctx, signer, b.ReblogOfID)
			return f.answer("Undo", err)
		}
		// Announce ids we did not store: find the boost by its object.
		st, err := f.statusByURI(ctx, obj)
		if err != nil || st == nil {
			return err
		}
		_, err = f.svc.Unreblog(ctx, signer, st.ID)
		return f.answer("Undo", err)
	case ap.TypeBlock:
		target, err := f.localByURI(ctx, obj)
		if err != nil || target == nil {
			return err
		}
		_, err = f.svc.Unblock(ctx, signer, target.ID)
		return f.answer("Undo", err)
	}
	return nil
}

func (f *Federator) onCreate(ctx context.Context, in *federation.Incoming[federation.Create]) error {
	f.checkSync(ctx, in.Signer)
	if t := in.Activity.ObjectType(); t != "" && !ap.IsPostType(t) {
		return nil
	}
	obj, err := in.Object(ctx)
	if err != nil {
		return err
	}
	if !ap.IsPostType(obj.Type) {
		return nil
	}
	if vote, err := f.receiveVote(ctx, obj, in.Signer); err != nil || vote {
		return err
	}
	if st, err := f.statusByURI(ctx, obj.ID); err != nil || st != nil {
		return err
	}
	_, err = f.storePost(ctx, obj, in.Signer, storeOptions{fanOut: true, parents: true, personal: in.Recipient != nil})
	return err
}

type storeOptions struct {
	fanOut   bool // into home feeds, with notifications
	parents  bool // fetch missing ancestors
	personal bool // received in a personal inbox: wanted
	force    bool // store even when no local account is concerned
}

// storePost converts and stores a verified post by author (see convert),
// after its missing ancestors when opts.parents. Unless opts.force or
// Options.AcceptUnsolicited, a post no local account follows, is mentioned
// in or is replied to is dropped (nil, nil).
func (f *Federator) storePost(ctx context.Context, obj *ap.Object, author *storage.Account, opts storeOptions) (*storage.Status, error) {
	if st, err := f.statusByURI(ctx, obj.ID); err != nil || st != nil {
		return st, err
	}
	if author.Local() {
		return nil, federation.ErrReject("a remote activity cannot create a local post")
	}
	if opts.force && f.o.PostPolicy != nil {
		// Fetched, not delivered: the inbox's policy has not seen it.
		judged, err := f.o.PostPolicy(ctx, obj, author)
		if err != nil {
			f.log.Info("federate: fetched post refused by policy", "id", obj.ID, "author", author.URI, "reason", err)
			return nil, nil
		}
		if judged != nil {
			obj = judged
		}
	}
	conv, err := f.convert(ctx, obj, author)
	if err != nil {
		return nil, err
	}
	st := conv.status
	parent, err := f.statusByURI(ctx, st.InReplyToURI)
	if err != nil {
		return nil, err
	}
	if !opts.force && !opts.personal && !f.o.AcceptUnsolicited && !conv.localMention {
		wanted := false
		if parent != nil {
			if pa, err := f.store.Accounts().Get(ctx, parent.AccountID); err == nil && pa.Local() {
				wanted = true
			}
		}
		if !wanted {
			ids, err := f.store.Follows().FollowerIDs(ctx, author.ID, true)
			if err != nil {
				return nil, fmt.Errorf("federate: local followers: %w", err)
			}
			wanted = len(ids) > 0
		}
		if !wanted {
			f.log.Debug("federate: unsolicited post dropped", "id", obj.ID, "author", author.URI)
			return nil, nil
		}
	}
	if parent == nil && st.InReplyToURI != "" && opts.parents {
		f.fetchAncestors(ctx, st.InReplyToURI, obj.ID)
	}
	out, created, err := f.svc.ReceiveStatus(ctx, st, social.ReceiveOptions{NoFanOut: !opts.fanOut, Media: conv.media, Poll: conv.poll})
	if err != nil {
		return nil, f.answer("Create", err)
	}
	if created && f.o.Media != nil && len(out.MediaIDs) > 0 {
		f.o.Media.EnqueueAttachments(out.MediaIDs...)
	}
	return out, nil
}

// fetchAncestors fetches the missing ancestors of a post, from iri (its
// parent) upwards, and stores them (without fan-out) oldest first. The
// walk stops at a stored status, the root, a cycle, Options.ThreadDepth
// ancestors, or when the fetch budget runs out: a flood of replies or an
// endless chain costs at most that many fetches.
func (f *Federator) fetchAncestors(ctx context.Context, iri, self string) {
	seen := map[string]bool{self: true}
	var chain []*ap.Object
	for cur := iri; cur != "" && len(chain) < f.o.ThreadDepth; {
		if seen[cur] {
			break
		}
		seen[cur] = true
		if st, err := f.statusByURI(ctx, cur); err != nil || st != nil {
			break
		}
		o, err := f.resolver.ResolveObject(ctx, cur)
		if err != nil {
			f.log.Debug("federate: ancestor not fetched", "iri", cur, "err", err)
			break
		}
		if !ap.IsPostType(o.Type) || o.ID == "" {
			break
		}
		chain = append(chain, o)
		cur = o.InReplyTo.ID()
	}
	for i := len(chain) - 1; i >= 0; i-- {
		o := chain[i]
		authorIRI := attributedActor(o)
		if authorIRI == "" || !ap.SameOrigin(authorIRI, o.ID) {
			return
		}
		author, err := f.resolver.ResolveActor(ctx, authorIRI)
		if err != nil || author.Local() {
			return
		}
		if _, err := f.storePost(ctx, o, author, storeOptions{force: true}); err != nil {
			f.log.Debug("federate: ancestor not stored", "iri", o.ID, "err", err)
			return
		}
	}
}

func (f *Federator) onUpdate(ctx context.Context, in *federation.Incoming[federation.Update]) error {
	signer := in.Signer
	if in.Activity.IsProfileUpdate() || in.Activity.ObjectIRI() == signer.URI {
		f.resolver.Forget(signer.URI)
		if _, err := f.resolver.RefreshActor(ctx, signer.URI); err != nil {
			return &federation.TemporaryError{Err: err}
		}
		return nil
	}
	if t := in.Activity.ObjectType(); t != "" && !ap.IsPostType(t) {
		return nil
	}
	obj, err := in.Object(ctx)
	if err != nil {
		return err
	}
	if !ap.IsPostType(obj.Type) {
		return nil
	}
	st, err := f.statusByURI(ctx, obj.ID)
	if err != nil || st == nil {
		return err
	}
	if st.AccountID != signer.ID {
		return federation.ErrReject("the status belongs to another actor")
	}
	f.resolver.Forget(obj.ID)
	return f.answer("Update", f.updatePost(ctx, obj, signer, st))
}

// updatePost applies a new version of the remote post st by author (an
// Update, or a refetch): content, mentions, tags, emojis, and the poll
// with its tallies.
func (f *Federator) updatePost(ctx context.Context, obj *ap.Object, author *storage.Account, st *storage.Status) error {
	conv, err := f.convert(ctx, obj, author)
	if err != nil {
		return err
	}
	c := conv.status
	extra := maps.Clone(st.Extra)
	if extra == nil {
		extra = storage.Extra{}
	}
	delete(extra, "poll") // where polls were kept before they had a table
	maps.Copy(extra, c.Extra)
	edit := social.RemoteEdit{Content: c.Content, SpoilerText: c.SpoilerText, Sensitive: c.Sensitive, Language: c.Language,
		Mentions: c.Mentions, Tags: c.Tags, Emojis: c.Emojis, Extra: extra, EditedAt: obj.Updated, Poll: conv.poll,
		Media: conv.media}
	_, change, err := f.svc.ReceiveEditMedia(ctx, author, st.ID, edit)
	if err != nil {
		return err
	}
	if f.o.Media != nil {
		if len(change.Added) > 0 {
			f.o.Media.EnqueueAttachments(change.Added...)
		}
		if r, ok := f.o.Media.(MediaRemover); ok && len(change.Removed) > 0 {
			if err := r.DeleteCachedFiles(ctx, change.Removed...); err != nil {
				f.log.Info("federate: cached files of removed attachments not deleted", "status", st.ID, "err", err)
			}
		}
	}
	return nil
}

func (f *Federator) onDelete(ctx context.Context, in *federation.Incoming[federation.Delete]) error {
	signer := in.Signer
	if in.Activity.IsActorDeletion() {
		f.resolver.Forget(signer.URI)
		return f.answer("Delete", f.svc.RemoveRemoteAccount(ctx, signer))
	}
	iri := in.Activity.ObjectIRI()
	if !ap.SameOrigin(iri, signer.URI) {
		return federation.ErrReject("an actor may only delete its own objects")
	}
	st, err := f.statusByURI(ctx, iri)
	if err != nil || st == nil {
		return err
	}
	if st.AccountID != signer.ID {
		return federation.ErrReject("the status belongs to another actor")
	}
	f.resolver.Forget(iri)
	_, err = f.svc.DeleteStatus(ctx, signer, st.ID)
	return f.answer("Delete", err)
}

func (f *Federator) onLike(ctx context.Context, in *federation.Incoming[federation.Like]) error {
	st, err := f.statusByURI(ctx, in.Activity.StatusIRI())
	if err != nil || st == nil || !st.Local {
		return err
	}
	_, err = f.svc.ReceiveFavourite(ctx, in.Signer, st.ID, in.Activity.ID())
	return f.answer("Like", err)
}

func (f *Federator) onAnnounce(ctx context.Context, in *federation.Incoming[federation.Announce]) error {
	signer := in.Signer
	f.checkSync(ctx, signer)
	st, err := f.statusByURI(ctx, in.Activity.StatusIRI())
	if err != nil {
		return err
	}
	if st == nil {
		// A boost of a post we do not have: worth fetching only for the
		// booster's local followers.
		if !f.o.AcceptUnsolicited {
			ids, err := f.store.Follows().FollowerIDs(ctx, signer.ID, true)
			if err != nil {
				return fmt.Errorf("federate: local followers: %w", err)
			}
			if len(ids) == 0 {
				return nil
			}
		}
		obj, err := in.Object(ctx)
		if err != nil {
			return err
		}
		if !ap.IsPostType(obj.Type) {
			return nil
		}
		authorIRI := attributedActor(obj)
		if authorIRI == "" || !ap.SameOrigin(authorIRI, obj.ID) {
			return federation.ErrReject("the boosted post is not attributed to an actor of its origin")
		}
		author, err := f.resolver.ResolveActor(ctx, authorIRI)
		if err != nil {
			return &federation.TemporaryError{Err: err}
		}
		if author.Local() {
			return nil
		}
		if st, err = f.storePost(ctx, obj, author, storeOptions{force: true, parents: true}); err != nil || st == nil {
			return err
		}
	}
	act := in.Activity.AP
	vis := ap.VisibilityOf(act.To, act.Cc, signer.FollowersURI)
	_, err = f.svc.ReceiveReblog(ctx, signer, st.ID, in.Activity.ID(), storage.Visibility(vis), act.Published)
	return f.answer("Announce", err)
}

func (f *Federator) onBlock(ctx context.Context, in *federation.Incoming[federation.Block]) error {
	target, err := f.localByURI(ctx, in.Activity.Blocked())
	if err != nil || target == nil {
		return err
	}
	_, err = f.svc.Block(ctx, in.Signer, target.ID)
	return f.answer("Block", err)
}

func (f *Federator) onMove(ctx context.Context, in *federation.Incoming[federation.Move]) error {
	signer := in.Signer
	if in.Activity.From() != signer.URI {
		return federation.ErrReject("an actor may only move itself")
	}
	to := in.Activity.To()
	if to == "" || to == signer.URI {
		return federation.ErrInvalidActivity("no target account")
	}
	dest, err := f.resolver.RefreshActor(ctx, to)
	if err != nil {
		if local, lerr := f.localByURI(ctx, to); lerr == nil && local != nil {
			dest = local
		} else {
			return &federation.TemporaryError{Err: err}
		}
	}
	if !slices.Contains(dest.AlsoKnownAs, signer.URI) {
		return federation.ErrReject("the target account does not list the moved account in alsoKnownAs")
	}
	if signer.MovedToID != dest.ID {
		moved := *signer
		moved.MovedToID = dest.ID
		if err := f.store.Accounts().Update(ctx, &moved); err != nil {
			return fmt.Errorf("federate: move: %w", err)
		}
	}
	// Move the local followers' follows.
	var follows []*storage.Follow
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		fs, err := f.store.Follows().Followers(ctx, signer.ID, p)
		if err != nil {
			return fmt.Errorf("federate: move: %w", err)
		}
		follows = append(follows, fs...)
		if len(fs) < p.Limit {
			break
		}
		p.MaxID = fs[len(fs)-1].ID
	}
	for _, fl := range follows {
		follower, err := f.store.Accounts().Get(ctx, fl.AccountID)
		if err != nil || !follower.Local() {
			continue
		}
		reblogs, notify := fl.ShowReblogs, fl.Notify
		if _, err := f.svc.Follow(ctx, follower, dest.ID, social.FollowOptions{Reblogs: &reblogs, Notify: &notify, Languages: fl.Languages}); err != nil {
			f.log.Info("federate: move: follow new account", "follower", follower.ID, "err", err)
			continue
		}
		if _, err := f.svc.Unfollow(ctx, follower, signer.ID); err != nil {
			f.log.Info("federate: move: unfollow old account", "follower", follower.ID, "err", err)
		}
	}
	return nil
}
