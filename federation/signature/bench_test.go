package signature

import (
	"bytes"
	"context"
	"crypto"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchBody is a 2 KiB activity-sized body.
var benchBody = func() []byte {
	b := bytes.Repeat([]byte(`{"type":"Note","content":"hello fediverse"},`), 50)
	return b[:2048]
}()

var benchNow = time.Date(2026, 11, 25, 19, 7, 41, 0, time.UTC)

func benchRequest(b *testing.B, scheme Scheme, key crypto.PrivateKey) *http.Request {
	b.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
	r.Header.Set("Content-Type", "application/activity+json")
	s, err := NewSigner(testKeyID, key, &SignerOptions{Clock: fixedClock(benchNow)})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SignScheme(scheme, r, benchBody); err != nil {
		b.Fatal(err)
	}
	return r
}

func benchVerify(b *testing.B, r *http.Request, pub crypto.PublicKey) {
	v := NewVerifier(&Options{Clock: fixedClock(benchNow)})
	res := &staticResolver{keys: map[string]crypto.PublicKey{testKeyID: pub}}
	ctx := context.Background()
	if _, err := v.Verify(ctx, r, benchBody, res); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, benchBody, res); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignRSA2048 signs a 2 KiB POST with draft-cavage (go-fed/httpsig).
func BenchmarkSignRSA2048(b *testing.B) {
	rsaA, _, _, _ := testKeys(b)
	s, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(benchNow)})
	r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(r, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignRFC9421RSA2048 signs the same POST with RFC 9421.
func BenchmarkSignRFC9421RSA2048(b *testing.B) {
	rsaA, _, _, _ := testKeys(b)
	s, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(benchNow)})
	r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.SignRFC9421(r, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCavageRSA2048 verifies a draft-cavage rsa-sha256 POST with a
// 2 KiB body: header parsing, Digest check, signing string and RSA verify.
func BenchmarkVerifyCavageRSA2048(b *testing.B) {
	rsaA, _, _, _ := testKeys(b)
	benchVerify(b, benchRequest(b, SchemeCavage, rsaA), &rsaA.PublicKey)
}

// BenchmarkVerifyEd25519 verifies a draft-cavage hs2019 POST signed with Ed25519.
func BenchmarkVerifyEd25519(b *testing.B) {
	_, _, edA, _ := testKeys(b)
	benchVerify(b, benchRequest(b, SchemeCavage, edA), edA.Public())
}

// BenchmarkVerifyRFC9421 verifies an RFC 9421 rsa-v1_5-sha256 POST (RSA 2048).
func BenchmarkVerifyRFC9421(b *testing.B) {
	rsaA, _, _, _ := testKeys(b)
	benchVerify(b, benchRequest(b, SchemeRFC9421, rsaA), &rsaA.PublicKey)
}

// BenchmarkVerifyRFC9421Ed25519 verifies an RFC 9421 ed25519 POST.
func BenchmarkVerifyRFC9421Ed25519(b *testing.B) {
	_, _, edA, _ := testKeys(b)
	benchVerify(b, benchRequest(b, SchemeRFC9421, edA), edA.Public())
}

// BenchmarkParseCavage parses a Mastodon-style Signature header.
func BenchmarkParseCavage(b *testing.B) {
	rsaA, _, _, _ := testKeys(b)
	h := benchRequest(b, SchemeCavage, rsaA).Header.Get("Signature")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCavage(h); err != nil {
			b.Fatal(err)
		}
	}
}
