package mastoapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Who may read GET /api/v1/instance/domain_blocks (Options.DomainBlocksVisibility).
const (
	DomainBlocksNobody = "nobody" // 404, Mastodon's default
	DomainBlocksUsers  = "users"  // signed-in users only
	DomainBlocksAll    = "all"    // everyone
)

// AdminDomainBlock is the Mastodon Admin::DomainBlock entity.
type AdminDomainBlock struct {
	ID             string  `json:"id"`
	Domain         string  `json:"domain"`
	Digest         string  `json:"digest"`
	CreatedAt      Time    `json:"created_at"`
	Severity       string  `json:"severity"`
	RejectMedia    bool    `json:"reject_media"`
	RejectReports  bool    `json:"reject_reports"`
	PrivateComment *string `json:"private_comment"`
	PublicComment  *string `json:"public_comment"`
	Obfuscate      bool    `json:"obfuscate"`
}

// AdminDomainAllow is the Mastodon Admin::DomainAllow entity.
type AdminDomainAllow struct {
	ID        string `json:"id"`
	Domain    string `json:"domain"`
	CreatedAt Time   `json:"created_at"`
}

// PublicDomainBlock is the Mastodon DomainBlock entity (the public list).
type PublicDomainBlock struct {
	Domain   string  `json:"domain"`
	Digest   string  `json:"digest"`
	Severity string  `json:"severity"`
	Comment  *string `json:"comment"`
}

