package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"time"

	"github.com/herd-social/herd/storage"
)

// ProcessorOptions configures a Processor.
type ProcessorOptions struct {
	Limits Limits
	// ImageConcurrency bounds the images processed at once (default
	// GOMAXPROCS/2, at least 1: half the cores stay for the API, see
	// bench/media); AVConcurrency the ffmpeg jobs (default 1). Further
	// calls wait, so that a burst of uploads cannot starve the API.
	ImageConcurrency, AVConcurrency int
	// Tools are the ffmpeg/ffprobe executables; zero means a PATH lookup.
	// Without them video and audio fail with ErrToolsMissing.
	Tools Tools
	// Threads is ffmpeg's -threads (default 2).
	Threads int
	// AVTimeout bounds one ffmpeg job (default 10 minutes).
	AVTimeout time.Duration
	// TempDir holds the files of video and audio jobs (default
	// os.TempDir()).
	TempDir string
}

// Processor turns uploaded files into stored renditions, with bounded
// concurrency. It is safe for concurrent use.
type Processor struct {
	limits   Limits
	imageSem chan struct{}
	// bufSem bounds the images held in memory, read and waiting for
	// imageSem or being processed: without it, every upload of a burst
	// would hold its whole file.
	bufSem   chan struct{}
	avSem    chan struct{}
	tools    Tools
	toolsErr error
	threads  int
	timeout  time.Duration
	tempDir  string
}

// NewProcessor returns a Processor.
func NewProcessor(opts *ProcessorOptions) *Processor {
	var o ProcessorOptions
	if opts != nil {
		o = *opts
	}
	if o.ImageConcurrency <= 0 {
		o.ImageConcurrency = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if o.AVConcurrency <= 0 {
		o.AVConcurrency = 1
	}
	if o.Threads <= 0 {
		o.Threads = 2
	}
	if o.AVTimeout <= 0 {
		o.AVTimeout = 10 * time.Minute
	}
	p := &Processor{
		limits:   o.Limits.WithDefaults(),
		imageSem: make(chan struct{}, o.ImageConcurrency),
		bufSem:   make(chan struct{}, 2*o.ImageConcurrency),
		avSem:    make(chan struct{}, o.AVConcurrency),
		tools:    o.Tools,
		threads:  o.Threads,
		timeout:  o.AVTimeout,
		tempDir:  o.TempDir,
	}
	if p.tools.FFmpeg == "" || p.tools.FFprobe == "" {
		found, err := FindTools()
		if p.tools.FFmpeg == "" {
			p.tools.FFmpeg = found.FFmpeg
		}
		if p.tools.FFprobe == "" {
			p.tools.FFprobe = found.FFprobe
		}
		if p.tools.FFmpeg == "" || p.tools.FFprobe == "" {
			p.toolsErr = err
		}
	}
	return p
}

// Limits returns the processor's limits.
func (p *Processor) Limits() Limits { return p.limits }

// HasAV reports whether video and audio can be processed (ffmpeg and
// ffprobe were found; CheckTools checks their encoders too).
func (p *Processor) HasAV() bool { return p.toolsErr == nil }

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Process reads a file from r and processes it according to its sniffed
// type: images (ProcessImage), animated GIFs and silent short videos
// (gifv), video and audio (ffmpeg). Reading stops at the size limit of the
// type. The caller closes the Result to remove its temporary files; on
// error nothing is left behind.
func (p *Processor) Process(ctx context.Context, r io.Reader) (*Result, error) {
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(ctxReader{ctx, r}, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("media: read upload: %w", err)
	}
	head = head[:n]
	f := Sniff(head)
	if !f.Supported() {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, f.MIME)
	}
	body := io.MultiReader(bytes.NewReader(head), ctxReader{ctx, r})
	if f.Kind == storage.MediaImage {
		if err := acquire(ctx, p.bufSem); err != nil {
			return nil, err
		}
		defer func() { <-p.bufSem }()
		data, err := readAllSized(body, sizeHint(r), p.limits.ImageSizeLimit+1)
		if err != nil {
			return nil, fmt.Errorf("media: read upload: %w", err)
		}
		return p.processImageData(ctx, data)
	}
	if p.toolsErr != nil {
		return nil, p.toolsErr
	}
	path, err := p.spool(body, p.limits.VideoSizeLimit)
	if err != nil {
		return nil, err
	}
	defer os.Remove(path)
	return p.processAV(ctx, f, path)
}

func (p *Processor) processImageData(ctx context.Context, data []byte) (*Result, error) {
	if err := acquire(ctx, p.imageSem); err != nil {
		return nil, err
	}
	img, f, err := DecodeImage(data, p.limits)
	if errors.Is(err, ErrAnimated) {
		<-p.imageSem
		if p.toolsErr != nil {
			return nil, fmt.Errorf("animated GIF: %w", p.toolsErr)
		}
		path, err := p.spool(bytes.NewReader(data), p.limits.ImageSizeLimit)
		if err != nil {
			return nil, err
		}
		defer os.Remove(path)
		return p.processAV(ctx, f, path)
	}
	defer func() { <-p.imageSem }()
	if err != nil {
		return nil, err
	}
	orientation := 1
	if f.MIME == "image/jpeg" {
		orientation = jpegOrientation(data)
	}
	return processImage(img, f, orientation, imageOptions{originalSize: p.limits.OriginalSize, previewSize: p.limits.PreviewSize})
}

func (p *Processor) processAV(ctx context.Context, f Format, path string) (*Result, error) {
	if err := acquire(ctx, p.avSem); err != nil {
		return nil, err
	}
	defer func() { <-p.avSem }()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	job := avJob{tools: p.tools, limits: p.limits, threads: p.threads, tempDir: p.tempDir}
	return job.process(ctx, f, path)
}

// spool copies r to a temporary file, failing with ErrTooLarge past limit.
func (p *Processor) spool(r io.Reader, limit int64) (string, error) {
	f, err := os.CreateTemp(p.tempDir, "herd-media-in-*")
	if err != nil {
		return "", fmt.Errorf("media: temporary file: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		if !errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("media: read upload: %w", err)
		}
		return "", err
	}
	return f.Name(), nil
}

// sizeHint returns the size of r when it tells (a file), else 0.
func sizeHint(r io.Reader) int64 {
	switch x := r.(type) {
	case Blob:
		return x.Info().Size
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := x.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return x.Size()
	}
	return 0
}

// readAllSized reads r up to limit bytes into one buffer sized for hint
// bytes, so that a large image is not copied through growing buffers.
func readAllSized(r io.Reader, hint, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if hint > 0 && hint < limit {
		buf.Grow(int(hint) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}
