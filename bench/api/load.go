package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// perToken is how many requests in a row use one token: below the API's
// limit of 300 per token and 5 minutes, and enough that the token's
// last-used time (written once a minute per token) is rarely written, as
// with a real client.
const perToken = 250

// scenario is one endpoint under load.
type scenario struct {
	Name   string
	Method string
	Path   string
	Body   string // form body for POST
	// Goals of issue 4 (zero: none).
	GoalRPS float64
	GoalP99 time.Duration
}

func allScenarios() []scenario {
	return []scenario{
		{Name: "home", Method: http.MethodGet, Path: "/api/v1/timelines/home?limit=20", GoalRPS: 12_000, GoalP99: 10 * time.Millisecond},
		{Name: "public_local", Method: http.MethodGet, Path: "/api/v1/timelines/public?local=true", GoalRPS: 8_000},
		{Name: "post_status", Method: http.MethodPost, Path: "/api/v1/statuses", Body: url.Values{"status": {"Load test post from bench/api"}}.Encode(), GoalRPS: 1_000},
	}
}

// fallbackScenarios are measured when a goal's endpoint is not served yet.
func fallbackScenarios() []scenario {
	return []scenario{
		{Name: "verify_credentials", Method: http.MethodGet, Path: "/api/v1/accounts/verify_credentials"},
		{Name: "instance", Method: http.MethodGet, Path: "/api/v2/instance"},
	}
}

type scenarioPlan struct {
	run     []scenario
	skipped []string
}

// checkScenarios sends each scenario's request once and checks the answer:
// a scenario whose endpoint is not served (404, 405) is skipped; any other
// failure stops the run. The POST runs last (it adds statuses).
func checkScenarios(ctx context.Context, base string, fx *fixture, c *config) (*scenarioPlan, error) {
	only := map[string]bool{}
	for _, n := range strings.Split(c.Only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			only[n] = true
		}
	}
	plan := &scenarioPlan{}
	candidates := allScenarios()
	check := func(sc scenario) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, sc.Method, base+sc.Path, strings.NewReader(sc.Body))
		if err != nil {
			return false, err
		}
		req.Header.Set("Authorization", "Bearer "+fx.Tokens[0])
		if sc.Body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		switch {
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
			plan.skipped = append(plan.skipped, fmt.Sprintf("%s (%s %s answers %d: not served yet)", sc.Name, sc.Method, sc.Path, resp.StatusCode))
			return false, nil
		case resp.StatusCode != http.StatusOK:
			return false, fmt.Errorf("%s %s: HTTP %d: %.300s", sc.Method, sc.Path, resp.StatusCode, body)
		}
		switch sc.Name {
		case "home", "public_local":
			var list []json.RawMessage
			if err := json.Unmarshal(body, &list); err != nil {
				return false, fmt.Errorf("%s: not a JSON array: %.300s", sc.Path, body)
			}
			if len(list) != 20 {
				return false, fmt.Errorf("%s: %d statuses, want 20", sc.Path, len(list))
			}
		case "post_status", "verify_credentials":
			var v struct{ ID string }
			if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
				return false, fmt.Errorf("%s: no id in %.300s", sc.Path, body)
			}
		}
		return true, nil
	}
	for _, sc := range candidates {
		if len(only) > 0 && !only[sc.Name] {
			continue
		}
		ok, err := check(sc)
		if err != nil {
			return nil, err
		}
		if ok {
			plan.run = append(plan.run, sc)
		}
	}
	for _, sc := range fallbackScenarios() {
		if (len(only) > 0 && !only[sc.Name]) || (len(only) == 0 && len(plan.skipped) == 0) {
			continue
		}
		ok, err := check(sc)
		if err != nil {
			return nil, err
		}
		if ok {
			plan.run = append(plan.run, sc)
		}
	}
	// Reads first, then the POST.
	slices.SortStableFunc(plan.run, func(a, b scenario) int {
		if (a.Method == http.MethodPost) == (b.Method == http.MethodPost) {
			return 0
		}
		if a.Method == http.MethodPost {
			return 1
		}
		return -1
	})
	return plan, nil
}

// result is one scenario's figures.
type result struct {
	Scenario scenario
	Requests int64
	Non2xx   int64
	Errors   int64 // connection errors and timeouts
	Elapsed  time.Duration
	RPS      float64
	P50, P90 time.Duration
	P99      time.Duration
	Max      time.Duration
}

// drive loads one scenario with its own share of the tokens.
func drive(ctx context.Context, gen string, sc scenario, base string, tokens []string, c *config, tmp string) (*result, error) {
	if gen == "wrk" {
		tokensFile := filepath.Join(tmp, sc.Name+".tokens")
		if err := os.WriteFile(tokensFile, []byte(strings.Join(tokens, "\n")+"\n"), 0o600); err != nil {
			return nil, err
		}
		return driveWrk(ctx, sc, base, tokensFile, c, tmp)
	}
	if c.Rate > 0 {
		return nil, fmt.Errorf("-rate needs wrk, which is not installed")
	}
	return driveGo(ctx, sc, base, tokens, c)
}

