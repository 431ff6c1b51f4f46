package social

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Block makes actor block the target: follows and follow requests between
// them are removed both ways, each one's statuses leave the other's home
// feed, and neither sees the other's statuses any more. Blocking twice is
// not an error.
func (s *Service) Block(ctx context.Context, actor *storage.Account, targetID storage.ID) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if actor == nil || actor.ID == 0 {
			return ErrForbidden
		}
		target, err := tx.Accounts().Get(ctx, targetID)
		if err != nil {
			return notFound(err, "account %s", targetID)
		}
		if target.ID == actor.ID {
			return fmt.Errorf("cannot block oneself: %w", ErrForbidden)
		}
		if _, err := tx.Blocks().Get(ctx, actor.ID, target.ID); err == nil {
			rel, err = relationship(ctx, tx, actor.ID, target.ID)
			return err
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load block: %w", err)
		}
		b := &storage.Block{ID: tx.NewID(), AccountID: actor.ID, TargetAccountID: target.ID, CreatedAt: s.now()}
		if actor.Local() {
			b.URI = s.urls.Activity(actor.Username, "blocks", b.ID)
		}
		if err := tx.Blocks().Create(ctx, b); err != nil {
			return fmt.Errorf("create block: %w", err)
		}
		for _, pair := range [][2]*storage.Account{{actor, target}, {target, actor}} {
			from, to := pair[0], pair[1]
			if _, err := tx.Follows().Get(ctx, from.ID, to.ID); err == nil {
				if err := deleteFollow(ctx, tx, from.ID, to.ID, from.Local()); err != nil {
					return err
				}
			} else if !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("load follow: %w", err)
			}
			if err := ignoreNotFound(tx.Follows().DeleteRequest(ctx, from.ID, to.ID)); err != nil {
				return fmt.Errorf("delete follow request: %w", err)
			}
			if from.Local() {
				if err := tx.Feeds().RemoveAuthor(ctx, storage.HomeFeed(from.ID), to.ID); err != nil {
					return fmt.Errorf("unmerge home: %w", err)
				}
			}
		}
		ev.add(Event{Type: EventAccountBlocked, Actor: actor, Target: target, Block: b})
		rel, err = relationship(ctx, tx, actor.ID, target.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("block %s: %w", targetID, err)
	}
	return rel, nil
}

// Unblock removes actor's block of the target (doing nothing when there is
// none).
func (s *Service) Unblock(ctx context.Context, actor *storage.Account, targetID storage.ID) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if actor == nil || actor.ID == 0 {
			return ErrForbidden
		}
		target, err := tx.Accounts().Get(ctx, targetID)
		if err != nil {
			return notFound(err, "account %s", targetID)
		}
		if b, err := tx.Blocks().Get(ctx, actor.ID, target.ID); err == nil {
			if err := tx.Blocks().Delete(ctx, actor.ID, target.ID); err != nil {
				return fmt.Errorf("delete block: %w", err)
			}
			ev.add(Event{Type: EventAccountUnblocked, Actor: actor, Target: target, Block: b})
		} else if !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("load block: %w", err)
		}
		rel, err = relationship(ctx, tx, actor.ID, target.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unblock %s: %w", targetID, err)
	}
	return rel, nil
}

// MuteOptions tunes a mute.
type MuteOptions struct {
	// Notifications also hides the target's notifications (default true).
	Notifications *bool
	// Duration ends the mute after this long; zero means indefinitely.
	Duration time.Duration
}

// Mute hides the target's statuses from actor's timelines (and, by
// default, its notifications). Muting again updates the options.
func (s *Service) Mute(ctx context.Context, actor *storage.Account, targetID storage.ID, opts MuteOptions) (*Relationship, error) {
	if opts.Duration < 0 {
		return nil, invalid("duration", "must not be negative")
	}
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if actor == nil || actor.ID == 0 {
			return ErrForbidden
		}
		target, err := tx.Accounts().Get(ctx, targetID)
		if err != nil {
			return notFound(err, "account %s", targetID)
		}
		if target.ID == actor.ID {
			return fmt.Errorf("cannot mute oneself: %w", ErrForbidden)
		}
		m := &storage.Mute{AccountID: actor.ID, TargetAccountID: target.ID, HideNotifications: boolOr(opts.Notifications, true), CreatedAt: s.now()}
		if opts.Duration > 0 {
			t := s.now().Add(opts.Duration)
			m.ExpiresAt = &t
		}
		if err := tx.Mutes().Create(ctx, m); err != nil {
			return fmt.Errorf("create mute: %w", err)
		}
		if actor.Local() {
			if err := tx.Feeds().RemoveAuthor(ctx, storage.HomeFeed(actor.ID), target.ID); err != nil {
				return fmt.Errorf("unmerge home: %w", err)
			}
		}
		rel, err = relationship(ctx, tx, actor.ID, target.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mute %s: %w", targetID, err)
	}
	return rel, nil
}

