package storage

import (
	"context"
	"time"
)

// ReportCategory is the generic reason of a report, named as in the
// Mastodon API.
type ReportCategory string

// Report categories.
const (
	ReportSpam      ReportCategory = "spam"
	ReportLegal     ReportCategory = "legal"
	ReportViolation ReportCategory = "violation" // breaks one of the instance rules (RuleIDs)
	ReportOther     ReportCategory = "other"
)

// Valid reports whether c is a known category.
func (c ReportCategory) Valid() bool {
	switch c {
	case ReportSpam, ReportLegal, ReportViolation, ReportOther:
		return true
	}
	return false
}

// Report is a complaint about an account (and some of its statuses) to the
// moderators. A report received from another server (a Flag activity)
// carries the Flag's id as URI and, as AccountID, the account that sent it
// (usually that server's instance actor).
type Report struct {
	ID              ID             `db:"id"`
	AccountID       ID             `db:"account_id"` // reporter
	TargetAccountID ID             `db:"target_account_id"`
	StatusIDs       IDs            `db:"status_ids"`
	RuleIDs         IDs            `db:"rule_ids"`
	Category        ReportCategory `db:"category"`
	Comment         string         `db:"comment"`
	// Forwarded is set when the report was sent on to the target's server.
	Forwarded bool   `db:"forwarded"`
	URI       string `db:"uri"` // id of the Flag activity; "" for local reports not forwarded
	// AssignedAccountID is the moderator handling the report (0: nobody).
	AssignedAccountID ID `db:"assigned_account_id"`
	// ActionTakenByAccountID and ActionTakenAt are set when the report is
	// resolved, cleared when it is reopened.
	ActionTakenByAccountID ID         `db:"action_taken_by_account_id"`
	ActionTakenAt          *time.Time `db:"action_taken_at"`
	CreatedAt              time.Time  `db:"created_at"`
	UpdatedAt              time.Time  `db:"updated_at"`
}

// Resolved reports whether a moderator has closed the report.
func (r *Report) Resolved() bool { return r.ActionTakenAt != nil }

// ReportNote is a moderator's note on a report.
type ReportNote struct {
	ID        ID        `db:"id"`
	ReportID  ID        `db:"report_id"`
	AccountID ID        `db:"account_id"` // author
	Content   string    `db:"content"`
	CreatedAt time.Time `db:"created_at"`
}

// ReportFilter narrows a report listing.
type ReportFilter struct {
	// Resolved selects resolved (true) or unresolved (false) reports; nil
	// selects both.
	Resolved *bool
	// AccountID selects the reports filed by one account.
	AccountID ID
	// TargetAccountID selects the reports about one account.
	TargetAccountID ID
	// AssignedAccountID selects the reports assigned to one moderator.
	AssignedAccountID ID
}

// Reports stores reports and their notes.
type Reports interface {
	// Create inserts r. It assigns r.ID when zero and sets CreatedAt and
	// UpdatedAt when zero. A second report with the same non-empty URI is
	// ErrConflict.
	Create(ctx context.Context, r *Report) error
	Get(ctx context.Context, id ID) (*Report, error)
	// GetByURI finds the report received as the Flag activity uri.
	GetByURI(ctx context.Context, uri string) (*Report, error)
	// Update writes every field but the ID and CreatedAt, and sets UpdatedAt.
	Update(ctx context.Context, r *Report) error
	// List pages through reports, newest first.
	List(ctx context.Context, f ReportFilter, p Page) ([]*Report, error)
	// Count counts the reports matching f.
	Count(ctx context.Context, f ReportFilter) (int64, error)

	// AddNote inserts a note (assigning its ID and CreatedAt when zero).
	AddNote(ctx context.Context, n *ReportNote) error
	// Notes lists the notes of a report, oldest first.
	Notes(ctx context.Context, reportID ID) ([]*ReportNote, error)
	// DeleteNote removes one note.
	DeleteNote(ctx context.Context, id ID) error
}

// WarningAction is what a moderator did to an account, as recorded in an
// AccountWarning (Mastodon's AccountWarning action).
type WarningAction string

// Warning actions.
const (
	WarnNone                    WarningAction = "none"
	WarnDisable                 WarningAction = "disable"
	WarnMarkStatusesAsSensitive WarningAction = "mark_statuses_as_sensitive"
	WarnDeleteStatuses          WarningAction = "delete_statuses"
	WarnSensitive               WarningAction = "sensitive"
	WarnSilence                 WarningAction = "silence"
	WarnSuspend                 WarningAction = "suspend"
)

