package storage

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Visibility is who may see a status, named as in the Mastodon API.
type Visibility string

// The four visibilities of a status.
const (
	VisibilityPublic   Visibility = "public"   // everyone, listed on public timelines
	VisibilityUnlisted Visibility = "unlisted" // everyone, but not on public timelines
	VisibilityPrivate  Visibility = "private"  // followers and mentioned accounts only
	VisibilityDirect   Visibility = "direct"   // mentioned accounts only
)

// Valid reports whether v is one of the four visibilities.
func (v Visibility) Valid() bool {
	switch v {
	case VisibilityPublic, VisibilityUnlisted, VisibilityPrivate, VisibilityDirect:
		return true
	}
	return false
}

// Strings is a list of strings stored as a JSON array.
type Strings []string

// Value implements driver.Valuer.
func (s Strings) Value() (driver.Value, error) { return jsonValue(s) }

// Scan implements sql.Scanner.
func (s *Strings) Scan(src any) error { return jsonScan(src, s) }

// IDs is a list of IDs stored as a JSON array.
type IDs []ID

// Value implements driver.Valuer.
func (s IDs) Value() (driver.Value, error) { return jsonValue(s) }

// Scan implements sql.Scanner.
func (s *IDs) Scan(src any) error { return jsonScan(src, s) }

// Field is a profile metadata field (a name/value pair on a profile).
type Field struct {
	Name       string     `json:"name"`
	Value      string     `json:"value"` // HTML
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

// Fields is a list of profile fields stored as a JSON array.
type Fields []Field

// Value implements driver.Valuer.
func (s Fields) Value() (driver.Value, error) { return jsonValue(s) }

// Scan implements sql.Scanner.
func (s *Fields) Scan(src any) error { return jsonScan(src, s) }

// Emoji is a custom emoji referenced by a status or a profile.
type Emoji struct {
	Shortcode string `json:"shortcode"`
	URL       string `json:"url"`
	StaticURL string `json:"static_url,omitempty"`
	URI       string `json:"uri,omitempty"` // ActivityPub id of a remote emoji
	// UpdatedAt is when the emoji's image last changed (its Emoji tag's
	// "updated"); zero when unknown.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Emojis is a list of emojis stored as a JSON array.
type Emojis []Emoji

// Value implements driver.Valuer.
func (s Emojis) Value() (driver.Value, error) { return jsonValue(s) }

// Scan implements sql.Scanner.
func (s *Emojis) Scan(src any) error { return jsonScan(src, s) }

// Mention is an account mentioned by a status.
type Mention struct {
	AccountID ID     `json:"account_id"`
	Username  string `json:"username"`
	Acct      string `json:"acct"` // user for local accounts, user@domain for remote ones
	URL       string `json:"url"`
	URI       string `json:"uri"`
}

// Mentions is a list of mentions stored as a JSON array.
type Mentions []Mention

// Value implements driver.Valuer.
func (s Mentions) Value() (driver.Value, error) { return jsonValue(s) }

// Scan implements sql.Scanner.
func (s *Mentions) Scan(src any) error { return jsonScan(src, s) }

// Extra holds properties a record keeps without the store interpreting
// them, as a JSON object.
type Extra map[string]json.RawMessage

// Value implements driver.Valuer.
func (s Extra) Value() (driver.Value, error) {
	if s == nil {
		return "{}", nil // an object, not the "[]" jsonValue gives other nil values
	}
	return jsonValue(s)
}

// Scan implements sql.Scanner.
func (s *Extra) Scan(src any) error { return jsonScan(src, s) }

func jsonValue(v any) (driver.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return "[]", nil
	}
	return string(b), nil
}

func jsonScan(src any, dst any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("storage: cannot scan %T as JSON", src)
	}
	if len(b) == 0 {
		return nil
	}
	// Most rows hold empty lists and objects: set those without
	// json.Unmarshal, which allocates a decoder on every call.
	switch string(b) {
	case "[]", "{}", "null":
		if setEmpty(dst) {
			return nil
		}
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("storage: scan JSON column: %w", err)
	}
	return nil
}

// setEmpty sets the list or object behind dst to an empty, non-nil value
// and reports whether it knew dst's type.
func setEmpty(dst any) bool {
	switch d := dst.(type) {
	case *Strings:
		*d = Strings{}
	case *IDs:
		*d = IDs{}
	case *Fields:
		*d = Fields{}
	case *Emojis:
		*d = Emojis{}
	case *Mentions:
		*d = Mentions{}
	case *Extra:
		*d = Extra{}
	default:
		return false
	}
	return true
}

// ActorType is the ActivityPub type of an account's actor.
type ActorType string

