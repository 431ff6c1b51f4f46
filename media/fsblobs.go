package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FSOptions configures a filesystem Blobs.
type FSOptions struct {
	// DirMode and FileMode are the permissions of created directories and
	// files (defaults 0o750 and 0o640).
	DirMode, FileMode fs.FileMode
}

// FS stores blobs as files under a directory. A blob's content type is kept
// in a sidecar file next to it (the key plus "~type"; '~' never occurs in
// keys); the blob file itself holds the bytes only, so that a web server can
// serve the directory directly. Writes go to a temporary file (named with a
// '~', so never listed) that is renamed into place.
type FS struct {
	root string
	opts FSOptions
}

var _ Blobs = (*FS)(nil)

// NewFS returns blobs stored under dir, which is created when missing.
func NewFS(dir string, opts *FSOptions) (*FS, error) {
	o := FSOptions{DirMode: 0o750, FileMode: 0o640}
	if opts != nil {
		if opts.DirMode != 0 {
			o.DirMode = opts.DirMode
		}
		if opts.FileMode != 0 {
			o.FileMode = opts.FileMode
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("media: blob directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, o.DirMode); err != nil {
		return nil, fmt.Errorf("media: blob directory: %w", err)
	}
	return &FS{root: abs, opts: o}, nil
}

const typeSuffix = "~type"

func (f *FS) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(f.root, filepath.FromSlash(key)), nil
}

// Put implements Blobs.
func (f *FS) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), f.opts.DirMode); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*~")
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("media: put %s: read %d bytes, want %d", key, n, size)
	}
	if err := tmp.Chmod(f.opts.FileMode); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	// The type first: a reader that sees the new blob sees its type (a
	// reader in between sees the old bytes with the new type, harmless as
	// keys are not reused for other content in practice).
	if err := writeFileAtomic(p+typeSuffix, []byte(contentType), f.opts.FileMode); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	done = true
	return nil
}

func writeFileAtomic(p string, b []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".type-*~")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

type fsBlob struct {
	*os.File
	info BlobInfo
}

func (b *fsBlob) Info() BlobInfo { return b.info }

// Open implements Blobs.
func (f *FS) Open(ctx context.Context, key string) (Blob, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if err != nil {
		return nil, f.notFound(key, err)
	}
	info, err := f.info(key, p, file)
	if err != nil {
		_ = file.Close()
		return nil, err
	}
	return &fsBlob{File: file, info: info}, nil
}

func (f *FS) notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("media: %s: %w", key, ErrNotFound)
	}
	// A path through a regular file ("a/b" when "a" is a blob) is ENOTDIR:
	// no such blob either.
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory") {
		return fmt.Errorf("media: %s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("media: %s: %w", key, err)
}

func (f *FS) info(key, p string, file *os.File) (BlobInfo, error) {
	var st fs.FileInfo
	var err error
	if file != nil {
		st, err = file.Stat()
	} else {
		st, err = os.Stat(p)
	}
	if err != nil {
		return BlobInfo{}, f.notFound(key, err)
	}
	if !st.Mode().IsRegular() {
		return BlobInfo{}, fmt.Errorf("media: %s: %w", key, ErrNotFound)
	}
	ct, err := os.ReadFile(p + typeSuffix)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return BlobInfo{}, fmt.Errorf("media: %s: %w", key, err)
	}
	typ := string(ct)
	if typ == "" {
		typ = "application/octet-stream"
	}
	return BlobInfo{Key: key, Size: st.Size(), ContentType: typ, ModTime: st.ModTime().UTC()}, nil
}

// Stat implements Blobs.
func (f *FS) Stat(ctx context.Context, key string) (BlobInfo, error) {
	p, err := f.path(key)
	if err != nil {
		return BlobInfo{}, err
	}
	return f.info(key, p, nil)
}

// Delete implements Blobs.
func (f *FS) Delete(ctx context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if st, err := os.Lstat(p); err == nil && st.IsDir() {
		return nil // a "directory" is no blob
	}
	for _, q := range []string{p, p + typeSuffix} {
		if err := os.Remove(q); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			return fmt.Errorf("media: delete %s: %w", key, err)
		}
	}
	// Remove the directories left empty, up to the root (best effort: a
	// concurrent Put may have filled one again).
	for dir := filepath.Dir(p); dir != f.root && strings.HasPrefix(dir, f.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

func isNotDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory")
}

// List implements Blobs.
func (f *FS) List(ctx context.Context, prefix, after string, limit int) ([]BlobInfo, error) {
	limit, err := checkList(prefix, limit)
	if err != nil {
		return nil, err
	}
	// Walk only the directory holding the prefix's last complete segment.
	base := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		base = prefix[:i]
	}
	start := f.root
	if base != "" {
		if ValidKey(base) != nil {
			return []BlobInfo{}, nil
		}
		start = filepath.Join(f.root, filepath.FromSlash(base))
	}
	var keys []string
	err = filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, rerr := filepath.Rel(f.root, p)
		if rerr != nil {
			return rerr
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			// Skip directories that cannot hold a matching key.
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || ValidKey(key) != nil || !strings.HasPrefix(key, prefix) || key <= after {
			return nil
		}
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("media: list %q: %w", prefix, err)
	}
	sort.Strings(keys)
	out := make([]BlobInfo, 0, min(limit, len(keys)))
	for _, k := range keys {
		if len(out) == limit {
			break
		}
		info, err := f.info(k, filepath.Join(f.root, filepath.FromSlash(k)), nil)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
