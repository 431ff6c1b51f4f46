package mastoapi

import (
	"context"
	"net/http"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// registerRoutes declares every endpoint with its authentication mode and
// scopes (Mastodon's: the token must grant one of them).
func (a *API) registerRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
	)
	// Routes of the social endpoints are in registerStatusRoutes.
	public := RouteOptions{Auth: AuthNone}
	optional := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthOptional, Scopes: scopes} }
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }

	// OAuth 2 authorization server.
	a.Handle(post, "/api/v1/apps", public, a.createApp)
	a.Handle(get, "/api/v1/apps/verify_credentials", RouteOptions{Auth: AuthApp}, a.verifyApp)
	a.Handle(get, "/oauth/authorize", public, a.authorizeGet)
	a.Handle(post, "/oauth/authorize", public, a.authorizePost)
	a.Handle(post, "/oauth/token", public, a.token)
	a.Handle(post, "/oauth/revoke", public, a.revoke)
	a.Handle(get, "/oauth/userinfo", user("profile"), a.userinfo)
	a.Handle(post, "/oauth/userinfo", user("profile"), a.userinfo)
	a.Handle(get, "/.well-known/oauth-authorization-server", public, a.oauthMetadata)

	// Instance.
	a.Handle(get, "/api/v1/instance", public, a.instanceV1)
	a.Handle(get, "/api/v2/instance", public, a.instanceV2)
	a.Handle(get, "/api/v1/instance/peers", public, a.instancePeers)
	a.Handle(get, "/api/v1/instance/rules", public, a.instanceRules)
	a.Handle(get, "/api/v1/custom_emojis", public, a.customEmojis)

	// Accounts. Static segments are registered before /{id} so they win.
	a.Handle(post, "/api/v1/accounts", RouteOptions{Auth: AuthApp, Scopes: []string{"write:accounts"}, AuthLimited: true}, a.registerAccount)
	a.Handle(get, "/api/v1/accounts/verify_credentials", user("read:accounts", "profile"), a.verifyCredentials)
	a.Handle(get, "/api/v1/accounts/lookup", optional("read:accounts"), a.lookupAccount)
	a.Handle(get, "/api/v1/accounts/{id:[0-9]+}", optional("read:accounts"), a.showAccount)
	a.Handle(get, "/api/v1/preferences", user("read:accounts"), a.preferences)
	a.Handle(get, "/auth/sign_up", public, a.signUpGet)
	a.Handle(post, "/auth/sign_up", RouteOptions{Auth: AuthNone, AuthLimited: true}, a.signUpPost)

	// Startup calls whose features come later: they answer empty.
	a.Handle(get, "/api/v1/announcements", user("read"), a.listAnnouncements)

	a.registerStatusRoutes()
	a.registerMediaRoutes()
	a.registerPushRoutes()
	a.registerFilterRoutes()
	a.registerDomainModerationRoutes()
	a.registerListRoutes()
	a.registerUserDataRoutes()
	a.registerPollRoutes()
	a.registerAdminRoutes()
	a.registerAnnouncementRoutes()
	a.registerTrendRoutes()
	a.registerSignUpBlockRoutes()
	a.registerDiscoveryMiscRoutes()

	// Default images.
	for _, m := range []string{get, http.MethodHead} {
		a.Handle(m, "/static/avatar.png", public, a.serveImage("avatar.png"))
		a.Handle(m, "/static/header.png", public, a.serveImage("header.png"))
	}
}

