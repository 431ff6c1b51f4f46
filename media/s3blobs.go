package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configures an S3-compatible Blobs.
type S3Options struct {
	// AccessKey and SecretKey authenticate; both empty means anonymous.
	AccessKey, SecretKey string
	// Region of the bucket ("" lets the client discover it).
	Region string
	// Insecure uses plain HTTP instead of HTTPS (test servers, a local
	// MinIO).
	Insecure bool
	// PathStyle addresses the bucket in the path (endpoint/bucket/key)
	// rather than as a subdomain; most self-hosted servers want it.
	PathStyle bool
	// Prefix is prepended to every key in the bucket (such as "herd/"), so
	// that several servers or tests may share one bucket.
	Prefix string
	// TempDir holds uploads of unknown size while they are spooled to
	// learn their size (default os.TempDir()).
	TempDir string
	// Transport is the HTTP transport (default: minio's).
	Transport http.RoundTripper
}

// S3 stores blobs in a bucket of an S3-compatible service (AWS S3, MinIO,
// Garage, Ceph, R2 …). Each blob is written with one PUT (no multipart
// upload, so a failed Put leaves nothing behind) whose length is known
// before it starts: readers that cannot seek are first spooled to a
// temporary file.
type S3 struct {
	c      *minio.Client
	bucket string
	opts   S3Options
}

var _ Blobs = (*S3)(nil)

// maxS3Put is the largest single PUT S3 accepts.
const maxS3Put = 5 << 30

// NewS3 returns blobs stored in bucket at endpoint (host[:port], without
// scheme).
func NewS3(endpoint, bucket string, opts *S3Options) (*S3, error) {
	var o S3Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix != "" {
		if _, err := checkList(o.Prefix, 1); err != nil || !strings.HasSuffix(o.Prefix, "/") {
			return nil, fmt.Errorf("media: s3 prefix %q must be a key prefix ending in '/'", o.Prefix)
		}
	}
	var creds *credentials.Credentials
	if o.AccessKey != "" || o.SecretKey != "" {
		creds = credentials.NewStaticV4(o.AccessKey, o.SecretKey, "")
	} else {
		creds = credentials.New(&credentials.Static{})
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:        creds,
		Secure:       !o.Insecure,
		Region:       o.Region,
		BucketLookup: lookup,
		Transport:    o.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("media: s3 client for %s: %w", endpoint, err)
	}
	return &S3{c: c, bucket: bucket, opts: o}, nil
}

// EnsureBucket creates the bucket when it does not exist.
func (s *S3) EnsureBucket(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media: s3 bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	if err := s.c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.opts.Region}); err != nil {
		return fmt.Errorf("media: create s3 bucket %s: %w", s.bucket, err)
	}
	return nil
}

func (s *S3) object(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return s.opts.Prefix + key, nil
}

func (s *S3) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("media: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("media: s3 %s %s: %w", op, key, err)
}

// Put implements Blobs.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	obj, err := s.object(key)
	if err != nil {
		return err
	}
	// Know the exact size before the request starts: a request aborted
	// mid-body is not reliably discarded by every S3-compatible server.
	if sk, ok := r.(io.ReadSeeker); ok && size >= 0 {
		cur, err1 := sk.Seek(0, io.SeekCurrent)
		end, err2 := sk.Seek(0, io.SeekEnd)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("media: put %s: seek: %w", key, errors.Join(err1, err2))
		}
		if _, err := sk.Seek(cur, io.SeekStart); err != nil {
			return fmt.Errorf("media: put %s: seek: %w", key, err)
		}
		if end-cur != size {
			return fmt.Errorf("media: put %s: %d bytes, want %d", key, end-cur, size)
		}
	} else {
		// Spool to a temporary file, which also learns the size.
		f, err := os.CreateTemp(s.opts.TempDir, "herd-s3-put-*")
		if err != nil {
			return fmt.Errorf("media: put %s: %w", key, err)
		}
		defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()
		n, err := io.Copy(f, io.LimitReader(ctxReader{ctx, r}, maxS3Put+1))
		if err != nil {
			return fmt.Errorf("media: put %s: %w", key, err)
		}
		if n > maxS3Put {
			return fmt.Errorf("media: put %s: %w: more than %d bytes", key, ErrTooLarge, int64(maxS3Put))
		}
		if size >= 0 && n != size {
			return fmt.Errorf("media: put %s: read %d bytes, want %d", key, n, size)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("media: put %s: %w", key, err)
		}
		r, size = f, n
	}
	if size > maxS3Put {
		return fmt.Errorf("media: put %s: %w: %d bytes", key, ErrTooLarge, size)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err = s.c.PutObject(ctx, s.bucket, obj, &exactReader{r: ctxReader{ctx, r}, left: size}, size, minio.PutObjectOptions{
		ContentType:      contentType,
		DisableMultipart: true,
		// No aws-chunked streaming signature on plain HTTP: not every
		// S3-compatible server decodes it (s3rver stores it verbatim);
		// over HTTPS the client does not use it anyway.
		DisableContentSha256: true,
	})
	return s.wrap("put", key, err)
}

