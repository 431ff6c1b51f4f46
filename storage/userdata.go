package storage

import (
	"context"
	"database/sql/driver"
	"time"
)

// This file holds the records an account keeps for itself: scheduled
// statuses, direct conversations and thread mutes, read markers, private
// notes on other accounts, endorsed accounts, featured and followed hashtags.

// ScheduledParams are the parameters of a status to post later, stored as
// JSON and named as in a Mastodon ScheduledStatus's params.
type ScheduledParams struct {
	Text        string     `json:"text"`
	SpoilerText string     `json:"spoiler_text,omitempty"`
	Sensitive   *bool      `json:"sensitive,omitempty"`
	Visibility  Visibility `json:"visibility,omitempty"`
	Language    string     `json:"language,omitempty"`
	InReplyToID ID         `json:"in_reply_to_id,omitempty"`
	// Poll is the poll to attach, if any.
	Poll *ScheduledPoll `json:"poll,omitempty"`
	// ApplicationID is the application that scheduled the status.
	ApplicationID ID `json:"application_id,omitempty"`
	// Idempotency is the Idempotency-Key the status was scheduled with.
	Idempotency string `json:"idempotency,omitempty"`
}

// ScheduledPoll is the poll of a scheduled status.
type ScheduledPoll struct {
	Options    []string `json:"options"`
	ExpiresIn  int64    `json:"expires_in"` // seconds
	Multiple   bool     `json:"multiple,omitempty"`
	HideTotals bool     `json:"hide_totals,omitempty"`
}

// Value implements driver.Valuer.
func (p ScheduledParams) Value() (driver.Value, error) { return jsonValue(p) }

// Scan implements sql.Scanner.
func (p *ScheduledParams) Scan(src any) error { return jsonScan(src, p) }

// ScheduledStatus is a status an account asked to publish at ScheduledAt.
// Its media attachments are reserved for it (see ScheduledStatuses.Create).
type ScheduledStatus struct {
	ID          ID              `db:"id"`
	AccountID   ID              `db:"account_id"`
	ScheduledAt time.Time       `db:"scheduled_at"`
	Params      ScheduledParams `db:"params"`
	MediaIDs    IDs             `db:"media_ids"`
	// StatusID is the ID the published status gets; set when the status is
	// first claimed for publishing, so that a publisher that retries after
	// a crash finds the status already posted instead of posting it twice.
	StatusID ID `db:"status_id"`
	// ClaimedAt is when a publisher last claimed the status (nil: never).
	ClaimedAt *time.Time `db:"claimed_at"`
	CreatedAt time.Time  `db:"created_at"`
}

// ScheduledStatuses stores scheduled statuses.
type ScheduledStatuses interface {
	// Create inserts s and reserves its media: each of s.MediaIDs must
	// belong to s.AccountID and be attached neither to a status nor to
	// another scheduled status (else ErrInvalid); on error nothing is
	// stored. It assigns s.ID when zero and sets CreatedAt.
	Create(ctx context.Context, s *ScheduledStatus) error
	// Get returns accountID's scheduled status id.
	Get(ctx context.Context, accountID, id ID) (*ScheduledStatus, error)
	// List pages through accountID's scheduled statuses (by ID).
	List(ctx context.Context, accountID ID, p Page) ([]*ScheduledStatus, error)
	// Reschedule moves accountID's scheduled status id to at and returns it.
	Reschedule(ctx context.Context, accountID, id ID, at time.Time) (*ScheduledStatus, error)
	// Delete removes accountID's scheduled status id, releasing its media.
	Delete(ctx context.Context, accountID, id ID) error
	// Count counts accountID's scheduled statuses due in [from, to).
	Count(ctx context.Context, accountID ID, from, to time.Time) (int64, error)
	// ClaimDue atomically claims up to limit statuses due at now (or
	// earlier) that are unclaimed or whose claim is older than lease, and
	// returns them with StatusID set. Concurrent callers (several processes
	// on one database) never receive the same status within a lease.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*ScheduledStatus, error)
}

