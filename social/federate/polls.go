package federate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// pollUpdates are the local polls whose tallies are to be sent.
type pollUpdates struct {
	mu      sync.Mutex
	pending map[storage.ID]bool
}

// DefaultPollUpdateDelay is how long a Federator waits after a vote in a
// local poll before it sends the new tallies (Options.PollUpdateDelay):
// the votes of that time go out in one Update(Question).
const DefaultPollUpdateDelay = time.Minute

// receiveVote counts obj as a vote when it is one, as Mastodon sends them:
// a Note whose name is an option of the poll of the local Question it
// replies to. It reports whether obj was a vote (then it is not stored as
// a status).
func (f *Federator) receiveVote(ctx context.Context, obj *ap.Object, voter *storage.Account) (bool, error) {
	if obj.Type != ap.TypeNote || obj.Name == "" || voter.Local() {
		return false, nil
	}
	parent := obj.InReplyTo.ID()
	if parent == "" || !ap.SameOrigin(parent, f.urls.Base()) {
		return false, nil
	}
	st, err := f.statusByURI(ctx, parent)
	if err != nil || st == nil || !st.Local || st.PollID == 0 {
		return false, err
	}
	p, err := f.store.Polls().Get(ctx, st.PollID)
	if err != nil {
		return false, nil
	}
	if !slices.Contains(p.Options.Titles(), obj.Name) {
		return false, nil
	}
	_, err = f.svc.ReceiveVote(ctx, voter, st.ID, obj.Name, obj.ID)
	return true, f.answer("Create", err)
}

// publishPoll handles the poll events: votes of local accounts in remote
// polls go to the poll's author as Create(Note{name, inReplyTo}); votes in
// local polls (from anyone) schedule an Update(Question) with the new
// tallies; a local poll that ended is sent once more (closed), and a
// remote one is fetched again for its final tallies.
func (f *Federator) publishPoll(ctx context.Context, e social.Event) error {
	if e.Status == nil || e.Poll == nil {
		return nil
	}
	author := e.Target
	if e.Type == social.EventPollEnded {
		author = e.Actor
	}
	if author == nil {
		return nil
	}
	switch {
	case e.Type == social.EventPollVoted && author.Local():
		f.schedulePollUpdate(e.Status.ID)
	case e.Type == social.EventPollVoted:
		if e.Actor == nil || !e.Actor.Local() {
			return nil
		}
		for _, v := range e.Votes {
			if v.Choice < 0 || v.Choice >= len(e.Poll.Options) || v.URI == "" {
				continue
			}
			note := &ap.Object{ID: v.URI, Type: ap.TypeNote, Name: e.Poll.Options[v.Choice].Title,
				AttributedTo: ap.Refs{ap.IRIRef(e.Actor.URI)}, InReplyTo: ap.IRIRef(e.Status.URI), To: []string{author.URI}}
			act := &ap.Object{ID: v.URI + "/activity", Type: ap.TypeCreate, Actor: ap.IRIRef(e.Actor.URI),
				To: []string{author.URI}, Object: ap.Refs{ap.Embed(note)}}
			if err := f.sender.Send(ctx, e.Actor, act, author.URI); err != nil {
				return fmt.Errorf("send vote: %w", err)
			}
		}
	case author.Local():
		return f.sendPollUpdate(ctx, e.Status.ID)
	default:
		return f.refreshPoll(ctx, e.Status, author)
	}
	return nil
}

// schedulePollUpdate sends the tallies of the local poll of status id
// after Options.PollUpdateDelay, once for all the votes of that time.
func (f *Federator) schedulePollUpdate(id storage.ID) {
	f.polls.mu.Lock()
	defer f.polls.mu.Unlock()
	if f.polls.pending == nil {
		f.polls.pending = map[storage.ID]bool{}
	}
	if f.polls.pending[id] {
		return
	}
	f.polls.pending[id] = true
	time.AfterFunc(f.o.PollUpdateDelay, func() {
		f.polls.mu.Lock()
		delete(f.polls.pending, id)
		f.polls.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), f.o.SendTimeout)
		defer cancel()
		if err := f.sendPollUpdate(ctx, id); err != nil {
			f.log.Warn("federate: poll update failed", "status", id, "err", err)
		}
	})
}

// sendPollUpdate sends Update(Question) for the local status id to the
// audience of the post and to the remote voters.
func (f *Federator) sendPollUpdate(ctx context.Context, id storage.ID) error {
	st, err := f.store.Statuses().Get(ctx, id)
	if err != nil {
		return ignoreNotFound(err)
	}
	author, err := f.store.Accounts().Get(ctx, st.AccountID)
	if err != nil || !author.Local() {
		return ignoreNotFound(err)
	}
	note, rcpts, err := f.noteOf(ctx, st, author)
	if err != nil {
		return err
	}
	if st.PollID != 0 {
		votes, err := f.store.Polls().Votes(ctx, st.PollID)
		if err != nil {
			return fmt.Errorf("load votes: %w", err)
		}
		var ids []storage.ID
		for _, v := range votes {
			ids = append(ids, v.AccountID)
		}
		voters, err := f.store.Accounts().GetMany(ctx, ids)
		if err != nil {
			return fmt.Errorf("load voters: %w", err)
		}
		for _, v := range voters {
			if !v.Local() && !slices.Contains(rcpts, v.URI) {
				rcpts = append(rcpts, v.URI)
			}
		}
	}
	now := time.Now().UTC()
	upd := &ap.Object{ID: note.ID + "#updates/" + strconv.FormatInt(now.UnixMilli(), 10), Type: ap.TypeUpdate,
		Actor: ap.IRIRef(author.URI), Published: now.Truncate(time.Second), To: note.To, Cc: note.Cc, Object: ap.Refs{ap.Embed(note)}}
	return f.sender.Send(ctx, author, upd, rcpts...)
}

// refreshPoll fetches a remote post with a poll again and applies it (for
// the final tallies of a poll that ended).
func (f *Federator) refreshPoll(ctx context.Context, st *storage.Status, author *storage.Account) error {
	ctx = federation.WithFetchBudget(ctx, 5)
	f.resolver.Forget(st.URI)
	o, err := f.resolver.ResolveObject(ctx, st.URI)
	if err != nil {
		return fmt.Errorf("refetch poll %s: %w", st.URI, err)
	}
	if o.ID != st.URI || !ap.IsPostType(o.Type) || attributedActor(o) != author.URI {
		return nil
	}
	return f.answer("Update", f.updatePost(ctx, o, author, st))
}

func ignoreNotFound(err error) error {
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
