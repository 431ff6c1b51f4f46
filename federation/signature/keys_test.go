package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

type publicEqualer interface{ Equal(crypto.PublicKey) bool }

func TestGenerateKeys(t *testing.T) {
	if _, err := GenerateRSAKey(1024); err == nil {
		t.Error("1024-bit RSA key generated")
	}
	rsaA, _, edA, _ := testKeys(t)
	if rsaA.N.BitLen() != 2048 {
		t.Errorf("RSA key of %d bits", rsaA.N.BitLen())
	}
	if len(edA) != ed25519.PrivateKeySize {
		t.Errorf("Ed25519 key of %d bytes", len(edA))
	}
}

func TestPrivateKeyPEMRoundTrip(t *testing.T) {
	rsaA, _, edA, _ := testKeys(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []crypto.Signer{rsaA, edA, ecKey} {
		pemBytes, err := EncodePrivateKeyPEM(key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pemBytes, []byte("-----BEGIN PRIVATE KEY-----")) {
			t.Errorf("%T: not PKCS#8: %s", key, pemBytes[:40])
		}
		got, err := DecodePrivateKeyPEM(pemBytes)
		if err != nil {
			t.Fatalf("%T: %v", key, err)
		}
		if !got.Public().(publicEqualer).Equal(key.Public()) {
			t.Errorf("%T: round trip changed the key", key)
		}
	}
	// PKCS#1, as Mastodon stores it.
	pkcs1 := EncodePKCS1PrivateKeyPEM(rsaA)
	if !bytes.HasPrefix(pkcs1, []byte("-----BEGIN RSA PRIVATE KEY-----")) {
		t.Errorf("not PKCS#1: %s", pkcs1[:40])
	}
	got, err := DecodePrivateKeyPEM(pkcs1)
	if err != nil || !got.(*rsa.PrivateKey).Equal(rsaA) {
		t.Fatalf("PKCS#1: %v", err)
	}
	// PKCS#8 data under the PKCS#1 label.
	der, _ := x509.MarshalPKCS8PrivateKey(rsaA)
	mislabelled := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})
	if got, err := DecodePrivateKeyPEM(mislabelled); err != nil || !got.(*rsa.PrivateKey).Equal(rsaA) {
		t.Fatalf("mislabelled PKCS#8: %v", err)
	}
	// A pointer to an Ed25519 key is accepted by the encoder and the signer.
	if _, err := EncodePrivateKeyPEM(&edA); err != nil {
		t.Error(err)
	}
	if _, err := NewSigner("k", &edA, nil); err != nil {
		t.Error(err)
	}
}

func TestPublicKeyPEM(t *testing.T) {
	rsaA, _, edA, _ := testKeys(t)
	for _, pub := range []crypto.PublicKey{&rsaA.PublicKey, edA.Public()} {
		pemBytes, err := EncodePublicKeyPEM(pub)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pemBytes, []byte("-----BEGIN PUBLIC KEY-----")) {
			t.Errorf("not PKIX: %s", pemBytes)
		}
		got, err := DecodePublicKeyPEM(pemBytes)
		if err != nil || !got.(publicEqualer).Equal(pub) {
			t.Fatalf("%T: %v", pub, err)
		}
	}
	// PKCS#1 "RSA PUBLIC KEY", as some peers publish it.
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaA.PublicKey)})
	if got, err := DecodePublicKeyPEM(pkcs1); err != nil || !got.(*rsa.PublicKey).Equal(&rsaA.PublicKey) {
		t.Fatalf("PKCS#1 public: %v", err)
	}
	// PKCS#1 data mislabelled as "PUBLIC KEY", with JSON-style surroundings.
	mis := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaA.PublicKey)})
	if got, err := DecodePublicKeyPEM(append([]byte("\n  "), mis...)); err != nil || !got.(*rsa.PublicKey).Equal(&rsaA.PublicKey) {
		t.Fatalf("mislabelled PKCS#1: %v", err)
	}
	// CRLF line endings, as some servers serialise publicKeyPem.
	crlf := bytes.ReplaceAll(mis, []byte("\n"), []byte("\r\n"))
	if _, err := DecodePublicKeyPEM(crlf); err != nil {
		t.Errorf("CRLF PEM: %v", err)
	}
}

func TestPEMErrors(t *testing.T) {
	cases := map[string]string{
		"empty":       "",
		"not PEM":     "hello",
		"certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"bad DER":     "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"encrypted":   "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
		"huge":        strings.Repeat("A", maxPEMSize+1),
	}
	for name, in := range cases {
		if _, err := DecodePublicKeyPEM([]byte(in)); err == nil {
			t.Errorf("public %s: no error", name)
		}
		if _, err := DecodePrivateKeyPEM([]byte(in)); err == nil {
			t.Errorf("private %s: no error", name)
		}
	}
	if _, err := EncodePublicKeyPEM("nope"); err == nil {
		t.Error("string public key encoded")
	}
	if _, err := EncodePrivateKeyPEM(42); err == nil {
		t.Error("int private key encoded")
	}
}

func TestMultibase(t *testing.T) {
	// RFC 9421 test-key-ed25519 as a FEP-521a Multikey (computed with an
	// independent base58 implementation).
	pub := loadPublicKey(t, "rfc9421/test-key-ed25519.pub.pem")
	const want = "z6Mkh4LmfP1ev9MNPGr7JbEbtD6BD4fsu1duEj83PMCs3xHG"
	got, err := EncodePublicKeyMultibase(pub)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("multibase %s, want %s", got, want)
	}
	dec, err := DecodePublicKeyMultibase(want)
	if err != nil || !dec.(ed25519.PublicKey).Equal(pub) {
		t.Fatalf("decode: %v", err)
	}
	// The did:key example key used in FEP-521a round-trips.
	const fep = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	k, err := DecodePublicKeyMultibase(fep)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := EncodePublicKeyMultibase(k); s != fep {
		t.Errorf("round trip %s", s)
	}
	// RSA (multicodec rsa-pub).
	rsaA, _, edA, _ := testKeys(t)
	s, err := EncodePublicKeyMultibase(&rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if rk, err := DecodePublicKeyMultibase(s); err != nil || !rk.(*rsa.PublicKey).Equal(&rsaA.PublicKey) {
		t.Fatalf("RSA: %v", err)
	}
	if s, _ := EncodePublicKeyMultibase(edA.Public()); !strings.HasPrefix(s, "z6Mk") {
		t.Errorf("Ed25519 multikey %s lacks the z6Mk prefix", s)
	}
	// Leading zero bytes map to '1'.
	if s := base58Encode([]byte{0, 0, 1, 2}); s != "115T" {
		t.Errorf("base58 %s", s)
	}
	if b, _ := base58Decode("115T"); !bytes.Equal(b, []byte{0, 0, 1, 2}) {
		t.Errorf("base58 decode %x", b)
	}
	for _, bad := range []string{"", "z", "f00", "z0OIl", "z" + strings.Repeat("2", maxMultibaseLen), "z6Mkh4LmfP1ev9MNPGr7JbEbtD6BD4fsu1duEj83PMCs3x", "zQ3s"} {
		if _, err := DecodePublicKeyMultibase(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
	if _, err := EncodePublicKeyMultibase("nope"); err == nil {
		t.Error("string key encoded")
	}
}
