package main

import (
	"context"

	"github.com/herd-social/herd/storage"
)

// remoteEmojiAccounts wraps the accounts the resolver stores: the custom
// emojis of actors from reject_media domains are dropped (clients would
// load their images from there), and the others are recorded in
// custom_emojis (social.Service.RememberRemoteEmojis), best effort.
func (a *app) remoteEmojiAccounts(accounts storage.Accounts) storage.Accounts {
	return emojiAccounts{Accounts: accounts, a: a}
}

type emojiAccounts struct {
	storage.Accounts
	a *app
}

var _ storage.Accounts = emojiAccounts{}

func (e emojiAccounts) filter(ctx context.Context, acct *storage.Account) {
	if !acct.Local() && len(acct.Emojis) > 0 && e.a.domains != nil && e.a.domains.RejectsMedia(ctx, acct.Domain) {
		acct.Emojis = storage.Emojis{}
	}
}

func (e emojiAccounts) remember(ctx context.Context, acct *storage.Account) {
	if !acct.Local() && len(acct.Emojis) > 0 && e.a.svc != nil {
		if _, err := e.a.svc.RememberRemoteEmojis(ctx, acct.Domain, acct.Emojis); err != nil && e.a.log != nil {
			e.a.log.Warn("record remote account emojis", "account", acct.URI, "err", err)
		}
	}
}

func (e emojiAccounts) Create(ctx context.Context, acct *storage.Account) error {
	e.filter(ctx, acct)
	if err := e.Accounts.Create(ctx, acct); err != nil {
		return err
	}
	e.remember(ctx, acct)
	return nil
}

func (e emojiAccounts) Update(ctx context.Context, acct *storage.Account) error {
	e.filter(ctx, acct)
	if err := e.Accounts.Update(ctx, acct); err != nil {
		return err
	}
	e.remember(ctx, acct)
	return nil
}
