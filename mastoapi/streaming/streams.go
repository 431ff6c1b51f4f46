package streaming

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// Stream names, as clients give them.
const (
	StreamUser             = "user"
	StreamUserNotification = "user:notification"
	StreamPublic           = "public"
	StreamPublicMedia      = "public:media"
	StreamPublicLocal      = "public:local"
	StreamPublicLocalMedia = "public:local:media"
	StreamPublicRemote     = "public:remote"
	StreamPublicRemoteMed  = "public:remote:media"
	StreamHashtag          = "hashtag"
	StreamHashtagLocal     = "hashtag:local"
	StreamList             = "list"
	StreamDirect           = "direct"
)

// Hub channel names written by the Publisher and read by the Handler.
const (
	// ChannelDeletes carries the deletions of public and unlisted statuses;
	// every user stream listens to it (as Mastodon, which sends such
	// deletions to everyone).
	ChannelDeletes = "deletes"
	// ChannelAnnouncements carries the announcement events (announcement,
	// announcement.reaction, announcement.delete); every user stream
	// listens to it.
	ChannelAnnouncements = "announcements"
)

// UserChannel is the hub channel of an account's home timeline and
// notifications.
func UserChannel(id storage.ID) string { return "user:" + id.String() }

// NotificationChannel is the hub channel of an account's notifications.
func NotificationChannel(id storage.ID) string { return "user:notification:" + id.String() }

// DirectChannel is the hub channel of an account's direct conversations.
func DirectChannel(id storage.ID) string { return "direct:" + id.String() }

// ListChannel is the hub channel of a list.
func ListChannel(id string) string { return "list:" + id }

// HashtagChannel is the hub channel of a hashtag (local only, or all).
func HashtagChannel(tag string, local bool) string {
	if local {
		return "hashtag:local:" + tag
	}
	return "hashtag:" + tag
}

// publicStreams are the streams that need no user data: Mastodon calls
// them public channels.
var publicStreams = map[string]bool{
	StreamPublic: true, StreamPublicMedia: true, StreamPublicLocal: true, StreamPublicLocalMedia: true,
	StreamPublicRemote: true, StreamPublicRemoteMed: true, StreamHashtag: true, StreamHashtagLocal: true,
}

// knownStreams lists every stream name.
var knownStreams = map[string]bool{
	StreamUser: true, StreamUserNotification: true, StreamList: true, StreamDirect: true,
}

func init() {
	for s := range publicStreams {
		knownStreams[s] = true
	}
}

// Stream is one subscription: a stream name with its parameter.
type Stream struct {
	Name string // one of the Stream… constants
	Tag  string // hashtag streams: the normalised (lower-case) tag
	List string // list stream: the list ID
}

// Public reports whether s is a public stream (timelines and hashtags).
func (s Stream) Public() bool { return publicStreams[s.Name] }

// Label is the value of a WebSocket frame's "stream" field.
func (s Stream) Label() []string {
	switch s.Name {
	case StreamHashtag, StreamHashtagLocal:
		return []string{s.Name, s.Tag}
	case StreamList:
		return []string{s.Name, s.List}
	}
	return []string{s.Name}
}

func (s Stream) key() string { return s.Name + "\x00" + s.Tag + "\x00" + s.List }

// channels lists the hub channels that feed s for viewer (nil for
// anonymous viewers, which only reach public streams).
func (s Stream) channels(viewer *storage.Account) []string {
	switch s.Name {
	case StreamUser:
		return []string{UserChannel(viewer.ID), ChannelDeletes, ChannelAnnouncements}
	case StreamUserNotification:
		return []string{NotificationChannel(viewer.ID)}
	case StreamDirect:
		return []string{DirectChannel(viewer.ID)}
	case StreamList:
		return []string{ListChannel(s.List), ChannelDeletes}
	case StreamHashtag:
		return []string{HashtagChannel(s.Tag, false)}
	case StreamHashtagLocal:
		return []string{HashtagChannel(s.Tag, true)}
	}
	return []string{s.Name} // public timelines: the channel is the stream name
}

// RequestError is an error reported to the client: an error frame on a
// WebSocket, the HTTP status and JSON body of an SSE request.
type RequestError struct {
	Status  int
	Message string
}

func (e *RequestError) Error() string { return e.Message }

