package ap

// keyID indexes the JSON property names the codec writes.
type keyID uint8

const (
	kLDContext keyID = iota
	kID
	kType
	kActor
	kObject
	kTarget
	kOrigin
	kAttributedTo
	kInReplyTo
	kContext
	kPreferredUsername
	kName
	kNameMap
	kSummary
	kSummaryMap
	kContent
	kContentMap
	kMediaType
	kSource
	kPublished
	kUpdated
	kStartTime
	kEndTime
	kDeleted
	kFormerType
	kURL
	kTo
	kBto
	kCc
	kBcc
	kAudience
	kSensitive
	kQuote
	kQuoteAuthorization
	kQuoteURI
	kMisskeyQuote
	kQuoteURL
	kInbox
	kOutbox
	kFollowers
	kFollowing
	kFeatured
	kFeaturedTags
	kEndpoints
	kSharedInbox
	kPublicKey
	kOwner
	kPublicKeyPem
	kManuallyApprovesFollowers
	kDiscoverable
	kIndexable
	kMemorial
	kSuspended
	kAlsoKnownAs
	kMovedTo
	kAttributionDomains
	kIcon
	kImage
	kAttachment
	kTag
	kHref
	kRel
	kValue
	kBlurhash
	kFocalPoint
	kWidth
	kHeight
	kOneOf
	kAnyOf
	kClosed
	kVotersCount
	kReplies
	kLikes
	kShares
	kTotalItems
	kFirst
	kLast
	kNext
	kPrev
	kPartOf
	kItems
	kOrderedItems
	numKeys
)

// keyNames maps a keyID to its JSON property name.
var keyNames = [numKeys]string{
	kLDContext:                 "@context",
	kID:                        "id",
	kType:                      "type",
	kActor:                     "actor",
	kObject:                    "object",
	kTarget:                    "target",
	kOrigin:                    "origin",
	kAttributedTo:              "attributedTo",
	kInReplyTo:                 "inReplyTo",
	kContext:                   "context",
	kPreferredUsername:         "preferredUsername",
	kName:                      "name",
	kNameMap:                   "nameMap",
	kSummary:                   "summary",
	kSummaryMap:                "summaryMap",
	kContent:                   "content",
	kContentMap:                "contentMap",
	kMediaType:                 "mediaType",
	kSource:                    "source",
	kPublished:                 "published",
	kUpdated:                   "updated",
	kStartTime:                 "startTime",
	kEndTime:                   "endTime",
	kDeleted:                   "deleted",
	kFormerType:                "formerType",
	kURL:                       "url",
	kTo:                        "to",
	kBto:                       "bto",
	kCc:                        "cc",
	kBcc:                       "bcc",
	kAudience:                  "audience",
	kSensitive:                 "sensitive",
	kQuote:                     "quote",
	kQuoteAuthorization:        "quoteAuthorization",
	kQuoteURI:                  "quoteUri",
	kMisskeyQuote:              "_misskey_quote",
	kQuoteURL:                  "quoteUrl",
	kInbox:                     "inbox",
	kOutbox:                    "outbox",
	kFollowers:                 "followers",
	kFollowing:                 "following",
	kFeatured:                  "featured",
	kFeaturedTags:              "featuredTags",
	kEndpoints:                 "endpoints",
	kSharedInbox:               "sharedInbox",
	kPublicKey:                 "publicKey",
	kOwner:                     "owner",
	kPublicKeyPem:              "publicKeyPem",
	kManuallyApprovesFollowers: "manuallyApprovesFollowers",
	kDiscoverable:              "discoverable",
	kIndexable:                 "indexable",
	kMemorial:                  "memorial",
	kSuspended:                 "suspended",
	kAlsoKnownAs:               "alsoKnownAs",
	kMovedTo:                   "movedTo",
	kAttributionDomains:        "attributionDomains",
	kIcon:                      "icon",
	kImage:                     "image",
	kAttachment:                "attachment",
	kTag:                       "tag",
	kHref:                      "href",
	kRel:                       "rel",
	kValue:                     "value",
	kBlurhash:                  "blurhash",
	kFocalPoint:                "focalPoint",
	kWidth:                     "width",
	kHeight:                    "height",
	kOneOf:                     "oneOf",
	kAnyOf:                     "anyOf",
	kClosed:                    "closed",
	kVotersCount:               "votersCount",
	kReplies:                   "replies",
	kLikes:                     "likes",
	kShares:                    "shares",
	kTotalItems:                "totalItems",
	kFirst:                     "first",
	kLast:                      "last",
	kNext:                      "next",
	kPrev:                      "prev",
	kPartOf:                    "partOf",
	kItems:                     "items",
	kOrderedItems:              "orderedItems",
}

// keyIndex maps a JSON property name to its keyID.
var keyIndex = func() map[string]keyID {
	m := make(map[string]keyID, numKeys)
	for i, k := range keyNames {
		m[k] = keyID(i)
	}
	return m
}()
