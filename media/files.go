package media

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

func openFile(p string) (io.ReadCloser, error) { return os.Open(p) }

func removeFile(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
