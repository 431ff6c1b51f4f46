package storage

import (
	"context"
	"time"
)

// HeldPost is an inbound post a moderation policy held for review (by
// default: the posts of remote accounts first seen a short while ago). Raw
// is the activity as it was delivered (JSON); releasing it stores the post
// as if it had just arrived, discarding it forgets it.
type HeldPost struct {
	ID        ID        `db:"id"`
	AccountID ID        `db:"account_id"` // the remote author
	URI       string    `db:"uri"`        // the post's id
	Raw       string    `db:"raw"`
	Reason    string    `db:"reason"`
	CreatedAt time.Time `db:"created_at"`
}

// HeldPosts stores posts held for review; one per post URI.
type HeldPosts interface {
	// Create stores h (ErrConflict when the post is already held). It
	// assigns h.ID when zero and sets CreatedAt when zero.
	Create(ctx context.Context, h *HeldPost) error
	Get(ctx context.Context, id ID) (*HeldPost, error)
	// List pages through held posts, newest first.
	List(ctx context.Context, p Page) ([]*HeldPost, error)
	Delete(ctx context.Context, id ID) error
}