// Unmute removes actor's mute of the target (doing nothing when there is
// none). Statuses posted meanwhile do not come back to the home feed.
func (s *Service) Unmute(ctx context.Context, actor *storage.Account, targetID storage.ID) (*Relationship, error) {
	var rel *Relationship
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if actor == nil || actor.ID == 0 {
			return ErrForbidden
		}
		if _, err := tx.Accounts().Get(ctx, targetID); err != nil {
			return notFound(err, "account %s", targetID)
		}
		if err := ignoreNotFound(tx.Mutes().Delete(ctx, actor.ID, targetID)); err != nil {
			return fmt.Errorf("delete mute: %w", err)
		}
		var err error
		rel, err = relationship(ctx, tx, actor.ID, targetID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unmute %s: %w", targetID, err)
	}
	return rel, nil
}

// Blocks pages through the accounts actor blocks (cursor: block ID).
func (s *Service) Blocks(ctx context.Context, actor *storage.Account, p storage.Page) ([]AccountEntry, error) {
	if actor == nil {
		return nil, ErrForbidden
	}
	bs, err := s.store.Blocks().List(ctx, actor.ID, p)
	if err != nil {
		return nil, fmt.Errorf("blocks: %w", err)
	}
	cursors := make([]storage.ID, len(bs))
	ids := make([]storage.ID, len(bs))
	for i, b := range bs {
		cursors[i], ids[i] = b.ID, b.TargetAccountID
	}
	return s.accountEntries(ctx, cursors, ids)
}

// Mutes pages through the accounts actor mutes (cursor: mute ID), each
// entry carrying its Mute.
func (s *Service) Mutes(ctx context.Context, actor *storage.Account, p storage.Page) ([]AccountEntry, error) {
	if actor == nil {
		return nil, ErrForbidden
	}
	ms, err := s.store.Mutes().List(ctx, actor.ID, p)
	if err != nil {
		return nil, fmt.Errorf("mutes: %w", err)
	}
	cursors := make([]storage.ID, len(ms))
	ids := make([]storage.ID, len(ms))
	byTarget := map[storage.ID]*storage.Mute{}
	for i, m := range ms {
		cursors[i], ids[i] = m.ID, m.TargetAccountID
		byTarget[m.TargetAccountID] = m
	}
	out, err := s.accountEntries(ctx, cursors, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Mute = byTarget[out[i].Account.ID]
	}
	return out, nil
}

// normDomain validates a domain name typed by a user.
func normDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" || len(d) > 253 || strings.ContainsAny(d, " /@:\t\r\n") || strings.HasPrefix(d, ".") {
		return "", invalid("domain", "is not a valid domain name")
	}
	return d, nil
}

// BlockDomain hides every account of a remote domain from actor
// (idempotent). Existing follows with that domain are left as they are.
func (s *Service) BlockDomain(ctx context.Context, actor *storage.Account, domain string) error {
	if actor == nil {
		return ErrForbidden
	}
	d, err := normDomain(domain)
	if err != nil {
		return err
	}
	if d == strings.ToLower(s.urls.Host()) {
		return invalid("domain", "cannot be this server's domain")
	}
	err = s.store.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: actor.ID, Domain: d, CreatedAt: s.now()})
	if err != nil && !errors.Is(err, storage.ErrConflict) {
		return fmt.Errorf("block domain %s: %w", d, err)
	}
	return nil
}

// UnblockDomain removes actor's block of a domain (idempotent).
func (s *Service) UnblockDomain(ctx context.Context, actor *storage.Account, domain string) error {
	if actor == nil {
		return ErrForbidden
	}
	d, err := normDomain(domain)
	if err != nil {
		return err
	}
	if err := ignoreNotFound(s.store.DomainBlocks().Delete(ctx, actor.ID, d)); err != nil {
		return fmt.Errorf("unblock domain %s: %w", d, err)
	}
	return nil
}

// DomainBlocks pages through actor's domain blocks (cursor: their ID).
func (s *Service) DomainBlocks(ctx context.Context, actor *storage.Account, p storage.Page) ([]*storage.DomainBlock, error) {
	if actor == nil {
		return nil, ErrForbidden
	}
	out, err := s.store.DomainBlocks().List(ctx, actor.ID, p)
	if err != nil {
		return nil, fmt.Errorf("domain blocks: %w", err)
	}
	return out, nil
}
