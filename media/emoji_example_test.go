package media_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/herd-social/herd/media"
)

// ExampleProcessEmojiImage checks a custom emoji image and makes its still
// PNG version; files that are not images, or larger than 256 KB, fail.
func ExampleProcessEmojiImage() {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 64, 48)))
	res, err := media.ProcessEmojiImage(buf.Bytes(), media.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Close()
	fmt.Println(res.Original.ContentType, res.Preview.ContentType, res.Preview.Width, res.Preview.Height)

	_, err = media.ProcessEmojiImage([]byte("not an image"), media.Limits{})
	fmt.Println(media.IsInputError(err))
	// Output:
	// image/png image/png 64 48
	// true
}
