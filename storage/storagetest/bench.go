package storagetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
)

// HomeSeed sizes the data set of BenchmarkHomePage: Statuses statuses
// spread evenly over Accounts authors, of whom the viewer follows Followed;
// the viewer's home feed holds the statuses of the followed accounts.
type HomeSeed struct {
	Statuses int
	Accounts int
	Followed int
}

// SmallHomeSeed is the default data set: 20,000 statuses, quick to seed.
func SmallHomeSeed() HomeSeed { return HomeSeed{Statuses: 20_000, Accounts: 5_000, Followed: 1_000} }

// LargeHomeSeed is the data set of the performance goal: 1,000,000
// statuses by 5,000 accounts, 1,000 of them followed (a 200,000-entry feed).
func LargeHomeSeed() HomeSeed { return HomeSeed{Statuses: 1_000_000, Accounts: 5_000, Followed: 1_000} }

// seedFormat changes whenever SeedHome writes different data.
const seedFormat = 1

// Key identifies a seeded database: the seed sizes, the seed format and the
// schema (pass the text of every migration), as a short hex string. A
// backend caches seeded databases under it.
func (s HomeSeed) Key(schema ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "format=%d statuses=%d accounts=%d followed=%d\n", seedFormat, s.Statuses, s.Accounts, s.Followed)
	for _, m := range schema {
		h.Write([]byte(m))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// HomeFixture describes a seeded home-timeline data set.
type HomeFixture struct {
	Viewer      storage.ID // the account whose home feed is read
	FirstStatus storage.ID // lowest status ID
	LastStatus  storage.ID // highest status ID
	FeedSize    int64      // entries in the viewer's home feed
}

// seedTable records the fixture in the seeded database.
const seedTable = "herd_bench_seed"

var seedEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedHome fills an empty, migrated database with seed, through db (the
// backend's raw handle, as returned by its DB method), with multi-row
// INSERT statements in one transaction. It records the fixture in the
// database, where LoadHome finds it again.
func SeedHome(ctx context.Context, db *sqlx.DB, seed HomeSeed) (HomeFixture, error) {
	if seed.Accounts <= 0 || seed.Followed <= 0 || seed.Followed > seed.Accounts || seed.Statuses <= 0 {
		return HomeFixture{}, fmt.Errorf("storagetest: bad seed %+v", seed)
	}
	every := seed.Accounts / seed.Followed // every n-th account is followed
	accountID := func(j int) storage.ID { return storage.MinIDAt(seedEpoch.Add(-time.Hour)) + storage.ID(j) }
	statusAt := func(i int) time.Time { return seedEpoch.Add(time.Duration(i) * 100 * time.Millisecond) }
	statusID := func(i int) storage.ID { return storage.MinIDAt(statusAt(i)) }
	followed := func(j int) bool { return j%every == 0 && j/every < seed.Followed }
	viewer := accountID(seed.Accounts)
	fx := HomeFixture{Viewer: viewer, FirstStatus: statusID(0), LastStatus: statusID(seed.Statuses - 1)}
	created := seedEpoch.Add(-time.Hour)

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fx, fmt.Errorf("storagetest: seed: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op

	// Accounts: the authors and the viewer; every other author is remote.
	err = insertRows(ctx, tx, "accounts", []string{"id", "username", "username_key", "domain", "display_name", "uri", "url", "inbox_uri", "created_at", "updated_at"},
		seed.Accounts+1, func(j int, row []any) {
			name := fmt.Sprintf("user%d", j)
			domain := ""
			if j%2 == 1 && j != seed.Accounts {
				domain = fmt.Sprintf("peer%d.example", j%50)
			}
			host := domain
			if host == "" {
				host = "herd.example"
			}
			uri := "https://" + host + "/users/" + name
			copy(row, []any{accountID(j), name, name, domain, "User " + name, uri, "https://" + host + "/@" + name, uri + "/inbox", created, created})
		})
	if err != nil {
		return fx, err
	}
	err = insertRows(ctx, tx, "follows", []string{"id", "account_id", "target_account_id", "created_at"},
		seed.Followed, func(k int, row []any) {
			copy(row, []any{accountID(seed.Accounts+1) + storage.ID(k), viewer, accountID(k * every), created})
		})
	if err != nil {
		return fx, err
	}
	content := "<p>" + strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 4) + "</p>"
	err = insertRows(ctx, tx, "statuses", []string{"id", "uri", "account_id", "local", "conversation_id", "content", "visibility", "created_at", "updated_at"},
		seed.Statuses, func(i int, row []any) {
			j := i % seed.Accounts
			id := statusID(i)
			copy(row, []any{id, fmt.Sprintf("https://herd.example/statuses/%d", i), accountID(j), j%2 == 0, id, content, "public", statusAt(i), statusAt(i)})
		})
	if err != nil {
		return fx, err
	}
	// The feed: the followed accounts' statuses, oldest first.
	var feed []int
	for i := 0; i < seed.Statuses; i++ {
		if followed(i % seed.Accounts) {
			feed = append(feed, i)
		}
	}
	fx.FeedSize = int64(len(feed))
	err = insertRows(ctx, tx, "feed_entries", []string{"feed_kind", "feed_owner", "status_id", "author_id"},
		len(feed), func(k int, row []any) {
			i := feed[k]
			copy(row, []any{int(storage.FeedHome), viewer, statusID(i), accountID(i % seed.Accounts)})
		})
	if err != nil {
		return fx, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE `+seedTable+` (viewer_id BIGINT NOT NULL, first_status BIGINT NOT NULL,
		last_status BIGINT NOT NULL, feed_size BIGINT NOT NULL)`); err != nil {
		return fx, fmt.Errorf("storagetest: seed: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO "+seedTable+" VALUES (?, ?, ?, ?)"),
		fx.Viewer, fx.FirstStatus, fx.LastStatus, fx.FeedSize); err != nil {
		return fx, fmt.Errorf("storagetest: seed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fx, fmt.Errorf("storagetest: seed: commit: %w", err)
	}
	// Fresh statistics for the query planners.
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fx, fmt.Errorf("storagetest: seed: analyze: %w", err)
	}
	return fx, nil
}

// LoadHome reads the fixture SeedHome recorded in db; ok is false when db
// holds none (or an unfinished one).
func LoadHome(ctx context.Context, db *sqlx.DB) (fx HomeFixture, ok bool, err error) {
	var row struct {
		Viewer   storage.ID `db:"viewer_id"`
		First    storage.ID `db:"first_status"`
		Last     storage.ID `db:"last_status"`
		FeedSize int64      `db:"feed_size"`
	}
	err = db.GetContext(ctx, &row, "SELECT viewer_id, first_status, last_status, feed_size FROM "+seedTable)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) || strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist") {
			return fx, false, nil
		}
		return fx, false, fmt.Errorf("storagetest: load seed: %w", err)
	}
	return HomeFixture{Viewer: row.Viewer, FirstStatus: row.First, LastStatus: row.Last, FeedSize: row.FeedSize}, true, nil
}

// insertRows inserts n rows into table with multi-row INSERT statements;
// row fills the values of row i.
func insertRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, n int, row func(i int, vals []any)) error {
	perStmt := min(1000, 30000/len(cols)) // SQLite allows 32766 parameters per statement
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	query := func(rows int) string {
		return tx.Rebind("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+", ", rows), ", "))
	}
	var full *sqlx.Stmt
	if n >= perStmt {
		var err error
		if full, err = tx.PreparexContext(ctx, query(perStmt)); err != nil {
			return fmt.Errorf("storagetest: seed %s: %w", table, err)
		}
		defer full.Close()
	}
	args := make([]any, 0, perStmt*len(cols))
	vals := make([]any, len(cols))
	for start := 0; start < n; start += perStmt {
		end := min(start+perStmt, n)
		args = args[:0]
		for i := start; i < end; i++ {
			row(i, vals)
			args = append(args, vals...)
		}
		var err error
		if end-start == perStmt {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, query(end-start), args...)
		}
		if err != nil {
			return fmt.Errorf("storagetest: seed %s: %w", table, err)
		}
	}
	return nil
}

// BenchmarkHomePage reads pages of 40 of the viewer's home timeline as a
// client does: Feeds.Page, then Statuses.GetMany of the entries, then
// Accounts.GetMany of their authors. Half the reads are of the newest page,
// half at a random depth. It reports the p50 and p99 latency of a page.
func BenchmarkHomePage(b *testing.B, s storage.Store, fx HomeFixture) {
	ctx := b.Context()
	feed := storage.HomeFeed(fx.Viewer)
	rng := rand.New(rand.NewPCG(1, 2))
	span := int64(fx.LastStatus - fx.FirstStatus)
	// Warm up, and check that the data set is what it claims.
	if n, err := homePage(ctx, s, feed, storage.Page{Limit: 40}); err != nil {
		b.Fatal(err)
	} else if want := min(40, fx.FeedSize); int64(n) != want {
		b.Fatalf("the first page holds %d statuses, want %d", n, want)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := storage.Page{Limit: 40}
		if i%2 == 1 && span > 0 {
			p.MaxID = fx.FirstStatus + storage.ID(rng.Int64N(span))
		}
		start := time.Now()
		if _, err := homePage(ctx, s, feed, p); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// homePage reads one page of a home timeline and returns its length.
func homePage(ctx context.Context, s storage.Store, feed storage.Feed, p storage.Page) (int, error) {
	entries, err := s.Feeds().Page(ctx, feed, p)
	if err != nil {
		return 0, err
	}
	ids := make([]storage.ID, 0, len(entries))
	authors := make([]storage.ID, 0, len(entries))
	seen := make(map[storage.ID]bool, len(entries))
	for _, e := range entries {
		ids = append(ids, e.StatusID)
		if !seen[e.AuthorID] {
			seen[e.AuthorID] = true
			authors = append(authors, e.AuthorID)
		}
	}
	sts, err := s.Statuses().GetMany(ctx, ids)
	if err != nil {
		return 0, err
	}
	if len(sts) != len(entries) {
		return 0, fmt.Errorf("storagetest: %d feed entries but %d statuses", len(entries), len(sts))
	}
	accts, err := s.Accounts().GetMany(ctx, authors)
	if err != nil {
		return 0, err
	}
	if len(accts) != len(authors) {
		return 0, fmt.Errorf("storagetest: %d authors but %d accounts", len(authors), len(accts))
	}
	return len(sts), nil
}

// BenchmarkInsertStatus creates statuses of one local account (with a tag
// and a mention, as a typical post) and reports the p50 and p99 latency.
func BenchmarkInsertStatus(b *testing.B, s storage.Store) {
	ctx := b.Context()
	a := &storage.Account{Username: "bench" + s.NewID().String(), URI: "https://herd.example/users/bench-" + s.NewID().String()}
	if err := s.Accounts().Create(ctx, a); err != nil {
		b.Fatal(err)
	}
	content := "<p>" + strings.Repeat("Lorem ipsum dolor sit amet. ", 8) + "</p>"
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := &storage.Status{AccountID: a.ID, URI: fmt.Sprintf("%s/statuses/%d", a.URI, i), Local: true, Content: content,
			Tags: storage.Strings{"bench"}, Mentions: storage.Mentions{{AccountID: a.ID, Username: a.Username, Acct: a.Username}}}
		start := time.Now()
		if err := s.Statuses().Create(ctx, st); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// reportPercentiles reports the p50 and p99 of the measured latencies, in
// milliseconds, as the custom metrics p50-ms and p99-ms.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 {
		i := min(len(lat)-1, int(q*float64(len(lat))))
		return float64(lat[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkVote records one vote per iteration, each by a new account, in
// one poll of four options (the read-lock-write of the counts included),
// and reports the p50 and p99 latency.
func BenchmarkVote(b *testing.B, s storage.Store) {
	ctx := b.Context()
	tag := s.NewID().String()
	a := &storage.Account{Username: "pollster" + tag, URI: "https://herd.example/users/pollster-" + tag}
	if err := s.Accounts().Create(ctx, a); err != nil {
		b.Fatal(err)
	}
	st := &storage.Status{AccountID: a.ID, URI: a.URI + "/statuses/poll", Local: true, Content: "<p>?</p>", PollID: s.NewID()}
	if err := s.Statuses().Create(ctx, st); err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	p := &storage.Poll{ID: st.PollID, StatusID: st.ID, AccountID: a.ID, ExpiresAt: &exp,
		Options: storage.PollOptions{{Title: "a"}, {Title: "b"}, {Title: "c"}, {Title: "d"}}}
	if err := s.Polls().Create(ctx, p); err != nil {
		b.Fatal(err)
	}
	voters := make([]storage.ID, b.N)
	for i := range voters {
		v := &storage.Account{Username: fmt.Sprintf("voter%s-%d", tag, i), URI: fmt.Sprintf("https://herd.example/users/voter-%s-%d", tag, i)}
		if err := s.Accounts().Create(ctx, v); err != nil {
			b.Fatal(err)
		}
		voters[i] = v.ID
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := s.Polls().Vote(ctx, p.ID, voters[i], []*storage.PollVote{{Choice: i % 4}}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}