type s3Blob struct {
	*minio.Object
	info BlobInfo
}

func (b *s3Blob) Info() BlobInfo { return b.info }

// Open implements Blobs.
func (s *S3) Open(ctx context.Context, key string) (Blob, error) {
	obj, err := s.object(key)
	if err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, obj, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.wrap("open", key, err)
	}
	st, err := o.Stat()
	if err != nil {
		_ = o.Close()
		return nil, s.wrap("open", key, err)
	}
	return &s3Blob{Object: o, info: s.info(key, st)}, nil
}

func (s *S3) info(key string, st minio.ObjectInfo) BlobInfo {
	ct := st.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	return BlobInfo{Key: key, Size: st.Size, ContentType: ct, ModTime: st.LastModified.UTC()}
}

// Stat implements Blobs.
func (s *S3) Stat(ctx context.Context, key string) (BlobInfo, error) {
	obj, err := s.object(key)
	if err != nil {
		return BlobInfo{}, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, obj, minio.StatObjectOptions{})
	if err != nil {
		return BlobInfo{}, s.wrap("stat", key, err)
	}
	return s.info(key, st), nil
}

// Delete implements Blobs.
func (s *S3) Delete(ctx context.Context, key string) error {
	obj, err := s.object(key)
	if err != nil {
		return err
	}
	err = s.wrap("delete", key, s.c.RemoveObject(ctx, s.bucket, obj, minio.RemoveObjectOptions{}))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// List implements Blobs. Its BlobInfos carry no ContentType (S3 listings
// do not hold it); Stat a key for it.
func (s *S3) List(ctx context.Context, prefix, after string, limit int) ([]BlobInfo, error) {
	limit, err := checkList(prefix, limit)
	if err != nil {
		return nil, err
	}
	opts := minio.ListObjectsOptions{Prefix: s.opts.Prefix + prefix, Recursive: true, MaxKeys: limit}
	if after != "" {
		opts.StartAfter = s.opts.Prefix + after
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine once we have enough
	out := []BlobInfo{}
	for o := range s.c.ListObjects(ctx, s.bucket, opts) {
		if o.Err != nil {
			return nil, s.wrap("list", prefix, o.Err)
		}
		key := strings.TrimPrefix(o.Key, s.opts.Prefix)
		if ValidKey(key) != nil || key <= after {
			continue
		}
		out = append(out, BlobInfo{Key: key, Size: o.Size, ContentType: o.ContentType, ModTime: o.LastModified.UTC()})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// URL returns the public URL of key under base (such as a CDN in front of
// the bucket, "https://cdn.example/media"): base + "/" + key.
func PublicURL(base string) func(key string) string {
	base = strings.TrimRight(base, "/")
	return func(key string) string { return base + "/" + key }
}

// exactReader fails when its reader ends before (or runs past) the
// declared size, so that the request is aborted instead of completed with
// a wrong body.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		var one [1]byte
		if n, _ := e.r.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("media: the upload is longer than its declared size")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, fmt.Errorf("media: the upload ended %d bytes short of its declared size: %w", e.left, io.ErrUnexpectedEOF)
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}
