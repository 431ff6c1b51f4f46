package webpush_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/webpush"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// client is a browser's side of a push subscription: its key pair and
// auth secret, able to decrypt what the push service receives.
type client struct {
	priv *ecdh.PrivateKey
	auth []byte
}

func newClient(t *testing.T) *client {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return &client{priv: k, auth: auth}
}

func (c *client) p256dh() string {
	return base64.RawURLEncoding.EncodeToString(c.priv.PublicKey().Bytes())
}
func (c *client) authKey() string { return base64.RawURLEncoding.EncodeToString(c.auth) }

// decrypt reads a message in either content encoding.
func (c *client) decrypt(t *testing.T, r *http.Request, body []byte) []byte {
	t.Helper()
	switch r.Header.Get("Content-Encoding") {
	case "aes128gcm":
		return c.decrypt128(t, body)
	case "aesgcm":
		return c.decryptLegacy(t, r, body)
	}
	t.Fatalf("unknown content encoding %q", r.Header.Get("Content-Encoding"))
	return nil
}

// decrypt128 follows RFC 8291 / RFC 8188.
func (c *client) decrypt128(t *testing.T, body []byte) []byte {
	salt := body[:16]
	idlen := int(body[20])
	serverPub := body[21 : 21+idlen]
	ct := body[21+idlen:]
	pub, err := ecdh.P256().NewPublicKey(serverPub)
	require.NoError(t, err)
	shared, err := c.priv.ECDH(pub)
	require.NoError(t, err)
	info := append(append([]byte("WebPush: info\x00"), c.priv.PublicKey().Bytes()...), serverPub...)
	ikm, err := hkdf.Key(sha256.New, shared, c.auth, string(info), 32)
	require.NoError(t, err)
	cek, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ct, nil)
	require.NoError(t, err)
	// Strip the padding: the last 0x02 delimiter ends the message.
	i := bytes.LastIndexByte(plain, 2)
	require.GreaterOrEqual(t, i, 0)
	return plain[:i]
}

// decryptLegacy follows draft-ietf-webpush-encryption-04 ("aesgcm").
func (c *client) decryptLegacy(t *testing.T, r *http.Request, body []byte) []byte {
	salt, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("Encryption"), "salt="))
	require.NoError(t, err)
	var dh string
	for _, part := range strings.Split(r.Header.Get("Crypto-Key"), ";") {
		if v, ok := strings.CutPrefix(part, "dh="); ok {
			dh = v
		}
	}
	serverPub, err := base64.RawURLEncoding.DecodeString(dh)
	require.NoError(t, err)
	pub, err := ecdh.P256().NewPublicKey(serverPub)
	require.NoError(t, err)
	shared, err := c.priv.ECDH(pub)
	require.NoError(t, err)
	prk, _ := hkdf.Key(sha256.New, shared, c.auth, "Content-Encoding: auth\x00", 32)
	var ctx bytes.Buffer
	ctx.WriteString("P-256\x00")
	recv := c.priv.PublicKey().Bytes()
	_ = binary.Write(&ctx, binary.BigEndian, uint16(len(recv)))
	ctx.Write(recv)
	_ = binary.Write(&ctx, binary.BigEndian, uint16(len(serverPub)))
	ctx.Write(serverPub)
	cek, _ := hkdf.Key(sha256.New, prk, salt, "Content-Encoding: aesgcm\x00"+ctx.String(), 16)
	nonce, _ := hkdf.Key(sha256.New, prk, salt, "Content-Encoding: nonce\x00"+ctx.String(), 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, body, nil)
	require.NoError(t, err)
	pad := int(binary.BigEndian.Uint16(plain[:2]))
	return plain[2+pad:]
}

// received is one message the fake push service accepted.
type received struct {
	path    string
	payload webpush.Payload
}

type pushService struct {
	t       *testing.T
	srv     *httptest.Server
	vapid   webpush.VAPID
	clients map[string]*client // by path
	mu      sync.Mutex
	got     []received
	status  map[string]int // answer per path (default 201)
	arrived chan struct{}
}

