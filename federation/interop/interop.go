package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables read by StartPeer and Launch.
const (
	// EnvRequireNode, set to "1", turns "Node.js is unavailable" from a
	// skipped test into a failed one. CI sets it.
	EnvRequireNode = "HERD_TEST_REQUIRE_NODE"
	// EnvPeerDir overrides the directory holding peer.mjs and node_modules.
	EnvPeerDir = "HERD_INTEROP_PEER_DIR"
	// EnvNode overrides the node binary (default: "node" from PATH).
	EnvNode = "HERD_NODE"
	// EnvLogLevel overrides the peer's log level (default "info").
	EnvLogLevel = "HERD_INTEROP_LOG_LEVEL"
	// EnvVerbose, set to "1", copies the peer's log to the test's stderr
	// as it is written, instead of only on failure.
	EnvVerbose = "HERD_INTEROP_VERBOSE"
)

// ErrNodeUnavailable is returned (wrapped) by Launch when Node.js 20+ or the
// peer's npm packages are not installed.
var ErrNodeUnavailable = errors.New("interop: Node.js peer unavailable")

// minNodeMajor is the oldest Node.js release Fedify 1.5 supports.
const minNodeMajor = 20

// Options configures a peer. The zero value (or nil) gives the defaults.
type Options struct {
	// Dir holds peer.mjs and its node_modules. Default: $HERD_INTEROP_PEER_DIR,
	// else testdata/peer next to this package's source.
	Dir string
	// Node is the node binary. Default: $HERD_NODE, else "node" from PATH.
	Node string
	// Username is the actor's identifier and preferredUsername ("peer").
	Username string
	// LogLevel is the peer's log level: "debug", "info" (default),
	// "warning" or "error". $HERD_INTEROP_LOG_LEVEL overrides the default.
	LogLevel string
	// AllowWithoutHTTPSignature lets inbox deliveries through that carry no
	// valid HTTP signature but a Linked Data signature or FEP-8b32 proof
	// that Fedify accepts. By default the peer insists on an HTTP signature.
	AllowWithoutHTTPSignature bool
	// DisableEd25519 gives the actor only its RSA key: Fedify then attaches
	// no FEP-8b32 proof to what it sends.
	DisableEd25519 bool
	// Env adds "KEY=value" entries to the peer's environment.
	Env []string
	// Log, if set, also receives the peer's log (stderr) as it is written.
	Log io.Writer
	// StartTimeout bounds the start, until /control/health answers.
	// Default 30s.
	StartTimeout time.Duration
}

// Peer is a running Fedify peer and a client for its control API. Its
// methods are safe for concurrent use.
type Peer struct {
	// Origin is the peer's base URL, "http://127.0.0.1:PORT".
	Origin string
	// ActorID is the peer actor's id, Origin + "/users/peer".
	ActorID string
	// Handle is the WebFinger handle without "acct:", "peer@127.0.0.1:PORT".
	Handle string
	// InboxURL and SharedInboxURL are the actor's inboxes.
	InboxURL, SharedInboxURL string
	// FollowersURL is the actor's followers collection.
	FollowersURL string
	// KeyID is the id of the actor's RSA key (ActorID + "#main-key"), the
	// keyId of the peer's HTTP signatures.
	KeyID string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{} // closed when the process has been waited for
	logs   *tailBuffer
	client *http.Client

	closeOnce sync.Once
	closeErr  error
}

// StartPeer starts a peer with default options for the duration of the test;
// see StartPeerWithOptions.
func StartPeer(t testing.TB) *Peer {
	t.Helper()
	return StartPeerWithOptions(t, nil)
}

// StartPeerWithOptions starts a peer, waits until it answers, and stops it
// (killing its process group) in t.Cleanup. If Node.js or the peer's npm
// packages are missing it skips the test, or fails it when
// HERD_TEST_REQUIRE_NODE=1. When the test has failed, the tail of the peer's
// log is written to the test log at cleanup.
func StartPeerWithOptions(t testing.TB, opts *Options) *Peer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := Launch(ctx, opts)
	if err != nil {
		if errors.Is(err, ErrNodeUnavailable) {
			if os.Getenv(EnvRequireNode) == "1" {
				t.Fatalf("%v (%s=1, so this is a failure; run scripts/node-deps.sh)", err, EnvRequireNode)
			}
			t.Skipf("%v; run scripts/node-deps.sh to install it (set %s=1 to fail instead of skipping)", err, EnvRequireNode)
		}
		t.Fatalf("interop: start peer: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Logf("interop: stop peer %s: %v", p.Origin, err)
		}
		if t.Failed() {
			t.Logf("interop: log of peer %s (tail):\n%s", p.Origin, p.Logs())
		}
	})
	return p
}

