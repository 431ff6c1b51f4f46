package mastoapi

import (
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// This file holds the Mastodon API entities and the converters from storage
// records, named by direction (AccountToAPI …). Entities carry every
// documented field: absent values are null, lists are [], never missing.

// CustomEmoji is a custom emoji as clients render it.
type CustomEmoji struct {
	Shortcode       string  `json:"shortcode"`
	URL             string  `json:"url"`
	StaticURL       string  `json:"static_url"`
	VisibleInPicker bool    `json:"visible_in_picker"`
	Category        *string `json:"category"`
}

// Field is a profile metadata field.
type Field struct {
	Name       string `json:"name"`
	Value      string `json:"value"`
	VerifiedAt *Time  `json:"verified_at"`
}

// AccountRole is a role shown on a profile (highlighted roles only).
type AccountRole struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// Account is the Mastodon Account entity.
type Account struct {
	ID                string        `json:"id"`
	Username          string        `json:"username"`
	Acct              string        `json:"acct"`
	DisplayName       string        `json:"display_name"`
	Locked            bool          `json:"locked"`
	Bot               bool          `json:"bot"`
	Discoverable      bool          `json:"discoverable"`
	Indexable         bool          `json:"indexable"`
	Group             bool          `json:"group"`
	NoIndex           bool          `json:"noindex"`
	CreatedAt         Time          `json:"created_at"`
	Note              string        `json:"note"`
	URL               string        `json:"url"`
	URI               string        `json:"uri"`
	Avatar            string        `json:"avatar"`
	AvatarStatic      string        `json:"avatar_static"`
	AvatarDescription string        `json:"avatar_description"`
	Header            string        `json:"header"`
	HeaderStatic      string        `json:"header_static"`
	HeaderDescription string        `json:"header_description"`
	FollowersCount    int64         `json:"followers_count"`
	FollowingCount    int64         `json:"following_count"`
	StatusesCount     int64         `json:"statuses_count"`
	LastStatusAt      *Date         `json:"last_status_at"`
	HideCollections   bool          `json:"hide_collections"`
	Emojis            []CustomEmoji `json:"emojis"`
	Fields            []Field       `json:"fields"`
	Roles             []AccountRole `json:"roles"`
	Memorial          bool          `json:"memorial"`
	Moved             *Account      `json:"moved"`
	Suspended         bool          `json:"suspended"`
	Limited           bool          `json:"limited"`
	// sensitized: a moderator forces the account's media sensitive.
	sensitized bool
}

// Role is a user's role on the server, as in CredentialAccount.role.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Permissions string `json:"permissions"`
	Highlighted bool   `json:"highlighted"`
}

// Source holds the editable profile values of CredentialAccount.
type Source struct {
	Privacy             string   `json:"privacy"`
	Sensitive           bool     `json:"sensitive"`
	Language            *string  `json:"language"`
	Note                string   `json:"note"`
	Fields              []Field  `json:"fields"`
	FollowRequestsCount int64    `json:"follow_requests_count"`
	HideCollections     bool     `json:"hide_collections"`
	Discoverable        bool     `json:"discoverable"`
	Indexable           bool     `json:"indexable"`
	AttributionDomains  []string `json:"attribution_domains"`
	QuotePolicy         string   `json:"quote_policy"`
}

// CredentialAccount is the signed-in user's own Account, with source and role.
type CredentialAccount struct {
	Account
	Source Source `json:"source"`
	Role   Role   `json:"role"`
}

func extraBool(e storage.Extra, key string) bool {
	raw, ok := e[key]
	if !ok {
		return false
	}
	var b bool
	return json.Unmarshal(raw, &b) == nil && b
}

func emojisToAPI(es storage.Emojis) []CustomEmoji {
	out := make([]CustomEmoji, 0, len(es))
	for _, e := range es {
		static := e.StaticURL
		if static == "" {
			static = e.URL
		}
		out = append(out, CustomEmoji{Shortcode: e.Shortcode, URL: e.URL, StaticURL: static, VisibleInPicker: true})
	}
	return out
}

func fieldsToAPI(fs storage.Fields) []Field {
	out := make([]Field, 0, len(fs))
	for _, f := range fs {
		out = append(out, Field{Name: f.Name, Value: f.Value, VerifiedAt: TimePtr(f.VerifiedAt)})
	}
	return out
}

