package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

// fixture is what the load needs from the seeded database.
type fixture struct {
	Viewer   storage.ID
	FeedSize int64
	Tokens   []string // plain access tokens of the viewer
}

// seed creates and fills the database at dbPath: the bulk data through
// storagetest.SeedHome (multi-row INSERTs on the store's DB handle), then the
// viewer's user, an OAuth app and the tokens through the store.
func seed(ctx context.Context, dbPath string, c *config) (*fixture, error) {
	st, err := sqlite.Open(ctx, dbPath, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	hf, err := storagetest.SeedHome(ctx, st.DB(), storagetest.HomeSeed{Statuses: c.Statuses, Accounts: c.Accounts, Followed: c.Followed})
	if err != nil {
		return nil, err
	}
	fx := &fixture{Viewer: hf.Viewer, FeedSize: hf.FeedSize}
	now := time.Now().UTC()
	// The password is never used: the load signs in with tokens.
	err = st.Users().Create(ctx, &storage.User{
		AccountID: hf.Viewer, Email: "viewer@bench.invalid", PasswordHash: "!", Role: storage.RoleUser,
		Approved: true, ConfirmedAt: &now,
	})
	if err != nil {
		return nil, fmt.Errorf("viewer user: %w", err)
	}
	app := &storage.Application{
		Name: "bench/api", RedirectURIs: storage.Strings{mastoapi.OOBRedirectURI},
		Scopes: storage.Strings{"read", "write", "follow"}, ClientID: randomToken(), ClientSecretHash: mastoapi.HashToken(randomToken()),
	}
	if err := st.OAuth().CreateApplication(ctx, app); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	fx.Tokens = make([]string, c.Tokens)
	err = st.Tx(ctx, func(tx storage.Store) error {
		for i := range fx.Tokens {
			fx.Tokens[i] = randomToken()
			if err := tx.OAuth().CreateToken(ctx, &storage.Token{
				TokenHash: mastoapi.HashToken(fx.Tokens[i]), ApplicationID: app.ID, AccountID: hf.Viewer,
				Scopes: storage.Strings{"read", "write", "follow"},
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	if _, err := st.DB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return fx, nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
