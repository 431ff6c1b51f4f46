package signature

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testKeyID = "https://social.example/users/alice#main-key"

var testBody = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","actor":"https://social.example/users/alice","object":"https://remote.example/users/bob"}`)

type keyCase struct {
	name    string
	priv    crypto.PrivateKey
	pub     crypto.PublicKey
	cavAlg  string // announced draft-cavage algorithm
	rfcAlg  string // announced RFC 9421 alg
	wantAlg map[Scheme]string
}

func keyCases(t testing.TB) []keyCase {
	rsaA, _, edA, _ := testKeys(t)
	return []keyCase{
		{"RSA", rsaA, &rsaA.PublicKey, "rsa-sha256", "rsa-v1_5-sha256", map[Scheme]string{SchemeCavage: "rsa-sha256", SchemeRFC9421: "rsa-v1_5-sha256"}},
		{"Ed25519", edA, edA.Public(), "hs2019", "ed25519", map[Scheme]string{SchemeCavage: "ed25519", SchemeRFC9421: "ed25519"}},
	}
}

// TestRoundTripOverHTTP signs real client requests, sends them to an
// httptest server and verifies them there, for each key type, scheme and
// method.
func TestRoundTripOverHTTP(t *testing.T) {
	for _, kc := range keyCases(t) {
		for _, scheme := range []Scheme{SchemeCavage, SchemeRFC9421} {
			for _, method := range []string{http.MethodPost, http.MethodGet} {
				t.Run(fmt.Sprintf("%s/%s/%s", kc.name, scheme, method), func(t *testing.T) {
					res := &staticResolver{owner: "https://social.example/users/alice", keys: map[string]crypto.PublicKey{testKeyID: kc.pub}}
					// Plain-HTTP test server: tell the verifier its public scheme.
					v := NewVerifier(&Options{Scheme: "http"})
					type outcome struct {
						res *Result
						err error
					}
					got := make(chan outcome, 1)
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						body, _ := io.ReadAll(r.Body)
						res, err := v.Verify(r.Context(), r, body, res)
						got <- outcome{res, err}
						w.WriteHeader(HTTPStatus(err))
					}))
					defer srv.Close()

					var body []byte
					if method == http.MethodPost {
						body = testBody
					}
					req, err := http.NewRequest(method, srv.URL+"/users/bob/inbox?x=1&y=%C3%BC", bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "application/activity+json")
					s, err := NewSigner(testKeyID, kc.priv, nil)
					if err != nil {
						t.Fatal(err)
					}
					if err := s.SignScheme(scheme, req, body); err != nil {
						t.Fatal(err)
					}
					checkSignedHeaders(t, req, scheme, kc, method)
					resp, err := srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					o := <-got
					if o.err != nil {
						t.Fatalf("verify: %v", o.err)
					}
					if resp.StatusCode != http.StatusOK {
						t.Errorf("status %d", resp.StatusCode)
					}
					if o.res.KeyID != testKeyID || o.res.Owner != "https://social.example/users/alice" || o.res.Scheme != scheme || o.res.Algorithm != kc.wantAlg[scheme] {
						t.Errorf("result %+v", o.res)
					}
				})
			}
		}
	}
}

