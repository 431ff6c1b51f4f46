// Command media is the upload burst harness: it runs the Mastodon API with
// the media service in process on a seeded SQLite database, measures
// GET /api/v1/timelines/home latency alone, then again while a burst of
// concurrent image uploads (POST /api/v2/media) is processed, and prints
// both with the upload throughput. It shows whether the Processor's
// concurrency bound keeps the API within its latency goal during a burst.
//
//	go run ./bench/media -uploads 200 -uploaders 32 -size 4000x3000
//	go run ./bench/media -image-concurrency 1   # compare bounds
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	mrand "math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

// config is the harness's settings.
type config struct {
	Statuses, Accounts, Followed int
	Uploads, Uploaders           int
	Width, Height                int
	ImageConcurrency             int
	Probes                       int
	Baseline                     time.Duration
	GoalP99                      time.Duration
}

func main() {
	c := config{}
	flag.IntVar(&c.Statuses, "statuses", 20_000, "statuses to seed")
	flag.IntVar(&c.Accounts, "accounts", 500, "accounts the statuses are spread over")
	flag.IntVar(&c.Followed, "followed", 100, "accounts the viewer follows")
	flag.IntVar(&c.Uploads, "uploads", 100, "images uploaded in the burst")
	flag.IntVar(&c.Uploaders, "uploaders", 32, "concurrent uploaders")
	size := flag.String("size", "4000x3000", "image size WxH (12 MP by default)")
	flag.IntVar(&c.ImageConcurrency, "image-concurrency", 0, "Processor.ImageConcurrency (0: its default, GOMAXPROCS/2)")
	flag.IntVar(&c.Probes, "probes", 4, "concurrent home timeline readers")
	flag.DurationVar(&c.Baseline, "baseline", 5*time.Second, "time the home timeline is measured alone")
	flag.DurationVar(&c.GoalP99, "goal-p99", 10*time.Millisecond, "home timeline p99 goal during the burst")
	flag.Parse()
	if _, err := fmt.Sscanf(*size, "%dx%d", &c.Width, &c.Height); err != nil || c.Width <= 0 || c.Height <= 0 {
		fmt.Fprintln(os.Stderr, "media: -size wants WxH")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	r, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "media:", err)
		os.Exit(1)
	}
	r.print(os.Stdout, c)
}

// result is what one run measured.
type result struct {
	Baseline, Burst         []time.Duration // home timeline latencies
	Uploads                 []time.Duration // upload latencies
	UploadWall              time.Duration
	UploadErrors, ProbeErrs int64
}

