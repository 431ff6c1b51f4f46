package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// ServiceOptions configures a Service.
type ServiceOptions struct {
	// SyncWait is how long Upload waits for an image to be processed
	// before it returns the attachment still processing (default 2s), as
	// Mastodon's POST /api/v2/media answers 200 for small images and 202
	// otherwise. Video, audio and animated GIFs are never waited for.
	SyncWait time.Duration
	// UploadTimeout bounds the reading of one upload (default 5 minutes):
	// a stream that never ends fails.
	UploadTimeout time.Duration
	// JobTimeout bounds the processing of one upload (default 15 minutes).
	JobTimeout time.Duration
	// Logger receives background failures (default slog.Default()).
	Logger *slog.Logger
}

// Service handles media attachments: uploads stored raw under TempPrefix,
// processed in the background by a Processor into blobs, and recorded in
// storage.MediaAttachments. It is safe for concurrent use; Close waits for
// the background jobs.
type Service struct {
	store storage.Store
	blobs Blobs
	proc  *Processor
	url   func(key string) string
	opts  ServiceOptions
	log   *slog.Logger

	ctx    context.Context // of the background jobs; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewService returns a Service. url maps a blob key to its public URL
// (social.URLs.Media for blobs served by Handler, PublicURL for a CDN).
func NewService(store storage.Store, blobs Blobs, proc *Processor, url func(key string) string, opts *ServiceOptions) *Service {
	var o ServiceOptions
	if opts != nil {
		o = *opts
	}
	if o.SyncWait <= 0 {
		o.SyncWait = 2 * time.Second
	}
	if o.UploadTimeout <= 0 {
		o.UploadTimeout = 5 * time.Minute
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{store: store, blobs: blobs, proc: proc, url: url, opts: o, log: o.Logger, ctx: ctx, cancel: cancel}
}

// URL returns the public URL of a blob key ("" for "").
func (s *Service) URL(key string) string {
	if key == "" {
		return ""
	}
	return s.url(key)
}

// Limits returns the limits uploads are held to.
func (s *Service) Limits() Limits { return s.proc.Limits() }

// Close cancels the background jobs and waits for them (or for ctx).
// Attachments whose processing was cancelled are marked failed.
func (s *Service) Close(ctx context.Context) error {
	s.cancel()
	return s.Wait(ctx)
}

// Wait waits until no background job is running, or ctx is done.
func (s *Service) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// randomToken makes blob keys unguessable: attachment IDs are time-ordered.
func randomToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkFocus validates a focal point.
func checkFocus(f storage.MediaFocus) error {
	if math.IsNaN(f.X) || math.IsNaN(f.Y) || f.X < -1 || f.X > 1 || f.Y < -1 || f.Y > 1 {
		return fmt.Errorf("%w: focus (%v, %v) must lie within [-1, 1]", ErrInvalidInput, f.X, f.Y)
	}
	return nil
}

// ErrInvalidInput is returned (wrapped) for a bad description or focus.
var ErrInvalidInput = errors.New("media: invalid attachment attributes")

func (s *Service) checkDescription(d string) error {
	if n := utf8.RuneCountInString(d); n > s.Limits().DescriptionLimit {
		return fmt.Errorf("%w: description of %d characters, the limit is %d", ErrInvalidInput, n, s.Limits().DescriptionLimit)
	}
	return nil
}

// sniffingReader records the first SniffLen bytes read through it and
// enforces a size limit that it learns from them.
type sniffingReader struct {
	r      io.Reader
	head   []byte
	limits Limits
	read   int64
	limit  int64
	format *Format
	err    error // the input error returned, if any
}

func (s *sniffingReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if len(s.head) < SniffLen {
		s.head = append(s.head, p[:min(n, SniffLen-len(s.head))]...)
	}
	s.read += int64(n)
	if s.format == nil && (len(s.head) >= SniffLen || (err == io.EOF && s.read > 0)) {
		f := Sniff(s.head)
		s.format = &f
		switch f.Kind {
		case storage.MediaImage:
			s.limit = s.limits.ImageSizeLimit
		case storage.MediaVideo, storage.MediaAudio:
			s.limit = s.limits.VideoSizeLimit
		default:
			s.err = fmt.Errorf("%w: %s", ErrUnsupported, f.MIME)
			return n, s.err
		}
	}
	if s.read > s.limit {
		if s.format == nil {
			return n, nil
		}
		s.err = fmt.Errorf("%w: more than %d bytes for %s", ErrTooLarge, s.limit, s.format.MIME)
		return n, s.err
	}
	return n, err
}

// Upload stores a new attachment of account from r. The file name is not
// used (types are sniffed from content). It reads and stores the raw file
// under TempPrefix, records the attachment as processing and processes it
// in the background; for images it waits up to SyncWait for the result.
// Bad files fail with ErrUnsupported, ErrTooLarge, ErrCorrupt or
// ErrToolsMissing — then nothing is stored — unless processing outlasts
// the wait: then the attachment turns failed, with ProcessingError set.
func (s *Service) Upload(ctx context.Context, accountID storage.ID, r io.Reader, filename, description string, focus storage.MediaFocus) (*storage.MediaAttachment, error) {
	_ = filename
	if err := s.checkDescription(description); err != nil {
		return nil, err
	}
	if err := checkFocus(focus); err != nil {
		return nil, err
	}
	l := s.Limits()
	rctx, cancel := context.WithTimeout(ctx, s.opts.UploadTimeout)
	defer cancel()
	sr := &sniffingReader{r: ctxReader{rctx, r}, limits: l, limit: l.maxUpload()}
	id := s.store.NewID()
	tmpKey := TempPrefix + id.String() + "-" + randomToken()
	if err := s.blobs.Put(rctx, tmpKey, sr, -1, "application/octet-stream"); err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), tmpKey)
		if sr.err != nil {
			return nil, sr.err
		}
		if rctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: the upload did not finish within %s", ErrTooLarge, s.opts.UploadTimeout)
		}
		return nil, fmt.Errorf("media: store upload: %w", err)
	}
	if sr.format == nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), tmpKey)
		return nil, fmt.Errorf("%w: empty file", ErrUnsupported)
	}
	f := *sr.format
	if f.Kind != storage.MediaImage && !s.proc.HasAV() {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), tmpKey)
		return nil, s.proc.toolsErr
	}
	m := &storage.MediaAttachment{
		ID: id, AccountID: accountID, Type: f.Kind, State: storage.MediaProcessing,
		ContentType: f.MIME, Size: sr.read, Description: description, FocusX: focus.X, FocusY: focus.Y,
	}
	if err := s.store.MediaAttachments().Create(ctx, m); err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), tmpKey)
		return nil, fmt.Errorf("media: record upload: %w", err)
	}

	done := make(chan error, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		done <- s.process(m.ID, tmpKey)
	}()
	if f.Kind != storage.MediaImage || f.MIME == "image/gif" {
		return m, nil
	}
	timer := time.NewTimer(s.opts.SyncWait)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil && IsInputError(err) {
			// Refused within the wait: answer with the error, keep nothing.
			_ = s.store.MediaAttachments().Delete(context.WithoutCancel(ctx), m.ID)
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		return s.store.MediaAttachments().Get(ctx, m.ID)
	case <-timer.C:
		return m, nil
	case <-ctx.Done():
		return m, nil
	}
}

