package mastoapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Poll is the Mastodon Poll entity. voted and own_votes are present only
// for a signed-in viewer; the counts of the options are null while the
// author hides them (hide_totals) from others until the poll has ended.
type Poll struct {
	ID          string        `json:"id"`
	ExpiresAt   *Time         `json:"expires_at"`
	Expired     bool          `json:"expired"`
	Multiple    bool          `json:"multiple"`
	VotesCount  int64         `json:"votes_count"`
	VotersCount *int64        `json:"voters_count"`
	Options     []PollOption  `json:"options"`
	Emojis      []CustomEmoji `json:"emojis"`
	Voted       *bool         `json:"voted,omitempty"`
	OwnVotes    *[]int        `json:"own_votes,omitempty"`
}

// PollOption is one choice of a Poll entity.
type PollOption struct {
	Title      string `json:"title"`
	VotesCount *int64 `json:"votes_count"`
}

// PollView is what PollToAPI needs beyond the poll: the viewer's choices
// (nil for an anonymous viewer) and whether the viewer wrote it.
type PollView struct {
	OwnVotes []int
	SignedIn bool
	Own      bool
	Now      time.Time
}

// PollToAPI converts a stored poll to the Poll entity.
func PollToAPI(p *storage.Poll, v PollView) *Poll {
	out := &Poll{ID: p.ID.String(), ExpiresAt: TimePtr(p.ExpiresAt), Expired: p.Expired(v.Now), Multiple: p.Multiple,
		VotesCount: p.VotesCount, Options: make([]PollOption, len(p.Options)), Emojis: []CustomEmoji{}}
	voters := p.VotersCount
	out.VotersCount = &voters
	hidden := p.HideTotals && !out.Expired && !v.Own
	for i, o := range p.Options {
		out.Options[i] = PollOption{Title: o.Title}
		if !hidden {
			n := o.VotesCount
			out.Options[i].VotesCount = &n
		}
	}
	if v.SignedIn {
		own := append([]int{}, v.OwnVotes...)
		voted := len(own) > 0 || v.Own
		out.Voted, out.OwnVotes = &voted, &own
	}
	return out
}

// StatusEditPoll is the poll of a StatusEdit entity: its options' titles.
type StatusEditPoll struct {
	Options []StatusEditPollOption `json:"options"`
}

// StatusEditPollOption is one option of a StatusEditPoll.
type StatusEditPollOption struct {
	Title string `json:"title"`
}

// statusEditPoll renders the poll of a version of a status, nil without.
func statusEditPoll(e *storage.StatusEdit) *StatusEditPoll {
	if len(e.PollOptions) == 0 {
		return nil
	}
	out := &StatusEditPoll{Options: make([]StatusEditPollOption, len(e.PollOptions))}
	for i, t := range e.PollOptions {
		out.Options[i].Title = t
	}
	return out
}

// pollsConfig is configuration.polls from the social core's limits.
func (a *API) pollsConfig() PollsConfig {
	if a.svc == nil {
		return pollsConfig()
	}
	l := a.svc.PollLimits()
	return PollsConfig{MaxOptions: l.MaxOptions, MaxCharactersPerOption: l.MaxOptionChars,
		MinExpiration: int(l.MinExpiration / time.Second), MaxExpiration: int(l.MaxExpiration / time.Second)}
}

// pollInput reads the poll of a status: poll[options][], poll[expires_in],
// poll[multiple] and poll[hide_totals] (form, query or JSON). It returns
// nil when no poll is given.
func pollInput(p *Params) (*social.PollInput, error) {
	if !p.Has("poll") {
		return nil, nil
	}
	sub := p.Sub("poll")
	if len(sub.Keys()) == 0 {
		return nil, nil
	}
	in := &social.PollInput{Options: sub.Strings("options"), Multiple: sub.Bool("multiple", false), HideTotals: sub.Bool("hide_totals", false)}
	s, _ := sub.Lookup("expires_in")
	if s = strings.TrimSpace(s); s != "" {
		// JSON clients may send a number with a fraction.
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != f || f > 1e12 || f < -1e12 {
			return nil, validationError("Poll expires in must be a number of seconds")
		}
		// Beyond ten years (far past any limit) it is clamped, so that the
		// conversion cannot overflow; validation then refuses it.
		f = min(max(f, -1), 10*365*24*3600)
		in.ExpiresIn = time.Duration(f) * time.Second
	}
	return in, nil
}

// loadPolls loads the polls of sts and the viewer's votes in them.
func (a *API) loadPolls(ctx context.Context, viewer *storage.Account, sts []*storage.Status) (map[storage.ID]*storage.Poll, map[storage.ID][]int, error) {
	var ids []storage.ID
	for _, st := range sts {
		if st.PollID != 0 {
			ids = append(ids, st.PollID)
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	ids = unique(ids)
	ps, err := a.store.Polls().GetMany(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("render: polls: %w", err)
	}
	polls := make(map[storage.ID]*storage.Poll, len(ps))
	for _, p := range ps {
		polls[p.ID] = p
	}
	var own map[storage.ID][]int
	if viewer != nil {
		if own, err = a.store.Polls().OwnVotes(ctx, viewer.ID, ids); err != nil {
			return nil, nil, fmt.Errorf("render: own votes: %w", err)
		}
	}
	return polls, own, nil
}

// renderPoll renders the poll p of a status for viewer.
func (a *API) renderPoll(p *storage.Poll, viewer *storage.Account, own []int) *Poll {
	v := PollView{OwnVotes: own, Now: a.clock()}
	if viewer != nil {
		v.SignedIn, v.Own = true, viewer.ID == p.AccountID
	}
	return PollToAPI(p, v)
}

func (a *API) clock() time.Time {
	if a.now != nil {
		return a.now()
	}
	return time.Now()
}

// registerPollRoutes declares the poll endpoints.
func (a *API) registerPollRoutes() {
	a.Handle(http.MethodGet, "/api/v1/polls/{id:[0-9]+}", RouteOptions{Auth: AuthOptional, Scopes: []string{"read:statuses"}}, a.showPoll)
	a.Handle(http.MethodPost, "/api/v1/polls/{id:[0-9]+}/votes", RouteOptions{Auth: AuthUser, Scopes: []string{"write:statuses"}}, a.votePoll)
}

func (a *API) writePoll(w http.ResponseWriter, r *http.Request, p *storage.Poll) error {
	viewer := viewerOf(r)
	var own []int
	if viewer != nil {
		votes, err := a.store.Polls().OwnVotes(r.Context(), viewer.ID, []storage.ID{p.ID})
		if err != nil {
			return fmt.Errorf("own votes: %w", err)
		}
		own = votes[p.ID]
	}
	WriteJSON(w, http.StatusOK, a.renderPoll(p, viewer, own))
	return nil
}

func (a *API) showPoll(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, _, err := a.svc.GetPoll(r.Context(), viewerOf(r), id)
	if err != nil {
		return err
	}
	return a.writePoll(w, r, p)
}

// errNoChoices is Rails' answer to a missing required parameter.
var errNoChoices = NewError(http.StatusBadRequest, "param is missing or the value is empty: choices")

func (a *API) votePoll(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	raw := ParamsOf(r).Strings("choices")
	if len(raw) == 0 {
		return errNoChoices
	}
	choices := make([]int, 0, len(raw))
	for _, s := range raw {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return validationError("The chosen vote option does not exist")
		}
		choices = append(choices, n)
	}
	p, err := a.svc.Vote(r.Context(), AuthOf(r).Account, id, choices)
	if err != nil {
		return err
	}
	return a.writePoll(w, r, p)
}
