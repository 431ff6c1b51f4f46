package federate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Publish implements social.EventSink: for events whose actor is a local
// account it builds the activity other servers expect and queues it for
// delivery (durably, through the Sender and its Deliverer):
//
//	status.created      Create(Note), or Announce for a boost
//	status.updated      Update(Note)
//	status.deleted      Delete(Tombstone), and Undo(Announce) for local boosts removed with it
//	status.unreblogged  Undo(Announce)
//	status.favourited   Like (to the author)       status.unfavourited  Undo(Like)
//	follow.requested    Follow (to a remote account; its id is the request's URI)
//	account.unfollowed  Undo(Follow)
//	follow.accepted     Accept(Follow)             follow.rejected      Reject(Follow)
//	account.blocked     Block                      account.unblocked    Undo(Block)
//	account.updated     Update(Person)
//	poll.voted          Create(Note{name}) to a remote poll's author; Update(Question) for a local poll (delayed)
//	poll.ended          Update(Question) for a local poll; a remote poll is fetched again
//	account.suspended   Delete(Person)             account.unsuspended  Update(Person)
//	report.forwarded    Flag, from the instance actor
//
// Posts are addressed by visibility (ap.Addressing) and delivered to the
// author's followers (shared inboxes) — except direct ones — and to every
// mentioned actor; public and unlisted replies also reach the author
// replied to, and boosts the boosted author. Remote actors' events (from
// inbound activities) are ignored. Failures are logged: the change is
// already committed.
func (f *Federator) Publish(ctx context.Context, e social.Event) {
	f.invalidateSync(e)
	if e.Type == social.EventPollVoted || e.Type == social.EventPollEnded {
		// Votes and ends of local polls concern remote servers whoever the
		// actor is.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.o.SendTimeout)
		defer cancel()
		if err := f.publishPoll(ctx, e); err != nil {
			f.log.Warn("federate: outbound poll activity failed", "event", e.Type, "err", err)
		}
		return
	}
	if e.Actor == nil || !e.Actor.Local() || e.Actor.URI == f.urls.InstanceActor() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.o.SendTimeout)
	defer cancel()
	if err := f.publish(ctx, e); err != nil {
		f.log.Warn("federate: outbound activity failed", "event", e.Type, "actor", e.Actor.URI, "err", err)
	}
}

func (f *Federator) invalidateSync(e social.Event) {
	if f.o.Sync == nil {
		return
	}
	switch e.Type {
	case social.EventAccountFollowed, social.EventAccountUnfollowed, social.EventFollowAccepted, social.EventFollowRejected, social.EventAccountBlocked:
		for _, a := range []*storage.Account{e.Actor, e.Target} {
			if a != nil && a.Local() {
				f.o.Sync.Invalidate(a.ID)
			}
		}
	}
}