// process is the background job of one upload.
func (s *Service) process(id storage.ID, tmpKey string) (err error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.JobTimeout)
	defer cancel()
	bg := context.WithoutCancel(ctx) // for cleanups after cancellation
	defer func() { _ = s.blobs.Delete(bg, tmpKey) }()

	fail := func(err error) error {
		msg := err.Error()
		if !IsInputError(err) {
			msg = "processing failed"
			s.log.Error("media: processing failed", "attachment", id, "err", err)
		}
		_ = s.store.Tx(bg, func(tx storage.Store) error {
			m, gerr := tx.MediaAttachments().Get(bg, id)
			if gerr != nil {
				return gerr
			}
			m.State, m.ProcessingError = storage.MediaFailed, msg
			return tx.MediaAttachments().Update(bg, m)
		})
		return err
	}

	blob, err := s.blobs.Open(ctx, tmpKey)
	if err != nil {
		return fail(err)
	}
	res, err := s.proc.Process(ctx, blob)
	_ = blob.Close()
	if err != nil {
		return fail(err)
	}
	defer res.Close()

	// putRenditions removes what it stored when it fails.
	fileKey, previewKey, err := s.putRenditions(ctx, res, "a/"+id.String()+"/"+randomToken()+"/")
	if err != nil {
		return fail(err)
	}
	err = s.store.Tx(ctx, func(tx storage.Store) error {
		m, err := tx.MediaAttachments().Get(ctx, id)
		if err != nil {
			return err
		}
		m.Type, m.State = res.Type, storage.MediaReady
		m.FileKey, m.PreviewKey = fileKey, previewKey
		m.ContentType, m.Size = res.Original.ContentType, res.Original.Size
		m.Blurhash, m.Meta, m.ProcessingError = res.Blurhash, res.Meta, ""
		return tx.MediaAttachments().Update(ctx, m)
	})
	if err != nil {
		// Deleted meanwhile, or the database failed: keep no files.
		if derr := s.deleteFiles(bg, &storage.MediaAttachment{FileKey: fileKey, PreviewKey: previewKey}); derr != nil {
			s.log.Warn("media: remove files of an attachment not recorded", "attachment", id, "err", derr)
		}
		if !errors.Is(err, storage.ErrNotFound) {
			s.log.Error("media: record processed attachment", "attachment", id, "err", err)
		}
		return err
	}
	return nil
}