// Launch starts a peer and waits until it answers /control/health. The
// caller must Close it. Errors wrap ErrNodeUnavailable when Node.js 20+ or
// the npm packages are missing.
func Launch(ctx context.Context, opts *Options) (*Peer, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	dir, node, err := locate(o)
	if err != nil {
		return nil, err
	}
	logLevel := o.LogLevel
	if logLevel == "" {
		logLevel = os.Getenv(EnvLogLevel)
	}
	if logLevel == "" {
		logLevel = "info"
	}
	env := append(os.Environ(),
		"PEER_PORT=0",
		"PEER_HOST=127.0.0.1",
		"PEER_LOG_LEVEL="+logLevel,
		"PEER_EXIT_ON_STDIN_CLOSE=1",
		"NO_COLOR=1",
	)
	if o.Username != "" {
		env = append(env, "PEER_USERNAME="+o.Username)
	}
	if o.AllowWithoutHTTPSignature {
		env = append(env, "PEER_REQUIRE_HTTP_SIGNATURE=0")
	}
	if o.DisableEd25519 {
		env = append(env, "PEER_ED25519=0")
	}
	env = append(env, o.Env...)

	cmd := exec.Command(node, "peer.mjs")
	cmd.Dir = dir
	cmd.Env = env
	setProcessGroup(cmd)
	logs := newTailBuffer(1 << 20)
	var logSink io.Writer = logs
	if o.Log != nil {
		logSink = io.MultiWriter(logs, o.Log)
	} else if os.Getenv(EnvVerbose) == "1" {
		logSink = io.MultiWriter(logs, os.Stderr)
	}
	cmd.Stderr = logSink
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("interop: stdout pipe: %w", err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("interop: stdin pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("interop: start %s peer.mjs in %s: %w", node, dir, err)
	}
	p := &Peer{
		cmd:    cmd,
		stdin:  stdin,
		exited: make(chan struct{}),
		logs:   logs,
		client: &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8},
		},
	}
	ready := make(chan readyLine, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			if !sent {
				var r readyLine
				if json.Unmarshal(line, &r) == nil && r.Ready {
					ready <- r
					sent = true
					continue
				}
			}
			_, _ = fmt.Fprintf(logSink, "stdout: %s\n", line)
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	waitErr := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		waitErr <- err
		close(p.exited)
	}()

	timer := time.NewTimer(o.StartTimeout)
	defer timer.Stop()
	var r readyLine
	select {
	case r = <-ready:
	case err := <-waitErr:
		waitErr <- err
		return nil, fmt.Errorf("interop: peer exited before it was ready (%v); log:\n%s", err, logs.String())
	case <-timer.C:
		_ = p.Close()
		return nil, fmt.Errorf("interop: peer not ready after %s; log:\n%s", o.StartTimeout, logs.String())
	case <-ctx.Done():
		_ = p.Close()
		return nil, fmt.Errorf("interop: start peer: %w", ctx.Err())
	}
	p.Origin = r.Origin
	p.ActorID = r.Actor
	p.Handle = r.Handle
	var info struct {
		Inbox       string `json:"inbox"`
		SharedInbox string `json:"sharedInbox"`
		Followers   string `json:"followers"`
		PublicKeyID string `json:"publicKeyId"`
	}
	hctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()
	if err := p.Health(hctx); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("interop: peer health: %w; log:\n%s", err, logs.String())
	}
	if err := p.get(hctx, "/control/actor", &info); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("interop: peer actor: %w", err)
	}
	p.InboxURL, p.SharedInboxURL, p.FollowersURL, p.KeyID = info.Inbox, info.SharedInbox, info.Followers, info.PublicKeyID
	return p, nil
}

type readyLine struct {
	Ready  bool   `json:"ready"`
	Origin string `json:"origin"`
	Actor  string `json:"actor"`
	Handle string `json:"handle"`
}

