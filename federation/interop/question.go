package interop

import (
	"context"
	"time"
)

// QuestionRequest describes a poll for Peer.Question.
type QuestionRequest struct {
	// Content is the HTML content.
	Content string
	// Options are the choices; Votes their vote counts (optional).
	Options []string
	Votes   []int
	// Multiple puts the options under anyOf (else oneOf).
	Multiple bool
	// EndTime is when the poll ends (zero: no endTime).
	EndTime time.Time
	// Voters is votersCount.
	Voters int
}

// Question creates a public poll and sends Create(Question) to the peer's
// followers.
func (p *Peer) Question(ctx context.Context, req QuestionRequest) (*NoteResult, error) {
	body := map[string]any{"content": req.Content, "options": req.Options, "multiple": req.Multiple, "voters": req.Voters}
	if len(req.Votes) > 0 {
		body["votes"] = req.Votes
	}
	if !req.EndTime.IsZero() {
		body["endTime"] = req.EndTime.UTC().Format(time.RFC3339)
	}
	var out NoteResult
	if err := p.post(ctx, "/control/question", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