// Conversation is one account's view of a direct-message thread: the
// other participants, the latest status and whether it is unread.
type Conversation struct {
	ID             ID  `db:"id"`
	AccountID      ID  `db:"account_id"`
	ConversationID ID  `db:"conversation_id"` // the thread (Status.ConversationID)
	ParticipantIDs IDs `db:"participant_ids"` // the other accounts, ordered
	// StatusIDs are the thread's direct statuses the account can see.
	StatusIDs    IDs       `db:"status_ids"`
	LastStatusID ID        `db:"last_status_id"`
	Unread       bool      `db:"unread"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// Conversations stores per-account direct conversations; one per
// (account, thread).
type Conversations interface {
	// AddStatus records that direct status statusID of thread
	// conversationID reached accountID, with the other participants: it
	// creates the conversation or adds the status and participants to it,
	// makes it the last status when newer, and sets unread (the author's
	// own statuses leave unread as it is when unread is false). It returns
	// the conversation.
	AddStatus(ctx context.Context, accountID, conversationID, statusID ID, participants []ID, unread bool) (*Conversation, error)
	// RemoveStatus removes a deleted status from every conversation of its
	// thread, deleting conversations left without statuses.
	RemoveStatus(ctx context.Context, conversationID, statusID ID) error
	Get(ctx context.Context, accountID, id ID) (*Conversation, error)
	// GetByThread returns accountID's conversation of a thread.
	GetByThread(ctx context.Context, accountID, conversationID ID) (*Conversation, error)
	// List pages through accountID's conversations by LastStatusID.
	List(ctx context.Context, accountID ID, p Page) ([]*Conversation, error)
	// SetUnread marks accountID's conversation id read or unread.
	SetUnread(ctx context.Context, accountID, id ID, unread bool) error
	Delete(ctx context.Context, accountID, id ID) error
}

// ConversationMutes stores the threads accounts muted; one per (account,
// thread).
type ConversationMutes interface {
	// Mute mutes a thread for accountID (muting twice is not an error).
	Mute(ctx context.Context, accountID, conversationID ID) error
	// Unmute unmutes it (unmuting a thread not muted is not an error).
	Unmute(ctx context.Context, accountID, conversationID ID) error
	// Muted returns which of conversationIDs accountID muted.
	Muted(ctx context.Context, accountID ID, conversationIDs []ID) (map[ID]bool, error)
}

// The timelines markers are kept for.
const (
	MarkerHome          = "home"
	MarkerNotifications = "notifications"
)

// Marker is a read position in one of an account's timelines.
type Marker struct {
	AccountID  ID        `db:"account_id"`
	Timeline   string    `db:"timeline"`
	LastReadID ID        `db:"last_read_id"`
	Version    int64     `db:"version"`
	UpdatedAt  time.Time `db:"updated_at"`
}

// Markers stores read markers; one per (account, timeline).
type Markers interface {
	// Get returns accountID's markers of the given timelines that exist.
	Get(ctx context.Context, accountID ID, timelines []string) (map[string]*Marker, error)
	// Save sets accountID's marker of timeline to lastReadID and
	// increments its version, atomically (concurrent saves each count),
	// and returns the saved marker.
	Save(ctx context.Context, accountID ID, timeline string, lastReadID ID) (*Marker, error)
}

// AccountNotes stores the private notes accounts keep on others.
type AccountNotes interface {
	// Set sets accountID's note on targetID; an empty comment removes it.
	Set(ctx context.Context, accountID, targetID ID, comment string) error
	// Get returns accountID's notes on any of ids, by target.
	Get(ctx context.Context, accountID ID, ids []ID) (map[ID]string, error)
}

// Endorsement is an account featured on another's profile.
type Endorsement struct {
	ID              ID        `db:"id"`
	AccountID       ID        `db:"account_id"`
	TargetAccountID ID        `db:"target_account_id"`
	CreatedAt       time.Time `db:"created_at"`
}

// Endorsements stores endorsements; one per (account, target).
type Endorsements interface {
	// Create inserts e; endorsing twice is not an error (e keeps the
	// existing ID then).
	Create(ctx context.Context, e *Endorsement) error
	// Delete removes an endorsement (ErrNotFound when there is none).
	Delete(ctx context.Context, accountID, targetID ID) error
	// List pages through accountID's endorsements (by ID).
	List(ctx context.Context, accountID ID, p Page) ([]*Endorsement, error)
	// Endorsed returns which of ids accountID endorses.
	Endorsed(ctx context.Context, accountID ID, ids []ID) (map[ID]bool, error)
}

// FeaturedTag is a hashtag featured on an account's profile, with the
// account's use of it (computed when read).
type FeaturedTag struct {
	ID            ID         `db:"id"`
	AccountID     ID         `db:"account_id"`
	Name          string     `db:"name"` // lower-case
	StatusesCount int64      `db:"statuses_count"`
	LastStatusAt  *time.Time `db:"last_status_at"`
	CreatedAt     time.Time  `db:"created_at"`
}

// FeaturedTags stores featured hashtags; one per (account, name).
type FeaturedTags interface {
	// Create features a hashtag (lower-cased); ErrConflict when featured.
	Create(ctx context.Context, f *FeaturedTag) error
	// Delete removes accountID's featured tag id.
	Delete(ctx context.Context, accountID, id ID) error
	// DeleteByName removes accountID's featured tag name.
	DeleteByName(ctx context.Context, accountID ID, name string) error
	// List lists accountID's featured tags, oldest first, with the count
	// and date of the account's public and unlisted statuses using them.
	List(ctx context.Context, accountID ID) ([]*FeaturedTag, error)
	// MostUsed lists the hashtags accountID used most in its recent
	// statuses (up to limit), most used first.
	MostUsed(ctx context.Context, accountID ID, limit int) ([]TagUse, error)
}

// FollowedTag is a hashtag an account follows.
type FollowedTag struct {
	ID        ID        `db:"id"`
	AccountID ID        `db:"account_id"`
	Name      string    `db:"name"` // lower-case
	CreatedAt time.Time `db:"created_at"`
}

// FollowedTags stores followed hashtags; one per (account, name).
type FollowedTags interface {
	// Follow follows a hashtag (lower-cased); following twice is not an
	// error.
	Follow(ctx context.Context, accountID ID, name string) error
	// Unfollow stops following it (not following is not an error).
	Unfollow(ctx context.Context, accountID ID, name string) error
	// List pages through accountID's followed tags (by ID).
	List(ctx context.Context, accountID ID, p Page) ([]*FollowedTag, error)
	// Following returns which of names (lower-cased) accountID follows.
	Following(ctx context.Context, accountID ID, names []string) (map[string]bool, error)
	// Audience lists the local accounts following any of tags, minus
	// those that block or have an unexpired mute of any of q.Exclude or
	// block q.AuthorDomain (q.AuthorID is also excluded), ordered by ID.
	Audience(ctx context.Context, tags []string, q AudienceQuery) ([]ID, error)
}
