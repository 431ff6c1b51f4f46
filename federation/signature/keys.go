package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
)

// MinRSABits is the smallest RSA modulus GenerateRSAKey accepts.
const MinRSABits = 2048

// maxPEMSize bounds the PEM input accepted by the decoders.
const maxPEMSize = 64 << 10

// GenerateRSAKey generates an RSA private key of the given size (at least
// MinRSABits; 2048 is what Mastodon uses).
func GenerateRSAKey(bits int) (*rsa.PrivateKey, error) {
	if bits < MinRSABits {
		return nil, fmt.Errorf("signature: generate RSA key: %d bits is below the minimum of %d", bits, MinRSABits)
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("signature: generate RSA key: %w", err)
	}
	return k, nil
}

// GenerateEd25519Key generates an Ed25519 private key.
func GenerateEd25519Key() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signature: generate Ed25519 key: %w", err)
	}
	return priv, nil
}

// EncodePrivateKeyPEM encodes an RSA, Ed25519 or ECDSA private key as a
// PKCS#8 "PRIVATE KEY" PEM block.
func EncodePrivateKeyPEM(key crypto.PrivateKey) ([]byte, error) {
	key = normalizePrivateKey(key)
	switch key.(type) {
	case *rsa.PrivateKey, ed25519.PrivateKey, *ecdsa.PrivateKey:
	default:
		return nil, fmt.Errorf("signature: encode private key: unsupported key type %T", key)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("signature: encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// EncodePKCS1PrivateKeyPEM encodes an RSA private key as a PKCS#1
// "RSA PRIVATE KEY" PEM block (the format Mastodon stores).
func EncodePKCS1PrivateKeyPEM(key *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// DecodePrivateKeyPEM decodes the first PEM block of data as a private key:
// PKCS#1 "RSA PRIVATE KEY", PKCS#8 "PRIVATE KEY" (RSA, RSASSA-PSS, Ed25519,
// ECDSA) or SEC 1 "EC PRIVATE KEY". Encrypted PEM is not supported.
func DecodePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, err := decodePEM(data)
	if err != nil {
		return nil, fmt.Errorf("signature: decode private key: %w", err)
	}
	var key any
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			// Some tools label PKCS#8 data "RSA PRIVATE KEY".
			if k, err2 := parsePKCS8(block.Bytes); err2 == nil {
				key, err = k, nil
			}
		}
	case "PRIVATE KEY":
		key, err = parsePKCS8(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("signature: decode private key: unsupported PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("signature: decode private key (%s): %w", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("signature: decode private key: unsupported key type %T", key)
	}
}

var oidRSASSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}

// pkcs8 mirrors the PKCS#8 PrivateKeyInfo structure.
type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// parsePKCS8 parses PKCS#8, also accepting RSA keys tagged with the
// RSASSA-PSS algorithm identifier (as in RFC 9421's test-key-rsa-pss), which
// crypto/x509 rejects.
func parsePKCS8(der []byte) (any, error) {
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err == nil {
		return key, nil
	}
	var info pkcs8
	if rest, err2 := asn1.Unmarshal(der, &info); err2 == nil && len(rest) == 0 && info.Algo.Algorithm.Equal(oidRSASSAPSS) {
		if k, err3 := x509.ParsePKCS1PrivateKey(info.PrivateKey); err3 == nil {
			return k, nil
		}
	}
	return nil, err
}

// EncodePublicKeyPEM encodes an RSA, Ed25519 or ECDSA public key as a PKIX
// "PUBLIC KEY" PEM block, the form used in an actor's publicKeyPem.
func EncodePublicKeyPEM(key crypto.PublicKey) ([]byte, error) {
	key = normalizePublicKey(key)
	switch key.(type) {
	case *rsa.PublicKey, ed25519.PublicKey, *ecdsa.PublicKey:
	default:
		return nil, fmt.Errorf("signature: encode public key: unsupported key type %T", key)
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("signature: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// DecodePublicKeyPEM decodes the first PEM block of data as a public key, as
// peers publish it in publicKeyPem: PKIX "PUBLIC KEY" (RSA, Ed25519, ECDSA)
// or PKCS#1 "RSA PUBLIC KEY". Mislabelled blocks (PKIX data under the PKCS#1
// label and vice versa) are accepted. It returns *rsa.PublicKey,
// ed25519.PublicKey or *ecdsa.PublicKey.
func DecodePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, err := decodePEM(data)
	if err != nil {
		return nil, fmt.Errorf("signature: decode public key: %w", err)
	}
	var key any
	switch block.Type {
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			if k, err2 := x509.ParsePKCS1PublicKey(block.Bytes); err2 == nil {
				key, err = k, nil
			}
		}
	default:
		return nil, fmt.Errorf("signature: decode public key: unsupported PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("signature: decode public key (%s): %w", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PublicKey, ed25519.PublicKey, *ecdsa.PublicKey:
		return k, nil
	default:
		return nil, fmt.Errorf("signature: decode public key: unsupported key type %T", key)
	}
}

func decodePEM(data []byte) (*pem.Block, error) {
	if len(data) > maxPEMSize {
		return nil, fmt.Errorf("PEM input of %d bytes exceeds %d", len(data), maxPEMSize)
	}
	block, _ := pem.Decode(bytes.TrimSpace(data))
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if _, ok := block.Headers["Proc-Type"]; ok {
		return nil, errors.New("encrypted PEM is not supported")
	}
	return block, nil
}

// normalizePrivateKey turns pointer forms of value key types into values.
func normalizePrivateKey(key crypto.PrivateKey) crypto.PrivateKey {
	if k, ok := key.(*ed25519.PrivateKey); ok && k != nil {
		return *k
	}
	return key
}

// normalizePublicKey turns pointer forms of value key types into values.
func normalizePublicKey(key crypto.PublicKey) crypto.PublicKey {
	if k, ok := key.(*ed25519.PublicKey); ok && k != nil {
		return *k
	}
	return key
}
