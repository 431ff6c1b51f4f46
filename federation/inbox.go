package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/storage"
)

// Defaults of InboxOptions.
const (
	DefaultInboxMaxBody  = 1 << 20 // 1 MiB, as Mastodon
	DefaultInboxMaxDepth = 32
	DefaultInboxRate     = 20  // activities per second per host
	DefaultInboxBurst    = 200 // activities a host may send at once
)

// RejectError is an error a handler returns to refuse an activity with a
// 4xx status and a reason for the sender.
type RejectError struct {
	Status int
	Reason string
}

// Error implements error.
func (e *RejectError) Error() string {
	return fmt.Sprintf("activity rejected (%d): %s", e.Status, e.Reason)
}

// ErrReject returns an error that makes the inbox answer 403 Forbidden with
// reason: the activity is understood and refused.
func ErrReject(reason string) error {
	return &RejectError{Status: http.StatusForbidden, Reason: reason}
}

// ErrInvalidActivity returns an error that makes the inbox answer 400 Bad
// Request with reason: the activity makes no sense.
func ErrInvalidActivity(reason string) error {
	return &RejectError{Status: http.StatusBadRequest, Reason: reason}
}

// Handlers is the registry of typed activity handlers an Inbox dispatches
// to. Register with On; the zero value is ready to use. Register before
// serving: Handlers is not safe for registration concurrent with dispatch.
type Handlers struct {
	m map[string]func(ctx context.Context, d *dispatch) error
}

// dispatch is what the inbox knows about one verified activity.
type dispatch struct {
	act       *ap.Object
	signer    *storage.Account
	recipient *storage.Account
	body      []byte
	keyID     string
	resolver  *Resolver
}

// On registers fn as the handler of activities of type T (one handler per
// type; a later registration replaces an earlier one):
//
//	federation.On(h, func(ctx context.Context, in *federation.Incoming[federation.Follow]) error {
//		… in.Activity.Followee(), in.Signer …
//	})
func On[T Kind](h *Handlers, fn func(ctx context.Context, in *Incoming[T]) error) {
	if h.m == nil {
		h.m = map[string]func(context.Context, *dispatch) error{}
	}
	var zero T
	h.m[zero.Type()] = func(ctx context.Context, d *dispatch) error {
		in := &Incoming[T]{
			Activity:  T{Activity{AP: d.act}},
			Signer:    d.signer,
			Recipient: d.recipient,
			Body:      d.body,
			KeyID:     d.keyID,
			resolver:  d.resolver,
		}
		return fn(ctx, in)
	}
}

// Handles reports whether a handler is registered for the activity type.
func (h *Handlers) Handles(activityType string) bool {
	_, ok := h.m[activityType]
	return ok
}

// Incoming is one verified inbound activity of type T, as given to its
// handler. Its context carries the activity's fetch budget.
type Incoming[T Kind] struct {
	// Activity is the typed activity; Activity.AP the decoded document.
	Activity T
	// Signer is the verified actor (the key owner, equal to the activity's
	// actor), as stored by the Resolver.
	Signer *storage.Account
	// Recipient is the local account whose personal inbox received the
	// activity; nil for the shared inbox.
	Recipient *storage.Account
	// Body is the raw request body.
	Body []byte
	// KeyID is the key that signed the request.
	KeyID string

	resolver *Resolver
}

// Resolver returns the Resolver of the inbox, for handlers that need to
// resolve further actors or objects (within the activity's fetch budget).
func (in *Incoming[T]) Resolver() *Resolver { return in.resolver }

