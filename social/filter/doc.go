// Package filter implements users' keyword filters (Mastodon's v2 filters
// and, mapped onto them, v1 filters): storing them through storage.Filters
// with their validation rules, and matching statuses against them.
//
// A filter ("filter group" in Mastodon's words) has a title, the contexts
// where it applies (home, notifications, public, thread, account), an
// action (warn, hide, blur), an optional expiry, keywords and statuses.
// A status matches a filter when one of its keywords occurs in the
// status's text, or when the status (or the status it boosts) is one of
// the filter's statuses.
//
// # Matching
//
// The text searched is Mastodon's: the spoiler text, the content with its
// HTML stripped, the poll options and the media descriptions, joined by
// blank lines. Keywords match case-insensitively anywhere in it; a
// whole-word keyword matches only where it is not part of a longer word:
// as Mastodon's regular expression (\b on the edges of the keyword that
// are word characters), a keyword starting with a letter must not follow
// a letter, digit, mark or underscore, and likewise at its end. Word
// characters are Unicode letters, marks, decimal digits and connector
// punctuation, so "café" is a whole word in "un café noir", and "#golang"
// matches "#golang" but not "#golangs" while "golang" also matches
// "#golang". Expired filters never match.
//
// A Set holds one account's filters compiled for matching; Service.Set
// returns it from a cache that every change through the Service
// invalidates (and that expires after Options.CacheTTL, which bounds how
// long a change made by another process sharing the database goes unseen).
//
// # Events
//
// Every change publishes social.EventFiltersChanged for the owner to
// Options.Events; the streaming API turns it into "filters_changed".
package filter