// Close stops the peer: SIGTERM to its process group, SIGKILL after five
// seconds. It is idempotent.
func (p *Peer) Close() error {
	p.closeOnce.Do(func() {
		_ = p.stdin.Close() // the peer exits on stdin EOF too
		signalGroup(p.cmd, false)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			signalGroup(p.cmd, true)
			select {
			case <-p.exited:
			case <-time.After(5 * time.Second):
				p.closeErr = fmt.Errorf("interop: peer pid %d did not exit", p.cmd.Process.Pid)
			}
		}
		if t, ok := p.client.Transport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
	})
	return p.closeErr
}

// Logs returns the tail of the peer's log (its stderr).
func (p *Peer) Logs() string { return p.logs.String() }

// locate finds the peer directory and the node binary and checks that both
// are usable.
func locate(o Options) (dir, node string, err error) {
	dir = o.Dir
	if dir == "" {
		dir = os.Getenv(EnvPeerDir)
	}
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", "", fmt.Errorf("interop: cannot find the peer directory; set %s", EnvPeerDir)
		}
		dir = filepath.Join(filepath.Dir(file), "testdata", "peer")
	}
	if _, err := os.Stat(filepath.Join(dir, "peer.mjs")); err != nil {
		return "", "", fmt.Errorf("interop: peer.mjs not found in %s (set %s): %w", dir, EnvPeerDir, err)
	}
	node = o.Node
	if node == "" {
		node = os.Getenv(EnvNode)
	}
	if node == "" {
		node = "node"
	}
	path, err := exec.LookPath(node)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s not found: %v", ErrNodeUnavailable, node, err)
	}
	if err := checkNodeVersion(path); err != nil {
		return "", "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@fedify", "fedify", "package.json")); err != nil {
		return "", "", fmt.Errorf("%w: npm packages not installed in %s", ErrNodeUnavailable, dir)
	}
	return dir, path, nil
}

var nodeVersions sync.Map // path -> error (nil when usable)

func checkNodeVersion(path string) error {
	if v, ok := nodeVersions.Load(path); ok {
		if v == nil {
			return nil
		}
		return v.(error)
	}
	out, err := exec.Command(path, "--version").Output()
	var verr error
	if err != nil {
		verr = fmt.Errorf("%w: %s --version: %v", ErrNodeUnavailable, path, err)
	} else {
		v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err != nil || n < minNodeMajor {
			verr = fmt.Errorf("%w: %s is version %q, need %d or later", ErrNodeUnavailable, path, v, minNodeMajor)
		}
	}
	if verr == nil {
		nodeVersions.Store(path, nil)
	} else {
		nodeVersions.Store(path, verr)
	}
	return verr
}

// ---------------------------------------------------------------------------
// Control API types.

// Actor is what the peer learnt about a remote actor by WebFinger and by
// fetching its document with Fedify.
type Actor struct {
	ID                        string          `json:"id"`
	Type                      string          `json:"type"`
	Inbox                     string          `json:"inbox"`
	SharedInbox               string          `json:"sharedInbox"`
	Outbox                    string          `json:"outbox"`
	Followers                 string          `json:"followers"`
	Following                 string          `json:"following"`
	PreferredUsername         string          `json:"preferredUsername"`
	Name                      string          `json:"name"`
	Summary                   string          `json:"summary"`
	ManuallyApprovesFollowers *bool           `json:"manuallyApprovesFollowers"`
	PublicKeyID               string          `json:"publicKeyId"`
	PublicKeyOwner            string          `json:"publicKeyOwner"`
	WebFinger                 json.RawMessage `json:"webfinger"` // the JRD; null when looked up by URL
}

// SignatureInfo describes the HTTP signature on an inbox delivery, as the
// peer checked it with Fedify's verifyRequest.
type SignatureInfo struct {
	// Scheme is "draft-cavage", "rfc9421", or "" when unsigned.
	Scheme         string   `json:"scheme"`
	KeyID          string   `json:"keyId"`
	Algorithm      string   `json:"algorithm"`
	Headers        []string `json:"headers"`
	SignatureInput string   `json:"signatureInput"`
	Verified       bool     `json:"verified"`
	// KeyOwner is the owner of the verifying key; SignerIsActor reports
	// that it is the activity's actor.
	KeyOwner      string `json:"keyOwner"`
	SignerIsActor bool   `json:"signerIsActor"`
}

