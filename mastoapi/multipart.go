package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"runtime"
)

// Bounds on multipart bodies, which are streamed: file parts go straight
// to temporary files, so that memory does not grow with the size or the
// number of concurrent uploads.
const (
	// maxMultipartParts bounds the parts of one body.
	maxMultipartParts = 64
	// maxMultipartValue bounds one non-file part, maxMultipartValues all
	// of them together.
	maxMultipartValue  = 64 << 10
	maxMultipartValues = 1 << 20
)

// DefaultMaxConcurrentUploads is Options.MaxConcurrentUploads' default per
// CPU.
const DefaultMaxConcurrentUploads = 4

// errUploadsBusy answers an upload that gave up waiting for a slot.
var errUploadsBusy = NewError(http.StatusServiceUnavailable, "Too many uploads in progress, try again later")

// FormFile is a file part of a multipart body, kept in a temporary file
// until the request has been served.
type FormFile struct {
	// Filename is the name the client gave; never trust it for a type.
	Filename string
	Header   textproto.MIMEHeader
	Size     int64
	path     string
}

// Open opens the uploaded file for reading.
func (f *FormFile) Open() (multipart.File, error) {
	return os.Open(f.path)
}

// uploadSlots bounds how many multipart bodies are read (and their
// temporary files kept) at once.
type uploadSlots chan struct{}

func newUploadSlots(n int) uploadSlots {
	if n <= 0 {
		n = DefaultMaxConcurrentUploads * runtime.GOMAXPROCS(0)
	}
	return make(uploadSlots, n)
}

// acquire waits for a slot, or ctx.
func (s uploadSlots) acquire(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s uploadSlots) release() {
	if s != nil {
		<-s
	}
}

// readMultipart streams a multipart/form-data body: values are added to p
// (each at most maxMultipartValue bytes, maxMultipartValues together) and
// file parts are copied to temporary files listed in p.files. On error,
// the files written so far are removed.
func (p *Params) readMultipart(body io.Reader, boundary string) (err error) {
	defer func() {
		if err != nil {
			p.cleanup()
		}
	}()
	mr := multipart.NewReader(body, boundary)
	values := map[string][]string{}
	valueBytes := 0
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err)
		}
		if parts >= maxMultipartParts {
			part.Close()
			return malformed(fmt.Sprintf("more than %d parts", maxMultipartParts))
		}
		name := part.FormName()
		if name == "" {
			part.Close()
			continue
		}
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxMultipartValue+1))
			part.Close()
			if err != nil {
				return bodyError(err)
			}
			if len(b) > maxMultipartValue {
				return malformed(fmt.Sprintf("part %q is too long", name))
			}
			if valueBytes += len(b); valueBytes > maxMultipartValues {
				return malformed("too many form values")
			}
			values[name] = append(values[name], string(b))
			continue
		}
		f, err := p.saveFile(part)
		part.Close()
		if err != nil {
			return err
		}
		if p.files == nil {
			p.files = map[string][]*FormFile{}
		}
		p.files[name] = append(p.files[name], f)
	}
	return p.addValues(values)
}

func (p *Params) saveFile(part *multipart.Part) (*FormFile, error) {
	tmp, err := os.CreateTemp("", "herd-upload-*")
	if err != nil {
		return nil, fmt.Errorf("mastoapi: temporary file: %w", err)
	}
	p.temps = append(p.temps, tmp.Name())
	n, err := io.Copy(tmp, part)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		return nil, fmt.Errorf("mastoapi: temporary file: %w", cerr)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrBodyTooLarge
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("mastoapi: temporary file: %w", err)
		}
		return nil, malformed("unreadable body")
	}
	return &FormFile{Filename: part.FileName(), Header: part.Header, Size: n, path: tmp.Name()}, nil
}

// Close removes the temporary files of the uploaded files of a multipart
// body (see File). Requests served through API.Handle are closed when
// their handler returns; call it on Params from ParseParams.
func (p *Params) Close() error {
	p.cleanup()
	return nil
}

// cleanup removes the temporary files of p's uploads and gives back its
// upload slot.
func (p *Params) cleanup() {
	for _, name := range p.temps {
		_ = os.Remove(name)
	}
	p.temps = nil
	if p.slot != nil {
		p.slot.release()
		p.slot = nil
	}
}
