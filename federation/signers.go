package federation

import (
	"context"
	"fmt"
	"sync"

	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/storage"
)

// AccountSigners is a Signers over the private keys of local accounts in a
// storage.Accounts, with the instance actor's signer for the zero ID. Parsed
// keys are cached (RSA key parsing costs more than signing).
type AccountSigners struct {
	accounts storage.Accounts
	instance *signature.Signer

	mu    sync.Mutex
	cache map[storage.ID]*signature.Signer
}

var _ Signers = (*AccountSigners)(nil)

// NewAccountSigners returns Signers backed by accounts; instance signs for
// the zero ID (it may be nil when the application has no instance actor).
func NewAccountSigners(accounts storage.Accounts, instance *signature.Signer) *AccountSigners {
	return &AccountSigners{accounts: accounts, instance: instance, cache: map[storage.ID]*signature.Signer{}}
}

// Signer implements Signers.
func (s *AccountSigners) Signer(ctx context.Context, id storage.ID) (*signature.Signer, error) {
	if id == 0 {
		if s.instance == nil {
			return nil, fmt.Errorf("signer: no instance actor")
		}
		return s.instance, nil
	}
	s.mu.Lock()
	sg := s.cache[id]
	s.mu.Unlock()
	if sg != nil {
		return sg, nil
	}
	a, err := s.accounts.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("signer %s: %w", id, err)
	}
	if a.PrivateKeyPEM == "" || a.PublicKeyID == "" {
		return nil, fmt.Errorf("signer %s: account has no private key", id)
	}
	key, err := signature.DecodePrivateKeyPEM([]byte(a.PrivateKeyPEM))
	if err != nil {
		return nil, fmt.Errorf("signer %s: %w", id, err)
	}
	sg, err = signature.NewSigner(a.PublicKeyID, key, nil)
	if err != nil {
		return nil, fmt.Errorf("signer %s: %w", id, err)
	}
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	s.cache[id] = sg
	s.mu.Unlock()
	return sg, nil
}

// Forget drops a cached signer, e.g. after an account's key was rotated.
func (s *AccountSigners) Forget(id storage.ID) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}
