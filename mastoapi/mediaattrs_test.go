package mastoapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEditMediaAttributes: PUT /api/v1/statuses/:id with media_attributes[]
// changes the alt text and focus of an attached image, as an edit.
func TestEditMediaAttributes(t *testing.T) {
	e := newMediaEnv(t)
	tok, _ := e.userToken("alice", "read write")
	resp := e.upload("/api/v2/media", tok, testPNG(t, 32, 32), map[string]string{"description": "old words"})
	requireStatus(t, resp, http.StatusOK)
	id := decode[obj](t, resp)["id"].(string)
	st := e.post(tok, "look", "media_ids[]", id)
	sid := st["id"].(string)

	ed := e.call(http.MethodPut, "/api/v1/statuses/"+sid, tok, url.Values{"status": {"look"}, "media_ids[]": {id},
		"media_attributes[][id]": {id}, "media_attributes[][description]": {"new words"}, "media_attributes[][focus]": {"0.5,0.5"}}, http.StatusOK).(obj)
	att := ed["media_attachments"].([]any)[0].(obj)
	require.Equal(t, "new words", att["description"])
	require.Equal(t, obj{"x": 0.5, "y": 0.5}, att["meta"].(obj)["focus"])
	require.NotNil(t, ed["edited_at"], "a new description is an edit")
	hist := e.getList("/api/v1/statuses/"+sid+"/history", tok)
	require.Len(t, hist, 2)

	// An attachment not on the status, or too long a description: 422.
	e.errorOf(http.MethodPut, "/api/v1/statuses/"+sid, tok, url.Values{"status": {"look"}, "media_ids[]": {id},
		"media_attributes[][id]": {"123"}, "media_attributes[][description]": {"x"}}, http.StatusUnprocessableEntity)
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'a'
	}
	e.errorOf(http.MethodPut, "/api/v1/statuses/"+sid, tok, url.Values{"status": {"look"}, "media_ids[]": {id},
		"media_attributes[][id]": {id}, "media_attributes[][description]": {string(long)}}, http.StatusUnprocessableEntity)
}
