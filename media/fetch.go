package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/storage"
)

// Defaults of FetcherOptions.
const (
	DefaultFetchWorkers = 2
	DefaultFetchQueue   = 1024
	DefaultFetchTimeout = 60 * time.Second
	DefaultRetryDelay   = time.Hour
)

// FetcherOptions configures a Fetcher.
type FetcherOptions struct {
	// Workers is the number of files fetched and processed at once
	// (default DefaultFetchWorkers); processing is further bounded by the
	// Processor's concurrency.
	Workers int
	// QueueSize bounds the jobs waiting for a worker (default
	// DefaultFetchQueue); when it is full new jobs are dropped with a log
	// line, and the media stay at their remote URLs.
	QueueSize int
	// Timeout bounds one download, from the request to the last byte
	// (default DefaultFetchTimeout): a stream that never ends fails.
	Timeout time.Duration
	// RetryDelay is how long a URL that failed is not fetched again
	// (default DefaultRetryDelay).
	RetryDelay time.Duration
	// RejectMedia, when set, is asked for the domain of the account that
	// owns remote media before anything is fetched: when it says yes
	// nothing is fetched, and status attachments are marked type unknown
	// (clients then show a link to RemoteURL), as Mastodon does for
	// domains whose media are rejected.
	RejectMedia func(ctx context.Context, domain string) bool
	// Logger receives fetch failures (warn) and rejections (info); default
	// slog.Default().
	Logger *slog.Logger
}

// Fetcher caches remote media in the Service's blobs: the attachments of
// remote statuses and the avatars and headers of remote accounts are
// downloaded within the Service's limits, processed like local uploads
// (preview, blurhash, metadata stripped; profile images cropped) and
// served from our storage, with RemoteURL kept. Enqueue* run the work on a
// bounded pool of workers so that the inbox stays fast; Fetch* do it now.
// A failure leaves the media at its remote URL, with a log line.
//
// The HTTP client must refuse private and loopback addresses at connect
// time (federation/transport's client does: pass its HTTPClient(), with
// MaxBodyBytes at least the media size limits). It is safe for concurrent
// use; Close stops the workers.
type Fetcher struct {
	svc    *Service
	client *http.Client
	o      FetcherOptions
	log    *slog.Logger

	jobs    chan fetchJob
	pending atomic.Int64
	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup

	mu       sync.Mutex
	queued   map[fetchJob]bool
	failedAt map[string]time.Time
}

type fetchJob struct {
	profile bool // the avatar and header of account id, else attachment id
	id      storage.ID
}

// maxFailures bounds the remembered failed URLs.
const maxFailures = 10000