// registerStatusRoutes declares the endpoints over the social core:
// statuses, timelines, account actions, notifications, search and the
// user's lists of things.
func (a *API) registerStatusRoutes() {
	const (
		get   = http.MethodGet
		post  = http.MethodPost
		put   = http.MethodPut
		patch = http.MethodPatch
		del   = http.MethodDelete
	)
	optional := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthOptional, Scopes: scopes} }
	user := func(scopes ...string) RouteOptions { return RouteOptions{Auth: AuthUser, Scopes: scopes} }
	const status = "/api/v1/statuses/{id:[0-9]+}"
	const account = "/api/v1/accounts/{id:[0-9]+}"

	// Statuses.
	a.Handle(post, "/api/v1/statuses", user("write:statuses"), a.createStatus)
	a.Handle(get, "/api/v1/statuses", optional("read:statuses"), a.listStatuses)
	a.Handle(get, status, optional("read:statuses"), a.showStatus)
	a.Handle(put, status, user("write:statuses"), a.editStatus)
	a.Handle(del, status, user("write:statuses"), a.deleteStatus)
	a.Handle(get, status+"/context", optional("read:statuses"), a.statusContext)
	a.Handle(get, status+"/history", optional("read:statuses"), a.statusHistory)
	a.Handle(get, status+"/source", user("read:statuses"), a.statusSource)
	a.Handle(get, status+"/favourited_by", optional("read:accounts"), a.accountListing(a.favouritedBy))
	a.Handle(get, status+"/reblogged_by", optional("read:accounts"), a.accountListing(a.rebloggedBy))
	svc := a.svc
	action := func(f func(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.Status, error)) HandlerFunc {
		return a.statusAction(func(r *http.Request, actor *storage.Account, id storage.ID) (*storage.Status, error) {
			return f(r.Context(), actor, id)
		})
	}
	a.Handle(post, status+"/favourite", user("write:favourites"), action(svc.Favourite))
	a.Handle(post, status+"/unfavourite", user("write:favourites"), action(svc.Unfavourite))
	a.Handle(post, status+"/reblog", user("write:statuses"), a.statusAction(a.reblogStatus))
	a.Handle(post, status+"/unreblog", user("write:statuses"), action(svc.Unreblog))
	a.Handle(post, status+"/bookmark", user("write:bookmarks"), action(svc.Bookmark))
	a.Handle(post, status+"/unbookmark", user("write:bookmarks"), action(svc.Unbookmark))
	a.Handle(post, status+"/pin", user("write:accounts"), action(svc.Pin))
	a.Handle(post, status+"/unpin", user("write:accounts"), action(svc.Unpin))
	a.Handle(post, status+"/mute", user("write:mutes"), action(svc.MuteConversation))
	a.Handle(post, status+"/unmute", user("write:mutes"), action(svc.UnmuteConversation))

	// Timelines.
	a.Handle(get, "/api/v1/timelines/home", user("read:statuses"), a.homeTimeline)
	a.Handle(get, "/api/v1/timelines/public", optional("read:statuses"), a.publicTimeline)
	a.Handle(get, "/api/v1/timelines/tag/{hashtag}", optional("read:statuses"), a.tagTimeline)

	// Accounts.
	a.Handle(get, "/api/v1/accounts/relationships", user("read:follows"), a.relationships)
	a.Handle(get, "/api/v1/accounts/familiar_followers", user("read:follows"), a.familiarFollowers)
	a.Handle(get, "/api/v1/accounts/search", user("read:accounts"), a.searchAccountsV1)
	a.Handle(patch, "/api/v1/accounts/update_credentials", a.profileRoute(user("write:accounts")), a.updateCredentials)
	a.Handle(get, account+"/statuses", optional("read:statuses"), a.accountStatuses)
	a.Handle(get, account+"/followers", optional("read:accounts"), a.accountListing(a.followers))
	a.Handle(get, account+"/following", optional("read:accounts"), a.accountListing(a.following))
	a.Handle(post, account+"/follow", user("write:follows"), a.relationshipAction(a.follow))
	a.Handle(post, account+"/unfollow", user("write:follows"), a.relationshipAction(a.unfollow))
	a.Handle(post, account+"/remove_from_followers", user("write:follows"), a.relationshipAction(a.removeFromFollowers))
	a.Handle(post, account+"/block", user("write:blocks"), a.relationshipAction(a.block))
	a.Handle(post, account+"/unblock", user("write:blocks"), a.relationshipAction(a.unblock))
	a.Handle(post, account+"/mute", user("write:mutes"), a.relationshipAction(a.mute))
	a.Handle(post, account+"/unmute", user("write:mutes"), a.relationshipAction(a.unmute))
	a.Handle(post, account+"/note", user("write:accounts"), a.relationshipAction(a.note))
	a.Handle(get, "/api/v1/follow_requests", user("read:follows"), a.accountListing(a.followRequests))
	a.Handle(post, "/api/v1/follow_requests/{id:[0-9]+}/authorize", user("write:follows"), a.relationshipAction(a.authorizeFollow))
	a.Handle(post, "/api/v1/follow_requests/{id:[0-9]+}/reject", user("write:follows"), a.relationshipAction(a.rejectFollow))
	a.Handle(get, "/api/v1/tags/{name}", optional("read:follows"), a.showTag)

	// The user's lists of things.
	a.Handle(get, "/api/v1/bookmarks", user("read:bookmarks"), a.statusListing(func(r *http.Request, p storage.Page) ([]social.StatusEntry, error) {
		return svc.Bookmarks(r.Context(), AuthOf(r).Account, p)
	}))
	a.Handle(get, "/api/v1/favourites", user("read:favourites"), a.statusListing(func(r *http.Request, p storage.Page) ([]social.StatusEntry, error) {
		return svc.Favourites(r.Context(), AuthOf(r).Account, p)
	}))
	a.Handle(get, "/api/v1/blocks", user("read:blocks"), a.accountListing(a.blocks))
	a.Handle(get, "/api/v1/mutes", user("read:mutes"), a.mutes)
	a.Handle(get, "/api/v1/domain_blocks", user("read:blocks"), a.domainBlocks)
	a.Handle(post, "/api/v1/domain_blocks", user("write:blocks"), a.blockDomain)
	a.Handle(del, "/api/v1/domain_blocks", user("write:blocks"), a.unblockDomain)

	// Notifications.
	a.Handle(get, "/api/v1/notifications", user("read:notifications"), a.notifications)
	a.Handle(get, "/api/v1/notifications/unread_count", user("read:notifications"), a.unreadCount)
	a.Handle(post, "/api/v1/notifications/clear", user("write:notifications"), a.clearNotifications)
	a.Handle(get, "/api/v1/notifications/{id:[0-9]+}", user("read:notifications"), a.notification)
	a.Handle(post, "/api/v1/notifications/{id:[0-9]+}/dismiss", user("write:notifications"), a.dismissNotification)
	a.Handle(http.MethodDelete, "/api/v1/notifications/destroy_multiple", user("write:notifications"), a.destroyNotifications)
	a.Handle(get, "/api/v2/notifications", user("read:notifications"), a.groupedNotifications)
	a.Handle(get, "/api/v2/notifications/unread_count", user("read:notifications"), a.groupedUnreadCount)
	// Notification policy and requests (before {group_key}, which would match "policy").
	a.Handle(get, "/api/v1/notifications/policy", user("read:notifications"), a.notificationPolicyV1)
	a.Handle(patch, "/api/v1/notifications/policy", user("write:notifications"), a.updateNotificationPolicyV1)
	a.Handle(get, "/api/v2/notifications/policy", user("read:notifications"), a.notificationPolicyV2)
	a.Handle(patch, "/api/v2/notifications/policy", user("write:notifications"), a.updateNotificationPolicyV2)
	a.Handle(get, "/api/v1/notifications/requests", user("read:notifications"), a.notificationRequests)
	a.Handle(get, "/api/v1/notifications/requests/merged", user("read:notifications"), a.notificationRequestsMerged)
	a.Handle(get, "/api/v1/notifications/requests/{id:[0-9]+}", user("read:notifications"), a.notificationRequest)
	a.Handle(post, "/api/v1/notifications/requests/accept", user("write:notifications"), a.acceptNotificationRequests)
	a.Handle(post, "/api/v1/notifications/requests/dismiss", user("write:notifications"), a.dismissNotificationRequests)
	a.Handle(post, "/api/v1/notifications/requests/{id:[0-9]+}/accept", user("write:notifications"), a.acceptNotificationRequest)
	a.Handle(post, "/api/v1/notifications/requests/{id:[0-9]+}/dismiss", user("write:notifications"), a.dismissNotificationRequest)
	a.Handle(get, "/api/v2/notifications/{group_key}", user("read:notifications"), a.showNotificationGroup)
	a.Handle(get, "/api/v2/notifications/{group_key}/accounts", user("read:notifications"), a.notificationGroupAccounts)
	a.Handle(post, "/api/v2/notifications/{group_key}/dismiss", user("write:notifications"), a.dismissNotificationGroup)

	// Search.
	a.Handle(get, "/api/v2/search", optional("read:search"), a.searchV2)
}
