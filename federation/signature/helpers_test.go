package signature

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Keys generated once per test binary: RSA generation is slow under -race.
var (
	rsaOnce          sync.Once
	rsaKeyA, rsaKeyB *rsa.PrivateKey
	edKeyA, edKeyB   ed25519.PrivateKey
)

func testKeys(t testing.TB) (rsaA, rsaB *rsa.PrivateKey, edA, edB ed25519.PrivateKey) {
	t.Helper()
	rsaOnce.Do(func() {
		var err error
		if rsaKeyA, err = GenerateRSAKey(2048); err != nil {
			panic(err)
		}
		if rsaKeyB, err = GenerateRSAKey(2048); err != nil {
			panic(err)
		}
		if edKeyA, err = GenerateEd25519Key(); err != nil {
			panic(err)
		}
		if edKeyB, err = GenerateEd25519Key(); err != nil {
			panic(err)
		}
	})
	return rsaKeyA, rsaKeyB, edKeyA, edKeyB
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadPublicKey(t testing.TB, name string) crypto.PublicKey {
	t.Helper()
	k, err := DecodePublicKeyPEM(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k
}

// staticResolver serves fixed keys; refreshed keys (if set) are returned when
// refresh is true. It counts calls.
type staticResolver struct {
	keys      map[string]crypto.PublicKey
	refreshed map[string]crypto.PublicKey
	owner     string
	calls     atomic.Int32
	refreshes atomic.Int32
}

func (s *staticResolver) ResolveKey(_ context.Context, keyID string, refresh bool) (*PublicKey, error) {
	s.calls.Add(1)
	if refresh {
		s.refreshes.Add(1)
		if k, ok := s.refreshed[keyID]; ok {
			return &PublicKey{ID: keyID, Owner: s.owner, Key: k, Fresh: true}, nil
		}
	}
	k, ok := s.keys[keyID]
	if !ok {
		return nil, errNotFound
	}
	return &PublicKey{ID: keyID, Owner: s.owner, Key: k, Fresh: refresh}, nil
}

type testError string

func (e testError) Error() string { return string(e) }

const errNotFound = testError("key not found")

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }
