package ap

import (
	"strings"

	vocab "github.com/go-ap/activitypub"
)

// Activity Streams types used by Herd and the peers it federates with. Types
// not listed here still decode (Object.Type keeps the string).
const (
	// Actors.
	TypePerson       = string(vocab.PersonType)
	TypeService      = string(vocab.ServiceType)
	TypeApplication  = string(vocab.ApplicationType)
	TypeGroup        = string(vocab.GroupType)
	TypeOrganization = string(vocab.OrganizationType)

	// Objects.
	TypeObject    = string(vocab.ObjectType)
	TypeNote      = string(vocab.NoteType)
	TypeQuestion  = string(vocab.QuestionType)
	TypeArticle   = string(vocab.ArticleType)
	TypePage      = string(vocab.PageType)
	TypeImage     = string(vocab.ImageType)
	TypeVideo     = string(vocab.VideoType)
	TypeAudio     = string(vocab.AudioType)
	TypeEvent     = string(vocab.EventType)
	TypeDocument  = string(vocab.DocumentType)
	TypeTombstone = string(vocab.TombstoneType)

	// Activities.
	TypeCreate   = string(vocab.CreateType)
	TypeUpdate   = string(vocab.UpdateType)
	TypeDelete   = string(vocab.DeleteType)
	TypeFollow   = string(vocab.FollowType)
	TypeAccept   = string(vocab.AcceptType)
	TypeReject   = string(vocab.RejectType)
	TypeLike     = string(vocab.LikeType)
	TypeAnnounce = string(vocab.AnnounceType)
	TypeUndo     = string(vocab.UndoType)
	TypeBlock    = string(vocab.BlockType)
	TypeFlag     = string(vocab.FlagType)
	TypeAdd      = string(vocab.AddType)
	TypeRemove   = string(vocab.RemoveType)
	TypeMove     = string(vocab.MoveType)
	// TypeEmojiReact is the Pleroma/Akkoma/Misskey emoji reaction (litepub).
	TypeEmojiReact = "EmojiReact"

	// Links and tags.
	TypeLink          = string(vocab.LinkType)
	TypeMention       = string(vocab.MentionType)
	TypeHashtag       = "Hashtag"       // as:Hashtag
	TypeEmoji         = "Emoji"         // toot:Emoji
	TypePropertyValue = "PropertyValue" // schema:PropertyValue

	// Collections.
	TypeCollection            = string(vocab.CollectionType)
	TypeCollectionPage        = string(vocab.CollectionPageType)
	TypeOrderedCollection     = string(vocab.OrderedCollectionType)
	TypeOrderedCollectionPage = string(vocab.OrderedCollectionPageType)
)

// IsActorType reports whether t is an actor type (Person, Service,
// Application, Group, Organization).
func IsActorType(t string) bool {
	switch t {
	case TypePerson, TypeService, TypeApplication, TypeGroup, TypeOrganization:
		return true
	}
	return false
}

// IsActivityType reports whether t is one of the activity types Herd
// handles (including EmojiReact and the other Activity Streams activities).
func IsActivityType(t string) bool {
	switch t {
	case TypeCreate, TypeUpdate, TypeDelete, TypeFollow, TypeAccept, TypeReject,
		TypeLike, TypeAnnounce, TypeUndo, TypeBlock, TypeFlag, TypeAdd, TypeRemove,
		TypeMove, TypeEmojiReact:
		return true
	}
	return vocab.ActivityTypes.Contains(vocab.ActivityVocabularyType(t)) ||
		vocab.IntransitiveActivityTypes.Contains(vocab.ActivityVocabularyType(t)) && t != TypeQuestion
}

// IsCollectionType reports whether t is Collection, OrderedCollection or one
// of their page types.
func IsCollectionType(t string) bool {
	switch t {
	case TypeCollection, TypeCollectionPage, TypeOrderedCollection, TypeOrderedCollectionPage:
		return true
	}
	return false
}

// IsPostType reports whether t is an object type Herd renders as a status:
// Note, Question, Article, Page, Image, Video, Audio, Event.
func IsPostType(t string) bool {
	switch t {
	case TypeNote, TypeQuestion, TypeArticle, TypePage, TypeImage, TypeVideo, TypeAudio, TypeEvent:
		return true
	}
	return false
}

// transitive reports whether activities of type t need an "object".
func transitive(t string) bool {
	switch t {
	case TypeCreate, TypeUpdate, TypeDelete, TypeFollow, TypeAccept, TypeReject,
		TypeLike, TypeAnnounce, TypeUndo, TypeBlock, TypeFlag, TypeAdd, TypeRemove,
		TypeMove, TypeEmojiReact:
		return true
	}
	return false
}

// normalizeType strips the compact-IRI prefixes and namespace IRIs peers
// occasionally put on type names ("as:Hashtag", "toot:Emoji",
// "https://www.w3.org/ns/activitystreams#Note").
func normalizeType(t string) string {
	for strings.IndexByte(t, ':') >= 0 {
		stripped := false
		for _, p := range [...]string{"as:", "toot:", "schema:", activityStreamsNS + "#", "http://joinmastodon.org/ns#", "http://schema.org#"} {
			if rest, ok := strings.CutPrefix(t, p); ok && rest != "" {
				t, stripped = rest, true
				break
			}
		}
		if !stripped {
			break
		}
	}
	return t
}
