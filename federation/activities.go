package federation

import (
	"github.com/herd-social/herd/ap"
)

// Activity is the common part of the typed activity wrappers: the decoded
// activity and accessors shared by every type. The wrappers are thin views
// of one *ap.Object; AP gives the full document.
type Activity struct {
	// AP is the decoded activity. Treat it as read-only.
	AP *ap.Object
}

// ID is the activity's id.
func (a Activity) ID() string { return a.AP.ID }

// ActorIRI is the activity's actor (verified to be the signer).
func (a Activity) ActorIRI() string { return a.AP.Actor.ID() }

// ObjectIRI is the IRI of the (first) object, embedded or not.
func (a Activity) ObjectIRI() string { return a.AP.Object.ID() }

// Embedded is the first embedded object, or nil when the object is given
// by IRI. It is NOT verified: use Incoming.Object for a trustworthy copy.
func (a Activity) Embedded() *ap.Object { return a.AP.Object.Obj() }

// ObjectType is the type of the embedded object, or "" when the object is
// given by IRI.
func (a Activity) ObjectType() string {
	if o := a.Embedded(); o != nil {
		return o.Type
	}
	return ""
}

// Follow asks to follow the object (a local actor).
type Follow struct{ Activity }

// Accept accepts an activity (usually a Follow sent by a local actor).
type Accept struct{ Activity }

// Reject rejects an activity (usually a Follow sent by a local actor).
type Reject struct{ Activity }

// Undo reverts an earlier activity of the same actor (Follow, Like,
// Announce, Block, EmojiReact).
type Undo struct{ Activity }

// Create publishes a new object (Note, Question, Article …).
type Create struct{ Activity }

// Update replaces an object (an edited post, a poll's counts) or the actor's
// own profile.
type Update struct{ Activity }

// Delete removes an object, or the actor itself.
type Delete struct{ Activity }

// Like favourites a post.
type Like struct{ Activity }

// Announce boosts a post.
type Announce struct{ Activity }

// Block blocks a local actor.
type Block struct{ Activity }

// Flag reports actors and posts to moderators.
type Flag struct{ Activity }

// Add adds an object to a collection (a pinned post to featured).
type Add struct{ Activity }

// Remove removes an object from a collection.
type Remove struct{ Activity }

// Move announces that the actor (object) moved to a new account (target).
type Move struct{ Activity }

// EmojiReact reacts to a post with an emoji (Pleroma, Akkoma, Misskey).
type EmojiReact struct{ Activity }

// Type implementations: the ActivityStreams type each wrapper handles.

// Type returns "Follow".
func (Follow) Type() string { return ap.TypeFollow }

// Type returns "Accept".
func (Accept) Type() string { return ap.TypeAccept }

// Type returns "Reject".
func (Reject) Type() string { return ap.TypeReject }

// Type returns "Undo".
func (Undo) Type() string { return ap.TypeUndo }

// Type returns "Create".
func (Create) Type() string { return ap.TypeCreate }

// Type returns "Update".
func (Update) Type() string { return ap.TypeUpdate }

// Type returns "Delete".
func (Delete) Type() string { return ap.TypeDelete }

// Type returns "Like".
func (Like) Type() string { return ap.TypeLike }

// Type returns "Announce".
func (Announce) Type() string { return ap.TypeAnnounce }

// Type returns "Block".
func (Block) Type() string { return ap.TypeBlock }

// Type returns "Flag".
func (Flag) Type() string { return ap.TypeFlag }

// Type returns "Add".
func (Add) Type() string { return ap.TypeAdd }

// Type returns "Remove".
func (Remove) Type() string { return ap.TypeRemove }

// Type returns "Move".
func (Move) Type() string { return ap.TypeMove }

// Type returns "EmojiReact".
func (EmojiReact) Type() string { return ap.TypeEmojiReact }

// Kind is the set of typed activities an application can register handlers
// for with On.
type Kind interface {
	Follow | Accept | Reject | Undo | Create | Update | Delete | Like | Announce |
		Block | Flag | Add | Remove | Move | EmojiReact
	// Type is the ActivityStreams type the wrapper stands for.
	Type() string
	// AnyActivity returns the common view of the activity.
	AnyActivity() Activity
}

// Type-specific accessors.

// Followee is the IRI of the actor to follow.
func (f Follow) Followee() string { return f.ObjectIRI() }

// FollowID is the id of the accepted activity (normally a Follow sent by a
// local actor, which the application looks up by URI).
func (a Accept) FollowID() string { return a.ObjectIRI() }

// FollowID is the id of the rejected activity (normally a Follow).
func (r Reject) FollowID() string { return r.ObjectIRI() }

// UndoneType is the type of the undone activity when it is embedded (as
// Mastodon sends it), else "".
func (u Undo) UndoneType() string { return u.ObjectType() }

// UndoneObjectIRI is the object of the embedded undone activity (the
// followee of an undone Follow, the post of an undone Like), or "".
func (u Undo) UndoneObjectIRI() string {
	if o := u.Embedded(); o != nil {
		return o.Object.ID()
	}
	return ""
}

// IsActorDeletion reports whether the actor deletes itself.
func (d Delete) IsActorDeletion() bool {
	id := d.ObjectIRI()
	return id != "" && id == d.ActorIRI()
}

// IsProfileUpdate reports whether the actor updates its own profile.
func (u Update) IsProfileUpdate() bool {
	o := u.Embedded()
	return o != nil && o.IsActor() && o.ID == u.ActorIRI()
}

// StatusIRI is the IRI of the liked post.
func (l Like) StatusIRI() string { return l.ObjectIRI() }

// Reaction is the reaction of a Misskey-style "Like" with content, or "".
func (l Like) Reaction() string { return l.AP.Content }

// StatusIRI is the IRI of the boosted post.
func (a Announce) StatusIRI() string { return a.ObjectIRI() }

// StatusIRI is the IRI of the post reacted to.
func (e EmojiReact) StatusIRI() string { return e.ObjectIRI() }

// Emoji is the reaction: a Unicode emoji or a ":shortcode:" whose image is
// among the activity's Emoji tags.
func (e EmojiReact) Emoji() string { return e.AP.Content }

// Blocked is the IRI of the blocked actor.
func (b Block) Blocked() string { return b.ObjectIRI() }

// Targets lists the reported actors and posts.
func (f Flag) Targets() []string { return f.AP.Object.IRIs() }

// Comment is the reporter's comment.
func (f Flag) Comment() string { return f.AP.Content }

// Collection is the IRI of the collection added to.
func (a Add) Collection() string { return a.AP.Target.ID() }

// Collection is the IRI of the collection removed from.
func (r Remove) Collection() string { return r.AP.Target.ID() }

// From is the account that moved (the object, normally the actor).
func (m Move) From() string { return m.ObjectIRI() }

// To is the account moved to (the target), which must list From in its
// alsoKnownAs: check it with the Resolver before acting.
func (m Move) To() string { return m.AP.Target.ID() }
