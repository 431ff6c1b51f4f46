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

// DefaultPollUpdateDelay is how long a Federator waits after a vote in a
// local poll before it sends the new tallies (Options.PollUpdateDelay):
// the votes of that time go out in one Update(Question).
const DefaultPollUpdateDelay = time.Minute

// DefaultPollUpdateInterval is how often RunPollUpdates looks for poll
// updates that are due (Options.PollUpdateInterval), at most.
const DefaultPollUpdateInterval = 5 * time.Second

// PollUpdateJob is the storage.Jobs kind of the pending Update(Question)
// of a local poll, keyed by the poll's status: one job per poll, however
// many votes came in during the delay.
const PollUpdateJob = "federate.poll-update"

// maxPollUpdateAttempts bounds the tries of one poll update that fails.
const maxPollUpdateAttempts = 5

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
		return f.schedulePollUpdate(ctx, e.Status.ID)
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

// schedulePollUpdate has the tallies of the local poll of status id sent
// after Options.PollUpdateDelay, once for all the votes of that time: the
// pending update is a job in the store (see RunPollUpdates), so it is sent
// after a restart and by one process of several.
func (f *Federator) schedulePollUpdate(ctx context.Context, id storage.ID) error {
	if err := f.store.Jobs().Schedule(ctx, PollUpdateJob, id, time.Now().Add(f.o.PollUpdateDelay)); err != nil {
		return fmt.Errorf("schedule poll update: %w", err)
	}
	return nil
}

// RunPollUpdates sends the scheduled Update(Question) activities of local
// polls as they fall due (see SendDuePollUpdates), every
// Options.PollUpdateInterval, until ctx ends; it then returns nil. Run it
// in every process that serves votes (or in at least one of the processes
// sharing a store): an update scheduled before a restart is sent after it.
func (f *Federator) RunPollUpdates(ctx context.Context) error {
	t := time.NewTicker(f.o.PollUpdateInterval)
	defer t.Stop()
	for {
		if _, err := f.SendDuePollUpdates(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("federate: poll updates", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// SendDuePollUpdates sends the Update(Question) of each local poll whose
// update is due now, and returns how many it sent. Each due update is
// claimed by one caller, whatever the number of processes sharing the
// store; one whose sender dies is claimed again after a lease. A vote that
// arrives while the update is sent schedules the next one, a delay later.
// An update that fails is tried again after the lease, a few times.
func (f *Federator) SendDuePollUpdates(ctx context.Context) (int, error) {
	lease := max(time.Minute, 2*f.o.SendTimeout)
	// The jobs of one claim are sent one after the other, each within
	// SendTimeout: a claim takes no more than the lease covers, or the
	// last ones would be claimed (and sent) again by another process.
	batch := min(50, max(1, int(lease/f.o.SendTimeout)-1))
	sent := 0
	for {
		jobs, err := f.store.Jobs().Claim(ctx, PollUpdateJob, time.Now(), lease, batch)
		if err != nil {
			return sent, fmt.Errorf("claim poll updates: %w", err)
		}
		for _, j := range jobs {
			sctx, cancel := context.WithTimeout(ctx, f.o.SendTimeout)
			err := f.sendPollUpdate(sctx, j.Key)
			cancel()
			if err != nil {
				f.log.Warn("federate: poll update failed", "status", j.Key, "attempt", j.Attempts, "err", err)
				if j.Attempts < maxPollUpdateAttempts {
					continue // claimed again once the lease ends
				}
			} else {
				sent++
			}
			if _, err := f.store.Jobs().Done(context.WithoutCancel(ctx), j, time.Now().Add(f.o.PollUpdateDelay)); err != nil {
				return sent, fmt.Errorf("poll update of %s done: %w", j.Key, err)
			}
		}
		if len(jobs) < batch {
			return sent, nil
		}
	}
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
