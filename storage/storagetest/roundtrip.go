package storagetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// testRoundTrip writes records with every field set and checks that they
// read back equal: times in UTC at microsecond precision, lists not nil.
func testRoundTrip(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	t0 := ts(2026, 11, 25, 19, 7, 41, 123456)
	at := func(d time.Duration) *time.Time { return ptr(t0.Add(d)) }

	acct := &storage.Account{
		ID: h.s.NewID(), Username: "Round_Trip", Domain: "rt.example", DisplayName: "Round Trip", Note: "<p>note</p>", NoteSource: "note",
		URI: "https://rt.example/users/rt", URL: "https://rt.example/@rt", InboxURI: "https://rt.example/users/rt/inbox",
		OutboxURI: "https://rt.example/users/rt/outbox", SharedInboxURI: "https://rt.example/inbox",
		FollowersURI: "https://rt.example/users/rt/followers", FollowingURI: "https://rt.example/users/rt/following",
		FeaturedURI: "https://rt.example/users/rt/featured", ActorType: storage.ActorService,
		PublicKeyID: "https://rt.example/users/rt#main-key", PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
		PrivateKeyPEM: "", AvatarURL: "https://herd.example/avatars/1.png", AvatarRemoteURL: "https://rt.example/a.png",
		HeaderURL: "https://herd.example/headers/1.png", HeaderRemoteURL: "https://rt.example/h.png",
		Fields:      storage.Fields{{Name: "Web", Value: "<a href=\"https://rt.example\">rt</a>", VerifiedAt: at(time.Hour)}, {Name: "Pronouns", Value: "they/them"}},
		Emojis:      storage.Emojis{{Shortcode: "blob", URL: "https://rt.example/e/blob.png", StaticURL: "https://rt.example/e/blob-s.png", URI: "https://rt.example/emojis/1"}},
		AlsoKnownAs: storage.Strings{"https://old.example/users/rt"}, MovedToID: h.s.NewID(),
		Locked: true, Bot: true, Discoverable: true, Indexable: true, Memorial: true,
		SuspendedAt: at(time.Second), SilencedAt: at(2 * time.Second), Sensitized: true,
		StatusesCount: 0, FollowersCount: 0, FollowingCount: 0, LastStatusAt: nil,
		CreatedAt: t0, UpdatedAt: t0.Add(time.Second), FetchedAt: at(3 * time.Second),
		Extra: storage.Extra{"featuredTags": json.RawMessage(`["go"]`)},
	}
	want := *acct
	require.NoError(t, h.s.Accounts().Create(ctx, acct))
	require.Equal(t, &want, acct, "Create changes nothing in a complete, normalised record")
	require.Equal(t, &want, try(h.s.Accounts().Get(ctx, acct.ID)).must(t))

	local := h.local(t, "rtlocal", func(a *storage.Account) {
		a.PrivateKeyPEM = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"
	})
	require.Equal(t, local, try(h.s.Accounts().Get(ctx, local.ID)).must(t))

	user := &storage.User{ID: h.s.NewID(), AccountID: local.ID, Email: "rt@herd.example", PasswordHash: "$argon2id$x", Role: storage.RoleModerator,
		Approved: true, ConfirmedAt: at(4 * time.Second), Disabled: true, Locale: "fr", SignUpReason: "because", DefaultVisibility: storage.VisibilityPrivate,
		DefaultSensitive: true, DefaultLanguage: "fr", LastSignInAt: at(5 * time.Second), CreatedAt: t0, UpdatedAt: t0}
	wantUser := *user
	require.NoError(t, h.s.Users().Create(ctx, user))
	require.Equal(t, &wantUser, try(h.s.Users().Get(ctx, user.ID)).must(t))

	parent := h.post(t, local)
	app := &storage.Application{ID: h.s.NewID(), Name: "App", Website: "https://app.example", RedirectURIs: storage.Strings{"app://cb"},
		Scopes: storage.Strings{"read"}, ClientID: "rt-client", ClientSecretHash: "h", OwnerAccountID: local.ID, CreatedAt: t0}
	wantApp := *app
	require.NoError(t, h.s.OAuth().CreateApplication(ctx, app))
	require.Equal(t, &wantApp, try(h.s.OAuth().GetApplication(ctx, app.ID)).must(t))

	st := &storage.Status{
		ID: h.s.NewID(), URI: "https://rt.example/notes/1", URL: "https://rt.example/@rt/1", AccountID: acct.ID, Local: false,
		InReplyToID: parent.ID, InReplyToAccountID: local.ID, InReplyToURI: parent.URI, QuoteOfID: parent.ID,
		ConversationID: parent.ConversationID, Content: "<p>content</p>", Text: "content", SpoilerText: "cw", Sensitive: true,
		Visibility: storage.VisibilityUnlisted, Language: "en", ApplicationID: app.ID,
		Mentions: storage.Mentions{{AccountID: local.ID, Username: local.Username, Acct: local.Username, URL: local.URL, URI: local.URI}},
		Tags:     storage.Strings{"go", "fediverse"}, Emojis: storage.Emojis{{Shortcode: "x", URL: "https://rt.example/x.png"}},
		MediaIDs: storage.IDs{h.s.NewID(), h.s.NewID()}, PollID: h.s.NewID(), HasMedia: true,
		CreatedAt: t0, EditedAt: at(time.Minute), UpdatedAt: t0.Add(time.Minute),
		Extra: storage.Extra{"quoteApproval": json.RawMessage(`{"automatic":["public"]}`)},
	}
	wantSt := *st
	require.NoError(t, h.s.Statuses().Create(ctx, st))
	require.Equal(t, &wantSt, st, "Create changes nothing in a complete, normalised record")
	require.Equal(t, &wantSt, try(h.s.Statuses().Get(ctx, st.ID)).must(t))

	edit := &storage.StatusEdit{ID: h.s.NewID(), StatusID: st.ID, AccountID: acct.ID, Content: "<p>v1</p>", Text: "v1", SpoilerText: "old cw",
		Sensitive: true, MediaIDs: storage.IDs{h.s.NewID()}, Emojis: storage.Emojis{{Shortcode: "y", URL: "https://rt.example/y.png"}}, CreatedAt: t0,
		PollOptions: storage.Strings{"yes", "no"}}
	wantEdit := *edit
	require.NoError(t, h.s.Statuses().AddEdit(ctx, edit))
	require.Equal(t, []*storage.StatusEdit{&wantEdit}, try(h.s.Statuses().Edits(ctx, st.ID)).must(t))

	follow := &storage.Follow{ID: h.s.NewID(), AccountID: local.ID, TargetAccountID: acct.ID, URI: "https://herd.example/f/1",
		ShowReblogs: true, Notify: true, Languages: storage.Strings{"en"}, CreatedAt: t0}
	wantFollow := *follow
	require.NoError(t, h.s.Follows().Create(ctx, follow))
	require.Equal(t, &wantFollow, try(h.s.Follows().Get(ctx, local.ID, acct.ID)).must(t))
	req := &storage.FollowRequest{ID: h.s.NewID(), AccountID: acct.ID, TargetAccountID: local.ID, URI: "https://rt.example/f/2",
		ShowReblogs: false, Notify: true, Languages: storage.Strings{}, CreatedAt: t0}
	wantReq := *req
	require.NoError(t, h.s.Follows().CreateRequest(ctx, req))
	require.Equal(t, &wantReq, try(h.s.Follows().GetRequest(ctx, acct.ID, local.ID)).must(t))

	fav := &storage.Favourite{ID: h.s.NewID(), AccountID: acct.ID, StatusID: parent.ID, URI: "https://rt.example/likes/1", CreatedAt: t0}
	wantFav := *fav
	require.NoError(t, h.s.Favourites().Create(ctx, fav))
	require.Equal(t, &wantFav, try(h.s.Favourites().Get(ctx, acct.ID, parent.ID)).must(t))
	bm := &storage.Bookmark{ID: h.s.NewID(), AccountID: local.ID, StatusID: st.ID, CreatedAt: t0}
	wantBm := *bm
	require.NoError(t, h.s.Bookmarks().Create(ctx, bm))
	require.Equal(t, []*storage.Bookmark{&wantBm}, try(h.s.Bookmarks().ByAccount(ctx, local.ID, storage.Page{})).must(t))
	pin := &storage.Pin{ID: h.s.NewID(), AccountID: local.ID, StatusID: parent.ID, CreatedAt: t0}
	wantPin := *pin
	require.NoError(t, h.s.Pins().Create(ctx, pin))
	require.Equal(t, []*storage.Pin{&wantPin}, try(h.s.Pins().ByAccount(ctx, local.ID)).must(t))

	n := &storage.Notification{ID: h.s.NewID(), AccountID: local.ID, FromAccountID: acct.ID, Type: storage.NotifyQuote, StatusID: st.ID,
		GroupKey: "g", Extra: storage.Extra{"x": json.RawMessage(`1`)}, CreatedAt: t0}
	wantN := *n
	require.NoError(t, h.s.Notifications().Create(ctx, n))
	require.Equal(t, &wantN, try(h.s.Notifications().Get(ctx, local.ID, n.ID)).must(t))

	code := &storage.AuthorizationCode{ID: h.s.NewID(), CodeHash: "rt-code", ApplicationID: app.ID, AccountID: local.ID, RedirectURI: "app://cb",
		Scopes: storage.Strings{"read", "write"}, CodeChallenge: "c", CodeChallengeMethod: "S256", ExpiresAt: t0.Add(10 * time.Minute), CreatedAt: t0}
	require.NoError(t, h.s.OAuth().CreateCode(ctx, code))
	got := try(h.s.OAuth().ConsumeCode(ctx, "rt-code")).must(t)
	require.NotNil(t, got.UsedAt)
	code.UsedAt = got.UsedAt
	require.Equal(t, code, got)

	tok := &storage.Token{ID: h.s.NewID(), TokenHash: "rt-token", ApplicationID: app.ID, AccountID: local.ID, Scopes: storage.Strings{"read"},
		CreatedAt: t0, LastUsedAt: at(time.Hour)}
	wantTok := *tok
	require.NoError(t, h.s.OAuth().CreateToken(ctx, tok))
	require.Equal(t, &wantTok, try(h.s.OAuth().GetToken(ctx, "rt-token")).must(t))

	t.Run("TimesNormalised", func(t *testing.T) {
		ctx := t.Context()
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		created := time.Date(2026, 3, 4, 10, 0, 0, 987_654_321, zone)
		a := h.local(t, "zoned", func(a *storage.Account) { a.CreatedAt = created; a.SuspendedAt = ptr(created) })
		got := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		wantT := created.UTC().Truncate(time.Microsecond)
		require.Equal(t, wantT, got.CreatedAt, "UTC, microsecond precision")
		require.Equal(t, time.UTC, got.CreatedAt.Location())
		require.Equal(t, wantT, *got.SuspendedAt)
		require.Equal(t, a.CreatedAt, got.CreatedAt, "Create normalises the record it was given")
	})

	t.Run("ListsNeverNil", func(t *testing.T) {
		ctx := t.Context()
		a := &storage.Account{Username: h.name("bare"), URI: "https://herd.example/users/bare" + h.name("")}
		require.NoError(t, h.s.Accounts().Create(ctx, a))
		ga := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		require.NotNil(t, ga.Fields)
		require.NotNil(t, ga.Emojis)
		require.NotNil(t, ga.AlsoKnownAs)
		require.NotNil(t, ga.Extra)
		s := &storage.Status{AccountID: a.ID, URI: a.URI + "/1"}
		require.NoError(t, h.s.Statuses().Create(ctx, s))
		gs := try(h.s.Statuses().Get(ctx, s.ID)).must(t)
		require.NotNil(t, gs.Mentions)
		require.NotNil(t, gs.Tags)
		require.NotNil(t, gs.Emojis)
		require.NotNil(t, gs.MediaIDs)
		require.NotNil(t, gs.Extra)
		require.Equal(t, s, gs)
		f := &storage.Follow{AccountID: a.ID, TargetAccountID: local.ID}
		require.NoError(t, h.s.Follows().Create(ctx, f))
		require.NotNil(t, try(h.s.Follows().Get(ctx, a.ID, local.ID)).must(t).Languages)
		ap := &storage.Application{Name: "bare", ClientID: "bare-client", ClientSecretHash: "h"}
		require.NoError(t, h.s.OAuth().CreateApplication(ctx, ap))
		gap := try(h.s.OAuth().GetApplication(ctx, ap.ID)).must(t)
		require.NotNil(t, gap.RedirectURIs)
		require.NotNil(t, gap.Scopes)
		tk := &storage.Token{TokenHash: "bare-token", ApplicationID: ap.ID}
		require.NoError(t, h.s.OAuth().CreateToken(ctx, tk))
		require.NotNil(t, try(h.s.OAuth().GetToken(ctx, "bare-token")).must(t).Scopes)
		e := &storage.StatusEdit{StatusID: s.ID, AccountID: a.ID}
		require.NoError(t, h.s.Statuses().AddEdit(ctx, e))
		ge := try(h.s.Statuses().Edits(ctx, s.ID)).must(t)
		require.NotNil(t, ge[0].MediaIDs)
		require.NotNil(t, ge[0].Emojis)
		nn := &storage.Notification{AccountID: a.ID, FromAccountID: local.ID, Type: storage.NotifyFollow}
		require.NoError(t, h.s.Notifications().Create(ctx, nn))
		require.NotNil(t, try(h.s.Notifications().Get(ctx, a.ID, nn.ID)).must(t).Extra)
	})
}

