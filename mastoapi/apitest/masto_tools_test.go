package apitest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// toolRel is a relationship with the safety tools' flags (see rel in
// flow.mjs).
type toolRel struct {
	ID                  string `json:"id"`
	Following           bool   `json:"following"`
	FollowedBy          bool   `json:"followed_by"`
	Blocking            bool   `json:"blocking"`
	BlockedBy           bool   `json:"blocked_by"`
	Muting              bool   `json:"muting"`
	MutingNotifications bool   `json:"muting_notifications"`
	DomainBlocking      bool   `json:"domain_blocking"`
}

// parseTime parses an entity's RFC 3339 datetime, which must carry
// milliseconds and Z.
func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, s)
	at, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err, s)
	return at
}

// mastoToolSteps checks the flow's steps for blocks, mutes, user domain
// blocks, filters, reports, polls, scheduled statuses, lists, followed
// hashtags, conversations, markers and Web Push.
var mastoToolSteps = []mastoStep{
	{"block", func(t *testing.T, f *flowFixture) {
		type seen struct{ Home, Notifications, Descendants, Profile []string }
		var r struct {
			Carol, Root, Hello, Reply string
			Before, After             seen
			Blocked                   toolRel
			CarolToAlice              toolRel `json:"carol_to_alice"`
			Blocks                    []string
			FetchHello                int `json:"fetch_hello"`
			Unblocked                 toolRel
			BlocksAfter               []string `json:"blocks_after"`
		}
		f.result(t, "block", &r)
		assert.Equal(t, f.carol.ID.String(), r.Carol)
		// Before: carol follows alice and sees her.
		assert.Subset(t, r.Before.Home, []string{r.Hello, r.Reply, r.Root})
		assert.ElementsMatch(t, []string{"mention:alice", "favourite:alice"}, r.Before.Notifications)
		assert.Equal(t, []string{r.Reply}, r.Before.Descendants)
		assert.Subset(t, r.Before.Profile, []string{r.Hello, r.Reply})
		// After alice blocks carol, carol sees nothing of alice.
		assert.Equal(t, toolRel{ID: r.Carol, Blocking: true}, r.Blocked, "the block ends carol's follow")
		assert.Equal(t, toolRel{ID: f.alice.ID.String(), BlockedBy: true}, r.CarolToAlice)
		assert.Equal(t, []string{r.Carol}, r.Blocks)
		assert.Equal(t, []string{r.Root}, r.After.Home, "only carol's own post is left")
		assert.Empty(t, r.After.Notifications)
		assert.Empty(t, r.After.Descendants)
		assert.Empty(t, r.After.Profile)
		assert.Equal(t, 404, r.FetchHello)
		assert.Equal(t, toolRel{ID: r.Carol}, r.Unblocked)
		assert.Empty(t, r.BlocksAfter)
	}},
	{"mute", func(t *testing.T, f *flowFixture) {
		type thread struct{ Ancestors, Descendants []string }
		var r struct {
			Muted, Unmuted toolRel
			Mutes          []struct {
				ID            string
				MuteExpiresAt string `json:"mute_expires_at"`
			}
			Root        string
			CarolReply  string `json:"carol_reply"`
			BobReply    string `json:"bob_reply"`
			WhileMuted  thread `json:"while_muted"`
			AfterUnmute thread `json:"after_unmute"`
		}
		f.result(t, "mute", &r)
		carol := f.carol.ID.String()
		assert.Equal(t, toolRel{ID: carol, Muting: true}, r.Muted, "notifications=false leaves notifications on")
		require.Len(t, r.Mutes, 1)
		assert.Equal(t, carol, r.Mutes[0].ID)
		assert.WithinDuration(t, time.Now().Add(time.Hour), parseTime(t, r.Mutes[0].MuteExpiresAt), 2*time.Minute)
		// The muted account leaves alice's threads, above and below.
		assert.Equal(t, []string{r.Root}, r.WhileMuted.Ancestors)
		assert.Equal(t, []string{r.BobReply}, r.WhileMuted.Descendants)
		assert.Equal(t, toolRel{ID: carol}, r.Unmuted)
		assert.Equal(t, []string{r.Root, r.CarolReply}, r.AfterUnmute.Ancestors)
		assert.Equal(t, []string{r.CarolReply, r.BobReply}, r.AfterUnmute.Descendants)
	}},
	{"domain_block", func(t *testing.T, f *flowFixture) {
		var r struct {
			Before, List, After, Left, Again []string
			Relationship                     toolRel
		}
		f.result(t, "domain_block", &r)
		remote := f.remoteStatus.ID.String()
		assert.Contains(t, r.Before, remote)
		assert.Equal(t, []string{"far.example"}, r.List)
		assert.NotContains(t, r.After, remote)
		assert.Equal(t, toolRel{ID: f.remote.ID.String(), DomainBlocking: true}, r.Relationship)
		assert.Empty(t, r.Left)
		assert.Contains(t, r.Again, remote, "unblocked")
		assert.Len(t, r.After, len(r.Before)-1, "nothing else changed")
	}},
	{"filters", func(t *testing.T, f *flowFixture) {
		type result struct {
			Title, Action string
			Keywords      []string
		}
		var r struct {
			Warned, Hidden, Plain string
			Home                  []string
			Filtered              map[string][]result
			List                  []struct {
				Title, Action     string
				Context, Keywords []string
			}
			Left int
		}
		f.result(t, "filters", &r)
		assert.Contains(t, r.Home, r.Warned)
		assert.Contains(t, r.Home, r.Plain)
		assert.NotContains(t, r.Home, r.Hidden, "the hide filter drops the status")
		assert.Equal(t, []result{{Title: "Fruit", Action: "warn", Keywords: []string{"pineapple"}}}, r.Filtered[r.Warned])
		assert.Empty(t, r.Filtered[r.Plain])
		require.Len(t, r.List, 2)
		assert.Equal(t, "Fruit", r.List[0].Title)
		assert.Equal(t, "warn", r.List[0].Action)
		assert.Equal(t, []string{"home"}, r.List[0].Context)
		assert.Equal(t, []string{"pineapple"}, r.List[0].Keywords)
		assert.Equal(t, "hide", r.List[1].Action)
		assert.Equal(t, 0, r.Left)
	}},
	{"report", func(t *testing.T, f *flowFixture) {
		var r struct {
			ID, Category, Comment, Target string
			ActionTaken                   bool `json:"action_taken"`
			Statuses                      []string
		}
		f.result(t, "report", &r)
		var mute struct {
			CarolReply string `json:"carol_reply"`
		}
		f.result(t, "mute", &mute)
		assert.Equal(t, "other", r.Category)
		assert.Equal(t, "off-topic", r.Comment)
		assert.False(t, r.ActionTaken)
		assert.Equal(t, f.carol.ID.String(), r.Target)
		assert.Equal(t, []string{mute.CarolReply}, r.Statuses)
		id, err := storage.ParseID(r.ID)
		require.NoError(t, err)
		stored, err := f.srv.store.Reports().Get(context.Background(), id)
		require.NoError(t, err, "the moderators see the report")
		assert.Equal(t, f.alice.ID, stored.AccountID)
		assert.Equal(t, f.carol.ID, stored.TargetAccountID)
	}},
	{"poll", func(t *testing.T, f *flowFixture) {
		type poll struct {
			ID          string
			Voted       bool
			OwnVotes    []int  `json:"own_votes"`
			VotesCount  int    `json:"votes_count"`
			VotersCount int    `json:"voters_count"`
			ExpiresAt   string `json:"expires_at"`
			Options     []string
			Counts      []int
		}
		var r struct {
			Created, Voted, Author poll
			Again                  int
		}
		f.result(t, "poll", &r)
		assert.Equal(t, []string{"Go", "Rust", "Zig"}, r.Created.Options)
		assert.Equal(t, []int{0, 0, 0}, r.Created.Counts)
		assert.True(t, r.Created.Voted, "the author counts as having voted, as on Mastodon")
		assert.WithinDuration(t, time.Now().Add(time.Hour), parseTime(t, r.Created.ExpiresAt), 2*time.Minute)
		assert.Equal(t, r.Created.ID, r.Voted.ID)
		assert.True(t, r.Voted.Voted)
		assert.Equal(t, []int{1}, r.Voted.OwnVotes)
		assert.Equal(t, []int{0, 1, 0}, r.Voted.Counts)
		assert.Equal(t, 1, r.Voted.VotersCount)
		assert.Equal(t, 422, r.Again, "one vote per account")
		assert.Equal(t, []int{0, 1, 0}, r.Author.Counts)
		assert.Empty(t, r.Author.OwnVotes)
	}},
	{"scheduled", func(t *testing.T, f *flowFixture) {
		var r struct {
			ID, At, Later, Moved string
			ScheduledAt          string `json:"scheduled_at"`
			List                 []struct {
				ID          string
				ScheduledAt string `json:"scheduled_at"`
				Text        string
			}
			Left int
		}
		f.result(t, "scheduled", &r)
		assert.Equal(t, r.At, r.ScheduledAt, "POST /statuses with scheduled_at answers a ScheduledStatus")
		require.Len(t, r.List, 1)
		assert.Equal(t, r.ID, r.List[0].ID)
		assert.Equal(t, "later, maybe", r.List[0].Text)
		assert.True(t, parseTime(t, r.Moved).Equal(parseTime(t, r.Later)))
		assert.Equal(t, 0, r.Left)
	}},
	{"lists", func(t *testing.T, f *flowFixture) {
		var r struct {
			Title, Status, Renamed string
			Members, Feed          []string
			Left                   int
		}
		f.result(t, "lists", &r)
		assert.Equal(t, "Friends", r.Title)
		assert.Equal(t, []string{f.bob.ID.String()}, r.Members)
		require.NotEmpty(t, r.Feed)
		assert.Equal(t, r.Status, r.Feed[0], "bob's new post leads the list timeline")
		assert.Equal(t, "Close friends", r.Renamed)
		assert.Equal(t, 0, r.Left)
	}},
	{"followed_tags", func(t *testing.T, f *flowFixture) {
		var r struct {
			Following, Unfollowed bool
			Followed, Home        []string
			Status                string
			Left                  int
		}
		f.result(t, "followed_tags", &r)
		assert.True(t, r.Following)
		assert.Equal(t, []string{"gophers"}, r.Followed)
		assert.Contains(t, r.Home, r.Status, "a followed hashtag brings a stranger's post home")
		assert.False(t, r.Unfollowed)
		assert.Equal(t, 0, r.Left)
	}},
	{"conversations", func(t *testing.T, f *flowFixture) {
		type conv struct {
			ID         string
			Unread     bool
			Accounts   []string
			LastStatus string `json:"last_status"`
		}
		var r struct {
			DM            string
			Before, After []conv
			Read          bool
		}
		f.result(t, "conversations", &r)
		require.Len(t, r.Before, 1)
		assert.True(t, r.Before[0].Unread)
		assert.Equal(t, []string{"alice"}, r.Before[0].Accounts)
		assert.Equal(t, r.DM, r.Before[0].LastStatus)
		assert.False(t, r.Read, "marked read")
		assert.Empty(t, r.After)
	}},
	{"markers", func(t *testing.T, f *flowFixture) {
		type marker struct {
			LastReadID string `json:"last_read_id"`
			Version    int
			UpdatedAt  string `json:"updated_at"`
		}
		type pair struct{ Home, Notifications *marker }
		var r struct {
			Home, Notification string
			Set, Got           pair
		}
		f.result(t, "markers", &r)
		for _, p := range []pair{r.Set, r.Got} {
			require.NotNil(t, p.Home)
			require.NotNil(t, p.Notifications)
			assert.Equal(t, r.Home, p.Home.LastReadID)
			assert.Equal(t, r.Notification, p.Notifications.LastReadID)
			assert.Positive(t, p.Home.Version)
			parseTime(t, p.Home.UpdatedAt)
		}
		assert.Equal(t, r.Set, r.Got)
	}},
	{"push", func(t *testing.T, f *flowFixture) {
		type sub struct {
			ID, Endpoint, Policy       string
			ServerKey                  string `json:"server_key"`
			Mention, Follow, Favourite bool
		}
		var r struct {
			Created, Fetched, Updated sub
			Gone                      int
		}
		f.result(t, "push", &r)
		want := sub{ID: r.Created.ID, Endpoint: "https://push.example/masto/alice", Policy: "all",
			ServerKey: testVAPIDKey, Mention: true}
		assert.Equal(t, want, r.Created)
		assert.Equal(t, want, r.Fetched)
		want.Favourite = true
		assert.Equal(t, want, r.Updated, "alerts left out of the update keep their value")
		assert.Equal(t, 404, r.Gone)
	}},
}