func run(ctx context.Context, c config) (*result, error) {
	dir, err := os.MkdirTemp("", "herd-bench-media-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	hf, err := storagetest.SeedHome(ctx, st.DB(), storagetest.HomeSeed{Statuses: c.Statuses, Accounts: c.Accounts, Followed: c.Followed})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	token, err := viewerToken(ctx, st, hf.Viewer)
	if err != nil {
		return nil, err
	}
	blobs, err := media.NewFS(filepath.Join(dir, "media"), nil)
	if err != nil {
		return nil, err
	}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer srv.Close()
	urls, err := social.NewURLs(srv.URL)
	if err != nil {
		return nil, err
	}
	proc := media.NewProcessor(&media.ProcessorOptions{ImageConcurrency: c.ImageConcurrency, TempDir: dir})
	svc := media.NewService(st, blobs, proc, urls.Media, nil)
	defer svc.Close(context.Background())
	handler = mastoapi.New(st, social.New(st, urls, nil), urls, &mastoapi.Options{Media: svc, RateLimit: mastoapi.RateLimit{Disabled: true}})

	img := photoJPEG(c.Width, c.Height)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	home := srv.URL + "/api/v1/timelines/home?limit=20"
	r := &result{}

	// Baseline: the home timeline alone.
	r.Baseline, r.ProbeErrs = probe(ctx, client, home, token, c.Probes, func() bool { return false }, c.Baseline)

	// Burst: uploads while the probes run.
	var done atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := atomic.Int64{}
	start := time.Now()
	for range c.Uploaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(c.Uploads) && ctx.Err() == nil {
				t0 := time.Now()
				if err := upload(ctx, client, srv.URL+"/api/v2/media", token, img); err != nil {
					atomic.AddInt64(&r.UploadErrors, 1)
					continue
				}
				mu.Lock()
				r.Uploads = append(r.Uploads, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	go func() {
		wg.Wait()
		// Wait for background processing too (large images outlast the
		// upload's synchronous wait).
		_ = svc.Wait(ctx)
		r.UploadWall = time.Since(start)
		done.Store(true)
	}()
	var perrs int64
	r.Burst, perrs = probe(ctx, client, home, token, c.Probes, done.Load, 0)
	r.ProbeErrs += perrs
	return r, ctx.Err()
}

// probe reads url with n concurrent clients until stop says so (or for d
// when d > 0) and returns the latencies.
func probe(ctx context.Context, client *http.Client, url, token string, n int, stop func() bool, d time.Duration) ([]time.Duration, int64) {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var out []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && !stop() && (d <= 0 || time.Now().Before(deadline)) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				el := time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusOK {
					errs.Add(1)
					continue
				}
				mu.Lock()
				out = append(out, el)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, errs.Load()
}

func upload(ctx context.Context, client *http.Client, url, token string, img []byte) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	_, _ = fw.Write(img)
	_ = mw.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("upload: HTTP %d", resp.StatusCode)
	}
	return nil
}

// viewerToken gives the seeded viewer a user, an app and a token.
func viewerToken(ctx context.Context, st storage.Store, viewer storage.ID) (string, error) {
	now := time.Now().UTC()
	if err := st.Users().Create(ctx, &storage.User{AccountID: viewer, Email: "viewer@bench.invalid", PasswordHash: "!",
		Role: storage.RoleUser, Approved: true, ConfirmedAt: &now}); err != nil {
		return "", fmt.Errorf("viewer user: %w", err)
	}
	app := &storage.Application{Name: "bench/media", RedirectURIs: storage.Strings{mastoapi.OOBRedirectURI},
		Scopes: storage.Strings{"read", "write"}, ClientID: randomToken(), ClientSecretHash: mastoapi.HashToken(randomToken())}
	if err := st.OAuth().CreateApplication(ctx, app); err != nil {
		return "", fmt.Errorf("app: %w", err)
	}
	tok := randomToken()
	if err := st.OAuth().CreateToken(ctx, &storage.Token{TokenHash: mastoapi.HashToken(tok), ApplicationID: app.ID,
		AccountID: viewer, Scopes: storage.Strings{"read", "write"}}); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return tok, nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// photoJPEG draws a w×h picture with gradients and noise (it compresses
// like a photograph).
func photoJPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := mrand.New(mrand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			n := uint8(rng.IntN(24))
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w)+n, uint8(y*255/h)+n, uint8((x+y)*127/(w+h))+n, 0xff
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	return buf.Bytes()
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r *result) print(w io.Writer, c config) {
	conc := c.ImageConcurrency
	if conc <= 0 {
		conc = max(1, runtime.GOMAXPROCS(0)/2)
	}
	fmt.Fprintf(w, "GOMAXPROCS %d, image concurrency %d, %d uploads of %dx%d JPEG by %d uploaders, %d home readers\n\n",
		runtime.GOMAXPROCS(0), conc, c.Uploads, c.Width, c.Height, c.Uploaders, c.Probes)
	fmt.Fprintln(w, "| Measure | Requests | p50 | p99 | max |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	row := func(name string, ds []time.Duration) {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", name, len(ds), ms(pct(ds, 50)), ms(pct(ds, 99)), ms(pct(ds, 100)))
	}
	row("home timeline alone", r.Baseline)
	row("home timeline during the burst", r.Burst)
	row("upload (POST /api/v2/media)", r.Uploads)
	rate := float64(len(r.Uploads)) / r.UploadWall.Seconds()
	fmt.Fprintf(w, "\nburst: %d uploads stored and processed in %s (%.1f/s); %d upload errors, %d read errors\n",
		len(r.Uploads), r.UploadWall.Round(time.Millisecond), rate, r.UploadErrors, r.ProbeErrs)
	met := "yes"
	if pct(r.Burst, 99) > c.GoalP99 {
		met = "no"
	}
	fmt.Fprintf(w, "home p99 during the burst %s, goal ≤ %s: %s\n", ms(pct(r.Burst, 99)), ms(c.GoalP99), met)
}
