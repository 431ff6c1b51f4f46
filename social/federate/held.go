package federate

import (
	"context"
	"errors"
	"fmt"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// ErrNotAPost is returned by ReleaseHeld for an activity that does not
// create a post.
var ErrNotAPost = errors.New("federate: the held activity does not create a post")

// ReleaseHeld stores a post a moderation policy held for review, as if its
// Create had just arrived: in its author's followers' home timelines, with
// its notifications. raw is the Create activity as delivered (its post
// embedded, as the inbox kept it); the author must be stored. A post
// stored meanwhile is returned as it is.
func (f *Federator) ReleaseHeld(ctx context.Context, raw []byte) (*storage.Status, error) {
	act, err := ap.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("federate: held activity: %w", err)
	}
	if act.Type != ap.TypeCreate || len(act.Object) != 1 || act.Object[0].Obj == nil || !ap.IsPostType(act.Object[0].Obj.Type) {
		return nil, ErrNotAPost
	}
	post := act.Object[0].Obj
	author, err := f.store.Accounts().GetByURI(ctx, act.Actor.ID())
	if err != nil {
		return nil, fmt.Errorf("federate: author of the held post: %w", err)
	}
	if !ap.SameOrigin(post.ID, author.URI) {
		return nil, fmt.Errorf("federate: the held post %s is not its author's", post.ID)
	}
	return f.storePost(ctx, post, author, storeOptions{fanOut: true, parents: true, personal: true})
}
