package federation_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

func TestPollToQuestionAndBack(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	exp := now.Add(time.Hour)
	author := &storage.Account{Username: "alice", URI: "https://herd.example/users/alice", FollowersURI: "https://herd.example/users/alice/followers"}
	st := &storage.Status{URI: "https://herd.example/users/alice/statuses/1", Content: "<p>tabs?</p>", Visibility: storage.VisibilityPublic, CreatedAt: now}
	for _, multiple := range []bool{false, true} {
		p := &storage.Poll{Multiple: multiple, ExpiresAt: &exp, VotesCount: 5, VotersCount: 4,
			Options: storage.PollOptions{{Title: "tabs", VotesCount: 3}, {Title: "spaces", VotesCount: 2}}}
		q := federation.PollToQuestion(federation.StatusToNote(st, author, nil), p, now)
		b, err := ap.Encode(q)
		require.NoError(t, err)
		var raw map[string]any
		require.NoError(t, json.Unmarshal(b, &raw))
		assert.Equal(t, "Question", raw["type"])
		key, other := "oneOf", "anyOf"
		if multiple {
			key, other = other, key
		}
		require.Contains(t, raw, key)
		assert.NotContains(t, raw, other)
		assert.NotContains(t, raw, "closed", "open")
		assert.Equal(t, "2026-03-01T13:00:00Z", raw["endTime"])
		assert.EqualValues(t, 4, raw["votersCount"])
		opt := raw[key].([]any)[0].(map[string]any)
		assert.Equal(t, "Note", opt["type"])
		assert.Equal(t, "tabs", opt["name"])
		assert.EqualValues(t, 3, opt["replies"].(map[string]any)["totalItems"])

		o, err := ap.Decode(b)
		require.NoError(t, err)
		back := federation.QuestionToPoll(o, now)
		require.NotNil(t, back)
		assert.Equal(t, p.Options, back.Options)
		assert.Equal(t, multiple, back.Multiple)
		assert.Equal(t, exp, *back.ExpiresAt)
		assert.Nil(t, back.ClosedAt)
		assert.Equal(t, int64(5), back.VotesCount)
		assert.Equal(t, int64(4), back.VotersCount)

		// Once ended, the poll says so.
		q = federation.PollToQuestion(federation.StatusToNote(st, author, nil), p, exp.Add(time.Minute))
		assert.Equal(t, exp, q.Closed)
	}
}

func TestQuestionToPoll(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	decode := func(s string) *ap.Object {
		o, err := ap.Decode([]byte(s))
		require.NoError(t, err)
		return o
	}
	assert.Nil(t, federation.QuestionToPoll(decode(`{"type":"Note","id":"https://x.example/1"}`), now))
	assert.Nil(t, federation.QuestionToPoll(decode(`{"type":"Question","id":"https://x.example/1","oneOf":["https://x.example/o"]}`), now),
		"no embedded option")
	assert.Nil(t, federation.QuestionToPoll(nil, now))
	p := federation.QuestionToPoll(decode(`{"type":"Question","id":"https://x.example/1","closed":true,
		"oneOf":[{"type":"Note","name":"a","replies":{"type":"Collection","totalItems":2}},{"type":"Note","name":"b"},{"type":"Note","name":""}]}`), now)
	require.NotNil(t, p)
	assert.Equal(t, storage.PollOptions{{Title: "a", VotesCount: 2}, {Title: "b"}}, p.Options)
	assert.Equal(t, int64(2), p.VotersCount, "a single-choice poll has as many voters as votes")
	require.NotNil(t, p.ClosedAt)
	assert.Equal(t, now, *p.ClosedAt)
	assert.Nil(t, p.ExpiresAt)
	p = federation.QuestionToPoll(decode(`{"type":"Question","id":"https://x.example/1","closed":"2026-02-01T00:00:00Z","votersCount":-3,
		"anyOf":[{"type":"Note","name":"a","replies":{"type":"Collection","totalItems":-2}}]}`), now)
	require.NotNil(t, p)
	assert.True(t, p.Multiple)
	assert.Zero(t, p.VotersCount)
	assert.Zero(t, p.Options[0].VotesCount, "negative counts are dropped")
	assert.Equal(t, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), *p.ClosedAt)
}

func FuzzQuestionToPoll(f *testing.F) {
	f.Add([]byte(`{"type":"Question","id":"https://x.example/1","oneOf":[{"type":"Note","name":"a","replies":{"totalItems":1}}],"endTime":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"type":"Question","anyOf":[{"type":"Note","name":"a"}],"closed":true,"votersCount":3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ap.Decode(data)
		if err != nil {
			return
		}
		if p := federation.QuestionToPoll(o, time.Now()); p != nil {
			assert.NotEmpty(t, p.Options)
			assert.GreaterOrEqual(t, p.VotesCount, int64(0))
		}
	})
}