// Object returns the activity's object in a form that can be trusted: the
// embedded object when its id is on the actor's origin (or it has no id),
// else the object fetched from its own origin (spending the fetch budget),
// as for an object given by IRI. For Create and Update of a post, the
// object must be attributed to the actor, else the error is a RejectError.
// Errors caused by the remote side (not found, origin mismatch, exhausted
// budget) are RejectErrors (400); network failures and 5xx answers are
// TemporaryErrors (503 with Retry-After: the sender retries later).
func (in *Incoming[T]) Object(ctx context.Context) (*ap.Object, error) {
	act := in.Activity.AnyActivity()
	ref := act.AP.Object.First()
	actor := act.ActorIRI()
	var obj *ap.Object
	switch {
	case ref.Obj != nil && (ref.Obj.ID == "" || ap.SameOrigin(ref.Obj.ID, actor)):
		obj = ref.Obj
	case ref.ID() != "":
		o, err := in.resolver.ResolveObject(ctx, ref.ID())
		if err != nil {
			return nil, classifyFetchError(err)
		}
		obj = o
	default:
		return nil, ErrInvalidActivity("activity has no object")
	}
	switch act.AP.Type {
	case ap.TypeCreate, ap.TypeUpdate:
		if obj.IsActor() {
			if obj.ID != actor {
				return nil, ErrReject("an actor may only update itself")
			}
		} else if !obj.AttributedTo.Contains(actor) {
			return nil, ErrReject("object is not attributed to the actor")
		}
	}
	return obj, nil
}

// AnyActivity returns the common view of a typed activity.
func (a Activity) AnyActivity() Activity { return a }

// TemporaryError wraps a failure that may go away (a remote server down or
// slow): the inbox answers 503 with Retry-After, so that the sender retries
// later.
type TemporaryError struct{ Err error }

// Error implements error.
func (e *TemporaryError) Error() string { return "temporary failure: " + e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *TemporaryError) Unwrap() error { return e.Err }

// classifyFetchError turns failures that retrying will not fix into 400s,
// and the others into TemporaryErrors.
func classifyFetchError(err error) error {
	var se *transport.StatusError
	var ne net.Error
	switch {
	case errors.As(err, &se) && (se.StatusCode >= 500 || se.StatusCode == http.StatusTooManyRequests):
		return &TemporaryError{err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.As(err, &ne):
		return &TemporaryError{err}
	}
	return &RejectError{Status: http.StatusBadRequest, Reason: "object unavailable: " + err.Error()}
}

// InboxOptions tunes an Inbox. The zero value gives the defaults.
type InboxOptions struct {
	// Recipient, when set, makes a personal inbox: it returns the local
	// account the request is addressed to (from the path), or an error
	// wrapping storage.ErrNotFound (answered 404). Nil makes a shared inbox.
	Recipient func(r *http.Request) (*storage.Account, error)
	// Verifier checks signatures (default signature.NewVerifier(nil)).
	Verifier *signature.Verifier
	// Log records processed activity ids (default: an in-memory
	// MemoryInboxLog; use storage.Store.InboxLog() to survive restarts and
	// share it between processes).
	Log storage.InboxLog
	// Instances, when set, has the sender's host marked available again
	// (see MarkAvailable) when a verified activity arrives from it.
	Instances storage.Instances
	// Policy filters verified activities before dispatch.
	Policy Policy
	// Blocked, when set, refuses (403) activities whose signing key or
	// actor is on a blocked host, before the key is fetched or anything is
	// stored.
	Blocked HostBlocker
	// MaxBodyBytes bounds the body (default DefaultInboxMaxBody): 413.
	MaxBodyBytes int64
	// MaxDepth bounds JSON nesting (default DefaultInboxMaxDepth): 400.
	MaxDepth int
	// FetchBudget is how many remote fetches one activity may trigger
	// (default DefaultFetchBudget).
	FetchBudget int
	// Rate and Burst set the per-host token bucket, keyed by the host of the
	// signature's keyId (defaults DefaultInboxRate per second and
	// DefaultInboxBurst); over it the inbox answers 429 with Retry-After.
	// A negative Rate disables the limit.
	Rate  float64
	Burst int
	// Logger receives rejections (info), ignored activities (debug) and
	// handler failures (error). Nil discards.
	Logger *slog.Logger
	Now    func() time.Time
}

// Inbox is the http.Handler of a shared or personal ActivityPub inbox. For
// each POST it applies, in order: the method (405), Content-Type (415),
// body size (413), JSON depth (400), a signature being present (401) and
// the per-host rate limit (429 + Retry-After); decoding and validation
// (400); type dispatch (unknown types: 202, ignored); the recipient of a
// personal inbox (404); the signature (401, or 400 when malformed); key
// owner = actor (401); activity id on the actor's origin (400); the Policy
// (403 or a silent 202); idempotency (a replay: 202 without dispatch); then
// the typed handler: 202 on success, the RejectError's status, 503 for a
// TemporaryError, or 500.
//
// A Delete of an actor unknown here is answered 202 without fetching
// anything (the actor is gone; its key usually answers 410).
type Inbox struct {
	resolver *Resolver
	handlers *Handlers
	o        InboxOptions
	verifier *signature.Verifier
	limiter  *hostLimiter
	log      *slog.Logger

	mu     sync.Mutex
	marked map[string]time.Time // hosts recently marked available
}

var _ http.Handler = (*Inbox)(nil)

// NewInbox returns an inbox that verifies with resolver (the key resolver
// and object fetcher) and dispatches to handlers.
func NewInbox(resolver *Resolver, handlers *Handlers, opts *InboxOptions) *Inbox {
	var o InboxOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultInboxMaxBody
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultInboxMaxDepth
	}
	if o.FetchBudget <= 0 {
		o.FetchBudget = DefaultFetchBudget
	}
	if o.Rate == 0 {
		o.Rate = DefaultInboxRate
	}
	if o.Burst <= 0 {
		o.Burst = DefaultInboxBurst
	}
	if o.Log == nil {
		o.Log = NewMemoryInboxLog(0)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if handlers == nil {
		handlers = &Handlers{}
	}
	in := &Inbox{resolver: resolver, handlers: handlers, o: o, verifier: o.Verifier, log: o.Logger, marked: map[string]time.Time{}}
	if in.verifier == nil {
		in.verifier = signature.NewVerifier(nil)
	}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	if o.Rate > 0 {
		in.limiter = newHostLimiter(o.Rate, o.Burst)
	}
	return in
}

// RecipientByPathValue returns an InboxOptions.Recipient that reads the
// username from the net/http path wildcard name (e.g. "/users/{name}/inbox")
// and looks it up among local accounts.
func RecipientByPathValue(accounts storage.Accounts, name string) func(r *http.Request) (*storage.Account, error) {
	return func(r *http.Request) (*storage.Account, error) {
		u := r.PathValue(name)
		if u == "" {
			return nil, fmt.Errorf("no %s in path: %w", name, storage.ErrNotFound)
		}
		return accounts.GetByUsername(r.Context(), u, "")
	}
}

func inboxError(w http.ResponseWriter, code int, reason string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]string{"error": reason})
	_, _ = w.Write(b)
}

