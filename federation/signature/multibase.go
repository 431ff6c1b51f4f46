package signature

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
)

// FEP-521a publishes keys as Multikey documents whose publicKeyMultibase is
// the multibase base58btc ("z" prefix) encoding of a multicodec-prefixed key.
const (
	maxMultibaseLen = 2048 // characters; an RSA-4096 key needs about 720
	base58Alphabet  = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
)

var (
	multicodecEd25519Pub = []byte{0xed, 0x01} // ed25519-pub (0xed)
	multicodecRSAPub     = []byte{0x85, 0x24} // rsa-pub (0x1205), PKCS#1 DER
)

var base58Index = func() (idx [256]int8) {
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		idx[base58Alphabet[i]] = int8(i)
	}
	return idx
}()

// EncodePublicKeyMultibase encodes an Ed25519 (multicodec ed25519-pub) or RSA
// (multicodec rsa-pub, PKCS#1 DER) public key as a FEP-521a
// publicKeyMultibase value: "z" followed by base58btc.
func EncodePublicKeyMultibase(key crypto.PublicKey) (string, error) {
	var raw []byte
	switch k := normalizePublicKey(key).(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("signature: encode multibase: Ed25519 key of %d bytes", len(k))
		}
		raw = append(append(raw, multicodecEd25519Pub...), k...)
	case *rsa.PublicKey:
		raw = append(append(raw, multicodecRSAPub...), x509.MarshalPKCS1PublicKey(k)...)
	default:
		return "", fmt.Errorf("signature: encode multibase: unsupported key type %T", key)
	}
	return "z" + base58Encode(raw), nil
}

// DecodePublicKeyMultibase decodes a FEP-521a publicKeyMultibase value
// (base58btc with the "z" prefix) holding an Ed25519 key (multicodec 0xed01)
// or an RSA key (multicodec 0x1205). It returns ed25519.PublicKey or
// *rsa.PublicKey.
func DecodePublicKeyMultibase(s string) (crypto.PublicKey, error) {
	if len(s) > maxMultibaseLen {
		return nil, fmt.Errorf("signature: decode multibase: value of %d characters exceeds %d", len(s), maxMultibaseLen)
	}
	if len(s) < 2 || s[0] != 'z' {
		return nil, errors.New("signature: decode multibase: not base58btc (missing 'z' prefix)")
	}
	raw, err := base58Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("signature: decode multibase: %w", err)
	}
	switch {
	case len(raw) >= 2 && raw[0] == multicodecEd25519Pub[0] && raw[1] == multicodecEd25519Pub[1]:
		if len(raw) != 2+ed25519.PublicKeySize {
			return nil, fmt.Errorf("signature: decode multibase: Ed25519 key of %d bytes, want %d", len(raw)-2, ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(raw[2:]), nil
	case len(raw) >= 2 && raw[0] == multicodecRSAPub[0] && raw[1] == multicodecRSAPub[1]:
		k, err := x509.ParsePKCS1PublicKey(raw[2:])
		if err != nil {
			return nil, fmt.Errorf("signature: decode multibase: RSA key: %w", err)
		}
		return k, nil
	default:
		return nil, errors.New("signature: decode multibase: unsupported multicodec key type")
	}
}

func base58Encode(src []byte) string {
	zeros := 0
	for zeros < len(src) && src[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) ≈ 1.366
	digits := make([]byte, 0, len(src)*138/100+1)
	for _, b := range src[zeros:] {
		carry := int(b)
		for i := range digits {
			carry += int(digits[i]) << 8
			digits[i] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	out := make([]byte, zeros+len(digits))
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i, d := range digits {
		out[len(out)-1-i] = base58Alphabet[d]
	}
	return string(out)
}

func base58Decode(s string) ([]byte, error) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	bytes := make([]byte, 0, len(s)*733/1000+1) // log(58)/log(256) ≈ 0.733
	for i := zeros; i < len(s); i++ {
		v := base58Index[s[i]]
		if v < 0 {
			return nil, fmt.Errorf("invalid base58 character %q at %d", s[i], i)
		}
		carry := int(v)
		for j := range bytes {
			carry += int(bytes[j]) * 58
			bytes[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			bytes = append(bytes, byte(carry))
			carry >>= 8
		}
	}
	out := make([]byte, zeros+len(bytes))
	for i, b := range bytes {
		out[len(out)-1-i] = b
	}
	return out, nil
}