// midnightUTC is the start of t's day in UTC: Mastodon shows account
// creation dates at day precision.
func midnightUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AccountToAPI converts a stored account to the Account entity. Accounts
// without images get the server's default avatar and header.
func AccountToAPI(a *storage.Account, urls *social.URLs) *Account {
	avatar, header := a.AvatarURL, a.HeaderURL
	if avatar == "" {
		avatar = urls.DefaultAvatar()
	}
	if header == "" {
		header = urls.DefaultHeader()
	}
	profile := a.URL
	if profile == "" {
		profile = a.URI
	}
	out := &Account{
		ID:              a.ID.String(),
		Username:        a.Username,
		Acct:            a.Acct(),
		DisplayName:     a.DisplayName,
		Locked:          a.Locked,
		Bot:             a.Bot || a.ActorType == storage.ActorService || a.ActorType == storage.ActorApplication,
		Discoverable:    a.Discoverable,
		Indexable:       a.Indexable,
		Group:           a.ActorType == storage.ActorGroup,
		NoIndex:         !a.Indexable,
		CreatedAt:       Time(midnightUTC(a.CreatedAt)),
		Note:            a.Note,
		URL:             profile,
		URI:             a.URI,
		Avatar:          avatar,
		AvatarStatic:    avatar,
		Header:          header,
		HeaderStatic:    header,
		FollowersCount:  a.FollowersCount,
		FollowingCount:  a.FollowingCount,
		StatusesCount:   a.StatusesCount,
		HideCollections: social.HidesCollections(a),
		Emojis:          emojisToAPI(a.Emojis),
		Fields:          fieldsToAPI(a.Fields),
		Roles:           []AccountRole{},
		Memorial:        a.Memorial,
		Suspended:       a.SuspendedAt != nil,
		Limited:         a.SilencedAt != nil,
		sensitized:      a.Sensitized,
	}
	out.AvatarDescription, out.HeaderDescription = social.ProfileImageDescriptions(a)
	if a.LastStatusAt != nil {
		d := Date(*a.LastStatusAt)
		out.LastStatusAt = &d
	}
	if a.AvatarURL != "" {
		out.AvatarStatic = avatarStatic(a)
	}
	if a.SuspendedAt != nil {
		// As Mastodon: a suspended account shows nothing but its handle.
		out.DisplayName, out.Note, out.Locked, out.Bot = "", "", false, false
		out.Avatar, out.AvatarStatic = urls.DefaultAvatar(), urls.DefaultAvatar()
		out.Header, out.HeaderStatic = urls.DefaultHeader(), urls.DefaultHeader()
		out.FollowersCount, out.FollowingCount, out.StatusesCount, out.LastStatusAt = 0, 0, 0, nil
		out.Emojis, out.Fields, out.Limited = []CustomEmoji{}, []Field{}, false
	}
	return out
}

// RoleToAPI converts a user role to the Role entity, with Mastodon's IDs and
// permission bitmasks for its default roles.
func RoleToAPI(r storage.Role) Role {
	switch r {
	case storage.RoleOwner:
		return Role{ID: "3", Name: "Owner", Permissions: "1048575", Highlighted: true}
	case storage.RoleAdmin:
		return Role{ID: "2", Name: "Admin", Permissions: "1048574", Highlighted: true}
	case storage.RoleModerator:
		return Role{ID: "1", Name: "Moderator", Permissions: "1308", Highlighted: true}
	}
	return Role{ID: "-99", Name: "", Permissions: "65536", Highlighted: false}
}

// CredentialAccountToAPI converts the signed-in user's account to the
// CredentialAccount entity; followRequests is the number of pending follow
// requests.
func CredentialAccountToAPI(a *storage.Account, u *storage.User, followRequests int64, urls *social.URLs) *CredentialAccount {
	acc := AccountToAPI(a, urls)
	if r := RoleToAPI(u.Role); r.Highlighted {
		acc.Roles = []AccountRole{{ID: r.ID, Name: r.Name, Color: r.Color}}
	}
	privacy := string(u.DefaultVisibility)
	if !u.DefaultVisibility.Valid() {
		privacy = string(storage.VisibilityPublic)
	}
	var lang *string
	if u.DefaultLanguage != "" {
		l := u.DefaultLanguage
		lang = &l
	}
	fields := make([]Field, 0, len(a.Fields))
	for _, f := range a.Fields {
		fields = append(fields, Field{Name: f.Name, Value: htmlToText(f.Value), VerifiedAt: TimePtr(f.VerifiedAt)})
	}
	return &CredentialAccount{
		Account: *acc,
		Source: Source{
			Privacy:             privacy,
			Sensitive:           u.DefaultSensitive,
			Language:            lang,
			Note:                a.NoteSource,
			Fields:              fields,
			FollowRequestsCount: followRequests,
			HideCollections:     acc.HideCollections,
			Discoverable:        a.Discoverable,
			Indexable:           a.Indexable,
			AttributionDomains:  []string{},
			QuotePolicy:         "public",
		},
		Role: RoleToAPI(u.Role),
	}
}

// htmlToText strips tags from a short HTML value (profile field values are
// stored as HTML; their source is shown as text).
func htmlToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(b.String())
}

