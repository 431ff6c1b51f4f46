package federation_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/storage"
)

type signedRequest struct {
	header http.Header
	body   []byte
}

// signedCreates pre-signs n Create(Note) activities (RSA signing costs about
// 1 ms, so it stays out of the measured loop).
func signedCreates(b *testing.B, signer *signature.Signer, actor string, n int) []signedRequest {
	out := make([]signedRequest, n)
	for i := range out {
		note := &ap.Object{ID: fmt.Sprintf("%s/statuses/%d", actor, i), Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(actor)},
			Content: `<p>Hello <span class="h-card"><a href="https://local.example/@bob" class="u-url mention">@<span>bob</span></a></span>, a typical status of a few words.</p>`,
			To:      []string{ap.Public}, Cc: []string{actor + "/followers", "https://local.example/users/bob"}, Published: time.Now().UTC().Truncate(time.Second),
			Tag: ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeMention, Href: "https://local.example/users/bob", Name: "@bob@local.example"})}}
		act := federation.CreateOf(note)
		body, err := ap.Encode(act)
		require.NoError(b, err)
		r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/activity+json")
		require.NoError(b, signer.Sign(r, body))
		out[i] = signedRequest{header: r.Header, body: body}
	}
	return out
}

// uniqueLog records every delivery under a fresh id in the real SQLite log,
// so that replaying a few pre-signed requests measures the full path
// (dispatch included) instead of the replay short-cut.
type uniqueLog struct {
	storage.InboxLog
	n atomic.Int64
}

func (l *uniqueLog) MarkProcessed(ctx context.Context, id string, at time.Time) (bool, error) {
	return l.InboxLog.MarkProcessed(ctx, fmt.Sprintf("%s#%d", id, l.n.Add(1)), at)
}

// BenchmarkInboxAccept measures a signed Create(Note) through the shared
// inbox handler with the sender's key cached: RSA-2048 verification, digest,
// decode, checks, the SQLite idempotency log and dispatch to a typed
// handler. activities/s is reported.
func BenchmarkInboxAccept(b *testing.B) {
	st := openStore(b)
	const actor = "https://remote.example/users/sender"
	signer := storeRemote(b, st, actor, testKey(b, 0))
	resolver := federation.NewResolver(st.Accounts(), offlineClient(), nil, nil)
	h := &federation.Handlers{}
	var handled atomic.Int64
	federation.On(h, func(ctx context.Context, in *federation.Incoming[federation.Create]) error {
		if _, err := in.Object(ctx); err != nil {
			return err
		}
		handled.Add(1)
		return nil
	})
	inbox := federation.NewInbox(resolver, h, &federation.InboxOptions{Rate: -1, Log: &uniqueLog{InboxLog: st.InboxLog()}})
	reqs := signedCreates(b, signer, actor, 64)
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sr := reqs[int(seq.Add(1))%len(reqs)]
			r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(sr.body))
			r.Header = sr.header.Clone()
			w := httptest.NewRecorder()
			inbox.ServeHTTP(w, r)
			if w.Code != http.StatusAccepted {
				b.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "activities/s")
	if handled.Load() != int64(b.N) {
		b.Fatalf("handled %d of %d", handled.Load(), b.N)
	}
}

// BenchmarkDecodeVerify measures what every inbound activity costs before
// any storage: verifying the RSA-2048 draft-cavage signature and digest
// with a cached key, and decoding the Create(Note).
func BenchmarkDecodeVerify(b *testing.B) {
	const actor = "https://remote.example/users/sender"
	key := testKey(b, 0)
	signer, err := signature.NewSigner(actor+"#main-key", key, nil)
	require.NoError(b, err)
	sr := signedCreates(b, signer, actor, 1)[0]
	keys := signature.KeyResolverFunc(func(ctx context.Context, keyID string, refresh bool) (*signature.PublicKey, error) {
		return &signature.PublicKey{ID: keyID, Owner: actor, Key: &key.PublicKey}, nil
	})
	v := signature.NewVerifier(nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := httptest.NewRequest(http.MethodPost, localInbox, nil)
		r.Header = sr.header
		if _, err := v.Verify(context.Background(), r, sr.body, keys); err != nil {
			b.Fatal(err)
		}
		if _, err := ap.Decode(sr.body); err != nil {
			b.Fatal(err)
		}
	}
}
