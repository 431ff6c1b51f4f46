package sqlstore

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// HeldPosts implements storage.Store.
func (s *Store) HeldPosts() storage.HeldPosts { return heldPosts{s} }

type heldPosts struct{ s *Store }

var heldCols = selectList(&storage.HeldPost{}, "")

func (r heldPosts) Create(ctx context.Context, h *storage.HeldPost) error {
	if h.AccountID == 0 || h.URI == "" || h.Raw == "" {
		return fmt.Errorf("held post: account, uri and raw are required: %w", storage.ErrInvalid)
	}
	if h.ID == 0 {
		h.ID = r.s.NewID()
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = r.s.now()
	}
	h.CreatedAt = norm(h.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "held_posts", h), "hold post %s", h.URI)
}

func (r heldPosts) Get(ctx context.Context, id storage.ID) (*storage.HeldPost, error) {
	var h storage.HeldPost
	if err := r.s.get(ctx, &h, "SELECT "+heldCols+" FROM held_posts WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get held post %s", id)
	}
	return &h, nil
}

func (r heldPosts) List(ctx context.Context, p storage.Page) ([]*storage.HeldPost, error) {
	out, err := listPage[storage.HeldPost](ctx, r.s, "held_posts", nil, nil, "id", p)
	return out, r.s.wrap(err, "held posts")
}

func (r heldPosts) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM held_posts WHERE id = ?", id), "delete held post %s", id)
}