func (f *Federator) publish(ctx context.Context, e social.Event) error {
	a := e.Actor
	switch e.Type {
	case social.EventStatusCreated:
		if e.Status == nil {
			return nil
		}
		if e.Status.ReblogOfID != 0 {
			return f.sendAnnounce(ctx, a, e.Status, e.Reblog, false)
		}
		note, rcpts, err := f.noteOf(ctx, e.Status, a)
		if err != nil {
			return err
		}
		return f.sender.Send(ctx, a, federation.CreateOf(note), rcpts...)
	case social.EventStatusUpdated:
		if e.Status == nil || e.Status.ReblogOfID != 0 {
			return nil
		}
		note, rcpts, err := f.noteOf(ctx, e.Status, a)
		if err != nil {
			return err
		}
		at := time.Now().UTC()
		if e.Status.EditedAt != nil {
			at = *e.Status.EditedAt
		}
		upd := &ap.Object{ID: note.ID + "#updates/" + strconv.FormatInt(at.UnixMilli(), 10), Type: ap.TypeUpdate,
			Actor: ap.IRIRef(a.URI), Published: at.Truncate(time.Second), To: note.To, Cc: note.Cc, Object: ap.Refs{ap.Embed(note)}}
		return f.sender.Send(ctx, a, upd, append(rcpts, f.reach(ctx, e.Status, e)...)...)
	case social.EventStatusDeleted:
		if e.Status == nil {
			return nil
		}
		for _, b := range e.DeletedReblogs {
			if booster, err := f.store.Accounts().Get(ctx, b.AccountID); err == nil && booster.Local() {
				if err := f.sendAnnounce(ctx, booster, b, e.Status, true); err != nil {
					f.log.Warn("federate: undo boost of deleted status", "err", err)
				}
			}
		}
		if e.Status.ReblogOfID != 0 {
			return f.sendAnnounce(ctx, a, e.Status, nil, true)
		}
		note, rcpts, err := f.noteOf(ctx, e.Status, a)
		if err != nil {
			return err
		}
		del := &ap.Object{ID: note.ID + "#delete", Type: ap.TypeDelete, Actor: ap.IRIRef(a.URI), To: note.To, Cc: note.Cc,
			Object: ap.Refs{ap.Embed(&ap.Object{ID: note.ID, Type: ap.TypeTombstone})}}
		return f.sender.Send(ctx, a, del, append(rcpts, f.reach(ctx, e.Status, e)...)...)
	case social.EventStatusReblogged:
		return f.sendAnnounce(ctx, a, e.Status, e.Reblog, false)
	case social.EventStatusUnreblogged:
		return f.sendAnnounce(ctx, a, e.Status, e.Reblog, true)
	case social.EventStatusFavourited, social.EventStatusUnfavourited:
		if e.Status == nil || e.Favourite == nil || e.Target == nil || e.Target.Local() {
			return nil
		}
		like := &ap.Object{ID: e.Favourite.URI, Type: ap.TypeLike, Actor: ap.IRIRef(a.URI),
			Object: ap.Refs{ap.IRIRef(e.Status.URI)}, To: []string{e.Target.URI}}
		if like.ID == "" {
			like.ID = f.urls.Activity(a.Username, "likes", e.Favourite.ID)
		}
		if e.Type == social.EventStatusUnfavourited {
			return f.sender.Send(ctx, a, undo(like), e.Target.URI)
		}
		return f.sender.Send(ctx, a, like, e.Target.URI)
	case social.EventFollowRequested, social.EventAccountUnfollowed:
		if e.Target == nil || e.Target.Local() || e.Follow == nil {
			return nil
		}
		follow := &ap.Object{ID: e.Follow.URI, Type: ap.TypeFollow, Actor: ap.IRIRef(a.URI),
			Object: ap.Refs{ap.IRIRef(e.Target.URI)}, To: []string{e.Target.URI}}
		if follow.ID == "" {
			follow.ID = f.urls.Activity(a.Username, "follows", e.Follow.ID)
		}
		if e.Type == social.EventAccountUnfollowed {
			return f.sender.Send(ctx, a, undo(follow), e.Target.URI)
		}
		return f.sender.Send(ctx, a, follow, e.Target.URI)
	case social.EventFollowAccepted, social.EventFollowRejected:
		// Actor is the local account followed, Target the remote follower.
		if e.Target == nil || e.Target.Local() || e.Follow == nil {
			return nil
		}
		return f.sendFollowAnswer(ctx, a, e.Target, e.Follow.URI, e.Type == social.EventFollowAccepted, e.Follow.ID)
	case social.EventAccountBlocked, social.EventAccountUnblocked:
		if e.Target == nil || e.Target.Local() || e.Block == nil {
			return nil
		}
		block := &ap.Object{ID: e.Block.URI, Type: ap.TypeBlock, Actor: ap.IRIRef(a.URI),
			Object: ap.Refs{ap.IRIRef(e.Target.URI)}, To: []string{e.Target.URI}}
		if block.ID == "" {
			block.ID = f.urls.Activity(a.Username, "blocks", e.Block.ID)
		}
		if e.Type == social.EventAccountUnblocked {
			return f.sender.Send(ctx, a, undo(block), e.Target.URI)
		}
		return f.sender.Send(ctx, a, block, e.Target.URI)
	case social.EventAccountUpdated:
		return f.sendProfile(ctx, a)
	case social.EventAccountSuspended:
		return f.SendActorDelete(ctx, a)
	case social.EventAccountUnsuspended:
		return f.sendProfile(ctx, a)
	case social.EventReportForwarded:
		return f.sendFlag(ctx, e)
	}
	return nil
}

