package storage

import (
	"context"
	"time"
)

// Announcement is an instance-wide announcement set by an administrator
// (Mastodon's Announcement entity). Text is the administrator's plain text
// (the API renders it as HTML). StartsAt and EndsAt, when
// set, describe the event announced (AllDay: dates only); they do not
// schedule publication. Deleted announcements stay in the store, hidden,
// until their deletion has been streamed (see Announcements.ClaimEvents).
type Announcement struct {
	ID          ID         `db:"id"`
	Text        string     `db:"text"`
	StartsAt    *time.Time `db:"starts_at"`
	EndsAt      *time.Time `db:"ends_at"`
	AllDay      bool       `db:"all_day"`
	Published   bool       `db:"published"`
	PublishedAt *time.Time `db:"published_at"`
	// Version counts the announcement's changes (1 when created);
	// AnnouncedVersion is the last one streamed (0: none yet).
	Version          int64      `db:"version"`
	AnnouncedVersion int64      `db:"announced_version"`
	DeletedAt        *time.Time `db:"deleted_at"`
	CreatedAt        time.Time  `db:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at"`
}

// AnnouncementReaction is the count of one reaction (an emoji) to an
// announcement, and whether the viewer gave it.
type AnnouncementReaction struct {
	Name  string
	Count int64
	Me    bool
}

// Announcements stores announcements, the reactions accounts give them and
// the announcements accounts dismissed (marked read).
type Announcements interface {
	// Create stores a new announcement (ID, CreatedAt and UpdatedAt are
	// set when zero; PublishedAt is set when Published and nil).
	Create(ctx context.Context, a *Announcement) error
	// Get returns a stored, not deleted announcement.
	Get(ctx context.Context, id ID) (*Announcement, error)
	// Update writes text, starts_at, ends_at, all_day, published and
	// published_at, sets UpdatedAt and bumps Version: the announcement is
	// streamed again.
	Update(ctx context.Context, a *Announcement) error
	// Delete hides an announcement; ClaimEvents then reports it deleted
	// once and removes it with its reactions and dismissals.
	Delete(ctx context.Context, id ID) error
	// List returns the announcements that are not deleted, oldest first:
	// all of them, or only the published ones whose EndsAt (if any) is
	// after now.
	List(ctx context.Context, activeOnly bool, now time.Time) ([]*Announcement, error)
	// ClaimEvents returns the published announcements created or updated
	// since they were last claimed, and the IDs of those deleted since,
	// marking them claimed: each change is claimed by one caller only, even
	// when several processes call it at once.
	ClaimEvents(ctx context.Context) (published []*Announcement, deleted []ID, err error)

	// React adds a reaction of account (idempotent); Unreact removes it
	// (removing an absent reaction is no error). Both return the
	// reaction's count afterwards.
	React(ctx context.Context, announcementID, accountID ID, name string) (int64, error)
	Unreact(ctx context.Context, announcementID, accountID ID, name string) (int64, error)
	// Reactions returns the reactions of each announcement, by count
	// (most first) then name, with Me set for viewer's (0: none).
	Reactions(ctx context.Context, ids []ID, viewer ID) (map[ID][]AnnouncementReaction, error)

	// Dismiss marks an announcement read by account (idempotent).
	Dismiss(ctx context.Context, announcementID, accountID ID) error
	// Dismissed reports which of ids account dismissed.
	Dismissed(ctx context.Context, accountID ID, ids []ID) (map[ID]bool, error)
}