// Get returns an attachment.
func (s *Service) Get(ctx context.Context, id storage.ID) (*storage.MediaAttachment, error) {
	return s.store.MediaAttachments().Get(ctx, id)
}

// Update sets the description and focal point of accountID's attachment
// id; nil leaves a value as it is. Another account's attachment is
// storage.ErrNotFound.
func (s *Service) Update(ctx context.Context, accountID, id storage.ID, description *string, focus *storage.MediaFocus) (*storage.MediaAttachment, error) {
	if description != nil {
		if err := s.checkDescription(*description); err != nil {
			return nil, err
		}
	}
	if focus != nil {
		if err := checkFocus(*focus); err != nil {
			return nil, err
		}
	}
	var out *storage.MediaAttachment
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		m, err := tx.MediaAttachments().Get(ctx, id)
		if err != nil {
			return err
		}
		if m.AccountID != accountID {
			return fmt.Errorf("media attachment %s: %w", id, storage.ErrNotFound)
		}
		if description != nil {
			m.Description = *description
		}
		if focus != nil {
			m.FocusX, m.FocusY = focus.X, focus.Y
		}
		if err := tx.MediaAttachments().Update(ctx, m); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

// Delete deletes an attachment record and its files.
func (s *Service) Delete(ctx context.Context, m *storage.MediaAttachment) error {
	if err := s.store.MediaAttachments().Delete(ctx, m.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return s.deleteFiles(ctx, m)
}

func (s *Service) deleteFiles(ctx context.Context, m *storage.MediaAttachment) error {
	var errs []error
	for _, k := range []string{m.FileKey, m.PreviewKey} {
		if k != "" {
			if err := s.blobs.Delete(ctx, k); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// ExpireUnattached deletes the attachments (records and files) created
// before olderThan and never attached to a status, and the raw uploads
// under TempPrefix older than olderThan (left by jobs a crash
// interrupted). It returns how many attachments it deleted.
func (s *Service) ExpireUnattached(ctx context.Context, olderThan time.Time) (int, error) {
	n := 0
	for {
		batch, err := s.store.MediaAttachments().ListUnattached(ctx, olderThan, 100)
		if err != nil {
			return n, err
		}
		for _, m := range batch {
			if err := s.Delete(ctx, m); err != nil {
				return n, err
			}
			n++
		}
		if len(batch) < 100 {
			break
		}
	}
	after := ""
	for {
		page, err := s.blobs.List(ctx, TempPrefix, after, 500)
		if err != nil {
			return n, err
		}
		for _, b := range page {
			if b.ModTime.Before(olderThan) {
				if err := s.blobs.Delete(ctx, b.Key); err != nil {
					return n, err
				}
			}
		}
		if len(page) < 500 {
			return n, nil
		}
		after = page[len(page)-1].Key
	}
}

// Prune deletes the cached files of remote attachments created before
// olderThan, keeping their records (they point at RemoteURL and can be
// fetched again), and the cached avatars and headers of remote accounts
// (whose images then point at their remote URLs again). Local media is
// kept. progress, when not nil, is called after each attachment
// with the count done and the total. It returns how many it pruned.
func (s *Service) Prune(ctx context.Context, olderThan time.Time, progress func(done, total int)) (int, error) {
	total, err := s.store.MediaAttachments().CountRemoteCached(ctx, olderThan)
	if err != nil {
		return 0, err
	}
	done := 0
	for {
		batch, err := s.store.MediaAttachments().ListRemoteCached(ctx, olderThan, 100)
		if err != nil {
			return done, err
		}
		if len(batch) == 0 {
			return done, nil
		}
		for _, m := range batch {
			if m.Purpose != storage.MediaForStatus {
				// A cached remote avatar or header: the account goes back
				// to the remote URL, the record goes (a new fetch makes
				// another).
				if err := s.uncacheProfile(ctx, m); err != nil {
					return done, err
				}
			} else {
				if err := s.deleteFiles(ctx, m); err != nil {
					return done, err
				}
				m.FileKey, m.PreviewKey = "", ""
				if err := s.store.MediaAttachments().Update(ctx, m); err != nil {
					return done, err
				}
			}
			done++
			if progress != nil {
				progress(done, max(done, int(total)))
			}
		}
	}
}

// HasAV reports whether video, audio and animated GIFs can be processed
// (ffmpeg and ffprobe with the needed encoders were found).
func (s *Service) HasAV() bool { return s.proc.HasAV() }

// ErrAttached is returned (wrapped) by DeleteUnattached for an attachment
// already attached to a status.
var ErrAttached = errors.New("media: attachment is attached to a status")

// DeleteUnattached deletes accountID's status attachment id, record and
// files, unless it is attached to a status (ErrAttached). Another
// account's attachment, or a profile image, is storage.ErrNotFound.
func (s *Service) DeleteUnattached(ctx context.Context, accountID, id storage.ID) error {
	var m *storage.MediaAttachment
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		var err error
		if m, err = tx.MediaAttachments().Get(ctx, id); err != nil {
			return err
		}
		if m.AccountID != accountID || m.Purpose != storage.MediaForStatus {
			return fmt.Errorf("media attachment %s: %w", id, storage.ErrNotFound)
		}
		if m.StatusID != 0 {
			return fmt.Errorf("media attachment %s: %w", id, ErrAttached)
		}
		return tx.MediaAttachments().Delete(ctx, id)
	})
	if err != nil {
		return err
	}
	// The record is gone: a background job still processing it finds
	// nothing to update and removes what it stored.
	return s.deleteFiles(ctx, m)
}

// uncacheProfile deletes a cached remote profile image: the account's
// image points at its remote URL again, then the record and files go.
func (s *Service) uncacheProfile(ctx context.Context, m *storage.MediaAttachment) error {
	key := ProfileMediaKey(m.Purpose)
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		a, err := tx.Accounts().Get(ctx, m.AccountID)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if ProfileMediaID(a, key) != m.ID {
			return nil
		}
		delete(a.Extra, key)
		if m.Purpose == storage.MediaAvatar {
			a.AvatarURL = a.AvatarRemoteURL
			delete(a.Extra, ExtraAvatarStatic)
		} else {
			a.HeaderURL = a.HeaderRemoteURL
		}
		return tx.Accounts().Update(ctx, a)
	})
	if err != nil {
		return fmt.Errorf("media: uncache %s of account %s: %w", m.Purpose, m.AccountID, err)
	}
	return s.Delete(ctx, m)
}
