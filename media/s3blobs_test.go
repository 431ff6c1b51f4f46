package media_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/media/blobstest"
)

// The S3 tests run against s3rver (npm, pinned in testdata/s3; installed by
// scripts/node-deps.sh), started once per test binary on a free
// port. Without Node or the install they skip, unless HERD_TEST_REQUIRE_S3=1
// (as in CI): then they fail.
const envRequireS3 = "HERD_TEST_REQUIRE_S3"

const s3Bucket = "herd-test"

var (
	s3Once     sync.Once
	s3Endpoint string
	s3Err      error
	s3Stop     func()
	s3Seq      atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if s3Stop != nil {
		s3Stop()
	}
	os.Exit(code)
}

func startS3rver() (string, func(), error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", nil, fmt.Errorf("node not found: %w", err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "s3", "node_modules", "s3rver", "bin", "s3rver.js"))
	if _, err := os.Stat(script); err != nil {
		return "", nil, fmt.Errorf("s3rver is not installed (run scripts/node-deps.sh): %w", err)
	}
	dir, err := os.MkdirTemp("", "herd-s3rver-*")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node,
		// s3rver encrypts its listing continuation tokens with DES, a
		// legacy cipher in the OpenSSL 3 of Node 17+.
		"--openssl-legacy-provider", script, "-d", dir, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", s3Bucket)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return "", nil, fmt.Errorf("start s3rver: %w", err)
	}
	stop := func() {
		cancel()
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	}
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (\S+:\d+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case a := <-addr:
		return a, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, fmt.Errorf("s3rver did not start within 30s")
	}
}

// newS3 returns S3 blobs under a fresh prefix of the test bucket.
func newS3(t *testing.T) media.Blobs {
	t.Helper()
	s3Once.Do(func() { s3Endpoint, s3Stop, s3Err = startS3rver() })
	if s3Err != nil {
		if os.Getenv(envRequireS3) == "1" {
			t.Fatalf("%s=1 but the S3 test server is unavailable: %v", envRequireS3, s3Err)
		}
		t.Skipf("skipping S3 test: %v", s3Err)
	}
	b, err := media.NewS3(s3Endpoint, s3Bucket, &media.S3Options{
		AccessKey: "S3RVER", SecretKey: "S3RVER", Region: "us-east-1",
		Insecure: true, PathStyle: true,
		Prefix:  fmt.Sprintf("t%d/", s3Seq.Add(1)),
		TempDir: t.TempDir(),
	})
	require.NoError(t, err)
	return b
}

func TestS3Conformance(t *testing.T) {
	// s3rver rewrites an object's file in place: a reader racing with a
	// writer of the same key may see a partial object (S3 and MinIO
	// replace objects atomically).
	blobstest.RunOptions(t, newS3, blobstest.Options{SkipConcurrentOverwrite: true})
}

func TestS3Options(t *testing.T) {
	_, err := media.NewS3("127.0.0.1:1", "b", &media.S3Options{Prefix: "../x/"})
	require.Error(t, err)
	_, err = media.NewS3("127.0.0.1:1", "b", &media.S3Options{Prefix: "noslash"})
	require.Error(t, err)
	require.True(t, strings.HasSuffix(media.PublicURL("https://cdn.example/m/")("a/b.jpg"), "/m/a/b.jpg"))
}