// Application is the Mastodon Application entity; with credentials
// (CredentialApplication) only in the response to its registration.
type Application struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Website               *string  `json:"website"`
	Scopes                []string `json:"scopes"`
	RedirectURI           string   `json:"redirect_uri"`
	RedirectURIs          []string `json:"redirect_uris"`
	VAPIDKey              string   `json:"vapid_key"`
	ClientID              string   `json:"client_id,omitempty"`
	ClientSecret          string   `json:"client_secret,omitempty"`
	ClientSecretExpiresAt *int64   `json:"client_secret_expires_at,omitempty"`
}

// ApplicationToAPI converts a stored application to the Application entity.
func ApplicationToAPI(app *storage.Application, vapidKey string) *Application {
	var website *string
	if app.Website != "" {
		w := app.Website
		website = &w
	}
	uris := append([]string{}, app.RedirectURIs...)
	return &Application{
		ID:           app.ID.String(),
		Name:         app.Name,
		Website:      website,
		Scopes:       append([]string{}, app.Scopes...),
		RedirectURI:  strings.Join(uris, "\n"),
		RedirectURIs: uris,
		VAPIDKey:     vapidKey,
	}
}

// Token is the Mastodon Token entity (an OAuth token response).
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	CreatedAt   int64  `json:"created_at"`
}

// TokenToAPI converts an issued token and its plain value to the Token entity.
func TokenToAPI(plain string, t *storage.Token) *Token {
	return &Token{AccessToken: plain, TokenType: "Bearer", Scope: Scopes(t.Scopes).String(), CreatedAt: t.CreatedAt.Unix()}
}

// RuleEntity is the Mastodon Rule entity.
type RuleEntity struct {
	ID           string         `json:"id"`
	Text         string         `json:"text"`
	Hint         string         `json:"hint"`
	Translations map[string]any `json:"translations"`
}

// RulesToAPI converts the configured rules, numbering them from 1.
func RulesToAPI(rules []Rule) []RuleEntity {
	out := make([]RuleEntity, 0, len(rules))
	for i, r := range rules {
		out = append(out, RuleEntity{ID: strconv.Itoa(i + 1), Text: r.Text, Hint: r.Hint, Translations: map[string]any{}})
	}
	return out
}

// Preferences is the Mastodon Preferences entity.
type Preferences struct {
	PostingDefaultVisibility string  `json:"posting:default:visibility"`
	PostingDefaultSensitive  bool    `json:"posting:default:sensitive"`
	PostingDefaultLanguage   *string `json:"posting:default:language"`
	PostingDefaultQuote      string  `json:"posting:default:quote_policy"`
	ReadingExpandMedia       string  `json:"reading:expand:media"`
	ReadingExpandSpoilers    bool    `json:"reading:expand:spoilers"`
	ReadingAutoplayGIFs      bool    `json:"reading:autoplay:gifs"`
}

// PreferencesToAPI converts a user's settings to the Preferences entity.
func PreferencesToAPI(u *storage.User) *Preferences {
	vis := string(u.DefaultVisibility)
	if !u.DefaultVisibility.Valid() {
		vis = string(storage.VisibilityPublic)
	}
	var lang *string
	if u.DefaultLanguage != "" {
		l := u.DefaultLanguage
		lang = &l
	}
	return &Preferences{
		PostingDefaultVisibility: vis,
		PostingDefaultSensitive:  u.DefaultSensitive,
		PostingDefaultLanguage:   lang,
		PostingDefaultQuote:      "public",
		ReadingExpandMedia:       "default",
	}
}

// Server limits advertised in the instance entities.
const (
	MaxStatusCharacters      = 500
	MaxMediaAttachments      = 4
	CharactersReservedPerURL = 23
	MaxPollOptions           = 4
	MaxPollOptionChars       = 50
	MinPollExpiration        = 300
	MaxPollExpiration        = 2629746
	MaxFeaturedTags          = 10
	MaxPinnedStatuses        = 5
	ImageSizeLimit           = 16 << 20
	ImageMatrixLimit         = 33177600 // 7680×4320
	VideoSizeLimit           = 99 << 20
	VideoFrameRateLimit      = 120
	VideoMatrixLimit         = 8294400 // 3840×2160
	MediaDescriptionLimit    = 1500
)

// SupportedMIMETypes are the media types accepted for upload.
var SupportedMIMETypes = []string{
	"image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp", "image/avif",
	"video/webm", "video/mp4", "video/quicktime", "video/ogg",
	"audio/wave", "audio/wav", "audio/x-wav", "audio/x-pn-wave", "audio/vnd.wave", "audio/ogg", "audio/vorbis",
	"audio/mpeg", "audio/mp3", "audio/webm", "audio/flac", "audio/aac", "audio/m4a", "audio/x-m4a",
	"audio/mp4", "audio/3gpp", "video/x-ms-asf",
}

