package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// Goals of issue 4 beyond the per-endpoint ones.
const (
	goalIdleRSSKB = 30 * 1024
	goalStartup   = 300 * time.Millisecond
)

// report gathers a run's figures.
type report struct {
	Config     config
	Generator  string
	Base       string
	InProcess  bool
	FirstStart time.Duration
	Startup    time.Duration // median of Startups
	Startups   []time.Duration
	IdleRSSKB  int64
	RSSAfterKB int64
	Results    []*result
	Skipped    []string
}

// print writes the figures as a Markdown table beside the goals.
func (r *report) print(w io.Writer) {
	c := r.Config
	fmt.Fprintf(w, "\n## Results (%s, %d statuses, %d accounts, viewer follows %d; %s, %d connections, %s each; GOMAXPROCS %d)\n\n",
		map[bool]string{true: "in-process server", false: "herd serve"}[r.InProcess], c.Statuses, c.Accounts, c.Followed,
		r.Generator, c.Connections, c.Duration, runtime.GOMAXPROCS(0))
	fmt.Fprintln(w, "| Measure | Result | Goal | Met |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	for _, res := range r.Results {
		sc := res.Scenario
		goal, met := "-", "-"
		if sc.GoalRPS > 0 {
			goal = fmt.Sprintf("≥ %.0f req/s", sc.GoalRPS)
			ok := res.RPS >= sc.GoalRPS
			if sc.GoalP99 > 0 {
				goal += fmt.Sprintf(", p99 ≤ %s", fmtDur(sc.GoalP99))
				ok = ok && res.P99 <= sc.GoalP99
			}
			met = yesNo(ok && res.Non2xx == 0)
		}
		extra := ""
		if res.Non2xx > 0 || res.Errors > 0 {
			extra = fmt.Sprintf("; %d non-2xx, %d errors", res.Non2xx, res.Errors)
		}
		fmt.Fprintf(w, "| `%s %s` | %.0f req/s, p50 %s, p90 %s, p99 %s, max %s (%d requests%s) | %s | %s |\n",
			sc.Method, sc.Path, res.RPS, fmtDur(res.P50), fmtDur(res.P90), fmtDur(res.P99), fmtDur(res.Max), res.Requests, extra, goal, met)
	}
	if !r.InProcess {
		fmt.Fprintf(w, "| Idle RSS (VmRSS 1 s after start-up) | %.1f MiB | ≤ 30 MiB | %s |\n", float64(r.IdleRSSKB)/1024, yesNo(r.IdleRSSKB <= goalIdleRSSKB))
		fmt.Fprintf(w, "| Start-up (process start → 200 from /health; median of %d restarts) | %s (runs: %s; first start %s) | ≤ 300 ms | %s |\n",
			len(r.Startups), fmtDur(r.Startup), fmtDurs(r.Startups), fmtDur(r.FirstStart), yesNo(r.Startup <= goalStartup))
	}
	if r.RSSAfterKB > 0 {
		fmt.Fprintf(w, "| RSS after the load | %.1f MiB | - | - |\n", float64(r.RSSAfterKB)/1024)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "\nNot measured: %s\n", strings.Join(r.Skipped, "; "))
	}
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