// NewFetcher returns a Fetcher storing through svc and downloading with
// client, with its workers started.
func NewFetcher(svc *Service, client *http.Client, opts *FetcherOptions) *Fetcher {
	var o FetcherOptions
	if opts != nil {
		o = *opts
	}
	if o.Workers <= 0 {
		o.Workers = DefaultFetchWorkers
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultFetchQueue
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultFetchTimeout
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Fetcher{svc: svc, client: client, o: o, log: o.Logger, jobs: make(chan fetchJob, o.QueueSize),
		ctx: ctx, cancel: cancel, queued: map[fetchJob]bool{}, failedAt: map[string]time.Time{}}
	for range o.Workers {
		f.workers.Add(1)
		go f.work()
	}
	return f
}

// EnqueueAttachments queues the caching of remote attachments (records
// with RemoteURL and no files). It never blocks.
func (f *Fetcher) EnqueueAttachments(ids ...storage.ID) {
	for _, id := range ids {
		f.enqueue(fetchJob{id: id})
	}
}

// EnqueueProfile queues the caching of a remote account's avatar and
// header. It never blocks.
func (f *Fetcher) EnqueueProfile(accountID storage.ID) {
	f.enqueue(fetchJob{profile: true, id: accountID})
}

func (f *Fetcher) enqueue(j fetchJob) {
	if f.ctx.Err() != nil {
		return
	}
	f.mu.Lock()
	if f.queued[j] {
		f.mu.Unlock()
		return
	}
	f.queued[j] = true
	f.mu.Unlock()
	f.pending.Add(1)
	select {
	case f.jobs <- j:
	default:
		f.done(j)
		f.log.Warn("media: remote fetch queue full, media stays remote", "profile", j.profile, "id", j.id)
	}
}

func (f *Fetcher) done(j fetchJob) {
	f.mu.Lock()
	delete(f.queued, j)
	f.mu.Unlock()
	f.pending.Add(-1)
}

func (f *Fetcher) work() {
	defer f.workers.Done()
	for {
		select {
		case <-f.ctx.Done():
			return
		case j := <-f.jobs:
			ctx, cancel := context.WithTimeout(f.ctx, f.svc.opts.JobTimeout)
			var err error
			if j.profile {
				err = f.FetchProfile(ctx, j.id)
			} else {
				err = f.FetchAttachment(ctx, j.id)
			}
			cancel()
			if err != nil && f.ctx.Err() == nil && !errors.Is(err, errRecentlyFailed) {
				f.log.Warn("media: remote media not cached, it stays at its remote URL", "profile", j.profile, "id", j.id, "err", err)
			}
			f.done(j)
		}
	}
}

// Wait waits until no job is queued or running, or ctx is done.
func (f *Fetcher) Wait(ctx context.Context) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for f.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Close stops the workers (queued jobs are dropped) and waits for them, or
// for ctx.
func (f *Fetcher) Close(ctx context.Context) error {
	f.cancel()
	done := make(chan struct{})
	go func() { f.workers.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errRecentlyFailed: the URL failed less than RetryDelay ago.
var errRecentlyFailed = errors.New("media: remote URL failed recently")

// rejected asks RejectMedia about domain.
func (f *Fetcher) rejected(ctx context.Context, domain string) bool {
	return f.o.RejectMedia != nil && domain != "" && f.o.RejectMedia(ctx, domain)
}

// FetchAttachment caches the files of the remote attachment id now. It
// does nothing for a local attachment or one already cached; when the
// owner's domain is rejected it marks the attachment type unknown.
func (f *Fetcher) FetchAttachment(ctx context.Context, id storage.ID) error {
	m, err := f.svc.store.MediaAttachments().Get(ctx, id)
	if err != nil {
		return fmt.Errorf("media: fetch attachment %s: %w", id, err)
	}
	if m.RemoteURL == "" || m.FileKey != "" {
		return nil
	}
	owner, err := f.svc.store.Accounts().Get(ctx, m.AccountID)
	if err != nil {
		return fmt.Errorf("media: fetch attachment %s: owner: %w", id, err)
	}
	if owner.Local() {
		return nil
	}
	if f.rejected(ctx, owner.Domain) {
		f.log.Info("media: rejected domain, not fetched", "domain", owner.Domain, "attachment", id)
		if m.Type == storage.MediaUnknown {
			return nil
		}
		m.Type = storage.MediaUnknown
		return f.svc.store.MediaAttachments().Update(ctx, m)
	}
	res, err := f.download(ctx, m.RemoteURL, func(r io.Reader) (*Result, error) { return f.svc.proc.Process(ctx, r) })
	if err != nil {
		return fmt.Errorf("media: fetch %s: %w", m.RemoteURL, err)
	}
	defer res.Close()
	cached := &storage.MediaAttachment{ID: m.ID, Blurhash: m.Blurhash}
	if err := f.svc.storeResult(ctx, cached, res, "r/"); err != nil {
		return err
	}
	bg := context.WithoutCancel(ctx)
	kept := false
	err = f.svc.store.Tx(ctx, func(tx storage.Store) error {
		cur, err := tx.MediaAttachments().Get(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if cur.FileKey != "" {
			return nil // cached meanwhile
		}
		cur.FileKey, cur.PreviewKey = cached.FileKey, cached.PreviewKey
		cur.Type, cur.ContentType, cur.Size = cached.Type, cached.ContentType, cached.Size
		cur.Blurhash, cur.Meta, cur.State = cached.Blurhash, cached.Meta, storage.MediaReady
		kept = true
		return tx.MediaAttachments().Update(ctx, cur)
	})
	if err != nil || !kept {
		_ = f.svc.deleteFiles(bg, cached)
	}
	if err != nil {
		return fmt.Errorf("media: record cached attachment %s: %w", id, err)
	}
	return nil
}

// FetchProfile caches the avatar and header of the remote account id now:
// each that has a remote URL and is not cached yet is fetched, processed as
// a profile image and stored as a media attachment of that purpose, and
// the account's image URL then points at our copy (its remote URL is
// kept). Nothing is fetched when the account's domain is rejected.
func (f *Fetcher) FetchProfile(ctx context.Context, accountID storage.ID) error {
	a, err := f.svc.store.Accounts().Get(ctx, accountID)
	if err != nil {
		return fmt.Errorf("media: fetch profile %s: %w", accountID, err)
	}
	if a.Local() || !needsProfileFetch(a) {
		return nil
	}
	if f.rejected(ctx, a.Domain) {
		f.log.Info("media: rejected domain, not fetched", "domain", a.Domain, "account", accountID)
		return nil
	}
	var errs []error
	for _, p := range []storage.MediaPurpose{storage.MediaAvatar, storage.MediaHeader} {
		if err := f.fetchProfileImage(ctx, a, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// profileURLs returns the served and remote URLs of an account's image.
func profileURLs(a *storage.Account, p storage.MediaPurpose) (served, remote string) {
	if p == storage.MediaAvatar {
		return a.AvatarURL, a.AvatarRemoteURL
	}
	return a.HeaderURL, a.HeaderRemoteURL
}

// needsProfileFetch reports whether a remote account shows an image from
// its remote URL rather than from our cache.
func needsProfileFetch(a *storage.Account) bool {
	for _, p := range []storage.MediaPurpose{storage.MediaAvatar, storage.MediaHeader} {
		if served, remote := profileURLs(a, p); remote != "" && (served == remote || served == "") {
			return true
		}
	}
	return false
}

func (f *Fetcher) fetchProfileImage(ctx context.Context, a *storage.Account, p storage.MediaPurpose) error {
	served, remote := profileURLs(a, p)
	if remote == "" || (served != remote && served != "") {
		return nil
	}
	res, err := f.download(ctx, remote, func(r io.Reader) (*Result, error) {
		data, err := io.ReadAll(io.LimitReader(r, f.svc.Limits().ImageSizeLimit+1))
		if err != nil {
			return nil, err
		}
		return f.svc.proc.ProcessProfileImage(ctx, data, p)
	})
	if err != nil {
		return fmt.Errorf("media: fetch %s %s: %w", p, remote, err)
	}
	defer res.Close()
	m := &storage.MediaAttachment{ID: f.svc.store.NewID(), AccountID: a.ID, Purpose: p, State: storage.MediaReady, RemoteURL: remote}
	if err := f.svc.storeResult(ctx, m, res, "p/"); err != nil {
		return err
	}
	bg := context.WithoutCancel(ctx)
	var old storage.ID
	kept := false
	key := ProfileMediaKey(p)
	err = f.svc.store.Tx(ctx, func(tx storage.Store) error {
		// The store decides which of several processes caching this image
		// at once wins (the losers' files are deleted below); the winner
		// then holds the account's row until the transaction ends.
		won, err := tx.Accounts().SetCachedImage(ctx, a.ID, p, remote, f.svc.URL(m.FileKey))
		if err != nil || !won {
			return err // changed or cached meanwhile when !won
		}
		cur, err := tx.Accounts().Get(ctx, a.ID)
		if err != nil {
			return err
		}
		if err := tx.MediaAttachments().Create(ctx, m); err != nil {
			return err
		}
		old = ProfileMediaID(cur, key)
		if cur.Extra == nil {
			cur.Extra = storage.Extra{}
		}
		cur.Extra[key] = jsonString(m.ID.String())
		if p == storage.MediaAvatar {
			cur.Extra[ExtraAvatarStatic] = jsonString(f.svc.URL(m.PreviewKey))
		}
		kept = true
		return tx.Accounts().Update(ctx, cur)
	})
	if err != nil || !kept {
		_ = f.svc.deleteFiles(bg, m)
	}
	if err != nil {
		return fmt.Errorf("media: record cached %s of %s: %w", p, a.ID, err)
	}
	if old != 0 {
		if om, err := f.svc.Get(bg, old); err == nil {
			_ = f.svc.Delete(bg, om)
		}
	}
	return nil
}

// download GETs rawURL within the limits and hands the body, checked by
// type (sniffed) and size, to process.
func (f *Fetcher) download(ctx context.Context, rawURL string, process func(io.Reader) (*Result, error)) (*Result, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: not an http(s) URL", ErrUnsupported)
	}
	f.mu.Lock()
	t, failed := f.failedAt[rawURL]
	f.mu.Unlock()
	if failed && time.Since(t) < f.o.RetryDelay {
		return nil, errRecentlyFailed
	}
	res, err := f.get(ctx, rawURL, process)
	if err != nil && ctx.Err() == nil {
		f.mu.Lock()
		if len(f.failedAt) >= maxFailures {
			clear(f.failedAt)
		}
		f.failedAt[rawURL] = time.Now()
		f.mu.Unlock()
	}
	return res, err
}

func (f *Fetcher) get(ctx context.Context, rawURL string, process func(io.Reader) (*Result, error)) (*Result, error) {
	// The timeout bounds the download; process (which reads the whole
	// body before the slow work) runs under ctx.
	dl, cancel := context.WithTimeout(ctx, f.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(dl, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "image/*, video/*, audio/*;q=0.9, */*;q=0.1")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	l := f.svc.Limits()
	if resp.ContentLength > l.maxUpload() {
		return nil, fmt.Errorf("%w: %d bytes announced", ErrTooLarge, resp.ContentLength)
	}
	sr := &sniffingReader{r: ctxReader{dl, resp.Body}, limits: l, limit: l.maxUpload()}
	res, err := process(sr)
	switch {
	case sr.err != nil:
		err = sr.err
	case err != nil && errors.Is(dl.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		err = fmt.Errorf("%w: the download did not finish within %s", ErrTooLarge, f.o.Timeout)
	}
	if err != nil {
		if res != nil {
			_ = res.Close()
		}
		return nil, err
	}
	return res, nil
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// Accounts wraps accounts so that storing a remote account whose avatar
// or header is not cached queues FetchProfile: give it to the federation
// resolver, which stores the actors it fetches.
func (f *Fetcher) Accounts(accounts storage.Accounts) storage.Accounts {
	return cachingAccounts{Accounts: accounts, f: f}
}

type cachingAccounts struct {
	storage.Accounts
	f *Fetcher
}

func (c cachingAccounts) Create(ctx context.Context, a *storage.Account) error {
	if err := c.Accounts.Create(ctx, a); err != nil {
		return err
	}
	c.queue(a)
	return nil
}

func (c cachingAccounts) Update(ctx context.Context, a *storage.Account) error {
	if err := c.Accounts.Update(ctx, a); err != nil {
		return err
	}
	c.queue(a)
	return nil
}

func (c cachingAccounts) queue(a *storage.Account) {
	if !a.Local() && needsProfileFetch(a) {
		c.f.EnqueueProfile(a.ID)
	}
}

var _ storage.Accounts = cachingAccounts{}