func newPushService(t *testing.T, vapid webpush.VAPID) *pushService {
	p := &pushService{t: t, vapid: vapid, clients: map[string]*client{}, status: map[string]int{}, arrived: make(chan struct{}, 100)}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) serve(w http.ResponseWriter, r *http.Request) {
	t := p.t
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	c := p.clients[r.URL.Path]
	code := p.status[r.URL.Path]
	p.mu.Unlock()
	if code == 0 {
		code = http.StatusCreated
	}
	if c != nil && code < 300 {
		assert.NotEmpty(t, r.Header.Get("TTL"))
		p.checkVAPID(r)
		var pl webpush.Payload
		if assert.NoError(t, json.Unmarshal(c.decrypt(t, r, body), &pl)) {
			p.mu.Lock()
			p.got = append(p.got, received{path: r.URL.Path, payload: pl})
			p.mu.Unlock()
		}
	}
	w.WriteHeader(code)
	p.arrived <- struct{}{}
}

// checkVAPID verifies the request's VAPID token against the server key.
func (p *pushService) checkVAPID(r *http.Request) {
	t := p.t
	auth := r.Header.Get("Authorization")
	var tok string
	if v, ok := strings.CutPrefix(auth, "WebPush "); ok {
		tok = v
		assert.Contains(t, r.Header.Get("Crypto-Key"), "p256ecdsa="+p.vapid.Public)
	} else if v, ok := strings.CutPrefix(auth, "vapid t="); ok {
		tok, _, _ = strings.Cut(v, ",")
	} else {
		t.Errorf("no VAPID authorization: %q", auth)
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.vapid.Public)
	require.NoError(t, err)
	x, y := elliptic.Unmarshal(elliptic.P256(), raw) //nolint:staticcheck // test-only parse of a P-256 point
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{"ES256"}))
	if assert.NoError(t, err, "VAPID token verifies") {
		claims := parsed.Claims.(jwt.MapClaims)
		assert.Equal(t, p.srv.URL, claims["aud"])
	}
}

