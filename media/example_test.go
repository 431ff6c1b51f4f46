package media_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/herd-social/herd/media"
)

func ExampleProcessImage() {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 3000, 2000)), nil)

	res, err := media.ProcessImage(buf.Bytes(), media.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Close()
	fmt.Println(res.Type, res.Original.ContentType, res.Original.Width, res.Original.Height)
	fmt.Println(res.Preview.Width, res.Preview.Height, res.Meta.Small.Size)

	_, err = media.ProcessImage([]byte("<html><script>alert(1)</script>"), media.Limits{})
	fmt.Println(err)
	// Output:
	// image image/jpeg 1920 1280
	// 640 427 640x427
	// media: unsupported file type: text/html is not a supported image
}

func ExampleHandler() {
	dir, _ := os.MkdirTemp("", "blobs")
	defer os.RemoveAll(dir)
	blobs, _ := media.NewFS(dir, nil)
	ctx := context.Background()
	_ = blobs.Put(ctx, "a/1/original.mp4", bytes.NewReader([]byte("0123456789")), 10, "video/mp4")

	srv := httptest.NewServer(http.StripPrefix("/media", media.Handler(blobs, nil)))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/media/a/1/original.mp4", nil)
	req.Header.Set("Range", "bytes=2-4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"), string(body))
	// Output:
	// 206 video/mp4 nosniff 234
}

func ExampleLimits_Instance() {
	c := media.DefaultLimits().Instance(false)
	fmt.Println(c.SupportedMIMETypes, c.ImageSizeLimit, c.ImageMatrixLimit, c.DescriptionLimit)
	// Output:
	// [image/jpeg image/png image/gif image/webp] 16777216 40000000 1500
}
