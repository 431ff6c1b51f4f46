package social

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// Keys of storage.Account.Extra written by UpdateProfile.
const (
	// ExtraHideCollections (a JSON boolean) hides the account's followers
	// and following from everyone else (see HidesCollections).
	ExtraHideCollections = storage.ExtraHideCollections
	// ExtraAvatarDescription and ExtraHeaderDescription (JSON strings)
	// describe the avatar and header images (alt text).
	ExtraAvatarDescription = "avatar_description"
	ExtraHeaderDescription = "header_description"
)

// MaxProfileImageDescription bounds the description of an avatar or
// header, in characters (as media descriptions).
const MaxProfileImageDescription = 1500

// HidesCollections reports whether a hides its followers and following:
// others then see empty listings, and its ActivityPub collections show
// their totals only.
func HidesCollections(a *storage.Account) bool {
	if a == nil {
		return false
	}
	raw := a.Extra[ExtraHideCollections]
	if len(raw) == 0 {
		return false
	}
	var b bool
	return json.Unmarshal(raw, &b) == nil && b
}

// ProfileImageDescriptions returns the descriptions of a's avatar and
// header ("" when none).
func ProfileImageDescriptions(a *storage.Account) (avatar, header string) {
	if a == nil {
		return "", ""
	}
	// Most accounts have neither: rendering every author of every page
	// asks, so skip the decoder when the key is absent.
	if raw := a.Extra[ExtraAvatarDescription]; len(raw) > 0 {
		var s string
		_ = json.Unmarshal(raw, &s)
		avatar = s
	}
	if raw := a.Extra[ExtraHeaderDescription]; len(raw) > 0 {
		var s string
		_ = json.Unmarshal(raw, &s)
		header = s
	}
	return avatar, header
}

// ProfileSettings are the profile settings kept in the account's Extra.
type ProfileSettings struct {
	HideCollections   *bool
	AvatarDescription *string
	HeaderDescription *string
}

func (p ProfileSettings) validate() error {
	for _, d := range []struct {
		field string
		v     *string
	}{{"avatar_description", p.AvatarDescription}, {"header_description", p.HeaderDescription}} {
		if d.v != nil && utf8.RuneCountInString(*d.v) > MaxProfileImageDescription {
			return invalid(d.field, "is too long (at most %d characters)", MaxProfileImageDescription)
		}
	}
	return nil
}

// extra returns the Extra entries of p ("" descriptions delete theirs).
func (p ProfileSettings) extra() storage.Extra {
	e := storage.Extra{}
	if p.HideCollections != nil {
		e[ExtraHideCollections] = mustMarshal(*p.HideCollections)
	}
	for key, v := range map[string]*string{ExtraAvatarDescription: p.AvatarDescription, ExtraHeaderDescription: p.HeaderDescription} {
		switch {
		case v == nil:
		case *v == "":
			e[key] = json.RawMessage("null")
		default:
			e[key] = mustMarshal(*v)
		}
	}
	return e
}

func mustMarshal(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
