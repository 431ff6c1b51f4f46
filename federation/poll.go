package federation

import (
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// PollToQuestion turns the Note of a local status (see StatusToNote) into
// the Question Mastodon publishes for a status with a poll: options as
// embedded Notes named by their titles with a replies collection whose
// totalItems is the vote count, under oneOf (single choice) or anyOf
// (multiple), endTime, closed once the poll has ended at now, and
// votersCount.
func PollToQuestion(note *ap.Object, p *storage.Poll, now time.Time) *ap.Object {
	if note == nil || p == nil {
		return note
	}
	note.Type = ap.TypeQuestion
	choices := make(ap.Refs, 0, len(p.Options))
	for _, o := range p.Options {
		choices = append(choices, ap.PollChoice(o.Title, int(o.VotesCount)))
	}
	if p.Multiple {
		note.AnyOf, note.OneOf = choices, nil
	} else {
		note.OneOf, note.AnyOf = choices, nil
	}
	if p.ExpiresAt != nil {
		note.EndTime = p.ExpiresAt.UTC().Truncate(time.Second)
	}
	if p.Expired(now) {
		switch {
		case p.ExpiresAt != nil && !p.ExpiresAt.After(now):
			note.Closed = p.ExpiresAt.UTC().Truncate(time.Second)
		case p.ClosedAt != nil:
			note.Closed = p.ClosedAt.UTC().Truncate(time.Second)
		}
	}
	voters := int(p.VotersCount)
	note.VotersCount = &voters
	return note
}

// QuestionToPoll reads the poll of an inbound Question: the options of
// oneOf (or anyOf, then Multiple) with their counts, ExpiresAt from
// endTime, ClosedAt from closed (true without a time: now), the totals
// (VotersCount from votersCount, else the number of votes of a
// single-choice poll). It returns nil when o is not a Question or has no
// named option. Titles are copied as received: the caller sanitises them.
func QuestionToPoll(o *ap.Object, now time.Time) *storage.Poll {
	if o == nil || o.Type != ap.TypeQuestion {
		return nil
	}
	opts, multiple := o.PollOptions()
	p := &storage.Poll{Multiple: multiple, Options: make(storage.PollOptions, 0, len(opts))}
	for _, op := range opts {
		if op.Name == "" {
			continue
		}
		n := int64(max(op.Votes, 0))
		p.Options = append(p.Options, storage.PollOption{Title: op.Name, VotesCount: n})
		p.VotesCount += n
	}
	if len(p.Options) == 0 {
		return nil
	}
	if !o.EndTime.IsZero() {
		t := o.EndTime.UTC()
		p.ExpiresAt = &t
	}
	switch {
	case !o.Closed.IsZero():
		t := o.Closed.UTC()
		p.ClosedAt = &t
	case o.ClosedFlag:
		t := now.UTC()
		p.ClosedAt = &t
	}
	switch {
	case o.VotersCount != nil && *o.VotersCount >= 0:
		p.VotersCount = int64(*o.VotersCount)
	case !multiple:
		p.VotersCount = p.VotesCount
	}
	return p
}
