package storagetest

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// Opener returns a fresh, empty, migrated store. It registers the store's
// cleanup (closing it, dropping its database) with t.
type Opener func(t *testing.T) storage.Store

// Run runs the conformance suite against the stores returned by open. Each
// group of subtests runs in parallel on a store of its own.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Helper()
	groups := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Accounts", testAccounts},
		{"AccountListing", testAccountListing},
		{"Users", testUsers},
		{"Statuses", testStatuses},
		{"StatusFilters", testStatusFilters},
		{"Timelines", testTimelines},
		{"Tagged", testTagged},
		{"StatusDelete", testStatusDelete},
		{"AccountDelete", testAccountDelete},
		{"Follows", testFollows},
		{"Favourites", testFavourites},
		{"Bookmarks", testBookmarks},
		{"Pins", testPins},
		{"Notifications", testNotifications},
		{"OAuth", testOAuth},
		{"Instances", testInstances},
		{"Feeds", testFeeds},
		{"FeedPagesAfterWrites", testFeedPagesAfterWrites},
		{"ViewerStatesAfterWrites", testViewerStatesAfterWrites},
		{"Pagination", testPagination},
		{"RoundTrip", testRoundTrip},
		{"LargeAndUnicode", testLargeAndUnicode},
		{"Tx", testTx},
		{"Concurrency", testConcurrency},
		{"Moderation", func(t *testing.T, open Opener) { RunModeration(t, open) }},
		{"Deliveries", func(t *testing.T, open Opener) { RunDeliveries(t, open) }},
		{"InboxLog", func(t *testing.T, open Opener) { RunInboxLog(t, open) }},
		{"Media", func(t *testing.T, open Opener) { RunMedia(t, open) }},
		{"Push", func(t *testing.T, open Opener) { RunPush(t, open) }},
		{"HeldPosts", func(t *testing.T, open Opener) { RunHeldPosts(t, open) }},
		{"Filters", func(t *testing.T, open Opener) { RunFilters(t, open) }},
		{"DomainModeration", func(t *testing.T, open Opener) { RunDomainModeration(t, open) }},
		{"Lists", func(t *testing.T, open Opener) { RunLists(t, open) }},
		{"MediaProfile", func(t *testing.T, open Opener) { RunMediaProfile(t, open) }},
		{"UserData", func(t *testing.T, open Opener) { RunUserData(t, open) }},
		{"Polls", func(t *testing.T, open Opener) { RunPolls(t, open) }},
		{"Admin", func(t *testing.T, open Opener) { RunAdmin(t, open) }},
		{"Announcements", func(t *testing.T, open Opener) { RunAnnouncements(t, open) }},
		{"Jobs", func(t *testing.T, open Opener) { RunJobs(t, open) }},
		{"CachedImages", func(t *testing.T, open Opener) { RunCachedImages(t, open) }},
		{"CustomEmojis", func(t *testing.T, open Opener) { RunCustomEmojis(t, open) }},
		{"Discovery", func(t *testing.T, open Opener) { RunDiscovery(t, open) }},
		{"SignUpBlocks", func(t *testing.T, open Opener) { RunSignUpBlocks(t, open) }},
		{"NotificationRequests", func(t *testing.T, open Opener) { RunNotificationRequests(t, open) }},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.fn(t, open)
		})
	}
}

// harness wraps one store with fixture helpers.
type harness struct {
	s   storage.Store
	seq atomic.Int64
}

func newHarness(t *testing.T, open Opener) *harness {
	t.Helper()
	s := open(t)
	require.NotNil(t, s, "open returned a nil store")
	return &harness{s: s}
}

// name returns a name unique within the harness.
func (h *harness) name(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, h.seq.Add(1))
}

// local creates a local account with a unique username starting with prefix.
func (h *harness) local(t *testing.T, prefix string, mods ...func(*storage.Account)) *storage.Account {
	t.Helper()
	u := h.name(prefix)
	a := &storage.Account{
		Username: u,
		URI:      "https://herd.example/users/" + u,
		URL:      "https://herd.example/@" + u,
		InboxURI: "https://herd.example/users/" + u + "/inbox",
	}
	for _, m := range mods {
		m(a)
	}
	require.NoError(t, h.s.Accounts().Create(t.Context(), a))
	return a
}