func accepted(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }

// isInboxContentType accepts the ActivityPub types and plain JSON (which
// some servers send).
func isInboxContentType(ct string) bool {
	if ap.IsActivityPubMediaType(ct) {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/ld+json" || mt == "application/json"
}

// ServeHTTP implements http.Handler.
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		inboxError(w, http.StatusMethodNotAllowed, "inboxes accept POST only")
		return
	}
	if !isInboxContentType(r.Header.Get("Content-Type")) {
		inboxError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/activity+json or application/ld+json")
		return
	}
	if r.ContentLength > in.o.MaxBodyBytes {
		inboxError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", in.o.MaxBodyBytes))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, in.o.MaxBodyBytes+1))
	if err != nil {
		inboxError(w, http.StatusBadRequest, "cannot read body")
		return
	}
	if int64(len(body)) > in.o.MaxBodyBytes {
		inboxError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", in.o.MaxBodyBytes))
		return
	}
	if err := checkJSONDepth(body, in.o.MaxDepth); err != nil {
		inboxError(w, http.StatusBadRequest, err.Error())
		return
	}
	keyID, err := signatureKeyID(r)
	if err != nil {
		inboxError(w, signature.HTTPStatus(err), err.Error())
		return
	}
	keyHost := hostOfIRI(keyID)
	if in.limiter != nil {
		if ok, wait := in.limiter.allow(keyHost, in.o.Now()); !ok {
			secs := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			inboxError(w, http.StatusTooManyRequests, "too many activities from "+keyHost)
			return
		}
	}
	act, err := ap.DecodeWith(body, &ap.DecodeOptions{MaxDepth: in.o.MaxDepth, MaxBytes: int(in.o.MaxBodyBytes)})
	if err != nil {
		inboxError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := act.ValidateActivity(); err != nil {
		inboxError(w, http.StatusBadRequest, err.Error())
		return
	}
	actor := act.Actor.ID()
	if hostBlocked(r.Context(), in.o.Blocked, keyID) || hostBlocked(r.Context(), in.o.Blocked, actor) {
		in.log.Info("inbox: activity from a blocked host refused", "key", keyID, "actor", actor, "id", act.ID)
		inboxError(w, http.StatusForbidden, "this server does not federate with "+keyHost)
		return
	}
	if !in.handlers.Handles(act.Type) {
		in.log.Debug("inbox: activity type not handled", "type", act.Type, "id", act.ID, "actor", actor)
		accepted(w)
		return
	}
	ctx := r.Context()
	if act.Type == ap.TypeDelete && act.Object.ID() == actor {
		// An actor deleting itself: when we do not know it, there is
		// nothing to delete, and its key is gone (410) anyway.
		if _, err := in.resolver.accounts.GetByURI(ctx, stripFragment(actor)); errors.Is(err, storage.ErrNotFound) {
			in.log.Debug("inbox: Delete of an unknown actor", "actor", actor)
			accepted(w)
			return
		}
	}
	var recipient *storage.Account
	if in.o.Recipient != nil {
		recipient, err = in.o.Recipient(r)
		if errors.Is(err, storage.ErrNotFound) {
			inboxError(w, http.StatusNotFound, "no such inbox")
			return
		}
		if err != nil {
			in.log.Error("inbox: recipient lookup", "err", err)
			inboxError(w, http.StatusInternalServerError, "internal error")
			return
		}
	}

	ctx = WithFetchBudget(ctx, in.o.FetchBudget)
	res, err := in.verifier.Verify(ctx, r, body, in.resolver)
	if err != nil {
		in.log.Info("inbox: signature refused", "key", keyID, "activity", act.ID, "err", err)
		inboxError(w, signature.HTTPStatus(err), err.Error())
		return
	}
	if stripFragment(res.Owner) != stripFragment(actor) {
		inboxError(w, http.StatusUnauthorized, "the signing key does not belong to the activity's actor")
		return
	}
	if !ap.SameOrigin(act.ID, actor) {
		inboxError(w, http.StatusBadRequest, "activity id is not on the actor's origin")
		return
	}
	if act.Type == ap.TypeCreate || act.Type == ap.TypeUpdate {
		if o := act.Object.Obj(); o != nil && ap.SameOrigin(o.ID, actor) {
			if o.IsActor() && o.ID != actor {
				inboxError(w, http.StatusForbidden, "an actor may only update itself")
				return
			}
			if !o.IsActor() && len(o.AttributedTo) > 0 && !o.AttributedTo.Contains(actor) {
				inboxError(w, http.StatusForbidden, "object is not attributed to the actor")
				return
			}
		}
	}
	signer := in.resolver.signerAccount(res.KeyID)
	if signer == nil || signer.URI != stripFragment(res.Owner) {
		if signer, err = in.resolver.ResolveActor(ctx, res.Owner); err != nil {
			inboxError(w, http.StatusUnauthorized, "cannot resolve the signer: "+err.Error())
			return
		}
	}
	in.markAvailable(ctx, keyHost)

	if in.o.Policy != nil {
		switch d := in.o.Policy.Decide(ctx, act, signer); d.Verdict {
		case VerdictReject:
			in.log.Info("inbox: policy rejected activity", "id", act.ID, "reason", d.Reason)
			inboxError(w, http.StatusForbidden, d.Reason)
			return
		case VerdictDrop:
			in.log.Info("inbox: policy dropped activity", "id", act.ID, "reason", d.Reason)
			accepted(w)
			return
		default:
			if d.Activity != nil {
				if sameActivity(d.Activity, act) {
					act = d.Activity
				} else {
					in.log.Warn("inbox: policy rewrite changed the activity's id, type or actor: ignored", "id", act.ID)
				}
			}
		}
	}

	first, err := in.o.Log.MarkProcessed(ctx, act.ID, in.o.Now())
	if err != nil {
		if errors.Is(err, storage.ErrInvalid) {
			inboxError(w, http.StatusBadRequest, "unusable activity id")
			return
		}
		in.log.Error("inbox: idempotency log", "err", err)
		inboxError(w, http.StatusInternalServerError, "internal error")
		return
	}
	if !first {
		in.log.Debug("inbox: replayed activity ignored", "id", act.ID)
		accepted(w)
		return
	}
	err = in.dispatch(ctx, &dispatch{act: act, signer: signer, recipient: recipient, body: body, keyID: res.KeyID, resolver: in.resolver})
	if err == nil {
		accepted(w)
		return
	}
	var rej *RejectError
	if errors.As(err, &rej) {
		in.log.Info("inbox: handler rejected activity", "id", act.ID, "status", rej.Status, "reason", rej.Reason)
		inboxError(w, rej.Status, rej.Reason)
		return
	}
	// Let the sender retry: forget that we saw it.
	if ferr := in.o.Log.Forget(context.WithoutCancel(ctx), act.ID); ferr != nil {
		in.log.Warn("inbox: forget activity", "id", act.ID, "err", ferr)
	}
	var tmp *TemporaryError
	if errors.As(err, &tmp) {
		in.log.Info("inbox: temporary failure", "id", act.ID, "type", act.Type, "err", err)
		w.Header().Set("Retry-After", "300")
		inboxError(w, http.StatusServiceUnavailable, "temporarily unable to process the activity")
		return
	}
	in.log.Error("inbox: handler failed", "id", act.ID, "type", act.Type, "err", err)
	inboxError(w, http.StatusInternalServerError, "internal error")
}

func (in *Inbox) dispatch(ctx context.Context, d *dispatch) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return in.handlers.m[d.act.Type](ctx, d)
}