// StatusesConfig is configuration.statuses of the instance entities.
type StatusesConfig struct {
	MaxCharacters            int `json:"max_characters"`
	MaxMediaAttachments      int `json:"max_media_attachments"`
	CharactersReservedPerURL int `json:"characters_reserved_per_url"`
}

// MediaConfig is configuration.media_attachments of the instance entities.
type MediaConfig struct {
	SupportedMIMETypes  []string `json:"supported_mime_types"`
	DescriptionLimit    int      `json:"description_limit"`
	ImageSizeLimit      int64    `json:"image_size_limit"`
	ImageMatrixLimit    int64    `json:"image_matrix_limit"`
	VideoSizeLimit      int64    `json:"video_size_limit"`
	VideoFrameRateLimit int      `json:"video_frame_rate_limit"`
	VideoMatrixLimit    int64    `json:"video_matrix_limit"`
}

// PollsConfig is configuration.polls of the instance entities.
type PollsConfig struct {
	MaxOptions             int `json:"max_options"`
	MaxCharactersPerOption int `json:"max_characters_per_option"`
	MinExpiration          int `json:"min_expiration"`
	MaxExpiration          int `json:"max_expiration"`
}

func statusesConfig() StatusesConfig {
	return StatusesConfig{MaxStatusCharacters, MaxMediaAttachments, CharactersReservedPerURL}
}

func mediaConfig() MediaConfig {
	return MediaConfig{
		SupportedMIMETypes: append([]string{}, SupportedMIMETypes...), DescriptionLimit: MediaDescriptionLimit,
		ImageSizeLimit: ImageSizeLimit, ImageMatrixLimit: ImageMatrixLimit, VideoSizeLimit: VideoSizeLimit,
		VideoFrameRateLimit: VideoFrameRateLimit, VideoMatrixLimit: VideoMatrixLimit,
	}
}

func pollsConfig() PollsConfig {
	return PollsConfig{MaxPollOptions, MaxPollOptionChars, MinPollExpiration, MaxPollExpiration}
}