// RelationshipSeveranceEvent is the Mastodon entity of that name, with the
// counts of the viewing user.
type RelationshipSeveranceEvent struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Purged         bool   `json:"purged"`
	TargetName     string `json:"target_name"`
	FollowersCount int64  `json:"followers_count"`
	FollowingCount int64  `json:"following_count"`
	CreatedAt      Time   `json:"created_at"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// DomainBlockToAdminAPI converts an instance domain block for moderators.
func DomainBlockToAdminAPI(b *storage.InstanceDomainBlock) *AdminDomainBlock {
	return &AdminDomainBlock{ID: b.ID.String(), Domain: b.Domain, Digest: moderation.DomainDigest(b.Domain), CreatedAt: Time(b.CreatedAt),
		Severity: string(b.Severity), RejectMedia: b.RejectMedia, RejectReports: b.RejectReports,
		PrivateComment: strOrNil(b.PrivateComment), PublicComment: strOrNil(b.PublicComment), Obfuscate: b.Obfuscate}
}

// DomainBlockToPublicAPI converts a block for the public list: the domain
// obfuscated when asked, "noop" shown as such, the public comment only.
func DomainBlockToPublicAPI(b *storage.InstanceDomainBlock) *PublicDomainBlock {
	d := b.Domain
	if b.Obfuscate {
		d = moderation.ObfuscateDomain(d)
	}
	return &PublicDomainBlock{Domain: d, Digest: moderation.DomainDigest(b.Domain), Severity: string(b.Severity), Comment: strOrNil(b.PublicComment)}
}

// DomainAllowToAdminAPI converts a domain allow.
func DomainAllowToAdminAPI(a *storage.DomainAllow) *AdminDomainAllow {
	return &AdminDomainAllow{ID: a.ID.String(), Domain: a.Domain, CreatedAt: Time(a.CreatedAt)}
}

// SeveranceToAPI converts what an account lost in a severance event.
func SeveranceToAPI(s *storage.AccountSeverance) *RelationshipSeveranceEvent {
	return &RelationshipSeveranceEvent{ID: s.EventID.String(), Type: string(s.Type), Purged: s.Purged, TargetName: s.TargetName,
		FollowersCount: s.FollowersCount, FollowingCount: s.FollowingCount, CreatedAt: Time(s.CreatedAt)}
}

// registerDomainModerationRoutes declares the admin domain block and allow
// endpoints, the public list of blocks and the severed relationships.
func (a *API) registerDomainModerationRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
		put  = http.MethodPut
		del  = http.MethodDelete
	)
	staff := func(scopes ...string) RouteOptions {
		// Mastodon's manage_federation permission: admins only.
		return RouteOptions{Auth: AuthUser, Scopes: scopes, MinRole: storage.RoleAdmin}
	}
	const block = "/api/v1/admin/domain_blocks/{id:[0-9]+}"
	const allow = "/api/v1/admin/domain_allows/{id:[0-9]+}"
	a.Handle(get, "/api/v1/admin/domain_blocks", staff("admin:read:domain_blocks"), a.adminDomainBlocks)
	a.Handle(post, "/api/v1/admin/domain_blocks", staff("admin:write:domain_blocks"), a.adminCreateDomainBlock)
	a.Handle(get, block, staff("admin:read:domain_blocks"), a.adminDomainBlock)
	a.Handle(put, block, staff("admin:write:domain_blocks"), a.adminUpdateDomainBlock)
	a.Handle(del, block, staff("admin:write:domain_blocks"), a.adminDeleteDomainBlock)
	a.Handle(get, "/api/v1/admin/domain_allows", staff("admin:read:domain_allows"), a.adminDomainAllows)
	a.Handle(post, "/api/v1/admin/domain_allows", staff("admin:write:domain_allows"), a.adminCreateDomainAllow)
	a.Handle(get, allow, staff("admin:read:domain_allows"), a.adminDomainAllow)
	a.Handle(del, allow, staff("admin:write:domain_allows"), a.adminDeleteDomainAllow)
	a.Handle(get, "/api/v1/instance/domain_blocks", RouteOptions{Auth: AuthOptional}, a.instanceDomainBlocks)
	a.Handle(get, "/api/v1/severed_relationships", RouteOptions{Auth: AuthUser, Scopes: []string{"read:follows"}}, a.severedRelationships)
}

// domainBlockParams reads the fields of a domain block from the request;
// absent ones stay nil.
func domainBlockParams(p *Params) social.DomainBlockParams {
	var out social.DomainBlockParams
	if p.Has("severity") {
		sev := storage.DomainSeverity(p.String("severity"))
		out.Severity = &sev
	}
	out.RejectMedia = p.BoolPtr("reject_media")
	out.RejectReports = p.BoolPtr("reject_reports")
	out.Obfuscate = p.BoolPtr("obfuscate")
	if p.Has("private_comment") {
		c := p.String("private_comment")
		out.PrivateComment = &c
	}
	if p.Has("public_comment") {
		c := p.String("public_comment")
		out.PublicComment = &c
	}
	return out
}

func (a *API) adminDomainBlocks(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, 200)
	if err != nil {
		return err
	}
	bs, err := a.svc.InstanceDomainBlocks(r.Context(), pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, bs, pg.Limit, DomainBlockToAdminAPI, func(b *storage.InstanceDomainBlock) storage.ID { return b.ID })
}

func (a *API) adminDomainBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := a.svc.DomainBlock(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, DomainBlockToAdminAPI(b))
	return nil
}

func (a *API) adminCreateDomainBlock(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	b, err := a.svc.CreateDomainBlock(r.Context(), AuthOf(r).Account, p.String("domain"), domainBlockParams(p))
	if exists, ok := err.(*social.ErrDomainBlockExists); ok {
		// Mastodon answers 422 with the existing block.
		WriteJSON(w, http.StatusUnprocessableEntity, struct {
			Error               string            `json:"error"`
			ExistingDomainBlock *AdminDomainBlock `json:"existing_domain_block"`
		}{"You have already imposed stricter limits on " + exists.Existing.Domain + ".", DomainBlockToAdminAPI(exists.Existing)})
		return nil
	}
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, DomainBlockToAdminAPI(b))
	return nil
}

func (a *API) adminUpdateDomainBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := a.svc.UpdateDomainBlock(r.Context(), AuthOf(r).Account, id, domainBlockParams(ParamsOf(r)))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, DomainBlockToAdminAPI(b))
	return nil
}

func (a *API) adminDeleteDomainBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.DeleteDomainBlock(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	return emptyObject(w, r)
}

func (a *API) adminDomainAllows(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, 200)
	if err != nil {
		return err
	}
	as, err := a.svc.DomainAllows(r.Context(), pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, as, pg.Limit, DomainAllowToAdminAPI, func(x *storage.DomainAllow) storage.ID { return x.ID })
}

func (a *API) adminDomainAllow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := a.svc.DomainAllow(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, DomainAllowToAdminAPI(x))
	return nil
}

func (a *API) adminCreateDomainAllow(w http.ResponseWriter, r *http.Request) error {
	x, err := a.svc.CreateDomainAllow(r.Context(), AuthOf(r).Account, ParamsOf(r).String("domain"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, DomainAllowToAdminAPI(x))
	return nil
}

func (a *API) adminDeleteDomainAllow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.DeleteDomainAllow(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	return emptyObject(w, r)
}

// instanceDomainBlocks serves the public list of moderated servers, as
// Options.DomainBlocksVisibility allows (404 otherwise, as Mastodon).
func (a *API) instanceDomainBlocks(w http.ResponseWriter, r *http.Request) error {
	switch a.domainBlocksVisibility {
	case DomainBlocksAll:
	case DomainBlocksUsers:
		if au := AuthOf(r); au == nil || au.Account == nil {
			return ErrRecordNotFound
		}
	default:
		return ErrRecordNotFound
	}
	bs, err := a.svc.AllDomainBlocks(r.Context())
	if err != nil {
		return err
	}
	return writeEach(w, bs, DomainBlockToPublicAPI)
}

func (a *API) severedRelationships(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(40, 80)
	if err != nil {
		return err
	}
	rows, err := a.svc.SeveredRelationships(r.Context(), AuthOf(r).Account, pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, rows, pg.Limit, SeveranceToAPI, func(s *storage.AccountSeverance) storage.ID { return s.ID })
}

// severanceEvents loads the events of severed_relationships notifications
// for rendering their "event" attribute.
func (a *API) severanceEvents(ctx context.Context, viewer *storage.Account, ns []*storage.Notification) map[storage.ID]*RelationshipSeveranceEvent {
	out := map[storage.ID]*RelationshipSeveranceEvent{}
	for _, n := range ns {
		if n.Type != storage.NotifySevered || viewer == nil {
			continue
		}
		var raw string
		if err := json.Unmarshal(n.Extra["event_id"], &raw); err != nil {
			continue
		}
		id, err := storage.ParseID(raw)
		if err != nil {
			continue
		}
		if s, err := a.svc.SeveranceOf(ctx, viewer, id); err == nil {
			out[n.ID] = SeveranceToAPI(s)
		}
	}
	return out
}