// Actor types.
const (
	ActorPerson       ActorType = "Person"
	ActorService      ActorType = "Service"
	ActorApplication  ActorType = "Application"
	ActorGroup        ActorType = "Group"
	ActorOrganization ActorType = "Organization"
)

// Account is a local or remote actor. Local accounts have an empty Domain
// and a private key; remote ones carry the addresses of their actor.
type Account struct {
	ID          ID     `db:"id"`
	Username    string `db:"username"`
	Domain      string `db:"domain"` // "" for local accounts
	DisplayName string `db:"display_name"`
	Note        string `db:"note"`        // HTML
	NoteSource  string `db:"note_source"` // plain text as typed, local accounts only
	// ActivityPub addresses.
	URI            string    `db:"uri"` // actor id
	URL            string    `db:"url"` // profile page
	InboxURI       string    `db:"inbox_uri"`
	OutboxURI      string    `db:"outbox_uri"`
	SharedInboxURI string    `db:"shared_inbox_uri"`
	FollowersURI   string    `db:"followers_uri"`
	FollowingURI   string    `db:"following_uri"`
	FeaturedURI    string    `db:"featured_uri"`
	ActorType      ActorType `db:"actor_type"`
	// Keys: the private key is set for local accounts only.
	PublicKeyID   string `db:"public_key_id"`
	PublicKeyPEM  string `db:"public_key_pem"`
	PrivateKeyPEM string `db:"private_key_pem"`
	// Images: URLs as served to clients; remote ones as published by the peer.
	AvatarURL       string  `db:"avatar_url"`
	AvatarRemoteURL string  `db:"avatar_remote_url"`
	HeaderURL       string  `db:"header_url"`
	HeaderRemoteURL string  `db:"header_remote_url"`
	Fields          Fields  `db:"fields"`
	Emojis          Emojis  `db:"emojis"`
	AlsoKnownAs     Strings `db:"also_known_as"`
	MovedToID       ID      `db:"moved_to_id"`
	Locked          bool    `db:"locked"` // manuallyApprovesFollowers
	Bot             bool    `db:"bot"`
	Discoverable    bool    `db:"discoverable"`
	Indexable       bool    `db:"indexable"`
	Memorial        bool    `db:"memorial"`
	// Moderation state (extended by the moderation issue).
	SuspendedAt *time.Time `db:"suspended_at"`
	SilencedAt  *time.Time `db:"silenced_at"`
	Sensitized  bool       `db:"sensitized"`
	// Counters, kept by the store's Adjust methods.
	StatusesCount  int64      `db:"statuses_count"`
	FollowersCount int64      `db:"followers_count"`
	FollowingCount int64      `db:"following_count"`
	LastStatusAt   *time.Time `db:"last_status_at"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
	FetchedAt      *time.Time `db:"fetched_at"` // remote: when the actor was last fetched
	Extra          Extra      `db:"extra"`
}

// Local reports whether the account lives on this server.
func (a *Account) Local() bool { return a.Domain == "" }

// Acct is the account's handle as the Mastodon API shows it: username for
// local accounts, username@domain for remote ones.
func (a *Account) Acct() string {
	if a.Domain == "" {
		return a.Username
	}
	return a.Username + "@" + a.Domain
}

// Role is a local user's role on the server.
type Role string

// Roles, in increasing order of power.
const (
	RoleUser      Role = "user"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
	RoleOwner     Role = "owner"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleUser, RoleModerator, RoleAdmin, RoleOwner:
		return true
	}
	return false
}

// AtLeast reports whether r is min or a more powerful role.
func (r Role) AtLeast(min Role) bool { return roleRank(r) >= roleRank(min) && roleRank(min) > 0 }

func roleRank(r Role) int {
	switch r {
	case RoleUser:
		return 1
	case RoleModerator:
		return 2
	case RoleAdmin:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// User holds the credentials and settings of a local account.
type User struct {
	ID                ID         `db:"id"`
	AccountID         ID         `db:"account_id"`
	Email             string     `db:"email"`
	PasswordHash      string     `db:"password_hash"`
	Role              Role       `db:"role"`
	Approved          bool       `db:"approved"`
	ConfirmedAt       *time.Time `db:"confirmed_at"`
	Disabled          bool       `db:"disabled"`
	Locale            string     `db:"locale"`
	SignUpReason      string     `db:"sign_up_reason"`
	DefaultVisibility Visibility `db:"default_visibility"`
	DefaultSensitive  bool       `db:"default_sensitive"`
	DefaultLanguage   string     `db:"default_language"`
	LastSignInAt      *time.Time `db:"last_sign_in_at"`
	CreatedAt         time.Time  `db:"created_at"`
	UpdatedAt         time.Time  `db:"updated_at"`
}

// Status is a post, a reply or a boost (a status whose ReblogOfID is set).
type Status struct {
	ID                 ID         `db:"id"`
	URI                string     `db:"uri"`
	URL                string     `db:"url"`
	AccountID          ID         `db:"account_id"`
	Local              bool       `db:"local"`
	InReplyToID        ID         `db:"in_reply_to_id"`
	InReplyToAccountID ID         `db:"in_reply_to_account_id"`
	InReplyToURI       string     `db:"in_reply_to_uri"` // set even when the parent is not stored
	ReblogOfID         ID         `db:"reblog_of_id"`
	QuoteOfID          ID         `db:"quote_of_id"`
	ConversationID     ID         `db:"conversation_id"` // root of the thread
	Content            string     `db:"content"`         // HTML
	Text               string     `db:"text"`            // source text of local statuses
	SpoilerText        string     `db:"spoiler_text"`
	Sensitive          bool       `db:"sensitive"`
	Visibility         Visibility `db:"visibility"`
	Language           string     `db:"language"`
	ApplicationID      ID         `db:"application_id"`
	Mentions           Mentions   `db:"mentions"`
	Tags               Strings    `db:"tags"` // normalised (lower-case) hashtag names
	Emojis             Emojis     `db:"emojis"`
	MediaIDs           IDs        `db:"media_ids"`
	PollID             ID         `db:"poll_id"`
	HasMedia           bool       `db:"has_media"`
	RepliesCount       int64      `db:"replies_count"`
	ReblogsCount       int64      `db:"reblogs_count"`
	FavouritesCount    int64      `db:"favourites_count"`
	CreatedAt          time.Time  `db:"created_at"`
	EditedAt           *time.Time `db:"edited_at"`
	UpdatedAt          time.Time  `db:"updated_at"`
	Extra              Extra      `db:"extra"`
}

// StatusEdit is one earlier version of an edited status.
type StatusEdit struct {
	ID          ID        `db:"id"`
	StatusID    ID        `db:"status_id"`
	AccountID   ID        `db:"account_id"`
	Content     string    `db:"content"`
	Text        string    `db:"text"`
	SpoilerText string    `db:"spoiler_text"`
	Sensitive   bool      `db:"sensitive"`
	MediaIDs    IDs       `db:"media_ids"`
	Emojis      Emojis    `db:"emojis"`
	CreatedAt   time.Time `db:"created_at"`
	// PollOptions are the titles of the poll's options in this version
	// (empty when it had no poll).
	PollOptions Strings `db:"poll_options"`
}

// Follow is an accepted follow from AccountID to TargetAccountID.
type Follow struct {
	ID              ID        `db:"id"`
	AccountID       ID        `db:"account_id"`
	TargetAccountID ID        `db:"target_account_id"`
	URI             string    `db:"uri"` // id of the Follow activity
	ShowReblogs     bool      `db:"show_reblogs"`
	Notify          bool      `db:"notify"`
	Languages       Strings   `db:"languages"`
	CreatedAt       time.Time `db:"created_at"`
}

// FollowRequest is a follow awaiting the approval of a locked account (or,
// for a remote target, its Accept).
type FollowRequest Follow

// FollowState is what a viewer's follow relations with one target are.
type FollowState struct {
	Following   *Follow // the viewer follows the target
	FollowedBy  bool    // the target follows the viewer
	Requested   bool    // the viewer asked to follow the target
	RequestedBy bool    // the target asked to follow the viewer
}

// Favourite is a like.
type Favourite struct {
	ID        ID        `db:"id"`
	AccountID ID        `db:"account_id"`
	StatusID  ID        `db:"status_id"`
	URI       string    `db:"uri"` // id of the Like activity
	CreatedAt time.Time `db:"created_at"`
}

// Bookmark is a status saved privately by an account.
type Bookmark struct {
	ID        ID        `db:"id"`
	AccountID ID        `db:"account_id"`
	StatusID  ID        `db:"status_id"`
	CreatedAt time.Time `db:"created_at"`
}

// Pin is a status featured on its author's profile.
type Pin struct {
	ID        ID        `db:"id"`
	AccountID ID        `db:"account_id"`
	StatusID  ID        `db:"status_id"`
	CreatedAt time.Time `db:"created_at"`
}

// ViewerState is how one account has interacted with a status.
type ViewerState struct {
	Favourited bool
	Reblogged  bool
	Bookmarked bool
	Pinned     bool
}

// NotificationType is the kind of a notification, named as in the Mastodon API.
type NotificationType string

// Notification types.
const (
	NotifyMention       NotificationType = "mention"
	NotifyStatus        NotificationType = "status"
	NotifyReblog        NotificationType = "reblog"
	NotifyFavourite     NotificationType = "favourite"
	NotifyFollow        NotificationType = "follow"
	NotifyFollowRequest NotificationType = "follow_request"
	NotifyPoll          NotificationType = "poll"
	NotifyUpdate        NotificationType = "update"
	NotifySignUp        NotificationType = "admin.sign_up"
	NotifyReport        NotificationType = "admin.report"
	NotifySevered       NotificationType = "severed_relationships"
	NotifyModeration    NotificationType = "moderation_warning"
	NotifyQuote         NotificationType = "quote"
)

// Notification tells AccountID that FromAccountID did something.
type Notification struct {
	ID            ID               `db:"id"`
	AccountID     ID               `db:"account_id"` // recipient
	FromAccountID ID               `db:"from_account_id"`
	Type          NotificationType `db:"type"`
	StatusID      ID               `db:"status_id"`
	GroupKey      string           `db:"group_key"`
	Extra         Extra            `db:"extra"`
	CreatedAt     time.Time        `db:"created_at"`
	// Filtered is set on a notification the recipient's policy kept aside
	// in a NotificationRequest.
	Filtered bool `db:"filtered"`
}

// NotificationFilter narrows a notification listing.
type NotificationFilter struct {
	Types         []NotificationType
	ExcludeTypes  []NotificationType
	FromAccountID ID
	// IncludeFiltered also lists filtered notifications.
	IncludeFiltered bool
}

// Application is an OAuth2 client registered through POST /api/v1/apps.
type Application struct {
	ID               ID        `db:"id"`
	Name             string    `db:"name"`
	Website          string    `db:"website"`
	RedirectURIs     Strings   `db:"redirect_uris"`
	Scopes           Strings   `db:"scopes"`
	ClientID         string    `db:"client_id"`
	ClientSecretHash string    `db:"client_secret_hash"`
	OwnerAccountID   ID        `db:"owner_account_id"`
	CreatedAt        time.Time `db:"created_at"`
}

// AuthorizationCode is an OAuth2 authorization code awaiting exchange. Only
// its hash is stored.
type AuthorizationCode struct {
	ID                  ID         `db:"id"`
	CodeHash            string     `db:"code_hash"`
	ApplicationID       ID         `db:"application_id"`
	AccountID           ID         `db:"account_id"`
	RedirectURI         string     `db:"redirect_uri"`
	Scopes              Strings    `db:"scopes"`
	CodeChallenge       string     `db:"code_challenge"`
	CodeChallengeMethod string     `db:"code_challenge_method"`
	ExpiresAt           time.Time  `db:"expires_at"`
	UsedAt              *time.Time `db:"used_at"`
	CreatedAt           time.Time  `db:"created_at"`
}

// Token is an OAuth2 access token. Only its hash is stored.
type Token struct {
	ID            ID         `db:"id"`
	TokenHash     string     `db:"token_hash"`
	ApplicationID ID         `db:"application_id"`
	AccountID     ID         `db:"account_id"` // zero for client-credentials tokens
	Scopes        Strings    `db:"scopes"`
	CreatedAt     time.Time  `db:"created_at"`
	LastUsedAt    *time.Time `db:"last_used_at"`
	RevokedAt     *time.Time `db:"revoked_at"`
}

// Instance is a server this one knows of, with the state federation keeps
// about delivering to it.
type Instance struct {
	Domain           string     `db:"domain"`
	SharedInboxURI   string     `db:"shared_inbox_uri"`
	Software         string     `db:"software"`
	SoftwareVersion  string     `db:"software_version"`
	FirstSeenAt      time.Time  `db:"first_seen_at"`
	LastSuccessAt    *time.Time `db:"last_success_at"`
	LastFailureAt    *time.Time `db:"last_failure_at"`
	FailureCount     int64      `db:"failure_count"`
	UnavailableSince *time.Time `db:"unavailable_since"`
	UpdatedAt        time.Time  `db:"updated_at"`
}

// FeedKind distinguishes materialised feeds.
type FeedKind int

// Feed kinds.
const (
	FeedHome FeedKind = 1 // an account's home timeline; owner is the account
	FeedList FeedKind = 2 // a list timeline; owner is the list
)

// Feed names a materialised timeline.
type Feed struct {
	Kind  FeedKind
	Owner ID
}

// HomeFeed is the home timeline of an account.
func HomeFeed(accountID ID) Feed { return Feed{Kind: FeedHome, Owner: accountID} }

// FeedEntry is one status in a materialised feed.
type FeedEntry struct {
	StatusID   ID `db:"status_id"`
	AuthorID   ID `db:"author_id"`    // account that posted (or boosted) it
	ReblogOfID ID `db:"reblog_of_id"` // for boosts, the boosted status
}
