package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// Sender sends activities of local actors: it turns recipients into inboxes
// (shared inboxes preferred and coalesced, duplicates removed, the sender's
// own host skipped), encodes the activity once and queues it on a
// Deliverer. It is safe for concurrent use.
type Sender struct {
	d        *Deliverer
	resolver *Resolver
	follows  storage.Follows
	log      *slog.Logger
}

// SenderOptions tunes a Sender.
type SenderOptions struct {
	Logger *slog.Logger
}

// NewSender returns a Sender that queues on d, resolves recipients with
// resolver and finds followers' inboxes in follows (nil: the followers
// collection cannot be addressed).
func NewSender(d *Deliverer, resolver *Resolver, follows storage.Follows, opts *SenderOptions) *Sender {
	s := &Sender{d: d, resolver: resolver, follows: follows}
	if opts != nil {
		s.log = opts.Logger
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Send delivers act, signed by the local account from, to recipients: actor
// IRIs, from's followers collection (expanded to its followers' inboxes),
// and ap.Public (skipped: it has no inbox). Without recipients, the
// activity's own addressing (to, cc, bto, bcc) is used. bto and bcc are
// removed from what is sent. Recipients that cannot be resolved are logged
// and skipped; the error reports only failures to encode or queue.
func (s *Sender) Send(ctx context.Context, from *storage.Account, act *ap.Object, recipients ...string) error {
	if act == nil || act.ID == "" {
		return errors.New("federation: send: activity without id")
	}
	if !from.Local() {
		return fmt.Errorf("federation: send %s: %s is not a local account", act.ID, from.URI)
	}
	if len(recipients) == 0 {
		recipients = slices.Concat(act.To, act.Cc, act.Bto, act.Bcc)
	}
	inboxes, err := s.Inboxes(ctx, from, recipients)
	if err != nil {
		return fmt.Errorf("federation: send %s: %w", act.ID, err)
	}
	if len(act.Bto) > 0 || len(act.Bcc) > 0 {
		cp := *act
		cp.Bto, cp.Bcc = nil, nil
		act = &cp
	}
	body, err := ap.Encode(act)
	if err != nil {
		return fmt.Errorf("federation: send %s: %w", act.ID, err)
	}
	if len(inboxes) == 0 {
		return nil
	}
	return s.d.Deliver(ctx, &storage.OutgoingActivity{URI: act.ID, SignerID: from.ID, Body: body, Inboxes: inboxes})
}

// SendToFollowers delivers act to every follower of from (one POST per
// shared inbox), plus any extra recipients: the one call for "publish".
func (s *Sender) SendToFollowers(ctx context.Context, from *storage.Account, act *ap.Object, extra ...string) error {
	if from.FollowersURI == "" {
		return fmt.Errorf("federation: send %s: %s has no followers collection", act.ID, from.URI)
	}
	return s.Send(ctx, from, act, append([]string{from.FollowersURI}, extra...)...)
}

// Inboxes resolves recipients (see Send) into the distinct inboxes to post
// to: shared inboxes where actors offer one, never on from's own host.
func (s *Sender) Inboxes(ctx context.Context, from *storage.Account, recipients []string) ([]string, error) {
	own := hostOfIRI(from.URI)
	seen := map[string]bool{}
	var out []string
	add := func(inbox string) {
		if inbox == "" || seen[inbox] || hostOfIRI(inbox) == own {
			return
		}
		seen[inbox] = true
		out = append(out, inbox)
	}
	done := map[string]bool{}
	for _, r := range recipients {
		if r == "" || ap.IsPublic(r) || done[r] {
			continue
		}
		done[r] = true
		if r == from.FollowersURI {
			if s.follows == nil {
				return nil, errors.New("no follows store to address followers")
			}
			ins, err := s.follows.FollowerInboxes(ctx, from.ID)
			if err != nil {
				return nil, fmt.Errorf("follower inboxes: %w", err)
			}
			for _, in := range ins {
				add(in)
			}
			continue
		}
		if hostOfIRI(r) == own {
			continue
		}
		a, err := s.resolver.ResolveActor(ctx, r)
		if err != nil {
			s.log.Info("send: recipient skipped", "recipient", r, "err", err)
			continue
		}
		if a.Local() {
			continue
		}
		if a.SharedInboxURI != "" {
			add(a.SharedInboxURI)
		} else {
			add(a.InboxURI)
		}
	}
	return out, nil
}
