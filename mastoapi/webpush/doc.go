// Package webpush sends Mastodon-style Web Push notifications: when a local
// user is notified, every push subscription of theirs (one per access token,
// made through POST /api/v1/push/subscription) whose alerts and policy allow
// it receives an encrypted message at its endpoint.
//
// Messages are encrypted as the subscription asked: RFC 8291 "aes128gcm"
// with RFC 8292 VAPID (subscription[standard]=true; done by
// github.com/SherClockHolmes/webpush-go), or the legacy "aesgcm" draft
// encoding with "WebPush" VAPID authorisation that Mastodon uses by default
// and that existing push relays expect. The server's VAPID key pair is
// generated once and kept in storage.Settings, so every process of a
// server shares it ([LoadVAPID]).
//
// The payload is Mastodon's: notification_id, notification_type,
// preferred_locale, icon, title and body. Mastodon also includes the
// subscription's access token; Herd stores only token hashes, so
// access_token is an empty string (clients fetch the notification by its ID
// with the token they hold).
//
// A [Sender] is a social.EventSink: it queues each notification and sends it
// from a small pool of workers, so that posting never waits for a push
// service. Endpoints are reached through the caller's HTTP client — give it
// one that refuses private addresses (federation/transport), since the
// endpoint URL comes from the user. An endpoint answering 404 or 410 loses
// its subscription; queued messages are lost on a crash or when the queue
// is full (each with a log line), as with any push service at most once.
package webpush