// remote creates a remote account on domain. sharedInbox may be empty.
func (h *harness) remote(t *testing.T, prefix, domain, sharedInbox string, mods ...func(*storage.Account)) *storage.Account {
	t.Helper()
	u := h.name(prefix)
	a := &storage.Account{
		Username:       u,
		Domain:         domain,
		URI:            "https://" + domain + "/users/" + u,
		URL:            "https://" + domain + "/@" + u,
		InboxURI:       "https://" + domain + "/users/" + u + "/inbox",
		SharedInboxURI: sharedInbox,
	}
	for _, m := range mods {
		m(a)
	}
	require.NoError(t, h.s.Accounts().Create(t.Context(), a))
	return a
}

// post creates a public status by a.
func (h *harness) post(t *testing.T, a *storage.Account, mods ...func(*storage.Status)) *storage.Status {
	t.Helper()
	st := &storage.Status{
		AccountID:  a.ID,
		URI:        a.URI + "/statuses/" + h.name("s"),
		Local:      a.Domain == "",
		Content:    "<p>hello</p>",
		Visibility: storage.VisibilityPublic,
	}
	for _, m := range mods {
		m(st)
	}
	require.NoError(t, h.s.Statuses().Create(t.Context(), st))
	return st
}

// replyTo makes a status a reply to parent.
func replyTo(parent *storage.Status) func(*storage.Status) {
	return func(st *storage.Status) {
		st.InReplyToID = parent.ID
		st.InReplyToAccountID = parent.AccountID
		st.InReplyToURI = parent.URI
	}
}

// boost creates a's boost of st.
func (h *harness) boost(t *testing.T, a *storage.Account, st *storage.Status) *storage.Status {
	t.Helper()
	return h.post(t, a, func(b *storage.Status) {
		b.ReblogOfID = st.ID
		b.Content = ""
	})
}

func withVisibility(v storage.Visibility) func(*storage.Status) {
	return func(st *storage.Status) { st.Visibility = v }
}

func withTags(tags ...string) func(*storage.Status) {
	return func(st *storage.Status) { st.Tags = tags }
}

func withMedia(st *storage.Status) { st.MediaIDs = storage.IDs{storage.ID(st.AccountID + 1)} }

// ts returns a UTC time with microsecond precision, as the store keeps it.
func ts(year int, month time.Month, day, hour, min, sec, usec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, usec*1000, time.UTC)
}

func ptr[T any](v T) *T { return &v }

// ids lists the IDs of records.
func statusIDs(sts []*storage.Status) []storage.ID {
	out := make([]storage.ID, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

func accountIDs(as []*storage.Account) []storage.ID {
	out := make([]storage.ID, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func entryIDs(es []storage.FeedEntry) []storage.ID {
	out := make([]storage.ID, len(es))
	for i, e := range es {
		out[i] = e.StatusID
	}
	return out
}

// requireNotFound asserts that err wraps storage.ErrNotFound.
func requireNotFound(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, "%s: want ErrNotFound, got nil", what)
	require.Truef(t, errors.Is(err, storage.ErrNotFound), "%s: want ErrNotFound, got %v", what, err)
}

// requireConflict asserts that err wraps storage.ErrConflict.
func requireConflict(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, "%s: want ErrConflict, got nil", what)
	require.Truef(t, errors.Is(err, storage.ErrConflict), "%s: want ErrConflict, got %v", what, err)
}

// requireInvalid asserts that err wraps storage.ErrInvalid.
func requireInvalid(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, "%s: want ErrInvalid, got nil", what)
	require.Truef(t, errors.Is(err, storage.ErrInvalid), "%s: want ErrInvalid, got %v", what, err)
}

// requireEmpty asserts that a listing is empty and not nil.
func requireEmpty[T any](t *testing.T, list []T, what string) {
	t.Helper()
	require.NotNilf(t, list, "%s: want an empty, non-nil list", what)
	require.Emptyf(t, list, "%s: want an empty list", what)
}

// result carries the two results of a store call, so that a test can write
// try(s.Accounts().Get(ctx, id)).must(t).
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must fails the test on an error and returns the value.
func (r result[T]) must(t *testing.T) T {
	t.Helper()
	require.NoError(t, r.err)
	return r.v
}

func upper(s string) string { return strings.ToUpper(s) }
func lower(s string) string { return strings.ToLower(s) }
