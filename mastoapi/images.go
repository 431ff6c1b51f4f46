package mastoapi

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
)

// defaultImages draws the default avatar (a grey silhouette, 400×400) and
// header (a flat banner, 1500×500) served at /static/avatar.png and
// /static/header.png for accounts without images of their own.
func defaultImages() map[string][]byte {
	bg := color.NRGBA{0x9b, 0xa4, 0xb0, 0xff}
	fg := color.NRGBA{0xe4, 0xe7, 0xeb, 0xff}
	av := image.NewNRGBA(image.Rect(0, 0, 400, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 400; x++ {
			c := bg
			dx, dy := x-200, y-160
			if dx*dx+dy*dy <= 75*75 { // head
				c = fg
			}
			sx, sy := x-200, y-400
			if sx*sx+sy*sy <= 150*150 && y > 260 { // shoulders
				c = fg
			}
			av.SetNRGBA(x, y, c)
		}
	}
	hd := image.NewNRGBA(image.Rect(0, 0, 1500, 500))
	for y := 0; y < 500; y++ {
		// A gentle vertical gradient.
		v := uint8(0x5a + y*0x18/500)
		c := color.NRGBA{v, v + 6, v + 16, 0xff}
		for x := 0; x < 1500; x++ {
			hd.SetNRGBA(x, y, c)
		}
	}
	return map[string][]byte{"avatar.png": encodePNG(av), "header.png": encodePNG(hd)}
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		panic("mastoapi: encode default image: " + err.Error()) // cannot happen for an in-memory image
	}
	return b.Bytes()
}

func (a *API) serveImage(name string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		b := a.images[name]
		h := w.Header()
		h.Set("Content-Type", "image/png")
		h.Set("Content-Length", strconv.Itoa(len(b)))
		h.Set("Cache-Control", "public, max-age=86400")
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodHead {
			return nil
		}
		_, _ = w.Write(b)
		return nil
	}
}
