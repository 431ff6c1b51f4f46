package signature

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// RFC 9421 Appendix B.2 test-request (see testdata/README.md).
const rfcTestRequest = "POST /foo?param=Value&Pet=dog HTTP/1.1\r\n" +
	"Host: example.com\r\n" +
	"Date: Tue, 20 Apr 2021 02:07:55 GMT\r\n" +
	"Content-Type: application/json\r\n" +
	"Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\r\n" +
	"Content-Length: 18\r\n" +
	"\r\n" +
	`{"hello": "world"}`

const rfcTestBody = `{"hello": "world"}`

// B.3: the request from the TLS-terminating proxy to the internal service.
const rfcProxyRequest = "POST /foo?param=Value&Pet=dog HTTP/1.1\r\n" +
	"Host: service.internal.example\r\n" +
	"Date: Tue, 20 Apr 2021 02:07:55 GMT\r\n" +
	"Content-Type: application/json\r\n" +
	"Content-Length: 18\r\n" +
	"Client-Cert: :MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQKD" +
	"BJMZXQncyBBdXRoZW50aWNhdGUxGzAZBgNVBAMMEkxBIEludGVybWVkaWF0ZSBDQT" +
	"AeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBAMMAkJDMFk" +
	"wEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXmck" +
	"C8vdgJ1p5Be5F/3YC8OthxM4+k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQYDV" +
	"R0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYCuiCPct0ZaSED2DAOBgNVHQ8BAf" +
	"8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/BBMwEYEPYmRjQGV" +
	"4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/Di6YK0Q6" +
	"bMjeSkC3dFCOOB8TAiEAx/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:\r\n" +
	"\r\n" +
	`{"hello": "world"}`

// B.4: the GET used for the transformation examples.
const rfcTransformRequest = "GET /demo?name1=Value1&Name2=value2 HTTP/1.1\r\n" +
	"Host: example.org\r\n" +
	"Date: Fri, 15 Jul 2022 14:24:55 GMT\r\n" +
	"Accept: application/json\r\n" +
	"Accept: */*\r\n" +
	"\r\n"

type rfcVector struct {
	name     string
	request  string
	key      string // testdata file of the public key
	input    string // Signature-Input
	sig      string // Signature
	wantBase string
	wantAlg  string
}

var rfcVectors = []rfcVector{
	{
		name:     "B.2.1 minimal rsa-pss-sha512",
		request:  rfcTestRequest,
		key:      "rfc9421/test-key-rsa-pss.pub.pem",
		input:    `sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
		sig:      `sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:`,
		wantBase: `"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
		wantAlg:  "rsa-pss-sha512",
	},
	{
		name:    "B.2.2 selective rsa-pss-sha512",
		request: rfcTestRequest,
		key:     "rfc9421/test-key-rsa-pss.pub.pem",
		input:   `sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"`,
		sig:     `sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:`,
		wantBase: `"@authority": example.com
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"@query-param";name="Pet": dog
"@signature-params": ("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"`,
		wantAlg: "rsa-pss-sha512",
	},
	{
		name:    "B.2.3 full coverage rsa-pss-sha512",
		request: rfcTestRequest,
		key:     "rfc9421/test-key-rsa-pss.pub.pem",
		input:   `sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
		sig:     `sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:`,
		wantBase: `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@query": ?param=Value&Pet=dog
"@authority": example.com
"content-type": application/json
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
		wantAlg: "rsa-pss-sha512",
	},
	{
		name:    "B.2.6 ed25519",
		request: rfcTestRequest,
		key:     "rfc9421/test-key-ed25519.pub.pem",
		input:   `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`,
		sig:     `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`,
		wantBase: `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`,
		wantAlg: "ed25519",
	},
	{
		name:    "B.3 proxy ecdsa-p256-sha256",
		request: rfcProxyRequest,
		key:     "rfc9421/test-key-ecc-p256.pub.pem",
		input:   `ttrp=("@path" "@query" "@method" "@authority" "client-cert");created=1618884473;keyid="test-key-ecc-p256"`,
		sig:     `ttrp=:xVMHVpawaAC/0SbHrKRs9i8I3eOs5RtTMGCWXm/9nvZzoHsIg6Mce9315T6xoklyy0yzhD9ah4JHRwMLOgmizw==:`,
		wantAlg: "ecdsa-p256-sha256",
	},
	{
		name:    "B.4 transform ed25519",
		request: rfcTransformRequest,
		key:     "rfc9421/test-key-ed25519.pub.pem",
		input:   `transform=("@method" "@path" "@authority" "accept");created=1618884473;keyid="test-key-ed25519"`,
		sig:     `transform=:ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5JZ1eRGS0A+vyYP9t/LXlh5QMFFQ6cpLt2m0pmj3NDA==:`,
		wantBase: `"@method": GET
"@path": /demo
"@authority": example.org
"accept": application/json, */*
"@signature-params": ("@method" "@path" "@authority" "accept");created=1618884473;keyid="test-key-ed25519"`,
		wantAlg: "ed25519",
	},
}

