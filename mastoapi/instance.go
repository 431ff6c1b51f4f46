package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/herd-social/herd/storage"
)

// statsTTL is how long the instance counters are cached: clients fetch the
// instance often and the counts need not be exact.
const statsTTL = time.Minute

type statsCache struct {
	mu      sync.Mutex
	at      time.Time
	stats   InstanceStats
	contact *Account
}

func (a *API) instanceStats(ctx context.Context) (InstanceStats, *Account, error) {
	c := &a.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	now := a.now()
	if !c.at.IsZero() && now.Sub(c.at) < statsTTL {
		return c.stats, c.contact, nil
	}
	var st InstanceStats
	var err error
	if st.Users, err = a.store.Users().Count(ctx); err != nil {
		return st, nil, fmt.Errorf("instance: count users: %w", err)
	}
	// Active: the local accounts whose tokens were used in the last 4
	// weeks (recorded once a day, see recordActivity).
	act, err := a.store.Discovery().Activity(ctx, now.AddDate(0, 0, -28), time.Time{})
	if err != nil {
		return st, nil, fmt.Errorf("instance: count active users: %w", err)
	}
	st.ActiveMonth = act.Logins
	if st.LocalStatuses, err = a.store.Statuses().Count(ctx, true); err != nil {
		return st, nil, fmt.Errorf("instance: count statuses: %w", err)
	}
	if st.Domains, err = a.store.Instances().Count(ctx); err != nil {
		return st, nil, fmt.Errorf("instance: count domains: %w", err)
	}
	var contact *Account
	if a.info.ContactUsername != "" {
		acct, err := a.store.Accounts().GetByUsername(ctx, a.info.ContactUsername, "")
		switch {
		case err == nil:
			contact = AccountToAPI(acct, a.urls)
		case !errors.Is(err, storage.ErrNotFound):
			return st, nil, fmt.Errorf("instance: contact account: %w", err)
		}
	}
	c.at, c.stats, c.contact = now, st, contact
	return st, contact, nil
}

func (a *API) instanceV2(w http.ResponseWriter, r *http.Request) error {
	st, contact, err := a.instanceStats(r.Context())
	if err != nil {
		return err
	}
	in := InstanceToAPI(a.info, a.versionString(), a.urls, st, contact)
	if in.Rules, err = a.storedRules(r.Context()); err != nil {
		return err
	}
	if mc, ok := a.mediaConfig(); ok {
		in.Configuration.MediaAttachments = mc
	}
	in.Configuration.Polls = a.pollsConfig()
	WriteJSON(w, http.StatusOK, in)
	return nil
}

// mediaConfig is what the media service accepts (types depend on ffmpeg
// being installed), when one is configured.
func (a *API) mediaConfig() (MediaConfig, bool) {
	if a.media == nil {
		return MediaConfig{}, false
	}
	l := a.media.Limits().Instance(a.media.HasAV())
	return MediaConfig{
		SupportedMIMETypes: l.SupportedMIMETypes, DescriptionLimit: l.DescriptionLimit,
		ImageSizeLimit: l.ImageSizeLimit, ImageMatrixLimit: l.ImageMatrixLimit, VideoSizeLimit: l.VideoSizeLimit,
		VideoFrameRateLimit: l.VideoFrameRateLimit, VideoMatrixLimit: l.VideoMatrixLimit,
	}, true
}

func (a *API) instanceV1(w http.ResponseWriter, r *http.Request) error {
	st, contact, err := a.instanceStats(r.Context())
	if err != nil {
		return err
	}
	in := InstanceV1ToAPI(a.info, a.versionString(), a.urls, st, contact)
	if in.Rules, err = a.storedRules(r.Context()); err != nil {
		return err
	}
	if mc, ok := a.mediaConfig(); ok {
		in.Configuration.MediaAttachments = mc
	}
	in.Configuration.Polls = a.pollsConfig()
	WriteJSON(w, http.StatusOK, in)
	return nil
}

// maxPeers bounds the peer list.
const maxPeers = 10000

func (a *API) instancePeers(w http.ResponseWriter, r *http.Request) error {
	peers := []string{}
	after := ""
	for len(peers) < maxPeers {
		page, err := a.store.Instances().List(r.Context(), after, 1000)
		if err != nil {
			return fmt.Errorf("instance peers: %w", err)
		}
		for _, in := range page {
			peers = append(peers, in.Domain)
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Domain
	}
	WriteJSON(w, http.StatusOK, peers)
	return nil
}

func (a *API) instanceRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := a.storedRules(r.Context())
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rules)
	return nil
}

// emptyList answers [] for listings that have nothing to list yet.
func emptyList(w http.ResponseWriter, r *http.Request) error {
	WriteJSON(w, http.StatusOK, []struct{}{})
	return nil
}

// emptyObject answers {}.
func emptyObject(w http.ResponseWriter, r *http.Request) error {
	WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}