// markAvailable clears the host's unavailable state, at most every few
// minutes per host.
func (in *Inbox) markAvailable(ctx context.Context, host string) {
	if in.o.Instances == nil || host == "" {
		return
	}
	now := in.o.Now()
	in.mu.Lock()
	last, ok := in.marked[host]
	if ok && now.Sub(last) < 5*time.Minute {
		in.mu.Unlock()
		return
	}
	if len(in.marked) > 10000 {
		clear(in.marked)
	}
	in.marked[host] = now
	in.mu.Unlock()
	if err := MarkAvailable(ctx, in.o.Instances, host); err != nil {
		in.log.Warn("inbox: mark host available", "host", host, "err", err)
	}
}

// signatureKeyID extracts the keyId of the request's signature without
// verifying anything, for the rate limit.
func signatureKeyID(r *http.Request) (string, error) {
	if vals := r.Header.Values("Signature-Input"); len(vals) > 0 {
		sigs, err := signature.ParseSignatureInput(vals)
		if err != nil {
			return "", err
		}
		for _, s := range sigs {
			if s.KeyID != "" {
				return s.KeyID, nil
			}
		}
		return "", fmt.Errorf("%w: no keyid in Signature-Input", signature.ErrMalformed)
	}
	h := r.Header.Get("Signature")
	if h == "" {
		if auth := r.Header.Get("Authorization"); len(auth) > 10 && strings.EqualFold(auth[:10], "signature ") {
			h = auth
		}
	}
	if h == "" {
		return "", signature.ErrNoSignature
	}
	p, err := signature.ParseCavage(h)
	if err != nil {
		return "", err
	}
	if p.KeyID == "" {
		return "", fmt.Errorf("%w: no keyId", signature.ErrMalformed)
	}
	return p.KeyID, nil
}

// checkJSONDepth fails when JSON arrays and objects in data nest deeper than
// max. It does not validate the JSON otherwise.
func checkJSONDepth(data []byte, max int) error {
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return fmt.Errorf("JSON nested deeper than %d levels", max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
