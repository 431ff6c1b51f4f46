package mastoapi

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/herd-social/herd/social"
)

// mediaAttributes parses the media_attributes[] of a status edit
// (media_attributes[][id], [description], [focus]): the new description
// and focal point of attachments that stay on the status.
func (a *API) mediaAttributes(p *Params) ([]social.MediaAttribute, error) {
	objs := p.Objects("media_attributes")
	if len(objs) == 0 {
		return nil, nil
	}
	limit := 1500
	if a.media != nil {
		limit = a.media.Limits().DescriptionLimit
	}
	out := make([]social.MediaAttribute, 0, len(objs))
	for _, o := range objs {
		id, err := o.ID("id")
		if err != nil || id == 0 {
			return nil, validationError("media_attributes needs the id of each attachment")
		}
		attr := social.MediaAttribute{ID: id}
		if d, ok := o.Lookup("description"); ok {
			if n := utf8.RuneCountInString(d); n > limit {
				return nil, validationError(fmt.Sprintf("Description is too long (%d characters, the limit is %d)", n, limit))
			}
			attr.Description = &d
		}
		if s, ok := o.Lookup("focus"); ok && strings.TrimSpace(s) != "" {
			f, err := parseFocus(s)
			if err != nil {
				return nil, err
			}
			attr.Focus = &f
		}
		out = append(out, attr)
	}
	return out, nil
}