func checkSignedHeaders(t *testing.T, req *http.Request, scheme Scheme, kc keyCase, method string) {
	t.Helper()
	if req.Header.Get("Date") == "" {
		t.Error("no Date header")
	}
	switch scheme {
	case SchemeCavage:
		p, err := ParseCavage(req.Header.Get("Signature"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Algorithm != kc.cavAlg {
			t.Errorf("algorithm %q, want %q", p.Algorithm, kc.cavAlg)
		}
		want := "(request-target) host date"
		if method == http.MethodPost {
			want += " digest"
			if d := req.Header.Get("Digest"); d != DigestHeader(testBody) {
				t.Errorf("Digest %q", d)
			}
		} else if req.Header.Get("Digest") != "" {
			t.Error("Digest on a GET")
		}
		if got := strings.Join(p.Headers, " "); got != want {
			t.Errorf("headers %q, want %q", got, want)
		}
	case SchemeRFC9421:
		sigs, err := ParseRFC9421(req.Header.Values("Signature-Input"), req.Header.Values("Signature"))
		if err != nil {
			t.Fatal(err)
		}
		s := sigs[0]
		want := `("@method" "@target-uri")`
		if method == http.MethodPost {
			want = `("@method" "@target-uri" "content-digest")`
			if d := req.Header.Get("Content-Digest"); d != ContentDigestHeader(testBody) {
				t.Errorf("Content-Digest %q", d)
			}
		}
		if !strings.HasPrefix(s.SignatureParams(), want+";created=") {
			t.Errorf("signature params %q, want prefix %q", s.SignatureParams(), want)
		}
		if s.Alg != kc.rfcAlg || s.KeyID != testKeyID || s.Label != DefaultLabel || s.Created.IsZero() {
			t.Errorf("parsed %+v", s)
		}
	}
}

// signedRequest returns a server-side POST (as an inbox sees it) signed with
// the given scheme, key and clock.
func signedRequest(t testing.TB, scheme Scheme, key crypto.PrivateKey, clock time.Time, body []byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/activity+json")
	s, err := NewSigner(testKeyID, key, &SignerOptions{Clock: fixedClock(clock)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignScheme(scheme, r, body); err != nil {
		t.Fatal(err)
	}
	return r
}

// craftCavage signs r by hand (independently of go-fed/httpsig) with RSA
// PKCS#1 v1.5 and the given hash, covering headers, and sets Signature.
func craftCavage(t testing.TB, r *http.Request, key *rsa.PrivateKey, alg string, h crypto.Hash, headers []string, extra string) {
	t.Helper()
	p := &CavageParams{Headers: headers}
	if extra != "" {
		if pp, err := ParseCavage(`keyId="x",signature="AA==",` + extra); err == nil {
			p.Created, p.Expires = pp.Created, pp.Expires
		}
	}
	msg, err := cavageSigningString(r, p, r.Host)
	if err != nil {
		t.Fatal(err)
	}
	hh := h.New()
	hh.Write([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, hh.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	v := fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`, testKeyID, alg, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig))
	if extra != "" {
		v += "," + extra
	}
	r.Header.Set("Signature", v)
}

func TestVerifyRejections(t *testing.T) {
	rsaA, rsaB, _, _ := testKeys(t)
	now := time.Date(2026, 11, 25, 19, 7, 41, 0, time.UTC)
	ctx := context.Background()
	v := NewVerifier(&Options{Clock: fixedClock(now)})
	resolverA := func() *staticResolver {
		return &staticResolver{keys: map[string]crypto.PublicKey{testKeyID: &rsaA.PublicKey}}
	}

	type tc struct {
		name    string
		req     func() *http.Request
		body    []byte
		want    error
		verifer *Verifier
	}
	cases := []tc{
		{"forged cavage", func() *http.Request { return signedRequest(t, SchemeCavage, rsaB, now, testBody) }, testBody, ErrBadSignature, nil},
		{"forged rfc9421", func() *http.Request { return signedRequest(t, SchemeRFC9421, rsaB, now, testBody) }, testBody, ErrBadSignature, nil},
		{"tampered signature value", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			sig := r.Header.Get("Signature")
			i := strings.Index(sig, `signature="`) + len(`signature="`)
			c := byte('A')
			if sig[i] == 'A' {
				c = 'B'
			}
			r.Header.Set("Signature", sig[:i]+string(c)+sig[i+1:])
			return r
		}, testBody, ErrBadSignature, nil},
		{"stale Date", func() *http.Request { return signedRequest(t, SchemeCavage, rsaA, now.Add(-2*time.Hour), testBody) }, testBody, ErrDateSkew, nil},
		{"future Date", func() *http.Request { return signedRequest(t, SchemeCavage, rsaA, now.Add(2*time.Hour), testBody) }, testBody, ErrDateSkew, nil},
		{"stale created rfc9421", func() *http.Request { return signedRequest(t, SchemeRFC9421, rsaA, now.Add(-2*time.Hour), testBody) }, testBody, ErrDateSkew, nil},
		{"future created rfc9421", func() *http.Request { return signedRequest(t, SchemeRFC9421, rsaA, now.Add(90*time.Minute), testBody) }, testBody, ErrDateSkew, nil},
		{"expired rfc9421", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
			s, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(now.Add(-10 * time.Minute)), Expires: 5 * time.Minute})
			if err := s.SignRFC9421(r, testBody); err != nil {
				t.Fatal(err)
			}
			return r
		}, testBody, ErrExpired, nil},
		{"unparseable Date", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Set("Date", "yesterday")
			return r
		}, testBody, ErrMalformed, nil},
		{"wrong Digest header", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Set("Digest", DigestHeader([]byte("something else")))
			return r
		}, testBody, ErrDigestMismatch, nil},
		{"body altered cavage", func() *http.Request { return signedRequest(t, SchemeCavage, rsaA, now, testBody) }, []byte(`{"type":"Delete"}`), ErrDigestMismatch, nil},
		{"body altered rfc9421", func() *http.Request { return signedRequest(t, SchemeRFC9421, rsaA, now, testBody) }, []byte(`{"type":"Delete"}`), ErrDigestMismatch, nil},
		{"wrong Content-Digest", func() *http.Request {
			r := signedRequest(t, SchemeRFC9421, rsaA, now, testBody)
			r.Header.Set("Content-Digest", ContentDigestHeader([]byte("x")))
			return r
		}, testBody, ErrDigestMismatch, nil},
		{"Digest with unknown algorithm only", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			r.Header.Set("Digest", "MD5=AAAA")
			craftCavage(t, r, rsaA, "rsa-sha256", crypto.SHA256, []string{"(request-target)", "host", "date", "digest"}, "")
			return r
		}, testBody, ErrUnsupportedAlgorithm, nil},
		{"missing digest on POST", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			craftCavage(t, r, rsaA, "rsa-sha256", crypto.SHA256, []string{"(request-target)", "host", "date"}, "")
			return r
		}, testBody, ErrMissingHeaders, nil},
		{"digest covered but header removed", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Del("Digest")
			return r
		}, testBody, ErrMissingHeaders, nil},
		{"missing content-digest on POST rfc9421", func() *http.Request {
			// A GET-style signature moved onto a POST.
			r := httptest.NewRequest(http.MethodGet, "https://remote.example/users/bob/inbox", nil)
			s, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(now)})
			if err := s.SignRFC9421(r, nil); err != nil {
				t.Fatal(err)
			}
			r.Method = http.MethodPost
			return r
		}, testBody, ErrMissingHeaders, nil},
		{"host not covered", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "https://remote.example/users/bob", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			craftCavage(t, r, rsaA, "rsa-sha256", crypto.SHA256, []string{"(request-target)", "date"}, "")
			return r
		}, nil, ErrMissingHeaders, nil},
		{"request target not covered", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "https://remote.example/users/bob", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			craftCavage(t, r, rsaA, "rsa-sha256", crypto.SHA256, []string{"host", "date"}, "")
			return r
		}, nil, ErrMissingHeaders, nil},
		{"date not covered", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "https://remote.example/users/bob", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			craftCavage(t, r, rsaA, "rsa-sha256", crypto.SHA256, []string{"(request-target)", "host"}, "")
			return r
		}, nil, ErrMissingHeaders, nil},
		{"covered header absent", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "https://remote.example/users/bob", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			r.Header.Set("Accept", "application/activity+json")
			craftCavage(t, r, rsaA, "rsa-sha256", crypto.SHA256, []string{"(request-target)", "host", "date", "accept"}, "")
			r.Header.Del("Accept")
			return r
		}, nil, ErrMissingHeaders, nil},
		{"required content-type not covered", func() *http.Request {
			return signedRequest(t, SchemeCavage, rsaA, now, testBody)
		}, testBody, ErrMissingHeaders, NewVerifier(&Options{Clock: fixedClock(now), RequiredHeadersPOST: []string{"Content-Type"}})},
		{"unknown cavage algorithm", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="rsa-sha256"`, `algorithm="hmac-sha256"`, 1))
			return r
		}, testBody, ErrUnsupportedAlgorithm, nil},
		{"weak cavage algorithm", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="rsa-sha256"`, `algorithm="rsa-sha1"`, 1))
			return r
		}, testBody, ErrUnsupportedAlgorithm, nil},
		{"unknown rfc9421 alg", func() *http.Request {
			r := signedRequest(t, SchemeRFC9421, rsaA, now, testBody)
			r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), `alg="rsa-v1_5-sha256"`, `alg="hmac-sha256"`, 1))
			return r
		}, testBody, ErrUnsupportedAlgorithm, nil},
		{"algorithm does not fit key", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="rsa-sha256"`, `algorithm="ed25519"`, 1))
			return r
		}, testBody, ErrBadSignature, nil},
		{"rsa-sha256 claimed, rsa-sha512 signed", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "https://remote.example/users/bob", nil)
			r.Header.Set("Date", now.Format(http.TimeFormat))
			craftCavage(t, r, rsaA, "rsa-sha512", crypto.SHA512, []string{"(request-target)", "host", "date"}, "")
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="rsa-sha512"`, `algorithm="rsa-sha256"`, 1))
			return r
		}, nil, ErrBadSignature, nil},
		{"method changed", func() *http.Request {
			r := signedRequest(t, SchemeRFC9421, rsaA, now, testBody)
			r.Method = http.MethodPut
			return r
		}, testBody, ErrBadSignature, nil},
		{"path changed", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.URL.Path, r.RequestURI = "/users/carol/inbox", "/users/carol/inbox"
			return r
		}, testBody, ErrBadSignature, nil},
		{"host changed", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Host = "evil.example"
			return r
		}, testBody, ErrBadSignature, nil},
		{"unknown key", func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), testKeyID, "https://social.example/users/nobody#main-key", 1))
			return r
		}, testBody, ErrKeyUnavailable, nil},
		{"no signature", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
		}, testBody, ErrNoSignature, nil},
		{"Authorization without Signature scheme", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
			r.Header.Set("Authorization", "Bearer abc")
			return r
		}, testBody, ErrNoSignature, nil},
	}
	malformed := map[string]func(*http.Request){
		"garbage Signature":       func(r *http.Request) { r.Header.Set("Signature", "garbage") },
		"no keyId":                func(r *http.Request) { r.Header.Set("Signature", `headers="date",signature="AAAA"`) },
		"no signature param":      func(r *http.Request) { r.Header.Set("Signature", `keyId="k",headers="date"`) },
		"signature not base64":    func(r *http.Request) { r.Header.Set("Signature", `keyId="k",headers="date",signature="!!!"`) },
		"unterminated quote":      func(r *http.Request) { r.Header.Set("Signature", `keyId="k,signature="AAAA`) },
		"duplicate keyId":         func(r *http.Request) { r.Header.Set("Signature", `keyId="a",keyId="b",signature="AAAA"`) },
		"two Signature headers":   func(r *http.Request) { r.Header.Add("Signature", `keyId="a",signature="AAAA"`) },
		"bad created":             func(r *http.Request) { r.Header.Set("Signature", `keyId="k",signature="AAAA",created=soon`) },
		"garbage Signature-Input": func(r *http.Request) { r.Header.Set("Signature-Input", "sig1=(((") },
		"Signature-Input no value": func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("@method");keyid="k"`)
			r.Header.Set("Signature", `other=:AAAA:`)
		},
		"Signature not bytes": func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("@method");keyid="k"`)
			r.Header.Set("Signature", `sig1="AAAA"`)
		},
		"uppercase component": func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("Date");keyid="k"`)
			r.Header.Set("Signature", `sig1=:AAAA:`)
		},
		"duplicate component": func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("date" "date");keyid="k"`)
			r.Header.Set("Signature", `sig1=:AAAA:`)
		},
		"created not integer": func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("@method");created="now";keyid="k"`)
			r.Header.Set("Signature", `sig1=:AAAA:`)
		},
		"no keyid": func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri");created=1`)
			r.Header.Set("Signature", `sig1=:AAAA:`)
		},
		"oversized header": func(r *http.Request) {
			r.Header.Set("Signature", `keyId="`+strings.Repeat("a", MaxHeaderLen)+`",signature="AAAA"`)
		},
	}
	for name, mutate := range malformed {
		cases = append(cases, tc{"malformed: " + name, func() *http.Request {
			r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
			mutate(r)
			return r
		}, testBody, ErrMalformed, nil})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vv := v
			if c.verifer != nil {
				vv = c.verifer
			}
			res, err := vv.Verify(ctx, c.req(), c.body, resolverA())
			t.Log(err)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if res != nil {
				t.Errorf("result %+v returned with error", res)
			}
			wantStatus := http.StatusUnauthorized
			if c.want == ErrMalformed || c.want == ErrDigestMismatch {
				wantStatus = http.StatusBadRequest
			}
			if HTTPStatus(err) != wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", HTTPStatus(err), wantStatus)
			}
		})
	}
}

