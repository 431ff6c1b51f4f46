package mastoapi

import (
	"errors"

	"github.com/herd-social/herd/social"
)

// socialStatus maps the sentinel errors of package social that are not
// validation errors: not found (or not visible) → 404, forbidden → 403.
func socialStatus(err error) (*Error, bool) {
	switch {
	case errors.Is(err, social.ErrNotFound):
		return ErrRecordNotFound, true
	case errors.Is(err, social.ErrForbidden):
		return ErrNotAllowed, true
	}
	return nil, false
}