func readRequest(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRFC9421Vectors rebuilds the signature base of each published example
// and verifies the published signature with the published public key.
func TestRFC9421Vectors(t *testing.T) {
	for _, tc := range rfcVectors {
		t.Run(tc.name, func(t *testing.T) {
			r := readRequest(t, tc.request)
			sigs, err := ParseRFC9421([]string{tc.input}, []string{tc.sig})
			if err != nil {
				t.Fatal(err)
			}
			if len(sigs) != 1 {
				t.Fatalf("got %d signatures", len(sigs))
			}
			mc := NewVerifier(&Options{Scheme: "https"}).messageContext(r)
			base, err := signatureBase(r, mc, sigs[0])
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantBase != "" && base != tc.wantBase {
				t.Fatalf("signature base:\n%s\nwant:\n%s", base, tc.wantBase)
			}
			pub := loadPublicKey(t, tc.key)
			alg, err := verifyRFC9421Crypto(sigs[0].Alg, pub, []byte(base), sigs[0].Signature)
			if err != nil {
				t.Fatalf("published signature does not verify: %v", err)
			}
			if alg != tc.wantAlg {
				t.Errorf("algorithm %q, want %q", alg, tc.wantAlg)
			}
			// Any change to the base breaks it.
			if _, err := verifyRFC9421Crypto(sigs[0].Alg, pub, []byte(base+" "), sigs[0].Signature); !errors.Is(err, ErrBadSignature) {
				t.Errorf("altered base: err = %v, want ErrBadSignature", err)
			}
		})
	}
}

// TestRFC9421VectorEd25519Deterministic re-signs B.2.6 with the published
// private key: Ed25519 is deterministic, so the signature must be identical.
func TestRFC9421VectorEd25519Deterministic(t *testing.T) {
	priv, err := DecodePrivateKeyPEM(readTestdata(t, "rfc9421/test-key-ed25519.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tc := rfcVectors[3]
	sig := ed25519.Sign(priv.(ed25519.PrivateKey), []byte(tc.wantBase))
	want := strings.TrimSuffix(strings.TrimPrefix(tc.sig, "sig-b26=:"), ":")
	if got := base64.StdEncoding.EncodeToString(sig); got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

// TestRFC9421VectorsFullVerify runs published examples through the public
// Verify, with the clock at the example's creation time.
func TestRFC9421VectorsFullVerify(t *testing.T) {
	created := time.Unix(1618884473, 0)
	res := &staticResolver{owner: "https://example.com/actor", keys: map[string]crypto.PublicKey{
		"test-key-rsa-pss":  loadPublicKey(t, "rfc9421/test-key-rsa-pss.pub.pem"),
		"test-key-ed25519":  loadPublicKey(t, "rfc9421/test-key-ed25519.pub.pem"),
		"test-key-ecc-p256": loadPublicKey(t, "rfc9421/test-key-ecc-p256.pub.pem"),
	}}
	v := NewVerifier(&Options{Clock: fixedClock(created)})
	ctx := context.Background()

	// B.2.3 covers @authority, @path, content-digest and created: acceptable
	// for a POST.
	r := readRequest(t, rfcTestRequest)
	r.Header.Set("Signature-Input", rfcVectors[2].input)
	r.Header.Set("Signature", rfcVectors[2].sig)
	got, err := v.Verify(ctx, r, []byte(rfcTestBody), res)
	if err != nil {
		t.Fatalf("B.2.3: %v", err)
	}
	if got.Scheme != SchemeRFC9421 || got.Algorithm != "rsa-pss-sha512" || got.KeyID != "test-key-rsa-pss" || got.Label != "sig-b23" || got.Owner != "https://example.com/actor" {
		t.Errorf("B.2.3 result %+v", got)
	}
	// The same with a modified body fails on the Content-Digest.
	if _, err := v.Verify(ctx, r, []byte(`{"hello": "World"}`), res); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("B.2.3 altered body: %v, want ErrDigestMismatch", err)
	}

	// B.4 transformation examples (a GET).
	transform := func(raw string) *http.Request {
		r := readRequest(t, raw)
		r.Header.Set("Signature-Input", rfcVectors[5].input)
		r.Header.Set("Signature", rfcVectors[5].sig)
		return r
	}
	valid := []string{
		rfcTransformRequest,
		// Query parameter and Accept-Language added (not covered).
		"GET /demo?name1=Value1&Name2=value2&param=added HTTP/1.1\r\nHost: example.org\r\nDate: Fri, 15 Jul 2022 14:24:55 GMT\r\nAccept: application/json\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\n\r\n",
		// Date removed, Referer added, Accept collapsed into one line.
		"GET /demo?name1=Value1&Name2=value2 HTTP/1.1\r\nHost: example.org\r\nReferer: https://developer.example.org/demo\r\nAccept: application/json, */*\r\n\r\n",
		// Fields reordered.
		"GET /demo?name1=Value1&Name2=value2 HTTP/1.1\r\nAccept: application/json\r\nAccept: */*\r\nDate: Fri, 15 Jul 2022 14:24:55 GMT\r\nHost: example.org\r\n\r\n",
	}
	for i, raw := range valid {
		if _, err := v.Verify(ctx, transform(raw), nil, res); err != nil {
			t.Errorf("B.4 valid variant %d: %v", i, err)
		}
	}
	invalid := []string{
		// Method and authority changed.
		"POST /demo?name1=Value1&Name2=value2 HTTP/1.1\r\nHost: example.com\r\nDate: Fri, 15 Jul 2022 14:24:55 GMT\r\nAccept: application/json\r\nAccept: */*\r\n\r\n",
		// Accept lines swapped.
		"GET /demo?name1=Value1&Name2=value2 HTTP/1.1\r\nHost: example.org\r\nDate: Fri, 15 Jul 2022 14:24:55 GMT\r\nAccept: */*\r\nAccept: application/json\r\n\r\n",
	}
	for i, raw := range invalid {
		if _, err := v.Verify(ctx, transform(raw), nil, res); err == nil {
			t.Errorf("B.4 invalid variant %d verified", i)
		}
	}

	// B.2.6 and B.3 are valid signatures but do not cover content-digest on
	// a POST: an ActivityPub verifier rejects them.
	for _, i := range []int{3, 4} {
		r := readRequest(t, rfcVectors[i].request)
		r.Header.Set("Signature-Input", rfcVectors[i].input)
		r.Header.Set("Signature", rfcVectors[i].sig)
		if _, err := v.Verify(ctx, r, []byte(rfcTestBody), res); !errors.Is(err, ErrMissingHeaders) {
			t.Errorf("%s: err = %v, want ErrMissingHeaders", rfcVectors[i].name, err)
		}
	}
	// B.2.1 covers nothing at all.
	r = readRequest(t, rfcTestRequest)
	r.Header.Set("Signature-Input", rfcVectors[0].input)
	r.Header.Set("Signature", rfcVectors[0].sig)
	if _, err := v.Verify(ctx, r, []byte(rfcTestBody), res); !errors.Is(err, ErrMissingHeaders) {
		t.Errorf("B.2.1: err = %v, want ErrMissingHeaders", err)
	}
	// With a clock a day later, B.2.3 is stale.
	late := NewVerifier(&Options{Clock: fixedClock(created.Add(24 * time.Hour))})
	r = readRequest(t, rfcTestRequest)
	r.Header.Set("Signature-Input", rfcVectors[2].input)
	r.Header.Set("Signature", rfcVectors[2].sig)
	if _, err := late.Verify(ctx, r, []byte(rfcTestBody), res); !errors.Is(err, ErrDateSkew) {
		t.Errorf("B.2.3 a day later: err = %v, want ErrDateSkew", err)
	}
}

func TestRFC9421TestKeysDecode(t *testing.T) {
	for _, name := range []string{"test-key-rsa", "test-key-rsa-pss", "test-key-ecc-p256", "test-key-ed25519"} {
		priv, err := DecodePrivateKeyPEM(readTestdata(t, "rfc9421/"+name+".pem"))
		if err != nil {
			t.Fatalf("%s private: %v", name, err)
		}
		pub := loadPublicKey(t, "rfc9421/"+name+".pub.pem")
		type equaler interface{ Equal(crypto.PublicKey) bool }
		if !priv.Public().(equaler).Equal(pub) {
			t.Errorf("%s: public key does not match private key", name)
		}
	}
}
