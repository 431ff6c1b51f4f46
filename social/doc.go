// Package social is Herd's application core for local users: creating
// accounts, posting, editing and deleting statuses, following, favouriting,
// boosting, bookmarking, pinning, blocking, muting and notifying, with
// visibility enforced on every read. It knows nothing of HTTP; the Mastodon
// API (mastoapi), federation handlers and examples all call it.
//
// A Service wraps a storage.Store. Every method takes the acting or viewing
// account (nil for an anonymous viewer) and works in one transaction;
// Events are published to the configured EventSink once it commits, for
// the streaming API and for federation.
//
// # Visibility
//
// Public and unlisted statuses are visible to all, private ones to the
// author, its followers and the accounts it mentions, direct ones to the
// author and the accounts it mentions. A block (either way), a suspended
// author or a domain the viewer blocks hides everything. A status the
// viewer may not see is reported as ErrNotFound, never ErrForbidden, so its
// existence is not revealed. Timelines also leave out muted accounts.
//
// # Errors
//
// ErrNotFound, ErrForbidden and *ValidationError (errors.Is(err,
// ErrInvalid), also named ErrUnprocessable) are the sentinels the HTTP layer
// maps to 404, 403 and 422.
//
// # Text
//
// Status text is rendered to HTML as Mastodon renders it: escaped,
// paragraphs on blank lines, <br /> on line breaks, http(s) links shortened
// Mastodon-style, mentions of known accounts (MentionResolver finds unknown
// remote ones) and hashtags linked. CountChars counts length as Mastodon
// does (URLs count 23, remote mentions only their @user part).
//
// # Polls
//
// A status may carry a poll (PostInput.Poll, EditInput.Poll; limits in
// Options). Vote counts local votes; ReceiveVote counts remote votes in
// local polls; ClosePolls (run by RunPollExpiry) closes ended polls once
// and notifies their local author and voters. Votes and ends are events
// (EventPollVoted, EventPollEnded) that federation turns into activities.
//
// # Not yet supported
//
// Quotes, the
// Mastodon "limited" visibility, endorsements and private notes.
package social