func TestVerifyAcceptedVariants(t *testing.T) {
	rsaA, _, edA, _ := testKeys(t)
	now := time.Date(2026, 11, 25, 19, 7, 41, 0, time.UTC)
	ctx := context.Background()
	v := NewVerifier(&Options{Clock: fixedClock(now)})
	res := &staticResolver{keys: map[string]crypto.PublicKey{testKeyID: &rsaA.PublicKey}}
	edRes := &staticResolver{keys: map[string]crypto.PublicKey{testKeyID: edA.Public()}}

	t.Run("within skew", func(t *testing.T) {
		for _, d := range []time.Duration{-59 * time.Minute, 59 * time.Minute} {
			for _, s := range []Scheme{SchemeCavage, SchemeRFC9421} {
				if _, err := v.Verify(ctx, signedRequest(t, s, rsaA, now.Add(d), testBody), testBody, res); err != nil {
					t.Errorf("%s at %s: %v", s, d, err)
				}
			}
		}
	})
	t.Run("custom MaxSkew", func(t *testing.T) {
		strict := NewVerifier(&Options{Clock: fixedClock(now), MaxSkew: 5 * time.Minute})
		if _, err := strict.Verify(ctx, signedRequest(t, SchemeCavage, rsaA, now.Add(-10*time.Minute), testBody), testBody, res); !errors.Is(err, ErrDateSkew) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("Authorization header", func(t *testing.T) {
		r := signedRequest(t, SchemeCavage, rsaA, now, testBody)
		r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
		r.Header.Del("Signature")
		if _, err := v.Verify(ctx, r, testBody, res); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rsa-sha512 and SHA-512 Digest", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
		r.Header.Set("Date", now.Format(http.TimeFormat))
		sum := sha512.Sum512(testBody)
		r.Header.Set("Digest", "SHA-512="+base64.StdEncoding.EncodeToString(sum[:]))
		craftCavage(t, r, rsaA, "rsa-sha512", crypto.SHA512, []string{"(request-target)", "host", "date", "digest"}, "")
		got, err := v.Verify(ctx, r, testBody, res)
		if err != nil {
			t.Fatal(err)
		}
		if got.Algorithm != "rsa-sha512" {
			t.Errorf("algorithm %q", got.Algorithm)
		}
	})
	t.Run("hs2019 RSA with (created)", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
		r.Header.Set("Digest", DigestHeader(testBody))
		craftCavage(t, r, rsaA, "hs2019", crypto.SHA256, []string{"(request-target)", "host", "(created)", "digest"}, fmt.Sprintf("created=%d", now.Unix()-30))
		if _, err := v.Verify(ctx, r, testBody, res); err != nil {
			t.Fatal(err)
		}
		stale := NewVerifier(&Options{Clock: fixedClock(now.Add(3 * time.Hour))})
		if _, err := stale.Verify(ctx, r, testBody, res); !errors.Is(err, ErrDateSkew) {
			t.Errorf("stale created: %v", err)
		}
	})
	t.Run("hs2019 Ed25519 with (created) and (expires)", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/bob/inbox", nil)
		r.Header.Set("Digest", DigestHeader(testBody))
		p := &CavageParams{Headers: []string{"(request-target)", "host", "(created)", "(expires)", "digest"}, Created: now.Add(-time.Minute), Expires: now.Add(time.Minute)}
		msg, err := cavageSigningString(r, p, r.Host)
		if err != nil {
			t.Fatal(err)
		}
		sig := base64.StdEncoding.EncodeToString(ed25519Sign(edA, msg))
		r.Header.Set("Signature", fmt.Sprintf(`keyId="%s",algorithm="hs2019",created=%d,expires=%d,headers="%s",signature="%s"`, testKeyID, p.Created.Unix(), p.Expires.Unix(), strings.Join(p.Headers, " "), sig))
		got, err := v.Verify(ctx, r, testBody, edRes)
		if err != nil {
			t.Fatal(err)
		}
		if got.Algorithm != "ed25519" {
			t.Errorf("algorithm %q", got.Algorithm)
		}
		later := NewVerifier(&Options{Clock: fixedClock(now.Add(2 * time.Minute))})
		if _, err := later.Verify(ctx, r, testBody, edRes); !errors.Is(err, ErrExpired) {
			t.Errorf("after expires: %v", err)
		}
	})
	t.Run("RFC 9421 preferred over cavage", func(t *testing.T) {
		r := signedRequest(t, SchemeRFC9421, rsaA, now, testBody)
		got, err := v.Verify(ctx, r, testBody, res)
		if err != nil || got.Scheme != SchemeRFC9421 {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("RFC 9421 second label satisfies policy", func(t *testing.T) {
		r := signedRequest(t, SchemeRFC9421, rsaA, now, testBody)
		in := r.Header.Get("Signature-Input")
		r.Header.Set("Signature-Input", `weak=("@method");created=1;keyid="x", `+in)
		r.Header.Set("Signature", `weak=:AAAA:, `+r.Header.Get("Signature"))
		got, err := v.Verify(ctx, r, testBody, res)
		if err != nil || got.Label != DefaultLabel {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("proxy authority and scheme override", func(t *testing.T) {
		for _, s := range []Scheme{SchemeCavage, SchemeRFC9421} {
			r := signedRequest(t, s, rsaA, now, testBody)
			// The proxy forwards to the app on another host and over HTTP.
			r.Host = "127.0.0.1:8080"
			r.TLS = nil
			if _, err := v.Verify(ctx, r, testBody, res); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s without override: %v", s, err)
			}
			pv := NewVerifier(&Options{Clock: fixedClock(now), Scheme: "https", Authority: "remote.example"})
			if _, err := pv.Verify(ctx, r, testBody, res); err != nil {
				t.Errorf("%s with override: %v", s, err)
			}
		}
	})
	t.Run("escaped path", func(t *testing.T) {
		for _, s := range []Scheme{SchemeCavage, SchemeRFC9421} {
			body := testBody
			r := httptest.NewRequest(http.MethodPost, "https://remote.example/users/j%C3%BCrgen/inbox?a=b%20c", bytes.NewReader(body))
			signer, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(now)})
			if err := signer.SignScheme(s, r, body); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(ctx, r, body, res); err != nil {
				t.Errorf("%s: %v", s, err)
			}
		}
	})
	t.Run("re-sign replaces headers", func(t *testing.T) {
		r := signedRequest(t, SchemeRFC9421, rsaA, now, testBody)
		signer, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(now)})
		if err := signer.Sign(r, testBody); err != nil {
			t.Fatal(err)
		}
		if r.Header.Get("Signature-Input") != "" || r.Header.Get("Content-Digest") != "" {
			t.Error("RFC 9421 headers left behind")
		}
		got, err := v.Verify(ctx, r, testBody, res)
		if err != nil || got.Scheme != SchemeCavage {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

func ed25519Sign(k crypto.Signer, msg string) []byte {
	sig, err := k.Sign(rand.Reader, []byte(msg), crypto.Hash(0))
	if err != nil {
		panic(err)
	}
	return sig
}

func TestKeyRefresh(t *testing.T) {
	rsaOld, rsaNew, edNew, _ := testKeys(t)
	now := time.Date(2026, 11, 25, 19, 7, 41, 0, time.UTC)
	ctx := context.Background()
	v := NewVerifier(&Options{Clock: fixedClock(now)})
	for _, s := range []Scheme{SchemeCavage, SchemeRFC9421} {
		t.Run(s.String(), func(t *testing.T) {
			// The cache holds the old key; the actor rotated to a new one.
			res := &staticResolver{
				keys:      map[string]crypto.PublicKey{testKeyID: &rsaOld.PublicKey},
				refreshed: map[string]crypto.PublicKey{testKeyID: &rsaNew.PublicKey},
			}
			got, err := v.Verify(ctx, signedRequest(t, s, rsaNew, now, testBody), testBody, res)
			if err != nil {
				t.Fatal(err)
			}
			if res.calls.Load() != 2 || res.refreshes.Load() != 1 {
				t.Errorf("calls %d refreshes %d, want 2 and 1", res.calls.Load(), res.refreshes.Load())
			}
			if !got.Key.Fresh {
				t.Error("result key not the refreshed one")
			}
			// Rotation to another key type.
			res = &staticResolver{
				keys:      map[string]crypto.PublicKey{testKeyID: &rsaOld.PublicKey},
				refreshed: map[string]crypto.PublicKey{testKeyID: edNew.Public()},
			}
			if _, err := v.Verify(ctx, signedRequest(t, s, edNew, now, testBody), testBody, res); err != nil {
				t.Fatalf("RSA → Ed25519 rotation: %v", err)
			}
			// A forged request still fails after one refresh.
			res = &staticResolver{keys: map[string]crypto.PublicKey{testKeyID: &rsaOld.PublicKey}}
			_, err = v.Verify(ctx, signedRequest(t, s, rsaNew, now, testBody), testBody, res)
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("err = %v", err)
			}
			if res.refreshes.Load() != 1 {
				t.Errorf("refreshes %d, want 1", res.refreshes.Load())
			}
		})
	}
	t.Run("fresh key is not refreshed", func(t *testing.T) {
		res := KeyResolverFunc(func(_ context.Context, id string, refresh bool) (*PublicKey, error) {
			if refresh {
				t.Error("refresh requested for a fresh key")
			}
			return &PublicKey{ID: id, Key: &rsaOld.PublicKey, Fresh: true}, nil
		})
		if _, err := v.Verify(ctx, signedRequest(t, SchemeCavage, rsaNew, now, testBody), testBody, res); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refresh failure", func(t *testing.T) {
		res := KeyResolverFunc(func(_ context.Context, id string, refresh bool) (*PublicKey, error) {
			if refresh {
				return nil, errNotFound
			}
			return &PublicKey{ID: id, Key: &rsaOld.PublicKey}, nil
		})
		_, err := v.Verify(ctx, signedRequest(t, SchemeCavage, rsaNew, now, testBody), testBody, res)
		if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "refresh") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("resolver error is wrapped", func(t *testing.T) {
		res := KeyResolverFunc(func(context.Context, string, bool) (*PublicKey, error) { return nil, errNotFound })
		_, err := v.Verify(ctx, signedRequest(t, SchemeCavage, rsaNew, now, testBody), testBody, res)
		if !errors.Is(err, ErrKeyUnavailable) || !errors.Is(err, errNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("digest mismatch does not resolve the key", func(t *testing.T) {
		res := &staticResolver{keys: map[string]crypto.PublicKey{testKeyID: &rsaNew.PublicKey}}
		if _, err := v.Verify(ctx, signedRequest(t, SchemeCavage, rsaNew, now, testBody), []byte("x"), res); !errors.Is(err, ErrDigestMismatch) {
			t.Fatal(err)
		}
		if res.calls.Load() != 0 {
			t.Errorf("resolver called %d times", res.calls.Load())
		}
	})
}

// TestMastodonStyleRequest verifies a POST built byte for byte the way
// Mastodon delivers activities: http.rb headers, a SHA-256 Digest, and a
// signature over "(request-target) host date digest content-type" with
// algorithm="rsa-sha256", the signing string built independently here.
func TestMastodonStyleRequest(t *testing.T) {
	rsaA, _, _, _ := testKeys(t)
	body := readTestdata(t, "mastodon-create-note.json")
	body = bytes.TrimRight(body, "\n")
	date := "Wed, 25 Nov 2026 19:07:42 GMT"
	sum := sha256.Sum256(body)
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	signingString := "(request-target): post /users/bob/inbox\n" +
		"host: herd.example\n" +
		"date: " + date + "\n" +
		"digest: " + digest + "\n" +
		"content-type: application/activity+json"
	h := sha256.Sum256([]byte(signingString))
	sig, err := rsa.SignPKCS1v15(rand.Reader, rsaA, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	keyID := "https://mastodon.example/users/alice#main-key"
	raw := "POST /users/bob/inbox HTTP/1.1\r\n" +
		"Host: herd.example\r\n" +
		"User-Agent: http.rb/5.2.0 (Mastodon/4.3.2; +https://mastodon.example/)\r\n" +
		"Date: " + date + "\r\n" +
		"Accept-Encoding: gzip\r\n" +
		"Digest: " + digest + "\r\n" +
		"Content-Type: application/activity+json\r\n" +
		`Signature: keyId="` + keyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="` + base64.StdEncoding.EncodeToString(sig) + "\"\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(body)) +
		"Connection: close\r\n" +
		"\r\n" + string(body)
	r := readRequest(t, raw)
	got, _ := io.ReadAll(r.Body)
	// The actor document publishes the key as PKIX PEM.
	pemKey, err := EncodePublicKeyPEM(&rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := DecodePublicKeyPEM(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	res := &staticResolver{owner: "https://mastodon.example/users/alice", keys: map[string]crypto.PublicKey{keyID: pub}}
	clock, _ := http.ParseTime(date)
	v := NewVerifier(&Options{Clock: fixedClock(clock.Add(3 * time.Second)), RequiredHeadersPOST: []string{"content-type"}})
	result, err := v.Verify(context.Background(), r, got, res)
	if err != nil {
		t.Fatal(err)
	}
	if result.Owner != "https://mastodon.example/users/alice" || result.Algorithm != "rsa-sha256" || result.Scheme != SchemeCavage {
		t.Errorf("result %+v", result)
	}
	// A changed body does not verify.
	if _, err := v.Verify(context.Background(), r, append(got[:len(got):len(got)], ' '), res); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("altered body: %v", err)
	}
}

// TestSignerInterop checks go-fed/httpsig-produced cavage signatures against
// an independent signing-string construction, as Mastodon would verify.
func TestSignerInterop(t *testing.T) {
	rsaA, _, _, _ := testKeys(t)
	now := time.Date(2026, 11, 25, 19, 7, 41, 0, time.UTC)
	r, _ := http.NewRequest(http.MethodPost, "https://mastodon.example/users/alice/inbox", bytes.NewReader(testBody))
	s, _ := NewSigner(testKeyID, rsaA, &SignerOptions{Clock: fixedClock(now)})
	if err := s.Sign(r, testBody); err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("Date") != "Wed, 25 Nov 2026 19:07:41 GMT" {
		t.Errorf("Date %q", r.Header.Get("Date"))
	}
	p, err := ParseCavage(r.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	msg := "(request-target): post /users/alice/inbox\nhost: mastodon.example\ndate: Wed, 25 Nov 2026 19:07:41 GMT\ndigest: " + DigestHeader(testBody)
	h := sha256.Sum256([]byte(msg))
	if err := rsa.VerifyPKCS1v15(&rsaA.PublicKey, crypto.SHA256, h[:], p.Signature); err != nil {
		t.Fatalf("independent verification: %v", err)
	}
	if !strings.HasPrefix(r.Header.Get("Signature"), `keyId="`+testKeyID+`",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="`) {
		t.Errorf("Signature header %q", r.Header.Get("Signature"))
	}
	// An existing Date is kept.
	r2, _ := http.NewRequest(http.MethodGet, "https://mastodon.example/users/alice", nil)
	r2.Header.Set("Date", "Wed, 25 Nov 2026 19:00:00 GMT")
	if err := s.Sign(r2, nil); err != nil {
		t.Fatal(err)
	}
	if r2.Header.Get("Date") != "Wed, 25 Nov 2026 19:00:00 GMT" {
		t.Error("Date overwritten")
	}
}

func TestNewSignerErrors(t *testing.T) {
	rsaA, _, _, _ := testKeys(t)
	if _, err := NewSigner("", rsaA, nil); err == nil {
		t.Error("empty key id accepted")
	}
	if _, err := NewSigner(`a"b`, rsaA, nil); err == nil {
		t.Error("quote in key id accepted")
	}
	if _, err := NewSigner("k", "not a key", nil); err == nil {
		t.Error("string key accepted")
	}
	if _, err := NewSigner("k", rsaA, &SignerOptions{Label: "Bad Label"}); err == nil {
		t.Error("bad label accepted")
	}
	s, err := NewSigner("k", rsaA, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignScheme(Scheme(9), httptest.NewRequest(http.MethodGet, "/", nil), nil); err == nil {
		t.Error("unknown scheme accepted")
	}
	if SchemeCavage.Other() != SchemeRFC9421 || SchemeRFC9421.Other() != SchemeCavage {
		t.Error("Other")
	}
}
