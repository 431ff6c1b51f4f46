package storage

// DefaultLimit and MaxLimit bound the size of a page when Page.Limit is out
// of range, as the Mastodon API does for most listings.
const (
	DefaultLimit = 20
	MaxLimit     = 40
)

// Page selects a window of a newest-first listing, with the semantics of the
// Mastodon API's max_id, since_id, min_id and limit parameters:
//
//   - MaxID: only records with an ID lower than MaxID (older).
//   - SinceID: only records with an ID higher than SinceID; the newest ones.
//   - MinID: only records with an ID higher than MinID; those immediately
//     newer than MinID (used to page backwards without gaps).
//
// Results are always returned newest first. When both SinceID and MinID are
// set, MinID wins.
type Page struct {
	MaxID   ID
	SinceID ID
	MinID   ID
	Limit   int
}

// Norm returns p with Limit clamped to 1..max (DefaultLimit when unset).
func (p Page) Norm(def, max int) Page {
	if def <= 0 {
		def = DefaultLimit
	}
	if max <= 0 {
		max = MaxLimit
	}
	if p.Limit <= 0 {
		p.Limit = def
	}
	if p.Limit > max {
		p.Limit = max
	}
	return p
}

// Ascending reports whether the page is read oldest first (MinID set) and
// must be reversed before it is returned.
func (p Page) Ascending() bool { return p.MinID != 0 }
