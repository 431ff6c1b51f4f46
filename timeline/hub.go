package timeline

import (
	"context"
	"errors"
	"strings"
)

// Message is one timeline event.
type Message struct {
	// Channel names the audience, e.g. "user:123", "public", "public:local",
	// "public:remote", "hashtag:golang", "hashtag:local:golang", "list:9",
	// "direct:123", "user:notification:123".
	Channel string `json:"c"`
	// Event is the streaming event name: update, delete, notification,
	// status.update, filters_changed, conversation, announcement,
	// announcement.reaction, announcement.delete, notifications_merged.
	Event string `json:"e"`
	// Data is a small reference, typically an ID, or a short JSON document.
	Data string `json:"d"`
}

// MaxDataLen bounds Message.Data so that messages fit PostgreSQL's NOTIFY.
const MaxDataLen = 4000

// Errors of hubs and subscriptions.
var (
	ErrClosed           = errors.New("timeline: hub closed")
	ErrSlowSubscriber   = errors.New("timeline: subscriber too slow, dropped")
	ErrMessageTooLarge  = errors.New("timeline: message data too large")
	ErrInvalidChannel   = errors.New("timeline: invalid channel name")
	ErrSubscriptionDone = errors.New("timeline: subscription closed")
)

// Hub is a publish/subscribe bus for timeline events.
type Hub interface {
	// Publish sends messages to the current subscribers of their channels.
	// It never blocks on slow subscribers.
	Publish(ctx context.Context, msgs ...Message) error
	// Subscribe opens a subscription to the given channels (more can be
	// added later). buffer bounds the messages waiting to be read (0 means
	// DefaultBuffer).
	Subscribe(ctx context.Context, buffer int, channels ...string) (Subscription, error)
	// Close ends every subscription and releases resources.
	Close() error
}

// Subscription receives the messages of its channels.
type Subscription interface {
	// C delivers messages; it is closed when the subscription ends (see Err).
	C() <-chan Message
	// Add subscribes to more channels; Remove unsubscribes.
	Add(channels ...string) error
	Remove(channels ...string) error
	// Channels lists the channels currently subscribed.
	Channels() []string
	// Err tells why C was closed: nil while open, ErrSubscriptionDone
	// after Close, ErrSlowSubscriber or ErrClosed otherwise.
	Err() error
	// Close ends the subscription.
	Close()
}

// DefaultBuffer is the default number of messages a subscription holds.
const DefaultBuffer = 64

// ValidChannel reports whether name is a well-formed channel name: 1 to 200
// printable ASCII characters without spaces (hashtag names are lower-cased
// by the publisher, and may contain any letters: they are percent-free
// UTF-8, so any rune above 0x20 except space is allowed).
func ValidChannel(name string) bool {
	if name == "" || len(name) > 200 {
		return false
	}
	return !strings.ContainsFunc(name, func(r rune) bool { return r <= 0x20 || r == 0x7f })
}

func validate(msgs []Message) error {
	for _, m := range msgs {
		if !ValidChannel(m.Channel) {
			return ErrInvalidChannel
		}
		if len(m.Data) > MaxDataLen || len(m.Event) > 100 {
			return ErrMessageTooLarge
		}
	}
	return nil
}
