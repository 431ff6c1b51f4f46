package signature

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func FuzzParseCavage(f *testing.F) {
	f.Add(`keyId="https://mastodon.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="AQID"`)
	f.Add(`Signature keyId="k", algorithm="hs2019", created=1402170695, expires=1402170699.5, headers="(request-target) (created)", signature="AQI"`)
	f.Add(`keyId=k,signature=AQID`)
	f.Add(`keyId="a\"b",signature="`)
	f.Add(`,,,=,"`)
	f.Fuzz(func(t *testing.T, header string) {
		p, err := ParseCavage(header)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(header) > MaxHeaderLen || p.KeyID == "" || len(p.Signature) == 0 || len(p.Headers) == 0 || len(p.Headers) > MaxCoveredComponents {
			t.Fatalf("accepted invalid header %q: %+v", header, p)
		}
		// Building a signing string from whatever was accepted must not panic.
		r := httptest.NewRequest(http.MethodPost, "https://example.com/inbox", nil)
		_, _ = cavageSigningString(r, p, r.Host)
	})
}

func FuzzParseRFC9421(f *testing.F) {
	for _, v := range rfcVectors {
		f.Add(v.input, v.sig)
	}
	f.Add(`a=("@method" "@target-uri" "content-digest");created=1700000000;keyid="k";alg="ed25519"`, `a=:AQID:`)
	f.Add(`b=("example-dict";key="a" "x";sf "y";bs "@query-param";name="q")`, `b=:AA==:`)
	f.Add(`a=(`, `a=:`)
	f.Fuzz(func(t *testing.T, input, sig string) {
		sigs, err := ParseRFC9421([]string{input}, []string{sig})
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(sigs) == 0 || len(sigs) > MaxSignatures {
			t.Fatalf("%d signatures", len(sigs))
		}
		r := readRequest(t, rfcTestRequest)
		r.Header.Set("Example-Dict", "a=1, b=2;x=1")
		for _, s := range sigs {
			if len(s.Components) > MaxCoveredComponents {
				t.Fatalf("%d components", len(s.Components))
			}
			_, _ = signatureBase(r, messageContext{scheme: "https", authority: "example.com"}, s)
		}
	})
}

func FuzzDecodePublicKeyMultibase(f *testing.F) {
	f.Add("z6Mkh4LmfP1ev9MNPGr7JbEbtD6BD4fsu1duEj83PMCs3xHG")
	f.Add("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
	f.Add("z111")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := DecodePublicKeyMultibase(s)
		if err != nil {
			return
		}
		out, err := EncodePublicKeyMultibase(k)
		if err != nil {
			t.Fatalf("decoded key does not re-encode: %v", err)
		}
		if _, err := DecodePublicKeyMultibase(out); err != nil {
			t.Fatalf("re-encoded key does not decode: %v", err)
		}
	})
}

func FuzzDecodePublicKeyPEM(f *testing.F) {
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := DecodePublicKeyPEM(data)
		if err == nil && k == nil {
			t.Fatal("nil key without error")
		}
		_, _ = DecodePrivateKeyPEM(data)
	})
}

// FuzzVerify feeds arbitrary signature headers to the full verifier.
func FuzzVerify(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	now := time.Unix(1700000000, 0)
	s, _ := NewSigner("k", priv, &SignerOptions{Clock: fixedClock(now)})
	body := []byte(`{"type":"Like"}`)
	for _, scheme := range []Scheme{SchemeCavage, SchemeRFC9421} {
		r := httptest.NewRequest(http.MethodPost, "https://example.com/inbox", nil)
		_ = s.SignScheme(scheme, r, body)
		f.Add(r.Header.Get("Signature"), r.Header.Get("Signature-Input"), r.Header.Get("Digest"), r.Header.Get("Content-Digest"))
	}
	res := &staticResolver{keys: map[string]crypto.PublicKey{"k": pub}}
	v := NewVerifier(&Options{Clock: fixedClock(now)})
	f.Fuzz(func(t *testing.T, sig, input, digest, contentDigest string) {
		r := httptest.NewRequest(http.MethodPost, "https://example.com/inbox", nil)
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
		for k, val := range map[string]string{"Signature": sig, "Signature-Input": input, "Digest": digest, "Content-Digest": contentDigest} {
			if val != "" && !strings.ContainsAny(val, "\r\n") {
				r.Header.Set(k, val)
			}
		}
		got, err := v.Verify(context.Background(), r, body, res)
		if (err == nil) == (got == nil) {
			t.Fatalf("result %v with error %v", got, err)
		}
	})
}
