package sqlstore

import (
	"context"
	"slices"

	"github.com/herd-social/herd/storage"
)

// Every timeline page asks how its viewer relates to the page's authors:
// blocks either way, mutes, blocked domains. Those lists are short and
// change rarely, so the record caches also keep each viewer's whole lists
// (up to maxRelationSet entries; a longer list is marked as such and read
// per query, as before), with the same rules as for records: exact within
// the process, at most the TTL behind another process's writes.

// maxRelationSet bounds the lists kept per account.
const maxRelationSet = 1000

// blockSet is the blocks made by and against one account. It is never
// changed once built, so the cache hands it out as it is.
type blockSet struct {
	owner     storage.ID
	big       bool // too many to keep: query instead
	blocking  map[storage.ID]struct{}
	blockedBy map[storage.ID]struct{}
}

// muteSet is the mutes made by one account, expired ones included (they
// are left out when read).
type muteSet struct {
	owner storage.ID
	big   bool
	mutes map[storage.ID]*storage.Mute
}

// domainSet is the domains one account blocks.
type domainSet struct {
	owner   storage.ID
	big     bool
	domains []string
}

func same[T any](v *T) *T { return v }

func blockOwner(b *blockSet) storage.ID   { return b.owner }
func muteOwner(m *muteSet) storage.ID     { return m.owner }
func domainOwner(d *domainSet) storage.ID { return d.owner }

// changedBlocks notes a write to the blocks of the given accounts.
func (s *Store) changedBlocks(ids ...storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.blocks.forget(ids, false) })
}

// changedMutes notes a write to the mutes made by account id.
func (s *Store) changedMutes(id storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.mutes.forget([]storage.ID{id}, false) })
}

// changedDomainBlocks notes a write to the domain blocks of account id.
func (s *Store) changedDomainBlocks(id storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.domains.forget([]storage.ID{id}, false) })
}

// changedAllRelations drops every cached relation list (an account was
// deleted: its rows cascade away).
func (s *Store) changedAllRelations() {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() {
		c.blocks.forget(nil, true)
		c.mutes.forget(nil, true)
		c.domains.forget(nil, true)
		c.threadMutes.forget(nil, true)
	})
}

// blockSetOf returns account id's cached block lists, loading them when
// needed; nil when caching is off (or inside a transaction).
func (s *Store) blockSetOf(ctx context.Context, id storage.ID) (*blockSet, error) {
	c := s.readCache()
	if c == nil {
		return nil, nil
	}
	if b := c.blocks.get(id, c.now(), true); b != nil {
		return b, nil
	}
	gen := c.blocks.generation()
	var rows []struct {
		Kind int        `db:"kind"`
		ID   storage.ID `db:"id"`
	}
	q := `SELECT kind, id FROM (SELECT 1 AS kind, target_account_id AS id FROM blocks WHERE account_id = ?
		UNION ALL SELECT 2, account_id FROM blocks WHERE target_account_id = ?) AS b LIMIT ?`
	if err := s.sel(ctx, &rows, q, id, id, 2*maxRelationSet+1); err != nil {
		return nil, err
	}
	b := &blockSet{owner: id, big: len(rows) > 2*maxRelationSet,
		blocking: map[storage.ID]struct{}{}, blockedBy: map[storage.ID]struct{}{}}
	if !b.big {
		for _, r := range rows {
			if r.Kind == 1 {
				b.blocking[r.ID] = struct{}{}
			} else {
				b.blockedBy[r.ID] = struct{}{}
			}
		}
	}
	c.blocks.put(gen, c.now(), blockOwner, b)
	return b, nil
}

// muteSetOf is blockSetOf for the mutes account id made.
func (s *Store) muteSetOf(ctx context.Context, id storage.ID) (*muteSet, error) {
	c := s.readCache()
	if c == nil {
		return nil, nil
	}
	if m := c.mutes.get(id, c.now(), true); m != nil {
		return m, nil
	}
	gen := c.mutes.generation()
	var rows []*storage.Mute
	if err := s.sel(ctx, &rows, "SELECT "+muteCols+" FROM mutes WHERE account_id = ? LIMIT ?", id, maxRelationSet+1); err != nil {
		return nil, err
	}
	m := &muteSet{owner: id, big: len(rows) > maxRelationSet, mutes: map[storage.ID]*storage.Mute{}}
	if !m.big {
		for _, r := range rows {
			m.mutes[r.TargetAccountID] = r
		}
	}
	c.mutes.put(gen, c.now(), muteOwner, m)
	return m, nil
}

// domainSetOf is blockSetOf for the domains account id blocks.
func (s *Store) domainSetOf(ctx context.Context, id storage.ID) (*domainSet, error) {
	c := s.readCache()
	if c == nil {
		return nil, nil
	}
	if d := c.domains.get(id, c.now(), true); d != nil {
		return d, nil
	}
	gen := c.domains.generation()
	out := []string{}
	if err := s.sel(ctx, &out, "SELECT domain FROM domain_blocks WHERE account_id = ? ORDER BY domain LIMIT ?", id, maxRelationSet+1); err != nil {
		return nil, err
	}
	d := &domainSet{owner: id, big: len(out) > maxRelationSet}
	if !d.big {
		d.domains = out
	}
	c.domains.put(gen, c.now(), domainOwner, d)
	return d, nil
}

// cloneMute copies a cached mute for a caller.
func cloneMute(m *storage.Mute) *storage.Mute {
	cp := *m
	cp.ExpiresAt = clonep(m.ExpiresAt)
	return &cp
}

func cloneStrings(s []string) []string { return slices.Clone(s) }