// wrkScript sends the scenario's request with the next token each time and
// prints the summary as one JSON line at the end.
const wrkScript = `-- generated by bench/api
local method, path, body = %q, %q, %q
local tokens, n, i = {}, 0, 0
local counter = 1

-- Pacing (-rate): each thread aims at its share of the rate. delay() runs
-- before every request and returns whole milliseconds of pause for that
-- connection; the pause starts from connections/rate and is corrected
-- every second by the rate the thread actually reached.
local target = %f -- requests per second for this thread (0: no pacing)
local conns = %d  -- connections of this thread
local pace = 0
local sec, count = 0, 0

function delay()
  if target <= 0 then return 0 end
  if pace == 0 then pace = conns / target * 1000 end
  count = count + 1
  local now = os.time()
  if now ~= sec then
    if sec ~= 0 and count > 0 then
      pace = pace * count / target
      if pace < 0.1 then pace = 0.1 end
      if pace > 1000 then pace = 1000 end
    end
    sec, count = now, 0
  end
  local whole = math.floor(pace)
  if math.random() < pace - whole then return whole + 1 end
  return whole
end

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

-- Each thread takes its own share of the tokens and uses each one for
-- perToken requests in a row (a token may make 300 per 5 minutes).
local perToken, used = %d, 0

function init(args)
  local all = {}
  for line in io.lines(args[1]) do
    if #line > 0 then all[#all + 1] = line end
  end
  local threads = tonumber(args[2])
  local share = math.floor(#all / threads)
  for k = 1, share do tokens[k] = all[((tid or 2) - 2) * share + k] end
  n = share
  i = 1
end

function request()
  used = used + 1
  if used > perToken then
    used = 1
    i = i %% n + 1
  end
  local headers = { ["Authorization"] = "Bearer " .. tokens[i] }
  if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(method, path, headers, body ~= "" and body or nil)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('HERDJSON {"requests":%%d,"duration_us":%%d,"non2xx":%%d,"errors":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`

func driveWrk(ctx context.Context, sc scenario, base, tokensFile string, c *config, tmp string) (*result, error) {
	script := filepath.Join(tmp, sc.Name+".lua")
	target, conns := 0.0, c.Connections/c.Threads
	if c.Rate > 0 {
		target = float64(c.Rate) / float64(c.Threads)
	}
	if err := os.WriteFile(script, []byte(fmt.Sprintf(wrkScript, sc.Method, sc.Path, sc.Body, target, conns, perToken)), 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Duration+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(c.Threads), "-c", strconv.Itoa(c.Connections),
		"-d", fmt.Sprintf("%ds", max(1, int(c.Duration.Seconds()))), "--timeout", "5s", "-s", script, base, "--", tokensFile, strconv.Itoa(c.Threads))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("wrk: %w: %s", err, out.String())
	}
	var s struct {
		Requests   int64 `json:"requests"`
		DurationUS int64 `json:"duration_us"`
		Non2xx     int64 `json:"non2xx"`
		Errors     int64 `json:"errors"`
		P50US      int64 `json:"p50_us"`
		P90US      int64 `json:"p90_us"`
		P99US      int64 `json:"p99_us"`
		MaxUS      int64 `json:"max_us"`
	}
	found := false
	sc2 := bufio.NewScanner(&out)
	for sc2.Scan() {
		if rest, ok := strings.CutPrefix(sc2.Text(), "HERDJSON "); ok {
			if err := json.Unmarshal([]byte(rest), &s); err != nil {
				return nil, fmt.Errorf("wrk summary %q: %w", rest, err)
			}
			found = true
		}
	}
	if !found || s.DurationUS <= 0 {
		return nil, fmt.Errorf("wrk printed no summary: %s", out.String())
	}
	el := time.Duration(s.DurationUS) * time.Microsecond
	return &result{
		Scenario: sc, Requests: s.Requests, Non2xx: s.Non2xx, Errors: s.Errors, Elapsed: el,
		RPS: float64(s.Requests) / el.Seconds(),
		P50: us(s.P50US), P90: us(s.P90US), P99: us(s.P99US), Max: us(s.MaxUS),
	}, nil
}

func us(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

// driveGo is the fallback load generator: Connections goroutines, each with
// its own keep-alive connection, sending the scenario's request back to back
// for Duration.
func driveGo(ctx context.Context, sc scenario, base string, tokens []string, c *config) (*result, error) {
	tr := &http.Transport{MaxIdleConns: c.Connections, MaxIdleConnsPerHost: c.Connections, MaxConnsPerHost: c.Connections}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	var next, non2xx, errs atomic.Int64
	lat := make([][]time.Duration, c.Connections)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c.Connections; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				tok := tokens[int(next.Add(1)-1)/perToken%len(tokens)]
				req, _ := http.NewRequestWithContext(ctx, sc.Method, base+sc.Path, strings.NewReader(sc.Body))
				req.Header.Set("Authorization", "Bearer "+tok)
				if sc.Body != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				t := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(t))
				if resp.StatusCode < 200 || resp.StatusCode >= 400 {
					non2xx.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return nil, fmt.Errorf("no request completed (%d errors)", errs.Load())
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return &result{
		Scenario: sc, Requests: int64(len(all)), Non2xx: non2xx.Load(), Errors: errs.Load(), Elapsed: el,
		RPS: float64(len(all)) / el.Seconds(), P50: pct(0.50), P90: pct(0.90), P99: pct(0.99), Max: all[len(all)-1],
	}, nil
}
