package social

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/herd-social/herd/storage"
)

// ErrInvalid is returned (wrapped) for input that breaks a rule, with a
// message fit to show a user.
var ErrInvalid = errors.New("invalid")

// ValidationError carries a user-facing message about one field.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,30}$`)

// reservedUsernames cannot be registered: they collide with routes or
// impersonate the server.
var reservedUsernames = map[string]bool{
	"admin": false, // allowed: the first account is often called admin
	"actor": true, "inbox": true, "outbox": true, "users": true, "api": true, "oauth": true,
	"well-known": true, "nodeinfo": true, "media": true, "static": true, "root": true,
	"instance": true, "herd": true, "postmaster": true, "webmaster": true, "abuse": true,
	"support": true, "security": true, "system": true, "null": true,
}

// ValidateUsername checks the rules of local usernames: 1–30 letters,
// digits and underscores, not reserved.
func ValidateUsername(username string) error {
	if !usernameRE.MatchString(username) {
		return invalid("username", "must be 1 to 30 letters, digits or underscores")
	}
	if reservedUsernames[strings.ToLower(username)] {
		return invalid("username", "is reserved")
	}
	return nil
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// HashPassword hashes a password with bcrypt.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(password) > 72 {
		return "", invalid("password", "must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches the bcrypt hash.
func CheckPassword(hash, password string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewUser describes a local user to create.
type NewUser struct {
	Username string
	Email    string
	Password string
	Role     storage.Role // default user
	Approved bool
	Locale   string
	Reason   string // sign-up reason, for approval mode
	Bot      bool
	Locked   bool
}

// CreateUser creates a local account and its user: validates the input,
// hashes the password, generates the actor's RSA key pair and lays out its
// ActivityPub addresses.
func CreateUser(ctx context.Context, st storage.Store, urls *URLs, nu NewUser) (*storage.Account, *storage.User, error) {
	if err := ValidateUsername(nu.Username); err != nil {
		return nil, nil, err
	}
	email := strings.TrimSpace(nu.Email)
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>") || len(email) > 254 {
		return nil, nil, invalid("email", "is not a valid address")
	}
	role := nu.Role
	if role == "" {
		role = storage.RoleUser
	}
	if !role.Valid() {
		return nil, nil, invalid("role", "must be user, moderator, admin or owner")
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return nil, nil, err
	}
	privPEM, pubPEM, err := newKeyPair()
	if err != nil {
		return nil, nil, err
	}
	name := nu.Username
	actorType := storage.ActorPerson
	if nu.Bot {
		actorType = storage.ActorService
	}
	a := &storage.Account{
		Username:       name,
		URI:            urls.Actor(name),
		URL:            urls.Profile(name),
		InboxURI:       urls.Inbox(name),
		OutboxURI:      urls.Outbox(name),
		SharedInboxURI: urls.SharedInbox(),
		FollowersURI:   urls.Followers(name),
		FollowingURI:   urls.Following(name),
		FeaturedURI:    urls.Featured(name),
		ActorType:      actorType,
		PublicKeyID:    urls.PublicKey(name),
		PublicKeyPEM:   pubPEM,
		PrivateKeyPEM:  privPEM,
		Bot:            nu.Bot,
		Locked:         nu.Locked,
		Discoverable:   true,
		Indexable:      true,
	}
	now := time.Now().UTC()
	u := &storage.User{
		Email:        email,
		PasswordHash: hash,
		Role:         role,
		Approved:     nu.Approved,
		Locale:       nu.Locale,
		SignUpReason: nu.Reason,
		ConfirmedAt:  &now,
	}
	err = st.Tx(ctx, func(tx storage.Store) error {
		if err := tx.Accounts().Create(ctx, a); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return invalid("username", "is already taken")
			}
			return err
		}
		u.AccountID = a.ID
		if err := tx.Users().Create(ctx, u); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return invalid("email", "is already taken")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create user %s: %w", name, err)
	}
	return a, u, nil
}

// newKeyPair generates the RSA-2048 key pair of a local actor, PEM-encoded
// (PKCS#8 private, PKIX public as peers expect in publicKeyPem).
func newKeyPair() (privPEM, pubPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encode private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), nil
}