// Errors with Mastodon's messages.
var (
	errUnknownStream = &RequestError{http.StatusBadRequest, "Unknown stream type"}
	errMissingTag    = &RequestError{http.StatusBadRequest, "Missing tag name parameter"}
	errMissingList   = &RequestError{http.StatusBadRequest, "Missing list name parameter"}
	errBadTag        = &RequestError{http.StatusBadRequest, "Invalid tag name parameter"}
	errBadList       = &RequestError{http.StatusBadRequest, "Invalid list name parameter"}
	errListAccess    = &RequestError{http.StatusUnauthorized, "Not authorized to stream this list"}
	errScopes        = &RequestError{http.StatusUnauthorized, "Access token does not have the required scopes"}
	errNoToken       = &RequestError{http.StatusUnauthorized, "Missing access token"}
	errBadToken      = &RequestError{http.StatusUnauthorized, "Invalid access token"}
	errNeedsUser     = &RequestError{http.StatusUnauthorized, "This stream requires a user token"}
	errMalformed     = &RequestError{http.StatusBadRequest, "Malformed message"}
	errUnknownType   = &RequestError{http.StatusBadRequest, "Unknown message type"}
)

// maxParam bounds tag and list parameters.
const maxParam = 100

// ParseStream validates a stream name and its parameter (tag for hashtag
// streams, list for the list stream) and normalises them: tags lose a
// leading '#' and are lower-cased.
func ParseStream(name, tag, list string) (Stream, error) {
	if !knownStreams[name] {
		return Stream{}, errUnknownStream
	}
	s := Stream{Name: name}
	switch name {
	case StreamHashtag, StreamHashtagLocal:
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "#")
		if tag == "" {
			return Stream{}, errMissingTag
		}
		if len(tag) > maxParam || !utf8.ValidString(tag) || strings.ContainsFunc(tag, badTagRune) {
			return Stream{}, errBadTag
		}
		s.Tag = strings.ToLower(tag)
	case StreamList:
		list = strings.TrimSpace(list)
		if list == "" {
			return Stream{}, errMissingList
		}
		if _, err := storage.ParseID(list); err != nil || len(list) > 20 {
			return Stream{}, errBadList
		}
		s.List = list
	}
	return s, nil
}

// badTagRune rejects separators, controls and punctuation that never occur
// in a hashtag (Mastodon tags are letters, digits, underscores and marks).
func badTagRune(r rune) bool {
	return r <= 0x20 || r == 0x7f || r == utf8.RuneError || strings.ContainsRune("#:/?&=%\"'<>\\`,;()[]{}", r)
}

// ClientMessage is a message a WebSocket client sends:
// {"type":"subscribe","stream":"hashtag","tag":"golang"}.
type ClientMessage struct {
	Type   string `json:"type"` // subscribe or unsubscribe
	Stream string `json:"stream"`
	Tag    string `json:"tag,omitempty"`
	List   string `json:"list,omitempty"`
}

// maxClientMessage bounds a client message.
const maxClientMessage = 4096

// ParseClientMessage decodes and validates a client message. Malformed
// JSON, an unknown type or an unknown stream give a *RequestError.
func ParseClientMessage(b []byte) (ClientMessage, Stream, error) {
	var m ClientMessage
	if len(b) > maxClientMessage {
		return m, Stream{}, errMalformed
	}
	// Parameters may be strings or numbers ("list": 1 is common).
	var raw struct {
		Type   string          `json:"type"`
		Stream string          `json:"stream"`
		Tag    json.RawMessage `json:"tag"`
		List   json.RawMessage `json:"list"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return m, Stream{}, errMalformed
	}
	m = ClientMessage{Type: raw.Type, Stream: raw.Stream}
	var ok bool
	if m.Tag, ok = scalar(raw.Tag); !ok {
		return m, Stream{}, errMalformed
	}
	if m.List, ok = scalar(raw.List); !ok {
		return m, Stream{}, errMalformed
	}
	if m.Type != "subscribe" && m.Type != "unsubscribe" {
		return m, Stream{}, errUnknownType
	}
	s, err := ParseStream(m.Stream, m.Tag, m.List)
	return m, s, err
}

// scalar reads a JSON string or number as a string; absent and null give "".
func scalar(r json.RawMessage) (string, bool) {
	r = bytes.TrimSpace(r)
	if len(r) == 0 || string(r) == "null" {
		return "", true
	}
	switch r[0] {
	case '"':
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if err := json.Unmarshal(r, &n); err != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}

// streamFromPath maps an SSE path below /api/v1/streaming ("user",
// "public/local" …) and its query to a stream.
func streamFromPath(p string, r *http.Request) (Stream, error) {
	q := r.URL.Query()
	var name string
	switch p {
	case "", "/":
		name = q.Get("stream")
	case "/user":
		name = StreamUser
	case "/user/notification":
		name = StreamUserNotification
	case "/public", "/public/local", "/public/remote":
		name = strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", ":")
		if truthy(q.Get("only_media")) {
			name += ":media"
		}
	case "/hashtag":
		name = StreamHashtag
	case "/hashtag/local":
		name = StreamHashtagLocal
	case "/list":
		name = StreamList
	case "/direct":
		name = StreamDirect
	default:
		return Stream{}, errUnknownStream
	}
	return ParseStream(name, q.Get("tag"), q.Get("list"))
}

func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "t", "on", "yes":
		return true
	}
	return false
}