// FeedAccess is one entry of configuration.timelines_access.
type FeedAccess struct {
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

// Instance is the Mastodon Instance entity (GET /api/v2/instance).
type Instance struct {
	Domain      string `json:"domain"`
	Title       string `json:"title"`
	Version     string `json:"version"`
	SourceURL   string `json:"source_url"`
	Description string `json:"description"`
	Usage       struct {
		Users struct {
			ActiveMonth int64 `json:"active_month"`
		} `json:"users"`
	} `json:"usage"`
	Thumbnail struct {
		URL      string            `json:"url"`
		Blurhash *string           `json:"blurhash"`
		Versions map[string]string `json:"versions"`
	} `json:"thumbnail"`
	Icon          []InstanceIcon `json:"icon"`
	Languages     []string       `json:"languages"`
	Configuration struct {
		URLs struct {
			Streaming      string  `json:"streaming"`
			Status         *string `json:"status"`
			About          string  `json:"about"`
			PrivacyPolicy  *string `json:"privacy_policy"`
			TermsOfService *string `json:"terms_of_service"`
		} `json:"urls"`
		VAPID struct {
			PublicKey string `json:"public_key"`
		} `json:"vapid"`
		Accounts struct {
			MaxFeaturedTags        int `json:"max_featured_tags"`
			MaxPinnedStatuses      int `json:"max_pinned_statuses"`
			MaxDisplayNameLength   int `json:"max_display_name_length"`
			MaxNoteLength          int `json:"max_note_length"`
			MaxProfileFields       int `json:"max_profile_fields"`
			ProfileFieldNameLimit  int `json:"profile_field_name_limit"`
			ProfileFieldValueLimit int `json:"profile_field_value_limit"`
		} `json:"accounts"`
		Statuses         StatusesConfig `json:"statuses"`
		MediaAttachments MediaConfig    `json:"media_attachments"`
		Polls            PollsConfig    `json:"polls"`
		Translation      struct {
			Enabled bool `json:"enabled"`
		} `json:"translation"`
		TimelinesAccess struct {
			LiveFeeds         FeedAccess `json:"live_feeds"`
			HashtagFeeds      FeedAccess `json:"hashtag_feeds"`
			TrendingLinkFeeds FeedAccess `json:"trending_link_feeds"`
		} `json:"timelines_access"`
		LimitedFederation bool `json:"limited_federation"`
	} `json:"configuration"`
	Registrations struct {
		Enabled          bool    `json:"enabled"`
		ApprovalRequired bool    `json:"approval_required"`
		ReasonRequired   bool    `json:"reason_required"`
		Message          *string `json:"message"`
		URL              *string `json:"url"`
		MinAge           *int    `json:"min_age"`
	} `json:"registrations"`
	APIVersions struct {
		Mastodon int `json:"mastodon"`
	} `json:"api_versions"`
	Contact struct {
		Email   string   `json:"email"`
		Account *Account `json:"account"`
	} `json:"contact"`
	Rules []RuleEntity `json:"rules"`
}

// InstanceIcon is one size of the instance icon.
type InstanceIcon struct {
	Src  string `json:"src"`
	Size string `json:"size"`
}

// InstanceV1 is the Mastodon V1_Instance entity (GET /api/v1/instance).
type InstanceV1 struct {
	URI              string `json:"uri"`
	Title            string `json:"title"`
	ShortDescription string `json:"short_description"`
	Description      string `json:"description"`
	Email            string `json:"email"`
	Version          string `json:"version"`
	URLs             struct {
		StreamingAPI string `json:"streaming_api"`
	} `json:"urls"`
	Stats struct {
		UserCount   int64 `json:"user_count"`
		StatusCount int64 `json:"status_count"`
		DomainCount int64 `json:"domain_count"`
	} `json:"stats"`
	Thumbnail        *string  `json:"thumbnail"`
	Languages        []string `json:"languages"`
	Registrations    bool     `json:"registrations"`
	ApprovalRequired bool     `json:"approval_required"`
	InvitesEnabled   bool     `json:"invites_enabled"`
	Configuration    struct {
		Accounts struct {
			MaxFeaturedTags int `json:"max_featured_tags"`
		} `json:"accounts"`
		Statuses         StatusesConfig `json:"statuses"`
		MediaAttachments MediaConfig    `json:"media_attachments"`
		Polls            PollsConfig    `json:"polls"`
	} `json:"configuration"`
	ContactAccount *Account     `json:"contact_account"`
	Rules          []RuleEntity `json:"rules"`
}

// InstanceStats are the counters shown in the instance entities.
type InstanceStats struct {
	Users, ActiveMonth, LocalStatuses, Domains int64
}

// InstanceToAPI builds the v2 Instance entity.
func InstanceToAPI(info InstanceInfo, version string, urls *social.URLs, st InstanceStats, contact *Account) *Instance {
	in := &Instance{Domain: urls.Host(), Title: info.Title, Version: version, SourceURL: info.SourceURL, Description: info.Description}
	in.Usage.Users.ActiveMonth = st.ActiveMonth
	in.Thumbnail.URL = info.ThumbnailURL
	in.Thumbnail.Versions = map[string]string{}
	in.Icon = []InstanceIcon{}
	in.Languages = append([]string{}, info.Languages...)
	c := &in.Configuration
	c.URLs.Streaming = info.StreamingURL
	c.URLs.About = urls.Base() + "/about"
	c.VAPID.PublicKey = info.VAPIDPublicKey
	c.Accounts.MaxFeaturedTags = MaxFeaturedTags
	c.Accounts.MaxPinnedStatuses = MaxPinnedStatuses
	c.Accounts.MaxDisplayNameLength = 30
	c.Accounts.MaxNoteLength = 500
	c.Accounts.MaxProfileFields = 4
	c.Accounts.ProfileFieldNameLimit = 255
	c.Accounts.ProfileFieldValueLimit = 255
	c.Statuses = statusesConfig()
	c.MediaAttachments = mediaConfig()
	c.Polls = pollsConfig()
	c.TimelinesAccess.LiveFeeds = FeedAccess{"public", "public"}
	c.TimelinesAccess.HashtagFeeds = FeedAccess{"public", "public"}
	c.TimelinesAccess.TrendingLinkFeeds = FeedAccess{"public", "public"}
	in.Registrations.Enabled = info.Registrations != RegistrationsClosed
	in.Registrations.ApprovalRequired = info.Registrations == RegistrationsApproval
	in.Registrations.ReasonRequired = info.Registrations == RegistrationsApproval
	if info.RegistrationsMessage != "" {
		m := info.RegistrationsMessage
		in.Registrations.Message = &m
	}
	if in.Registrations.Enabled {
		u := urls.Base() + "/auth/sign_up"
		in.Registrations.URL = &u
	}
	in.APIVersions.Mastodon = MastodonAPIVersion
	in.Contact.Email = info.ContactEmail
	in.Contact.Account = contact
	in.Rules = RulesToAPI(info.Rules)
	return in
}

// InstanceV1ToAPI builds the v1 Instance entity.
func InstanceV1ToAPI(info InstanceInfo, version string, urls *social.URLs, st InstanceStats, contact *Account) *InstanceV1 {
	in := &InstanceV1{URI: urls.Host(), Title: info.Title, ShortDescription: info.ShortDescription,
		Description: info.Description, Email: info.ContactEmail, Version: version}
	in.URLs.StreamingAPI = info.StreamingURL
	in.Stats.UserCount = st.Users
	in.Stats.StatusCount = st.LocalStatuses
	in.Stats.DomainCount = st.Domains
	thumb := info.ThumbnailURL
	in.Thumbnail = &thumb
	in.Languages = append([]string{}, info.Languages...)
	in.Registrations = info.Registrations != RegistrationsClosed
	in.ApprovalRequired = info.Registrations == RegistrationsApproval
	in.Configuration.Accounts.MaxFeaturedTags = MaxFeaturedTags
	in.Configuration.Statuses = statusesConfig()
	in.Configuration.MediaAttachments = mediaConfig()
	in.Configuration.Polls = pollsConfig()
	in.ContactAccount = contact
	in.Rules = RulesToAPI(info.Rules)
	return in
}

// ---- statuses ----

// Mention is a mentioned account in a Status (StatusMention).
type Mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// StatusTag is a hashtag used in a Status.
type StatusTag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// StatusApplication is the application a status was posted with.
type StatusApplication struct {
	Name    string  `json:"name"`
	Website *string `json:"website"`
}

// QuoteApproval says who may quote a status. Herd does not support quotes
// yet: nobody may, which clients show by hiding the quote action.
type QuoteApproval struct {
	Automatic   []string `json:"automatic"`
	Manual      []string `json:"manual"`
	CurrentUser string   `json:"current_user"`
}

// Status is the Mastodon Status entity. The viewer's state (favourited,
// reblogged, muted, bookmarked, filtered) is present only when a user is
// signed in, and pinned only on the user's own pinnable statuses, as on
// Mastodon; text only in the response to a delete (for "delete and
// redraft").
type Status struct {
	ID                 string             `json:"id"`
	URI                string             `json:"uri"`
	URL                *string            `json:"url"`
	Account            *Account           `json:"account"`
	InReplyToID        *string            `json:"in_reply_to_id"`
	InReplyToAccountID *string            `json:"in_reply_to_account_id"`
	Reblog             *Status            `json:"reblog"`
	Content            string             `json:"content"`
	CreatedAt          Time               `json:"created_at"`
	EditedAt           *Time              `json:"edited_at"`
	Emojis             []CustomEmoji      `json:"emojis"`
	RepliesCount       int64              `json:"replies_count"`
	ReblogsCount       int64              `json:"reblogs_count"`
	FavouritesCount    int64              `json:"favourites_count"`
	QuotesCount        int64              `json:"quotes_count"`
	Favourited         *bool              `json:"favourited,omitempty"`
	Reblogged          *bool              `json:"reblogged,omitempty"`
	Muted              *bool              `json:"muted,omitempty"`
	Bookmarked         *bool              `json:"bookmarked,omitempty"`
	Pinned             *bool              `json:"pinned,omitempty"`
	Filtered           json.RawMessage    `json:"filtered,omitempty"`
	Mentions           []Mention          `json:"mentions"`
	Tags               []StatusTag        `json:"tags"`
	Card               *struct{}          `json:"card"`
	Poll               *Poll              `json:"poll"`
	Quote              *struct{}          `json:"quote"`
	QuoteApproval      QuoteApproval      `json:"quote_approval"`
	Application        *StatusApplication `json:"application"`
	MediaAttachments   []json.RawMessage  `json:"media_attachments"`
	Sensitive          bool               `json:"sensitive"`
	SpoilerText        string             `json:"spoiler_text"`
	Visibility         string             `json:"visibility"`
	Language           *string            `json:"language"`
	Text               *string            `json:"text,omitempty"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func idPtr(id storage.ID) *string {
	if id == 0 {
		return nil
	}
	s := id.String()
	return &s
}

func boolPtr(b bool) *bool { return &b }

// MentionsToAPI converts the stored mentions of a status.
func MentionsToAPI(ms storage.Mentions) []Mention {
	out := make([]Mention, 0, len(ms))
	for _, m := range ms {
		if m.AccountID == 0 {
			continue
		}
		u := m.URL
		if u == "" {
			u = m.URI
		}
		out = append(out, Mention{ID: m.AccountID.String(), Username: m.Username, URL: u, Acct: m.Acct})
	}
	return out
}

// StatusTagsToAPI converts the hashtags of a status.
func StatusTagsToAPI(tags storage.Strings, urls *social.URLs) []StatusTag {
	out := make([]StatusTag, 0, len(tags))
	for _, t := range tags {
		name := strings.ToLower(t)
		out = append(out, StatusTag{Name: name, URL: urls.Tag(name)})
	}
	return out
}

// StatusView is what StatusToAPI needs beyond the status record: its author,
// the application it was posted with, and the viewer's state (nil for
// anonymous viewers).
type StatusView struct {
	Account     *Account
	Application *storage.Application
	Viewer      *storage.ViewerState
	// Own is set when the viewer wrote the status (pinned is shown then).
	Own bool
	// Media are the rendered MediaAttachment entities, in order.
	Media []json.RawMessage
	// Muted is set when the viewer muted the status's thread.
	Muted bool
	// Poll is the rendered poll, nil when the status has none.
	Poll *Poll
}

// StatusToAPI converts one stored status (not a boost: see the renderer
// for those) to the Status entity.
func StatusToAPI(st *storage.Status, v StatusView, urls *social.URLs) *Status {
	out := &Status{
		ID:                 st.ID.String(),
		URI:                st.URI,
		URL:                strPtr(st.URL),
		Account:            v.Account,
		InReplyToID:        idPtr(st.InReplyToID),
		InReplyToAccountID: idPtr(st.InReplyToAccountID),
		Content:            st.Content,
		CreatedAt:          Time(st.CreatedAt),
		EditedAt:           TimePtr(st.EditedAt),
		Emojis:             emojisToAPI(st.Emojis),
		RepliesCount:       st.RepliesCount,
		ReblogsCount:       st.ReblogsCount,
		FavouritesCount:    st.FavouritesCount,
		Mentions:           MentionsToAPI(st.Mentions),
		Tags:               StatusTagsToAPI(st.Tags, urls),
		QuoteApproval:      QuoteApproval{Automatic: []string{}, Manual: []string{}, CurrentUser: "denied"},
		MediaAttachments:   v.Media,
		Sensitive:          st.Sensitive,
		SpoilerText:        st.SpoilerText,
		Visibility:         string(st.Visibility),
		Language:           strPtr(st.Language),
		Poll:               v.Poll,
	}
	if out.MediaAttachments == nil {
		out.MediaAttachments = []json.RawMessage{}
	}
	if v.Application != nil {
		out.Application = &StatusApplication{Name: v.Application.Name, Website: strPtr(v.Application.Website)}
	}
	if vs := v.Viewer; vs != nil {
		out.Favourited, out.Reblogged, out.Bookmarked = boolPtr(vs.Favourited), boolPtr(vs.Reblogged), boolPtr(vs.Bookmarked)
		out.Muted = boolPtr(v.Muted)
		out.Filtered = json.RawMessage("[]")
		if v.Own && st.ReblogOfID == 0 && st.Visibility != storage.VisibilityDirect {
			out.Pinned = boolPtr(vs.Pinned)
		}
	}
	return out
}

// StatusEdit is the Mastodon StatusEdit entity (a version in a status's
// history).
type StatusEdit struct {
	Content          string            `json:"content"`
	SpoilerText      string            `json:"spoiler_text"`
	Sensitive        bool              `json:"sensitive"`
	CreatedAt        Time              `json:"created_at"`
	Account          *Account          `json:"account"`
	Poll             *StatusEditPoll   `json:"poll"`
	MediaAttachments []json.RawMessage `json:"media_attachments"`
	Emojis           []CustomEmoji     `json:"emojis"`
}

// StatusEditToAPI converts one version of a status.
func StatusEditToAPI(e *storage.StatusEdit, author *Account) *StatusEdit {
	return &StatusEdit{Content: e.Content, SpoilerText: e.SpoilerText, Sensitive: e.Sensitive, CreatedAt: Time(e.CreatedAt),
		Account: author, MediaAttachments: []json.RawMessage{}, Emojis: emojisToAPI(e.Emojis), Poll: statusEditPoll(e)}
}

// StatusSource is the Mastodon StatusSource entity (the text to edit).
type StatusSource struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	SpoilerText string `json:"spoiler_text"`
}

// StatusSourceToAPI converts the source of a status.
func StatusSourceToAPI(s *social.StatusSource) *StatusSource {
	return &StatusSource{ID: s.ID.String(), Text: s.Text, SpoilerText: s.SpoilerText}
}

// Context is the Mastodon Context entity (a status's thread).
type Context struct {
	Ancestors   []*Status `json:"ancestors"`
	Descendants []*Status `json:"descendants"`
}

// ---- accounts ----

// Relationship is the Mastodon Relationship entity, with every boolean.
type Relationship struct {
	ID                  string   `json:"id"`
	Following           bool     `json:"following"`
	ShowingReblogs      bool     `json:"showing_reblogs"`
	Notifying           bool     `json:"notifying"`
	Languages           []string `json:"languages"`
	FollowedBy          bool     `json:"followed_by"`
	Blocking            bool     `json:"blocking"`
	BlockedBy           bool     `json:"blocked_by"`
	Muting              bool     `json:"muting"`
	MutingNotifications bool     `json:"muting_notifications"`
	MutingExpiresAt     *Time    `json:"muting_expires_at"`
	Requested           bool     `json:"requested"`
	RequestedBy         bool     `json:"requested_by"`
	DomainBlocking      bool     `json:"domain_blocking"`
	Endorsed            bool     `json:"endorsed"`
	Note                string   `json:"note"`
}

// RelationshipToAPI converts a relationship computed by the social core.
func RelationshipToAPI(r *social.Relationship) *Relationship {
	out := &Relationship{
		ID: r.ID.String(), Following: r.Following, ShowingReblogs: r.ShowingReblogs, Notifying: r.Notifying,
		Languages: r.Languages, FollowedBy: r.FollowedBy, Blocking: r.Blocking, BlockedBy: r.BlockedBy,
		Muting: r.Muting, MutingNotifications: r.MutingNotifications, Requested: r.Requested,
		RequestedBy: r.RequestedBy, DomainBlocking: r.DomainBlocking, Endorsed: r.Endorsed, Note: r.Note,
	}
	if r.Mute != nil {
		out.MutingExpiresAt = TimePtr(r.Mute.ExpiresAt)
	}
	return out
}

// MutedAccount is an Account in the mutes listing, with when the mute ends.
type MutedAccount struct {
	Account
	MuteExpiresAt *Time `json:"mute_expires_at"`
}

// FamiliarFollowers is the Mastodon FamiliarFollowers entity.
type FamiliarFollowers struct {
	ID       string     `json:"id"`
	Accounts []*Account `json:"accounts"`
}

// Tag is the Mastodon Tag entity. Herd keeps no hashtag records: the ID is
// derived from the normalised name (stable, numeric) and history is empty;
// following and featuring are the signed-in viewer's.
type Tag struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	History   []TagUses `json:"history"`
	Following *bool     `json:"following,omitempty"`
	Featuring *bool     `json:"featuring,omitempty"`
}

// TagUses is one day of a hashtag's history.
type TagUses struct {
	Day      string `json:"day"`
	Uses     string `json:"uses"`
	Accounts string `json:"accounts"`
}

// TagID derives the stable numeric ID shown for a hashtag.
func TagID(name string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(name)))
	return strconv.FormatUint(h.Sum64()>>1, 10)
}

// TagToAPI converts a hashtag name; signedIn adds following and featuring,
// false until the caller sets them (see API.tagsToAPI).
func TagToAPI(name string, urls *social.URLs, signedIn bool) *Tag {
	name = strings.ToLower(name)
	t := &Tag{ID: TagID(name), Name: name, URL: urls.Tag(name), History: []TagUses{}}
	if signedIn {
		t.Following, t.Featuring = boolPtr(false), boolPtr(false)
	}
	return t
}

// ---- notifications ----

// Notification is the Mastodon Notification entity. status is present
// for the types about a status, as on Mastodon.
type Notification struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	CreatedAt Time     `json:"created_at"`
	GroupKey  string   `json:"group_key"`
	Account   *Account `json:"account"`
	Status    *Status  `json:"status,omitempty"`
	// Event is set on severed_relationships notifications.
	Event *RelationshipSeveranceEvent `json:"event,omitempty"`
	// Report is set on admin.report notifications.
	Report *ReportEntity `json:"report,omitempty"`
	// ModerationWarning is set on moderation_warning notifications.
	ModerationWarning *AccountWarningEntity `json:"moderation_warning,omitempty"`
}

// notificationHasStatus reports whether a notification type is about a status.
func notificationHasStatus(t storage.NotificationType) bool {
	switch t {
	case storage.NotifyMention, storage.NotifyStatus, storage.NotifyReblog, storage.NotifyFavourite,
		storage.NotifyPoll, storage.NotifyUpdate, storage.NotifyQuote:
		return true
	}
	return false
}

// NotificationGroupKey is the group key of a notification: the stored one,
// or "ungrouped-<id>" as Mastodon names ungrouped notifications.
func NotificationGroupKey(n *storage.Notification) string {
	if n.GroupKey != "" {
		return n.GroupKey
	}
	return "ungrouped-" + n.ID.String()
}

// NotificationToAPI converts a notification with its rendered account and
// status (nil when the type has none).
func NotificationToAPI(n *storage.Notification, from *Account, st *Status) *Notification {
	return &Notification{ID: n.ID.String(), Type: string(n.Type), CreatedAt: Time(n.CreatedAt),
		GroupKey: NotificationGroupKey(n), Account: from, Status: st}
}

// ---- search and markers ----

// SearchResults is the Mastodon Search entity.
type SearchResults struct {
	Accounts []*Account `json:"accounts"`
	Statuses []*Status  `json:"statuses"`
	Hashtags []*Tag     `json:"hashtags"`
}

// Marker is the Mastodon Marker entity (a read position).
type Marker struct {
	LastReadID string `json:"last_read_id"`
	Version    int64  `json:"version"`
	UpdatedAt  Time   `json:"updated_at"`
}