func (p *pushService) wait(n int) []received {
	p.t.Helper()
	for range n {
		select {
		case <-p.arrived:
		case <-time.After(10 * time.Second):
			p.t.Fatal("push not received")
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.got
	p.got = nil
	return out
}

type env struct {
	st     storage.Store
	svc    *social.Service
	push   *pushService
	sender *webpush.Sender
	app    *storage.Application
	urls   *social.URLs
}

func newEnv(t *testing.T) *env {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	urls, err := social.NewURLs("https://herd.example")
	require.NoError(t, err)
	vapid, err := webpush.LoadVAPID(ctx, st.Settings())
	require.NoError(t, err)
	e := &env{st: st, urls: urls, push: newPushService(t, vapid)}
	e.sender = webpush.NewSender(st, urls, vapid, e.push.srv.Client(), &webpush.Options{Subscriber: "mailto:admin@herd.example"})
	e.svc = social.New(st, urls, &social.Options{Events: e.sender})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = e.sender.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.app = &storage.Application{Name: "app", ClientID: "cid", ClientSecretHash: "x", RedirectURIs: storage.Strings{"urn:ietf:wg:oauth:2.0:oob"}}
	require.NoError(t, st.OAuth().CreateApplication(ctx, e.app))
	return e
}

func (e *env) user(t *testing.T, name string) *storage.Account {
	a, _, err := social.CreateUser(context.Background(), e.st, e.urls, social.NewUser{Username: name, Email: name + "@herd.example", Password: "correct horse battery", Approved: true})
	require.NoError(t, err)
	return a
}

// subscribe makes a token for a and a subscription at path.
func (e *env) subscribe(t *testing.T, a *storage.Account, path string, standard bool, policy string, alerts ...string) (*client, *storage.Token) {
	ctx := context.Background()
	tok := &storage.Token{TokenHash: "hash-" + path, ApplicationID: e.app.ID, AccountID: a.ID, Scopes: storage.Strings{"push"}}
	require.NoError(t, e.st.OAuth().CreateToken(ctx, tok))
	c := newClient(t)
	al := storage.PushAlerts{}
	for _, x := range alerts {
		al[x] = true
	}
	require.NoError(t, e.st.PushSubscriptions().Put(ctx, &storage.PushSubscription{
		TokenID: tok.ID, AccountID: a.ID, Endpoint: e.push.srv.URL + path,
		KeyP256DH: c.p256dh(), KeyAuth: c.authKey(), Alerts: al, Policy: policy, Standard: standard,
	}))
	e.push.mu.Lock()
	e.push.clients[path] = c
	e.push.mu.Unlock()
	return c, tok
}

func TestPushBothEncodings(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(t, "alice")
	bob := e.user(t, "bob")
	bob.DisplayName = "Bob <b>B</b>"
	require.NoError(t, e.st.Accounts().Update(ctx, bob))
	e.subscribe(t, alice, "/legacy", false, "", "follow", "mention", "favourite")
	e.subscribe(t, alice, "/standard", true, "", "follow", "mention")

	_, err := e.svc.Follow(ctx, bob, alice.ID, social.FollowOptions{})
	require.NoError(t, err)
	got := e.push.wait(2)
	require.Len(t, got, 2)
	paths := []string{got[0].path, got[1].path}
	assert.ElementsMatch(t, []string{"/legacy", "/standard"}, paths)
	for _, g := range got {
		assert.Equal(t, "follow", g.payload.NotificationType)
		assert.Equal(t, "Bob <b>B</b> is now following you", g.payload.Title)
		assert.Equal(t, "en", g.payload.PreferredLocale)
		assert.NotEmpty(t, g.payload.NotificationID)
		assert.Equal(t, "https://herd.example/static/avatar.png", g.payload.Icon)
	}

	// A mention: the body is the status's text, without HTML.
	_, err = e.svc.PostStatus(ctx, bob, social.PostInput{Text: "@alice hello & <welcome> " + strings.Repeat("x", 200)})
	require.NoError(t, err)
	got = e.push.wait(2)
	require.Len(t, got, 2)
	for _, g := range got {
		assert.Equal(t, "mention", g.payload.NotificationType)
		assert.True(t, strings.HasPrefix(g.payload.Body, "@alice hello & <welcome> xxx"), g.payload.Body)
		assert.Equal(t, 140, len([]rune(g.payload.Body)))
		assert.True(t, strings.HasSuffix(g.payload.Body, "…"))
	}
}

func TestPushAlertsPolicyAndExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(t, "alice")
	bob := e.user(t, "bob")
	carol := e.user(t, "carol")
	// Only mentions from accounts alice follows; favourites not wanted.
	e.subscribe(t, alice, "/followed", true, storage.PushPolicyFollowed, "mention")
	_, err := e.svc.Follow(ctx, alice, bob.ID, social.FollowOptions{})
	require.NoError(t, err)
	_, err = e.svc.PostStatus(ctx, carol, social.PostInput{Text: "@alice from a stranger"})
	require.NoError(t, err)
	_, err = e.svc.PostStatus(ctx, bob, social.PostInput{Text: "@alice from a friend"})
	require.NoError(t, err)
	got := e.push.wait(1)
	require.Len(t, got, 1)
	assert.Equal(t, "@alice from a friend", got[0].payload.Body)

	// An endpoint that answers 410 loses its subscription.
	_, tok := e.subscribe(t, carol, "/gone", false, "", "mention")
	e.push.mu.Lock()
	e.push.status["/gone"] = http.StatusGone
	e.push.mu.Unlock()
	_, err = e.svc.PostStatus(ctx, bob, social.PostInput{Text: "@carol hi"})
	require.NoError(t, err)
	e.push.wait(1)
	require.Eventually(t, func() bool {
		_, err := e.st.PushSubscriptions().GetByToken(ctx, tok.ID)
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "a 410 removes the subscription")
}

func TestLoadVAPIDOnce(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	defer st.Close()
	a, err := webpush.LoadVAPID(ctx, st.Settings())
	require.NoError(t, err)
	b, err := webpush.LoadVAPID(ctx, st.Settings())
	require.NoError(t, err)
	assert.Equal(t, a, b)
	raw, err := base64.RawURLEncoding.DecodeString(a.Public)
	require.NoError(t, err)
	assert.Len(t, raw, 65)
	assert.Equal(t, byte(4), raw[0], "uncompressed point")

	require.NoError(t, st.Settings().Set(ctx, webpush.SettingVAPID, "{not json"))
	_, err = webpush.LoadVAPID(ctx, st.Settings())
	assert.Error(t, err)
}