// Activity is an inbound activity that the peer verified and processed.
type Activity struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	// Actor is the activity's actor id; Object the id of its (first)
	// object, embedded or not; ObjectType the embedded object's type.
	Actor      string `json:"actor"`
	Object     string `json:"object"`
	ObjectType string `json:"objectType"`
	// Recipient is "peer" for the personal inbox, "" for the shared one.
	Recipient     string         `json:"recipient"`
	ReceivedAt    time.Time      `json:"receivedAt"`
	HTTPSignature *SignatureInfo `json:"httpSignature"`
	// LDSignature and Proof report a Linked Data signature / FEP-8b32 proof
	// in the body.
	LDSignature bool `json:"ldSignature"`
	Proof       bool `json:"proof"`
	// Raw is the JSON body exactly as delivered.
	Raw json.RawMessage `json:"raw"`
}

// RawObject decodes the activity's embedded object from Raw, or returns nil
// when the object is only an id.
func (a Activity) RawObject() map[string]any {
	var body struct {
		Object json.RawMessage `json:"object"`
	}
	if json.Unmarshal(a.Raw, &body) != nil {
		return nil
	}
	var obj map[string]any
	if json.Unmarshal(body.Object, &obj) != nil {
		return nil
	}
	return obj
}

// Rejection is an inbox delivery that the peer answered with an error.
type Rejection struct {
	Status        int               `json:"status"`
	Reason        string            `json:"reason"`
	Path          string            `json:"path"`
	ID            string            `json:"id"`
	Type          string            `json:"type"`
	HTTPSignature *SignatureInfo    `json:"httpSignature"`
	Headers       map[string]string `json:"headers"`
	Raw           json.RawMessage   `json:"raw"`
	At            time.Time         `json:"at"`
}

// Sent is an activity the peer sent and the inboxes it went to.
type Sent struct {
	Type    string    `json:"type"`
	ID      string    `json:"id"`
	Object  string    `json:"object"`
	Inboxes []string  `json:"inboxes"`
	At      time.Time `json:"at"`
	Error   string    `json:"error"`
}