// undo wraps act in an Undo by the same actor.
func undo(act *ap.Object) *ap.Object {
	return &ap.Object{ID: act.ID + "/undo", Type: ap.TypeUndo, Actor: act.Actor, To: act.To, Cc: act.Cc,
		Object: ap.Refs{ap.Embed(act)}}
}

// sendFollowAnswer sends Accept or Reject of the remote follower's Follow
// (whose id is followURI) of the local account me.
func (f *Federator) sendFollowAnswer(ctx context.Context, me, follower *storage.Account, followURI string, accept bool, seq storage.ID) error {
	if followURI == "" {
		return nil
	}
	typ, kind := ap.TypeReject, "rejects"
	if accept {
		typ, kind = ap.TypeAccept, "accepts"
	}
	if seq == 0 {
		seq = f.store.NewID()
	}
	act := &ap.Object{ID: f.urls.Activity(me.Username, kind, seq), Type: typ, Actor: ap.IRIRef(me.URI), To: []string{follower.URI},
		Object: ap.Refs{ap.Embed(&ap.Object{ID: followURI, Type: ap.TypeFollow, Actor: ap.IRIRef(follower.URI), Object: ap.Refs{ap.IRIRef(me.URI)}})}}
	return f.sender.Send(ctx, me, act, follower.URI)
}

// sendAnnounce sends the Announce of a boost (or its Undo).
func (f *Federator) sendAnnounce(ctx context.Context, booster *storage.Account, boost, orig *storage.Status, isUndo bool) error {
	if boost == nil {
		return nil
	}
	if orig == nil {
		o, err := f.store.Statuses().Get(ctx, boost.ReblogOfID)
		if err != nil {
			return fmt.Errorf("boosted status: %w", err)
		}
		orig = o
	}
	author, err := f.store.Accounts().Get(ctx, orig.AccountID)
	if err != nil {
		return fmt.Errorf("boosted author: %w", err)
	}
	ann := federation.AnnounceOf(boost, booster, orig.URI, author)
	rcpts := []string{booster.FollowersURI}
	if !author.Local() {
		rcpts = append(rcpts, author.URI)
	}
	if isUndo {
		return f.sender.Send(ctx, booster, undo(ann), rcpts...)
	}
	return f.sender.Send(ctx, booster, ann, rcpts...)
}

// sendProfile sends Update(Person) to the account's followers.
func (f *Federator) sendProfile(ctx context.Context, a *storage.Account) error {
	movedTo := ""
	if a.MovedToID != 0 {
		if m, err := f.store.Accounts().Get(ctx, a.MovedToID); err == nil {
			movedTo = m.URI
		}
	}
	actor := federation.AccountToActor(a, f.urls, movedTo)
	now := time.Now().UTC()
	upd := &ap.Object{ID: a.URI + "#updates/" + strconv.FormatInt(now.UnixMilli(), 10), Type: ap.TypeUpdate,
		Actor: ap.IRIRef(a.URI), To: []string{ap.Public}, Cc: []string{a.FollowersURI}, Object: ap.Refs{ap.Embed(actor)}}
	return f.sender.Send(ctx, a, upd, a.FollowersURI)
}

// SendActorDelete tells the servers of the local account's followers that
// it is deleted (Delete of the actor). Call it before removing the account
// and keep the account record (its key signs the deliveries) until the
// queue has drained, as Mastodon keeps deleted accounts as tombstones.
func (f *Federator) SendActorDelete(ctx context.Context, a *storage.Account) error {
	if a == nil || !a.Local() {
		return fmt.Errorf("federate: delete actor: not a local account")
	}
	del := &ap.Object{ID: a.URI + "#delete", Type: ap.TypeDelete, Actor: ap.IRIRef(a.URI), To: []string{ap.Public},
		Cc: []string{a.FollowersURI}, Object: ap.Refs{ap.IRIRef(a.URI)}}
	// Also reach the accounts it follows: they hold its follows.
	rcpts := []string{a.FollowersURI}
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		fs, err := f.store.Follows().Following(ctx, a.ID, p)
		if err != nil {
			return fmt.Errorf("federate: delete actor: %w", err)
		}
		ids := make([]storage.ID, 0, len(fs))
		for _, fl := range fs {
			ids = append(ids, fl.TargetAccountID)
		}
		accts, err := f.store.Accounts().GetMany(ctx, ids)
		if err != nil {
			return fmt.Errorf("federate: delete actor: %w", err)
		}
		for _, t := range accts {
			if !t.Local() {
				rcpts = append(rcpts, t.URI)
			}
		}
		if len(fs) < p.Limit {
			break
		}
		p.MaxID = fs[len(fs)-1].ID
	}
	return f.sender.Send(ctx, a, del, rcpts...)
}

