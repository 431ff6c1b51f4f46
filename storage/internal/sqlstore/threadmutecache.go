package sqlstore

import (
	"context"

	"github.com/herd-social/herd/storage"
)

// Rendering a page of statuses asks which of their threads the viewer
// muted. Few accounts mute threads, and those mute few, so the record
// caches also keep each viewer's whole list of muted threads (up to
// maxRelationSet; a longer list is read per query), with the rules of the
// other relation lists (relcache.go).

// threadMuteSet is the threads one account muted. It is never changed once
// built.
type threadMuteSet struct {
	owner   storage.ID
	big     bool
	threads map[storage.ID]struct{}
}

func threadMuteOwner(m *threadMuteSet) storage.ID { return m.owner }

// changedThreadMutes notes a write to the thread mutes of account id.
func (s *Store) changedThreadMutes(id storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.threadMutes.forget([]storage.ID{id}, false) })
}

// threadMuteSetOf is blockSetOf for the threads account id muted.
func (s *Store) threadMuteSetOf(ctx context.Context, id storage.ID) (*threadMuteSet, error) {
	c := s.readCache()
	if c == nil {
		return nil, nil
	}
	if m := c.threadMutes.get(id, c.now(), true); m != nil {
		return m, nil
	}
	gen := c.threadMutes.generation()
	var rows []storage.ID
	if err := s.sel(ctx, &rows, "SELECT conversation_id FROM conversation_mutes WHERE account_id = ? LIMIT ?", id, maxRelationSet+1); err != nil {
		return nil, err
	}
	m := &threadMuteSet{owner: id, big: len(rows) > maxRelationSet, threads: make(map[storage.ID]struct{}, len(rows))}
	if !m.big {
		for _, t := range rows {
			m.threads[t] = struct{}{}
		}
	}
	c.threadMutes.put(gen, c.now(), threadMuteOwner, m)
	return m, nil
}
