package webpush

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"fmt"

	webpushlib "github.com/SherClockHolmes/webpush-go"

	"github.com/herd-social/herd/storage"
)

// SettingVAPID is the storage.Settings key under which the VAPID key pair
// is kept.
const SettingVAPID = "webpush.vapid"

// VAPID is the server's application server key pair (RFC 8292): P-256 keys
// encoded as unpadded base64url, the public key uncompressed (65 bytes), as
// clients receive it in vapid_key and configuration.vapid.public_key.
type VAPID struct {
	Public  string `json:"public"`
	Private string `json:"private"`
}

// GenerateVAPID makes a new key pair.
func GenerateVAPID() (VAPID, error) {
	priv, pub, err := webpushlib.GenerateVAPIDKeys()
	if err != nil {
		return VAPID{}, fmt.Errorf("webpush: generate VAPID keys: %w", err)
	}
	return VAPID{Public: pub, Private: priv}, nil
}

// LoadVAPID returns the server's key pair, generating and storing it the
// first time. Several processes starting at once agree on one pair.
func LoadVAPID(ctx context.Context, settings storage.Settings) (VAPID, error) {
	if v, err := settings.Get(ctx, SettingVAPID); err == nil {
		return parseVAPID(v)
	}
	fresh, err := GenerateVAPID()
	if err != nil {
		return VAPID{}, err
	}
	b, _ := json.Marshal(fresh)
	v, err := settings.SetIfAbsent(ctx, SettingVAPID, string(b))
	if err != nil {
		return VAPID{}, fmt.Errorf("webpush: store VAPID keys: %w", err)
	}
	return parseVAPID(v)
}

func parseVAPID(s string) (VAPID, error) {
	var v VAPID
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return VAPID{}, fmt.Errorf("webpush: stored VAPID keys: %w", err)
	}
	if _, err := v.privateKey(); err != nil {
		return VAPID{}, err
	}
	return v, nil
}

// privateKey decodes the private key (a 32-byte scalar).
func (v VAPID) privateKey() (*ecdh.PrivateKey, error) {
	d, err := decodeB64(v.Private)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	k, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	return k, nil
}

// decodeB64 accepts base64url or standard base64, padded or not, as
// browsers and libraries emit both for subscription keys.
func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("not base64 (%d characters)", len(s)) // never quote key material
}
