package storage

import "errors"

var (
	// ErrNotFound is returned (wrapped) when a record does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict is returned (wrapped) when a write would violate a
	// uniqueness constraint, such as a second account with the same
	// username or a second favourite of the same status.
	ErrConflict = errors.New("storage: conflict")
	// ErrInvalid is returned (wrapped) when a record is missing a required
	// field or holds a value the store cannot accept.
	ErrInvalid = errors.New("storage: invalid record")
)
