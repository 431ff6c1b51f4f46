package storage

import (
	"context"
	"time"
)

// FilterContext names where a keyword filter applies, as in the Mastodon
// API.
type FilterContext string

// The contexts of keyword filters.
const (
	FilterHome          FilterContext = "home"          // the home timeline and lists
	FilterNotifications FilterContext = "notifications" // notifications
	FilterPublic        FilterContext = "public"        // public and hashtag timelines
	FilterThread        FilterContext = "thread"        // a status's conversation
	FilterAccount       FilterContext = "account"       // an account's statuses
)

// FilterContexts lists every filter context.
var FilterContexts = []FilterContext{FilterHome, FilterNotifications, FilterPublic, FilterThread, FilterAccount}

// Valid reports whether c is one of the known contexts.
func (c FilterContext) Valid() bool {
	switch c {
	case FilterHome, FilterNotifications, FilterPublic, FilterThread, FilterAccount:
		return true
	}
	return false
}

// FilterAction is what a matching filter does to a status.
type FilterAction string

// The actions of keyword filters.
const (
	FilterWarn FilterAction = "warn" // show the status behind a warning naming the filter
	FilterHide FilterAction = "hide" // leave the status out
	FilterBlur FilterAction = "blur" // show the status with its media hidden
)

// Valid reports whether a is one of the known actions.
func (a FilterAction) Valid() bool {
	switch a {
	case FilterWarn, FilterHide, FilterBlur:
		return true
	}
	return false
}

// Filter is a user's keyword filter (a Mastodon v2 filter): its keywords
// and statuses are stored apart. A filter with ExpiresAt in the past no
// longer applies but is kept.
type Filter struct {
	ID        ID     `db:"id"`
	AccountID ID     `db:"account_id"`
	Title     string `db:"title"`
	// Context lists the FilterContexts where the filter applies.
	Context   Strings      `db:"context"`
	Action    FilterAction `db:"action"`
	ExpiresAt *time.Time   `db:"expires_at"`
	CreatedAt time.Time    `db:"created_at"`
	UpdatedAt time.Time    `db:"updated_at"`
}

// FilterKeyword is a phrase a filter matches in the text of statuses.
type FilterKeyword struct {
	ID       ID     `db:"id"`
	FilterID ID     `db:"filter_id"`
	Keyword  string `db:"keyword"`
	// WholeWord matches the keyword only between word boundaries.
	WholeWord bool      `db:"whole_word"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// FilterStatus is one status a filter matches whatever its text.
type FilterStatus struct {
	ID        ID        `db:"id"`
	FilterID  ID        `db:"filter_id"`
	StatusID  ID        `db:"status_id"`
	CreatedAt time.Time `db:"created_at"`
}

// Filters stores keyword filters with their keywords and statuses.
// Deleting a filter deletes its keywords and statuses; deleting an account
// deletes its filters; deleting a status removes it from every filter.
type Filters interface {
	// Create inserts f. It assigns f.ID when zero, sets CreatedAt and
	// UpdatedAt when zero and defaults Action to FilterWarn. AccountID and
	// a non-empty Context of valid contexts are required (else
	// ErrInvalid).
	Create(ctx context.Context, f *Filter) error
	Get(ctx context.Context, id ID) (*Filter, error)
	// Update writes Title, Context, Action and ExpiresAt and sets UpdatedAt.
	Update(ctx context.Context, f *Filter) error
	Delete(ctx context.Context, id ID) error
	// ByAccount lists every filter of an account, expired ones included,
	// in ID order.
	ByAccount(ctx context.Context, accountID ID) ([]*Filter, error)

	// CreateKeyword inserts k (FilterID and a non-empty Keyword required).
	CreateKeyword(ctx context.Context, k *FilterKeyword) error
	GetKeyword(ctx context.Context, id ID) (*FilterKeyword, error)
	// UpdateKeyword writes Keyword and WholeWord and sets UpdatedAt.
	UpdateKeyword(ctx context.Context, k *FilterKeyword) error
	DeleteKeyword(ctx context.Context, id ID) error
	// Keywords lists the keywords of the given filters, in ID order.
	Keywords(ctx context.Context, filterIDs []ID) ([]*FilterKeyword, error)

	// CreateStatus inserts s; a filter holds a status at most once
	// (ErrConflict).
	CreateStatus(ctx context.Context, s *FilterStatus) error
	GetStatus(ctx context.Context, id ID) (*FilterStatus, error)
	DeleteStatus(ctx context.Context, id ID) error
	// Statuses lists the statuses of the given filters, in ID order.
	Statuses(ctx context.Context, filterIDs []ID) ([]*FilterStatus, error)
}
