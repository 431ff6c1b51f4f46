package apitest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
)

// apiDoc is the coverage table, relative to this package.
var apiDoc = filepath.Join("..", "..", "docs", "api.md")

// Coverage statuses of docs/api.md.
const (
	statusDone    = "done"
	statusPartial = "partial"
	statusAbsent  = "absent"
)

// apiPrefixes are the paths cmd/herd hands to the API router; rows outside
// them document endpoints served elsewhere in the server.
var apiPrefixes = []string{"/api/", "/oauth/", "/auth/", "/static/", "/.well-known/oauth-authorization-server"}

// outsideRouter are paths under apiPrefixes that cmd/herd serves with
// another handler: the streaming API (package mastoapi/streaming).
var outsideRouter = []string{"/api/v1/streaming"}

func servedByAPI(path string) bool {
	for _, p := range outsideRouter {
		if path == p || strings.HasPrefix(path, p+"/") {
			return false
		}
	}
	for _, p := range apiPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// docRow is one row of a coverage table.
type docRow struct {
	Line   int
	Method string // one method (a cell "GET, HEAD" gives one row per method)
	Path   string
	Status string
	Notes  string
}

var (
	rowSplitRE = regexp.MustCompile(`\s*\|\s*`)
	methodRE   = regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE)$`)
	// A path parameter in a mux template ({id}, {id:[0-9]+}) or Rails
	// style (:id).
	muxParamRE   = regexp.MustCompile(`\{[^{}]*(\{[^{}]*\}[^{}]*)*\}`)
	railsParamRE = regexp.MustCompile(`/:[A-Za-z_]+`)
)

// parseCoverage reads every Markdown table whose header is
// | Method | Path | Status | Notes | and returns its rows. It rejects rows
// that are malformed: a wrong cell count, an unknown method or status, a
// path that is not absolute, or the same method and path twice.
func parseCoverage(r io.Reader) ([]docRow, error) {
	var rows []docRow
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	inTable, line := false, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(text, "|") {
			inTable = false
			continue
		}
		cells := rowSplitRE.Split(strings.Trim(text, "|"), -1)
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if !inTable {
			if len(cells) == 4 && strings.EqualFold(cells[0], "Method") && strings.EqualFold(cells[1], "Path") &&
				strings.EqualFold(cells[2], "Status") && strings.EqualFold(cells[3], "Notes") {
				inTable = true
			}
			continue
		}
		if strings.Trim(strings.Join(cells, ""), "-: ") == "" {
			continue // the separator row
		}
		if len(cells) != 4 {
			return nil, fmt.Errorf("line %d: want 4 cells (Method | Path | Status | Notes), got %d", line, len(cells))
		}
		path := strings.Trim(cells[1], "`")
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t`") {
			return nil, fmt.Errorf("line %d: path %q is not an absolute path in backquotes", line, cells[1])
		}
		status := strings.ToLower(cells[2])
		if status != statusDone && status != statusPartial && status != statusAbsent {
			return nil, fmt.Errorf("line %d: status %q is not done, partial or absent", line, cells[2])
		}
		if status == statusPartial && cells[3] == "" {
			return nil, fmt.Errorf("line %d: a partial row must say in Notes what is missing", line)
		}
		for _, m := range strings.Split(cells[0], ",") {
			m = strings.TrimSpace(m)
			if !methodRE.MatchString(m) {
				return nil, fmt.Errorf("line %d: method %q is not GET, HEAD, POST, PUT, PATCH or DELETE", line, m)
			}
			key := m + " " + routeKey(path)
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("line %d: %s %s is already listed on line %d", line, m, path, prev)
			}
			seen[key] = line
			rows = append(rows, docRow{Line: line, Method: m, Path: path, Status: status, Notes: cells[3]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no | Method | Path | Status | Notes | table found")
	}
	return rows, nil
}

// routeKey normalises a path template so that a router template
// (/api/v1/accounts/{id:[0-9]+}) and a documented one (/api/v1/accounts/{id}
// or /api/v1/accounts/:id) compare equal: every parameter becomes {}.
func routeKey(path string) string {
	path = muxParamRE.ReplaceAllString(path, "{}")
	return railsParamRE.ReplaceAllString(path, "/{}")
}

// coverageDiff compares the router's routes with the documented rows: served
// lists routes that the table does not mark done or partial (with the row's
// status when it has one), unserved lists done/partial rows that the router
// does not serve. Rows outside the API's prefixes are not compared.
func coverageDiff(routes []mastoapi.Route, rows []docRow) (served, unserved []string) {
	doc := map[string]docRow{}
	for _, r := range rows {
		doc[r.Method+" "+routeKey(r.Path)] = r
	}
	router := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + routeKey(rt.Path)
		router[key] = true
		r, ok := doc[key]
		switch {
		case !ok:
			served = append(served, fmt.Sprintf("%s %s (not in the table)", rt.Method, rt.Path))
		case r.Status == statusAbsent:
			served = append(served, fmt.Sprintf("%s %s (line %d says absent)", rt.Method, rt.Path, r.Line))
		}
	}
	for _, r := range rows {
		if r.Status == statusAbsent || !servedByAPI(r.Path) {
			continue
		}
		if !router[r.Method+" "+routeKey(r.Path)] {
			unserved = append(unserved, fmt.Sprintf("%s %s (line %d says %s)", r.Method, r.Path, r.Line, r.Status))
		}
	}
	slices.Sort(served)
	slices.Sort(unserved)
	return served, unserved
}

// TestAPIDocCoverage keeps docs/api.md true: every route the API serves is
// in its tables as done or partial, and every done or partial row is
// served.
func TestAPIDocCoverage(t *testing.T) {
	srv := newServer(t)
	routes := srv.api.Routes()
	require.NotEmpty(t, routes)
	for _, rt := range routes {
		assert.True(t, servedByAPI(rt.Path) || slices.Contains(outsideRouter, rt.Path) || strings.HasPrefix(rt.Path, outsideRouter[0]+"/"),
			"route %s %s is outside the prefixes cmd/herd mounts the API on (%v)", rt.Method, rt.Path, apiPrefixes)
	}

	f, err := os.Open(apiDoc)
	require.NoError(t, err)
	defer f.Close()
	rows, err := parseCoverage(f)
	require.NoError(t, err, "docs/api.md")

	served, unserved := coverageDiff(routes, rows)
	if len(served) > 0 || len(unserved) > 0 {
		var b strings.Builder
		if len(served) > 0 {
			fmt.Fprintf(&b, "\nServed by the router but not marked done or partial in docs/api.md (add or fix these rows):\n")
			for _, s := range served {
				fmt.Fprintf(&b, "  + %s\n", s)
			}
		}
		if len(unserved) > 0 {
			fmt.Fprintf(&b, "\nMarked done or partial in docs/api.md but not served by the router (mark them absent or add the route):\n")
			for _, s := range unserved {
				fmt.Fprintf(&b, "  - %s\n", s)
			}
		}
		t.Errorf("docs/api.md does not match (*mastoapi.API).Routes():%s", b.String())
	}

	var done, partial, absent int
	for _, r := range rows {
		switch r.Status {
		case statusDone:
			done++
		case statusPartial:
			partial++
		default:
			absent++
		}
	}
	t.Logf("docs/api.md: %d rows: %d done, %d partial, %d absent; the router serves %d routes", len(rows), done, partial, absent, len(routes))
}

func TestParseCoverage(t *testing.T) {
	doc := "# API\n\nProse | with a bar.\n\n" +
		"| Method | Path | Status | Notes |\n| --- | --- | --- | --- |\n" +
		"| GET | `/api/v1/instance` | done | |\n" +
		"| GET, HEAD | `/static/avatar.png` | done | |\n" +
		"| POST | `/api/v1/accounts/:id/follow` | partial | no `languages` |\n" +
		"| DELETE | `/api/v1/lists/{id}` | absent | |\n\n" +
		"| Other | Table |\n| --- | --- |\n| GET | ignored |\n"
	rows, err := parseCoverage(strings.NewReader(doc))
	require.NoError(t, err)
	require.Len(t, rows, 5)
	assert.Equal(t, docRow{Line: 7, Method: "GET", Path: "/api/v1/instance", Status: "done"}, rows[0])
	assert.Equal(t, "HEAD", rows[2].Method)
	assert.Equal(t, "no `languages`", rows[3].Notes)

	bad := map[string]string{
		"status":    "| GET | `/api/v1/x` | maybe | |",
		"method":    "| FETCH | `/api/v1/x` | done | |",
		"cells":     "| GET | `/api/v1/x` | done |",
		"path":      "| GET | api/v1/x | done | |",
		"duplicate": "| GET | `/api/v1/x/{id}` | done | |\n| GET | `/api/v1/x/:id` | absent | |",
		"partial":   "| GET | `/api/v1/x` | partial | |",
	}
	for name, row := range bad {
		_, err := parseCoverage(strings.NewReader("| Method | Path | Status | Notes |\n| --- | --- | --- | --- |\n" + row + "\n"))
		assert.Error(t, err, name)
	}
	_, err = parseCoverage(strings.NewReader("no table"))
	assert.Error(t, err)
}

func TestCoverageDiff(t *testing.T) {
	routes := []mastoapi.Route{
		{Method: "GET", Path: "/api/v1/accounts/{id:[0-9]+}"},
		{Method: "POST", Path: "/api/v1/statuses"},
		{Method: "GET", Path: "/api/v1/lists"},
		{Method: "GET", Path: "/api/v1/new"},
	}
	rows := []docRow{
		{Line: 1, Method: "GET", Path: "/api/v1/accounts/:id", Status: statusDone},
		{Line: 2, Method: "POST", Path: "/api/v1/statuses", Status: statusPartial, Notes: "no polls"},
		{Line: 3, Method: "GET", Path: "/api/v1/lists", Status: statusAbsent},
		{Line: 4, Method: "DELETE", Path: "/api/v1/statuses/{id}", Status: statusDone},
		{Line: 5, Method: "GET", Path: "/api/v1/filters", Status: statusAbsent},
		{Line: 6, Method: "GET", Path: "/health", Status: statusDone},
		{Line: 7, Method: "GET", Path: "/api/v1/streaming/user", Status: statusDone},
	}
	served, unserved := coverageDiff(routes, rows)
	assert.Equal(t, []string{"GET /api/v1/lists (line 3 says absent)", "GET /api/v1/new (not in the table)"}, served)
	assert.Equal(t, []string{"DELETE /api/v1/statuses/{id} (line 4 says done)"}, unserved)

	assert.Equal(t, "/api/v1/a/{}/b/{}", routeKey("/api/v1/a/{id:[0-9]{1,20}}/b/:name"))
}

func FuzzParseCoverage(f *testing.F) {
	f.Add("| Method | Path | Status | Notes |\n| --- | --- | --- | --- |\n| GET | `/api/v1/x` | done | |\n")
	f.Add("| Method | Path | Status | Notes |\n|---|\n| GET, POST | `/a/{id:[0-9]+}` | partial | n |\n")
	f.Fuzz(func(t *testing.T, doc string) {
		rows, err := parseCoverage(strings.NewReader(doc))
		if err != nil {
			return
		}
		for _, r := range rows {
			if !strings.HasPrefix(r.Path, "/") || !methodRE.MatchString(r.Method) {
				t.Fatalf("bad row accepted: %+v", r)
			}
			_ = routeKey(r.Path)
		}
	})
}
