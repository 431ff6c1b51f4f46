package webpush

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxLegacyPayload bounds a legacy message: one record of the aesgcm
// encoding, as push services accept (4096 bytes with the tag and padding
// length).
const maxLegacyPayload = 4096 - 16 - 2

// encryptLegacy encrypts payload for a subscription with the "aesgcm"
// content encoding of draft-ietf-webpush-encryption-04 (what Mastodon sends
// unless a subscription asks for the standard). It returns the ciphertext,
// the salt and the sender's ephemeral public key.
func encryptLegacy(payload []byte, p256dh, auth string) (body, salt, senderPub []byte, err error) {
	if len(payload) > maxLegacyPayload {
		return nil, nil, nil, fmt.Errorf("webpush: payload of %d bytes is too long", len(payload))
	}
	clientPubBytes, err := decodeB64(p256dh)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webpush: p256dh: %w", err)
	}
	clientPub, err := ecdh.P256().NewPublicKey(clientPubBytes)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webpush: p256dh: %w", err)
	}
	authSecret, err := decodeB64(auth)
	if err != nil || len(authSecret) == 0 {
		return nil, nil, nil, fmt.Errorf("webpush: auth secret: %w", err)
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webpush: ephemeral key: %w", err)
	}
	shared, err := eph.ECDH(clientPub)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("webpush: ECDH: %w", err)
	}
	salt = make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, nil, nil, err
	}
	senderPub = eph.PublicKey().Bytes()
	cek, nonce, err := legacyKeys(shared, authSecret, salt, clientPubBytes, senderPub)
	if err != nil {
		return nil, nil, nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, nil, err
	}
	// Two bytes of padding length (no padding), then the message.
	plain := make([]byte, 2, 2+len(payload))
	plain = append(plain, payload...)
	return gcm.Seal(nil, nonce, plain, nil), salt, senderPub, nil
}

// legacyKeys derives the content encryption key and nonce of the aesgcm
// encoding from the ECDH secret, the subscription's auth secret and the salt.
func legacyKeys(shared, authSecret, salt, receiverPub, senderPub []byte) (cek, nonce []byte, err error) {
	prk, err := hkdf.Key(sha256.New, shared, authSecret, "Content-Encoding: auth\x00", 32)
	if err != nil {
		return nil, nil, err
	}
	var ctx bytes.Buffer
	ctx.WriteString("P-256\x00")
	_ = binary.Write(&ctx, binary.BigEndian, uint16(len(receiverPub)))
	ctx.Write(receiverPub)
	_ = binary.Write(&ctx, binary.BigEndian, uint16(len(senderPub)))
	ctx.Write(senderPub)
	if cek, err = hkdf.Key(sha256.New, prk, salt, "Content-Encoding: aesgcm\x00"+ctx.String(), 16); err != nil {
		return nil, nil, err
	}
	if nonce, err = hkdf.Key(sha256.New, prk, salt, "Content-Encoding: nonce\x00"+ctx.String(), 12); err != nil {
		return nil, nil, err
	}
	return cek, nonce, nil
}

// vapidJWT signs the RFC 8292 token for an endpoint's origin.
func vapidJWT(v VAPID, endpoint, subscriber string, exp time.Time) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("webpush: endpoint: %w", err)
	}
	k, err := v.privateKey()
	if err != nil {
		return "", err
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), k.Bytes())
	if err != nil {
		return "", fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"aud": u.Scheme + "://" + u.Host,
		"exp": exp.Unix(),
		"sub": subscriber,
	})
	return tok.SignedString(priv)
}

// sendLegacy posts an aesgcm-encrypted message with "WebPush" VAPID
// authorisation, the headers Mastodon's legacy mode sends.
func sendLegacy(ctx context.Context, client *http.Client, v VAPID, subscriber string, sub subscription, payload []byte, ttl time.Duration, now time.Time) (*http.Response, error) {
	body, salt, senderPub, err := encryptLegacy(payload, sub.p256dh, sub.auth)
	if err != nil {
		return nil, err
	}
	tok, err := vapidJWT(v, sub.endpoint, subscriber, now.Add(12*time.Hour))
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webpush: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Encoding", "aesgcm")
	req.Header.Set("Encryption", "salt="+base64.RawURLEncoding.EncodeToString(salt))
	req.Header.Set("Crypto-Key", "dh="+base64.RawURLEncoding.EncodeToString(senderPub)+";p256ecdsa="+v.Public)
	req.Header.Set("Authorization", "WebPush "+tok)
	req.Header.Set("TTL", strconv.Itoa(int(ttl/time.Second)))
	req.Header.Set("Urgency", "normal")
	return client.Do(req)
}