// ListenerError is a failure while reacting to an inbound activity (for
// example, delivering the Accept for a Follow).
type ListenerError struct {
	Where    string    `json:"where"`
	Activity string    `json:"activity"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
}

// Follower is an actor that follows the peer.
type Follower struct {
	ID          string `json:"id"`
	Inbox       string `json:"inbox"`
	SharedInbox string `json:"sharedInbox"`
	FollowID    string `json:"followId"`
}

// Following is an actor the peer sent a Follow to; State is "pending" or
// "accepted".
type Following struct {
	Actor     string `json:"actor"`
	FollowID  string `json:"followId"`
	State     string `json:"state"`
	SettledBy string `json:"settledBy"`
}

// Visibility is a note's audience.
type Visibility string

// Visibilities, addressed the way Mastodon addresses them.
const (
	Public    Visibility = "public"    // to Public, cc followers
	Unlisted  Visibility = "unlisted"  // to followers, cc Public
	Followers Visibility = "followers" // to followers
	Direct    Visibility = "direct"    // to the mentioned actors only
)

// NoteRequest describes a note for Peer.Note.
type NoteRequest struct {
	// Content is the HTML content.
	Content string
	// Visibility defaults to Direct when Mention is set, else Public.
	Visibility Visibility
	// Mention lists actors (ids, URLs or handles) to address and tag with
	// a Mention; each receives the note in its inbox.
	Mention []string
	// InReplyTo is the id of the note replied to.
	InReplyTo string
	// Summary is the content warning; Sensitive marks the note sensitive.
	Summary   string
	Sensitive bool
	// Attachments are attached as Documents.
	Attachments []Attachment
}

// Attachment is a Document attached to a note: the file at URL (served
// by someone else: the peer keeps no files).
type Attachment struct {
	URL       string `json:"url"`
	MediaType string `json:"mediaType,omitempty"`
	Name      string `json:"name,omitempty"` // alt text
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
}

// NoteResult identifies a note the peer created.
type NoteResult struct {
	// ID is the Note's id; Activity is the Create's id.
	ID       string   `json:"id"`
	Activity string   `json:"activity"`
	Inboxes  []string `json:"inboxes"`
}

type sentResult struct {
	ID      string   `json:"id"`
	Inboxes []string `json:"inboxes"`
}

// ControlError is an error answer from the control API.
type ControlError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("interop peer: %s %s: %d: %s", e.Method, e.Path, e.Status, e.Message)
}

// ---------------------------------------------------------------------------
// Control calls.

// Health checks that the peer answers, retrying until ctx ends.
func (p *Peer) Health(ctx context.Context) error {
	for {
		var out struct {
			OK bool `json:"ok"`
		}
		err := p.get(ctx, "/control/health", &out)
		if err == nil && out.OK {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interop: health: %w (last error: %v)", ctx.Err(), err)
		case <-p.exited:
			return errors.New("interop: health: peer exited")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Lookup resolves an actor with Fedify: handle ("user@host", "@user@host" or
// "acct:user@host") through WebFinger and then the actor document, or an
// actor URL directly.
func (p *Peer) Lookup(ctx context.Context, handle string) (*Actor, error) {
	var a Actor
	if err := p.post(ctx, "/control/lookup", map[string]any{"handle": handle}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Object fetches any object with Fedify (as the peer actor, signed) and
// returns its compacted JSON-LD.
func (p *Peer) Object(ctx context.Context, id string) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := p.post(ctx, "/control/object", map[string]any{"id": id}, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// Follow sends a Follow to actor (id, URL or handle) and returns its id.
func (p *Peer) Follow(ctx context.Context, actor string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/follow", map[string]any{"actor": actor}, &out)
	return out.ID, err
}

// Unfollow sends Undo(Follow) to actor and returns the Undo's id.
func (p *Peer) Unfollow(ctx context.Context, actor string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/unfollow", map[string]any{"actor": actor}, &out)
	return out.ID, err
}

// Note creates a note and sends Create(Note) to the audience.
func (p *Peer) Note(ctx context.Context, req NoteRequest) (*NoteResult, error) {
	body := map[string]any{"content": req.Content}
	vis := req.Visibility
	if vis == "" {
		vis = Public
		if len(req.Mention) > 0 {
			vis = Direct
		}
	}
	if vis == Direct {
		body["to"] = req.Mention
	} else {
		body["to"] = string(vis)
		if len(req.Mention) > 0 {
			body["mention"] = req.Mention
		}
	}
	if req.InReplyTo != "" {
		body["inReplyTo"] = req.InReplyTo
	}
	if req.Summary != "" {
		body["summary"] = req.Summary
	}
	if req.Sensitive {
		body["sensitive"] = true
	}
	if len(req.Attachments) > 0 {
		body["attachments"] = req.Attachments
	}
	var out NoteResult
	if err := p.post(ctx, "/control/note", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Like sends Like(object) to actor, the object's owner, and returns its id.
func (p *Peer) Like(ctx context.Context, object, actor string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/like", map[string]any{"object": object, "actor": actor}, &out)
	return out.ID, err
}

// Announce sends Announce(object) to actor (the owner) and the peer's
// followers, and returns its id.
func (p *Peer) Announce(ctx context.Context, object, actor string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/announce", map[string]any{"object": object, "actor": actor}, &out)
	return out.ID, err
}

// Block sends Block(actor) to actor and returns its id.
func (p *Peer) Block(ctx context.Context, actor string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/block", map[string]any{"actor": actor}, &out)
	return out.ID, err
}

// Undo undoes a Like, Announce, Follow or Block the peer sent, sending Undo
// to the original recipients, and returns the Undo's id.
func (p *Peer) Undo(ctx context.Context, activity string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/undo", map[string]any{"activity": activity}, &out)
	return out.ID, err
}

// UpdateNote changes the content of one of the peer's notes and sends
// Update(Note) to its audience; it returns the Update's id.
func (p *Peer) UpdateNote(ctx context.Context, note, content string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/update-note", map[string]any{"note": note, "content": content}, &out)
	return out.ID, err
}

// Delete deletes one of the peer's notes and sends Delete(Tombstone) to its
// audience; it returns the Delete's id.
func (p *Peer) Delete(ctx context.Context, note string) (string, error) {
	var out sentResult
	err := p.post(ctx, "/control/delete", map[string]any{"note": note}, &out)
	return out.ID, err
}

// Inbox returns the verified inbound activities in arrival order, only those
// of type typ unless it is empty.
func (p *Peer) Inbox(ctx context.Context, typ string) ([]Activity, error) {
	path := "/control/inbox"
	if typ != "" {
		path += "?type=" + url.QueryEscape(typ)
	}
	var out []Activity
	err := p.get(ctx, path, &out)
	return out, err
}

// Rejected returns the inbox deliveries the peer refused.
func (p *Peer) Rejected(ctx context.Context) ([]Rejection, error) {
	var out []Rejection
	err := p.get(ctx, "/control/rejected", &out)
	return out, err
}

// Errors returns failures while reacting to inbound activities.
func (p *Peer) Errors(ctx context.Context) ([]ListenerError, error) {
	var out []ListenerError
	err := p.get(ctx, "/control/errors", &out)
	return out, err
}

// Sent returns the activities the peer sent.
func (p *Peer) Sent(ctx context.Context) ([]Sent, error) {
	var out []Sent
	err := p.get(ctx, "/control/sent", &out)
	return out, err
}

// Followers returns the actors that follow the peer.
func (p *Peer) Followers(ctx context.Context) ([]Follower, error) {
	var out []Follower
	err := p.get(ctx, "/control/followers", &out)
	return out, err
}

// Following returns the actors the peer follows or asked to follow.
func (p *Peer) Following(ctx context.Context) ([]Following, error) {
	var out []Following
	err := p.get(ctx, "/control/following", &out)
	return out, err
}

// Reset forgets recorded activities, rejections, errors, followers and
// follows, and empties Fedify's caches (remote documents, keys, processed
// activity ids). The actor and its keys stay.
func (p *Peer) Reset(ctx context.Context) error {
	return p.post(ctx, "/control/reset", map[string]any{}, nil)
}

// SetFollowPolicy makes the peer answer Follows with Accept ("accept", the
// default) or Reject ("reject").
func (p *Peer) SetFollowPolicy(ctx context.Context, policy string) error {
	return p.post(ctx, "/control/config", map[string]any{"followPolicy": policy}, nil)
}

// WaitFor polls the peer's inbox until an activity of type typ (any type if
// empty) satisfying match (any if nil) arrives, and returns it. After
// timeout it fails the test, printing what the peer did receive and reject.
func (p *Peer) WaitFor(t testing.TB, typ string, match func(Activity) bool, timeout time.Duration) Activity {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var lastErr error
	for {
		got, err := p.Inbox(ctx, typ)
		if err == nil {
			for _, a := range got {
				if match == nil || match(a) {
					return a
				}
			}
		} else {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			t.Fatalf("interop: peer %s: no %s activity matched within %s (last error: %v)\n%s",
				p.Origin, orAny(typ), timeout, lastErr, p.describe())
			return Activity{}
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// ObjectIs matches activities whose object id is id.
func ObjectIs(id string) func(Activity) bool {
	return func(a Activity) bool { return a.Object == id }
}

// IDIs matches the activity whose id is id.
func IDIs(id string) func(Activity) bool {
	return func(a Activity) bool { return a.ID == id }
}

func orAny(typ string) string {
	if typ == "" {
		return "(any type)"
	}
	return typ
}

// describe summarises the peer's state for failure messages.
func (p *Peer) describe() string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var b strings.Builder
	if got, err := p.Inbox(ctx, ""); err == nil {
		fmt.Fprintf(&b, "received (%d):\n", len(got))
		for _, a := range got {
			fmt.Fprintf(&b, "  %s %s actor=%s object=%s\n", a.Type, a.ID, a.Actor, a.Object)
		}
	}
	if rej, err := p.Rejected(ctx); err == nil && len(rej) > 0 {
		fmt.Fprintf(&b, "rejected (%d):\n", len(rej))
		for _, r := range rej {
			fmt.Fprintf(&b, "  %d %s %s: %s\n", r.Status, r.Type, r.ID, r.Reason)
		}
	}
	if errs, err := p.Errors(ctx); err == nil && len(errs) > 0 {
		fmt.Fprintf(&b, "errors (%d):\n", len(errs))
		for _, e := range errs {
			fmt.Fprintf(&b, "  %s %s: %s\n", e.Where, e.Activity, e.Error)
		}
	}
	return b.String()
}

func (p *Peer) get(ctx context.Context, path string, out any) error {
	return p.do(ctx, http.MethodGet, path, nil, out)
}

func (p *Peer) post(ctx context.Context, path string, in, out any) error {
	return p.do(ctx, http.MethodPost, path, in, out)
}

func (p *Peer) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("interop: %s %s: encode: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.Origin+path, body)
	if err != nil {
		return fmt.Errorf("interop: %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("interop: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("interop: %s %s: read: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		return &ControlError{Method: method, Path: path, Status: resp.StatusCode, Message: msg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("interop: %s %s: decode: %w", method, path, err)
	}
	return nil
}

// ---------------------------------------------------------------------------

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu      sync.Mutex
	buf     []byte
	max     int
	dropped bool
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
		b.dropped = true
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := string(b.buf)
	if b.dropped {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
		s = "…\n" + s
	}
	return s
}
