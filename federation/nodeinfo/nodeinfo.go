package nodeinfo

import (
	"context"
	"errors"
)

// Schema relation URIs and the well-known path.
const (
	Rel20         = "http://nodeinfo.diaspora.software/ns/schema/2.0"
	Rel21         = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	WellKnownPath = "/.well-known/nodeinfo"
	Path20        = "/nodeinfo/2.0"
	Path21        = "/nodeinfo/2.1"
)

// ContentType returns the Content-Type of a NodeInfo document of the given
// version ("2.0" or "2.1").
func ContentType(version string) string {
	return `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/` + version + `#"`
}

// ErrNotFound is returned (wrapped) by Client.Fetch when the host does not
// offer a supported NodeInfo document.
var ErrNotFound = errors.New("nodeinfo: not found")

// Provider supplies this server's NodeInfo. Version is ignored: the handler
// sets it per served document.
type Provider interface {
	NodeInfo(ctx context.Context) (*NodeInfo, error)
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc func(ctx context.Context) (*NodeInfo, error)

// NodeInfo calls f.
func (f ProviderFunc) NodeInfo(ctx context.Context) (*NodeInfo, error) { return f(ctx) }

var _ Provider = ProviderFunc(nil)

// NodeInfo is a NodeInfo 2.0/2.1 document. Field names follow the schema.
type NodeInfo struct {
	// Version is the schema version, "2.0" or "2.1".
	Version  string   `json:"version"`
	Software Software `json:"software"`
	// Protocols defaults to ["activitypub"] when served empty.
	Protocols         []string       `json:"protocols"`
	Services          Services       `json:"services"`
	OpenRegistrations bool           `json:"openRegistrations"`
	Usage             Usage          `json:"usage"`
	Metadata          map[string]any `json:"metadata"`
}

// Software describes the server software. The schema restricts Name to
// [a-z0-9-]; the handler lowercases it. Repository and Homepage exist in
// 2.1 only and are left out of 2.0 documents.
type Software struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
}

// Services lists third-party sites the server can exchange data with.
type Services struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// Usage holds usage statistics.
type Usage struct {
	Users         Users `json:"users"`
	LocalPosts    int64 `json:"localPosts"`
	LocalComments int64 `json:"localComments,omitempty"`
}

// Users counts users: all, active in the last 30 days, and in the last
// 180 days.
type Users struct {
	Total          int64 `json:"total"`
	ActiveMonth    int64 `json:"activeMonth"`
	ActiveHalfyear int64 `json:"activeHalfyear"`
}

// Link is an entry of the discovery document.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// WellKnown is the discovery document at /.well-known/nodeinfo.
type WellKnown struct {
	Links []Link `json:"links"`
}