// testLargeAndUnicode checks large texts and non-ASCII text.
func testLargeAndUnicode(t *testing.T, open Opener) {
	h := newHarness(t, open)

	t.Run("LargeTexts", func(t *testing.T) {
		ctx := t.Context()
		long := strings.Repeat("ж", 10_000) // 10k characters, 20 KB
		a := h.local(t, "large", func(a *storage.Account) { a.DisplayName = long; a.Note = strings.Repeat("<p>note</p>", 2000) })
		got := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		require.Equal(t, 10_000, utf8.RuneCountInString(got.DisplayName))
		require.Equal(t, a, got)

		content := strings.Repeat("<p>The quick brown 🦊 jumps over the lazy 🐕.</p>\n", 100*1024/50)
		require.GreaterOrEqual(t, len(content), 100*1024)
		st := h.post(t, a, func(st *storage.Status) { st.Content = content; st.Text = content })
		gs := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, content, gs.Content)
		require.Equal(t, st, gs)
	})

	t.Run("Unicode", func(t *testing.T) {
		ctx := t.Context()
		texts := []string{
			"🐘🦣 emoji with ZWJ 👩‍💻 and flags 🇩🇪",
			"مرحبا بالعالم — right-to-left, with \u200f marks",
			"שלום עולם",
			"combining: e\u0301 a\u0308 n\u0303 (decomposed) vs é ä ñ",
			"CJK 日本語 中文 한국어",
			"astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and \U0001F600",
			"quotes ' \" ` \\ % _ and ; -- SQL-ish",
		}
		a := h.local(t, "unicode")
		for _, text := range texts {
			st := h.post(t, a, func(st *storage.Status) {
				st.Content = "<p>" + text + "</p>"
				st.Text = text
				st.SpoilerText = text
				st.Tags = storage.Strings{text}
			})
			got := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
			require.Equal(t, st, got, "round trip of %q", text)
			a.DisplayName = text
			a.Note = text
			a.Fields = storage.Fields{{Name: text, Value: text}}
			require.NoError(t, h.s.Accounts().Update(ctx, a))
			ga := try(h.s.Accounts().Get(ctx, a.ID)).must(t)
			require.Equal(t, text, ga.DisplayName)
			require.Equal(t, a.Fields, ga.Fields)
		}
	})

	t.Run("Usernames", func(t *testing.T) {
		ctx := t.Context()
		// Usernames are compared case-insensitively and kept as written,
		// non-ASCII letters included.
		for _, name := range []string{"Zoë_Ärger", "ΣΟΦΙΑ", "Émile", "Ünal_İpek_x"} {
			a := &storage.Account{Username: name, URI: "https://herd.example/users/" + name}
			require.NoError(t, h.s.Accounts().Create(ctx, a))
			for _, q := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
				got, err := h.s.Accounts().GetByUsername(ctx, q, "")
				require.NoError(t, err, "GetByUsername(%q) for %q", q, name)
				require.Equal(t, a.ID, got.ID)
				require.Equal(t, name, got.Username, "username kept intact")
			}
			dup := &storage.Account{Username: strings.ToLower(name), URI: "https://herd.example/users/dup-" + name}
			if dup.Username != name {
				requireConflict(t, h.s.Accounts().Create(ctx, dup), "username "+name+" in lower case")
			}
			dup = &storage.Account{Username: strings.ToUpper(name), URI: "https://herd.example/users/DUP-" + name}
			if dup.Username != name {
				requireConflict(t, h.s.Accounts().Create(ctx, dup), "username "+name+" in upper case")
			}
			require.Equal(t, int64(1), try(h.s.Accounts().Count(ctx, storage.AccountFilter{Username: strings.ToUpper(name)})).must(t))
		}
		// Letters that only look alike are different usernames.
		a := h.local(t, "plain_e")
		lookalike := &storage.Account{Username: strings.Replace(a.Username, "e", "é", 1), URI: a.URI + "-accent"}
		require.NoError(t, h.s.Accounts().Create(ctx, lookalike))

		// Emails too.
		u := &storage.User{AccountID: a.ID, Email: "Ünal@Beispiel.de"}
		require.NoError(t, h.s.Users().Create(ctx, u))
		require.Equal(t, u.ID, try(h.s.Users().GetByEmail(ctx, "ünal@beispiel.de")).must(t).ID)
		require.Equal(t, "Ünal@Beispiel.de", try(h.s.Users().Get(ctx, u.ID)).must(t).Email)
		requireConflict(t, h.s.Users().Create(ctx, &storage.User{AccountID: lookalike.ID, Email: "ÜNAL@BEISPIEL.DE"}), "email in upper case")
	})
}
