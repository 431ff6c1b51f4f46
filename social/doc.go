// Package social is Herd's application core for local users: creating
// accounts, posting, following, favouriting, boosting and notifying, with
// visibility enforced on every read. It knows nothing of HTTP; the Mastodon
// API (mastoapi), federation handlers and examples all call it.
package social