// noteOf renders a local status as its Note (with media attachments) and
// lists the recipients of activities about it.
func (f *Federator) noteOf(ctx context.Context, st *storage.Status, author *storage.Account) (*ap.Object, []string, error) {
	note := federation.StatusToNote(st, author, f.urls)
	if st.PollID != 0 {
		p, err := f.store.Polls().Get(ctx, st.PollID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, nil, fmt.Errorf("load poll: %w", err)
		}
		if p != nil {
			note = federation.PollToQuestion(note, p, time.Now())
		}
	}
	if len(st.MediaIDs) > 0 {
		media, err := f.store.MediaAttachments().GetMany(ctx, st.MediaIDs)
		if err != nil {
			return nil, nil, fmt.Errorf("load media: %w", err)
		}
		for _, m := range media {
			if d := f.documentOf(m); d != nil {
				note.Attachment = append(note.Attachment, ap.Embed(d))
			}
		}
	}
	if st.InReplyToAccountID != 0 && (st.Visibility == storage.VisibilityPublic || st.Visibility == storage.VisibilityUnlisted) {
		if p, err := f.store.Accounts().Get(ctx, st.InReplyToAccountID); err == nil && !p.Local() && !slices.Contains(note.Cc, p.URI) && !slices.Contains(note.To, p.URI) {
			note.Cc = append(note.Cc, p.URI)
		}
	}
	// Addressing carries the followers collection (expanded into the
	// followers' inboxes) for every visibility but direct, and every
	// mentioned actor: exactly who may see the post.
	rcpts := slices.Concat(note.To, note.Cc)
	return note, rcpts, nil
}

// documentType is the ActivityStreams type of an attachment: Image, Video
// (gifv too: an MP4), Audio, or Document.
func documentType(t storage.MediaType) string {
	switch t {
	case storage.MediaImage:
		return ap.TypeImage
	case storage.MediaGIFV, storage.MediaVideo:
		return ap.TypeVideo
	case storage.MediaAudio:
		return ap.TypeAudio
	}
	return "Document"
}

// documentOf renders a local media attachment as an ActivityPub Image,
// Video, Audio or Document with mediaType, url, name (the alt text),
// blurhash, focalPoint and width/height.
func (f *Federator) documentOf(m *storage.MediaAttachment) *ap.Object {
	u := m.RemoteURL
	if m.FileKey != "" {
		u = f.urls.Media(m.FileKey)
	}
	if u == "" {
		return nil
	}
	d := &ap.Object{Type: documentType(m.Type), MediaType: m.ContentType, URL: ap.Refs{ap.IRIRef(u)}, Name: m.Description, Blurhash: m.Blurhash}
	switch m.Type {
	case storage.MediaImage, storage.MediaGIFV, storage.MediaVideo:
		d.FocalPoint = []float64{m.FocusX, m.FocusY}
	}
	if o := m.Meta.Original; o != nil {
		d.Width, d.Height = o.Width, o.Height
	}
	return d
}

// SendMove tells the followers of the local account from that it moved to
// the account to (local or remote), which must list from in its
// alsoKnownAs: their servers move their follows. The caller records the
// move (from.MovedToID) and stops from's activity, as Mastodon does.
func (f *Federator) SendMove(ctx context.Context, from, to *storage.Account) error {
	if from == nil || !from.Local() || to == nil {
		return fmt.Errorf("federate: move: not a local account")
	}
	move := &ap.Object{ID: from.URI + "#moves/" + f.store.NewID().String(), Type: ap.TypeMove, Actor: ap.IRIRef(from.URI),
		To: []string{from.FollowersURI}, Object: ap.Refs{ap.IRIRef(from.URI)}, Target: ap.IRIRef(to.URI)}
	return f.sender.Send(ctx, from, move, from.FollowersURI)
}