// Valid reports whether w is a known action.
func (w WarningAction) Valid() bool {
	switch w {
	case WarnNone, WarnDisable, WarnMarkStatusesAsSensitive, WarnDeleteStatuses, WarnSensitive, WarnSilence, WarnSuspend:
		return true
	}
	return false
}

// AccountWarning is a moderation action taken against an account, as shown
// to it (the moderation_warning notification).
type AccountWarning struct {
	ID              ID            `db:"id"`
	AccountID       ID            `db:"account_id"` // the moderator
	TargetAccountID ID            `db:"target_account_id"`
	Action          WarningAction `db:"action"`
	Text            string        `db:"text"`
	ReportID        ID            `db:"report_id"`
	StatusIDs       IDs           `db:"status_ids"`
	CreatedAt       time.Time     `db:"created_at"`
}

// AccountWarnings stores moderation warnings.
type AccountWarnings interface {
	// Create inserts w (assigning its ID and CreatedAt when zero).
	Create(ctx context.Context, w *AccountWarning) error
	Get(ctx context.Context, id ID) (*AccountWarning, error)
	// List pages through the warnings of one account, newest first.
	List(ctx context.Context, targetAccountID ID, p Page) ([]*AccountWarning, error)
}

// Rule is one of the instance's rules, shown at sign-up and cited by reports.
type Rule struct {
	ID        ID        `db:"id"`
	Text      string    `db:"text"`
	Hint      string    `db:"hint"`
	Position  int       `db:"position"` // rules are listed by ascending position, then ID
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Rules stores the instance rules.
type Rules interface {
	// Create inserts r (assigning its ID and timestamps when zero).
	Create(ctx context.Context, r *Rule) error
	Get(ctx context.Context, id ID) (*Rule, error)
	// Update writes Text, Hint and Position and sets UpdatedAt.
	Update(ctx context.Context, r *Rule) error
	Delete(ctx context.Context, id ID) error
	// List lists every rule in order.
	List(ctx context.Context) ([]*Rule, error)
}

// AuditEntry records one moderation action: who did what to which record.
type AuditEntry struct {
	ID        ID     `db:"id"`
	AccountID ID     `db:"account_id"` // the moderator (0: the system or the command line)
	Action    string `db:"action"`     // e.g. "account.suspend", "report.resolve"
	// TargetType and TargetID name the record acted on ("account", "report",
	// "rule", "domain_block" …).
	TargetType string    `db:"target_type"`
	TargetID   ID        `db:"target_id"`
	Summary    string    `db:"summary"` // human-readable, e.g. "alice suspended bob@example.org"
	CreatedAt  time.Time `db:"created_at"`
}

// AuditFilter narrows an audit log listing.
type AuditFilter struct {
	AccountID  ID
	Action     string
	TargetType string
	TargetID   ID
}

// AuditLog stores the audit log; entries are never changed.
type AuditLog interface {
	// Add inserts e (assigning its ID and CreatedAt when zero).
	Add(ctx context.Context, e *AuditEntry) error
	// List pages through entries, newest first.
	List(ctx context.Context, f AuditFilter, p Page) ([]*AuditEntry, error)
}

// AdminAccountFilter selects accounts for the admin API. Every set field
// narrows the listing. The instance actor is never listed.
type AdminAccountFilter struct {
	// Origin selects "local", "remote" or "" (both).
	Origin string
	// Status selects "active" (not suspended), "pending" (awaiting
	// approval), "disabled" (login disabled), "silenced", "suspended" or
	// "" (any). Pending and disabled select local accounts only.
	Status string
	// Username and DisplayName match a case-insensitive prefix/substring:
	// Username is a prefix, DisplayName a substring.
	Username    string
	DisplayName string
	// Domain selects the accounts of one remote domain (case-insensitive).
	Domain string
	// Email matches a case-insensitive substring of a local user's email.
	Email string
	// Staff selects local users with the moderator role or above.
	Staff bool
	// Roles selects local users with one of these roles.
	Roles []Role
	// IDs selects accounts by ID.
	IDs []ID
}

// AdminAccounts lists accounts for moderators.
type AdminAccounts interface {
	// List pages through accounts matching f, newest first. limit may be
	// up to 200 (Page.Limit; default 100).
	List(ctx context.Context, f AdminAccountFilter, p Page) ([]*Account, error)
}

// Admin page sizes (the admin API allows larger pages than the others).
const (
	AdminDefaultLimit = 100
	AdminMaxLimit     = 200
)
