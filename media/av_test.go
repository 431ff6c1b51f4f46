package media_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/storage"
)

const envRequireFFmpeg = "HERD_TEST_REQUIRE_FFMPEG"

// needFFmpeg skips the test without ffmpeg, or fails it when
// HERD_TEST_REQUIRE_FFMPEG=1 (as in CI).
func needFFmpeg(t *testing.T) {
	t.Helper()
	if err := media.CheckTools(t.Context()); err != nil {
		if os.Getenv(envRequireFFmpeg) == "1" {
			t.Fatalf("%s=1 but %v", envRequireFFmpeg, err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// clip makes a test file with ffmpeg's synthetic sources.
func clip(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	full := append([]string{"-nostdin", "-v", "error", "-y"}, args...)
	full = append(full, out)
	cmd := exec.CommandContext(t.Context(), "ffmpeg", full...)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

func animatedGIF(t *testing.T, frames int) []byte {
	g := &gif.GIF{}
	for i := range frames {
		img := image.NewPaletted(image.Rect(0, 0, 61, 33), color.Palette{color.Black, color.White, color.RGBA{0xff, 0, 0, 0xff}})
		for x := range 61 {
			img.SetColorIndex(x, i%33, 2)
		}
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, 10)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, g))
	return buf.Bytes()
}

func TestProcessAV(t *testing.T) {
	needFFmpeg(t)
	src := []string{"-f", "lavfi", "-i", "testsrc=size=321x241:rate=25"}
	sine := []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"}
	join := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	cases := []struct {
		name     string
		data     []byte
		typ      storage.MediaType
		ct       string
		preview  bool
		duration float64
	}{
		{"mp4 with audio", clip(t, "a.mp4", join(src, sine, []string{"-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv444p", "-c:a", "aac"})...),
			storage.MediaVideo, "video/mp4", true, 2},
		{"silent mkv becomes gifv", clip(t, "b.mkv", join(src, []string{"-t", "1", "-c:v", "mpeg4"})...),
			storage.MediaGIFV, "video/mp4", true, 1},
		{"animated gif becomes gifv", animatedGIF(t, 12), storage.MediaGIFV, "video/mp4", true, 1.2},
		{"mp3", clip(t, "c.mp3", join(sine, []string{"-t", "1.5", "-c:a", "libmp3lame"})...),
			storage.MediaAudio, "audio/mp4", false, 1.5},
		{"wav", clip(t, "d.wav", join(sine, []string{"-t", "1"})...), storage.MediaAudio, "audio/mp4", false, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			p := media.NewProcessor(&media.ProcessorOptions{TempDir: tmp})
			res, err := p.Process(t.Context(), bytes.NewReader(c.data))
			require.NoError(t, err)
			assert.Equal(t, c.typ, res.Type)
			assert.Equal(t, c.ct, res.Original.ContentType)
			require.NotEmpty(t, res.Original.Path)
			out, err := os.ReadFile(res.Original.Path)
			require.NoError(t, err)
			assert.Equal(t, media.Sniff(out).Kind != storage.MediaUnknown, true)
			assert.Equal(t, int64(len(out)), res.Original.Size)
			assert.InDelta(t, c.duration, res.Meta.Duration, 0.3)
			assert.NotEmpty(t, res.Meta.Length)
			if c.preview {
				require.NotNil(t, res.Preview)
				assert.Equal(t, "image/jpeg", res.Preview.ContentType)
				assert.NotEmpty(t, res.Blurhash)
				assert.Zero(t, res.Original.Width%2, "even width")
				assert.Zero(t, res.Original.Height%2, "even height")
				require.NotNil(t, res.Meta.Original)
				assert.Equal(t, res.Original.Width, res.Meta.Original.Width)
				assert.NotZero(t, res.Meta.FPS)
				require.NotNil(t, res.Meta.Small)
				// faststart: the moov box comes before mdat.
				assert.Less(t, bytes.Index(out, []byte("moov")), bytes.Index(out, []byte("mdat")))
			} else {
				assert.Nil(t, res.Preview)
			}
			if c.typ == storage.MediaGIFV {
				assert.Empty(t, res.Meta.AudioEncode, "gifv has no audio")
			}
			require.NoError(t, res.Close())
			left, err := os.ReadDir(tmp)
			require.NoError(t, err)
			assert.Empty(t, left, "Close removes the temporary files")
		})
	}
}

func TestProcessBadAV(t *testing.T) {
	needFFmpeg(t)
	mp4 := clip(t, "a.mp4", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p")
	hls := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\n#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
	cases := []struct {
		name   string
		data   []byte
		limits media.Limits
		want   error
	}{
		{"truncated mp4", mp4[:len(mp4)/3], media.Limits{}, media.ErrCorrupt},
		{"hls playlist behind an mp4 header", hls, media.Limits{}, media.ErrCorrupt},
		{"plain playlist", []byte("#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1/x.ts\n"), media.Limits{}, media.ErrUnsupported},
		{"too long", mp4, media.Limits{MaxDuration: time.Second}, media.ErrTooLarge},
		{"too many pixels", mp4, media.Limits{VideoMatrixLimit: 100 * 100}, media.ErrTooLarge},
		{"too big", mp4, media.Limits{VideoSizeLimit: int64(len(mp4) / 2)}, media.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			p := media.NewProcessor(&media.ProcessorOptions{TempDir: tmp, Limits: c.limits})
			res, err := p.Process(t.Context(), bytes.NewReader(c.data))
			require.Error(t, err)
			assert.Nil(t, res)
			assert.ErrorIs(t, err, c.want, "got %v", err)
			left, err := os.ReadDir(tmp)
			require.NoError(t, err)
			assert.Empty(t, left, "no temporary files left")
		})
	}
}

func TestToolsMissing(t *testing.T) {
	p := media.NewProcessor(&media.ProcessorOptions{Tools: media.Tools{FFmpeg: "/nonexistent/ffmpeg", FFprobe: "/nonexistent/ffprobe"}})
	// Paths that are set are trusted until used; a job then fails.
	_, err := p.Process(t.Context(), bytes.NewReader([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")))
	require.Error(t, err)

	t.Setenv("PATH", t.TempDir())
	p = media.NewProcessor(nil)
	assert.False(t, p.HasAV())
	_, err = p.Process(t.Context(), bytes.NewReader([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")))
	assert.ErrorIs(t, err, media.ErrToolsMissing)
	_, err = p.Process(t.Context(), bytes.NewReader(animatedGIF(t, 3)))
	assert.ErrorIs(t, err, media.ErrToolsMissing)
	err = media.CheckTools(context.Background())
	assert.ErrorIs(t, err, media.ErrToolsMissing)
	assert.True(t, strings.Contains(err.Error(), "ffmpeg"))
	// Images still work.
	res, err := p.Process(t.Context(), bytes.NewReader(encJPEG(t, photo(64, 64))))
	require.NoError(t, err)
	assert.Equal(t, storage.MediaImage, res.Type)
}
